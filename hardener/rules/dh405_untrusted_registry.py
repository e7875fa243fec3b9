"""DH405 untrusted-registry: an image from a registry outside the configured allow-list."""

from .images_refs import image_uses, report

CODE = "DH405"
HUB = "docker.io"


def trusted(registry: str, full: str, allowed: tuple[str, ...]) -> bool:
    """Whether an image from ``registry`` (full name ``full``) is allowed by one entry.

    ``*`` allows every registry; ``*suffix`` allows the hosts that end with it (``*.example.com``:
    its subdomains, not example.com itself), as hadolint's trustedRegistries does; any other entry
    is a host, or a host and repository prefix, matched whole."""
    registry = registry.lower()  # host names are case-insensitive
    for entry in allowed:
        entry = entry.rstrip("/")
        host, slash, repo = entry.partition("/")
        entry = host.lower() + slash + repo
        if entry == "*":
            return True
        host, slash, repo = entry.partition("/")
        if host.startswith("*"):
            if not registry.endswith(host[1:]):
                continue
            if not slash:
                return True
            rest = full[len(registry) + 1 :]
            if rest == repo or rest.startswith(repo + "/"):
                return True
            continue
        if registry == entry or full == entry or full.startswith(entry + "/"):
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
        if not trusted(registry, full, allowed):
            message = f"{use.where} {ref.value} comes from {registry}, which is not in trusted-registries"
            yield report(ctx, CODE, use, message, pinnable=False)  # a digest does not make the registry trusted
