"""DH403 floating-tag: a tag that moves (major-only versions, channels, codenames)."""

from .images_refs import PIN_BY_DIGEST, channel_only, image_uses, report

CODE = "DH403"

CHANNELS = frozenset(
    "lts stable current edge rolling mainline testing unstable nightly beta alpha rc dev devel "
    "nonroot debug debug-nonroot alpine".split()
)
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
        only = channel_only(ctx, ref)
        if only:
            message = f"{use.where} {ref.value}: {reason}, and {only}; {PIN_BY_DIGEST}"
        else:
            message = f"{use.where} {ref.value}: {reason}; pin a full version and a digest"
        yield report(ctx, CODE, use, message)
