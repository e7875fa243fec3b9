"""One file's pinning: resolve its references, decide the edits, say what happened."""

from __future__ import annotations

import time

from ..record import dataclass, field
from .lockfile import Entry
from .narrow import narrow as narrow_tag
from .registry import RegistryError
from .rewrite import apply, targets


@dataclass
class Outcome:
    text: str  # the new text (the original when nothing changed or something failed)
    pinned: list = field(default_factory=list)  # (Target, new reference)
    updated: list = field(default_factory=list)  # (Target, new reference)
    current: list = field(default_factory=list)  # Targets whose pin is the tag's digest
    missing: list = field(default_factory=list)  # --check: (Target, digest the tag names)
    stale: list = field(default_factory=list)  # --check: (Target, digest the tag names now)
    skipped: list = field(default_factory=list)  # Skipped
    errors: list = field(default_factory=list)  # (Target, message)
    entries: dict = field(default_factory=dict)  # lock key -> Entry

    @property
    def changed(self) -> bool:
        return bool(self.pinned or self.updated)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def pin_dockerfile(df, client, *, update: bool = False, check: bool = False, platforms=(), config=None,
                   narrow: bool = False, only=None) -> Outcome:
    """Pin ``df``'s references through ``client`` (those keyed in ``only``, when given).

    On any failure the text is left as it was.
    """
    found, skipped = targets(df, config)
    if only is not None:
        found = [t for t in found if t.key in only]
        skipped = [s for s in skipped if s.written in only]
    out = Outcome(text=df.text, skipped=list(skipped))
    edits = []
    stamp = now()
    for target in found:
        if target.digest and not target.tag:
            out.current.append(target)  # pinned by digest alone: no tag to follow
            continue
        if target.digest and not (update or check):
            out.current.append(target)
            continue
        tag = target.tag or "latest"
        try:
            resolved = client.resolve(target.registry, target.repository, tag)
        except RegistryError as exc:
            out.errors.append((target, str(exc)))
            continue
        lacking = [p for p in platforms if resolved.platforms and not _provides(resolved.platforms, p)]
        if lacking:
            out.errors.append((target, f"{target.key}: does not provide {', '.join(lacking)} "
                                       f"(it has {', '.join(resolved.platforms)})"))
            continue
        new = target.pinned(resolved.digest)
        key = target.key
        if narrow and not check and _floating(tag):
            try:
                fuller = narrow_tag(client, target.registry, target.repository, tag, resolved.digest)
            except RegistryError as exc:
                out.errors.append((target, str(exc)))
                continue
            if fuller:
                tag, key = fuller, target.retagged(fuller)
                new = f"{key}@{resolved.digest}"
        out.entries[key] = Entry(tag, resolved.digest, tuple(sorted(resolved.platforms)), stamp)
        if target.digest == resolved.digest and new == target.literal:
            out.current.append(target)
            continue
        if check:
            (out.stale if target.digest else out.missing).append((target, resolved.digest))
            continue
        (out.updated if target.digest else out.pinned).append((target, new))
        edits.append((target.start, target.end, new))
    if out.errors or not edits:
        out.pinned, out.updated = [], []
        if out.errors:
            out.entries = {}
        return out
    out.text = apply(df.text, edits)
    return out


def _floating(tag: str) -> bool:
    from ..rules.dh403_floating_tag import floating_reason  # the one definition of a tag that moves

    return tag == "latest" or floating_reason(tag) is not None


def _provides(available, wanted: str) -> bool:
    wanted = wanted.strip().lower()
    return any(p == wanted or p.startswith(wanted + "/") for p in available)
