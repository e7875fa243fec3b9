"""DH405 untrusted-registry: an image from a registry outside the configured allow-list."""

from .images_refs import image_uses, report

CODE = "DH405"
HUB = "docker.io"


def trusted(name: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        entry = entry.rstrip("/")
        if name == entry or name.startswith(entry + "/"):
            return True
    return False


def check(ctx):
    allowed = ctx.config.trusted_registries
    if not allowed:
        return
    for use in image_uses(ctx):
        ref = use.ref
        if not ref.resolved:
            continue
        full = f"{ref.registry or HUB}/{ref.repository if ref.registry or '/' in ref.repository else 'library/' + ref.repository}"
        registry = ref.registry or HUB
        if not (trusted(full, allowed) or trusted(registry, allowed)):
            message = f"{use.where} {ref.value} comes from {registry}, which is not in trusted-registries"
            yield report(ctx, CODE, use, message, pinnable=False)  # a digest does not make the registry trusted
