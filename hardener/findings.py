"""What rules report: findings, fixes and edits (offsets into SourceFile.text)."""

from __future__ import annotations

from .record import dataclass, field
from enum import Enum, IntEnum


class Severity(IntEnum):
    STYLE = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info, style)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class Applicability(str, Enum):
    SAFE = "safe"  # the image behaves the same
    UNSAFE = "unsafe"  # behaviour may change, in ways dhard has checked it can: --unsafe-fixes
    UNPROVEN = "unproven"  # behaviour may change in ways dhard cannot check: only `dhard fix --verify` applies it
    DISPLAY_ONLY = "display-only"  # a suggestion, never applied


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    title: str
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    start: int  # offset of the flagged text
    end: int
    fix: Fix | None = None
    instruction: int | None = None  # index of the flagged instruction
    line: int = 0  # 1-based, filled from start/end
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    extra: dict = field(default_factory=dict, compare=False)
