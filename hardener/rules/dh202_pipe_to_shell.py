"""DH202 pipe-to-shell: a download run as code (curl | sh, sh -c "$(curl)", bash <(curl))."""

from __future__ import annotations


from ..programs import POSIX_SHELLS
from ..shell import Command, unwrap
from ..syntax.lazyre import compile_lazily
from .shellscan import pipelines, shipped_runs

CODE = "DH202"

INTERPRETERS = {
    # name: flags meaning "the program is an argument, not stdin"
    "python": ("-c", "-m"),
    "perl": ("-e", "-E"),
    "ruby": ("-e",),
    "node": ("-e", "--eval", "-p", "--print"),
    "php": ("-r",),
}
_PYTHON = compile_lazily(r"^python[0-9.]*$")
_WGET_STDOUT = compile_lazily(r"^-[A-Za-z]*O-$")
_OUTPUT_FLAG = compile_lazily(r"-[A-Za-z]*O")
_COMMAND_FLAG = compile_lazily(r"-[a-zA-Z]*c[a-zA-Z]*")


def _interpreter(name: str | None) -> str | None:
    if name is None:
        return None
    if name in POSIX_SHELLS:
        return "sh"
    if _PYTHON.match(name):
        return "python"
    if name in INTERPRETERS:
        return name
    return None


def to_stdout(cmd: Command) -> bool:
    """A curl/wget that writes what it downloads to stdout."""
    name = cmd.name
    if name == "curl":
        out = cmd.flag_value("-o") or cmd.flag_value("--output")
        if out is not None and out != "-":
            return False
        return not cmd.has_flag("-O", "--remote-name", "--remote-name-all", "-J")
    if name == "wget":
        words = cmd.words
        for i, w in enumerate(words[1:], 1):
            v = w.value or ""
            nxt = words[i + 1].value if i + 1 < len(words) else None
            if _WGET_STDOUT.match(v) or v in ("--output-document=-", "-O/dev/stdout", "--output-document=/dev/stdout"):
                return True
            if (_OUTPUT_FLAG.fullmatch(v) or v == "--output-document") and nxt in ("-", "/dev/stdout"):
                return True
        return False
    return False


def reads_program_from_stdin(cmd: Command) -> bool:
    kind = _interpreter(cmd.name)
    if kind is None:
        return False
    if kind == "sh":
        words = cmd.words
        i = 1
        while i < len(words):
            v = words[i].value
            if v is None:
                return False
            if v == "-":
                return True
            if v == "--":
                return i + 1 >= len(words) or words[i + 1].value == "-"
            if len(v) > 1 and v[0] in "-+" and not v.startswith("--"):
                letters = v[1:]
                if "c" in letters:
                    return False
                if "s" in letters:
                    return True
                i += 1 + letters.count("o") + letters.count("O")
                continue
            if v.startswith("--"):
                i += 1
                continue
            return False  # a script file operand
        return True
    if cmd.has_flag(*INTERPRETERS[kind]):
        return False
    operands = cmd.positionals()
    return not operands or operands[0] == "-"


def _downloader_in(commands, word) -> bool:
    for c in commands:
        if c.origin == "subst" and word.start <= c.start and c.end <= word.end:
            inner = unwrap(c)
            if inner.name in ("curl", "wget") and to_stdout(inner):
                return True
    return False


def _program_word(cmd: Command):
    """The word an interpreter, eval or source takes its program from."""
    name = cmd.name
    words = cmd.words
    if name in ("eval", "source", "."):
        return words[1] if len(words) > 1 else None
    kind = _interpreter(name)
    if kind is None:
        return None
    flags = ("-c",) if kind == "sh" else INTERPRETERS[kind]
    for i, w in enumerate(words[1:], 1):
        v = w.value
        if v is None:
            return w
        if v in flags or (kind == "sh" and _COMMAND_FLAG.fullmatch(v)):
            # sh -c SCRIPT / sh -ec SCRIPT: the script is the next operand
            for nxt in words[i + 1 :]:
                if nxt.value is None or not nxt.value.startswith("-"):
                    return nxt
            return None
        if v.startswith("-"):
            continue
        return w
    return None


def _whole_substitution(word) -> bool:
    raw = word.raw.strip('"')
    return (raw.startswith("$(") and raw.endswith(")")) or (raw.startswith("`") and raw.endswith("`")) or (
        raw.startswith("<(") and raw.endswith(")")
    )


def check(ctx):
    for rs in shipped_runs(ctx):
        script = rs.script
        flagged = False
        if script.has_pipe:
            for pipe in pipelines(script):
                inner = [unwrap(c) for c in pipe]
                for i, cmd in enumerate(inner):
                    if cmd.name in ("curl", "wget") and to_stdout(cmd):
                        runner = next((c for c in inner[i + 1 :] if reads_program_from_stdin(c)), None)
                        if runner is not None:
                            yield _report(ctx, rs, pipe[i].start, pipe[inner.index(runner)].end,
                                          f"{cmd.name} output piped into {runner.name}")
                            flagged = True
                            break
                if flagged:
                    break
        if flagged:
            continue
        commands = script.commands
        for cmd in commands:
            inner = unwrap(cmd)
            word = _program_word(inner)
            if word is None or word.value is not None or not _whole_substitution(word):
                continue
            if _downloader_in(commands, word):
                yield _report(ctx, rs, cmd.start, cmd.end, f"{inner.name} runs a downloaded script")
                break


def _report(ctx, rs, start, end, what):
    span = rs.span(ctx, start, end)
    s, e = span if span else (None, None)
    return ctx.finding(
        CODE,
        rs.ins,
        f"{what}: a download runs unchecked; save it to a file, verify its sha256, then run it",
        start=s,
        end=e,
    )
