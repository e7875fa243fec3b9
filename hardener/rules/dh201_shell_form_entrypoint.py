"""DH201 shell-form-entrypoint: CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form.

The fix rewrites one simple command (no expansion, globs, operators, escapes)
to exec form in place: each word becomes a JSON string, so continuation lines,
comments between them, CRLF and the escape character stay as they are.
"""

from __future__ import annotations


from ..findings import Applicability, Edit
from ..shell import parse_shell
from ..semantic.scripts import args_base
from ..semantic.users import own
from ..syntax.lazyre import compile_lazily
from ..syntax.line import json_string
from .shellscan import is_posix_shell

CODE = "DH201"

# builtins and keywords: exec form would look them up as programs
BUILTINS = frozenset(
    "exec cd export source . set unset eval alias trap shift read wait ulimit umask readonly local "
    "return exit break continue if then else elif fi for while until do done case esac function "
    "select time coproc { } ( ) ! [[ ]] : true false test [ echo printf type command builtin hash "
    "getopts jobs fg bg kill let declare typeset".split()
)
_UNQUOTED_BAD = set("*?[]{}~$`\\#&|;<>()!'\"") - {"'", '"'}
_FIRST_WORD = compile_lazily(r"(\S+)(\s+)")


def check(ctx):
    for ins in ctx.build.instructions("CMD", "ENTRYPOINT", "HEALTHCHECK", shipped=True):
        body = ctx.build.body(ins)
        if body.json or not body.args.strip():
            continue
        base = args_base(body)
        text = body.args
        if body.name == "HEALTHCHECK":
            match = _FIRST_WORD.match(text)
            if not match or match.group(1).upper() != "CMD":
                continue  # HEALTHCHECK NONE
            base += match.end()
            text = text[match.end() :]
            if text.startswith("["):
                continue
        stage = ctx.df.stage_of(ins)
        info = ctx.build.image_of(stage) if stage is not None else None
        if body.name != "HEALTHCHECK" and info is not None and info.has_shell is not False and _execs(text):
            continue  # `CMD exec app ...`: the app replaces the shell and gets the signals
        runner = "cmd /S /C" if info is not None and info.family == "windows" else "/bin/sh -c"
        message = f"{body.name} in shell form runs under {runner}: the app does not get signals as PID 1; use exec form [\"...\"]"
        if body.name == "HEALTHCHECK":
            message = "HEALTHCHECK CMD in shell form needs /bin/sh in the image; use exec form [\"...\"]"
        yield ctx.finding(CODE, ins, message, fix=_fix(ctx, ins, body, base, text))


def _fix(ctx, ins, body, base, text):
    stage = ctx.df.stage_of(ins)
    if stage is None:
        return None
    info = ctx.build.image_of(stage)
    if info.family == "windows" or not is_posix_shell(ctx.build.state(ins).shell):
        return None
    script = parse_shell(text)
    if not script.known or len(script.commands) != 1:
        return None
    cmd = script.commands[0]
    if cmd.assignments or cmd.redirects or cmd.op_before or cmd.op_after or cmd.depth or not cmd.words:
        return None
    words = cmd.words
    if words[0].start != 0 or words[-1].end != len(text.rstrip()):
        return None
    for before, after in zip(words, words[1:]):
        if text[before.end : after.start].strip():
            return None
    if words[0].value in BUILTINS:
        return None
    edits = []
    for n, word in enumerate(words):
        if word.value is None or not _simple(word.raw):
            return None
        start = body.source_offset(base + word.start)
        end = start + len(word.raw)
        if ctx.text[start:end] != word.raw:
            return None
        content = json_string(word.value)
        if n == 0:
            content = "[" + content
        content += "]" if n == len(words) - 1 else ","
        edits.append(Edit(start, end, content))
    if ins.sub is not None or body.name == "ENTRYPOINT":
        applicability = Applicability.UNSAFE
    elif body.name == "HEALTHCHECK":
        applicability = Applicability.SAFE
    else:
        # an ENTRYPOINT (of the file or the base) receives CMD: its argv changes
        has_entrypoint = any(own(ctx.build.final_chain, "ENTRYPOINT")) or info.entrypoint or not info.known
        applicability = Applicability.UNSAFE if has_entrypoint else Applicability.SAFE
    return ctx.fix(f"Use exec form for {body.name}", applicability, *edits)


def _execs(text: str) -> bool:
    top = [c for c in parse_shell(text).commands if c.depth == 0]
    return bool(top) and top[-1].name == "exec" and len(top[-1].words) > 1 and top[-1].op_after is None


def _simple(raw: str) -> bool:
    """Quotes only as plain quoting: no expansion, escapes or glob/brace/tilde outside quotes."""
    quote = None
    for ch in raw:
        if quote:
            if ch == quote:
                quote = None
            elif quote == '"' and ch in "$`\\":
                return False
            continue
        if ch in "'\"":
            quote = ch
        elif ch in _UNQUOTED_BAD:
            return False
    return quote is None
