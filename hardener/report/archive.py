"""An image's filesystem, read offline from the archive an engine saves.

    fs = read_filesystem(Path("image.tar"), Wanted(files=("etc/os-release",)))
    fs.resolve("/bin/sh"); fs.read("/etc/os-release"); fs.walk()

Accepted: ``docker save`` / ``podman save --format docker-archive`` (a tar with
``manifest.json``: Config + Layers), ``podman save --format oci-archive`` (a tar
holding an OCI layout) and an OCI layout directory (``index.json`` -> manifest
-> config + layers). Layers may be plain tar, gzip, bzip2 or xz; zstd is refused.

The layers are applied in order, as the engine's storage would: ``.wh.NAME``
deletes NAME (and what is under it) from the layers below, ``.wh..wh..opq``
empties its directory of what the layers below put there. The result is an
in-memory tree; nothing is extracted, nothing in the image runs, and links are
only ever followed inside that tree (an absolute or ``..`` target stops at the
image's root, as it does in a container).

Only the contents of the files ``Wanted`` names are read, each up to
``Limits.max_file_bytes``. The archive is streamed (its index of members, never
its data, is kept); layers are read from disk through a window on the archive.
A hostile archive (a name climbing out with ``..``, a member larger than its
layer, a decompression bomb, millions of entries) ends in ``ArchiveError`` or a
warning, never in a write, a read outside the archive or unbounded memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

__all__ = ["ArchiveError", "Entry", "ImageFS", "Layer", "Limits", "Wanted", "read_filesystem"]


class ArchiveError(ValueError):
    """The archive cannot be read as an image (not one, damaged, or over a limit)."""


@dataclass(frozen=True)
class Limits:
    max_json_bytes: int = 8 << 20  # manifest.json, index.json, the image config
    max_file_bytes: int = 64 << 20  # one wanted file (an rpmdb.sqlite is the largest)
    max_read_bytes: int = 256 << 20  # all wanted files together
    max_entries: int = 2_000_000  # filesystem entries over all layers
    max_layers: int = 512
    max_archive_members: int = 200_000
    max_expanded_bytes: int = 64 << 30  # layer members' sizes, after decompression


@dataclass(frozen=True)
class Wanted:
    """Files whose contents to read (paths inside the image, links followed)."""

    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()  # every regular file directly in these directories

    def matches(self, path: str) -> bool:
        return path in self.files or path.rpartition("/")[0] in self.dirs


@dataclass(slots=True)
class Entry:
    kind: str  # "file" | "dir" | "symlink" | "char" | "block" | "fifo"
    mode: int  # permission bits, setuid/setgid/sticky included
    size: int
    uid: int
    gid: int
    layer: int  # index of the layer that wrote it
    link: str = ""  # a symlink's target as written; for a hard link, the path it shares data with
    hardlink: bool = False
    capabilities: bool = False  # carries a security.capability xattr
    source: str = ""  # the member holding the data, in that layer


class Node:
    __slots__ = ("entry", "children", "data")

    def __init__(self, entry: Entry | None = None, data: bytes | None = None):
        self.entry = entry  # None: a directory no layer listed (implied by its children)
        self.children: dict[str, Node] = {}
        self.data = data

    @property
    def kind(self) -> str:
        return self.entry.kind if self.entry else "dir"


@dataclass(frozen=True)
class Layer:
    name: str  # the member or blob it was read from
    bytes: int  # as stored in the archive (compressed when it is)


@dataclass
class ImageFS:
    root: Node
    config: dict
    config_digest: str
    layers: list[Layer]
    tags: list[str]
    warnings: list[str] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[str, Entry]]:
        """(path, entry) for every listed entry, paths without the leading slash, parents first."""
        stack = [("", self.root)]
        while stack:
            prefix, node = stack.pop()
            for name in sorted(node.children, reverse=True):
                child = node.children[name]
                path = prefix + name
                if child.entry is not None:
                    yield path, child.entry
                if child.children:
                    stack.append((path + "/", child))

    def resolve(self, path: str, follow_last: bool = True) -> tuple[str, Node] | None:
        return _resolve(self.root, path, follow_last)

    def read(self, path: str) -> bytes | None:
        """The contents of a regular file that was wanted; None when absent or not read."""
        found = self.resolve(path)
        return found[1].data if found and found[1].kind == "file" else None

    def exists(self, path: str) -> bool:
        return self.resolve(path) is not None

    def listdir(self, path: str) -> list[str]:
        found = self.resolve(path)
        return sorted(found[1].children) if found and found[1].kind == "dir" else []


MAX_LINK_HOPS = 40  # Linux's own limit for one lookup


def _resolve(root: Node, path: str, follow_last: bool) -> tuple[str, Node] | None:
    names: list[str] = []
    nodes = [root]
    pending = list(reversed(path.split("/")))
    hops = 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            if names:  # at the root, ".." is the root
                names.pop()
                nodes.pop()
            continue
        child = nodes[-1].children.get(name) if nodes[-1].kind == "dir" else None
        if child is None:
            return None
        if child.kind == "symlink" and (pending or follow_last):
            hops += 1
            if hops > MAX_LINK_HOPS:
                return None
            assert child.entry is not None
            if child.entry.link.startswith("/"):
                names, nodes = [], [root]
            pending.extend(reversed(child.entry.link.split("/")))
            continue
        names.append(name)
        nodes.append(child)
    return "/".join(names), nodes[-1]


def clean_name(name: str) -> list[str] | None:
    """A member name as path parts inside the image; None when it climbs out of it."""
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        if "\x00" in part:
            return None
        parts.append(part)
    return parts


# -- reading the archive --------------------------------------------------------------------


class _Window(io.RawIOBase):
    """Bytes [offset, offset + size) of an open file, seekable, read-only."""

    def __init__(self, file: BinaryIO, offset: int, size: int):
        self._file, self._start, self._size, self._pos = file, offset, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self._size - self._pos)
        if count <= 0:
            return 0
        self._file.seek(self._start + self._pos)
        data = self._file.read(count)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


class _TarSource:
    """The regular members of an archive tar, by clean name."""

    def __init__(self, path: Path, limits: Limits):
        self._file = open(path, "rb")
        self.members: dict[str, tuple[int, int]] = {}
        try:
            self._index(limits)
        except BaseException:
            self._file.close()
            raise

    def _index(self, limits: Limits) -> None:
        file_size = os.fstat(self._file.fileno()).st_size
        if self._file.read(2) == b"\x1f\x8b":
            raise ArchiveError("a compressed archive: gunzip it first (dhard reads the archive in place)")
        self._file.seek(0)
        try:
            tar = tarfile.open(fileobj=self._file, mode="r:")
            for count, member in enumerate(_members(tar)):
                if count >= limits.max_archive_members:
                    raise ArchiveError(f"more than {limits.max_archive_members} members in the archive")
                parts = clean_name(member.name)
                if parts and member.isreg():
                    if member.offset_data + member.size > file_size:
                        raise ArchiveError(f"member {member.name!r} runs past the end of the archive")
                    self.members["/".join(parts)] = (member.offset_data, member.size)
        except tarfile.TarError as err:
            raise ArchiveError(f"not a readable tar archive: {err}") from err

    def size(self, name: str) -> int:
        return self._member(name)[1]

    def open(self, name: str) -> BinaryIO:
        offset, size = self._member(name)
        return io.BufferedReader(_Window(self._file, offset, size), buffer_size=1 << 16)  # type: ignore[return-value]

    def has(self, name: str) -> bool:
        return name in self.members

    def _member(self, name: str) -> tuple[int, int]:
        parts = clean_name(name)
        key = "/".join(parts) if parts else ""
        if key not in self.members:
            raise ArchiveError(f"the archive has no file {name!r}")
        return self.members[key]

    def close(self) -> None:
        self._file.close()


class _DirSource:
    """The files of an OCI layout directory, never a path outside it."""

    def __init__(self, path: Path):
        self.root = os.path.realpath(path)

    def _path(self, name: str) -> str:
        parts = clean_name(name)
        if not parts:
            raise ArchiveError(f"bad file name in the layout: {name!r}")
        full = os.path.realpath(os.path.join(self.root, *parts))
        if not full.startswith(self.root + os.sep) or not os.path.isfile(full):
            raise ArchiveError(f"the layout has no file {name!r} inside it")
        return full

    def has(self, name: str) -> bool:
        try:
            self._path(name)
        except ArchiveError:
            return False
        return True

    def size(self, name: str) -> int:
        return os.path.getsize(self._path(name))

    def open(self, name: str) -> BinaryIO:
        return open(self._path(name), "rb")

    def close(self) -> None:
        pass


_Source = _TarSource | _DirSource


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """A tar's members one at a time; tarfile would otherwise keep every header it read."""
    while True:
        member = tar.next()
        if member is None:
            return
        tar.members.clear()  # type: ignore[attr-defined]  # a plain list attribute, not in the stubs
        yield member


def _read_bytes(source: _Source, name: str, cap: int) -> bytes:
    if source.size(name) > cap:
        raise ArchiveError(f"{name} is over {cap} bytes")
    with source.open(name) as f:
        return f.read(cap)


def _read_json(source: _Source, name: str, cap: int) -> tuple[object, bytes]:
    raw = _read_bytes(source, name, cap)
    try:
        return json.loads(raw), raw
    except (ValueError, RecursionError) as err:
        raise ArchiveError(f"{name} is not JSON: {err}") from err


# -- which image, which layers ------------------------------------------------------------------

_DIGEST = re.compile(r"(sha256|sha512):([0-9a-f]{64}|[0-9a-f]{128})")
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


def _blob(digest: object) -> str:
    m = _DIGEST.fullmatch(digest) if isinstance(digest, str) else None
    if not m:
        raise ArchiveError(f"bad digest {digest!r}")
    return f"blobs/{m.group(1)}/{m.group(2)}"


def _short_tag(tag: str) -> str:
    for prefix in ("localhost/", "docker.io/library/", "docker.io/"):
        if tag.startswith(prefix):
            return tag[len(prefix):]
    return tag


def _tag_matches(tag: str | None, tags: list[str]) -> bool:
    return tag is None or _short_tag(tag) in {_short_tag(t) for t in tags}


def _pick(candidates: list[tuple[list[str], dict]], tag: str | None) -> tuple[list[str], dict]:
    chosen = [c for c in candidates if _tag_matches(tag, c[0])]
    if tag is None and len(chosen) > 1:
        names = ", ".join(t for c in chosen for t in c[0]) or f"{len(chosen)} untagged images"
        raise ArchiveError(f"the archive holds several images ({names}); say which")
    if not chosen:
        raise ArchiveError(f"the archive holds no image tagged {tag}" if tag else "the archive holds no image")
    return chosen[0]


def _docker_layout(source: _Source, tag: str | None, limits: Limits) -> tuple[list[str], str, list[tuple[str, str]]]:
    manifest, _ = _read_json(source, "manifest.json", limits.max_json_bytes)
    if not isinstance(manifest, list):
        raise ArchiveError("manifest.json is not a list of images")
    candidates = [(list(e.get("RepoTags") or []), e) for e in manifest if isinstance(e, dict)]
    tags, entry = _pick(candidates, tag)
    config, layers = entry.get("Config"), entry.get("Layers")
    if not isinstance(config, str) or not isinstance(layers, list) or not all(isinstance(x, str) for x in layers):
        raise ArchiveError("manifest.json: an image without Config or Layers")
    return tags, config, [(name, "") for name in layers]


def _oci_layout(source: _Source, tag: str | None, limits: Limits) -> tuple[list[str], str, list[tuple[str, str]]]:
    index, _ = _read_json(source, "index.json", limits.max_json_bytes)
    for _depth in range(4):  # an index may point at an index (several platforms)
        manifests = index.get("manifests") if isinstance(index, dict) else None
        if not isinstance(manifests, list):
            raise ArchiveError("index.json has no manifests")
        candidates = [(_ref_names(m), m) for m in manifests if isinstance(m, dict)]
        tags, descriptor = _pick(_platform_first(candidates), tag if _depth == 0 else None) \
            if len(candidates) != 1 else candidates[0]
        doc, _ = _read_json(source, _blob(descriptor.get("digest")), limits.max_json_bytes)
        if not isinstance(doc, dict):
            raise ArchiveError("an OCI manifest that is not an object")
        if doc.get("mediaType") in _INDEX_TYPES or "manifests" in doc:
            index, tag = doc, None
            continue
        config = doc.get("config")
        layers = doc.get("layers")
        if not isinstance(config, dict) or not isinstance(layers, list):
            raise ArchiveError("an OCI manifest without config or layers")
        return tags, _blob(config.get("digest")), [
            (_blob(layer.get("digest")), str(layer.get("mediaType", ""))) for layer in layers if isinstance(layer, dict)
        ]
    raise ArchiveError("index.json: indexes nested too deep")


def _ref_names(descriptor: dict) -> list[str]:
    notes = descriptor.get("annotations") or {}
    names = [notes.get(k) for k in ("io.containerd.image.name", "org.opencontainers.image.ref.name")]
    return [n for n in names if isinstance(n, str)]


def _platform_first(candidates: list[tuple[list[str], dict]]) -> list[tuple[list[str], dict]]:
    """Several platforms and no tag: linux/amd64 first, and only one of them."""
    def platform(c: tuple[list[str], dict]) -> str:
        p = c[1].get("platform") or {}
        return f"{p.get('os')}/{p.get('architecture')}"

    platforms = {platform(c) for c in candidates}
    if len(platforms) > 1 and all(not c[0] for c in candidates):
        best = "linux/amd64" if "linux/amd64" in platforms else sorted(platforms)[0]
        return [next(c for c in candidates if platform(c) == best)]
    return candidates


# -- applying layers -----------------------------------------------------------------------------


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.expanded = 0
        self.read = 0
        self.entries = 0

    def member(self, size: int) -> None:
        self.expanded += size
        self.entries += 1
        if self.expanded > self.limits.max_expanded_bytes:
            raise ArchiveError(f"the layers expand to more than {self.limits.max_expanded_bytes} bytes")
        if self.entries > self.limits.max_entries:
            raise ArchiveError(f"more than {self.limits.max_entries} entries in the layers")

    def may_read(self, size: int) -> bool:
        return size <= self.limits.max_file_bytes and self.read + size <= self.limits.max_read_bytes


_KINDS = {
    **dict.fromkeys(tarfile.REGULAR_TYPES, "file"),
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block",
    tarfile.FIFOTYPE: "fifo",
}
_CAPABILITY = "SCHILY.xattr.security.capability"


def _open_layer(stream: BinaryIO, name: str, media_type: str) -> tarfile.TarFile:
    head = stream.read(6)
    stream.seek(0)
    if "zstd" in media_type or head[:4] == b"\x28\xb5\x2f\xfd":
        raise ArchiveError(f"layer {name} is zstd-compressed, which dhard cannot read")
    if head[:2] == b"\x1f\x8b":
        mode = "r|gz"
    elif head[:3] == b"BZh":
        mode = "r|bz2"
    elif head == b"\xfd7zXZ\x00":
        mode = "r|xz"
    else:
        mode = "r:"  # plain: seek over the data instead of reading it
    return tarfile.open(fileobj=stream, mode=mode)  # type: ignore[call-overload]


class _LayerChanges:
    """What one layer does: entries to add, in order, and what it deletes below it."""

    def __init__(self) -> None:
        self.adds: list[tuple[list[str], Node]] = []
        self.by_path: dict[str, Node] = {}
        self.whiteouts: list[list[str]] = []
        self.opaque: list[list[str]] = []


def _read_layer(fs: ImageFS, source: _Source, number: int, layer: tuple[str, str], wanted: Wanted,
                budget: _Budget) -> _LayerChanges:
    name, media_type = layer
    changes = _LayerChanges()
    try:
        with source.open(name) as stream, _open_layer(stream, name, media_type) as tar:
            for member in _members(tar):
                budget.member(member.size)
                _take(fs, tar, member, number, changes, wanted, budget)
    except tarfile.TarError as err:
        raise ArchiveError(f"layer {name} is not a readable tar: {err}") from err
    return changes


def _take(fs: ImageFS, tar: tarfile.TarFile, member: tarfile.TarInfo, number: int, changes: _LayerChanges,
          wanted: Wanted, budget: _Budget) -> None:
    parts = clean_name(member.name)
    if parts is None:
        fs.warnings.append(f"layer {number + 1}: skipped {member.name!r}, which climbs out of the image")
        return
    if not parts:
        return
    base = parts[-1]
    if base == ".wh..wh..opq":
        changes.opaque.append(parts[:-1])
        return
    if base.startswith(".wh..wh."):
        return  # aufs bookkeeping
    if base.startswith(".wh."):
        changes.whiteouts.append(parts[:-1] + [base[4:]])
        return
    node = _node_of(fs, tar, member, parts, number, changes, wanted, budget)
    if node is not None:
        path = "/".join(parts)
        changes.adds.append((parts, node))
        changes.by_path[path] = node


def _node_of(fs: ImageFS, tar: tarfile.TarFile, member: tarfile.TarInfo, parts: list[str], number: int,
             changes: _LayerChanges, wanted: Wanted, budget: _Budget) -> Node | None:
    kind = _KINDS.get(member.type)
    if kind is None:
        return None
    path = "/".join(parts)
    entry = Entry(kind, member.mode & 0o7777, member.size, member.uid, member.gid, number,
                  capabilities=_CAPABILITY in member.pax_headers, source=path)
    if kind == "symlink":
        entry.link = member.linkname
        entry.size = 0
    if kind == "hardlink":
        return _hardlink(fs, member, entry, changes)
    if kind != "file":
        entry.size = 0
        return Node(entry)
    data = _read_member(fs, tar, member, path, budget) if wanted.matches(path) else None
    return Node(entry, data)


def _hardlink(fs: ImageFS, member: tarfile.TarInfo, entry: Entry, changes: _LayerChanges) -> Node | None:
    target_parts = clean_name(member.linkname)
    target_path = "/".join(target_parts or [])
    target = changes.by_path.get(target_path)
    if target is None and target_parts:
        found = _resolve(fs.root, target_path, follow_last=False)
        target = found[1] if found and found[0] == target_path else None
    if target is None or target.kind != "file" or target.entry is None:
        fs.warnings.append(f"skipped hard link {member.name!r}: no file {member.linkname!r} before it")
        return None
    entry.kind, entry.hardlink, entry.link = "file", True, target_path
    entry.size, entry.source, entry.layer = target.entry.size, target.entry.source, target.entry.layer
    return Node(entry, target.data)


def _read_member(fs: ImageFS, tar: tarfile.TarFile, member: tarfile.TarInfo, path: str,
                 budget: _Budget) -> bytes | None:
    if not budget.may_read(member.size):
        fs.warnings.append(f"/{path}: {member.size} bytes, over the read limit; not read")
        return None
    f = tar.extractfile(member)
    if f is None:
        return None
    data = f.read(member.size)
    if len(data) != member.size:
        raise ArchiveError(f"/{path}: the archive ends inside it")
    budget.read += len(data)
    return data


def _apply(root: Node, changes: _LayerChanges) -> None:
    for parts in changes.opaque:
        found = _literal(root, parts)
        if found is not None:
            found.children.clear()
    for parts in changes.whiteouts:
        parent = _literal(root, parts[:-1])
        if parent is not None:
            parent.children.pop(parts[-1], None)
    for parts, node in changes.adds:
        parent = _make_dirs(root, parts[:-1])
        old = parent.children.get(parts[-1])
        if node.kind == "dir" and old is not None and old.kind == "dir":
            old.entry = node.entry  # a directory listed again keeps what is in it
        else:
            parent.children[parts[-1]] = node


def _literal(root: Node, parts: list[str]) -> Node | None:
    node = root
    for part in parts:
        child = node.children.get(part)
        if child is None:
            return None
        node = child
    return node


def _make_dirs(root: Node, parts: list[str]) -> Node:
    node = root
    for part in parts:
        child = node.children.get(part)
        if child is None or child.kind != "dir":
            child = Node()
            node.children[part] = child
        node = child
    return node


# -- the second look: wanted files reached through links ---------------------------------------


def _missing(fs: ImageFS, wanted: Wanted, budget: _Budget) -> dict[tuple[int, str], list[Node]]:
    """Wanted files the first pass did not read (reached through a link or a hard link)."""
    nodes = [fs.resolve(p) for p in wanted.files]
    for folder in wanted.dirs:
        nodes += [fs.resolve(f"{folder}/{name}") for name in fs.listdir(folder)]
    out: dict[tuple[int, str], list[Node]] = {}
    for found in nodes:
        if found is None or found[1].kind != "file" or found[1].data is not None or found[1].entry is None:
            continue
        entry = found[1].entry
        if not budget.may_read(entry.size):  # the first pass said so already
            continue
        out.setdefault((entry.layer, entry.source), []).append(found[1])
    return out


def _fill_missing(fs: ImageFS, source: _Source, layers: list[tuple[str, str]], budget: _Budget,
                  missing: dict[tuple[int, str], list[Node]]) -> None:
    for number in sorted({layer for layer, _ in missing}):
        name = layers[number][0]
        wanted_here = {path: nodes for (layer, path), nodes in missing.items() if layer == number}
        try:
            with source.open(name) as stream, _open_layer(stream, name, layers[number][1]) as tar:
                for member in _members(tar):
                    parts = clean_name(member.name)
                    path = "/".join(parts or [])
                    if parts and path in wanted_here and member.isreg():
                        data = _read_member(fs, tar, member, path, budget)
                        for node in wanted_here.pop(path):
                            node.data = data
                    if not wanted_here:
                        break
        except tarfile.TarError as err:
            raise ArchiveError(f"layer {name} is not a readable tar: {err}") from err


# -- the entry point ----------------------------------------------------------------------------------


def _open_source(path: Path, limits: Limits) -> _Source:
    if path.is_dir():
        return _DirSource(path)
    if not path.is_file():
        raise ArchiveError(f"{path}: no such archive")
    return _TarSource(path, limits)


def read_filesystem(path: Path, wanted: Wanted = Wanted(), tag: str | None = None,
                    limits: Limits = Limits()) -> ImageFS:
    """The merged filesystem of the image in ``path`` (``tag`` picks one of several)."""
    source = _open_source(Path(path), limits)
    try:
        return _read(source, wanted, tag, limits)
    finally:
        source.close()


def _read(source: _Source, wanted: Wanted, tag: str | None, limits: Limits) -> ImageFS:
    if source.has("manifest.json"):
        tags, config_name, layers = _docker_layout(source, tag, limits)
    elif source.has("index.json"):
        tags, config_name, layers = _oci_layout(source, tag, limits)
    else:
        raise ArchiveError("neither a docker-archive (manifest.json) nor an OCI layout (index.json)")
    if len(layers) > limits.max_layers:
        raise ArchiveError(f"{len(layers)} layers, more than {limits.max_layers}")
    config, raw = _read_json(source, config_name, limits.max_json_bytes)
    if not isinstance(config, dict):
        raise ArchiveError("the image config is not an object")
    fs = ImageFS(Node(), config, "sha256:" + hashlib.sha256(raw).hexdigest(),
                 [Layer(name, source.size(name)) for name, _ in layers], tags)
    budget = _Budget(limits)
    for number, layer in enumerate(layers):
        _apply(fs.root, _read_layer(fs, source, number, layer, wanted, budget))
    missing = _missing(fs, wanted, budget)
    if missing:
        _fill_missing(fs, source, layers, budget, missing)
    return fs
