"""DH203 shell-in-final-image: the shipped base image has a shell (info, once)."""

from __future__ import annotations

from .shellscan import image_name

CODE = "DH203"


def check(ctx):
    final = ctx.build.final_stage
    if final is None:
        return
    info = ctx.build.image_of(final)
    if info.has_shell is not True:
        return
    ref = ctx.build.root_stage(final).base
    name = image_name(ref)
    target = ""
    distroless = info.counterparts.get("distroless") if info.counterparts else None
    if distroless:
        target = f" such as {distroless}"
    yield ctx.finding(
        CODE,
        final.from_,
        f"The shipped image is built on {name}, which has a shell; `dhard harden` can move it onto a shell-less base{target}",
    )
