"""DH402 latest-tag: an external image on the ``latest`` tag."""

from .images_refs import PIN_BY_DIGEST, channel_only, image_uses, report

CODE = "DH402"


def check(ctx):
    for use in image_uses(ctx):
        ref = use.ref
        if ref.resolved and ref.tag and not ref.digest and (ref.tag == "latest" or ref.tag.startswith("latest-")):
            only = channel_only(ctx, ref)
            advice = f"{only}; {PIN_BY_DIGEST}" if only else "pin a version tag and a digest"
            yield report(ctx, CODE, use, f"{use.where} {ref.value} uses :{ref.tag}, which changes under you; {advice}")
