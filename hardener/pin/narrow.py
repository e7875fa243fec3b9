"""``dhard pin --narrow``: a floating tag -> the full version that names the same digest.

``python:3-slim`` pinned as ``python:3.12.8-slim@sha256:…``: the build is the
same, and the file now says which version it is (DH403). The candidates are
the repository's tags that spell a fuller version with the same suffix
(``3`` -> ``3.12.8``; ``lts`` or a codename -> any dotted version), tried from
the most precise and highest down; the first whose digest is the floating
tag's wins. No match: the tag is kept.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(-.*)?$")
MAX_TRIES = 25  # manifest requests per reference, at most


def candidates(tag: str, tags: list[str]) -> list[str]:
    """Tags that may name the same image as ``tag`` more precisely, best first."""
    head, dash, suffix = tag.partition("-")
    suffix = dash + suffix
    numeric = _VERSION.match(head)
    prefix = numeric.group(1).split(".") if numeric else None
    if not numeric:  # a channel or codename (lts, stable, bookworm): any version with the same suffix
        suffix = "" if tag == head else suffix
    out = []
    for other in tags:
        match = _VERSION.match(other)
        if not match or other == tag or (match.group(2) or "") != suffix:
            continue
        parts = match.group(1).split(".")
        if prefix is not None and (len(parts) <= len(prefix) or parts[: len(prefix)] != prefix):
            continue
        out.append((len(parts), tuple(int(p) for p in parts), other))
    out.sort(reverse=True)
    return [other for _, _, other in out]


def narrow(client, registry: str | None, repository: str, tag: str, digest: str) -> str | None:
    """The most precise tag naming ``digest``, or None."""
    tried = 0
    for other in candidates(tag, client.tags(registry, repository)):
        if tried >= MAX_TRIES:
            break
        tried += 1
        if client.resolve(registry, repository, other).digest == digest:
            return other
    return None
