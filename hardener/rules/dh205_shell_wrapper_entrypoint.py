"""DH205 shell-wrapper-entrypoint: exec-form ENTRYPOINT/CMD that starts a shell or a .sh script."""

from __future__ import annotations

from ..programs import INITS, POSIX_SHELLS
from ..shell import command_name, parse_shell, unwrap

CODE = "DH205"



def _shell_script(argv):
    """(has -c, the -c script or first operand) of a shell argv."""
    i = 1
    has_c = False
    while i < len(argv):
        v = argv[i]
        if v == "--":
            i += 1
            break
        if len(v) > 1 and v[0] in "-+" and not v.startswith("--"):
            letters = v[1:]
            has_c = has_c or "c" in letters
            i += 1 + letters.count("o") + letters.count("O")
            continue
        if v.startswith("--"):
            i += 1
            continue
        break
    return has_c, (argv[i] if i < len(argv) else None)


def _ends_with_exec(script: str) -> bool:
    parsed = parse_shell(script)
    top = [c for c in parsed.commands if c.depth == 0]
    return bool(top) and top[-1].name == "exec" and len(top[-1].words) > 1


def reason(argv, official: str | None, wrapper: bool = False) -> str | None:
    if not argv:
        return None
    first = command_name(argv[0])
    if first in INITS:
        return None
    if first in ("env", "nice", "nohup", "stdbuf", "timeout"):
        from ..shell import Command, Word

        words = tuple(Word(a, a, 0, 0) for a in argv)
        inner = unwrap(Command(words, (), (), 0, 0, None, None, 0, "top"))
        argv = [w.value for w in inner.words]
        first = command_name(argv[0])
    if first in POSIX_SHELLS:
        has_c, script = _shell_script(argv)
        if has_c:
            if script is None or _ends_with_exec(script):
                return None
            return f"{argv[0]} -c starts a shell as PID 1"
        if script is None or script == "-":
            return None  # an interactive shell
        return f"{argv[0]} {script} starts a shell script as PID 1"
    if first.endswith(".sh"):
        if official and first == command_name(official):
            return None  # the base image's own entrypoint, declared again
        if wrapper:
            return None  # ENTRYPOINT ["x.sh"] + CMD [...]: the script gets the command and execs "$@"
        return f"{argv[0]} is a shell script: the shell is PID 1 unless it ends with exec"
    return None


def _wraps_cmd(ctx, ins) -> bool:
    """An ENTRYPOINT followed by a CMD of the file: the `exec "$@"` wrapper idiom."""
    if ins.name != "ENTRYPOINT":
        return False
    stage = ctx.df.stage_of(ins)
    shipped = {s.index for s in ctx.build.final_chain}
    for other in ctx.df.instructions:
        if other.name != "CMD" or other.stage not in shipped:
            continue
        if other.stage == stage.index or (other.stage in shipped and other.stage > stage.index):
            return True
    return False


def check(ctx):
    for ins in ctx.build.instructions("ENTRYPOINT", "CMD", shipped=True):
        body = ctx.build.body(ins)
        if not body.json or not body.argv:
            continue
        stage = ctx.df.stage_of(ins)
        official = ctx.build.image_of(stage).entrypoint if stage is not None else None
        why = reason(list(body.argv), official, wrapper=_wraps_cmd(ctx, ins))
        if why:
            yield ctx.finding(
                CODE,
                ins,
                f"{body.name} {why}; `exec` the app from the script (or run it directly) so it gets signals",
            )
