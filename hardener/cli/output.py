"""Finding formats: text, json (stable, see DESIGN.md §6), sarif, github."""

from __future__ import annotations

from ..catalogue import catalogue
from ..findings import Applicability, Finding
from ..source import SourceFile

_MARK = {Applicability.SAFE: " [*]", Applicability.UNSAFE: " [*unsafe]"}


def fix_json(finding: Finding, source: SourceFile) -> dict | None:
    if finding.fix is None:
        return None
    edits = []
    for edit in finding.fix.edits:
        sl, sc = source.position(edit.start)
        el, ec = source.position(edit.end)
        edits.append({"start": {"line": sl, "column": sc}, "end": {"line": el, "column": ec}, "content": edit.content})
    return {"title": finding.fix.title, "applicability": finding.fix.applicability.value, "edits": edits}


def finding_json(path: str, finding: Finding, source: SourceFile) -> dict:
    return {
        "path": path,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "fix": fix_json(finding, source),
    }


def render_json(results: list[tuple[str, SourceFile, list[Finding]]]) -> str:
    import json  # only for --format json/sarif: a text report does without it

    findings = [finding_json(path, f, src) for path, src, fs in results for f in fs]
    return json.dumps({"version": 1, "findings": findings}, indent=2, ensure_ascii=False) + "\n"


def render_text_line(path: str, finding: Finding) -> str:
    mark = _MARK.get(finding.fix.applicability, "") if finding.fix and finding.fix.edits else ""
    return f"{path}:{finding.line}:{finding.column}: {finding.code} {finding.severity.label}: {finding.message} ({finding.name}){mark}"


def render_github(path: str, finding: Finding) -> str:
    level = {"error": "error", "warning": "warning"}.get(finding.severity.label, "notice")
    message = finding.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return (
        f"::{level} title={finding.code} {finding.name},file={path},line={finding.line},col={finding.column},"
        f"endLine={finding.end_line},endColumn={finding.end_column}::{message}"
    )


def render_sarif(results: list[tuple[str, SourceFile, list[Finding]]]) -> str:
    from .. import __version__

    cat = catalogue()
    level = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
    rules = [
        {
            "id": info.code,
            "name": info.name,
            "shortDescription": {"text": info.summary or info.message},
            "helpUri": f"https://dhard.invalid/rules/{info.code}",
            "defaultConfiguration": {"level": level[info.severity.label]},
        }
        for info in cat.values()
    ]
    sarif_results = []
    for path, _src, findings in results:
        for f in findings:
            sarif_results.append(
                {
                    "ruleId": f.code,
                    "level": level[f.severity.label],
                    "message": {"text": f.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": path},
                                "region": {
                                    "startLine": f.line,
                                    "startColumn": f.column,
                                    "endLine": f.end_line,
                                    "endColumn": f.end_column,
                                },
                            }
                        }
                    ],
                }
            )
    doc = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {"driver": {"name": "dhard", "version": __version__, "rules": rules}},
                "results": sarif_results,
            }
        ],
    }
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
