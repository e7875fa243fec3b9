"""ARG substitution: ``$X`` and ``${X...}`` against a scope, and ARG/ENV name=value pairs.

A scope maps names to values; ``None`` is a name declared without a default,
whose value only the build knows.
"""

from __future__ import annotations

import re

from .words import split_words, unquote

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, scope: dict[str, str | None]) -> tuple[str | None, tuple[str, ...]]:
    """Substitute $X, ${X}, ${X:-d}, ${X-d}, ${X:+v}, ${X+v}; (None, names) when a value is unknown."""
    if "$" not in text:
        return text, ()
    missing: list[str] = []

    def nested(word: str) -> str:
        value, names = expand(word, scope)
        missing.extend(names)
        return value or ""

    result = _VAR.sub(lambda match: _substitute(match, scope, missing, nested), text)
    if missing:
        return None, tuple(dict.fromkeys(missing))
    return result, ()


def expand_word(word: str, scope: dict[str, str | None], escape: str = "\\") -> tuple[str | None, tuple[str, ...]]:
    """One word the way BuildKit's shell lexer processes it (ProcessWord), e.g. FROM's image.

    Like ``expand``, and quotes and escapes are removed too: nothing is
    substituted inside single quotes; inside double quotes the escape character
    escapes only ``"``, ``$`` and itself. A word with an unclosed quote, which
    BuildKit rejects, is read as ``expand`` reads it.
    """
    if escape not in word and "'" not in word and '"' not in word:
        return expand(word, scope)
    missing: list[str] = []
    try:
        result = _process_word(word, scope, escape, missing)
    except _Unclosed:
        return expand(word, scope)
    if missing:
        return None, tuple(dict.fromkeys(missing))
    return result, ()


class _Unclosed(Exception):
    pass


def _process_word(word: str, scope, escape: str, missing: list[str]) -> str:
    def nested(inner: str) -> str:  # the word of ${X:-word} is itself processed
        return _process_word(inner, scope, escape, missing)

    out: list[str] = []
    quote = None
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if quote == "'":
            if ch == "'":
                quote = None
            else:
                out.append(ch)
            i += 1
        elif ch == "$":
            match = _VAR.match(word, i)
            if match is None:
                out.append(ch)
                i += 1
            else:
                out.append(_substitute(match, scope, missing, nested))
                i = match.end()
        elif quote == '"':
            if ch == '"':
                quote = None
                i += 1
            elif ch == escape and i + 1 < n and word[i + 1] in ('"', "$", escape):
                out.append(word[i + 1])
                i += 2
            else:
                out.append(ch)
                i += 1
        elif ch == "'" or ch == '"':
            quote = ch
            i += 1
        elif ch == escape:  # escapes the next character; a trailing one is dropped
            out.append(word[i + 1 : i + 2])
            i += 2
        else:
            out.append(ch)
            i += 1
    if quote is not None:
        raise _Unclosed
    return "".join(out)


def _substitute(match: re.Match, scope, missing: list[str], nested) -> str:
    name = match.group(1) or match.group(4)
    op, word = match.group(2), match.group(3)
    known = name in scope
    value = scope.get(name)
    if op is None:
        if value is None:
            missing.append(name)
            return ""
        return value
    if value is None and known:  # declared without a default: the build arg decides
        missing.append(name)
        return ""
    unset = value is None or (op.startswith(":") and value == "")
    if op in ("-", ":-"):
        return nested(word) if unset else value
    return "" if unset else nested(word)


def parse_arg_pairs(args: str) -> list[tuple[str, str | None]]:
    """ARG NAME[=default] [NAME2[=default] ...]."""
    pairs = []
    for word in split_words(args):
        name, eq, value = word.partition("=")
        pairs.append((name, unquote(value) if eq else None))
    return pairs


def parse_env_pairs(args: str) -> list[tuple[str, str]]:
    """ENV NAME=value ... or the legacy ENV NAME value."""
    words = split_words(args)
    if not words:
        return []
    if "=" not in words[0]:
        parts = args.split(None, 1)
        return [(parts[0], parts[1].strip() if len(parts) > 1 else "")]
    return [(w.partition("=")[0], unquote(w.partition("=")[2])) for w in words]
