"""The ecosystems the distroless rewrite knows, as plug-ins, in the order they are asked.

Each module here implements the interface in ``base.py``: a ``name``,
``detect(facts) -> bool`` (is this build one of mine? decided from the base
image, what the RUNs install or build, and the command when there is one) and
``plan(facts, target, log) -> Plan`` (the target image, what to copy, ENV,
ENTRYPOINT/CMD). ``rewrite/distroless.py`` asks them in the order of
``ECOSYSTEMS`` and plans with the first whose ``detect`` is true; ``native``
(a program of the image's own: Go, Rust, C, a downloaded binary) claims
everything and comes last, as the fallback.

Adding an ecosystem is:

1. one module here implementing ``base.py``'s interface;
2. its entry in ``ECOSYSTEMS``, before ``native``;
3. its fixtures (``fixtures/rewrite/<name>-*/``, an app under ``e2e/apps/``) and
   tests (``tests/test_rewrite.py``: the fixtures its ``detect`` claims);
4. its target images: the ``counterparts`` of its base images in ``hardener/data/images.yaml``.

Nothing else changes: the main flow has no per-ecosystem branch. What the
target has that the build installed as OS packages (the runtime itself) the
plan says in ``Plan.provided``; the target's HEALTHCHECK client, where it has
one, is ``rewrite/healthcheck.py``'s (python3 and nodejs images today).
"""

from __future__ import annotations

from . import java, native, nginx, node, python

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from .base import Ecosystem

ECOSYSTEMS: tuple[Ecosystem, ...] = (nginx, python, node, java, native)  # nginx: a final stage on nginx's image

__all__ = ["ECOSYSTEMS", "java", "native", "nginx", "node", "python"]
