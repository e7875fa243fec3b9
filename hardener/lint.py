"""The rule engine: run the enabled rules over a model, apply pragmas and settings."""

from __future__ import annotations

from .catalogue import catalogue
from .config import Config
from .findings import Finding, Severity
from .model import Dockerfile
from .record import replace
from . import rules
from .rules.context import RuleContext


def lint(df: Dockerfile, config: Config | None = None, context_dir=None) -> list[Finding]:
    """Findings of the enabled rules. ``context_dir`` is the build context, when its files may be read
    (fixes that change the user need to know where the app writes)."""
    config = config or Config()
    if df.error is not None:
        return _positioned(df, [_parse_error(df)], config)
    ctx = RuleContext(df, config, context_dir)
    cat = catalogue()
    findings: list[Finding] = []
    present = None
    for module in rules._MODULES:
        info = cat[rules.code_of(module)]
        if not config.is_enabled(info.code, info.name):
            continue  # not imported: a rule costs start-up time only when it may report
        inspects = rules.INSPECTS.get(module)
        if inspects is not None:
            if present is None:
                present = _keywords(df)
            if present.isdisjoint(inspects):
                continue  # it reads only instructions this file does not have
        findings.extend(rules.load(module).check(ctx))
    findings = _suppress(df, findings, config)
    return _positioned(df, findings, config)


def _keywords(df: Dockerfile) -> set[str]:
    """The instruction keywords of the file, ONBUILD triggers' inner ones included (as ``Build.instructions``)."""
    names = set()
    for ins in df.instructions:
        names.add(ins.name)
        if ins.sub is not None:
            names.add(ins.sub.name)
    return names


def _parse_error(df: Dockerfile) -> Finding:
    info = catalogue()["DH900"]
    assert df.error is not None
    line = min(max(df.error.line, 1), len(df.source.lines))
    start = df.source.lines[line - 1].start
    end = df.source.lines[line - 1].end
    return Finding(
        code=info.code,
        name=info.name,
        severity=info.severity,
        message=f"BuildKit cannot parse this file: {df.error.message}",
        start=start,
        end=end,
    )


def _suppress(df: Dockerfile, findings: list[Finding], config: Config) -> list[Finding]:
    if "ignore" not in df.text:
        return findings  # no pragma without it (read_pragmas' own first test): pragmas is not even imported
    from .pragmas import read_pragmas

    pragmas = read_pragmas(df)
    if not pragmas:
        return findings
    cat = catalogue()
    used: set[int] = set()
    kept = []
    for finding in findings:
        suppressed = False
        for n, pragma in enumerate(pragmas):
            if finding.code in pragma.resolved and (pragma.is_global or pragma.target == finding.instruction):
                suppressed = True
                used.add(n)
        if not suppressed:
            kept.append(finding)
    for n, pragma in enumerate(pragmas):
        if pragma.tool != "dhard":
            continue  # hadolint pragmas also name hadolint rules dhard does not have
        if pragma.unknown and config.is_enabled("DH901", cat["DH901"].name):
            kept.append(_meta("DH901", pragma, f"unknown rule in suppression: {', '.join(pragma.unknown)}"))
        elif n not in used and pragma.resolved and config.is_enabled("DH902", cat["DH902"].name):
            unused = [c for c in pragma.resolved if config.is_enabled(c, cat[c].name)]
            if unused:
                kept.append(_meta("DH902", pragma, f"suppression of {', '.join(unused)} matches no finding; remove it"))
    return kept


def _meta(code: str, pragma, message: str) -> Finding:
    info = catalogue()[code]
    return Finding(code, info.name, info.severity, message, pragma.start, pragma.end)


def _positioned(df: Dockerfile, findings: list[Finding], config: Config) -> list[Finding]:
    source = df.source
    out = []
    for f in findings:
        line, column = source.position(f.start)
        end_line, end_column = source.position(max(f.end, f.start))
        severity = config.severity.get(f.code, f.severity)
        out.append(
            replace(f, line=line, column=column, end_line=end_line, end_column=end_column, severity=Severity(severity))
        )
    out.sort(key=lambda f: (f.start, f.code))
    return out
