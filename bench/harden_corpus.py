"""`dhard harden` over every file of the real-world corpus: success / skip by reason.

    python bench/harden_corpus.py            # print the table
    python bench/harden_corpus.py --write    # also write docs/harden-corpus.md

The corpus holds Dockerfiles only, not their build contexts, so every file is
hardened with no context: whatever needs to read a file of the context (an
entrypoint script, package.json, a prebuilt binary, the Python sources) is a
skip with the reason "missing-context", exactly as a user would see it.

Every Success is checked: it must parse with BuildKit's own parser (the
``dockerfile`` package, Go), pass ``dhard check`` with no DH1xx/DH2xx/DH3xx
finding, and a second ``dhard harden`` of it must have nothing left to do.
The ``--level hardened`` fallback is run on the same files (its results are
counted, and must parse), and so are the other targets (``--target chainguard``,
``dhi``, ``ubuntu``: counted by reason, their successes checked as distroless's are).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from corpus import REAL  # noqa: E402  (the one place that knows where the corpus is)
DOC = ROOT / "docs" / "harden-corpus.md"
OTHER_TARGETS = ("chainguard", "dhi", "ubuntu")


def corpus() -> list[Path]:
    return sorted(p for p in REAL.glob("*") if p.is_file() and p.name != "MANIFEST.tsv")


def check_success(text: str) -> list[str]:
    """Problems with a Success text (empty: fine)."""
    import dockerfile

    from hardener.config import Config
    from hardener.lint import lint
    from hardener.parse import parse
    from hardener.rewrite import Skip, harden

    problems = []
    try:
        dockerfile.parse_string(text)
    except Exception as exc:  # noqa: BLE001 - any parser complaint is a problem to report
        problems.append(f"BuildKit's parser rejects it: {exc}")
    df = parse(text)
    if df.error is not None:
        problems.append(f"dhard cannot parse it: {df.error.message}")
        return problems
    findings = lint(df, Config().with_overrides(select=("DH1", "DH2", "DH3")))
    problems += [f"{f.code} line {f.line}: {f.message}" for f in findings]
    again = harden(text, context=None)
    if not (isinstance(again, Skip) and again.kind == "already-hardened"):
        problems.append(f"a second harden is not a no-op: {again}")
    return problems


def run() -> dict:
    from hardener.parse import parse
    from hardener.rewrite import Failure, Skip, Success, harden
    from hardener.source import SourceFile

    rows = []
    started = time.perf_counter()
    for path in corpus():
        source = SourceFile.read(path)
        result = harden(source, context=None)
        fallback = harden(source, context=None, level="hardened")
        row = {"file": path.name, "fallback": type(fallback).__name__.lower(), "targets": {}}
        for target in OTHER_TARGETS:
            other = harden(source, context=None, target=target)
            kind = "success" if isinstance(other, Success) else getattr(other, "kind", "failure")
            row["targets"][target] = kind
            if isinstance(other, Success):
                row.setdefault("target_problems", []).extend(f"--target {target}: {p}"
                                                             for p in check_success(other.text))
        if isinstance(fallback, Success) and parse(fallback.text).error is not None:
            row["fallback"] = "broken"
        if isinstance(result, Success):
            row.update(outcome="success", detail=result.base or "", problems=check_success(result.text))
            row["kind"] = "adds USER only" if "# Runtime image written by dhard harden" not in result.text else "new final stage"
        elif isinstance(result, Skip):
            row.update(outcome="skip", kind=result.kind, detail=result.reason, problems=[])
        else:
            assert isinstance(result, Failure)
            row.update(outcome="failure", kind="failure", detail=result.error, problems=[result.error])
        rows.append(row)
    return {"rows": rows, "seconds": time.perf_counter() - started}


def render(data: dict) -> str:
    from hardener.rewrite.result import SKIP_KINDS

    rows = data["rows"]
    total = len(rows)
    outcomes = collections.Counter(r["outcome"] for r in rows)
    skips = collections.Counter(r["kind"] for r in rows if r["outcome"] == "skip")
    kinds = collections.Counter(r["kind"] for r in rows if r["outcome"] == "success")
    fallback = collections.Counter(r["fallback"] for r in rows)
    for r in rows:
        r["problems"] = r["problems"] + r.get("target_problems", [])
    problems = [r for r in rows if r["problems"]]
    by_target = {t: collections.Counter(r["targets"][t] for r in rows) for t in OTHER_TARGETS}
    lines = [
        "# `dhard harden` on the real-world corpus",
        "",
        "Generated by `python bench/harden_corpus.py --write`; do not edit by hand.",
        "",
        f"{total} Dockerfiles from `shared/corpus/real` (official images, sample apps, products), "
        "hardened **without their build contexts** (the corpus has none): anything that needs a file of the "
        "context (an entrypoint script, package.json, a prebuilt binary, the Python sources) is skipped as "
        "`missing-context`, as a user would see it.",
        "",
        "| outcome | files | share |",
        "|---|---:|---:|",
    ]
    for outcome in ("success", "skip", "failure"):
        n = outcomes.get(outcome, 0)
        lines.append(f"| {outcome} | {n} | {100 * n / total:.0f}% |")
    lines += ["", "Successes:", "", "| kind | files |", "|---|---:|"]
    for kind, n in kinds.most_common():
        lines.append(f"| {kind} | {n} |")
    lines += [
        "",
        "Every Success parses with BuildKit's parser, passes `dhard check --select DH1,DH2,DH3` with no "
        f"finding, and a second `dhard harden` of it has nothing left to do: "
        f"**{'all ' + str(outcomes.get('success', 0)) + ' pass' if not problems else str(len(problems)) + ' fail (listed below)'}**.",
        "",
        "Skips by reason:",
        "",
        "| reason | files | meaning |",
        "|---|---:|---|",
    ]
    for kind, n in skips.most_common():
        lines.append(f"| `{kind}` | {n} | {SKIP_KINDS.get(kind, '')} |")
    lines += [
        "",
        "`--level hardened` (the fallback on the same OS) on the same files: "
        + ", ".join(f"{k} {v}" for k, v in sorted(fallback.items())) + ".",
        "",
        "The same files on the other targets (successes checked as above):",
        "",
        "| outcome | distroless | " + " | ".join(OTHER_TARGETS) + " |",
        "|---|---:|" + "---:|" * len(OTHER_TARGETS),
    ]
    distroless = collections.Counter("success" if r["outcome"] == "success" else r["kind"] for r in rows)
    for kind in sorted(set(distroless).union(*by_target.values()), key=lambda k: (k != "success", -distroless[k], k)):
        lines.append(f"| {'success' if kind == 'success' else f'skip `{kind}`'} | {distroless[kind]} | "
                     + " | ".join(str(by_target[t][kind]) for t in OTHER_TARGETS) + " |")
    lines += [
        "",
        "## Per file",
        "",
        "| file | result | base / reason |",
        "|---|---|---|",
    ]
    for r in rows:
        detail = r["detail"].replace("|", "\\|").replace("\n", " ")
        if len(detail) > 160:
            detail = detail[:157] + "..."
        result = r["outcome"] if r["outcome"] != "skip" else f"skip `{r['kind']}`"
        lines.append(f"| {r['file']} | {result} | {detail} |")
    if problems:
        lines += ["", "## Problems", ""]
        for r in problems:
            for p in r["problems"]:
                lines.append(f"- {r['file']}: {p}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if not REAL.is_dir():
        print(f"the corpus is missing at {REAL}", file=sys.stderr)
        return 2
    data = run()
    text = render(data)
    if args.write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    rows = data["rows"]
    return 1 if any(r["problems"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
