"""What rules report: findings, fixes and edits (offsets into SourceFile.text)."""

from __future__ import annotations

from .record import dataclass, field

# Not enum: importing it (and the functools and collections it brings) was a sixth of a small file's
# `dhard check`. These two classes keep the part of Enum's behaviour dhard uses: one object per member
# (``is`` compares them), ``Severity(3)`` / ``Applicability("safe")`` give the member, ``.name``, ``.value``,
# and members that are ints and strs, ordered and hashed as those.


class Severity(int):
    """How much a finding matters; a larger one is worse (``failure-threshold`` compares them)."""

    STYLE: Severity
    INFO: Severity
    WARNING: Severity
    ERROR: Severity
    _NAMES = ("STYLE", "INFO", "WARNING", "ERROR")
    _members: tuple = ()

    def __new__(cls, value):
        if isinstance(value, int) and 0 <= value < len(cls._members):
            return cls._members[value]
        raise ValueError(f"{value!r} is not a valid Severity")

    @classmethod
    def parse(cls, text: str) -> "Severity":
        name = text.strip().upper()
        if name not in cls._NAMES:
            raise ValueError(f"unknown severity {text!r} (error, warning, info, style)")
        return cls._members[cls._NAMES.index(name)]

    @property
    def name(self) -> str:
        return self._NAMES[self]

    @property
    def value(self) -> int:
        return int(self)

    @property
    def label(self) -> str:
        return self.name.lower()

    def __repr__(self) -> str:
        return f"<Severity.{self.name}: {int(self)}>"

    __str__ = int.__repr__  # "3", as IntEnum's

    def __reduce__(self):
        return Severity, (int(self),)


class Applicability(str):
    """How a fix may be applied."""

    SAFE: Applicability  # the image behaves the same
    UNSAFE: Applicability  # behaviour may change, in ways dhard has checked it can: --unsafe-fixes
    UNPROVEN: Applicability  # behaviour may change in ways dhard cannot check: only `dhard fix --verify` applies it
    DISPLAY_ONLY: Applicability  # a suggestion, never applied
    _VALUES = {"safe": "SAFE", "unsafe": "UNSAFE", "unproven": "UNPROVEN", "display-only": "DISPLAY_ONLY"}
    _members: dict = {}

    def __new__(cls, value):
        try:
            return cls._members[value]
        except (KeyError, TypeError):
            raise ValueError(f"{value!r} is not a valid Applicability") from None

    @property
    def name(self) -> str:
        return self._VALUES[self]

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<Applicability.{self.name}: {self.value!r}>"

    def __reduce__(self):
        return Applicability, (self.value,)


Severity._members = tuple(int.__new__(Severity, n) for n in range(len(Severity._NAMES)))
for _member in Severity._members:
    setattr(Severity, _member.name, _member)
Applicability._members = {value: str.__new__(Applicability, value) for value in Applicability._VALUES}
for _member in Applicability._members.values():
    setattr(Applicability, _member.name, _member)
del _member


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
