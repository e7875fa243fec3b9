"""The lossless source layer: exact text, line index, EOL/BOM, escape char, atomic write.

Offsets everywhere in dhard are indexes into ``SourceFile.text`` (the decoded
text without its BOM). Lines are split the way BuildKit splits them: on ``\\n``
only, with any ``\\r`` right before it belonging to the line ending.
"""

from __future__ import annotations

import bisect
import os
import re
from .record import dataclass, field

BOM = "\ufeff"
# Go's unicode.IsSpace: what BuildKit trims. Python's str.isspace() also counts
# the separators \x1c-\x1f, which BuildKit keeps as ordinary characters.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# Go's regexp \s is [\t\n\f\r ] (no \v).
_DIRECTIVE = re.compile(r"#[ \t\f\r]*([a-zA-Z][a-zA-Z0-9]*)[ \t\f\r]*=[ \t\f\r]*(.+?)[ \t\f\r]*")
KNOWN_DIRECTIVES = ("syntax", "escape", "check")


class SourceError(Exception):
    """The file cannot be read as a Dockerfile at all (missing, binary, not UTF-8)."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Line:
    start: int  # offset of the first character
    end: int  # offset of the end of content (before "\n" and any "\r" before it)
    next: int  # offset of the next line (after the line ending)


@dataclass(frozen=True)
class Directive:
    name: str  # lower case
    value: str
    line: int  # 1-based


@dataclass(frozen=True)
class SourceFile:
    text: str
    path: str = "<string>"
    bom: bool = False
    lines: tuple[Line, ...] = field(default=(), repr=False)

    @classmethod
    def from_text(cls, text: str, path: str = "<string>") -> "SourceFile":
        bom = text.startswith(BOM)
        if bom:
            text = text[1:]
        return cls(text=text, path=path, bom=bom, lines=_index_lines(text))

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "<string>") -> "SourceFile":
        if b"\x00" in data:
            raise SourceError(path, "binary file (contains NUL bytes), not a Dockerfile")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(path, f"not valid UTF-8 (byte {exc.start})", line) from None
        return cls.from_text(text, path)

    @classmethod
    def read(cls, path: str | os.PathLike) -> "SourceFile":
        name = os.fspath(path)
        try:
            with open(name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise SourceError(name, "no such file") from None
        except IsADirectoryError:
            raise SourceError(name, "is a directory") from None
        except OSError as exc:
            raise SourceError(name, f"cannot read: {exc.strerror or exc}") from None
        return cls.from_bytes(data, name)

    # -- derived facts ---------------------------------------------------------

    @property
    def newline(self) -> str:
        """The file's line ending: the first one seen ("\\n" when there is none)."""
        i = self.text.find("\n")
        j = self.text.find("\r")
        if i == -1 and j == -1:
            return "\n"
        if i == -1:
            return "\r"
        if j != -1 and j < i:
            return "\r\n" if j + 1 == i else "\r"
        return "\n"

    @property
    def ends_with_newline(self) -> bool:
        return self.text.endswith("\n")

    @property
    def directives(self) -> tuple[Directive, ...]:
        return read_directives(self)

    @property
    def escape(self) -> str:
        for d in self.directives:
            if d.name == "escape" and d.value in ("\\", "`"):
                return d.value
        return "\\"

    def to_bytes(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8")

    def with_text(self, text: str) -> "SourceFile":
        return SourceFile(text=text, path=self.path, bom=self.bom, lines=_index_lines(text))

    def line_text(self, number: int) -> str:
        line = self.lines[number - 1]
        return self.text[line.start : line.end]

    def line_of(self, offset: int) -> int:
        """1-based line number that holds ``offset``."""
        return max(1, bisect.bisect_right(_LineStarts(self.lines), offset))

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based; the column counts characters."""
        line = self.line_of(offset)
        return line, offset - self.lines[line - 1].start + 1

    def offset(self, line: int, column: int) -> int:
        return self.lines[line - 1].start + column - 1


class _LineStarts:
    """A list view of line start offsets, for bisect without copying."""

    def __init__(self, lines: tuple[Line, ...]):
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i: int) -> int:
        return self._lines[i].start


def _index_lines(text: str) -> tuple[Line, ...]:
    lines: list[Line] = []
    add, find, make = lines.append, text.find, Line  # (hot: every parse indexes every line)
    start = 0
    n = len(text)
    while start < n:
        nl = find("\n", start)
        end = n if nl == -1 else nl
        while end > start and text[end - 1] == "\r":  # BuildKit drops every "\r" before "\n"
            end -= 1
        if nl == -1:
            add(make(start, end, n))
            break
        add(make(start, end, nl + 1))
        start = nl + 1
    if not lines or text.endswith("\n"):
        add(make(n, n, n))  # the (empty) line after the final newline
    return tuple(lines)


def read_directives(source: SourceFile) -> tuple[Directive, ...]:
    """Parser directives at the top of the file, as BuildKit reads them.

    Directive scanning stops at the first line that is not a known directive
    (a blank line, another comment, an instruction). Duplicates are reported by
    the parser, which needs their line numbers.
    """
    found = []
    for number, line in enumerate(source.lines, start=1):
        text = source.text[line.start : line.end].lstrip(GO_SPACE)
        match = _DIRECTIVE.fullmatch(text)
        if not match or match.group(1).lower() not in KNOWN_DIRECTIVES:
            break
        found.append(Directive(match.group(1).lower(), match.group(2), number))
    return tuple(found)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file in the same dir, fsync, keep mode, rename."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dhard", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
