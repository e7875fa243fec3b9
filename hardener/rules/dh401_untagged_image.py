"""DH401 untagged-image: an external image with neither tag nor digest."""

from .images_refs import image_uses, report

CODE = "DH401"


def check(ctx):
    for use in image_uses(ctx):
        ref = use.ref
        if ref.resolved and not ref.tag and not ref.digest and not ref.is_scratch:
            yield report(ctx, CODE, use, f"{use.where} {ref.value} has no tag: it means :latest; pin a version tag and a digest")
