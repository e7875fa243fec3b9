"""DH403 floating-tag: a tag that moves (major-only versions, channels, codenames)."""

from .images_refs import image_uses, report

CODE = "DH403"

CHANNELS = frozenset(
    "lts stable current edge rolling mainline testing unstable nightly beta alpha rc dev devel "
    "nonroot debug debug-nonroot alpine".split()
)
# image families that publish only channel tags (distroless: latest, nonroot, debug...): a digest is the pin
CHANNEL_ONLY_FAMILIES = frozenset(("distroless",))
# distribution codenames: the tag follows every point release
CODENAMES = frozenset("buster bullseye bookworm trixie forky sid bionic focal jammy noble oracular plucky".split())


def floating_reason(tag: str) -> str | None:
    head = tag.split("-", 1)[0]
    for word in (tag, head):
        if word in CHANNELS:
            return f"'{word}' is a channel that moves"
        if word in CODENAMES:
            return f"codename '{word}' follows every point release"
    if head.isdigit() and int(head) < 1000:
        return f"'{head}' names only a major version"
    return None


def check(ctx):
    for use in image_uses(ctx):
        ref = use.ref
        if not ref.resolved or not ref.tag or ref.digest or ref.tag.startswith("latest"):
            continue
        reason = floating_reason(ref.tag)
        if not reason:
            continue
        if ctx.build.image_info(ref).family in CHANNEL_ONLY_FAMILIES:
            message = (f"{use.where} {ref.value}: {reason}, and {ref.name} publishes no version tags; "
                       "pin it by digest (`dhard pin` writes name:tag@sha256:...)")
        else:
            message = f"{use.where} {ref.value}: {reason}; pin a full version and a digest"
        yield report(ctx, CODE, use, message)
