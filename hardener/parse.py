"""Text -> Dockerfile model, reading instructions the way BuildKit's parser does.

The scanner walks physical lines like BuildKit (split on "\\n"; any "\\r" before
it is part of the line ending), joins continuations, drops comment and blank
lines inside them, reads heredoc bodies after the instruction line, and records
for every piece of the logical line where it came from, so rules can point at,
and fixes can edit, the exact source text.

BuildKit's notion of whitespace is Go's, and it differs from Python's: see
``GO_SPACE`` (runes) and ``_BYTE_SPACE`` (the parts BuildKit reads byte by byte).
"""

from __future__ import annotations

import json
import re

from .model import (
    Dockerfile,
    Flag,
    Heredoc,
    ImageRef,
    Instruction,
    ParseError,
    Segment,
    Stage,
)
from .record import replace
from .source import GO_SPACE, SourceFile, read_directives

# Instructions BuildKit accepts; anything else parses but is unknown.
KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER "
    "ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
_MAYBE_JSON = frozenset("ADD COPY CMD ENTRYPOINT RUN SHELL VOLUME".split())
_HEREDOC_CAPABLE = frozenset(("ADD", "COPY", "RUN"))
_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)([^<]*)")
_GO_SPACE_SET = frozenset(GO_SPACE)
_GO_SPACES = re.compile(f"[{GO_SPACE}]+")
# The keyword ends at the first ASCII blank; ENV's legacy form splits on them too.
_BLANKS = re.compile(r"[\t\v\f\r ]+")
# Builder flags and HEALTHCHECK's type word are read byte by byte, and these
# bytes (as Latin-1 runes) are spaces to Go -- including the last byte of the
# UTF-8 encoding of e.g. "\xa0" or "à".
_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_MAX_LINE_BYTES = 65535  # bufio.Scanner's limit on a line, "\n" excluded


class _Fail(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


def parse(source: SourceFile | str, path: str = "<string>") -> Dockerfile:
    """Parse text into a Dockerfile; a BuildKit parse error is kept in ``.error``."""
    if isinstance(source, str):
        source = SourceFile.from_text(source, path)
    try:
        directives, escape = _directives(source)
    except _Fail as fail:
        return _failed(source, fail, (), "\\")
    scanner = _Scanner(source, escape)
    try:
        _check_line_lengths(source)
        instructions = scanner.scan()
        if not instructions:
            raise _Fail(max(1, len(scanner.lines)), "file with no instructions")
    except _Fail as fail:
        return _failed(source, fail, directives, escape)
    stages, global_args = _stages(instructions)
    stages = tuple(_replace_stage_instructions(stage, instructions) for stage in stages)
    return Dockerfile(
        source=source,
        instructions=tuple(instructions),
        stages=stages,
        directives=directives,
        escape=escape,
        global_args=global_args,
        tail=instructions[-1].end,
    )


def _failed(source, fail, directives, escape) -> Dockerfile:
    return Dockerfile(
        source=source,
        instructions=(),
        stages=(),
        directives=tuple(directives),
        escape=escape,
        global_args=(),
        tail=0,
        error=ParseError(fail.line, fail.message),
    )


def _directives(source: SourceFile):
    directives = read_directives(source)
    seen = set()
    escape = "\\"
    for d in directives:
        if d.name in seen:
            raise _Fail(d.line, f"only one {d.name} parser directive can be used")
        seen.add(d.name)
        if d.name == "escape":
            if d.value not in ("\\", "`"):
                raise _Fail(d.line, f"invalid escape token '{d.value}' does not match ` or \\")
            escape = d.value
    return directives, escape


def _check_line_lengths(source: SourceFile) -> None:
    """BuildKit cannot read a line longer than 64 KiB (UTF-8 bytes, a BOM included)."""
    if len(source.text) < _LONG_LINE_CHARS:
        return
    for match in _MAYBE_TOO_LONG.finditer(source.text):
        start = match.start()
        end = source.text.find("\n", start)
        line = source.text[start : end if end >= 0 else len(source.text)]
        size = len(line.encode("utf-8")) + (3 if source.bom and start == 0 else 0)
        if size > _MAX_LINE_BYTES:
            raise _Fail(source.line_of(start), f"dockerfile line greater than max allowed size of {_MAX_LINE_BYTES}")


# A line shorter than this cannot be too long, even in 4-byte characters after a BOM.
_LONG_LINE_CHARS = _MAX_LINE_BYTES // 4 + 1
_MAYBE_TOO_LONG = re.compile(rf"^[^\n]{{{_LONG_LINE_CHARS}}}", re.MULTILINE)


# -- the line scanner ------------------------------------------------------------


class _Scanner:
    def __init__(self, source: SourceFile, escape: str):
        self.source = source
        self.text = source.text
        self.escape = escape
        self.escaped_escape = escape * 2
        lines = source.lines
        # BuildKit never sees the empty "line" after a final newline.
        if lines and source.text.endswith("\n") or (len(lines) == 1 and not source.text):
            lines = lines[:-1]
        self.lines = lines

    def raw(self, i: int) -> str:
        line = self.lines[i]
        return self.text[line.start : line.end]

    def scan(self) -> list[Instruction]:
        out: list[Instruction] = []
        text, lines = self.text, self.lines
        trim = self._trim_continuation
        i = 0
        n = len(lines)
        trivia_start = 0
        stage = None  # index of the current stage: FROMs seen so far
        while i < n:
            first = lines[i]
            raw = text[first.start : first.end]
            token = raw.lstrip(GO_SPACE)
            if token.startswith("#"):
                token = ""
            i += 1
            first_line = i
            content, ends = trim(token)
            if ends and not content:
                continue
            token_start = first.start + len(raw) - len(token)
            line = content
            segments = [Segment(0, token_start, len(content))] if content else []
            while not ends and i < n:
                physical = lines[i]
                i += 1
                raw = text[physical.start : physical.end]
                stripped = raw.lstrip(GO_SPACE)
                if not stripped or stripped[0] == "#":
                    continue
                content, ends = trim(raw)
                if content:
                    segments.append(Segment(len(line), physical.start, len(content)))
                line += content
            draft = self._instruction(line, tuple(segments), first_line)
            if draft.name == "FROM":
                stage = 0 if stage is None else stage + 1
            heredocs = ()
            if "<<" in line:
                heredocs, i = self._read_heredocs(draft, line, i, first_line)
            end = lines[i - 1].next
            out.append(
                _build(
                    draft,
                    start=first.start,
                    end=end,
                    trivia_start=trivia_start,
                    end_line=i,
                    heredocs=heredocs,
                    index=len(out),
                    stage=stage,
                )
            )
            trivia_start = end
        return out

    def _trim_continuation(self, line: str) -> tuple[str, bool]:
        """Strip a trailing escape char (not itself escaped); report whether the line ends."""
        body = line.rstrip(" \t")
        if body.endswith(self.escape) and not body.endswith(self.escaped_escape):
            return body[:-1], False
        return line, True

    def _instruction(self, line: str, segments: tuple[Segment, ...], start_line: int) -> "_Draft":
        try:
            draft = _node_from_line(line, segments, self.escape)
        except _Fail as fail:
            raise _Fail(start_line, fail.message) from None
        draft.start_line = start_line
        if draft.sub is not None:
            draft.sub.start_line = start_line
        return draft

    def _read_heredocs(self, draft: "_Draft", line: str, i: int, start_line: int):
        target = draft.sub or draft
        if target.name not in _HEREDOC_CAPABLE or target.json:
            return (), i
        try:
            words = _heredoc_words(line)
        except _Fail as fail:
            raise _Fail(start_line, fail.message) from None
        found = []
        for name, chomp, expand, fd in words:
            body_start = self.lines[i].start if i < len(self.lines) else len(self.text)
            while True:
                if i >= len(self.lines):
                    raise _Fail(start_line, "unterminated heredoc")
                raw = self.raw(i)
                i += 1
                if (raw.lstrip("\t") if chomp else raw) == name:
                    break
            # the body is the source text as is, line endings included
            body_end = self.lines[i - 1].start
            found.append(Heredoc(name, self.text[body_start:body_end], chomp, expand, fd, body_start, body_end))
        return tuple(found), i


class _Draft:
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


def _build(draft: _Draft, *, start, end, trivia_start, end_line, heredocs, index, stage) -> Instruction:
    sub = None
    top_heredocs = heredocs
    if draft.sub is not None:
        sub = _sub_instruction(draft.sub, start, end, end_line, heredocs, index, stage)
        top_heredocs = ()  # BuildKit reports ONBUILD's heredocs on the inner instruction
    return Instruction(
        keyword=draft.keyword,
        start=start,
        end=end,
        trivia_start=trivia_start,
        start_line=draft.start_line,
        end_line=end_line,
        line=draft.line,
        segments=draft.segments,
        flags=draft.flags,
        args_start=draft.args_start,
        json=draft.json,
        argv=draft.argv,
        heredocs=top_heredocs,
        sub=sub,
        index=index,
        stage=stage,
    )


def _sub_instruction(draft: _Draft, start, end, end_line, heredocs, index, stage) -> Instruction:
    return Instruction(
        keyword=draft.keyword,
        start=start,
        end=end,
        trivia_start=start,
        start_line=draft.start_line,
        end_line=end_line,
        line=draft.line,
        segments=draft.segments,
        flags=draft.flags,
        args_start=draft.args_start,
        json=draft.json,
        argv=draft.argv,
        heredocs=heredocs,
        index=index,
        stage=stage,
    )


# -- one logical line -> instruction ------------------------------------------------


def _node_from_line(line: str, segments, escape: str, offset: int = 0, nested: bool = False) -> _Draft:
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
            sub = _node_from_line(command, segments, escape, offset + args_start, nested=True)
            sub.line = line
            sub.args_start = args_start + sub.args_start
            _check_chain(sub.chained, escape)
    draft = _Draft(keyword, name, line, segments, tuple(flags), args_start, json_form, argv, sub)
    draft.chained = chained
    return draft


def _check_chain(command: str | None, escape: str) -> None:
    """BuildKit's errors in ONBUILD ONBUILD ... below the first level.

    A loop rather than recursion: a chain can be longer than Python's recursion limit.
    """
    while command:
        command = _node_from_line(command, (), escape, nested=True).chained


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


_PLAIN_FLAG = re.compile(r"--[^\t\n\v\f\r \x85\xa0'\"\\]*")  # no quotes, no escapes: taken as written


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
    try:
        value = _JSON.raw_decode(args)[0]
    except RecursionError:
        value = _deep_json(args)
    except ValueError:
        return False, None
    if not isinstance(value, list):
        return False, None
    if not all(isinstance(item, str) for item in value):
        raise _Fail(0, "when using JSON array syntax, arrays must be comprised of strings only")
    return True, tuple(value)


def _not_go_json(name: str):
    raise ValueError(f"{name} is not JSON")  # Python accepts NaN and Infinity, Go does not


def _go_number(text: str) -> float:
    value = float(text)
    if value in _INFINITIES:
        raise ValueError("out of float64 range")  # Go fails to decode it
    return value


_INFINITIES = (float("inf"), float("-inf"))
_JSON = json.JSONDecoder(parse_constant=_not_go_json, parse_float=_go_number, parse_int=_go_number)
_JSON_TOKEN = re.compile(
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
            raise _Fail(0, f"{keyword} must have two arguments")
        return
    for word in words:
        if "=" not in word:
            raise _Fail(0, f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value')


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Whitespace-separated words with quotes kept (BuildKit's parseWords)."""
    if escape not in text and "'" not in text and '"' not in text:
        return [word for word in _GO_SPACES.split(text) if word]
    words: list[str] = []
    word: list[str] = []
    in_word = False
    blank_ok = False
    quote = None
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    i += 1
                    continue
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
            i += 1
            continue
        if ch in _GO_SPACE_SET:
            if in_word and (blank_ok or word):
                words.append("".join(word))
            word, in_word, blank_ok = [], False, False
            i += 1
            continue
        in_word = True
        if ch in "'\"":
            quote, blank_ok = ch, True
        elif ch == escape:
            if i + 1 == n:
                i += 1
                continue
            word.append(ch)
            i += 1
            ch = text[i]
        word.append(ch)
        i += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


# -- heredocs -------------------------------------------------------------------------


def _heredoc_words(line: str) -> list[tuple[str, bool, bool, int]]:
    """(name, chomp, expand, fd) for each heredoc word of the line, as BuildKit finds them."""
    try:
        words = _ShellLexer(line, raw=True).words()
    except _LexError:
        return []  # BuildKit finds no heredoc in a line its shell lexer rejects
    found = []
    for word in words:
        match = _HEREDOC_WORD.fullmatch(word)
        if match is None or not match.group(3):
            continue
        rest = match.group(3)
        try:
            names = _ShellLexer(rest).words()
            quoted = _ShellLexer(rest, raw_quotes=True).words()
        except _LexError as exc:
            raise _Fail(0, f'failed to process "{rest}": {exc}') from None
        if len(names) != 1:
            continue
        if len(quoted) != 1:
            raise _Fail(0, f"internal lexing of heredoc produced inconsistent results: {rest}")
        expand = _count_quotes(names[0]) == _count_quotes(quoted[0])
        found.append((names[0], match.group(2) == "-", expand, _file_descriptor(match.group(1))))
    return found


def _file_descriptor(digits: str) -> int:
    """Go's ParseUint as BuildKit uses it: 0 when empty, the uint64 maximum when too large."""
    if len(digits) > 20:  # also keeps int() clear of Python's limit on digits
        return _UINT64_MAX
    return min(int(digits or 0), _UINT64_MAX)


_UINT64_MAX = 2**64 - 1


def _count_quotes(word: str) -> int:
    return word.count("'") + word.count('"')


class _LexError(Exception):
    pass


class _ShellLexer:
    """BuildKit's shell word splitter, as its heredoc detection runs it.

    No variable is set and unset ones are kept, so ``$x`` and ``${x...}`` stay
    as written (their operand processed); but a malformed one, or an unclosed
    quote, is an error. ``raw`` keeps quotes and escapes in the words,
    ``raw_quotes`` keeps just the quotes.
    """

    def __init__(self, text: str, raw: bool = False, raw_quotes: bool = False):
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0  # Go's text/scanner skips a leading BOM
        self.raw_quotes = raw or raw_quotes
        self.raw_escapes = raw

    def words(self) -> list[str]:
        if not any(c in self.text for c in "$'\"\\\ufeff"):
            return [w for w in _GO_SPACES.split(self.text) if w]
        return self._until(None)[1]

    def _until(self, stop: str | None) -> tuple[str, list[str]]:
        """Read up to ``stop`` (or the end): the text as processed, and its words."""
        text, n = self.text, len(self.text)
        result: list[str] = []
        words: list[str] = []
        word = ""
        in_word = False
        stopped = False
        while self.pos < n:
            ch = text[self.pos]
            if ch == stop:
                self.pos += 1
                stopped = True
                break
            if ch in "'\"":
                piece = self._quoted(ch)
                result.append(piece)
                word, in_word = word + piece, True
                continue
            if ch == "$":
                piece = self._dollar()  # its result is split like unquoted text
            else:
                self.pos += 1
                if ch == "\\":
                    if self.raw_escapes:
                        word, in_word = word + ch, True
                        result.append(ch)
                    if self.pos >= n:
                        break
                    ch = text[self.pos]
                    self.pos += 1
                    word, in_word = word + ch, True
                    result.append(ch)
                    continue
                piece = ch
            result.append(piece)
            for c in piece:
                if c not in _GO_SPACE_SET:
                    word, in_word = word + c, True
                elif in_word and word:
                    words.append(word)
                    word, in_word = "", False
        if stop is not None and not stopped:
            raise _LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append(word)
        return "".join(result), words

    def _quoted(self, quote: str) -> str:
        text, n = self.text, len(self.text)
        self.pos += 1
        out = [quote] if self.raw_quotes else []
        if quote == "'":  # nothing is special inside single quotes
            close = text.find("'", self.pos)
            if close < 0:
                raise _LexError("unexpected end of statement while looking for matching single-quote")
            out.append(text[self.pos : close])
            self.pos = close + 1
        else:
            while True:
                if self.pos >= n:
                    raise _LexError("unexpected end of statement while looking for matching double-quote")
                ch = text[self.pos]
                if ch == '"':
                    self.pos += 1
                    break
                if ch == "$":
                    out.append(self._dollar())
                    continue
                self.pos += 1
                if ch == "\\":
                    if self.raw_escapes:
                        out.append(ch)
                    if self.pos >= n:
                        continue
                    if text[self.pos] in '"$\\':
                        ch = text[self.pos]
                        self.pos += 1
                out.append(ch)
        if self.raw_quotes:
            out.append(quote)
        return "".join(out)

    def _dollar(self) -> str:
        text, n = self.text, len(self.text)
        self.pos += 1
        if self.pos >= n or text[self.pos] != "{":
            return "$" + self._name()
        self.pos += 1
        if self.pos >= n:
            raise _LexError("syntax error: missing '}'")
        if text[self.pos] in "{}:":
            raise _LexError("syntax error: bad substitution")
        name = self._name()
        op = text[self.pos] if self.pos < n else ""
        self.pos += 1
        if op == "}":
            return "${" + name + "}"
        if op == ":" and self.pos < n:  # any modifier character is accepted
            op += text[self.pos]
            self.pos += 1
        elif op not in ("+", "-", "?", ":"):
            raise _LexError("missing ':' in substitution")
        word = self._until("}")[0]
        return "${" + name + op + word + "}"

    def _name(self) -> str:
        text, n, start = self.text, len(self.text), self.pos
        if start >= n:
            return ""
        end = start
        if text[start].isdecimal():
            while end < n and text[end].isdecimal():
                end += 1
        elif text[start] in "@*#?-$!0":
            end += 1
        else:
            while end < n and (text[end].isalpha() or text[end].isdecimal() or text[end] == "_"):
                end += 1
        self.pos = end
        return text[start:end]


def unquote(word: str) -> str:
    """Remove shell quotes and backslash escapes from one word."""
    out, quote = [], None
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < n and word[i + 1] in '"\\$`':
                i += 1
                out.append(word[i])
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(word[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# -- stages, ARGs and image references ------------------------------------------------

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, scope: dict[str, str | None]) -> tuple[str | None, tuple[str, ...]]:
    """Substitute $X, ${X}, ${X:-d}, ${X-d}, ${X:+v}, ${X+v}; (None, names) when a value is unknown."""
    missing: list[str] = []

    def sub(match: re.Match) -> str:
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
            return _nested(word) if unset else value
        return "" if unset else _nested(word)

    def _nested(word: str) -> str:
        value, names = expand(word, scope)
        missing.extend(names)
        return value or ""

    if "$" not in text:
        return text, ()
    result = _VAR.sub(sub, text)
    if missing:
        return None, tuple(dict.fromkeys(missing))
    return result, ()


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


def parse_image_ref(written: str, scope: dict[str, str | None] | None = None) -> ImageRef:
    value, missing = expand(written, scope or {})
    if value is None:
        return ImageRef(written=written, value=None, unresolved=missing)
    ref = value
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    registry = None
    first, slash, rest = ref.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag = None
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = None
    if registry is None and ref.startswith("library/"):
        ref = ref[len("library/") :]
    return ImageRef(written=written, value=value, registry=registry, repository=ref, tag=tag, digest=digest)


def _stages(instructions: list[Instruction]):
    global_scope: dict[str, str | None] = {}
    drafts = []  # (index, alias, from_ins, base, platform, parent, scope)
    scope: dict[str, str | None] = {}
    for ins in instructions:
        if ins.name == "FROM":
            words = ins.words
            image = words[0] if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            parent = _find_alias(drafts, expand(image, global_scope)[0])
            platform_flag = ins.flag("platform")
            platform = expand(platform_flag.value or "", global_scope)[0] if platform_flag else None
            if parent is not None:
                base = ImageRef(written=image, value=image, repository=image)
                scope = dict(drafts[parent][6])
            else:
                base = parse_image_ref(image, global_scope)
                scope = {}
            drafts.append([len(drafts), alias, ins, base, platform, parent, scope])
            continue
        if ins.name == "ARG":
            for name, value in parse_arg_pairs(ins.args):
                target = scope if drafts else global_scope
                if value is not None:
                    value = expand(value, {**global_scope, **scope} if drafts else global_scope)[0]
                elif drafts:
                    value = global_scope.get(name)
                target[name] = value
    stages = []
    shipping = set()
    if drafts:
        cursor: int | None = len(drafts) - 1
        while cursor is not None and cursor not in shipping:
            shipping.add(cursor)
            cursor = drafts[cursor][5]
    for index, alias, ins, base, platform, parent, scope in drafts:
        stages.append(
            Stage(
                index=index,
                alias=alias,
                from_=ins,
                base=base,
                platform=platform,
                parent=parent,
                instructions=(),
                ships=index in shipping,
                args=tuple(scope.items()),
            )
        )
    return stages, tuple(global_scope.items())


def _find_alias(drafts, name: str | None) -> int | None:
    if not name:
        return None
    lowered = name.lower()
    for draft in reversed(drafts):
        if draft[1] and draft[1].lower() == lowered:
            return draft[0]
    return None


def _replace(obj, **changes):
    return replace(obj, **changes)


def _replace_stage_instructions(stage: Stage, instructions) -> Stage:
    first = stage.from_.index
    own = [ins for ins in instructions if ins.stage == stage.index]
    return _replace(stage, from_=instructions[first], instructions=tuple(own))
