"""DH301 apt-lists-left: ``apt-get update`` whose package lists stay in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import covers, facts, later_runs, shipped, stage_chain, sudo_prefix, word_path

CODE = "DH301"
LISTS = "/var/lib/apt/lists"
CLEANUP = "rm -rf /var/lib/apt/lists/*"
# apt commands that read the lists (an `update` is what writes them)
READERS = frozenset(
    "update install upgrade dist-upgrade full-upgrade build-dep source download satisfy changelog "
    "reinstall policy madison show showpkg depends rdepends search list".split()
)


# the apt front ends whose `update` writes /var/lib/apt/lists (aptitude writes the same lists)
UPDATERS = frozenset(("apt-get", "apt", "aptitude"))
# -- downloaded archives ----------------------------------------------------------------------------
# Debian's and Ubuntu's images ship /etc/apt/apt.conf.d/docker-clean, which deletes the .deb files
# apt downloads into /var/cache/apt/archives. A build that removes it (to keep them in a cache
# mount) keeps them in the layer unless that directory is mounted, removed or `apt-get clean`ed.
DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean"
ARCHIVES = "/var/cache/apt/archives"
FETCHERS = frozenset("install reinstall upgrade dist-upgrade build-dep satisfy source".split())
ARCHIVE_CLEANERS = frozenset(("clean", "dist-clean"))


def _removes_docker_clean(f, before: int | None = None) -> bool:
    for p in f.pkgs:
        if p.family != "rm" or (before is not None and f.known and p.position > before):
            continue
        words = p.cmd.words[1:2] if p.action == "find-delete" else p.operands()
        if any((path := word_path(w)) is not None and covers(path, DOCKER_CLEAN) for w in words):
            return True
    return False


def _docker_clean_gone(ctx, f, pkg) -> bool:
    """docker-clean was removed before ``pkg`` runs: earlier in this RUN or in an earlier RUN of its chain."""
    if _removes_docker_clean(f, pkg.position):
        return True
    chain = stage_chain(ctx, f.ins)
    for ins, _ in ctx.build.runs():
        if ins.index < f.ins.index and ins.stage in chain and ins.sub is None and _removes_docker_clean(facts(ctx, ins)):
            return True
    return False


def archives_left(ctx, f):
    """A finding when an install keeps apt's downloaded archives in the layer (docker-clean removed)."""
    fetch = [p for p in f.pkgs if p.family == "apt" and p.tool in UPDATERS and p.action in FETCHERS]
    if not fetch:
        return
    last = max(fetch, key=lambda p: p.position)
    if not any(_docker_clean_gone(ctx, f, p) for p in fetch):
        return
    if f.mounted(ARCHIVES) or f.removed((ARCHIVES,), last.position):
        return
    if any(p.family == "apt" and p.action in ARCHIVE_CLEANERS for p in f.after(last)):
        return
    if not f.known and (f.mentions("apt-get clean") or f.mentions("apt clean")):
        return
    fix = None
    if f.known:
        region = f.region_of(last)
        edit = runedit.append(ctx, f.rt, region, sudo_prefix(fetch) + "apt-get clean") if region else None
        if edit is not None:
            fix = ctx.fix("Run `apt-get clean` at the end of the RUN", Applicability.SAFE, edit)
    yield ctx.finding(
        CODE,
        f.ins,
        f"{last.tool} {last.action} keeps its downloaded archives in {ARCHIVES}: docker-clean was removed and "
        "no cache is mounted there; mount a cache on /var/cache/apt too, or end this RUN with `apt-get clean`",
        fix=fix,
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
        if p.tool in UPDATERS and p.action == "update":
            return False
        if p.action in READERS and p.tool != "apt-mark":
            return True
    return False


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        yield from archives_left(ctx, f)
        apt = [p for p in f.pkgs if p.family == "apt" and p.tool in UPDATERS]
        if not any(p.action == "update" for p in apt):
            continue
        updater = next(p.tool for p in apt if p.action == "update")
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
                f"{updater} update leaves /var/lib/apt/lists in the layer and a later RUN installs from them; "
                f"update, install and `{CLEANUP}` in one RUN"
            )
        else:
            message = f"{updater} update leaves /var/lib/apt/lists in the layer; end this RUN with `{CLEANUP}`"
        yield ctx.finding(CODE, ins, message, fix=fix)
