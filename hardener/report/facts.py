"""What one built image exposes, measured from its saved archive: ``ImageFacts``.

    facts = read_archive(Path("original.tar"))
    facts.packages, facts.setuid, facts.tools["shells"], facts.user, facts.runs_as_root

Or straight from the engine (``podman save`` / ``docker save`` into a temporary
file, read, removed; nothing runs inside the image):

    facts = measure_image(engine, "localhost/app:original", Path(tmp))
"""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..semantic.users import is_root
from .archive import ArchiveError, Entry, ImageFS, Limits, Wanted, read_filesystem
from .packages import (APK_DBS, DPKG_STATUS, DPKG_STATUS_D, RPM_OTHER, RPM_SQLITE, Package, UnreadableDb,
                       parse_apk, parse_dpkg, parse_rpm_sqlite)
from .tools import BIN_DIRS, TOOL_KINDS

__all__ = ["ImageFacts", "read_archive", "facts_of", "save_command", "measure_image"]

OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
WANTED = Wanted(files=(DPKG_STATUS, *APK_DBS, *RPM_SQLITE, *OS_RELEASE), dirs=(DPKG_STATUS_D,))


@dataclass(frozen=True)
class ImageFacts:
    reference: str  # the tag it was saved under, or the archive's name
    image_id: str  # sha256 of the image config
    os: str
    architecture: str
    os_release: dict[str, str]  # ID, VERSION_ID, PRETTY_NAME from /etc/os-release, when there
    layer_count: int
    layers_bytes: int  # the layers as stored in the archive
    content_bytes: int  # regular files of the merged filesystem, hard links once
    file_count: int
    packages: tuple[Package, ...]
    package_dbs: dict[str, str]  # manager -> "read" | "present, not read (why)"
    setuid: tuple[str, ...]  # absolute paths of regular files
    setgid: tuple[str, ...]
    capabilities: tuple[str, ...]  # files with a security.capability xattr
    tools: dict[str, tuple[str, ...]]  # kind (tools.TOOL_KINDS) -> absolute paths found
    user: str  # Config.User as written; "" when unset (root)
    exposed_ports: tuple[str, ...]  # "8000/tcp"
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    warnings: tuple[str, ...] = field(default=())

    @property
    def runs_as_root(self) -> bool:
        return is_root(self.user)

    @property
    def user_display(self) -> str:
        return self.user or "root (no USER)"

    def tool_names(self, kind: str) -> list[str]:
        return sorted({path.rsplit("/", 1)[-1] for path in self.tools.get(kind, ())})

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "image_id": self.image_id,
            "os": self.os,
            "architecture": self.architecture,
            "os_release": dict(self.os_release),
            "size": {"layers_bytes": self.layers_bytes, "content_bytes": self.content_bytes,
                     "layer_count": self.layer_count, "file_count": self.file_count},
            "packages": [{"manager": p.manager, "name": p.name, "version": p.version, "arch": p.arch}
                         for p in self.packages],
            "package_dbs": dict(self.package_dbs),
            "setuid": list(self.setuid),
            "setgid": list(self.setgid),
            "capabilities": list(self.capabilities),
            "tools": {kind: list(self.tools.get(kind, ())) for kind in TOOL_KINDS},
            "user": self.user,
            "runs_as_root": self.runs_as_root,
            "exposed_ports": list(self.exposed_ports),
            "entrypoint": None if self.entrypoint is None else list(self.entrypoint),
            "cmd": None if self.cmd is None else list(self.cmd),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ImageFacts":
        size = d["size"]
        return cls(
            reference=d["reference"], image_id=d["image_id"], os=d["os"], architecture=d["architecture"],
            os_release=dict(d["os_release"]), layer_count=size["layer_count"], layers_bytes=size["layers_bytes"],
            content_bytes=size["content_bytes"], file_count=size["file_count"],
            packages=tuple(Package(p["manager"], p["name"], p["version"], p["arch"]) for p in d["packages"]),
            package_dbs=dict(d["package_dbs"]), setuid=tuple(d["setuid"]), setgid=tuple(d["setgid"]),
            capabilities=tuple(d["capabilities"]), tools={k: tuple(v) for k, v in d["tools"].items()},
            user=d["user"], exposed_ports=tuple(d["exposed_ports"]),
            entrypoint=None if d["entrypoint"] is None else tuple(d["entrypoint"]),
            cmd=None if d["cmd"] is None else tuple(d["cmd"]), warnings=tuple(d["warnings"]),
        )


# -- from the filesystem ---------------------------------------------------------------------


def read_archive(path: Path, tag: str | None = None, reference: str | None = None,
                 limits: Limits = Limits()) -> ImageFacts:
    """The facts of the image saved in ``path`` (docker-archive, oci-archive or an OCI layout directory).

    Raises ``ArchiveError`` when it is not an image archive or breaks a limit.
    """
    fs = read_filesystem(Path(path), WANTED, tag, limits)
    return facts_of(fs, reference or tag or (fs.tags[0] if fs.tags else Path(path).name))


def facts_of(fs: ImageFS, reference: str) -> ImageFacts:
    config = fs.config.get("config") or {}
    warnings = list(fs.warnings)
    packages, dbs = _packages(fs, warnings)
    files = list(fs.walk())
    return ImageFacts(
        reference=reference,
        image_id=fs.config_digest,
        os=str(fs.config.get("os", "")),
        architecture=str(fs.config.get("architecture", "")),
        os_release=_os_release(fs),
        layer_count=len(fs.layers),
        layers_bytes=sum(layer.bytes for layer in fs.layers),
        content_bytes=_content_bytes(files),
        file_count=sum(1 for _, entry in files if entry.kind == "file"),
        packages=tuple(sorted(set(packages))),
        package_dbs=dbs,
        setuid=_with_mode(files, 0o4000),
        setgid=_with_mode(files, 0o2000),
        capabilities=tuple(sorted("/" + p for p, e in files if e.kind == "file" and e.capabilities)),
        tools=_tools(fs, _path_dirs(config)),
        user=str(config.get("User") or ""),
        exposed_ports=tuple(sorted(str(p) for p in (config.get("ExposedPorts") or {}))),
        entrypoint=_words(config.get("Entrypoint")),
        cmd=_words(config.get("Cmd")),
        warnings=tuple(warnings),
    )


def _content_bytes(files: list[tuple[str, Entry]]) -> int:
    present = {path for path, _ in files}
    return sum(e.size for _, e in files if e.kind == "file" and not (e.hardlink and e.link in present))


def _with_mode(files: list[tuple[str, Entry]], bit: int) -> tuple[str, ...]:
    return tuple(sorted("/" + path for path, e in files if e.kind == "file" and e.mode & bit))


def _words(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(word) for word in value)
    if isinstance(value, str):  # not what engines write, but a config may say it
        return (value,)
    return None


def _path_dirs(config: dict) -> list[str]:
    for item in config.get("Env") or []:
        if isinstance(item, str) and item.startswith("PATH="):
            return [d.strip("/") for d in item[5:].split(":") if d.startswith("/")]
    return []


def _tools(fs: ImageFS, path_dirs: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {kind: set() for kind in TOOL_KINDS}
    seen_dirs = set()
    for folder in (*BIN_DIRS, *path_dirs):
        resolved = fs.resolve(folder)
        if resolved is None or resolved[1].kind != "dir" or resolved[0] in seen_dirs:
            continue
        seen_dirs.add(resolved[0])
        for name in resolved[1].children:
            for kind, names in TOOL_KINDS.items():
                if name in names and _runnable(fs, f"{resolved[0]}/{name}"):
                    found[kind].add(f"/{resolved[0]}/{name}")
    return {kind: tuple(sorted(paths)) for kind, paths in found.items()}


def _runnable(fs: ImageFS, path: str) -> bool:
    target = fs.resolve(path)
    return bool(target and target[1].kind == "file" and target[1].entry and target[1].entry.mode & 0o111)


def _os_release(fs: ImageFS) -> dict[str, str]:
    for path in OS_RELEASE:
        data = fs.read(path)
        if data is not None:
            return _os_release_fields(data)
    return {}


def _os_release_fields(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() in ("ID", "VERSION_ID", "PRETTY_NAME"):
            out[key.strip()] = value.strip().strip("\"'")
    return out


def _packages(fs: ImageFS, warnings: list[str]) -> tuple[list[Package], dict[str, str]]:
    packages: list[Package] = []
    dbs: dict[str, str] = {}
    dpkg = [DPKG_STATUS] + [f"{DPKG_STATUS_D}/{n}" for n in fs.listdir(DPKG_STATUS_D) if not n.endswith(".md5sums")]
    for manager, paths, parse in (("dpkg", dpkg, parse_dpkg), ("apk", APK_DBS, parse_apk),
                                  ("rpm", RPM_SQLITE, parse_rpm_sqlite)):
        for path in paths:
            if not fs.exists(path):
                continue
            data = fs.read(path)
            try:
                if data is None:
                    raise UnreadableDb("over the read limit" if _is_file(fs, path) else "not a file")
                packages += parse(data)
                dbs.setdefault(manager, "read")
            except UnreadableDb as err:
                dbs[manager] = f"present, not read ({err})"
                warnings.append(f"/{path}: {err}")
    if "rpm" not in dbs and any(fs.exists(p) for p in RPM_OTHER):
        dbs["rpm"] = "present, not read (Berkeley DB or ndb format)"
    return packages, dbs


def _is_file(fs: ImageFS, path: str) -> bool:
    found = fs.resolve(path)
    return bool(found and found[1].kind == "file")


# -- from the engine ---------------------------------------------------------------------------


def save_command(engine: str, tag: str, path: Path | str) -> list[str]:
    """The command line that saves ``tag`` as a docker-archive at ``path``."""
    if engine == "podman":
        return ["podman", "save", "--format", "docker-archive", "-o", str(path), tag]
    if engine == "docker":
        return ["docker", "save", "-o", str(path), tag]
    raise ValueError(f"engine must be docker or podman, not {engine!r}")


class _Engine(Protocol):  # what hardener.rewrite.verify.Engine offers
    name: str

    def run(self, cmd: list[str], timeout: float | None = ...) -> subprocess.CompletedProcess: ...


def measure_image(engine: _Engine, tag: str, workdir: Path, timeout: float = 600,
                  limits: Limits = Limits()) -> ImageFacts:
    """Save ``tag`` into ``workdir``, read its facts, remove the archive. Raises ``ArchiveError``."""
    archive = Path(workdir) / f"dhard-report-{uuid.uuid4().hex[:12]}.tar"
    try:
        cp = engine.run(save_command(engine.name, tag, archive), timeout=timeout)
        if cp.returncode != 0:
            raise ArchiveError(f"`{engine.name} save {tag}` failed: {(cp.stderr or '').strip()[-300:]}")
        return read_archive(archive, reference=tag, limits=limits)  # the one image just saved
    finally:
        archive.unlink(missing_ok=True)
