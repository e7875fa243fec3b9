"""OS package databases, read from their bytes: dpkg, apk and rpm (sqlite).

Each reader takes the file's contents (never a path on this machine) and
returns ``Package`` records; a database it cannot decode raises
``UnreadableDb`` with the reason, which the report shows as "present, not read".
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass

__all__ = ["Package", "UnreadableDb", "DPKG_STATUS", "DPKG_STATUS_D", "APK_DBS", "RPM_SQLITE", "RPM_OTHER",
           "parse_dpkg", "parse_apk", "parse_rpm_sqlite"]

DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_D = "var/lib/dpkg/status.d"  # distroless: one file per package
APK_DBS = ("lib/apk/db/installed", "usr/lib/apk/db/installed")
RPM_SQLITE = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
# Berkeley DB and ndb databases: dhard does not decode them
RPM_OTHER = ("var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db")

MAX_PACKAGES = 100_000


class UnreadableDb(ValueError):
    """A package database that is there but cannot be decoded."""


@dataclass(frozen=True, order=True)
class Package:
    manager: str  # "dpkg" | "apk" | "rpm"
    name: str
    version: str
    arch: str = ""


# -- dpkg ----------------------------------------------------------------------------------

# Status words for which dpkg has no files of the package on disk.
_DPKG_ABSENT = frozenset(("not-installed", "config-files"))


def _paragraphs(text: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                out.append(fields)
            fields, last = {}, ""
        elif line[0] in " \t":
            if last:
                fields[last] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            last = key.strip().lower()
            fields[last] = value.strip()
        if len(out) > MAX_PACKAGES:
            raise UnreadableDb(f"more than {MAX_PACKAGES} packages")
    if fields:
        out.append(fields)
    return out


def parse_dpkg(data: bytes) -> list[Package]:
    """A dpkg status file, or one of distroless' status.d files (no Status field: installed)."""
    out = []
    for fields in _paragraphs(data.decode("utf-8", errors="replace")):
        status = fields.get("status", "install ok installed").split()
        if "package" not in fields or (status and status[-1] in _DPKG_ABSENT):
            continue
        out.append(Package("dpkg", fields["package"], fields.get("version", ""), fields.get("architecture", "")))
    return out


# -- apk ----------------------------------------------------------------------------------


def parse_apk(data: bytes) -> list[Package]:
    """apk's installed database: records of ``X:value`` lines, a blank line between them."""
    out = []
    record: dict[str, str] = {}
    for line in data.decode("utf-8", errors="replace").splitlines() + [""]:
        if not line.strip():
            if "P" in record:
                out.append(Package("apk", record["P"], record.get("V", ""), record.get("A", "")))
            record = {}
        elif len(line) > 1 and line[1] == ":" and line[0] in "PVA" and line[0] not in record:
            record[line[0]] = line[2:].strip()
        if len(out) > MAX_PACKAGES:
            raise UnreadableDb(f"more than {MAX_PACKAGES} packages")
    return out


# -- rpm ----------------------------------------------------------------------------------

_RPM_NAME, _RPM_VERSION, _RPM_RELEASE, _RPM_EPOCH, _RPM_ARCH = 1000, 1001, 1002, 1003, 1022
_RPM_INT32, _RPM_STRING, _RPM_I18NSTRING = 4, 6, 9
_SQLITE_STEPS = 50_000_000  # virtual machine steps before a query is cut off


def _rpm_header(blob: bytes) -> dict[int, str | int]:
    """The few tags we need from an rpm header blob (the form rpmdb.sqlite stores, without magic)."""
    if len(blob) < 8:
        raise UnreadableDb("an rpm header shorter than its preamble")
    count, data_len = struct.unpack(">II", blob[:8])
    store = 8 + 16 * count
    if store + data_len > len(blob) or count > 100_000:
        raise UnreadableDb("an rpm header larger than its blob")
    tags: dict[int, str | int] = {}
    for i in range(count):
        tag, kind, offset, _n = struct.unpack(">IIII", blob[8 + 16 * i: 24 + 16 * i])
        if tag in (_RPM_NAME, _RPM_VERSION, _RPM_RELEASE, _RPM_EPOCH, _RPM_ARCH):
            tags[tag] = _rpm_value(blob, store, data_len, kind, offset)
    return tags


def _rpm_value(blob: bytes, store: int, data_len: int, kind: int, offset: int) -> str | int:
    if offset >= data_len:
        raise UnreadableDb("an rpm tag pointing past its data")
    start = store + offset
    if kind == _RPM_INT32:
        return struct.unpack(">I", blob[start:start + 4])[0]
    if kind in (_RPM_STRING, _RPM_I18NSTRING):
        end = blob.find(b"\x00", start, store + data_len)
        return blob[start:end if end >= 0 else store + data_len].decode("utf-8", errors="replace")
    raise UnreadableDb(f"an rpm tag of unexpected type {kind}")


def _rpm_package(tags: dict[int, str | int]) -> Package | None:
    if _RPM_NAME not in tags:
        return None
    version = f"{tags.get(_RPM_VERSION, '')}-{tags.get(_RPM_RELEASE, '')}".rstrip("-")
    if _RPM_EPOCH in tags:
        version = f"{tags[_RPM_EPOCH]}:{version}"
    name = str(tags[_RPM_NAME])
    if name == "gpg-pubkey":  # imported signing keys, not software
        return None
    return Package("rpm", name, version, str(tags.get(_RPM_ARCH, "")))


def _as_rollback_journal(data: bytes) -> bytes:
    # A WAL-mode file (header bytes 18, 19 = 2) cannot be opened in memory; the rows are the same.
    if len(data) > 19 and data[:16] == b"SQLite format 3\x00" and data[18:20] == b"\x02\x02":
        return data[:18] + b"\x01\x01" + data[20:]
    return data


def _rpm_blobs(data: bytes) -> list[bytes]:
    if not hasattr(sqlite3.Connection, "deserialize"):
        raise UnreadableDb("this Python's sqlite3 cannot open a database from memory")
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(_as_rollback_journal(data))
        con.set_progress_handler(_stop_after(_SQLITE_STEPS), 1000)
        kind = con.execute("SELECT type FROM sqlite_master WHERE name = 'Packages'").fetchone()
        if not kind or kind[0] != "table":
            raise UnreadableDb("no Packages table")
        rows = con.execute("SELECT blob FROM Packages LIMIT ?", (MAX_PACKAGES + 1,)).fetchall()
    except sqlite3.Error as err:
        raise UnreadableDb(f"sqlite: {err}") from err
    finally:
        con.close()
    if len(rows) > MAX_PACKAGES:
        raise UnreadableDb(f"more than {MAX_PACKAGES} packages")
    return [bytes(row[0]) for row in rows if isinstance(row[0], (bytes, memoryview))]


def _stop_after(steps: int):
    calls = 0

    def progress() -> int:
        nonlocal calls
        calls += 1000
        return 1 if calls > steps else 0

    return progress


def parse_rpm_sqlite(data: bytes) -> list[Package]:
    """rpm's sqlite database (RHEL 9, Fedora, UBI): the Packages table's header blobs."""
    out = []
    for blob in _rpm_blobs(data):
        package = _rpm_package(_rpm_header(blob))
        if package is not None:
            out.append(package)
    return out
