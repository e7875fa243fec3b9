"""Helpers for tests/test_report*.py: synthetic image archives, rpm databases, a PNG decoder.

Layers are built with tarfile in memory; archives are written where the test says
(its tmp_path). Nothing here runs an engine.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import struct
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path


# -- layer members ----------------------------------------------------------------------------


@dataclass
class M:
    """One layer member: kind is file, dir, symlink, hardlink, fifo."""

    name: str
    kind: str = "file"
    data: bytes = b""
    mode: int = 0o644
    link: str = ""
    uid: int = 0
    gid: int = 0
    pax: dict = field(default_factory=dict)
    size: int | None = None  # a header that lies about the size


def file(name, data=b"", mode=0o644, **kw) -> M:
    return M(name, "file", data if isinstance(data, bytes) else data.encode(), mode, **kw)


def exe(name, data=b"\x7fELF", mode=0o755, **kw) -> M:
    return file(name, data, mode, **kw)


def folder(name, mode=0o755) -> M:
    return M(name, "dir", mode=mode)


def symlink(name, target) -> M:
    return M(name, "symlink", link=target, mode=0o777)


def hardlink(name, target, mode=0o755) -> M:
    return M(name, "hardlink", link=target, mode=mode)


def whiteout(path) -> M:
    head, _, base = path.rpartition("/")
    return file(f"{head}/.wh.{base}" if head else f".wh.{base}")


def opaque(folder_path) -> M:
    return file(f"{folder_path}/.wh..wh..opq")


_TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
          "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE}


def layer(*members: M) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.type = _TYPES[m.kind]
            info.mode, info.uid, info.gid, info.linkname = m.mode, m.uid, m.gid, m.link
            info.pax_headers = dict(m.pax)
            if m.kind == "file":
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
            else:
                tar.addfile(info)
    data = out.getvalue()
    return data


def lying_layer(name: str, claimed: int, actual: bytes) -> bytes:
    """A layer whose one member's header claims ``claimed`` bytes but holds ``actual``."""
    info = tarfile.TarInfo(name)
    info.size = claimed
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    return header + actual + b"\0" * ((-len(actual)) % 512)


# -- archives ---------------------------------------------------------------------------------


def config(user=None, ports=(), entrypoint=None, cmd=None, env=None, arch="amd64") -> dict:
    c: dict = {"Env": env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if user is not None:
        c["User"] = user
    if ports:
        c["ExposedPorts"] = {p: {} for p in ports}
    if entrypoint is not None:
        c["Entrypoint"] = entrypoint
    if cmd is not None:
        c["Cmd"] = cmd
    return {"architecture": arch, "os": "linux", "config": c, "rootfs": {"type": "layers", "diff_ids": []}}


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def docker_archive(path: Path, layers: list[bytes], cfg: dict | None = None, tags=("localhost/app:latest",),
                   gzip_layers=False, images: list | None = None, extra=()) -> Path:
    """A docker-archive (``docker save``): ``<sha>.json`` config, ``<n>/layer.tar`` layers, manifest.json.

    ``images`` (a list of (layers, config, tags)) writes several images in one archive.
    ``extra`` are raw (TarInfo, bytes | None) members added first.
    """
    images = images or [(layers, cfg or config(), list(tags))]
    manifest = []
    with tarfile.open(path, "w") as tar:
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
        for n, (image_layers, image_config, image_tags) in enumerate(images):
            raw = json.dumps(image_config).encode()
            config_name = hashlib.sha256(raw).hexdigest() + ".json"
            _add(tar, config_name, raw)
            names = []
            for i, blob in enumerate(image_layers):
                name = f"{n}-{i:03d}/layer.tar"
                _add(tar, name, gzip.compress(blob, mtime=0) if gzip_layers else blob)
                names.append(name)
            manifest.append({"Config": config_name, "RepoTags": list(image_tags), "Layers": names})
        _add(tar, "manifest.json", json.dumps(manifest).encode())
    return path


def _write_blob(files: dict[str, bytes], data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    files[f"blobs/sha256/{digest}"] = data
    return f"sha256:{digest}"


def oci_layout(layers: list[bytes], cfg: dict | None = None, ref="latest", gzip_layers=True) -> dict[str, bytes]:
    """The files of an OCI image layout (``podman save --format oci-archive`` puts them in a tar)."""
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    raw = json.dumps(cfg or config()).encode()
    descriptors = []
    for blob in layers:
        data = gzip.compress(blob, mtime=0) if gzip_layers else blob
        media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gzip_layers else "")
        descriptors.append({"mediaType": media, "digest": _write_blob(files, data), "size": len(data)})
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _write_blob(files, raw),
                   "size": len(raw)},
        "layers": descriptors,
    }).encode()
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": _write_blob(files, manifest),
        "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": ref}}]}
    files["index.json"] = json.dumps(index).encode()
    return files


def oci_archive(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            _add(tar, name, data)
    return path


def oci_dir(path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


# -- package databases -------------------------------------------------------------------------


def dpkg_status(*packages: tuple, status="install ok installed") -> str:
    """(name, version, arch) triples as a dpkg status file."""
    return "\n\n".join(
        f"Package: {name}\nStatus: {status}\nPriority: optional\nVersion: {version}\nArchitecture: {arch}\n"
        f"Description: {name}\n a longer description\n ."
        for name, version, arch in packages
    ) + "\n"


def apk_installed(*packages: tuple) -> str:
    return "".join(f"C:Q1abc=\nP:{name}\nV:{version}\nA:{arch}\nS:1000\nT:{name} package\n\n"
                   for name, version, arch in packages)


def rpm_header(tags: dict[int, object]) -> bytes:
    """An rpm header blob (index count, data length, index entries, data), as rpmdb.sqlite stores it."""
    index, store = b"", b""
    for tag, value in sorted(tags.items()):
        if isinstance(value, int):
            store += b"\0" * ((-len(store)) % 4)
            index += struct.pack(">IIII", tag, 4, len(store), 1)
            store += struct.pack(">I", value)
        else:
            index += struct.pack(">IIII", tag, 6, len(store), 1)
            store += str(value).encode() + b"\0"
    return struct.pack(">II", len(tags), len(store)) + index + store


def rpmdb_sqlite(tmp: Path, packages: list[tuple], wal: bool = False) -> bytes:
    """(name, version, release, arch, epoch|None) as an rpmdb.sqlite file's bytes."""
    path = tmp / "rpmdb.sqlite"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    for name, version, release, arch, epoch in packages:
        tags = {1000: name, 1001: version, 1002: release, 1022: arch}
        if epoch is not None:
            tags[1003] = epoch
        con.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm_header(tags),))
    con.commit()
    con.close()
    return path.read_bytes()


# -- PNG ----------------------------------------------------------------------------------------


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter(kind: int, line: bytearray, prev: bytes, bpp: int) -> None:
    if kind == 0:
        return
    if kind == 2:  # up: no dependency along the line, so one pass
        line[:] = bytes((x + y) & 0xFF for x, y in zip(line, prev))
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + prev[i]) // 2) & 0xFF
        elif kind == 4:
            line[i] = (line[i] + _paeth(left, prev[i], prev[i - bpp] if i >= bpp else 0)) & 0xFF


def decode_png(data: bytes) -> tuple[int, int, list[bytes], int]:
    """(width, height, rows of raw bytes, bytes per pixel) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert head is not None, "no IHDR"
    width, height, depth, colour, _, _, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG {head}"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1:start + 1 + stride])
        _unfilter(raw[start], line, prev, bpp)
        rows.append(bytes(line))
        prev = bytes(line)
    return width, height, rows, bpp


def count_colours(png: bytes, *colours: tuple[int, int, int]) -> list[int]:
    """How many pixels have exactly each of these RGB colours (one decode for all)."""
    _width, _height, rows, bpp = decode_png(png)
    counts = dict.fromkeys(colours, 0)
    for row in rows:
        for pixel in zip(row[0::bpp], row[1::bpp], row[2::bpp]):
            if pixel in counts:
                counts[pixel] += 1
    return [counts[c] for c in colours]
