"""What we know about base images: family, default user, shell, package manager, runtime.

The knowledge lives in ``hardener/data/images.yaml`` (schema at the top of that
file); users add entries from config (``images:``), which win over ours.

    >>> info = lookup(None, "python", "3.11-slim")
    >>> info.family, info.default_user, info.runtime_version
    ('debian', 'root', '3.11')

An image we know nothing about comes back with ``known=False`` and every fact
``None``: unknown is never treated as safe.

Speed: ``lookup`` is on the linter's hot path. Results are memoised per
(registry, repository, tag); the data is parsed once per process. Parsing YAML
with the pure-Python ruamel loader costs tens of milliseconds, so the parsed data
is read from a copy made from the YAML's bytes: first
``hardener/images/compiled.py`` (``python -m hardener.images --write-data``), then
a per-user JSON cache (``$DHARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/dhard``, else
``~/.cache/dhard``; ``DHARD_NO_CACHE=1`` turns it off). ruamel.yaml is imported
only when neither exists.

The package, one job a module: ``info`` (``ImageInfo``), ``schema`` (what an
entry may say, and its check), ``data`` (loading the YAML or a copy of it),
``knowledge`` (entries compiled and matched) and ``cli``
(``python -m hardener.images``). Image references are read by
``hardener.syntax.imageref``, the parser FROM uses too.
"""

from __future__ import annotations

from ..cache import lru_cache

from .data import load_data
from .info import FIELDS, UNKNOWN, ImageInfo
from .knowledge import Knowledge

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

__all__ = ["ImageInfo", "Knowledge", "lookup", "load_knowledge", "UNKNOWN", "FIELDS", "validate_entries"]


def __getattr__(name: str):
    """``validate_entries`` without importing the schema check on the linter's start-up path."""
    if name == "validate_entries":
        from .schema import validate_entries

        return validate_entries
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _builtin_data() -> dict:
    return load_data()


@lru_cache(maxsize=1)
def _builtin_knowledge() -> Knowledge:
    return Knowledge(_builtin_data())


@lru_cache(maxsize=32)
def _knowledge_for(frozen_extra: str) -> Knowledge:
    import json

    return Knowledge(_builtin_data(), json.loads(frozen_extra))


_BY_IDENTITY: dict[int, tuple[object, Knowledge]] = {}


def load_knowledge(extra: Sequence[Mapping[str, Any]] | None = None) -> Knowledge:
    """The knowledge base (cached). ``extra`` are user entries (same schema as the YAML), which win.

    Raises ValueError when an entry of ``extra`` does not follow the schema.
    """
    if not extra:
        return _builtin_knowledge()
    hit = _BY_IDENTITY.get(id(extra))
    if hit is not None and hit[0] is extra:
        return hit[1]
    import json

    try:
        frozen = json.dumps(list(extra), sort_keys=True, default=str)
    except (TypeError, ValueError) as err:
        raise ValueError(f"images: entries must be plain data: {err}") from None
    knowledge = _knowledge_for(frozen)
    if len(_BY_IDENTITY) > 64:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[id(extra)] = (extra, knowledge)  # keeps `extra` alive, so its id stays unique
    return knowledge


def lookup(registry: str | None, repository: str, tag: str | None, extra: Sequence[Mapping[str, Any]] | None = None) -> ImageInfo:
    """What we know about ``[registry/]repository[:tag]``; ``known=False`` when nothing matches.

    ``registry`` is None for Docker Hub (docker.io, index.docker.io and registry-1.docker.io
    are accepted too); ``repository`` is the path without registry ('python',
    'library/python', 'distroless/static-debian12'); ``tag`` None means latest.
    """
    return load_knowledge(extra).lookup(registry, repository, tag)
