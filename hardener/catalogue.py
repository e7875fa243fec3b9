"""The rule catalogue: metadata and user docs for every rule.

The source of truth is ``rules/DHnnn.yml`` at the repository root. Because
loading YAML costs tens of milliseconds at every start, and JSON a few (the
``json`` package compiles its patterns on import), the installed package reads
``hardener/catalogue_data.py``, the same data as a Python literal compiled with
the package, which ``python -m hardener.catalogue`` regenerates; a test keeps
the two in sync.
"""

from __future__ import annotations

import os
import sys
from .record import dataclass
from .cache import lru_cache

from .findings import Severity

DOC_SECTIONS = ("what-it-does", "why-is-this-bad", "example", "use-instead", "fix-safety", "options")
DATA_MODULE = os.path.join(os.path.dirname(__file__), "catalogue_data.py")


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    fix: str  # always | sometimes | never
    aliases: tuple[str, ...]
    message: str
    docs: dict  # section -> markdown text
    summary: str


def _from_dict(data: dict) -> RuleInfo:
    return RuleInfo(
        code=data["code"],
        name=data["name"],
        severity=Severity.parse(data["severity"]),
        fix=data["fix"],
        aliases=tuple(data.get("aliases") or ()),
        message=data["message"],
        docs=dict(data.get("docs") or {}),
        summary=data.get("summary", ""),
    )


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RuleInfo]:
    from .catalogue_data import RULES

    return {code: _from_dict(entry) for code, entry in RULES.items()}


def repo_rules_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "rules"


def load_yaml_catalogue(directory=None) -> dict[str, dict]:
    from ruamel.yaml import YAML

    directory = directory or repo_rules_dir()
    yaml = YAML(typ="safe")
    out = {}
    for path in sorted(directory.glob("DH*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        out[data["code"]] = data
    return out


def build_module(directory=None) -> str:
    """``hardener/catalogue_data.py`` from the YAML files: one line of data, as a JSON file would be."""
    return ('"""The rule catalogue, compiled from rules/DHnnn.yml by ``python -m hardener.catalogue``. Do not edit."""'
            f"\n\nRULES = {load_yaml_catalogue(directory)!r}\n")


def lookup(code_or_alias: str) -> RuleInfo | None:
    cat = catalogue()
    key = code_or_alias.strip().upper()
    if key in cat:
        return cat[key]
    for info in cat.values():
        if key in (a.upper() for a in info.aliases) or code_or_alias.strip().lower() == info.name:
            return info
    return None


if __name__ == "__main__":
    with open(DATA_MODULE, "w", encoding="utf-8") as handle:
        handle.write(build_module())
    print(f"wrote {DATA_MODULE} ({len(load_yaml_catalogue())} rules)", file=sys.stderr)
