"""Loading the knowledge data: ``images.yaml``, or a copy of it made from the same bytes.

Parsing YAML with the pure-Python ruamel loader costs tens of milliseconds, so
the data is read from ``hardener/images/compiled.py`` (the data as a Python
literal, compiled with the package: no JSON decoder on the start-up path) when
it was made from the YAML as it is (it keeps the YAML's bytes to compare: a
checksum would load zlib, a shared library, on every run), else from a per-user
JSON cache, and ruamel.yaml is imported only when neither matches (a YAML
edited since).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from pathlib import Path

_DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")
YAML_FILE = os.path.join(_DATA_DIR, "images.yaml")
COMPILED_FILE = os.path.join(os.path.dirname(__file__), "compiled.py")


def __getattr__(name: str):
    """DATA_DIR and YAML_PATH as Paths, without importing pathlib at start-up."""
    paths = {"DATA_DIR": _DATA_DIR, "YAML_PATH": YAML_FILE}
    if name in paths:
        from pathlib import Path

        return Path(paths[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read_bytes(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _cache_dir() -> "Path | None":
    from pathlib import Path

    if os.environ.get("DHARD_NO_CACHE"):
        return None
    explicit = os.environ.get("DHARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "dhard"
    home = os.environ.get("HOME") or os.environ.get("USERPROFILE")
    return Path(home) / ".cache" / "dhard" if home else None


def _fingerprint(raw: bytes) -> str:
    """What names the JSON cache of a YAML (the slow path only)."""
    import zlib

    return f"{zlib.crc32(raw):08x}-{len(raw)}"


def parse_yaml(text: str) -> dict:
    """Parse the knowledge YAML (slow path: imports ruamel.yaml)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(text)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError(f"{YAML_FILE}: expected a mapping with an 'entries' list")
    return data


def build_json(raw: bytes) -> str:
    """The per-user cache's JSON copy of a YAML file."""
    import json

    data = parse_yaml(raw.decode("utf-8"))
    return json.dumps({"source": _fingerprint(raw), "data": data}, sort_keys=True, ensure_ascii=False) + "\n"


def build_module() -> str:
    """``hardener/images/compiled.py``: the packaged images.yaml as one line of Python literal, with the
    bytes it was made from."""
    raw = _read_bytes(YAML_FILE)
    return ('"""hardener/data/images.yaml compiled by ``python -m hardener.images --write-data``. Do not edit."""\n\n'
            f"SOURCE = {raw!r}\n\nDATA = {parse_yaml(raw.decode('utf-8'))!r}\n")


def _compiled(raw: bytes) -> dict | None:
    try:
        from .compiled import DATA, SOURCE
    except ImportError:  # a checkout before its first ``--write-data``
        return None
    return DATA if SOURCE == raw else None


def _read_json(path, fingerprint: str) -> dict | None:
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            blob = json.load(handle)
    except (OSError, ValueError):
        return None
    if isinstance(blob, dict) and blob.get("source") == fingerprint and isinstance(blob.get("data"), dict):
        return blob["data"]
    return None


def _write_cache(path: "Path", text: str) -> None:
    """Best effort: a read-only or missing home just means the slow path next time too."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        for old in path.parent.glob("images-*.json"):  # copies of earlier versions of the YAML
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def load_data(yaml_path=YAML_FILE, compiled: bool = True, cache_dir: "Path | None | bool" = True) -> dict:
    """The parsed knowledge data, from a copy made from the YAML's bytes (compiled.py, then the cache) or the
    YAML itself."""
    raw = _read_bytes(yaml_path)
    if compiled:
        data = _compiled(raw)
        if data is not None:
            return data
    fingerprint = _fingerprint(raw)
    directory = _cache_dir() if cache_dir is True else (cache_dir or None)
    cache_file = directory / f"images-{fingerprint}.json" if directory else None
    if cache_file is not None:
        data = _read_json(cache_file, fingerprint)
        if data is not None:
            return data
    text = build_json(raw)
    if cache_file is not None:
        _write_cache(cache_file, text)
    import json

    return json.loads(text)["data"]
