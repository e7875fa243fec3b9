"""What ``dhard pin`` may edit in a Dockerfile, and the edits themselves.

The references are the DH4xx rules' (``rules.images_refs.image_uses``: FROM,
``COPY --from=<image>``, ``RUN --mount=from=<image>``, stages and scratch left
out), read from the build's model. A reference written literally is edited
where it stands; one that is exactly one ARG (``FROM ${BASE}``) is pinned in
the ARG's default; anything else built from variables is reported, never
touched. Edits are splices on the original text, so the rest of the file stays
byte for byte.
"""

from __future__ import annotations

import re

from ..model import Dockerfile, Instruction
from ..record import dataclass
from ..syntax.imageref import split_reference

_ONE_VAR = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_LITERAL = re.compile(r"^[A-Za-z0-9._/:@+-]+$")


@dataclass(frozen=True)
class Target:
    """One editable reference: ``text[start:end]`` is ``literal``, a reference without variables."""

    line: int
    where: str  # "FROM", "COPY --from", "RUN --mount from", "ARG BASE (FROM)"
    start: int
    end: int
    literal: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def key(self) -> str:
        """The reference without its digest: the lock file's key."""
        return self.literal.split("@", 1)[0]

    def retagged(self, tag: str) -> str:
        """The reference (without digest) with ``tag`` instead of its own."""
        name = self.key[: len(self.key) - len(self.tag) - 1] if self.tag else self.key
        return f"{name}:{tag}"

    def pinned(self, digest: str) -> str:
        """The reference with ``digest``; an untagged one gets the ``latest`` it was resolved as."""
        return f"{self.key}{'' if self.tag else ':latest'}@{digest}"


@dataclass(frozen=True)
class Skipped:
    line: int
    where: str
    written: str
    reason: str


def targets(df: Dockerfile, config=None) -> tuple[list[Target], list[Skipped]]:
    from ..rules.context import RuleContext
    from ..rules.images_refs import image_uses

    ctx = RuleContext(df, config)
    found: dict[tuple[int, int], Target] = {}
    skipped: list[Skipped] = []
    for stage in df.stages:  # image_uses leaves out the FROMs it cannot read
        if stage.parent is None and not stage.base.resolved:
            names = ", ".join(f"${n}" for n in stage.base.unresolved) or "a variable"
            skipped.append(Skipped(df.source.line_of(stage.from_.start), "FROM", stage.base.written,
                                   f"built from {names}, which has no value here"))
    for use in image_uses(ctx):
        ref, ins = use.ref, use.instruction
        line = df.source.line_of(use.start if use.start is not None else ins.start)
        if not ref.resolved:
            names = ", ".join(f"${n}" for n in ref.unresolved) or "a variable"
            skipped.append(Skipped(line, use.where, ref.written, f"built from {names}, which has no value here"))
            continue
        if "$" in ref.written:
            target = _arg_target(ctx, use)
            if isinstance(target, Skipped):
                skipped.append(target)
            else:
                found.setdefault((target.start, target.end), target)
            continue
        start, end = use.start, use.end
        if start is None or end is None or not _LITERAL.match(df.text[start:end]):
            skipped.append(Skipped(line, use.where, ref.written, "not written as one literal dhard can edit in place"))
            continue
        found.setdefault((start, end), _target(line, use.where, start, end, df.text[start:end]))
    return sorted(found.values(), key=lambda t: t.start), skipped


def _target(line, where, start, end, literal) -> Target:
    registry, repository, tag, digest = split_reference(literal)
    return Target(line, where, start, end, literal, registry, repository, tag, digest)


def _arg_target(ctx, use) -> "Target | Skipped":
    df, ins, ref = ctx.df, use.instruction, use.ref
    line = df.source.line_of(use.start if use.start is not None else ins.start)
    match = _ONE_VAR.match(ref.written)
    if not match:
        return Skipped(line, use.where, ref.written, "built from several parts with variables; pin it by hand")
    name = match.group(1) or match.group(2)
    arg = _defining_arg(ctx, ins, name, use.where == "FROM")
    if arg is None:
        return Skipped(line, use.where, ref.written, f"${name} does not come from an ARG default dhard can edit")
    span = _arg_default_span(arg, name, df.text)
    if span is None or df.text[span[0] : span[1]] != ref.value:
        return Skipped(line, use.where, ref.written, f"the default of ARG {name} is not one literal reference")
    return _target(df.source.line_of(span[0]), f"ARG {name} ({use.where})", span[0], span[1], ref.value)


def _defining_arg(ctx, ins: Instruction, name: str, global_scope: bool) -> Instruction | None:
    """The ARG whose default gives ``name`` its value at ``ins``."""
    from ..syntax.expand import parse_arg_pairs, parse_env_pairs

    def last_default(candidates):
        """The last ARG declaring ``name``: the instruction when it has a default, "inherit" when bare."""
        chosen = None
        for other in candidates:
            if other.name == "ARG":
                for key, value in parse_arg_pairs(other.args):
                    if key == name:
                        chosen = other if value is not None else "inherit"
        return chosen

    before_first = [i for i in ctx.df.instructions if i.stage is None]
    if not global_scope:
        stage = ctx.df.stage_of(ins)
        in_stage = [i for i in (stage.instructions if stage else ()) if i.index < ins.index]
        if any(i.name == "ENV" and any(k == name for k, _ in parse_env_pairs(i.args)) for i in in_stage):
            return None
        chosen = last_default(in_stage)
        if chosen is None:
            return None  # not declared in the stage: the global value is not visible to it
        if chosen != "inherit":
            return chosen
    chosen = last_default(before_first)
    return chosen if chosen not in (None, "inherit") else None


def _arg_default_span(arg: Instruction, name: str, text: str) -> tuple[int, int] | None:
    line = arg.line
    for match in re.finditer(r"(?:^|\s)" + re.escape(name) + r"=(\S+)", line[arg.args_start :]):
        value_start = arg.args_start + match.start(1)
        value = match.group(1)
        if not _LITERAL.match(value):
            return None
        start = arg.source_offset(value_start)
        end = start + len(value)
        if text[start:end] != value:
            return None
        return start, end
    return None


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Splice non-overlapping edits into ``text``."""
    out, at = [], 0
    for start, end, new in sorted(edits):
        if start < at:
            raise ValueError("overlapping edits")
        out.append(text[at:start])
        out.append(new)
        at = end
    out.append(text[at:])
    return "".join(out)
