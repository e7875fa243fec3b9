"""ARG substitution: ``$X`` and ``${X...}`` against a scope, and ARG/ENV name=value pairs.

A scope maps names to values; ``None`` is a name declared without a default,
whose value only the build knows.
"""

from __future__ import annotations


from .words import split_words, unquote
from .lazyre import compile_lazily

# The head of $X / ${X} / ${X<op>word}; the word runs to the next "}", found by _Closers. (One
# regex with [^}]* rescanned the rest of the text from every "$" when no "}" followed:
# quadratic on "${a:-${a:-${a:-...".)
_HEAD = compile_lazily(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+])?|([A-Za-z_][A-Za-z0-9_]*))")


class _Closers:
    """The next "}" at or after a position, each part of the text scanned once."""

    def __init__(self, text: str):
        self.text = text
        self.start = self.found = -2  # the first "}" at or after `start` is at `found`

    def after(self, i: int) -> int:
        if not (self.start <= i and (self.found == -1 or i <= self.found)):
            self.start, self.found = i, self.text.find("}", i)
        return self.found


def _match_var(text: str, i: int, closers: _Closers):
    """(name, op, word, end) for a variable reference at ``text[i]``, or None."""
    head = _HEAD.match(text, i)
    if head is None:
        return None
    if head.group(3) is not None:
        return head.group(3), None, None, head.end()
    name, op, end = head.group(1), head.group(2), head.end()
    if op is None:
        return (name, None, None, end + 1) if text.startswith("}", end) else None
    close = closers.after(end)
    if close == -1:
        return None
    return name, op, text[end:close], close + 1


def _references(text: str):
    """(start, (name, op, word, end)) for each reference, left to right, as re.sub would find them."""
    closers = _Closers(text)
    i = text.find("$")
    while i != -1:
        found = _match_var(text, i, closers)
        if found is None:
            i = text.find("$", i + 1)
        else:
            yield i, found
            i = text.find("$", found[3])


# Longest value we expand to: past it the value is "unknown" (None), as for an unset ARG.
# `ARG A1=$A0$A0`, `ARG A2=$A1$A1`... doubles per line: 40 lines would want a terabyte.
MAX_EXPANDED = 4096


def expand(text: str, scope: dict[str, str | None]) -> tuple[str | None, tuple[str, ...]]:
    """Substitute $X, ${X}, ${X:-d}, ${X-d}, ${X:+v}, ${X+v}; (None, names) when a value is unknown
    (or longer than MAX_EXPANDED: then (None, ()))."""
    if "$" not in text:
        return text, ()
    missing: list[str] = []

    def nested(word: str) -> str:
        value, names = expand(word, scope)
        if value is None and not names:
            raise _TooLong
        missing.extend(names)
        return value or ""

    parts: list[str] = []
    last = size = 0
    try:
        for start, found in _references(text):
            parts += (text[last:start], _substitute(found, scope, missing, nested))
            size += len(parts[-2]) + len(parts[-1])
            if size > MAX_EXPANDED:
                return None, ()
            last = found[3]
    except _TooLong:
        return None, ()
    parts.append(text[last:])
    result = "".join(parts)
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
    except _TooLong:
        return None, ()
    if len(result) > MAX_EXPANDED:
        return None, ()
    if missing:
        return None, tuple(dict.fromkeys(missing))
    return result, ()


class _Unclosed(Exception):
    pass


class _TooLong(Exception):
    pass


def _process_word(word: str, scope, escape: str, missing: list[str]) -> str:
    def nested(inner: str) -> str:  # the word of ${X:-word} is itself processed
        return _process_word(inner, scope, escape, missing)

    out: list[str] = []
    quote = None
    closers = _Closers(word)
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
            found = _match_var(word, i, closers)
            if found is None:
                out.append(ch)
                i += 1
            else:
                value = _substitute(found, scope, missing, nested)
                if len(value) > MAX_EXPANDED:
                    raise _TooLong
                out.append(value)
                i = found[3]
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


def _substitute(found: tuple, scope, missing: list[str], nested) -> str:
    name, op, word, _ = found
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
