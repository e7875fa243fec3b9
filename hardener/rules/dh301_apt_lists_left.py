"""DH301 apt-lists-left: ``apt-get update`` whose package lists stay in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import facts, later_runs, shipped, sudo_prefix

CODE = "DH301"
LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"
# apt commands that read the lists (an `update` is what writes them)
READERS = frozenset(
    "update install upgrade dist-upgrade full-upgrade build-dep source download satisfy changelog "
    "reinstall policy madison show showpkg depends rdepends search list".split()
)


def cleaned(f, after: int) -> bool:
    if f.mounted(LISTS) or f.removed((LISTS,), after):
        return True
    for p in f.pkgs:
        if p.family == "apt" and p.action == "dist-clean" and (not f.known or p.position > after):
            return True
    return not f.known and f.mentions(LISTS)


def reads_lists_first(f) -> bool:
    """Whether this RUN uses the package lists before (or without) refreshing them."""
    for p in f.pkgs:
        if p.family != "apt":
            continue
        if p.tool in ("apt-get", "apt") and p.action == "update":
            return False
        if p.action in READERS and p.tool != "apt-mark":
            return True
    return False


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        apt = [p for p in f.pkgs if p.family == "apt" and p.tool in ("apt-get", "apt")]
        if not any(p.action == "update" for p in apt):
            continue
        users = [p for p in apt if p.action in READERS]
        last = max(users, key=lambda p: p.position)
        if cleaned(f, last.position):
            continue
        fix = None
        blocked = any(reads_lists_first(facts(ctx, other)) for other in later_runs(ctx, ins))
        if f.known and not blocked:
            region = f.region_of(last)
            edit = runedit.append(ctx, f.rt, region, sudo_prefix(apt) + CLEANUP) if region else None
            if edit is not None:
                fix = ctx.fix("Remove /var/lib/apt/lists/* at the end of the RUN", Applicability.SAFE, edit)
        if blocked:
            message = (
                "apt-get update leaves /var/lib/apt/lists in the layer and a later RUN installs from them; "
                f"update, install and `{CLEANUP}` in one RUN"
            )
        else:
            message = f"apt-get update leaves /var/lib/apt/lists in the layer; end this RUN with `{CLEANUP}`"
        yield ctx.finding(CODE, ins, message, fix=fix)
