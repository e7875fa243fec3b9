"""Which files of a build context reach an image: COPY/ADD sources and .dockerignore.

``shipped_files`` answers "which files of the context does ``COPY <sources> ...``
copy?" the way BuildKit does:

- the context is first filtered by ``.dockerignore`` (``.containerignore`` when
  there is no ``.dockerignore``, as podman reads it), with the semantics of
  moby's ``patternmatcher`` (the code BuildKit and the docker CLI use): lines
  starting with ``#`` in column 1 are comments, each pattern is trimmed and
  cleaned like Go's ``filepath.Clean``, a leading ``/`` is dropped, ``!`` makes an
  exception, a pattern excludes a path when it matches the path or one of its
  parent directories, and the last matching line decides. The glob is Go's
  ``filepath.Match`` plus ``**`` (any number of directories, including none);
- each source is cleaned as if rooted at the context (``./a``, ``/a`` and
  ``a/`` are the same, ``..`` cannot leave the context), may hold wildcards in
  any path component (Go ``filepath.Match`` per component: ``*`` and ``?`` stop
  at ``/``, ``[...]`` with ``^`` negation, ``\\`` escapes; ``**`` is just ``*``
  here), and a directory is copied recursively; ``.`` is the whole context.

Returned paths are relative, posix, sorted, files (and symlinks) only.
URL sources (``ADD https://...``) and git sources are not in the context and are
ignored. A source that does not exist selects nothing (the build would fail).

The context is someone else's directory, so reading it cannot be abused: no path
is followed through a symlink out of the context (a symlink is listed as itself,
never walked), at most ``MAX_ENTRIES`` directory entries are looked at, and
``read_context_file`` is the one way to read a file's bytes: inside the context,
regular files only (a FIFO would block), at most a given size. Nothing in the
context is ever run.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

from ..record import dataclass  # dataclasses costs ~8 ms of start-up; rules import this module
from ..source import read_at_most
from ..syntax.lazyre import compile_pattern, escape

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    import re

__all__ = ["IgnoreMatcher", "IgnorePattern", "read_ignore_patterns", "shipped_files", "clean_path", "read_context_file", "is_inside"]

MAX_ENTRIES = 200_000  # directory entries looked at per shipped_files call (a 10,000-file app is ~12,000)
MAX_IGNORE_BYTES = 1 << 20  # a .dockerignore larger than this is not read


class FileTooLarge(OSError):
    pass


def is_inside(root_real: str, path: "str | os.PathLike[str]") -> bool:
    """Is ``path``, symlinks resolved, the context root or below it?"""
    return _within(root_real, _realpath(path))


def _realpath(path: "str | os.PathLike[str]") -> str:
    """``os.path.realpath``, looked up once per path for the rest of the command after remember_walks()."""
    if _walks is None:
        return os.path.realpath(path)
    key = ("real", os.fspath(path))
    real = _walks.get(key)
    if real is None:
        real = _walks[key] = os.path.realpath(path)
    return real


def _within(root_real: str, real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _real_dir(folders: dict[str, str], folder: str) -> str:
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    return real


def read_context_file(context_dir, rel: str, max_bytes: int, folders: dict[str, str] | None = None) -> bytes:
    """The bytes of a file of the build context, read safely.

    Raises OSError (with a readable ``strerror``) for a path that leaves the context
    through a symlink, for what is not a regular file, and FileTooLarge past ``max_bytes``.
    ``folders``: the real paths of folders already resolved in this scan (a scan of many files passes one
    dict for all of them: a context's files share few folders, and each ``realpath`` is a stat per
    component); made for the scan, never kept longer, so a folder that becomes a link is seen.
    """
    folders = {} if folders is None else folders
    root = _real_dir(folders, os.fspath(context_dir))
    folder, name = posixpath.split(rel)
    real = posixpath.join(_real_dir(folders, os.path.join(root, folder)), name)
    if os.path.islink(real):  # the file is a link: where it leads
        real = os.path.realpath(real)
    if not _within(root, real):
        raise OSError(errno.EACCES, "a symlink out of the build context")
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > max_bytes:
            raise FileTooLarge(errno.EFBIG, f"larger than {max_bytes} bytes")
        data = read_at_most(fd, max_bytes)
        if len(data) > max_bytes:  # it grew while we read
            raise FileTooLarge(errno.EFBIG, f"larger than {max_bytes} bytes")
        return data
    finally:
        os.close(fd)

_IGNORE_FILES = (".dockerignore", ".containerignore")
_REMOTE = compile_pattern(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git@)")


# the languages whose sources dhard reads for writes and listening ports, by file name
SOURCE_LANGUAGES = {".py": "python", ".go": "go", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
                    ".ts": "javascript", ".rs": "rust", ".java": "java"}


def language_of(rel: str) -> str | None:
    """SOURCE_LANGUAGES of the file's extension as ``posixpath.splitext`` finds it (a name's leading dots
    start no extension), without its generic machinery: a context's every file is asked."""
    dot = rel.rfind(".")
    start = rel.rfind("/") + 1
    if dot <= start or not rel[start:dot].strip("."):
        return None
    return SOURCE_LANGUAGES.get(rel[dot:])


def source_texts(context_dir, files: list[str], languages: tuple[str, ...], max_bytes: int = 1_000_000):
    """(rel, language, text) for the files of ``languages`` among ``files`` (not node_modules), read with
    read_context_file: what cannot be read safely is passed over."""
    folders: dict[str, str] = {}
    for rel in files:
        language = language_of(rel)
        if language not in languages or "node_modules/" in rel:
            continue
        try:
            text = read_context_file(context_dir, rel, max_bytes, folders).decode("utf-8", errors="replace")
        except OSError:
            continue
        yield rel, language, text


def clean_path(path: str) -> str:
    """Go's ``filepath.Clean`` for slash paths (``""`` -> ``"."``)."""
    if not path:
        return "."
    rooted = path.startswith("/")
    cleaned = posixpath.normpath(path)
    if rooted:
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


# -- .dockerignore ----------------------------------------------------------------

_ESCAPE_IN_REGEX = frozenset(".+()|{}$")


@dataclass(frozen=True)
class IgnorePattern:
    """One cleaned .dockerignore pattern compiled the way moby's patternmatcher does."""

    text: str  # the cleaned pattern without "!"
    exclusion: bool  # a "!" line: re-includes what it matches
    kind: str  # "exact" | "prefix" | "suffix" | "regexp"
    regex: re.Pattern | None = None

    @classmethod
    def compile(cls, text: str, exclusion: bool = False) -> "IgnorePattern":
        """Raise ValueError for a pattern Docker refuses (bad ``[`` class, trailing ``\\``)."""
        _check_go_pattern(text)
        reg = "^"
        kind = "exact"
        i = 0
        n = len(text)
        iteration = 0
        while i < n:
            ch = text[i]
            i += 1
            if ch == "*":
                if i < n and text[i] == "*":
                    i += 1
                    if i < n and text[i] == "/":  # "**/" is "**"
                        i += 1
                    if i >= n:  # "**" at the end: everything below
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            reg += ".*"
                            kind = "regexp"
                    else:
                        reg += "(.*/)?"
                        kind = "regexp"
                    if iteration == 0:
                        kind = "suffix"
                else:
                    reg += "[^/]*"
                    kind = "regexp"
            elif ch == "?":
                reg += "[^/]"
                kind = "regexp"
            elif ch in _ESCAPE_IN_REGEX:
                reg += "\\" + ch
            elif ch == "\\":
                if i < n:
                    reg += "\\" + text[i]
                    i += 1
                    kind = "regexp"
                else:
                    reg += "\\\\"
            elif ch in "[]":
                reg += ch
                kind = "regexp"
            else:
                reg += ch
            iteration += 1
        if kind != "regexp":
            return cls(text, exclusion, kind)
        import re  # a .dockerignore's patterns: user text, compiled by re and never kept

        try:
            regex = re.compile(reg + r"\Z", re.DOTALL)
        except re.error as err:
            raise ValueError(f"bad pattern {text!r}: {err}") from None
        return cls(text, exclusion, kind, regex)

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix[:1] == "/" and path == suffix[1:]
        assert self.regex is not None
        return self.regex.match(path) is not None

    def match_or_parent(self, path: str) -> bool:
        if self.match(path):
            return True
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            if self.match("/".join(parts[:i])):
                return True
        return False


def _check_go_pattern(pattern: str) -> None:
    """The syntax errors Go's filepath.Match reports (ErrBadPattern)."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise ValueError(f"bad pattern {pattern!r}: trailing backslash")
            i += 2
            continue
        if ch == "[":
            _, i = _parse_class(pattern, i + 1)
            continue
        i += 1


def _parse_class(pattern: str, i: int) -> tuple[str, int]:
    """Parse a Go character class after "["; return (regex class, index after "]")."""
    n = len(pattern)
    out = "["
    if i < n and pattern[i] == "^":
        out += "^"
        i += 1
    first = True
    while True:
        if i >= n:
            raise ValueError(f"bad pattern {pattern!r}: unterminated [")
        if pattern[i] == "]" and not first:
            return out + "]", i + 1
        first = False
        lo, i = _class_char(pattern, i)
        if i < n and pattern[i] == "-" and i + 1 < n and pattern[i + 1] != "]":
            hi, i = _class_char(pattern, i + 1)
            if hi < lo:
                raise ValueError(f"bad pattern {pattern!r}: bad range")
            out += escape(lo) + "-" + escape(hi)
        else:
            out += escape(lo)


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    n = len(pattern)
    ch = pattern[i]
    if ch == "\\":
        if i + 1 >= n:
            raise ValueError(f"bad pattern {pattern!r}: trailing backslash")
        return pattern[i + 1], i + 2
    if ch in "-]":
        raise ValueError(f"bad pattern {pattern!r}: bad class")
    return ch, i + 1


def read_ignore_patterns(text: str) -> list[str]:
    """The patterns of an ignore file, as moby's ``ignorefile.ReadAll`` returns them."""
    out = []
    for lineno, raw in enumerate(text.split("\n")):
        if lineno == 0:
            raw = raw.lstrip("\ufeff")
        raw = raw.rstrip("\r")
        if not raw or raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = clean_path(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        out.append("!" + pattern if invert else pattern)
    return out


class IgnoreMatcher:
    """moby's PatternMatcher.MatchesOrParentMatches for slash paths relative to the context."""

    def __init__(self, patterns: list[str]):
        self.patterns: list[IgnorePattern] = []
        self.invalid: list[str] = []
        for p in patterns:
            p = p.strip()
            if not p:
                continue
            p = clean_path(p)
            exclusion = p.startswith("!")
            if exclusion:
                if len(p) == 1:
                    self.invalid.append(p)
                    continue
                p = p[1:]
            try:
                self.patterns.append(IgnorePattern.compile(p, exclusion))
            except ValueError:
                # Docker refuses the whole build for such a line; we skip it.
                self.invalid.append(p)
        self.has_exceptions = any(p.exclusion for p in self.patterns)

    @classmethod
    def for_context(cls, context_dir: "str | os.PathLike[str]") -> "IgnoreMatcher | None":
        for name in _IGNORE_FILES:
            if os.path.isfile(os.path.join(context_dir, name)):
                try:
                    text = read_context_file(context_dir, name, MAX_IGNORE_BYTES).decode("utf-8", errors="replace")
                except OSError:
                    return None
                return cls(read_ignore_patterns(text))
        return None

    def excluded(self, path: str) -> bool:
        path = clean_path(path)
        if path == ".":
            return False
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            if pattern.match_or_parent(path):
                matched = not pattern.exclusion
        return matched


# -- COPY/ADD sources -------------------------------------------------------------

_GLOB_CHARS = frozenset("*?[\\")


class _StarGlob:
    """Go filepath.Match for a component whose only wildcard is ``*`` (``*.py``, ``Gemfile*``), without
    ``re``: the pieces between the stars, in order, the first at the start and the last at the end."""

    def __init__(self, component: str):
        self.pieces = component.split("*")

    def match(self, name: str) -> bool:
        if len(self.pieces) == 1:
            return name == self.pieces[0]
        first, *middle, last = self.pieces
        if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
            return False
        at, end = len(first), len(name) - len(last)
        for piece in middle:
            at = name.find(piece, at, end)
            if at < 0:
                return False
            at += len(piece)
        return True


def _component_matcher(component: str) -> "_StarGlob | re.Pattern | None":
    """Go filepath.Match for one path component (an object with ``match(name)``); None when the pattern
    is bad."""
    if _GLOB_CHARS.isdisjoint(component.replace("*", "")):
        return _StarGlob(component)
    return _component_regex(component)


def _component_regex(component: str) -> re.Pattern | None:
    import re  # user text, as .dockerignore's

    out = ""
    i, n = 0, len(component)
    try:
        while i < n:
            ch = component[i]
            if ch == "*":
                out += "[^/]*"
                i += 1
            elif ch == "?":
                out += "[^/]"
                i += 1
            elif ch == "[":
                cls, i = _parse_class(component, i + 1)
                out += cls
            elif ch == "\\":
                if i + 1 >= n:
                    return None
                out += escape(component[i + 1])
                i += 2
            else:
                out += escape(ch)
                i += 1
        return re.compile(out + r"\Z", re.DOTALL)
    except (ValueError, re.error):
        return None


class _Budget:
    """Directory entries left to look at (MAX_ENTRIES per shipped_files call)."""

    def __init__(self, entries: int):
        self.left = entries

    def spend(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _reachable(root_real: str, root: str, rel: str) -> bool:
    """The directory holding ``rel`` is inside the context (no parent is a symlink out)."""
    parent = posixpath.dirname(rel)
    return is_inside(root_real, os.path.join(root, parent) if parent else root)


def _expand_source(root: str, source: str, budget: _Budget | None = None) -> list[str]:
    """Context-relative paths (files or directories) a COPY source names; "" is the root."""
    budget = budget or _Budget(MAX_ENTRIES)
    root_real = _realpath(root)
    cleaned = clean_path("/" + source).lstrip("/")
    if cleaned in ("", "."):
        return [""]
    parts = cleaned.split("/")
    if not any(c in _GLOB_CHARS for c in cleaned):
        found = os.path.lexists(os.path.join(root, cleaned)) and _reachable(root_real, root, cleaned)
        return [cleaned] if found else []
    current = [""]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        nxt = []
        if not any(c in _GLOB_CHARS for c in part):
            for base in current:
                rel = f"{base}/{part}" if base else part
                if os.path.lexists(os.path.join(root, rel)) and _reachable(root_real, root, rel):
                    nxt.append(rel)
        else:
            matcher = _component_matcher(part)
            if matcher is None:
                return []
            for base in current:
                directory = os.path.join(root, base) if base else root
                if not is_inside(root_real, directory):
                    continue  # a symlink out of the context: not listed
                try:
                    names = sorted(os.listdir(directory))
                except OSError:
                    continue
                if not budget.spend(len(names)):
                    return sorted(nxt)
                for name in names:
                    if matcher.match(name):
                        rel = f"{base}/{name}" if base else name
                        if last or os.path.isdir(os.path.join(root, rel)):
                            nxt.append(rel)
        current = nxt
        if not current:
            return []
    return current


def _collect(root: str, rel: str, matcher: IgnoreMatcher | None, out: set[str], budget: _Budget | None = None) -> None:
    budget = budget or _Budget(MAX_ENTRIES)
    full = os.path.join(root, rel) if rel else root
    if not is_inside(_realpath(root), os.path.dirname(full) if rel else root):
        return  # reached through a symlink out of the context
    if rel and (os.path.islink(full) or not os.path.isdir(full)):
        if matcher is None or not matcher.excluded(rel):
            out.add(rel)
        return
    prune = matcher is not None and not matcher.has_exceptions
    if rel and prune and matcher.excluded(rel):
        return
    for dirpath, dirnames, filenames in os.walk(full):  # never follows a symlink (followlinks=False)
        if not budget.spend(len(dirnames) + len(filenames)):
            dirnames[:] = []
            return
        relbase = os.path.relpath(dirpath, root).replace(os.sep, "/")
        relbase = "" if relbase == "." else relbase
        kept = []
        for d in sorted(dirnames):
            drel = f"{relbase}/{d}" if relbase else d
            if os.path.islink(os.path.join(dirpath, d)):
                filenames.append(d)  # a symlink to a directory is copied as a link
                continue
            if prune and matcher.excluded(drel):
                continue
            kept.append(d)
        dirnames[:] = kept
        for f in filenames:
            frel = f"{relbase}/{f}" if relbase else f
            if matcher is None or not matcher.excluded(frel):
                out.add(frel)


# shipped_files' answers (and the real paths of the contexts given), kept for the rest of a one-shot command
# once remember_walks() is called
_walks: "dict | None" = None


def remember_walks() -> None:
    """Keep what shipped_files finds (and the real paths and .dockerignore it reads) for the rest of this
    process. For ``dhard check`` of many files, whose Dockerfiles often share one context: the files of a
    context do not change while it runs. Long-lived processes (the language server) never call it: they
    must see files come and go."""
    global _walks
    if _walks is None:
        _walks = {}


def shipped_files(context_dir: "str | os.PathLike[str]", sources: list[str], dockerignore: bool = True) -> list[str]:
    """The files of the build context that ``COPY``/``ADD`` with these sources select.

    Paths are relative to ``context_dir``, posix, sorted and unique; directories
    are expanded recursively and only files (and symlinks) are returned.
    """
    if _walks is None:
        return _shipped_files(context_dir, sources, dockerignore)
    real = _realpath(os.fspath(context_dir) or ".")  # the context's real path, looked up once too
    key = (real, tuple(sources), dockerignore)
    if key not in _walks:
        _walks[key] = _shipped_files(context_dir, sources, dockerignore)
    return list(_walks[key])


def _ignore_matcher(root: str) -> "IgnoreMatcher | None":
    """The context's .dockerignore, read once for the rest of the command after remember_walks()."""
    if _walks is None:
        return IgnoreMatcher.for_context(root)
    key = ("ignore", _realpath(root))
    if key not in _walks:
        _walks[key] = IgnoreMatcher.for_context(root)
    return _walks[key]


def _shipped_files(context_dir, sources: list[str], dockerignore: bool) -> list[str]:
    root = os.fspath(context_dir) or "."  # as Path("") is "."
    if not os.path.isdir(root):
        return []
    matcher = _ignore_matcher(root) if dockerignore else None
    out: set[str] = set()
    budget = _Budget(MAX_ENTRIES)  # a huge context is read in part, never without end
    for source in sources:
        if not source or _REMOTE.match(source):
            continue
        for rel in _expand_source(root, source, budget):
            if rel and matcher is not None and matcher.excluded(rel) and not matcher.has_exceptions:
                continue
            _collect(root, rel, matcher, out, budget)
    return sorted(out)
