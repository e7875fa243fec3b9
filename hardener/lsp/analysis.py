"""What the language server knows about one document version, without any LSP library.

An :class:`Analysis` is the result of linting one exact text: the SourceFile,
the model, the findings, and the config that applied. Offsets in findings and
fixes index ``SourceFile.text``, which lacks a leading BOM; ``base`` is what to
add to reach the editor's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..config import Config
from ..findings import Edit, Finding
from ..lint import lint
from ..model import Dockerfile
from ..parse import parse
from ..record import replace
from ..source import BOM, SourceFile, context_of
from .positions import UTF16, LineIndex


@dataclass
class Analysis:
    text: str  # the editor's text, exactly
    source: SourceFile
    df: Dockerfile
    findings: list[Finding]
    config: Config
    encoding: str = UTF16
    crashed: tuple[tuple[str, str], ...] = ()  # (rule code, traceback) of rules that raised on this text

    @property
    def base(self) -> int:
        return 1 if self.source.bom else 0

    @cached_property
    def index(self) -> LineIndex:
        return LineIndex(self.text, self.encoding)

    def span(self, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """LSP (line, character) pairs of a source span."""
        return self.index.position(start + self.base), self.index.position(max(end, start) + self.base)

    def source_offset(self, line: int, character: int) -> int:
        """The SourceFile offset of an LSP position."""
        return max(0, self.index.offset(line, character) - self.base)

    def findings_between(self, start: int, end: int) -> list[Finding]:
        """Findings whose span touches [start, end] (SourceFile offsets, both ends inclusive)."""
        return [f for f in self.findings if f.start <= end and max(f.end, f.start) >= start]


def analyse(text: str, path: str, config: Config, encoding: str = UTF16) -> Analysis:
    source = SourceFile.from_text(text, path)
    df = parse(source)
    crashed: tuple = ()
    config = _target_of(df, config)
    try:
        findings = lint(df, config, context_of(path))
    except Exception:
        findings, crashed = _lint_rule_by_rule(df, config)
    return Analysis(text=text, source=source, df=df, findings=findings, config=config, encoding=encoding, crashed=crashed)


def _target_of(df: Dockerfile, config: Config) -> Config:
    """``config`` without its build-target when this file has no such stage: the editor judges the last
    stage then, as `dhard check` would refuse the file."""
    if config.build_target is None or df.error is not None:
        return config
    from ..semantic.build import UnknownTarget, target_stage

    try:
        target_stage(df, config.build_target)
    except UnknownTarget:
        return replace(config, build_target=None)
    return config


def _lint_rule_by_rule(df: Dockerfile, config: Config) -> tuple[list[Finding], tuple]:
    """When a rule raises, keep what the other rules find (an editor is no place to lose them all).

    Each enabled rule runs alone; suppressions still apply, but the meta
    findings about suppressions (DH901/DH902) are left out, since they need
    every rule's findings at once.
    """
    import traceback

    from ..catalogue import catalogue
    from ..rules import RULES

    cat = catalogue()
    findings: list[Finding] = []
    crashed = []
    for rule in RULES:
        code = getattr(rule, "CODE", None)
        info = cat.get(code) if isinstance(code, str) else None
        if info is None:
            crashed.append((getattr(rule, "__name__", repr(rule)), "not a rule: no CODE in the catalogue"))
            continue
        if not config.is_enabled(info.code, info.name):
            continue
        try:
            findings.extend(lint(df, config.with_overrides(select=(info.code,))))
        except Exception as exc:
            crashed.append((info.code, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
    findings.sort(key=lambda f: (f.start, f.code))
    return findings, tuple(crashed)


def fix_all_text(analysis: Analysis) -> str | None:
    """The editor text after every fix ``dhard fix`` would apply here (None: nothing to do)."""
    from ..fixer import fix_source

    result = fix_source(analysis.source, analysis.config, context_dir=context_of(analysis.source.path))
    if result.source.text == analysis.source.text:
        return None
    return (BOM if analysis.source.bom else "") + result.source.text


def minimal_edit(old: str, new: str) -> tuple[int, int, str] | None:
    """One (start, end, content) edit turning ``old`` into ``new``, on whole lines.

    The unchanged prefix and suffix are left alone, so the editor keeps the
    cursor, folds and marks outside the changed lines; the edit starts and ends
    at line starts so it never splits a ``\\r\\n`` or a surrogate pair.
    """
    if old == new:
        return None
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    prefix = old.rfind("\n", 0, prefix) + 1
    suffix = 0
    limit -= prefix
    while suffix < limit and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    if suffix and not (old[len(old) - suffix - 1] == "\n" and new[len(new) - suffix - 1] == "\n"):
        tail = old[len(old) - suffix :]
        nl = tail.find("\n")
        suffix = 0 if nl == -1 else suffix - nl - 1
    return prefix, len(old) - suffix, new[prefix : len(new) - suffix]


def ignore_edit(analysis: Analysis, finding: Finding) -> Edit | None:
    """The edit that suppresses ``finding`` for its instruction (SourceFile offsets).

    Adds the code to a ``# dhard: ignore=`` line already aimed at the
    instruction, else inserts one above it with the instruction's indentation
    and the file's line ending.
    """
    if finding.instruction is None or analysis.df.error is not None:
        return None
    try:
        ins = analysis.df.instructions[finding.instruction]
    except IndexError:
        return None
    from ..pragmas import read_pragmas

    text = analysis.source.text
    for pragma in read_pragmas(analysis.df):
        if pragma.tool != "dhard" or pragma.is_global or pragma.target != ins.index:
            continue
        line = text[pragma.start : pragma.end]
        equals = line.find("=")
        if equals == -1:
            continue
        hash_at = line.find("#", equals + 1)
        codes_end = len(line) if hash_at == -1 else hash_at
        while codes_end > equals + 1 and line[codes_end - 1] in " \t":
            codes_end -= 1
        separator = "," if line[equals + 1 : codes_end].strip() else ""
        at = pragma.start + codes_end
        return Edit(at, at, f"{separator}{finding.code}")
    rest = text[ins.start : ins.end]
    indent = rest[: len(rest) - len(rest.lstrip(" \t"))]
    return Edit(ins.start, ins.start, f"{indent}# dhard: ignore={finding.code}{analysis.source.newline}")
