"""What a rule sees: the build's facts (``ctx.build``) plus the means to report and edit.

Rules are pure: they read a RuleContext and yield findings. Every fact about
the build comes from ``hardener.semantic.Build``, computed once per file.
"""

from __future__ import annotations

from ..cache import cached_property

from ..catalogue import catalogue
from ..findings import Applicability, Edit, Finding, Fix
from ..model import Dockerfile, Instruction
from ..semantic.build import Build

TYPE_CHECKING = False  # importing typing would cost start-up time

if TYPE_CHECKING:
    from ..config import Config


class RuleContext:
    def __init__(self, dockerfile: Dockerfile, config: "Config | None" = None, context_dir=None):
        # the image judged: the stage `docker build --target` builds (build-target), else the last one
        self.build = Build(dockerfile, config, context_dir, target=getattr(config, "build_target", None))
        self.df = dockerfile
        self.config = self.build.config
        self.text = dockerfile.text

    # -- reporting -------------------------------------------------------------

    def finding(
        self,
        code: str,
        instruction: Instruction | None,
        message: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        info = catalogue()[code]
        if start is None:
            start = instruction.start if instruction else 0
        if end is None:
            end = instruction.content_end if instruction else start
        return Finding(
            code=code,
            name=info.name,
            severity=info.severity,
            message=message or info.message,
            start=start,
            end=end,
            fix=fix,
            instruction=instruction.index if instruction else None,
        )

    @staticmethod
    def fix(title: str, applicability: Applicability, *edits: Edit) -> Fix:
        return Fix(title, applicability, tuple(edits))

    # -- editing helpers -------------------------------------------------------------

    @cached_property
    def eol(self) -> str:
        return self.df.source.newline

    def indent_of(self, instruction: Instruction) -> str:
        """Indent of the instruction's continuation lines (4 spaces if it has none)."""
        if len(instruction.segments) > 1:
            seg = instruction.segments[1]
            line_start = self.text.rfind("\n", 0, seg.sstart) + 1
            content = self.text[line_start : seg.sstart + seg.length]  # segments keep their leading whitespace
            indent = content[: len(content) - len(content.lstrip(" \t"))]
            if indent:
                return indent
        return "    "
