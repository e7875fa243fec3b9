"""Image references, ``[registry/]repository[:tag][@digest]``, read as Docker reads them.

One parser for FROM (``parse_image_ref``, which substitutes ARGs first) and for
the image knowledge and its CLI (``split_domain``, ``split_reference``). It
follows Docker's reference grammar (github.com/distribution/reference):

* the first path component is a registry when it is ``localhost``, holds a
  ``.`` or ``:`` (a domain, an IP address, a port) or an upper-case letter
  (repository paths are lower case, so it cannot be one); else the image is
  on Docker Hub;
* a ``:`` after the last ``/`` starts the tag (an earlier one is a port);
* ``@`` starts the digest.

Docker Hub comes out as registry ``None`` and official images in their familiar
form: ``docker.io/library/python`` is repository ``python``.
"""

from __future__ import annotations

from ..model import ImageRef
from .expand import expand_word

HUB = "docker.io"
# Names of Docker Hub: Docker's canonical and legacy ones, and the registry's own host.
HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_OFFICIAL = "library/"


def split_domain(name: str) -> tuple[str | None, str]:
    """'gcr.io/distroless/static' -> ('gcr.io', 'distroless/static'); 'python' -> (None, 'python').

    The registry comes back as written (Docker Hub's names included); None when there is none.
    """
    first, slash, rest = name.partition("/")
    if slash and (first == "localhost" or "." in first or ":" in first or first.lower() != first):
        return first, rest
    return None, name


def split_reference(text: str) -> tuple[str | None, str, str | None, str | None]:
    """'gcr.io/distroless/static:nonroot' -> ('gcr.io', 'distroless/static', 'nonroot', None).

    (registry, repository, tag, digest): registry None for Docker Hub, whose
    official images lose their ``library/``. No ARG substitution, no quotes.
    """
    name, at, digest = text.partition("@")
    registry, repository = split_domain(name)
    tag = None
    colon = repository.rfind(":")
    if colon > repository.rfind("/"):
        repository, tag = repository[:colon], repository[colon + 1 :]
    if registry in HUB_ALIASES:
        registry = None
    if registry is None and repository.startswith(_OFFICIAL) and "/" not in repository[len(_OFFICIAL) :]:
        repository = repository[len(_OFFICIAL) :]
    return registry, repository, tag, digest if at else None


def parse_image_ref(written: str, scope: dict[str, str | None] | None = None, escape: str = "\\") -> ImageRef:
    """The reference as BuildKit reads a FROM image: ARGs from ``scope`` substituted, quotes removed."""
    value, missing = expand_word(written, scope or {}, escape)
    if value is None:
        return ImageRef(written=written, value=None, unresolved=missing)
    registry, repository, tag, digest = split_reference(value)
    return ImageRef(written=written, value=value, registry=registry, repository=repository, tag=tag, digest=digest)
