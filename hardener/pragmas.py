"""Inline suppressions: ``# dhard: ignore=DH301`` / ``# hadolint ignore=DL3009`` and their global forms."""

from __future__ import annotations

from .record import dataclass
from .syntax.lazyre import IGNORECASE, compile_lazily, compile_pattern

from .catalogue import catalogue
from .model import Dockerfile

_PRAGMA = compile_pattern(
    r"^[ \t]*#[ \t]*(?P<tool>dhard:?|hadolint)[ \t]+(?P<global>global[ \t]+)?ignore[ \t]*=[ \t]*(?P<codes>[^\r\n]*)$",
    IGNORECASE,
)

_CODE_SEPARATORS = compile_lazily(r"[\s,]+")

@dataclass(frozen=True)
class Pragma:
    tool: str  # "dhard" or "hadolint"
    codes: tuple[str, ...]  # as written
    resolved: tuple[str, ...]  # DH codes they stand for
    unknown: tuple[str, ...]
    is_global: bool
    line: int
    start: int
    end: int
    target: int | None  # index of the instruction it applies to (None for global)


def _alias_table() -> dict[str, str]:
    table = {}
    for info in catalogue().values():
        table[info.code] = info.code
        table[info.name.upper()] = info.code
        for alias in info.aliases:
            table[alias.upper()] = info.code
    return table


def read_pragmas(df: Dockerfile) -> list[Pragma]:
    text = df.text
    if "ignore" not in text:
        return []
    table = _alias_table()
    found = []
    regions = [(ins.trivia_start, ins.start, ins.index) for ins in df.instructions]
    regions.append((df.tail, len(text), None))
    for begin, end, target in regions:
        chunk = text[begin:end]
        if "ignore" not in chunk:
            continue
        offset = begin
        for raw_line in chunk.splitlines(keepends=True):
            match = _PRAGMA.match(raw_line.rstrip("\r\n"))
            if match:
                codes = tuple(c for c in _CODE_SEPARATORS.split(match.group("codes").split("#")[0].strip()) if c)
                resolved = tuple(dict.fromkeys(table[c.upper()] for c in codes if c.upper() in table))
                unknown = tuple(c for c in codes if c.upper() not in table)
                is_global = bool(match.group("global"))
                found.append(
                    Pragma(
                        tool="dhard" if match.group("tool").lower().startswith("dhard") else "hadolint",
                        codes=codes,
                        resolved=resolved,
                        unknown=unknown,
                        is_global=is_global,
                        line=df.source.line_of(offset),
                        start=offset,
                        end=offset + len(raw_line.rstrip("\r\n")),
                        target=None if is_global else target,
                    )
                )
            offset += len(raw_line)
    return found
