"""What a rule sees: the model plus derived facts computed once per file.

Rules are pure: they read a RuleContext and yield findings. Facts several
rules need (what ships, the ARG/ENV/SHELL/USER state before each instruction,
the base image of each stage, the shell commands of each RUN) are computed
here, lazily and once.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from ..catalogue import catalogue
from ..findings import Applicability, Edit, Finding, Fix
from ..model import Dockerfile, ImageRef, Instruction, Stage
from ..parse import expand, parse_arg_pairs, parse_env_pairs, split_words, unquote
from ..record import dataclass

TYPE_CHECKING = False  # importing typing would cost start-up time

if TYPE_CHECKING:
    from ..config import Config
    from ..images import ImageInfo
    from ..shell import Script

DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True)
class State:
    """Build state in effect before an instruction runs."""

    vars: dict  # ARG and ENV values in scope (None: declared, value unknown)
    env: frozenset  # names set by ENV (they reach the running container)
    shell: tuple[str, ...]
    user: str | None  # last USER as written (None: inherited from the base image)


class RuleContext:
    def __init__(self, dockerfile: Dockerfile, config: "Config | None" = None):
        from ..config import Config

        self.df = dockerfile
        self.config = config or Config()
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

    # -- structure ---------------------------------------------------------------

    def ships(self, instruction: Instruction) -> bool:
        stage = self.df.stage_of(instruction)
        return stage is not None and stage.ships

    def instructions(self, *names: str, shipped: bool = False) -> Iterator[Instruction]:
        """Instructions by keyword; ONBUILD triggers count as their inner instruction's keyword."""
        index = self._by_keyword
        found = index.get(names[0], ()) if len(names) == 1 else sorted(
            (ins for name in names for ins in index.get(name, ())), key=lambda ins: ins.index
        )
        for ins in found:
            if not shipped or self.ships(ins):
                yield ins

    @cached_property
    def _by_keyword(self) -> dict[str, list[Instruction]]:
        index: dict[str, list[Instruction]] = {}
        for ins in self.df.instructions:
            index.setdefault(ins.name, []).append(ins)
            if ins.sub is not None and ins.sub.name != ins.name:
                index.setdefault(ins.sub.name, []).append(ins)
        return index

    @staticmethod
    def body(instruction: Instruction) -> Instruction:
        """The instruction that carries the content (the inner one for ONBUILD)."""
        return instruction.sub if instruction.sub is not None else instruction

    def runs(self, shipped: bool = False) -> Iterator[tuple[Instruction, "Script"]]:
        for ins in self.instructions("RUN", shipped=shipped):
            body = self.body(ins)
            if body.name == "RUN":
                yield ins, self.script(ins)

    def script(self, instruction: Instruction) -> "Script":
        """Shell commands of a RUN: its arguments, or its heredoc bodies when the command is a heredoc."""
        return self.body(instruction).script

    def memo(self, key, compute):
        """A per-file cache for facts a group of rules shares: ``compute()`` runs once per key."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    # -- state through the build ---------------------------------------------------

    @cached_property
    def _states(self) -> list[State | None]:
        states: list[State | None] = [None] * len(self.df.instructions)
        ends: dict[int, State] = {}
        global_vars = {k: v for k, v in self.df.global_args}
        for stage in self.df.stages:
            if stage.parent is not None and stage.parent in ends:
                state = ends[stage.parent]
            else:
                state = State({}, frozenset(), DEFAULT_SHELL, None)
            for ins in stage.instructions:
                states[ins.index] = state
                state = _advance(state, ins, global_vars)
            ends[stage.index] = state
        return states

    def state(self, instruction: Instruction) -> State:
        found = self._states[instruction.index]
        return found if found is not None else State({}, frozenset(), DEFAULT_SHELL, None)

    def end_state(self, stage: Stage) -> State:
        last = stage.instructions[-1]
        return _advance(self.state(last), last, {k: v for k, v in self.df.global_args})

    def resolve(self, instruction: Instruction, text: str) -> str | None:
        """Expand $VARS in ``text`` with the ARG/ENV values in scope; None if unknown."""
        return expand(text, self.state(instruction).vars)[0]

    # -- base images ------------------------------------------------------------

    def root_stage(self, stage: Stage) -> Stage:
        seen = set()
        while stage.parent is not None and stage.index not in seen:
            seen.add(stage.index)
            stage = self.df.stages[stage.parent]
        return stage

    def image_of(self, stage: Stage) -> "ImageInfo":
        return self.image_info(self.root_stage(stage).base)

    def image_info(self, ref: ImageRef) -> "ImageInfo":
        from ..images import lookup

        if not ref.resolved:
            return lookup(None, "<unresolved>", None, self.config.images)
        if ref.is_scratch:
            return lookup(None, "scratch", None, self.config.images)
        return lookup(ref.registry, ref.repository, ref.tag, self.config.images)

    # -- editing helpers -------------------------------------------------------------

    @cached_property
    def eol(self) -> str:
        return self.df.source.newline

    def continuation(self, instruction: Instruction) -> str:
        """Text that breaks a line inside ``instruction``: escape char, EOL and its indent."""
        return f" {self.df.escape}{self.eol}{self.indent_of(instruction)}"

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


def _advance(state: State, ins: Instruction, global_vars: dict) -> State:
    name = ins.name
    if name == "ARG":
        new = dict(state.vars)
        for key, value in parse_arg_pairs(ins.args):
            if value is not None:
                value = expand(value, {**global_vars, **new})[0]
            elif key in new:
                value = new[key]
            else:
                value = global_vars.get(key)
            new[key] = value
        return State(new, state.env, state.shell, state.user)
    if name == "ENV":
        new = dict(state.vars)
        env = set(state.env)
        try:
            pairs = parse_env_pairs(ins.args)
        except Exception:  # noqa: BLE001 - a malformed ENV changes nothing we can know
            pairs = []
        for key, value in pairs:
            new[key] = expand(value, new)[0]
            env.add(key)
        return State(new, frozenset(env), state.shell, state.user)
    if name == "SHELL" and ins.json and ins.argv:
        return State(state.vars, state.env, tuple(ins.argv), state.user)
    if name == "USER":
        return State(state.vars, state.env, state.shell, ins.args or None)
    return state


__all__ = ["RuleContext", "State", "split_words", "unquote"]
