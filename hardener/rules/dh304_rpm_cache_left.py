"""DH304 rpm-cache-left: yum/dnf/microdnf/zypper installs whose cache stays in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import facts, later_runs, shipped, sudo_prefix

CODE = "DH304"
RPM_CACHE = ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5", "/var/cache/tdnf")
ZYPP_CACHE = ("/var/cache/zypp",)
RPM_WRITES = frozenset(
    "install reinstall update upgrade update-minimal upgrade-minimal distro-sync distrosync downgrade "
    "builddep makecache swap".split()
)
ZYPPER_WRITES = frozenset("install update dist-upgrade patch source-install refresh install-new-recommends".split())


def _rpm_clean(p) -> bool:
    if p.family != "rpm" or p.action != "clean":
        return False
    return any(w.value in ("all", "metadata") for w in p.operands())


def covered(f, pkg) -> bool:
    if pkg.family == "rpm":
        if f.mounted(*RPM_CACHE) or f.removed(RPM_CACHE, pkg.position):
            return True
        if any(_rpm_clean(p) for p in f.after(pkg)):
            return True
        return not f.known and "clean all" in (f.rt.text if f.rt else "")
    if f.mounted(*ZYPP_CACHE) or f.removed(ZYPP_CACHE, pkg.position):
        return True
    if any(p.family == "zypper" and p.action == "clean" for p in f.after(pkg)):
        return True
    return not f.known and f.mentions("zypper clean")


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
        rpm = [p for p in left if p.family == "rpm"]
        if rpm:
            cleanups.append(f"{rpm[-1].tool} clean all")
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
            f"{first.tool} {first.action} leaves its package cache in the layer; end this RUN with `{command}`",
            fix=fix,
        )
