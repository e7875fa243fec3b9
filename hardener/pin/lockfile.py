"""``dhard.lock``: the digests ``dhard pin`` resolved, so fixes can pin offline.

Sorted YAML, one entry per reference (as written, after ARG resolution, without
its digest)::

    version: 1
    images:
      python:3.12-slim:
        digest: sha256:...
        platforms:
        - linux/amd64
        - linux/arm64/v8
        resolved-at: '2026-12-02T06:30:00Z'
        tag: 3.12-slim

``dhard pin`` writes it with ruamel.yaml. Reading it is on the path of every
``dhard check``/``fix``/language-server config load, where importing ruamel
would cost ~40 ms: ``read`` parses the block subset ``write`` produces by
itself and falls back to ruamel only for a file edited into other YAML.
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..record import dataclass

VERSION = 1


class LockError(Exception):
    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Entry:
    tag: str | None
    digest: str
    platforms: tuple[str, ...] = ()
    resolved_at: str = ""


@lru_cache(maxsize=64)
def _pins_cached(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, str], ...]:
    return tuple(pins(read(path)).items())


def pins_in(path: str) -> dict[str, str]:
    """``pins`` of the lock file at ``path`` (empty when it went away); LockError when it is broken."""
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return dict(_pins_cached(path, stat.st_mtime_ns, stat.st_size))


def pins(entries: dict[str, Entry]) -> dict[str, str]:
    """reference -> reference@digest, under the name as written and under its canonical name:tag."""
    from ..syntax.imageref import split_reference

    out: dict[str, str] = {}
    canonical = {}
    for ref, entry in entries.items():
        registry, repository, tag, _ = split_reference(ref)
        # an untagged reference was resolved as ``latest``: its pin names the tag
        added = "" if tag else f":{entry.tag or 'latest'}"
        out[ref] = f"{ref}{added}@{entry.digest}"
        name = (f"{registry}/" if registry else "") + repository + (f":{tag}" if tag else "")
        canonical[name] = f"{name}{added}@{entry.digest}"
    for name, pinned in canonical.items():
        out.setdefault(name, pinned)
    return out


# -- reading ---------------------------------------------------------------------------------------------


def read(path: str) -> dict[str, Entry]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(path, f"cannot read: {exc}") from None
    try:
        data = _parse_block(text)
    except ValueError:
        data = _parse_ruamel(text, path)
    return _entries(data, path)


def _parse_ruamel(text: str, path: str):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(text)
    except YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LockError(path, f"not YAML: {first}") from None


def _entries(data, path: str) -> dict[str, Entry]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("images", {}), dict):
        raise LockError(path, "a lock file is a mapping with 'images'")
    out: dict[str, Entry] = {}
    for ref, value in (data.get("images") or {}).items():
        if not isinstance(value, dict) or not isinstance(value.get("digest"), str):
            raise LockError(path, f"entry {ref!r} has no digest")
        platforms = value.get("platforms") or []
        if not isinstance(platforms, list):
            raise LockError(path, f"entry {ref!r}: platforms must be a list")
        tag = value.get("tag")
        out[str(ref)] = Entry(
            tag=str(tag) if tag is not None else None,
            digest=value["digest"],
            platforms=tuple(str(p) for p in platforms),
            resolved_at=str(value.get("resolved-at") or ""),
        )
    return out


def _parse_block(text: str):
    """The block YAML ``write`` emits: nested mappings, lists of scalars, plain or quoted scalars.

    Raises ValueError on anything else (the caller then asks ruamel).
    """
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ValueError("tab indent")
        lines.append((len(raw) - len(raw.lstrip(" ")), stripped))
    if not lines:
        return None
    value, at = _block(lines, 0, lines[0][0])
    if at != len(lines):
        raise ValueError("trailing lines")
    return value


def _block(lines, at, indent):
    if lines[at][1].startswith("- ") or lines[at][1] == "-":
        items = []
        while at < len(lines) and lines[at][0] == indent and (lines[at][1].startswith("- ") or lines[at][1] == "-"):
            items.append(_scalar(lines[at][1][2:].strip()))
            at += 1
        return items, at
    mapping: dict = {}
    while at < len(lines) and lines[at][0] == indent:
        key, rest = _split_key(lines[at][1])
        at += 1
        if rest:
            mapping[key] = _scalar(rest)
        elif at < len(lines) and (lines[at][0] > indent or (lines[at][0] == indent and lines[at][1].startswith("- "))):
            mapping[key], at = _block(lines, at, lines[at][0])
        else:
            mapping[key] = None
    if at < len(lines) and lines[at][0] > indent:
        raise ValueError("bad indent")
    return mapping, at


def _split_key(line: str) -> tuple[str, str]:
    if line[0] in "'\"":
        end = _quoted_end(line)
        key, rest = _scalar(line[: end + 1]), line[end + 1 :]
        if not rest.startswith(":"):
            raise ValueError("no colon")
        return str(key), rest[1:].strip()
    if line.endswith(":"):
        return line[:-1], ""
    key, sep, rest = line.partition(": ")
    if not sep or key.startswith(("-", "?", "{", "[", "&", "*", "!", "|", ">")):
        raise ValueError("not a simple key")
    return key, rest.strip()


def _quoted_end(text: str) -> int:
    quote, i = text[0], 1
    while i < len(text):
        if quote == "'" and text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if quote == '"' and text[i] == '"':
            return i
        i += 1
    raise ValueError("open quote")


def _scalar(text: str):
    if not text:
        return None
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if text[0] == "'":
        if _quoted_end(text) != len(text) - 1:
            raise ValueError("text after quote")
        return text[1:-1].replace("''", "'")
    if text[0] == '"':
        import json

        if _quoted_end(text) != len(text) - 1:
            raise ValueError("text after quote")
        return json.loads(text)
    if text[0] in "[{&*!|>%@`" or " #" in text:
        raise ValueError("not a plain scalar")
    if text in ("null", "~"):
        return None
    if text.isdigit():
        return int(text)
    return text


# -- writing ---------------------------------------------------------------------------------------------


def render(entries: dict[str, Entry]) -> str:
    """The lock file's text: sorted, block style, written with ruamel.yaml."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096  # one line per value, so the reader on the check path needs no ruamel
    images = {}
    for ref in sorted(entries):
        entry = entries[ref]
        item = {"digest": entry.digest, "platforms": sorted(entry.platforms), "resolved-at": entry.resolved_at}
        if entry.tag is not None:
            item["tag"] = entry.tag
        images[ref] = dict(sorted(item.items()))
    out = io.StringIO()
    out.write("# Image digests resolved by `dhard pin`; `dhard fix` pins offline from them. Commit this file.\n")
    yaml.dump({"images": images, "version": VERSION}, out)
    return out.getvalue()


def write(path: str, entries: dict[str, Entry]) -> bool:
    """Write the lock file when its content changes; True when written."""
    from ..source import atomic_write

    text = render(entries)
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except OSError:
        pass
    atomic_write(path, text.encode("utf-8"))
    return True
