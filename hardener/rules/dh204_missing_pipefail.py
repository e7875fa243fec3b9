"""DH204 missing-pipefail: a RUN pipes under a shell without pipefail.

The shell is the SHELL in effect (inherited through FROM <stage>); a
`set -o pipefail` in the RUN before the pipe counts. The fix inserts a SHELL
with pipefail before the first such RUN of the stage, only on bases known to
have bash (or BusyBox ash); it never prepends `set -o pipefail` (dash rejects it).
"""

from __future__ import annotations

from ..findings import Applicability, Edit
from ..shell import command_name, unwrap
from ..programs import PIPEFAIL_SHELLS, is_posix_shell as is_posix_program
from ..semantic.scripts import args_base
from .shellscan import is_posix_shell, pipelines

CODE = "DH204"

# pipe sources that cannot fail in a way pipefail would catch (yes dies of SIGPIPE:
# pipefail would fail the step)
HARMLESS_SOURCES = frozenset(("echo", "printf", "yes", "true"))
BASH_FAMILIES = frozenset(("debian", "ubuntu", "rhel", "fedora", "amazonlinux", "suse", "azurelinux", "cbl-mariner"))
ASH_FAMILIES = frozenset(("alpine", "busybox"))


def shell_has_pipefail(shell: tuple[str, ...]) -> bool:
    args = list(shell[1:])
    for i, arg in enumerate(args):
        if arg == "-opipefail":
            return True
        if arg.startswith("-") and not arg.startswith("--") and arg.endswith("o") and i + 1 < len(args):
            if args[i + 1] == "pipefail":
                return True
    return False


def _risky(pipe) -> bool:
    """A pipeline whose upstream commands can fail unseen (and that pipefail would not break)."""
    if _sigpipe_prone(pipe):
        return False
    for cmd in pipe[:-1]:
        name = unwrap(cmd).name
        if name not in HARMLESS_SOURCES:
            return True
    return False


def _exposed(rs, shell_pipefail: bool) -> tuple[bool, bool]:
    """(has a pipe pipefail does not cover, all such pipes would be covered by SHELL)."""
    script = rs.script
    if not script.has_pipe or script.sets_pipefail:
        return False, False
    exposed = False
    shell_helps = True
    for pipe in pipelines(script):
        if not _risky(pipe):
            continue
        origin = pipe[0].origin
        if origin == "sh-c" or rs.kind == "exec":
            exposed = True
            shell_helps = False
        elif not shell_pipefail:
            exposed = True
    return exposed, shell_helps


def _flagged(ctx, ins):
    """None, or (whether a SHELL with pipefail would cover this RUN, advice when it would not)."""
    body = ctx.build.body(ins)
    stage = ctx.df.stage_of(ins)
    if stage is None or body.name != "RUN":
        return None
    shell = ctx.build.state(ins).shell
    shebang = None
    if body.heredocs and body.args.lstrip().startswith("<<") and body.heredocs[0].content.startswith("#!"):
        shebang = body.heredocs[0].content.split("\n", 1)[0]
        words = shebang[2:].split()
        if words and command_name(words[0]) == "env":
            words = words[1:]
        if not words or not is_posix_program(words[0]):
            return None  # a script in another language
    elif not body.json:
        if not is_posix_shell(shell) or ctx.build.image_of(stage).family == "windows":
            return None
    pipefail = shell_has_pipefail(shell) and not body.json and shebang is None
    helps_all = True
    found = False
    for rs in ctx.build.run_scripts(ins):
        exposed, helps = _exposed(rs, pipefail)
        if exposed:
            found = True
            helps_all = helps_all and helps
    if not found:
        return None
    if body.json:
        return False, 'put -o pipefail in the exec form (["bash", "-o", "pipefail", "-c", "..."])'
    if shebang is not None:
        return False, f"the heredoc runs as its own script ({shebang}): add set -o pipefail to it"
    if ins.sub is not None:
        return False, "the trigger runs under the child image's SHELL: give it pipefail there, or use bash -o pipefail -c"
    if not helps_all:
        return False, "the pipe is inside an explicit sh -c/bash -c: add -o pipefail (bash) to that shell"
    return True, None


def check(ctx):
    flagged: dict[int, list] = {}
    for ins in ctx.build.instructions("RUN", shipped=True):
        result = _flagged(ctx, ins)
        if result is None:
            continue
        flagged.setdefault(ins.stage, []).append((ins, result))
    fixing: set[int] = set()
    for stage_index in sorted(flagged):
        stage = ctx.df.stages[stage_index]
        ancestors = {s.index for s in ctx.build.chain(stage)} - {stage_index}
        if ancestors & fixing:
            continue  # the SHELL added to an ancestor is inherited
        first = next((ins for ins, (helps, _) in flagged[stage_index] if helps), None)
        if first is not None and _new_shell(ctx, first) is not None:
            fixing.add(stage_index)
    for stage_index in sorted(flagged):
        first_fixable = stage_index in fixing
        for ins, (helps, why) in flagged[stage_index]:
            fix = None
            if first_fixable and helps:
                fix = _fix(ctx, ins)
                first_fixable = False
            shell = _new_shell(ctx, ins) if helps else None
            if shell and _breaks_under_pipefail(ctx, ins.stage, ins.index):
                advice = (
                    f"set SHELL {_exec_form(shell)} before this RUN, after reworking the later "
                    "`yes |` / `| head` / `| grep -q` pipes that pipefail would fail"
                )
            elif shell:
                advice = f"set SHELL {_exec_form(shell)} before this RUN"
            elif why:
                advice = why
            else:
                advice = "use SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] if the image has bash (dash's sh has no pipefail)"
            yield ctx.finding(
                CODE,
                ins,
                f"A failure before a pipe goes unseen (a pipeline's status is its last command's); {advice}",
                fix=fix,
            )


def _new_shell(ctx, ins) -> list[str] | None:
    stage = ctx.df.stage_of(ins)
    info = ctx.build.image_of(stage)
    if info.has_shell is not True:
        return None
    shell = list(ctx.build.state(ins).shell)
    if len(shell) < 2 or shell[-1] != "-c":
        return None
    options = shell[1:-1]
    prog = command_name(shell[0])
    if prog in PIPEFAIL_SHELLS and prog != "busybox":
        path = shell[0]
    elif prog in ("sh", "dash"):
        if info.family in BASH_FAMILIES:
            path = "/bin/bash"
        elif info.family in ASH_FAMILIES:
            path = "/bin/ash"
        else:
            return None
    else:
        return None
    return [path, *options, "-o", "pipefail", "-c"]


def _sigpipe_prone(pipe) -> bool:
    """A pipeline that pipefail would turn into a failure: `yes | ...`, `... | head`, `... | grep -q`."""
    for cmd in pipe[:-1]:
        if unwrap(cmd).name == "yes":
            return True
    for cmd in pipe[1:]:
        inner = unwrap(cmd)
        if inner.name == "head" or (inner.name in ("grep", "egrep", "fgrep") and inner.has_flag("-q", "--quiet", "--silent", "-m", "--max-count")):
            return True
    return False


def _breaks_under_pipefail(ctx, stage_index: int, from_index: int) -> bool:
    """Whether a RUN the new SHELL reaches (this stage from ``from_index`` on, and the stages
    built FROM it) has a pipe that pipefail would make fail."""
    for stage in ctx.df.stages:
        if stage_index not in {s.index for s in ctx.build.chain(stage)}:
            continue
        for other in stage.instructions:
            if other.name != "RUN" or (stage.index == stage_index and other.index < from_index):
                continue
            for rs in ctx.build.run_scripts(other):
                if any(_sigpipe_prone(pipe) for pipe in pipelines(rs.script)):
                    return True
    return False


def _exec_form(shell: list[str]) -> str:
    """``json.dumps(shell)``."""
    from ..syntax.line import json_string

    return "[" + ", ".join(json_string(word, ascii_only=True) for word in shell) + "]"


def _fix(ctx, ins):
    shell = _new_shell(ctx, ins)
    if shell is None:
        return None
    new = _exec_form(shell)
    title = f"Use SHELL {shell[0]} with pipefail"
    # the SHELL in effect was set in this stage: give it pipefail instead of adding another
    previous = None
    for other in ctx.df.stages[ins.stage].instructions:
        if other.index >= ins.index:
            break
        if other.name == "SHELL":
            previous = other
    if _breaks_under_pipefail(ctx, ins.stage, previous.index if previous is not None else ins.index):
        return None
    if previous is not None and previous.json:
        base = args_base(previous)
        start = previous.source_offset(base)
        value = previous.args
        if ctx.text[start : start + len(value)] == value:
            return ctx.fix(title, Applicability.UNSAFE, Edit(start, start + len(value), new))
    at = ins.trivia_start  # before the comments above the RUN: they stay with it
    return ctx.fix(title, Applicability.UNSAFE, Edit(at, at, "SHELL " + new + ctx.eol))
