"""DH304 rpm-cache-left: yum/dnf/microdnf/zypper installs whose cache stays in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import facts, later_runs, shipped, sudo_prefix
from ..semantic.packages import cache_domain, cache_paths, empties_cache_of

CODE = "DH304"
# the verbs (aliases resolved by the reader) that download metadata or packages into the cache
RPM_WRITES = frozenset(
    "install reinstall upgrade upgrade-minimal distro-sync downgrade builddep makecache swap".split()
)
ZYPPER_WRITES = frozenset("install update dist-upgrade patch source-install refresh install-new-recommends".split())


def covered(f, pkg) -> bool:
    """The cache ``pkg`` fills is mounted, removed afterwards, or emptied by the tool's own clean."""
    paths = cache_paths(pkg.tool)
    if f.mounted(*paths) or f.removed(paths, pkg.position):
        return True
    if any(empties_cache_of(p, pkg.tool) for p in f.after(pkg)):
        return True
    if f.known:
        return False
    return f.mentions(f"{pkg.tool} clean") or any(f.mentions(path) for path in paths)


def _zypper_reader(f) -> bool:
    """A RUN that installs with zypper before refreshing its repositories."""
    for p in f.pkgs:
        if p.family != "zypper":
            continue
        if p.action == "refresh":
            return False
        if p.action in ZYPPER_WRITES:
            return True
    return False


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        left = [
            p
            for p in f.pkgs
            if (p.family == "rpm" and p.action in RPM_WRITES) or (p.family == "zypper" and p.action in ZYPPER_WRITES)
        ]
        left = [p for p in left if not covered(f, p)]
        if not left:
            continue
        cleanups = []
        cleaned: list = []
        for p in left:  # one `clean all` per tool whose cache is left (dnf's does not empty microdnf's)
            if p.family == "rpm" and cache_domain(p.tool) not in cleaned:
                cleaned.append(cache_domain(p.tool))
                cleanups.append(f"{p.tool} clean all")
        if any(p.family == "zypper" for p in left):
            cleanups.append("zypper clean --all")
        command = " && ".join(sudo_prefix(left) + c for c in cleanups)
        fix = None
        unsafe_root = any(p.has("--installroot", "--root", "-R") for p in left)
        blocked = any(p.family == "zypper" for p in left) and any(
            _zypper_reader(facts(ctx, other)) for other in later_runs(ctx, ins)
        )
        if f.known and not unsafe_root and not blocked:
            last = max(left, key=lambda p: p.position)
            region = f.region_of(last)
            edit = runedit.append(ctx, f.rt, region, command) if region else None
            if edit is not None:
                fix = ctx.fix(f"Add `{command}` at the end of the RUN", Applicability.SAFE, edit)
        first = left[0]
        yield ctx.finding(
            CODE,
            ins,
            f"{first.tool} {first.sub.value if first.sub is not None and first.sub.value else first.action} leaves its package cache in the layer; end this RUN with `{command}`",
            fix=fix,
        )
