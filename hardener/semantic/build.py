"""``Build``: the facts of one parsed Dockerfile, each computed once and only when asked."""

from __future__ import annotations

import posixpath
from ..cache import cached_property

from ..images import lookup
from ..syntax.expand import expand
from . import scripts, state as states, users
from .files import mounts_of

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..config import Config
    from ..images import ImageInfo
    from ..model import Dockerfile, ImageRef, Instruction, Stage
    from ..shell import Command, Script
    from .state import State


class UnknownTarget(ValueError):
    """``--target`` names no stage of the file (BuildKit: "failed to reach build target")."""


def target_stage(dockerfile: "Dockerfile", name: str) -> "Stage":
    """The stage ``docker build --target NAME`` builds: the first one named NAME, the case ignored, as in
    BuildKit (a stage's number is not a target); UnknownTarget when there is none."""
    wanted = name.strip().lower()
    for stage in dockerfile.stages:
        if stage.alias and stage.alias.lower() == wanted:
            return stage
    names = ", ".join(dict.fromkeys(s.alias for s in dockerfile.stages if s.alias))
    raise UnknownTarget(f"no stage named {name} ({'stages: ' + names if names else 'no stage has a name'})")


def _default_config() -> "Config":
    from ..config import Config  # (config imports the settings' readers: only a caller without one pays)

    return Config()


class Build:
    def __init__(self, dockerfile: "Dockerfile", config: "Config | None" = None, context_dir=None,
                 target: str | None = None):
        self.df = dockerfile
        self.config = config or _default_config()
        self.context_dir = context_dir  # the build context, where its files can be read (None: not at hand)
        # the stage that is built (``docker build --target``; None: the last one): the image every fact
        # about "the final image" describes. UnknownTarget when the file has no stage of that name.
        self.target = target
        self.final_stage: "Stage | None" = (
            target_stage(dockerfile, target) if target is not None else dockerfile.final_stage
        )
        self._memo: dict = {}

    def memo(self, key, compute):
        """The per-file cache for facts a group of readers shares: ``compute()`` runs once per key."""
        cache = self._memo
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    # -- stages -------------------------------------------------------------------------------------

    def ships(self, instruction: "Instruction") -> bool:
        """Whether ``instruction`` is part of the built image: its stage is the built one or one it is built FROM."""
        return instruction.stage is not None and instruction.stage in self.shipping

    @cached_property
    def shipping(self) -> frozenset[int]:
        """Indexes of the stages the built image is made of (``Stage.ships`` when the last stage is built)."""
        return frozenset(stage.index for stage in self.final_chain)

    def chain(self, stage: "Stage") -> list["Stage"]:
        """The stage and the stages it is built FROM, root first."""
        out = [stage]
        seen = {stage.index}
        while stage.parent is not None and stage.parent not in seen:
            stage = self.df.stages[stage.parent]
            seen.add(stage.index)
            out.append(stage)
        out.reverse()
        return out

    @cached_property
    def final_chain(self) -> list["Stage"]:
        """The built stage (``final_stage``) and the stages it is built FROM, root first."""
        final = self.final_stage
        return self.chain(final) if final is not None else []

    def root_stage(self, stage: "Stage") -> "Stage":
        return self.chain(stage)[0]

    def descendants(self, stage: "Stage") -> set[int]:
        """The stage and every stage built FROM it, directly or not."""
        out = {stage.index}
        for other in self.df.stages:
            if other.parent is not None and other.parent in out:
                out.add(other.index)
        return out

    # -- instructions ---------------------------------------------------------------------------------

    @cached_property
    def _by_keyword(self) -> dict[str, list["Instruction"]]:
        index: dict[str, list["Instruction"]] = {}
        for ins in self.df.instructions:
            index.setdefault(ins.name, []).append(ins)
            if ins.sub is not None and ins.sub.name != ins.name:
                index.setdefault(ins.sub.name, []).append(ins)
        return index

    def instructions(self, *names: str, shipped: bool = False) -> "Iterator[Instruction]":
        """Instructions by keyword; ONBUILD triggers count as their inner instruction's keyword."""
        index = self._by_keyword
        found = index.get(names[0], ()) if len(names) == 1 else sorted(
            (ins for name in names for ins in index.get(name, ())), key=lambda ins: ins.index
        )
        for ins in found:
            if not shipped or self.ships(ins):
                yield ins

    @staticmethod
    def body(instruction: "Instruction") -> "Instruction":
        """The instruction that carries the content (the inner one for ONBUILD)."""
        return instruction.sub if instruction.sub is not None else instruction

    # -- shell ------------------------------------------------------------------------------------------

    def script(self, instruction: "Instruction") -> "Script":
        """Shell commands of a RUN/CMD/ENTRYPOINT (the inner one of ONBUILD), read once."""
        body = self.body(instruction)
        return self.memo(("script", instruction.index, body is not instruction), lambda: scripts.script_of(body))

    def runs(self, shipped: bool = False) -> "Iterator[tuple[Instruction, Script]]":
        for ins in self.instructions("RUN", shipped=shipped):
            if self.body(ins).name == "RUN":
                yield ins, self.script(ins)

    def run_scripts(self, instruction: "Instruction") -> list[scripts.RunScript]:
        """The shell texts a RUN runs (heredocs fed to a command included), read once."""
        body = self.body(instruction)
        return self.memo(("run-scripts", instruction.index),
                         lambda: scripts.run_scripts(instruction, body, self.script(instruction)))

    def chain_commands(self, stages) -> "Iterator[tuple[Instruction, Command]]":
        """(RUN, command) for every shell command the RUNs of ``stages`` execute (ONBUILD excluded)."""
        for stage in stages:
            for ins in stage.instructions:
                if ins.name == "RUN":
                    for rs in self.run_scripts(ins):
                        for cmd in rs.script.commands:
                            yield ins, cmd

    def mounts(self, instruction: "Instruction") -> list:
        """The ``--mount`` flags of a RUN (the inner one of ONBUILD), read once."""
        return self.memo(("mounts", instruction.index), lambda: mounts_of(self, instruction))

    def stage_inputs(self, stage: "Stage") -> set[int]:
        """Stages whose files ``stage`` reads: its FROM parent, ``COPY --from`` and ``RUN --mount=from=``."""
        found = {stage.parent} if stage.parent is not None else set()
        for ins in stage.instructions:
            body = self.body(ins)
            names = [f.value for f in body.flags if f.name == "from" and f.value] if body.name in ("COPY", "ADD") else []
            if body.name == "RUN":
                names = [m.source_from for m in self.mounts(ins) if m.source_from]
            for name in names:
                other = self.df.stage_named(self.resolve(ins, name) or name)
                if other is not None and other.index != stage.index:
                    found.add(other.index)
        return found

    # -- state through the build ------------------------------------------------------------------------

    @cached_property
    def _states(self) -> list["State | None"]:
        found: list["State | None"] = [None] * len(self.df.instructions)
        ends: dict[int, "State"] = {}
        global_vars = dict(self.df.global_args)
        for stage in self.df.stages:
            if stage.parent is not None and stage.parent in ends:
                current = ends[stage.parent]
            else:
                current = states.initial(stage.base.repository if stage.base.resolved else "")
            for ins in stage.instructions:
                found[ins.index] = current
                current = states.advance(current, ins, global_vars)
            ends[stage.index] = current
        return found

    def state(self, instruction: "Instruction") -> "State":
        """The state in effect before ``instruction`` runs."""
        found = self._states[instruction.index]
        return found if found is not None else states.initial("")

    def end_state(self, stage: "Stage") -> "State":
        last = stage.instructions[-1]
        return states.advance(self.state(last), last, dict(self.df.global_args))

    def resolve(self, instruction: "Instruction", text: str) -> str | None:
        """Expand $VARS in ``text`` with the ARG/ENV values in scope; None if unknown."""
        return expand(text, self.state(instruction).vars)[0]

    def path_at(self, instruction: "Instruction", path: str) -> str | None:
        """``path`` as ``instruction`` sees it: variables expanded, absolute against its WORKDIR."""
        value = self.resolve(instruction, path)
        if value is None:
            return None
        if not value.startswith("/"):
            value = posixpath.join(self.state(instruction).workdir, value)
        return states.normalize(value)

    # -- images and users ---------------------------------------------------------------------------------

    def image_of(self, stage: "Stage") -> "ImageInfo":
        return self.image_info(self.root_stage(stage).base)

    def image_info(self, ref: "ImageRef") -> "ImageInfo":
        if not ref.resolved:
            return lookup(None, "<unresolved>", None, self.config.images)
        if ref.is_scratch:
            return lookup(None, "scratch", None, self.config.images)
        return lookup(ref.registry, ref.repository, ref.tag, self.config.images)

    @cached_property
    def command(self) -> "tuple[Instruction | None, Instruction | None]":
        """(ENTRYPOINT, CMD) of the final image as Docker composes them along its chain: an ENTRYPOINT
        drops the CMD of an earlier stage, but not one its own stage set (None: the base image's)."""
        entry = cmd = None
        for stage in self.final_chain:
            cmd_set_here = False
            for ins in stage.instructions:
                if ins.name == "CMD":
                    cmd, cmd_set_here = ins, True
                elif ins.name == "ENTRYPOINT":
                    entry = ins
                    if not cmd_set_here:
                        cmd = None
        return entry, cmd

    @property
    def entry_instruction(self) -> "Instruction | None":
        """What the final image starts: its ENTRYPOINT, else its CMD (None: the base's)."""
        entry, cmd = self.command
        return entry or cmd

    @cached_property
    def run_as(self) -> "users.RunAs | None":
        """Who the final image runs as (None: no stages)."""
        return users.run_as(self)
