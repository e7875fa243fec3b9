"""DH307 build-tools-in-final-image: compilers, headers and git installed into what ships."""

from __future__ import annotations

from ..semantic.packages import APK_VALUE, APT_VALUE, RPM_VALUE, ZYPPER_VALUE
from ..syntax.lazyre import compile_glob
from .packages import shipped

CODE = "DH307"
TOOLS = frozenset(
    "gcc g++ cc c++ clang clang++ make cmake ninja ninja-build build-essential build-base alpine-sdk "
    "gcc-c++ git autoconf automake libtool".split()
)
_VALUE = {"apt": APT_VALUE, "apk": APK_VALUE, "rpm": RPM_VALUE, "zypper": ZYPPER_VALUE}
_INSTALL = {"apt": ("install",), "apk": ("add",), "rpm": ("install",), "zypper": ("install",)}
_REMOVE = {
    "apt": ("purge", "remove", "autoremove"),
    "apk": ("del",),
    "rpm": ("remove", "erase", "autoremove"),
    "zypper": ("remove",),
}


def package_name(word: str, family: str) -> str:
    """``gcc=4:12`` / ``gcc~13`` / ``libssl-dev:arm64`` / ``gcc>1`` -> the package name."""
    name = word
    for sep in ("=", "<", ">", "~"):
        name = name.split(sep, 1)[0]
    if family == "apt":
        name = name.split(":", 1)[0]
    return name.lower()


def is_build_tool(name: str) -> bool:
    if name in TOOLS:
        return True
    base = name.rstrip("0123456789.-")  # gcc-12, clang-17, g++-13
    if base in ("gcc", "g++", "clang", "cpp") and base != name:
        return True
    return name.endswith("-dev") or name.endswith("-devel") or name.endswith("-headers")


def installed(ctx, ins, pkg) -> list[str]:
    out = []
    for w in pkg.operands(_VALUE[pkg.family]):
        for value in _values(ctx, ins, w):
            if value.startswith(("/", ".", "-")) or value.endswith((".deb", ".rpm", ".apk")):
                continue
            name = package_name(value, pkg.family)
            if is_build_tool(name):
                out.append(name)
    return out


def _values(ctx, ins, word) -> list[str]:
    """The package names a word gives: itself, or the words of an ARG/ENV it expands (``$BUILD_DEPS``)."""
    if word.value is not None:
        return [word.value]
    raw = word.raw.strip("\"'")
    if raw.startswith("${") and raw.endswith("}"):
        name = raw[2:-1]
    elif raw.startswith("$"):
        name = raw[1:]
    else:
        return []
    if not name.replace("_", "a").isalnum():
        return []
    value = ctx.build.state(ins).vars.get(name)
    return value.split() if value else []


def _virtual(pkg) -> str | None:
    return pkg.value("--virtual") or pkg.value("-t")


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        found: list[str] = []
        for pkg in f.pkgs:
            fam = pkg.family
            if fam not in _INSTALL or pkg.action not in _INSTALL[fam]:
                continue
            if fam == "apt" and pkg.tool not in ("apt-get", "apt"):
                continue
            names = installed(ctx, ins, pkg)
            if not names:
                continue
            later = f.after(pkg)
            if _removes_all(fam, pkg, later):
                continue
            gone = _removed_names(fam, later)
            if gone:
                globs = [compile_glob(g) for g in gone]
                names = [n for n in names if not any(glob.match(n) for glob in globs)]
            found.extend(n for n in names if n not in found)
        if not found:
            continue
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        yield ctx.finding(
            CODE,
            ins,
            f"{shown} installed in a shipped stage and not removed in this RUN; "
            "build in a builder stage and COPY only the result",
        )


def _removed_names(family: str, later) -> list[str]:
    out = []
    for p in later:
        if p.family == family and p.action in _REMOVE[family]:
            for w in p.operands(_VALUE[family]):
                if w.value is None:
                    out.append("*")  # removes what a variable lists: give it the benefit of the doubt
                else:
                    out.append(package_name(w.value, family))
    return out


def _removes_all(family: str, pkg, later) -> bool:
    if family == "apk":
        group = _virtual(pkg)
        return bool(group) and any(
            p.family == "apk" and p.action == "del" and any(w.value == group for w in p.operands(APK_VALUE)) for p in later
        )
    if family == "apt":
        # docker-library style: apt-mark auto everything, then purge --auto-remove / autoremove
        marked = [p for p in later if p.tool == "apt-mark" and p.action == "auto"]
        if not marked:
            return False
        first = min(p.position for p in marked)
        return any(
            p.tool in ("apt-get", "apt")
            and p.position > first
            and (p.action == "autoremove" or (p.action in ("purge", "remove") and p.has("--auto-remove", "--autoremove")))
            for p in later
        )
    return False
