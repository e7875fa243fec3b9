"""nginx configuration text -> tokens -> directives, as nginx's own reader splits it.

The rules (nginx's ``ngx_conf_read_token``), restated:

- Space, tab, CR and LF separate words; ``;`` ends a directive, ``{`` opens its
  block, ``}`` closes one. A directive needs a name before ``;`` or ``{``.
- ``#`` starts a comment only where a word could start; inside a word it is a
  letter (``a#b`` is one word). Likewise ``}`` and quotes inside a word.
- A word that starts with ``"`` or ``'`` runs to the matching quote; after it
  must come space, ``;``, ``{`` or ``)``.
- A backslash takes the next character into the word, whatever it is. In the
  value, ``\\"``, ``\\'`` and ``\\\\`` lose the backslash, ``\\t``, ``\\r``,
  ``\\n`` become the control character and any other pair stays as written.
- ``${`` keeps its brace inside the word (``${var}``), so a variable's braces
  do not open a block.

Nothing is dropped: ``tokenize`` returns the spaces and comments too, and every
directive keeps its span, so an edit splices into the original text.
"""

from __future__ import annotations

import gc
import re

from ...record import dataclass

MAX_NESTING = 100  # real configurations nest a handful of blocks; this bounds hostile ones

# Repeated groups step once per backslash or "$" (plain runs are one step) and no text matches two
# ways, so a failing match (an unterminated quote) backtracks once over its text, never more.
_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r\n]+)
    | (?P<comment>\#[^\n]*)
    | (?P<punct>[;{}])
    | (?P<quoted>"[^"\\]*(?:\\[\s\S][^"\\]*)*"|'[^'\\]*(?:\\[\s\S][^'\\]*)*')
    | (?P<word>(?:\\[\s\S]|\$\{|[^ \t\r\n;{\\"'])(?:[^ \t\r\n;{\\$]+|\\[\s\S]|\$\{?)*)
    | (?P<bad>[\s\S])
    """,
    re.VERBOSE,
)
_AFTER_QUOTE = frozenset(" \t\r\n;{)")
_ESCAPE = re.compile(r"\\([\s\S])")
_ESCAPED = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


class ParseError(Exception):
    """A configuration nginx would not read: ``file:line: message``."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, punct, quoted, word
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Word:
    raw: str  # as written, quotes and backslashes included
    value: str  # what nginx reads
    start: int
    end: int
    line: int

    @property
    def quote(self) -> str:
        """The quote the word was written in, or ''."""
        return self.raw[0] if self.raw[:1] in ("'", '"') else ""


@dataclass(frozen=True)
class Directive:
    """``name args... ;`` or ``name args... { children }``; offsets are into ``file``'s text."""

    file: str
    name: Word
    args: tuple[Word, ...]
    start: int  # the name's first character
    end: int  # just past the ``;`` or the closing ``}``
    children: tuple[Directive, ...] | None = None  # None: no block
    body: tuple[int, int] | None = None  # just past ``{`` .. the closing ``}``

    @property
    def line(self) -> int:
        return self.name.line

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(a.value for a in self.args)

    @property
    def is_block(self) -> bool:
        return self.children is not None

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def unescape(raw: str) -> str:
    """A word's value as nginx reads it (``raw`` without its quotes)."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m[1], m[0]), raw)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def tokenize(text: str, file: str = "<string>") -> list[Token]:
    """Every piece of ``text`` in order, trivia included: joined they give ``text`` back."""
    return [Token(kind, start, end, line) for kind, start, end, line in _pieces(text, file, trivia=True)]


def _pieces(text: str, file: str, trivia: bool):
    """(kind, start, end, line) of each token; spaces and comments only when ``trivia``."""
    line, counted = 1, 0
    size = len(text)
    for m in _TOKEN.finditer(text):
        kind: str = m.lastgroup  # type: ignore[assignment]  # every alternative is a named group
        if not trivia and (kind == "space" or kind == "comment"):
            continue
        start, end = m.span()
        line += text.count("\n", counted, start)
        counted = start
        if kind == "bad":
            _refuse_bad(text, file, line, start)
        elif kind == "quoted" and end < size and text[end] not in _AFTER_QUOTE:
            raise ParseError(file, line_of(text, end), f'unexpected "{text[end]}" after a quoted string')
        yield kind, start, end, line


def _refuse_bad(text: str, file: str, line: int, start: int):
    if text[start] in "\"'":
        raise ParseError(file, line, f"unterminated {text[start]} quote (unexpected end of file)")
    raise ParseError(file, line, 'unexpected end of file after "\\"')


class _Frame:
    """A block being read: its opening directive's parts and the children so far."""

    __slots__ = ("name", "args", "start", "body_start", "children")

    def __init__(self, name, args, start, body_start):
        self.name, self.args, self.start, self.body_start = name, args, start, body_start
        self.children: list[Directive] = []


def parse_text(text: str, file: str = "<string>") -> tuple[Directive, ...]:
    """The directives of one file; ParseError (file:line) where nginx would stop."""
    # the records made here hold no cycles, and the collector's passes over a growing heap made
    # a large file's parse superlinear
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, file)
    finally:
        if collecting:
            gc.enable()


def _parse(text: str, file: str) -> tuple[Directive, ...]:
    top = _Frame(None, (), 0, 0)
    stack = [top]
    words: list[Word] = []
    for kind, start, end, line in _pieces(text, file, trivia=False):
        if kind != "punct":
            words.append(_word(text, kind, start, end, line))
            continue
        tok = Token(kind, start, end, line)
        char = text[start]
        if char == ";":
            _need_name(words, file, tok, ";")
            stack[-1].children.append(Directive(file, words[0], tuple(words[1:]), words[0].start, tok.end))
        elif char == "{":
            _need_name(words, file, tok, "{")
            _open(stack, words, file, tok)
        else:
            _close(stack, words, file, tok)
        words = []
    _at_end(stack, words, file, text)
    return tuple(top.children)


def _word(text: str, kind: str, start: int, end: int, line: int) -> Word:
    raw = text[start:end]
    inner = raw[1:-1] if kind == "quoted" else raw
    return Word(raw, unescape(inner), start, end, line)


def _need_name(words: list[Word], file: str, tok: Token, char: str):
    if not words:
        raise ParseError(file, tok.line, f'unexpected "{char}"')


def _open(stack: list[_Frame], words: list[Word], file: str, tok: Token):
    name = words[0]
    if name.value.endswith("_by_lua_block"):
        raise ParseError(file, name.line, f'"{name.value}" holds raw Lua, which dhard does not read')
    if len(stack) > MAX_NESTING:
        raise ParseError(file, tok.line, f"blocks nested deeper than {MAX_NESTING}")
    stack.append(_Frame(name, tuple(words[1:]), name.start, tok.end))


def _close(stack: list[_Frame], words: list[Word], file: str, tok: Token):
    if words:
        raise ParseError(file, tok.line, f'unexpected "}}" (missing ";" after "{words[0].value}"?)')
    if len(stack) == 1:
        raise ParseError(file, tok.line, 'unexpected "}" (no block is open)')
    frame = stack.pop()
    block = Directive(file, frame.name, frame.args, frame.start, tok.end, tuple(frame.children), (frame.body_start, tok.start))
    stack[-1].children.append(block)


def _at_end(stack: list[_Frame], words: list[Word], file: str, text: str):
    line = text.count("\n") + 1
    if words:
        raise ParseError(file, line, f'unexpected end of file, expecting ";" or "}}" after "{words[0].value}" (line {words[0].line})')
    if len(stack) > 1:
        opened = stack[-1].name
        raise ParseError(file, line, f'unexpected end of file, expecting "}}" to close "{opened.value}" (line {opened.line})')
