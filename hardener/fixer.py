"""The fix loop: splice edits into the original text, re-parse, re-lint, until stable.

A pass applies every applicable fix whose edits do not overlap an edit already
taken. A pass whose result BuildKit cannot parse, or that turns a known
instruction into an unknown one, is reverted and its fixes are tried one at a
time. The loop stops when nothing applies, after 10 passes, or on a cycle.
"""

from __future__ import annotations

from .record import dataclass, field

from .config import Config
from .findings import Applicability, Edit, Finding
from .lint import lint
from .model import Dockerfile
from .parse import parse
from .syntax.line import KNOWN_INSTRUCTIONS
from .source import SourceFile

MAX_PASSES = 10


@dataclass
class FixResult:
    source: SourceFile  # the fixed text (the original when nothing applied)
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    reverted: list[Finding] = field(default_factory=list)  # fixes dropped because their output broke the file
    passes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def applicable(finding: Finding, unsafe: bool, unproven: bool = False) -> bool:
    if finding.fix is None or not finding.fix.edits:
        return False
    kind = finding.fix.applicability
    return kind is Applicability.SAFE or (unsafe and kind is Applicability.UNSAFE) or (
        unproven and kind is Applicability.UNPROVEN)


def fix_source(source: SourceFile, config: Config | None = None, unsafe: bool | None = None, context_dir=None,
               unproven: bool = False) -> FixResult:
    """Apply the safe fixes (and the unsafe ones when ``unsafe``; the unproven ones too when ``unproven``,
    which only ``dhard fix --verify`` asks for, since it then proves them by building and running)."""
    config = config or Config()
    unsafe = config.unsafe_fixes if unsafe is None else unsafe
    result = FixResult(source=source)
    df = parse(source)
    if df.error is not None:
        result.remaining = lint(df, config, context_dir)
        return result
    seen = {source.text}
    rejected: set[tuple] = set()
    findings = lint(df, config, context_dir)
    for _ in range(MAX_PASSES):
        candidates = [f for f in findings if applicable(f, unsafe, unproven) and _key(f) not in rejected]
        if not candidates:
            break
        result.passes += 1
        new_df, taken = _apply_pass(df, candidates, rejected, result)
        if not taken:
            continue  # every fix chosen was rejected; fixes they overlapped may apply now
        if new_df.text in seen:
            break
        seen.add(new_df.text)
        df = new_df
        result.applied.extend(taken)
        findings = lint(df, config, context_dir)
    result.source = df.source
    result.remaining = findings
    return result


def _key(finding: Finding) -> tuple:
    return (finding.code, finding.fix.title if finding.fix else "", tuple(finding.fix.edits) if finding.fix else ())


def _apply_pass(df: Dockerfile, candidates: list[Finding], rejected: set, result: FixResult):
    chosen = _non_overlapping(candidates)
    new_df = _try(df, [e for f in chosen for e in f.fix.edits])  # type: ignore[union-attr]
    if new_df is not None:
        return new_df, chosen
    # Something in the batch breaks the file: keep the fixes that are fine alone.
    taken = []
    current = df
    for finding in chosen:
        candidate = _try(current, list(finding.fix.edits))  # type: ignore[union-attr]
        if candidate is None:
            rejected.add(_key(finding))
            result.reverted.append(finding)
            continue
        # later fixes were computed against the original text: stop after one
        # success and let the next pass re-lint the new text
        return candidate, [finding]
    return current, taken


def _non_overlapping(findings: list[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    spans: list[tuple[int, int]] = []
    for finding in sorted(findings, key=lambda f: (f.fix.edits[0].start, f.code)):  # type: ignore[union-attr]
        edits = finding.fix.edits  # type: ignore[union-attr]
        if any(_overlaps(e, s) for e in edits for s in spans):
            continue
        chosen.append(finding)
        spans.extend((e.start, e.end) for e in edits)
    return chosen


def _overlaps(edit: Edit, span: tuple[int, int]) -> bool:
    start, end = span
    if edit.start == edit.end == start == end:
        return True  # two insertions at the same point: order would be arbitrary
    return edit.start < end and start < edit.end or (edit.start == edit.end and start < edit.start < end)


def apply_edits(text: str, edits: list[Edit]) -> str:
    out = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[cursor : edit.start])
        out.append(edit.content)
        cursor = max(cursor, edit.end)
    out.append(text[cursor:])
    return "".join(out)


def _try(df: Dockerfile, edits: list[Edit]) -> Dockerfile | None:
    text = apply_edits(df.text, edits)
    new_df = parse(df.source.with_text(text))
    if new_df.error is not None:
        return None
    if _unknown_count(new_df) > _unknown_count(df):
        return None
    return new_df


def _unknown_count(df: Dockerfile) -> int:
    return sum(1 for ins in df.instructions if ins.name not in KNOWN_INSTRUCTIONS)
