"""DH303 apk-cache-left: ``apk add``/``apk update`` that leave the index cache in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import shipped, sudo_prefix

CODE = "DH303"
CACHE = ("/var/cache/apk", "/etc/apk/cache")
CLEANUP = "rm -rf /var/cache/apk/*"


def covered(f, pkg) -> bool:
    if f.mounted(*CACHE) or f.removed(CACHE, pkg.position):
        return True
    for p in f.after(pkg):
        if p.family == "apk" and p.action == "cache" and _cache_clean(p):
            return True
    return not f.known and f.mentions("/var/cache/apk")


def _cache_clean(p) -> bool:
    ops = p.operands()
    return bool(ops) and ops[0].value in ("clean", "purge")


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        apk = [p for p in f.pkgs if p.family == "apk" and not p.has("--no-cache", "--no-network")]
        adds = [p for p in apk if p.action in ("add", "upgrade") and not covered(f, p)]
        updates = [p for p in apk if p.action == "update" and not covered(f, p)]
        if not adds and not updates:
            continue
        fix = None
        if updates:
            if f.known:
                last = max(updates + adds, key=lambda p: p.position)
                region = f.region_of(last)
                edit = runedit.append(ctx, f.rt, region, sudo_prefix(apk) + CLEANUP) if region else None
                if edit is not None:
                    fix = ctx.fix("Remove /var/cache/apk/* at the end of the RUN", Applicability.SAFE, edit)
            message = f"apk update leaves its index in /var/cache/apk; use `apk add --no-cache` instead, or end this RUN with `{CLEANUP}`"
        else:
            if f.known:
                edits = [runedit.insert_after(ctx, f.rt, p.sub, "--no-cache") for p in adds]
                if all(edits):
                    fix = ctx.fix(f"Add --no-cache after {adds[0].action}", Applicability.SAFE, *edits)
            message = f"apk {adds[0].action} without --no-cache leaves its index in /var/cache/apk; add --no-cache"
        yield ctx.finding(CODE, ins, message, fix=fix)
