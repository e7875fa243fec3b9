"""DH308 package-manager-in-final-image: the shipped image keeps apt/apk/dnf... (info)."""

from __future__ import annotations

from .packages import shipped

CODE = "DH308"
# files whose removal takes the package manager out of the image
_BINARIES = {
    "apt": ("/usr/bin/apt", "/usr/bin/apt-get", "/usr/bin/dpkg"),
    "apk": ("/sbin/apk", "/usr/sbin/apk"),
    "dnf": ("/usr/bin/dnf", "/usr/bin/rpm"),
    "yum": ("/usr/bin/yum", "/usr/bin/rpm"),
    "microdnf": ("/usr/bin/microdnf", "/usr/bin/rpm"),
    "tdnf": ("/usr/bin/tdnf", "/usr/bin/rpm"),
    "zypper": ("/usr/bin/zypper", "/usr/bin/rpm"),
}
_PACKAGES = {"apk": "apk-tools", "apt": "apt", "dnf": "dnf", "yum": "yum", "microdnf": "microdnf", "zypper": "zypper"}


def check(ctx):
    final = ctx.build.final_stage
    if final is None:
        return
    info = ctx.build.image_of(final)
    manager = info.package_manager
    if not manager or manager == "none":
        return
    if _removed(ctx, manager):
        return
    base = ctx.build.root_stage(final).base
    image = base.value or base.written
    yield ctx.finding(
        CODE,
        final.from_,
        f"The final image keeps the {manager} package manager (from {image}); "
        "`dhard harden` can move the result to a base without one",
    )


def _removed(ctx, manager: str) -> bool:
    """A shipped RUN removes the package manager's binaries or its package."""
    binaries = _BINARIES.get(manager, ())
    package = _PACKAGES.get(manager)
    for f in shipped(ctx):
        if f.ins.sub is not None:
            continue
        for p in f.pkgs:
            if p.tool == "rm":
                if any(_names(w.value, binaries) for w in p.cmd.words[1:]):
                    return True
            elif package and p.action in ("del", "purge", "remove", "erase") and any(
                (w.value or "") == package for w in p.operands()
            ):
                return True
    return False


def _names(value: str | None, binaries) -> bool:
    if not value or value.startswith("-"):
        return False
    if value.endswith("*"):
        stem = value.rstrip("*")
        return bool(stem) and any(b.startswith(stem) for b in binaries)
    return value in binaries
