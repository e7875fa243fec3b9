"""One logical line -> keyword, builder flags, arguments and exec form (BuildKit's newNodeFromLine).

BuildKit's notion of whitespace is Go's, and it differs from Python's: see
``GO_SPACE`` (runes) and ``_BYTE_SPACE`` (the parts BuildKit reads byte by byte).
"""

from __future__ import annotations


from ..model import Flag
from ..source import GO_SPACE
from .lazyre import compile_lazily, compile_pattern
from .words import split_words

# Instructions BuildKit accepts; anything else parses but is unknown.
KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER "
    "ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
_MAYBE_JSON = frozenset("ADD COPY CMD ENTRYPOINT RUN SHELL VOLUME".split())
# The keyword ends at the first ASCII blank; ENV's legacy form splits on them too.
_BLANKS = compile_pattern(r"[\t\v\f\r ]+")
# Builder flags and HEALTHCHECK's type word are read byte by byte, and these
# bytes (as Latin-1 runes) are spaces to Go -- including the last byte of the
# UTF-8 encoding of e.g. "\xa0" or "à".
_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")


class ScanError(Exception):
    """A BuildKit parse error at a line (0 until the scanner knows which)."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


class Draft:
    """An instruction before its span and heredocs are known."""

    __slots__ = (
        "keyword", "name", "line", "segments", "flags", "args_start", "json", "argv", "sub", "start_line", "chained",
    )

    def __init__(self, keyword, name, line, segments, flags, args_start, json_, argv, sub):
        self.keyword = keyword
        self.name = name
        self.line = line
        self.segments = segments
        self.flags = flags
        self.args_start = args_start
        self.json = json_
        self.argv = argv
        self.sub = sub
        self.start_line = 0
        self.chained = None  # an ONBUILD's command below the first level, left to _check_chain


def node_from_line(line: str, segments, escape: str, offset: int = 0, nested: bool = False) -> Draft:
    """Split keyword, builder flags and arguments (BuildKit's newNodeFromLine)."""
    start = len(line) - len(line.lstrip(GO_SPACE))
    end = len(line.rstrip(GO_SPACE))
    blank = _BLANKS.search(line, start, end)
    if blank is None:
        keyword, flags, args_start, garbled = line[start:end], (), end, False
    else:
        keyword = line[start : blank.start()]
        if line.startswith("--", blank.end(), end):
            flags, args_start, garbled = _builder_flags(line, blank.end(), end, offset)
        else:
            flags, args_start, garbled = (), blank.end(), False
    if garbled:  # Go's arguments start with a stray UTF-8 continuation byte, which it does not trim
        args = "\ufffd" + line[args_start:end]
    else:
        args = line[args_start:end].lstrip(GO_SPACE)
        args_start = end - len(args)
    name = _instruction_name(keyword)
    json_form, argv, sub, chained = False, None, None, None
    if name in _MAYBE_JSON:
        json_form, argv = _maybe_json(args)
    elif name == "HEALTHCHECK":
        json_form, argv = _maybe_json(_healthcheck_command(args))
    elif name in ("ENV", "LABEL"):
        _check_name_values(args, name, escape)
    elif name == "ONBUILD" and args and not garbled:  # (a garbled command is unknown to BuildKit)
        command = line[args_start:end]
        if nested:
            chained = command  # ONBUILD ONBUILD ...: left to _check_chain
        else:
            sub = node_from_line(command, segments, escape, offset + args_start, nested=True)
            sub.line = line
            sub.args_start = args_start + sub.args_start
            _check_chain(sub.chained, escape)
    draft = Draft(keyword, name, line, segments, tuple(flags), args_start, json_form, argv, sub)
    draft.chained = chained
    return draft


def _check_chain(command: str | None, escape: str) -> None:
    """BuildKit's errors in ONBUILD ONBUILD ... below the first level.

    A loop rather than recursion: a chain can be longer than Python's recursion limit.
    """
    while command:
        command = node_from_line(command, (), escape, nested=True).chained


def _instruction_name(keyword: str) -> str:
    """The upper-case name BuildKit dispatches on, or the keyword itself when it matches none.

    BuildKit compares Go's strings.ToLower(keyword) with the lower-case names:
    so "WOR\u212aDIR" (Kelvin sign) is WORKDIR and "ONBU\u0130LD" is ONBUILD,
    while Python's upper() would make "\u017fHELL" (long s) SHELL.
    """
    if keyword.isascii():
        return keyword.upper()
    lowered = "".join("i" if c == "\u0130" else c.lower() for c in keyword)
    return lowered.upper() if lowered.isascii() else keyword


def _builder_flags(line: str, pos: int, end: int, offset: int) -> tuple[list[Flag], int, bool]:
    """Leading ``--flag`` words of ``line[pos:end]``, read as BuildKit reads them.

    Returns (flags, args_start, garbled). BuildKit reads the flags byte by byte:
    a non-ASCII character in a flag comes out as one Latin-1 character per UTF-8
    byte, and bytes 0x85 and 0xA0 end a word even inside a character. When the
    arguments then start inside a character, ``garbled`` is true and
    ``args_start`` is the next character.
    """
    if line.isascii():
        words, args_pos = _flag_words(line, pos, end)
        return [Flag(text, offset + s, offset + e) for text, s, e in words], args_pos, False
    segment = line[pos:end]
    view = segment.encode("utf-8").decode("latin-1")
    words, args_pos = _flag_words(view, 0, len(view))
    flags = []
    for text, s, e in words:
        flags.append(Flag(text, offset + pos + _char_offset(segment, s)[0], offset + pos + _char_offset(segment, e)[0]))
    chars, garbled = _char_offset(segment, args_pos)
    return flags, pos + chars, garbled


def _char_offset(text: str, byte_offset: int) -> tuple[int, bool]:
    """The character offset at (or just after) a UTF-8 byte offset, and whether it fell inside a character."""
    head = text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")
    inside = len(head.encode("utf-8")) != byte_offset
    return len(head) + inside, inside


def _flag_words(s: str, pos: int, end: int) -> tuple[list[tuple[str, int, int]], int]:
    """(text, start, end) of each flag word of ``s[pos:end]`` and where the arguments start."""
    words = []
    while True:
        while pos < end and s[pos] in _BYTE_SPACE:
            pos += 1
        if not s.startswith("--", pos, end):
            return words, pos
        start = pos
        plain = _PLAIN_FLAG.match(s, pos, end)
        if plain.end() == end or s[plain.end()] in _BYTE_SPACE:
            text, quoted, pos = plain.group(), False, plain.end()
        else:
            text, quoted, pos = _flag_word(s, pos, end)
        if text == "--":  # ends the flags, even when written as --"" or "--"
            return words, pos
        if quoted or text:
            words.append((text, start, pos))
        if pos >= end:
            return words, end


_PLAIN_FLAG = compile_pattern(r"--[^\t\n\v\f\r \x85\xa0'\"\\]*")  # no quotes, no escapes: taken as written


def _flag_word(s: str, pos: int, end: int) -> tuple[str, bool, int]:
    """One flag word with quotes and escapes: (text, quoted, end)."""
    chars = []
    quote = None
    quoted = False
    while pos < end:
        ch = s[pos]
        if quote is None and ch in _BYTE_SPACE:
            break
        pos += 1
        if ch == quote:
            quote = None
        elif quote is None and ch in "'\"":
            quote, quoted = ch, True
        elif ch == "\\":  # escapes the next character, in or out of quotes
            if pos < end:
                chars.append(s[pos])
                pos += 1
            else:
                quote = None
        else:
            chars.append(ch)
    return "".join(chars), quoted, pos


def _healthcheck_command(args: str) -> str:
    """What follows HEALTHCHECK's type word (BuildKit finds its end byte by byte)."""
    view = args if args.isascii() else args.encode("utf-8").decode("latin-1")
    sep = 0
    while sep < len(view) and view[sep] not in _BYTE_SPACE:
        sep += 1
    if sep == 0:
        return ""
    rest = sep
    while rest < len(view) and view[rest] in _BYTE_SPACE:
        rest += 1
    command = view[rest:]
    if view is not args:
        command = command.encode("latin-1").decode("utf-8", "replace")
    return command.lstrip(GO_SPACE)


def _maybe_json(args: str) -> tuple[bool, tuple[str, ...] | None]:
    """The exec form, when ``args`` starts with a JSON array as Go decodes one.

    BuildKit decodes the first JSON value and ignores whatever follows it.
    """
    if not args.startswith("["):
        return False, None
    plain = _plain_string_array(args)
    if plain is NOT_AN_ARRAY:
        return False, None
    if plain is not None:
        return True, plain
    try:
        value = _decoder().raw_decode(args)[0]
    except RecursionError:
        value = _deep_json(args)
    except ValueError:
        return False, None
    if not isinstance(value, list):
        return False, None
    if not all(isinstance(item, str) for item in value):
        raise ScanError(0, "when using JSON array syntax, arrays must be comprised of strings only")
    return True, tuple(value)


def _not_go_json(name: str):
    raise ValueError(f"{name} is not JSON")  # Python accepts NaN and Infinity, Go does not


def _go_number(text: str) -> float:
    value = float(text)
    if value in _INFINITIES:
        raise ValueError("out of float64 range")  # Go fails to decode it
    return value


_INFINITIES = (float("inf"), float("-inf"))
_JSON_SPACE = " \t\n\r"


NOT_AN_ARRAY = object()  # what _plain_string_array answers for text no JSON decoder reads as an array


def _plain_string_array(text: str) -> "tuple[str, ...] | None | object":
    """The items of a JSON array of strings at the start of ``text``, as any JSON decoder reads them, when
    its strings hold only printable characters and escapes (what exec forms are made of); NOT_AN_ARRAY when
    the array's punctuation is wrong (``RUN [ -f x ] && ...``, a shell test); None for anything else, which
    the decoder reads (importing ``json`` imports ``re`` and compiles six patterns: a check does without)."""
    items: list[str] = []
    at, end = 1, len(text)
    while True:
        while at < end and text[at] in _JSON_SPACE:
            at += 1
        if at < end and text[at] == "]" and not items:
            return ()
        if at >= end or text[at] != '"':
            return None if _may_start_a_value(text, at) else NOT_AN_ARRAY
        read = _json_string(text, at + 1)
        if read is None:
            return None
        item, at = read
        items.append(item)
        while at < end and text[at] in _JSON_SPACE:
            at += 1
        if at < end and text[at] == "]":
            return tuple(items)
        if at >= end or text[at] != ",":
            return NOT_AN_ARRAY
        at += 1


def _may_start_a_value(text: str, at: int) -> bool:
    """A JSON value other than a string (a number, true, false, null, an array, an object) may start at ``at``."""
    first = text[at:at + 1]
    if first == "-":
        first = text[at + 1:at + 2]
    return (first != "" and first in "0123456789[{" or text.startswith("true", at) or text.startswith("false", at)
            or text.startswith("null", at))


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")


def _json_string(text: str, at: int) -> tuple[str, int] | None:
    """(value, the index after its closing quote) of the JSON string whose text starts at ``at``; None when
    it holds a character that is not printable, a bad escape or a lone surrogate (Go and Python differ)."""
    parts = []
    close = text.find('"', at)
    while True:
        if close < 0:
            return None
        backslash = text.find("\\", at, close)
        chunk = text[at:close if backslash < 0 else backslash]
        if not chunk.isprintable():
            return None
        parts.append(chunk)
        if backslash < 0:
            return "".join(parts), close + 1
        escaped = text[backslash + 1:backslash + 2]
        if escaped in _JSON_ESCAPES:
            parts.append(_JSON_ESCAPES[escaped])
            at = backslash + 2
            if at > close:  # the quote was escaped: the string goes on (found once per quote, not per escape)
                close = text.find('"', at)
            continue
        code = _hex4(text, backslash + 1)
        if code is None:
            return None
        at = backslash + 6
        if 0xD800 <= code < 0xDC00:
            low = _hex4(text, at + 1) if text.startswith("\\u", at) else None
            if low is None or not 0xDC00 <= low < 0xE000:
                return None
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            at += 6
        elif 0xDC00 <= code < 0xE000:
            return None
        parts.append(chr(code))


def _hex4(text: str, at: int) -> int | None:
    """The code of ``u`` and four hex digits at ``at``, else None."""
    digits = text[at + 1:at + 5]
    if text[at:at + 1] != "u" or len(digits) != 4 or not _HEX.issuperset(digits):
        return None
    return int(digits, 16)


_JSON_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(text: str, ascii_only: bool = False) -> str:
    """``json.dumps(text, ensure_ascii=ascii_only)``: an exec form's word, written by a fix. (Not the json
    package: it imports re, which a small file's check otherwise never needs.)"""
    out = []
    for ch in text:
        escaped = _JSON_SHORT.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch < " " or (ascii_only and ch > "~"):
            code = ord(ch)
            if code > 0xFFFF:  # a surrogate pair, as json writes it
                code -= 0x10000
                out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_DECODER = None


def _decoder():
    global _DECODER
    if _DECODER is None:
        import json

        _DECODER = json.JSONDecoder(parse_constant=_not_go_json, parse_float=_go_number, parse_int=_go_number)
    return _DECODER


_JSON_TOKEN = compile_lazily(
    r'[ \t\n\r]*(?:([\[\]{},:])|("(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")'
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)|true|false|null)"
)
_GO_JSON_MAX_DEPTH = 10000


def _deep_json(text: str) -> list | None:
    """Go's verdict on a JSON array nested too deep for Python's decoder.

    None when Go fails to decode it (so it is not the exec form); else a list
    with a non-string item, as the top-level array holds an array or object.
    """
    stack: list[str] = []  # the open brackets
    expect = "value"  # value, key, colon, comma, or "first" (just after an opening bracket)
    pos = 0
    while True:
        match = _JSON_TOKEN.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        punct, string, number = match.groups()
        if expect == "first":
            if punct not in ("]", "}"):
                expect = "key" if stack[-1] == "{" else "value"
        elif punct in ("]", "}") and expect != "comma":
            return None
        if punct in ("[", "{"):
            if expect != "value" or len(stack) >= _GO_JSON_MAX_DEPTH:
                return None
            stack.append(punct)
            expect = "first"
        elif punct in ("]", "}"):
            if stack.pop() != ("[" if punct == "]" else "{"):
                return None
            if not stack:
                return [None]
            expect = "comma"
        elif punct == ",":
            if expect != "comma":
                return None
            expect = "key" if stack[-1] == "{" else "value"
        elif punct == ":":
            if expect != "colon":
                return None
            expect = "value"
        elif expect == "key" and string is not None:
            expect = "colon"
        elif expect == "value" and (number is None or float(number) not in _INFINITIES):
            expect = "comma"
        else:
            return None


def _check_name_values(args: str, keyword: str, escape: str) -> None:
    words = split_words(args, escape)
    if not words:
        return
    if "=" not in words[0]:
        if not _BLANKS.search(args):
            raise ScanError(0, f"{keyword} must have two arguments")
        return
    for word in words:
        if "=" not in word:
            raise ScanError(0, f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value')
