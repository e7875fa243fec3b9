"""DH103 world-writable: chmod 777 / o+w / COPY --chmod=777 in shipped stages."""

from __future__ import annotations


from ..shell import Command, unwrap
from ..syntax.lazyre import compile_lazily
from .shellscan import shipped_runs

CODE = "DH103"

_OCTAL = compile_lazily(r"^[0-7]{1,4}$")
# possessive: each set is disjoint from what follows it, so giving characters back never helps a match
_CLAUSE = compile_lazily(r"^([ugoa]*+)((?:[-+=][rwxXstugo]*+)++)$")
_ACTION = compile_lazily(r"([-+=])([rwxXstugo]*)")
_CHMOD_OPTIONS = compile_lazily(r"-[RfvcHLP]+")
_MKDIR_MODE = compile_lazily(r"-[pvDm]*m([0-7]+)")


def world_writable(mode: str) -> bool:
    """Whether ``mode`` (octal or symbolic) gives others write permission, sticky bit excepted."""
    mode = mode.strip()
    if not mode:
        return False
    if _OCTAL.match(mode):
        value = int(mode, 8)
        return bool(value & 0o002) and not value & 0o1000
    writable = sticky = False
    for clause in mode.split(","):
        match = _CLAUSE.match(clause)
        if not match:
            return False
        who, actions = match.group(1), match.group(2)
        for op, perms in _ACTION.findall(actions):
            if op == "-":
                continue
            if "t" in perms:
                sticky = True
            if "w" in perms and ("o" in who or "a" in who):
                writable = True
    return writable and not sticky


def _chmod_mode(cmd):
    for w in cmd.words[1:]:
        v = w.value
        if v is None:
            return None
        if v.startswith("--"):
            continue
        if v.startswith("-") and _CHMOD_OPTIONS.fullmatch(v):
            continue
        return w
    return None


def _mode_words(cmd):
    name = cmd.name
    if name == "chmod":
        w = _chmod_mode(cmd)
        return [w] if w is not None else []
    if name == "find":  # find ... -exec chmod 777 {} +
        out = []
        words = cmd.words
        for i, w in enumerate(words[:-1]):
            if w.value in ("-exec", "-execdir", "-ok", "-okdir") and (words[i + 1].value or "").rsplit("/", 1)[-1] == "chmod":
                sub = Command(words[i + 1 :], (), (), cmd.start, cmd.end, None, None, cmd.depth, cmd.origin)
                mode = _chmod_mode(sub)
                if mode is not None:
                    out.append(mode)
        return out
    if name in ("mkdir", "install"):
        out = []
        words = cmd.words
        for i, w in enumerate(words[1:], 1):
            v = w.value or ""
            if v in ("-m", "--mode") and i + 1 < len(words):
                out.append(words[i + 1])
            elif v.startswith("--mode="):
                out.append(w)
            elif _MKDIR_MODE.fullmatch(v):
                out.append(w)
        return out
    return []


def _mode_value(word) -> str | None:
    v = word.value
    if v is None:
        return None
    if v.startswith("--mode="):
        return v[len("--mode=") :]
    m = _MKDIR_MODE.fullmatch(v)
    return m.group(1) if m else v


def _target(cmd, mode_word) -> str | None:
    """The first path operand after the mode (for the message)."""
    words = cmd.words
    if cmd.name == "find":
        return words[1].value if len(words) > 1 and words[1].value and not words[1].value.startswith("-") else None
    seen = False
    for w in words[1:]:
        if w is mode_word:
            seen = True
            continue
        if seen and w.value and not w.value.startswith("-"):
            return w.value
    return None


def check(ctx):
    for rs in shipped_runs(ctx):
        for cmd in rs.script.commands:
            cmd = unwrap(cmd)
            for word in _mode_words(cmd):
                mode = _mode_value(word)
                if mode is None or not world_writable(mode):
                    continue
                span = rs.span(ctx, word.start, word.end)
                start, end = span if span else (None, None)
                target = _target(cmd, word)
                yield ctx.finding(
                    CODE,
                    rs.ins,
                    f"{'chmod' if cmd.name == 'find' else cmd.name} {mode}{' ' + target if target else ''} makes it writable by every user; "
                    "chown it to the app's user instead",
                    start=start,
                    end=end,
                )
    for ins in ctx.build.instructions("COPY", "ADD", shipped=True):
        body = ctx.build.body(ins)
        for flag in body.flags:
            if flag.name == "chmod" and flag.value and world_writable(ctx.build.resolve(ins, flag.value) or flag.value):
                s = body.source_offset(flag.start)
                e = s + (flag.end - flag.start)
                ok = ctx.text[s:e] == body.line[flag.start : flag.end]
                yield ctx.finding(
                    CODE,
                    ins,
                    f"{body.name} --chmod={flag.value} makes the files writable by every user; use --chown=<user> with a narrower mode",
                    start=s if ok else None,
                    end=e if ok else None,
                )
