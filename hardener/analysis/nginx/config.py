"""A whole nginx configuration: the main file and what its ``include``s bring in.

Files are read only through the caller's ``Files`` (``read`` and ``glob`` over
the paths the caller allows, as they would be inside the image), never from
this machine's filesystem. Includes resolve as nginx resolves them: a relative
path against the configuration's folder (nginx's conf prefix), a pattern with
``*?[`` through ``glob`` in sorted order (no match is no error), a plain path
must exist. An include dhard cannot resolve (a variable, a file it was not
given) is kept in ``Config.unresolved``, not raised: the caller decides.

Bounded: include depth, number of files, total bytes and the number of
directives the includes expand to are capped; an include loop is a ParseError.
"""

from __future__ import annotations

import posixpath
import re

from ...record import dataclass, field
from .syntax import Directive, ParseError, parse_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping
    from typing import Protocol

    class Files(Protocol):
        def read(self, path: str) -> bytes | str | None:
            """The file's content, or None when the caller has no such file."""
            ...

        def glob(self, pattern: str) -> list[str]:
            """The paths the caller has that match ``pattern`` (glob(3) rules)."""
            ...


ENCODING = "utf-8"
ERRORS = "surrogateescape"  # bytes that are not UTF-8 come back out unchanged
CONTEXTS = ("main", "http", "stream")  # what a file's top level is: nginx.conf, conf.d/*.conf, a stream include
# blocks whose entries are data (map keys, MIME types), not directives
DATA_BLOCKS = frozenset({"map", "geo", "types", "split_clients", "charset_map", "match"})
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Limits:
    depth: int = 16  # includes within includes
    files: int = 1000
    total_bytes: int = 16 << 20
    expanded: int = 1_000_000  # directives counted once per include site


@dataclass(frozen=True)
class ConfFile:
    path: str
    text: str
    directives: tuple[Directive, ...]

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def data(self) -> bytes:
        return encode(self.text)


@dataclass(frozen=True)
class Unresolved:
    directive: Directive
    pattern: str
    reason: str


@dataclass(frozen=True)
class Config:
    root: str
    context: str  # the root file's top level: main (nginx.conf) or http (a conf.d server file)
    conf_dir: str
    files: Mapping[str, ConfFile]
    includes: Mapping[tuple[str, int], tuple[str, ...]]  # (file, directive start) -> included paths
    unresolved: tuple[Unresolved, ...] = ()
    opaque: frozenset[str] = field(default_factory=frozenset)  # included paths known to exist, not read


@dataclass(frozen=True)
class Visit:
    directive: Directive
    parents: tuple[Directive, ...]  # enclosing blocks, outermost first, across includes
    context: str  # the top level the walk started in

    def inside(self, *names: str) -> bool:
        """The innermost enclosing blocks are ``names`` (outermost first), e.g. inside("http", "server")."""
        chain = (self.context, *(p.name.value for p in self.parents))
        return chain[-len(names) :] == names


def decode(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode(ENCODING, ERRORS)


def encode(text: str) -> bytes:
    return text.encode(ENCODING, ERRORS)


class InMemoryFiles:
    """``Files`` over a mapping of absolute paths to contents (what the caller read from the build context)."""

    def __init__(self, contents: Mapping[str, bytes | str]):
        self.contents = {posixpath.normpath(k): v for k, v in contents.items()}

    def read(self, path: str) -> bytes | str | None:
        return self.contents.get(posixpath.normpath(path))

    def glob(self, pattern: str) -> list[str]:
        return sorted(p for p in self.contents if glob_match(pattern, p))


def glob_match(pattern: str, path: str) -> bool:
    """glob(3) on one path: wildcards stay within a segment and do not match a leading dot."""
    wanted, parts = pattern.split("/"), path.split("/")
    if len(wanted) != len(parts):
        return False
    return all(_segment_matches(w, p) for w, p in zip(wanted, parts))


def _segment_matches(pattern: str, name: str) -> bool:
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return re.fullmatch(_segment_regex(pattern), name, re.DOTALL) is not None


def _segment_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        close = pattern.find("]", i + 2) if char == "[" else -1
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif close != -1:
            inner = pattern[i + 1 : close]
            out.append("[" + ("^" + re.escape(inner[1:]) if inner[:1] == "!" else re.escape(inner)).replace("\\-", "-") + "]")
            i = close
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse_config(
    path: str,
    files: Files,
    *,
    context: str = "main",
    conf_dir: str | None = None,
    opaque: Collection[str] = (),
    limits: Limits = Limits(),
) -> Config:
    """Read ``path`` and everything it includes through ``files``.

    ``context`` is what the file's top level is: ``main`` for an nginx.conf,
    ``http`` for a conf.d server file (it has no ``http {}`` around it).
    ``conf_dir`` is where relative includes point (default: ``path``'s folder).
    ``opaque`` are paths the target image has whose contents dhard need not
    read (``/etc/nginx/mime.types``): including them is resolved, not parsed.
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}")
    path = posixpath.normpath(path)
    loader = _Loader(files, conf_dir or posixpath.dirname(path), frozenset(map(posixpath.normpath, opaque)), limits)
    loader.load_root(path)
    return Config(path, context, loader.conf_dir, loader.files, loader.includes, tuple(loader.unresolved), loader.opaque)


class _Loader:
    def __init__(self, files, conf_dir: str, opaque: frozenset[str], limits: Limits):
        self.source, self.conf_dir, self.opaque, self.limits = files, conf_dir, opaque, limits
        self.files: dict[str, ConfFile] = {}
        self.includes: dict[tuple[str, int], tuple[str, ...]] = {}
        self.unresolved: list[Unresolved] = []
        self.height: dict[str, int] = {}  # finished files: the longest include chain below
        self.size: dict[str, int] = {}  # finished files: directives once includes are expanded
        self.total = 0

    def load_root(self, path: str):
        data = self.source.read(path)
        if data is None:
            raise ParseError(path, 0, "no such file among those dhard was given")
        self.load(path, decode(data), ())

    def load(self, path: str, text: str, chain: tuple[str, ...]):
        self.total += len(text)
        if self.total > self.limits.total_bytes:
            raise ParseError(path, 1, f"the configuration is over {self.limits.total_bytes >> 20} MB with its includes")
        if len(self.files) >= self.limits.files:
            raise ParseError(path, 1, f"the configuration includes more than {self.limits.files} files")
        conf = ConfFile(path, text, parse_text(text, path))
        self.files[path] = conf
        height, size = 0, 0
        for directive in _all_directives(conf.directives):
            size += 1
            if directive.name.value == "include" and not directive.is_block:
                below, count = self.include(directive, (*chain, path))
                height, size = max(height, below + 1), size + count
        self.height[path], self.size[path] = height, size
        if size > self.limits.expanded:
            raise ParseError(path, 1, f"its includes expand to more than {self.limits.expanded} directives")

    def include(self, directive: Directive, chain: tuple[str, ...]) -> tuple[int, int]:
        """Resolve one include; the longest chain and the directive count it adds."""
        targets = self.resolve(directive)
        if targets is None:
            return 0, 0
        self.includes[(directive.file, directive.start)] = targets
        height, size = 0, 0
        for target in targets:
            self.visit(target, directive, chain)
            height, size = max(height, self.height.get(target, 0)), size + self.size.get(target, 0)
        if len(chain) + height > self.limits.depth:
            raise ParseError(directive.file, directive.line, f"includes nest deeper than {self.limits.depth}")
        return height, size

    def visit(self, target: str, directive: Directive, chain: tuple[str, ...]):
        if target in chain:
            loop = " -> ".join((*chain[chain.index(target) :], target))
            raise ParseError(directive.file, directive.line, f"include loop: {loop}")
        if target in self.files or target in self.opaque:
            return
        if len(chain) >= self.limits.depth:
            raise ParseError(directive.file, directive.line, f"includes nest deeper than {self.limits.depth}")
        data = self.source.read(target)
        if data is None:  # listed by glob, gone on read: the caller's files disagree with themselves
            self.unresolved.append(Unresolved(directive, target, f"{target} could not be read"))
            return
        self.load(target, decode(data), chain)

    def resolve(self, directive: Directive) -> tuple[str, ...] | None:
        """The paths an include names, or None (recorded in ``unresolved``)."""
        if len(directive.args) != 1:
            self.unresolved.append(Unresolved(directive, " ".join(directive.values), "include takes one path"))
            return None
        pattern = directive.args[0].value
        if "$" in pattern:
            self.unresolved.append(Unresolved(directive, pattern, f"include {pattern} uses a variable"))
            return None
        full = posixpath.normpath(posixpath.join(self.conf_dir, pattern))
        if _GLOB.search(full):
            return tuple(sorted(self.source.glob(full)))
        if full in self.opaque or self.source.read(full) is not None:
            return (full,)
        self.unresolved.append(Unresolved(directive, pattern, f"include {pattern}: {full} is not among the files dhard was given"))
        return None


def _all_directives(directives: tuple[Directive, ...]) -> Iterator[Directive]:
    """Every directive of one file, blocks' children included, in source order, without recursion."""
    stack = [iter(directives)]
    while stack:
        directive = next(stack[-1], None)
        if directive is None:
            stack.pop()
            continue
        yield directive
        if directive.children:
            stack.append(iter(directive.children))


def walk(config: Config, *, into_data: bool = False) -> Iterator[Visit]:
    """Every directive nginx would read, includes expanded where they stand, in order.

    Entries of data blocks (``map``, ``types`` ...) are not directives and are
    skipped unless ``into_data``.
    """
    root = config.files[config.root]
    stack: list[tuple[Iterator[Directive], tuple[Directive, ...]]] = [(iter(root.directives), ())]
    while stack:
        directives, parents = stack[-1]
        directive = next(directives, None)
        if directive is None:
            stack.pop()
            continue
        yield Visit(directive, parents, config.context)
        if directive.children and (into_data or directive.name.value not in DATA_BLOCKS):
            stack.append((iter(directive.children), (*parents, directive)))
        elif directive.name.value == "include" and not directive.is_block:
            for target in reversed(config.includes.get((directive.file, directive.start), ())):
                if target in config.files:
                    stack.append((iter(config.files[target].directives), parents))
