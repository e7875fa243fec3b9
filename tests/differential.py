"""Compare dhard with hadolint 2.15.1 on the real corpus, theme by theme.

Every hadolint finding of an in-scope code must be matched by a dhard finding
of the same theme on the same instruction, or be listed with a reason in
tests/data/hadolint-divergence.yml. Run as a script for the counts:

    python tests/differential.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardener.lint import lint  # noqa: E402
from hardener.parse import parse  # noqa: E402
from hardener.source import SourceFile  # noqa: E402

# hadolint code -> the dhard rule of the same theme
THEMES = {
    "DL3002": "DH101",
    "DL3004": "DH102",
    "DL3006": "DH401",
    "DL3007": "DH402",
    "DL3009": "DH301",
    "DL3015": "DH302",
    "DL3019": "DH303",
    "DL3025": "DH201",
    "DL3032": "DH304",
    "DL3036": "DH304",
    "DL3040": "DH304",
    "DL3042": "DH305",
    "DL3060": "DH306",
    "DL4006": "DH204",
}
DIVERGENCE_FILE = ROOT / "tests" / "data" / "hadolint-divergence.yml"


def hadolint_binary() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    return found


def run_hadolint(files: list[Path]) -> list[dict]:
    proc = subprocess.run(
        [hadolint_binary(), "--no-fail", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout.strip()
    return json.loads(out) if out else []


def compare(files: list[Path]) -> tuple[list[dict], list[dict]]:
    """(matched, unmatched) in-scope hadolint findings, each annotated with the dhard instruction."""
    by_file: dict[str, list[dict]] = {}
    for finding in run_hadolint(files):
        if finding["code"] in THEMES:
            by_file.setdefault(finding["file"], []).append(finding)
    matched, unmatched = [], []
    for path in files:
        wanted = by_file.get(str(path))
        if not wanted:
            continue
        df = parse(SourceFile.read(path))
        ours = lint(df)
        for finding in wanted:
            ins = next((i for i in df.instructions if i.start_line <= finding["line"] <= i.end_line), None)
            theme = THEMES[finding["code"]]
            hit = ins is not None and any(
                f.code == theme and (f.instruction == ins.index or f.line == finding["line"]) for f in ours
            )
            record = {
                "file": path.name,
                "line": finding["line"],
                "code": finding["code"],
                "theme": theme,
                "instruction": ins.keyword if ins else None,
            }
            (matched if hit else unmatched).append(record)
    return matched, unmatched


def load_divergences() -> dict[tuple[str, int, str], str]:
    from ruamel.yaml import YAML

    if not DIVERGENCE_FILE.exists():
        return {}
    entries = YAML(typ="safe").load(DIVERGENCE_FILE.read_text()) or []
    return {(e["file"], int(e["line"]), e["code"]): e["reason"] for e in entries}


def main() -> None:
    from conftest import real_files  # type: ignore

    matched, unmatched = compare(real_files())
    divergences = load_divergences()
    total = Counter(r["code"] for r in matched + unmatched)
    hits = Counter(r["code"] for r in matched)
    print(f"{'hadolint':<8} {'dhard':<6} {'found':>5} {'matched':>7} {'divergent':>9}")
    for code in sorted(total):
        print(f"{code:<8} {THEMES[code]:<6} {total[code]:>5} {hits[code]:>7} {total[code] - hits[code]:>9}")
    print(f"total: {sum(total.values())} in-scope hadolint findings, {len(matched)} matched, {len(unmatched)} divergent")
    missing = [r for r in unmatched if (r["file"], r["line"], r["code"]) not in divergences]
    for r in missing:
        print(f"UNEXPLAINED {r['file']}:{r['line']} {r['code']} ({r['instruction']})")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    main()
