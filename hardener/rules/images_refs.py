"""Shared by the DH4xx rules: every external image reference a Dockerfile pulls."""

from __future__ import annotations

from ..record import dataclass

from ..findings import Applicability, Edit, Fix
from ..model import ImageRef, Instruction
from ..syntax.imageref import parse_image_ref
from .context import RuleContext

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(frozen=True)
class ImageUse:
    instruction: Instruction
    ref: ImageRef
    where: str  # "FROM", "COPY --from", "RUN --mount from"
    start: int | None  # source span of the reference as written, when it is one contiguous literal
    end: int | None


# image families that publish only channel tags (distroless: latest, nonroot, debug...): a digest is the pin
CHANNEL_ONLY_FAMILIES = frozenset(("distroless",))
# repositories that publish only channel tags: Chainguard's free tier (cgr.dev/chainguard/*: latest, latest-dev)
CHANNEL_ONLY_REPOSITORIES = (("cgr.dev", "chainguard/"),)


def channel_only(ctx: RuleContext, ref: ImageRef) -> str | None:
    """Why ``ref``'s repository has no version tag to pin (a digest is the pin), or None when it has them."""
    if ctx.build.image_info(ref).family in CHANNEL_ONLY_FAMILIES:
        return f"{ref.name} publishes no version tags"
    for registry, prefix in CHANNEL_ONLY_REPOSITORIES:
        if ref.registry == registry and (ref.repository or "").startswith(prefix):
            return f"{ref.name} publishes no version tags (Chainguard's free tier has latest and latest-dev only)"
    return None


PIN_BY_DIGEST = "pin it by digest (`dhard pin` writes name:tag@sha256:...)"


def image_uses(ctx: RuleContext) -> list[ImageUse]:
    """Computed once per file and shared by the DH4xx rules."""
    return ctx.build.memo(("image-uses",), lambda: list(_image_uses(ctx)))


def _image_uses(ctx: RuleContext) -> Iterator[ImageUse]:
    df = ctx.df
    for stage in df.stages:
        if stage.parent is None and stage.base.resolved and not stage.base.is_scratch:
            ins = stage.from_
            words_at = ins.args_start + (len(ins.line[ins.args_start :]) - len(ins.line[ins.args_start :].lstrip()))
            start, end = _span(ctx, ins, words_at, stage.base.written)
            yield ImageUse(ins, stage.base, "FROM", start, end)
    for ins in df.instructions:
        body = ctx.build.body(ins)
        if body.name == "COPY" or body.name == "ADD":
            for flag in body.flags:
                if flag.name == "from" and flag.value and not _is_stage(ctx, flag.value, ins):
                    yield _flag_use(ctx, ins, body, flag, flag.value, "COPY --from")
        if body.name == "RUN":
            mounts = [f for f in body.flags if f.name == "mount"]  # in the order Build.mounts reads them
            for flag, mount in zip(mounts, ctx.build.mounts(ins)):
                source = mount.source_from
                if source and not _is_stage(ctx, source, ins):
                    yield _flag_use(ctx, ins, body, flag, source, "RUN --mount from")


def _flag_use(ctx, ins, body, flag, value, where) -> ImageUse | None:
    ref = parse_image_ref(value, ctx.build.state(ins).vars)
    text = body.line[flag.start : flag.end]
    at = text.find(value)
    start, end = _span(ctx, body, flag.start + at, value) if at >= 0 else (None, None)
    return ImageUse(ins, ref, where, start, end)


def _is_stage(ctx: RuleContext, name: str, ins: Instruction) -> bool:
    if "$" in name:
        name = ctx.build.resolve(ins, name) or name
    stage = ctx.df.stage_named(name)
    return stage is not None or name.lower() == "scratch"


def _span(ctx: RuleContext, ins: Instruction, logical: int, written: str) -> tuple[int | None, int | None]:
    start = ins.source_offset(logical)
    end = start + len(written)
    if ctx.text[start:end] != written:
        return None, None
    return start, end


def pin_fix(ctx: RuleContext, use: ImageUse) -> Fix | None:
    """Replace the reference with the one ``pins`` gives, when it is written literally."""
    if use.start is None or "$" in use.ref.written or use.ref.value is None:
        return None
    pinned = ctx.config.pins.get(use.ref.value) or ctx.config.pins.get(use.ref.name + (f":{use.ref.tag}" if use.ref.tag else ""))
    if not pinned or pinned == use.ref.value:
        return None
    return Fix(f"Pin {use.ref.value} to {pinned}", Applicability.UNSAFE, (Edit(use.start, use.end, pinned),))


def report(ctx: RuleContext, code: str, use: ImageUse, message: str, pinnable: bool = True):
    start = use.start if use.start is not None else None
    return ctx.finding(
        code,
        use.instruction,
        message,
        start=start,
        end=use.end if start is not None else None,
        fix=pin_fix(ctx, use) if pinnable else None,
    )
