"""Scaffold a new rule: its module, its registry entry, its catalogue entry and two fixture cases.

    python scripts/new_rule.py DH309 some-leftover --severity warning --summary "What it flags."

Writes hardener/rules/dh309_some_leftover.py (a check that finds nothing yet),
adds it to the registry in hardener/rules/__init__.py, writes rules/DH309.yml
with every docs section to fill in, and fixtures/DH309/{catch,pass}/. Then:
write the check, fill the YAML, make the catching fixture real, and run
``python -m hardener.catalogue`` and the tests. Refuses to overwrite anything.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("what-it-does", "why-is-this-bad", "example", "use-instead", "fix-safety", "options")

MODULE = '''"""{code} {name}: {summary}"""

CODE = "{code}"


def check(ctx):
    """Yield ctx.finding(CODE, instruction, message) for what the rule flags; read facts from ctx.build."""
    return
    yield
'''


def module_name(code: str, name: str) -> str:
    return f"{code.lower()}_{name.replace('-', '_')}"


def catalogue_entry(code: str, name: str, severity: str, summary: str) -> str:
    docs = "".join(f"  {section}: |\n    TODO\n" for section in SECTIONS)
    return (f"code: {code}\nname: {name}\nseverity: {severity}\nfix: never\naliases: []\n"
            f"summary: {summary}\nmessage: {summary}\ndocs:\n{docs}")


def register(init: Path, module: str) -> None:
    """Insert the module into the registry tuple, keeping it sorted by code."""
    text = init.read_text()
    head, sep, rest = text.partition("_MODULES = (\n")
    body, close, tail = rest.partition(")\n")
    names = [line.strip().strip('",') for line in body.splitlines() if line.strip()]
    if module in names:
        raise SystemExit(f"new_rule: {module} is already registered in {init}")
    names = sorted(names + [module])
    init.write_text(head + sep + "".join(f'    "{n}",\n' for n in names) + close + tail)


def scaffold(root: Path, code: str, name: str, severity: str, summary: str) -> list[Path]:
    module = module_name(code, name)
    files = {
        root / "hardener" / "rules" / f"{module}.py": MODULE.format(code=code, name=name, summary=summary),
        root / "rules" / f"{code}.yml": catalogue_entry(code, name, severity, summary),
        root / "fixtures" / code / "catch" / "input.Dockerfile": "FROM debian:12\n# TODO: what the rule flags\n",
        root / "fixtures" / code / "catch" / "case.yml": f"rules: [{code}]\nfindings: []  # TODO: the findings\n",
        root / "fixtures" / code / "pass" / "input.Dockerfile": "FROM debian:12\n",
        root / "fixtures" / code / "pass" / "case.yml": f"rules: [{code}]\nfindings: []\n",
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise SystemExit(f"new_rule: already there, nothing written: {', '.join(existing)}")
    register(root / "hardener" / "rules" / "__init__.py", module)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", help="DHnnn")
    parser.add_argument("name", help="kebab-case name that reads as the thing it flags")
    parser.add_argument("--severity", default="warning", choices=("error", "warning", "info", "style"))
    parser.add_argument("--summary", default="TODO: one sentence on what it flags.")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"DH[1-9]\d\d", args.code):
        parser.error(f"the code must look like DH309, not {args.code!r}")
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", args.name):
        parser.error(f"the name must be kebab-case, not {args.name!r}")
    for path in scaffold(args.root, args.code, args.name, args.severity, args.summary):
        print(path.relative_to(args.root))
    print("then: write the check, fill the YAML, run `python -m hardener.catalogue` and the tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
