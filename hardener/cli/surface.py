"""``--report FILE`` of ``harden --verify`` and ``fix --verify``: what hardening removed, for people.

``FILE`` gets the JSON report (``dhard-report/1``, see ``hardener.report.compare``);
beside it go the HTML page (``FILE`` with ``.html``) and one CycloneDX SBOM
per image (``.original.cdx.json``, ``.rewritten.cdx.json``). The one-screen
summary goes to the terminal (also with ``--explain`` alone), and in a GitHub
Actions job (``GITHUB_STEP_SUMMARY`` set) the Markdown table is added to the
job summary.
"""

from __future__ import annotations

import json
import os
import sys

from ..source import atomic_write
from .common import error


def add_report_argument(group) -> None:
    group.add_argument("--report", metavar="FILE",
                       help="with --verify: write what the rewrite removed (size, OS packages, setuid files, shells, "
                            "package managers, network tools, user, ports) as JSON to FILE, with an HTML page and "
                            "CycloneDX SBOMs of both images beside it")


def wanted(args) -> bool:
    """Whether the images are measured: for --report, or for --explain's summary."""
    return bool(getattr(args, "report", None) or getattr(args, "explain", False))


def bad_report(args) -> bool:
    """Say so when --report is given without --verify (True: the command stops with exit 2)."""
    report = getattr(args, "report", None)
    if report and not args.verify:
        error("--report needs --verify: the report is measured from the two images --verify builds")
        return True
    if report and not os.path.isdir(os.path.dirname(os.path.abspath(report))):
        error(f"--report {report}: no such directory {os.path.dirname(os.path.abspath(report))}")
        return True
    return False


def show(args, verified) -> bool:
    """Print the summary, write the files --report names, add the job summary. False: a file could not be written."""
    err = sys.stderr
    if verified.surface is None:
        if wanted(args):
            err.write(f"report: the images could not be measured: {verified.surface_error}\n")
        return not getattr(args, "report", None)
    report = verified.surface
    err.write(report.to_text() + "\n")
    _job_summary(report)
    if not getattr(args, "report", None):
        return True
    try:
        for path, text in _files(args.report, report):
            atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        error(f"--report {args.report}: cannot write: {exc.strerror or exc}")
        return False
    err.write(f"report: {args.report} (and {_stem(args.report)}.html, the SBOMs beside it)\n")
    return True


def _files(path: str, report) -> list[tuple[str, str]]:
    from ..report import sbom

    stem = _stem(path)
    out = [(path, report.to_json()), (f"{stem}.html", report.to_html())]
    for label, facts in zip(report.labels, (report.before, report.after)):
        out.append((f"{stem}.{label}.cdx.json", json.dumps(sbom(facts), indent=2) + "\n"))
    return out


def _stem(path: str) -> str:
    return path[:-len(".json")] if path.endswith(".json") else path


def _job_summary(report) -> None:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(report.to_markdown() + "\n")
    except OSError as exc:
        error(f"GITHUB_STEP_SUMMARY {summary}: cannot write: {exc.strerror or exc}")
