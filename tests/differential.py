"""Compare dhard with hadolint 2.15.1 on the real corpus, theme by theme.

A hadolint code is in scope when a dhard rule lists it in ``aliases:``
(rules/DHnnn.yml, read through hardener.catalogue: there is no second copy of
the mapping here). Every hadolint finding of an in-scope code must be matched
by a dhard finding of that rule on the same instruction, or be listed with a
reason in tests/data/hadolint-divergence.yml. Every other hadolint code the
corpus triggers must be named in OUT_OF_THEME, so an alias dropped from the
catalogue shows up as an unaccounted code.

Small cases of our own (tests/data/hadolint-cases.yml, catching and passing ones per alias) go
through both tools too, and there a disagreement in either direction must be explained. Run as a
script for the counts:

    python tests/differential.py
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardener.catalogue import catalogue  # noqa: E402
from hardener.config import Config  # noqa: E402
from hardener.lint import lint  # noqa: E402
from hardener.parse import parse  # noqa: E402
from hardener.source import SourceFile  # noqa: E402


def hadolint_themes() -> dict[str, str]:
    """hadolint code -> the dhard rule of the same theme, from the catalogue's ``aliases:``."""
    themes: dict[str, str] = {}
    for info in catalogue().values():
        for alias in info.aliases:
            if re.fullmatch(r"DL\d{4}", alias):
                themes[alias] = info.code
    return themes


THEMES = hadolint_themes()
# DL3026/DH405 check nothing without an allow-list; both tools get the same one. Docker Hub
# only, so every image from another registry (gcr.io, mcr.microsoft.com, ghcr.io...) is flagged.
TRUSTED_REGISTRIES = ("docker.io",)
# hadolint codes the corpus triggers that no dhard rule shares the theme of (README, "What dhard does")
OUT_OF_THEME = {
    "DL1000": "hadolint's own parser rejects the file (mostly a comment right after a heredoc terminator) "
    "that dhard parses as BuildKit does: a parse failure, not a rule",
    "DL3000": "relative WORKDIR is a correctness/style check, not hardening",
    "DL3003": "`cd` in RUN instead of WORKDIR is style",
    "DL3008": "pinning apt package versions: dhard pins images (DH401-DH404), not distro packages",
    "DL3013": "pinning pip package versions: dhard pins images, not language packages",
    "DL3014": "`apt-get install` without -y breaks the build visibly; not hardening",
    "DL3016": "pinning npm package versions: dhard pins images, not language packages",
    "DL3018": "pinning apk package versions: dhard pins images, not distro packages",
    "DL3020": "ADD of local files instead of COPY is style; DH501 covers ADD of URLs",
    "DL3022": "COPY --from a name that is no stage: dhard treats it as an image and checks it with DH401-DH405",
    "DL3027": "`apt` instead of `apt-get` is style",
    "DL3045": "COPY to a relative path without WORKDIR is correctness, not hardening",
    "DL3047": "wget progress bar output is log noise",
    "DL3059": "consecutive RUNs (layer count) is style",
    "DL3062": "pinning `go install` versions: dhard pins images, not language packages",
    "DL3063": "a reserved word as stage name is correctness",
    "DL3066": "a non-numeric USER may not resolve on the host: DH101 judges root, not how the user is named",
    "DL3067": "copying a whole filesystem from a stage is image size, not a leftover a rule names",
    "DL4000": "MAINTAINER is deprecated syntax",
    "DL4001": "both wget and curl installed is image size, not hardening",
}
DIVERGENCE_FILE = ROOT / "tests" / "data" / "hadolint-divergence.yml"


def hadolint_binary() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    return found


def run_hadolint(files: list[Path], trusted: tuple[str, ...] = TRUSTED_REGISTRIES) -> list[dict]:
    proc = subprocess.run(
        [
            hadolint_binary(),
            "--no-fail",
            "--format",
            "json",
            *(arg for registry in trusted for arg in ("--trusted-registry", registry)),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout.strip()
    return json.loads(out) if out else []


def compare(files: list[Path], hadolint_findings: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """(matched, unmatched) in-scope hadolint findings, each annotated with the dhard instruction."""
    if hadolint_findings is None:
        hadolint_findings = run_hadolint(files)
    by_file: dict[str, list[dict]] = {}
    for finding in hadolint_findings:
        if finding["code"] in THEMES:
            by_file.setdefault(finding["file"], []).append(finding)
    config = Config(trusted_registries=TRUSTED_REGISTRIES)
    matched, unmatched = [], []
    for path in files:
        wanted = by_file.get(str(path))
        if not wanted:
            continue
        df = parse(SourceFile.read(path))
        ours = lint(df, config)
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
    return {(e["file"], int(e["line"]), e["code"]): e["reason"] for e in entries if "case" not in e}


# -- small cases of our own, per alias (tests/data/hadolint-cases.yml) --------------------------------
#
# The corpus shows what real files do; the cases pin each aliased rule's edges, in both directions:
# a case where only hadolint flags the alias, or only dhard flags its theme rule, must be listed in
# the divergence file as {case: <alias>/<name>, code: <alias>, direction: hadolint-only|dhard-only}.

CASES_FILE = ROOT / "tests" / "data" / "hadolint-cases.yml"


def load_cases() -> list[dict]:
    """[{id: 'DL3040/dnf-in', alias, name, dockerfile, trusted}] from the case table."""
    from ruamel.yaml import YAML

    table = YAML(typ="safe").load(CASES_FILE.read_text()) or {}
    out = []
    for alias, cases in table.items():
        for case in cases:
            trusted = tuple(case.get("trusted-registries") or TRUSTED_REGISTRIES)
            out.append({"id": f"{alias}/{case['name']}", "alias": alias, "name": case["name"],
                        "dockerfile": case["dockerfile"], "trusted": trusted})
    return out


def run_cases(cases: list[dict], directory: Path) -> list[dict]:
    """Each case through hadolint (JSON) and dhard: {id, alias, theme, hadolint, dhard} verdicts."""
    paths: dict[str, Path] = {}
    for case in cases:
        path = directory / (case["id"].replace("/", "__") + ".Dockerfile")
        path.write_text(case["dockerfile"])
        paths[case["id"]] = path
    groups: dict[tuple[str, ...], list[dict]] = {}
    for case in cases:
        groups.setdefault(case["trusted"], []).append(case)
    flagged: set[tuple[str, str]] = set()  # (file, hadolint code)
    for trusted, group in groups.items():
        for finding in run_hadolint([paths[c["id"]] for c in group], trusted):
            flagged.add((finding["file"], finding["code"]))
    results = []
    for case in cases:
        theme = THEMES[case["alias"]]
        path = paths[case["id"]]
        config = Config(trusted_registries=case["trusted"]).with_overrides(select=(theme,))
        ours = lint(parse(SourceFile.read(path)), config)
        results.append({
            "id": case["id"],
            "alias": case["alias"],
            "theme": theme,
            "hadolint": (str(path), case["alias"]) in flagged,
            "dhard": any(f.code == theme for f in ours),
        })
    return results


def load_case_divergences() -> dict[tuple[str, str], dict]:
    """(case id, direction) -> entry, for the cases where the tools disagree on purpose."""
    from ruamel.yaml import YAML

    entries = YAML(typ="safe").load(DIVERGENCE_FILE.read_text()) or []
    return {(e["case"], e["direction"]): e for e in entries if "case" in e}


def case_disagreements(results: list[dict]) -> list[tuple[str, str]]:
    """(case id, 'hadolint-only' | 'dhard-only') for every case the tools judge differently."""
    out = []
    for r in results:
        if r["hadolint"] and not r["dhard"]:
            out.append((r["id"], "hadolint-only"))
        elif r["dhard"] and not r["hadolint"]:
            out.append((r["id"], "dhard-only"))
    return out


def unaccounted_codes(hadolint_findings: list[dict]) -> list[str]:
    """hadolint codes (DLnnnn; ShellCheck's SCnnnn are out of scope) neither themed nor out of theme."""
    codes = {f["code"] for f in hadolint_findings if f["code"].startswith("DL")}
    return sorted(codes - set(THEMES) - set(OUT_OF_THEME))


def main() -> None:
    from conftest import real_files  # type: ignore

    files = real_files()
    found = run_hadolint(files)
    matched, unmatched = compare(files, found)
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
    for code in unaccounted_codes(found):
        print(f"UNACCOUNTED hadolint code {code}: neither a catalogue alias nor in OUT_OF_THEME")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        results = run_cases(load_cases(), Path(tmp))
    explained = load_case_divergences()
    agree = sum(r["hadolint"] == r["dhard"] for r in results)
    print(f"cases: {len(results)}, {agree} agree, {len(results) - agree} differ")
    for key in case_disagreements(results):
        print(f"{'explained' if key in explained else 'UNEXPLAINED'} case {key[0]}: {key[1]}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    main()
