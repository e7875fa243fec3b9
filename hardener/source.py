"""The lossless source layer: exact text, line index, EOL/BOM, escape char, atomic write.

Offsets everywhere in dhard are indexes into ``SourceFile.text`` (the decoded
text without its BOM). Lines are split the way BuildKit splits them: on ``\\n``
only, with any ``\\r`` right before it belonging to the line ending.
"""

from __future__ import annotations

import os
from .record import dataclass, field
from .syntax.lazyre import compile_pattern

BOM = "\ufeff"
# Go's unicode.IsSpace: what BuildKit trims. Python's str.isspace() also counts
# the separators \x1c-\x1f, which BuildKit keeps as ordinary characters.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# Go's regexp \s is [\t\n\f\r ] (no \v). BuildKit's pattern ends "=\s*(.+?)\s*$"; as a Python
# regex that lazy value is quadratic on a line of spaces, so _directive_value trims instead.
_DIRECTIVE = compile_pattern(r"#[ \t\f\r]*([a-zA-Z][a-zA-Z0-9]*)[ \t\f\r]*=(.*)")
_DIRECTIVE_SPACE = " \t\f\r"


def _directive_value(rest: str) -> str | None:
    """What "\\s*(.+?)\\s*$" captures of ``rest``: trimmed, or its last space when it is all spaces."""
    value = rest.strip(_DIRECTIVE_SPACE)
    return value or rest[-1:] or None


KNOWN_DIRECTIVES = ("syntax", "escape", "check")


# A hundred times the largest Dockerfile in the shared corpus (20 KB); past this, reading and linting
# would take seconds and hundreds of MB, so a larger file is refused with a one-line error.
MAX_BYTES = 2 << 20
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


class _TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


def _too_large(size: int) -> str:
    def mb(n: int) -> str:
        return f"{n / (1 << 20):.1f} MB"

    shown = mb(size) if size > MAX_BYTES + 1 else f"over {mb(MAX_BYTES)}"  # +1: a bounded read stopped there
    return f"too large ({shown}; dhard reads Dockerfiles of up to {mb(MAX_BYTES)})"


def _read_bounded(name: str) -> bytes:
    """At most MAX_BYTES + 1 bytes of a file; never blocks on opening a FIFO, refuses devices."""
    import stat

    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        fifo = stat.S_ISFIFO(info.st_mode)
        if not (stat.S_ISREG(info.st_mode) or fifo):
            raise OSError(0, "not a regular file")
        if not fifo and info.st_size > MAX_BYTES:
            raise _TooLarge(info.st_size)
        if fifo and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a writer sends until it closes; with none, read() is EOF at once
        data = read_at_most(fd, MAX_BYTES)
        if fifo and not data:
            raise OSError(0, "a FIFO with no writer")
        if len(data) > MAX_BYTES:
            raise _TooLarge(len(data))
        return data
    finally:
        os.close(fd)


def read_at_most(fd: int, limit: int) -> bytes:
    """The bytes of an open file, up to ``limit`` + 1 (one more says it is larger than the limit)."""
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class SourceError(Exception):
    """The file cannot be read as a Dockerfile at all (missing, not a file, binary, not UTF-8, too large)."""

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
        if len(data) > MAX_BYTES:
            raise SourceError(path, _too_large(len(data)))
        for bom, encoding in _OTHER_BOMS:
            if data.startswith(bom):
                raise SourceError(path, f"{encoding} encoded (it starts with a {encoding} byte-order mark); BuildKit reads UTF-8", 1)
        nul = data.find(b"\x00")
        if nul != -1:
            line = data.count(b"\n", 0, nul) + 1
            raise SourceError(path, f"binary file (a NUL byte at offset {nul}), not a Dockerfile", line)
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
            data = _read_bounded(name)
        except _TooLarge as exc:
            raise SourceError(name, _too_large(exc.size)) from None
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
        """1-based line number that holds ``offset``: the last line starting at or before it. (Not
        ``bisect``: it loads a shared library, which costs a small file's check more than all its lookups.)"""
        lines = self.lines
        low, high = 0, len(lines)
        while low < high:
            middle = (low + high) // 2
            if lines[middle].start <= offset:
                low = middle + 1
            else:
                high = middle
        return max(1, low)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based; the column counts characters."""
        line = self.line_of(offset)
        return line, offset - self.lines[line - 1].start + 1

    def offset(self, line: int, column: int) -> int:
        return self.lines[line - 1].start + column - 1


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
        value = _directive_value(match.group(2)) if match else None
        if match is None or value is None or match.group(1).lower() not in KNOWN_DIRECTIVES:
            break
        found.append(Directive(match.group(1).lower(), value, number))
    return tuple(found)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file in the same dir, fsync, keep mode and owner, rename.

    A symlink is kept: the file it points to is replaced. A read-only file (no write bit for
    anyone) is refused, also for root. Until the rename nothing of the original changes, so a
    failure midway (disk full, a signal) leaves it as it was.
    """
    import tempfile
    from pathlib import Path

    target = Path(os.path.realpath(path))
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    if info is not None and not info.st_mode & 0o222:
        raise PermissionError(13, "the file is read-only")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dhard", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is None:  # a new file: the mode open() would give it, not mkstemp's 0600
            umask = os.umask(0o022)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        else:
            os.chmod(tmp, info.st_mode & 0o7777)
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(tmp):
                try:
                    os.chown(tmp, info.st_uid, info.st_gid)
                except PermissionError:
                    pass  # only root may give a file away; the caller's own file stays theirs
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(target.parent)


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _fsync_dir(directory) -> None:
    """Make the rename itself durable (best effort: not every platform opens directories)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def context_of(path: str) -> str | None:
    """The build context a Dockerfile is most often built with: its own folder (None for standard input)."""
    if path in ("-", "<stdin>", "<string>") or not os.path.isfile(path):
        return None
    return os.path.dirname(os.path.abspath(path))
