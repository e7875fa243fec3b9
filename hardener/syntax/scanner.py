"""Physical lines -> instructions, the way BuildKit's parser reads them.

The scanner walks physical lines like BuildKit (split on "\\n"; any "\\r" before
it is part of the line ending), joins continuations, drops comment and blank
lines inside them, reads heredoc bodies after the instruction line, and records
for every piece of the logical line where it came from, so rules can point at,
and fixes can edit, the exact source text. Each logical line is read by
``line.node_from_line``.
"""

from __future__ import annotations


from ..model import Heredoc, Instruction, Segment
from ..source import GO_SPACE, SourceFile
from .line import Draft, ScanError, node_from_line
from .lazyre import MULTILINE, compile_lazily
from .words import LexError, ShellLexer

_HEREDOC_CAPABLE = frozenset(("ADD", "COPY", "RUN"))
_HEREDOC_WORD = compile_lazily(r"([0-9]*)<<(-?)([^<]*)")
_MAX_LINE_BYTES = 65535  # bufio.Scanner's limit on a line, "\n" excluded


def check_line_lengths(source: SourceFile) -> None:
    """BuildKit cannot read a line longer than 64 KiB (UTF-8 bytes, a BOM included)."""
    if len(source.text) < _LONG_LINE_CHARS:
        return
    for match in _MAYBE_TOO_LONG.finditer(source.text):
        start = match.start()
        end = source.text.find("\n", start)
        line = source.text[start : end if end >= 0 else len(source.text)]
        size = len(line.encode("utf-8")) + (3 if source.bom and start == 0 else 0)
        if size > _MAX_LINE_BYTES:
            raise ScanError(source.line_of(start), f"dockerfile line greater than max allowed size of {_MAX_LINE_BYTES}")


# A line shorter than this cannot be too long, even in 4-byte characters after a BOM.
_LONG_LINE_CHARS = _MAX_LINE_BYTES // 4 + 1
_MAYBE_TOO_LONG = compile_lazily(rf"^[^\n]{{{_LONG_LINE_CHARS}}}", MULTILINE)


class Scanner:
    """Reads ``source`` into instructions (``scan``); ``lines`` are the physical lines BuildKit sees."""

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

    def _instruction(self, line: str, segments: tuple[Segment, ...], start_line: int) -> "Draft":
        try:
            draft = node_from_line(line, segments, self.escape)
        except ScanError as fail:
            raise ScanError(start_line, fail.message) from None
        draft.start_line = start_line
        if draft.sub is not None:
            draft.sub.start_line = start_line
        return draft

    def _read_heredocs(self, draft: "Draft", line: str, i: int, start_line: int):
        target = draft.sub or draft
        if target.name not in _HEREDOC_CAPABLE or target.json:
            return (), i
        try:
            words = _heredoc_words(line)
        except ScanError as fail:
            raise ScanError(start_line, fail.message) from None
        found = []
        for name, chomp, expand, fd in words:
            body_start = self.lines[i].start if i < len(self.lines) else len(self.text)
            while True:
                if i >= len(self.lines):
                    raise ScanError(start_line, "unterminated heredoc")
                raw = self.raw(i)
                i += 1
                if (raw.lstrip("\t") if chomp else raw) == name:
                    break
            # the body is the source text as is, line endings included
            body_end = self.lines[i - 1].start
            found.append(Heredoc(name, self.text[body_start:body_end], chomp, expand, fd, body_start, body_end))
        return tuple(found), i


def _build(draft: Draft, *, start, end, trivia_start, end_line, heredocs, index, stage) -> Instruction:
    sub = None
    if draft.sub is not None:
        # BuildKit reports ONBUILD's heredocs on the inner instruction
        sub = _build(draft.sub, start=start, end=end, trivia_start=start, end_line=end_line, heredocs=heredocs,
                     index=index, stage=stage)
        heredocs = ()
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
        heredocs=heredocs,
        sub=sub,
        index=index,
        stage=stage,
    )


# -- heredocs -------------------------------------------------------------------------


def _heredoc_words(line: str) -> list[tuple[str, bool, bool, int]]:
    """(name, chomp, expand, fd) for each heredoc word of the line, as BuildKit finds them."""
    try:
        words = ShellLexer(line, raw=True).words()
    except LexError:
        return []  # BuildKit finds no heredoc in a line its shell lexer rejects
    found = []
    for word in words:
        match = _HEREDOC_WORD.fullmatch(word)
        if match is None or not match.group(3):
            continue
        rest = match.group(3)
        try:
            names = ShellLexer(rest).words()
            quoted = ShellLexer(rest, raw_quotes=True).words()
        except LexError as exc:
            raise ScanError(0, f'failed to process "{rest}": {exc}') from None
        if len(names) != 1:
            continue
        if len(quoted) != 1:
            raise ScanError(0, f"internal lexing of heredoc produced inconsistent results: {rest}")
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

