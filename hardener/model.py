"""The Dockerfile model: frozen dataclasses the parser builds and rules read.

Offsets index ``SourceFile.text``. Every instruction owns the comment and blank
lines directly above it (``trivia_start``..``start``); joining
``[trivia_start, end)`` of all instructions plus ``Dockerfile.tail`` gives the
file back exactly.
"""

from __future__ import annotations

from .cache import cached_property
from .record import dataclass, field
from .source import Directive, SourceFile


@dataclass(frozen=True)
class Segment:
    """A run of the logical line copied from the source: logical[lstart:lstart+length] == text[sstart:...]."""

    lstart: int
    sstart: int
    length: int


@dataclass(frozen=True)
class Flag:
    text: str  # as BuildKit reports it: quotes and escapes removed, e.g. "--mount=type=cache,target=/x"
    start: int  # offset in the logical line
    end: int

    @property
    def name(self) -> str:
        return self.text[2:].split("=", 1)[0]

    @property
    def value(self) -> str | None:
        parts = self.text.split("=", 1)
        return parts[1] if len(parts) == 2 else None


@dataclass(frozen=True)
class Heredoc:
    name: str
    content: str  # as BuildKit gives it: the body lines with their own line endings
    chomp: bool  # <<- (leading tabs stripped from the terminator)
    expand: bool  # False when the delimiter was quoted
    fd: int
    body_start: int  # source offset of the first body line
    body_end: int  # source offset of the terminator line


@dataclass(frozen=True)
class Instruction:
    keyword: str  # as written (BuildKit keeps the case)
    start: int  # source offset of the keyword line's first character
    end: int  # source offset after the instruction's last line ending
    trivia_start: int  # comments and blank lines above it that it owns
    start_line: int
    end_line: int
    line: str  # BuildKit's logical line: continuations joined, comment lines dropped
    segments: tuple[Segment, ...] = field(repr=False)
    flags: tuple[Flag, ...]
    args_start: int  # offset of the arguments in ``line``
    json: bool
    argv: tuple[str, ...] | None  # exec form arguments when ``json``
    heredocs: tuple[Heredoc, ...]
    sub: "Instruction | None" = None  # the inner instruction of ONBUILD
    index: int = 0
    stage: int | None = None  # index of the stage it belongs to (None before the first FROM)

    @cached_property  # read ~50,000 times in a check of 150 files
    def name(self) -> str:
        return self.keyword.upper()

    @cached_property
    def args(self) -> str:
        return self.line[self.args_start :].strip()

    @property
    def words(self) -> list[str]:
        return self.args.split()

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def flag_values(self, name: str) -> list[str]:
        return [f.value or "" for f in self.flags if f.name == name]

    def source_offset(self, logical: int) -> int:
        """Map an offset in ``line`` back to the source text."""
        for seg in self.segments:
            if seg.lstart <= logical < seg.lstart + seg.length:
                return seg.sstart + logical - seg.lstart
        if self.segments:
            last = self.segments[-1]
            if logical >= last.lstart + last.length:
                return last.sstart + last.length + (logical - last.lstart - last.length)
            return self.segments[0].sstart
        return self.start

    @property
    def content_end(self) -> int:
        """Source offset just after the last logical character (before trailing EOL/heredocs)."""
        if not self.segments:
            return self.start
        last = self.segments[-1]
        return last.sstart + last.length

    @property
    def is_shell_form(self) -> bool:
        return not self.json


@dataclass(frozen=True)
class ImageRef:
    written: str  # the reference as written
    value: str | None  # after ARG substitution; None when unresolved
    registry: str | None = None  # None: Docker Hub
    repository: str = ""  # path without registry, e.g. "python", "bitnami/redis"
    tag: str | None = None
    digest: str | None = None
    unresolved: tuple[str, ...] = ()  # ARG names that had no value

    @property
    def resolved(self) -> bool:
        return self.value is not None

    @property
    def is_scratch(self) -> bool:
        return self.value is not None and self.value.lower() == "scratch"

    @property
    def name(self) -> str:
        """registry/repository, without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


@dataclass(frozen=True)
class Stage:
    index: int
    alias: str | None
    from_: Instruction
    base: ImageRef
    platform: str | None
    parent: int | None  # index of the stage this one is built FROM, if any
    instructions: tuple[Instruction, ...]  # the FROM and what follows it
    ships: bool  # final stage, or an ancestor of it via FROM <stage>
    args: tuple[tuple[str, str | None], ...] = ()  # ARG values in scope at the end of the stage


@dataclass(frozen=True)
class ParseError:
    line: int
    message: str


@dataclass(frozen=True)
class Dockerfile:
    source: SourceFile
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    directives: tuple[Directive, ...]
    escape: str
    global_args: tuple[tuple[str, str | None], ...]
    tail: int  # offset where trailing trivia after the last instruction starts
    error: ParseError | None = None

    @property
    def text(self) -> str:
        return self.source.text

    @cached_property
    def _stages_by_alias(self) -> dict:
        """Lower-cased alias -> the first stage with it (a scan per lookup was quadratic)."""
        found: dict = {}
        for stage in self.stages:
            if stage.alias:
                found.setdefault(stage.alias.lower(), stage)
        return found

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_of(self, instruction: Instruction) -> Stage | None:
        return self.stages[instruction.stage] if instruction.stage is not None else None

    def stage_named(self, name: str) -> Stage | None:
        stage = self._stages_by_alias.get(name.lower())
        if stage is not None:
            return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None
