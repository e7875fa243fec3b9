"""``dhard rules [CODE]``: the catalogue, or one rule's docs."""

from __future__ import annotations

import sys

from ..catalogue import DOC_SECTIONS, catalogue, lookup
from .common import EXIT_CLEAN, EXIT_ERROR, error

_TITLES = {
    "what-it-does": "What it does",
    "why-is-this-bad": "Why is this bad?",
    "example": "Example",
    "use-instead": "Use instead",
    "fix-safety": "Fix safety",
    "options": "Options",
}


def add_arguments(parser) -> None:
    parser.add_argument("code", nargs="?", help="a rule code (DH301), hadolint alias (DL3009) or name")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def render(info) -> str:
    aliases = f" (hadolint: {', '.join(info.aliases)})" if info.aliases else ""
    lines = [f"# {info.code} {info.name}{aliases}", "", f"Severity: {info.severity.label}. Fix: {info.fix}.", ""]
    for section in DOC_SECTIONS:
        lines += [f"## {_TITLES[section]}", "", info.docs.get(section, "").rstrip(), ""]
    return "\n".join(lines)


def run(args) -> int:
    if args.code:
        info = lookup(args.code)
        if info is None:
            error(f"unknown rule '{args.code}' (see `dhard rules`)")
            return EXIT_ERROR
        if args.format == "json":
            import json

            print(json.dumps({"code": info.code, "name": info.name, "severity": info.severity.label, "fix": info.fix, "aliases": list(info.aliases), "docs": info.docs}, indent=2))
        else:
            sys.stdout.write(render(info) + "\n")
        return EXIT_CLEAN
    for info in catalogue().values():
        aliases = ",".join(info.aliases)
        sys.stdout.write(f"{info.code}  {info.name:<34} {info.severity.label:<8} fix:{info.fix:<9} {aliases}\n")
    return EXIT_CLEAN
