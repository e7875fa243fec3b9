"""The schema of an image entry (``hardener/data/images.yaml`` or config ``images:``), and its check."""

from __future__ import annotations

import re

from .info import BOOL_FIELDS, FIELDS, INT_FIELDS, OPT_BOOL_FIELDS, STR_FIELDS

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence

_ENTRY_KEYS = frozenset(FIELDS) | {
    "key", "match", "extends", "abstract", "os_tags", "version_re", "os_version_re", "version_aliases",
    "variants", "counterparts",
}
_VARIANT_KEYS = frozenset({"tag", "tag_re", "repo_re", "when", "set"})
_SET_KEYS = frozenset(FIELDS) | {"counterparts"}


def _check_fields(where: str, values: Mapping[str, Any], allowed: frozenset) -> None:
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"{where}: unknown key {name!r}")
        if name in INT_FIELDS and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{where}: {name} must be an integer or null")
        if name in OPT_BOOL_FIELDS and value is not None and not isinstance(value, bool):
            raise ValueError(f"{where}: {name} must be true, false or null")
        if name in BOOL_FIELDS and not isinstance(value, bool):
            raise ValueError(f"{where}: {name} must be true or false")
        if name in STR_FIELDS and value is not None and not isinstance(value, (str, int, float)):
            raise ValueError(f"{where}: {name} must be a string or null")
        if name == "counterparts" and value is not None and not isinstance(value, dict):
            raise ValueError(f"{where}: counterparts must be a mapping of target -> image")


def _check_regex(where: str, pattern: Any, compile_it: bool = True) -> None:
    if pattern is None:
        return
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: expected a regular expression string")
    if not compile_it:
        return
    try:
        re.compile(pattern)
    except re.error as err:
        raise ValueError(f"{where}: bad regular expression {pattern!r}: {err}") from None


def validate_entries(entries: Sequence[Mapping[str, Any]], what: str = "images", compile_regexes: bool = True) -> None:
    """Raise ValueError (with a readable location) if an entry does not follow the schema."""
    if not isinstance(entries, (list, tuple)):
        raise ValueError(f"{what}: expected a list of image entries")
    for index, entry in enumerate(entries):
        where = f"{what}[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        if "key" in entry:
            where = f"{what}[{index}] ({entry['key']})"
        _check_fields(where, entry, _ENTRY_KEYS)
        if not isinstance(entry.get("key"), str) or not entry["key"]:
            raise ValueError(f"{where}: 'key' (a non-empty string) is required")
        match = entry.get("match")
        if not entry.get("abstract"):
            if isinstance(match, str):
                match = [match]
            if not match or not all(isinstance(m, str) and m for m in match):
                raise ValueError(f"{where}: 'match' must list image names (or set abstract: true)")
            for pattern in match:
                if pattern.startswith("re:"):
                    _check_regex(f"{where}.match", pattern[3:], compile_regexes)
        extends = entry.get("extends")
        if extends is not None and not (isinstance(extends, str) or
                                        (isinstance(extends, list) and all(isinstance(e, str) for e in extends))):
            raise ValueError(f"{where}: 'extends' must be an entry key or a list of keys")
        _check_regex(f"{where}.version_re", entry.get("version_re"), compile_regexes)
        _check_regex(f"{where}.os_version_re", entry.get("os_version_re"), compile_regexes)
        aliases = entry.get("version_aliases")
        if aliases is not None and not isinstance(aliases, dict):
            raise ValueError(f"{where}: version_aliases must be a mapping")
        variants = entry.get("variants")
        if variants is not None:
            if not isinstance(variants, list):
                raise ValueError(f"{where}: variants must be a list")
            for vindex, variant in enumerate(variants):
                vwhere = f"{where}.variants[{vindex}]"
                if not isinstance(variant, dict):
                    raise ValueError(f"{vwhere}: expected a mapping")
                for name in variant:
                    if name not in _VARIANT_KEYS:
                        raise ValueError(f"{vwhere}: unknown key {name!r}")
                _check_regex(f"{vwhere}.tag_re", variant.get("tag_re"), compile_regexes)
                _check_regex(f"{vwhere}.repo_re", variant.get("repo_re"), compile_regexes)
                if not isinstance(variant.get("set") or {}, dict):
                    raise ValueError(f"{vwhere}: set must be a mapping")
                _check_fields(f"{vwhere}.set", variant.get("set") or {}, _SET_KEYS)
                when = variant.get("when")
                if when is not None and not isinstance(when, dict):
                    raise ValueError(f"{vwhere}: when must be a mapping of field -> value(s)")
                for name in when or {}:
                    if name not in FIELDS:
                        raise ValueError(f"{vwhere}.when: unknown field {name!r}")
