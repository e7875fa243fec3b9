"""DH404 unpinned-digest: an external image without @sha256 (info)."""

from .images_refs import image_uses, report

CODE = "DH404"


def check(ctx):
    for use in image_uses(ctx):
        ref = use.ref
        if ref.resolved and not ref.digest and not ref.is_scratch:
            yield report(ctx, CODE, use, f"{use.where} {ref.value} is not pinned by digest; add @sha256:... for reproducible builds")
