"""The shell-less images the rewrite ships on, and what each one runs by itself.

The counterpart of a language image (``python:3.11-slim`` ->
``gcr.io/distroless/python3-debian12:nonroot``) comes from the base-image
knowledge (``hardener/data/images.yaml``), so rules and the rewriter agree. This
module adds what the rewrite must know about the *target* to compose a command:
its preset ENTRYPOINT (distroless python3 and nodejs already run the
interpreter; java runs ``java -jar``), the interpreter path a HEALTHCHECK can
call, its non-root uid, and which package list it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TARGETS = ("distroless", "chainguard", "dhi", "ubuntu")


@dataclass(frozen=True)
class Runtime:
    image: str  # the reference written in FROM
    variant: str  # static | base | cc | python3 | nodejs | java (package list, see packages.py)
    entrypoint: tuple[str, ...]  # preset ENTRYPOINT of the image (empty: none)
    interpreter: str | None  # path of the interpreter (python / node / java), for HEALTHCHECK and ENTRYPOINT
    uid: int  # the non-root uid the image provides
    runtime_version: str | None = None  # python 3.11, node 22, java 17
    site_dir: str | None = None  # python: a site directory on sys.path (unused when PYTHONPATH is set)
    release: str | None = None  # the OS release it is built from, where its tag says (ubuntu: 24.04)

    @property
    def user(self) -> str:
        return f"{self.uid}:{self.uid}"


_DISTROLESS = re.compile(r"^gcr\.io/distroless/(?P<name>[a-z]+?)(?P<ver>\d+)?(?:-debian(?P<deb>\d+))?(?::(?P<tag>[^@]+))?(?:@.*)?$")


def describe(image: str, target: str) -> Runtime:
    """Facts about a target image reference (one of the counterparts dhard writes)."""
    from ..images import lookup
    from ..syntax.imageref import parse_image_ref

    ref = parse_image_ref(image)
    info = lookup(ref.registry, ref.repository, ref.tag)
    uid = info.nonroot_uid if info.nonroot_uid is not None else 65532
    if target == "distroless":
        m = _DISTROLESS.match(image)
        name = m.group("name") if m else ""
        if name == "python":
            version = info.runtime_version
            return Runtime(image, "python3", (f"/usr/bin/python{version}" if version else "/usr/bin/python3",),
                           "/usr/bin/python3", uid, version,
                           f"/usr/local/lib/python{version}/dist-packages" if version else None)
        if name == "nodejs":
            return Runtime(image, "nodejs", ("/nodejs/bin/node",), "/nodejs/bin/node", uid, m.group("ver") if m else None)
        if name == "java":
            return Runtime(image, "java", ("/usr/bin/java", "-jar"), "/usr/bin/java", uid, m.group("ver") if m else None)
        if name in ("static", "base", "cc"):
            return Runtime(image, name, (), None, uid)
        return Runtime(image, "base", (), None, uid)
    if target == "chainguard":
        # Layouts from the images' apko configurations (chainguard-images/images, images/<name>/config):
        # python and node run their interpreter as ENTRYPOINT (/usr/bin/python, /usr/bin/node), jre runs
        # /usr/bin/java without -jar; static and glibc-dynamic have no ENTRYPOINT. All run as 65532.
        repo = ref.repository.rsplit("/", 1)[-1]
        if repo == "python":
            return Runtime(image, "python3", ("/usr/bin/python",), "/usr/bin/python", uid, info.runtime_version)
        if repo == "node":
            return Runtime(image, "nodejs", ("/usr/bin/node",), "/usr/bin/node", uid, info.runtime_version)
        if repo in ("jre", "jdk"):
            return Runtime(image, "java", ("/usr/bin/java",), "/usr/bin/java", uid, info.runtime_version)
        if repo == "static":
            return Runtime(image, "static", (), None, uid)
        if repo == "glibc-dynamic":
            return Runtime(image, "glibc-dynamic", (), None, uid)  # glibc, libgcc, libstdc++; no OpenSSL
        return Runtime(image, "cc", (), None, uid)
    if target == "ubuntu":
        # Ubuntu's chiseled rocks (canonical/python-rock): ENTRYPOINT is pebble, which dhard replaces with the
        # interpreter, /usr/bin/python3 (there is no /usr/bin/python); Debian's site.py reads
        # /usr/local/lib/pythonX.Y/dist-packages, which the python3.X slice creates empty.
        version = info.runtime_version
        if ref.repository.rsplit("/", 1)[-1] == "python":
            return Runtime(image, "python3", ("/usr/bin/python3",), "/usr/bin/python3", uid, version,
                           f"/usr/local/lib/python{version}/dist-packages" if version else None, info.os_version)
        return Runtime(image, "cc", (), None, uid, release=info.os_version)  # no other rock is written yet
    # Docker Hardened Images (definitions in docker-hardened-images/catalog, image/<name>/<distro>/<tag>.yaml):
    # no ENTRYPOINT, a CMD naming the interpreter, which is on PATH (/opt/python/bin, /usr/local/bin);
    # dhard sets ENTRYPOINT itself.
    repo = ref.repository.rsplit("/", 1)[-1]
    if repo == "python":
        return Runtime(image, "python3", ("python3",), "python3", uid, info.runtime_version)
    if repo == "node":
        return Runtime(image, "nodejs", ("node",), "node", uid, info.runtime_version)
    if repo in ("eclipse-temurin", "amazoncorretto", "azul", "openjdk"):
        return Runtime(image, "java", ("java",), "java", uid, info.runtime_version)
    if repo == "static":
        if "glibc" in (ref.tag or ""):
            return Runtime(image, "static-glibc", (), None, uid)  # static + libc6 only
        return Runtime(image, "static", (), None, uid)
    return Runtime(image, "cc", (), None, uid)


def preset_is_reliable(target: str) -> bool:
    """Whether dhard may rely on the image's preset ENTRYPOINT instead of writing its own."""
    return target == "distroless"


def native_image(target: str, linkage: str, debian: str = "12") -> str | None:
    """The image for a compiled program: linkage is static | glibc (libc, libssl) | cc (+ libgcc, libstdc++)."""
    if target == "distroless":
        name = {"static": "static", "glibc": "base", "cc": "cc"}[linkage]
        return f"gcr.io/distroless/{name}-debian{debian}:nonroot"
    if target == "chainguard":
        return "cgr.dev/chainguard/static:latest" if linkage == "static" else "cgr.dev/chainguard/glibc-dynamic:latest"
    if target == "dhi":
        # static (no libc) and its -glibc tag (libc6 only: enough for a Go program built with cgo);
        # DHI publishes no image with libgcc_s/libstdc++ for a Rust or C++ program
        return {"static": "dhi.io/static:20250419", "glibc": "dhi.io/static:20250419-glibc"}.get(linkage)
    return None


# Ubuntu release -> the newest Debian release whose glibc is not newer (22.04: 2.35 >= Debian 11's 2.31;
# 24.04: 2.39 and 26.04: 2.42 >= Debian 12's 2.36; Debian 13 has 2.41): what builds for an Ubuntu target
UBUNTU_DEBIAN = {"22.04": "11", "24.04": "12", "26.04": "12"}


def debian_under(image: str) -> str | None:
    """For an Ubuntu rock (``ubuntu/python:3.10-22.04_stable``), the Debian release to build for it."""
    m = re.search(r":[^:@]*-(\d\d\.\d\d)(?:_|$|@)", image)
    return UBUNTU_DEBIAN.get(m.group(1)) if m and image.startswith("ubuntu/") else None


def debian_for(os_family: str | None, os_version: str | None) -> str:
    """Which Debian release the distroless image should follow for a build on this OS."""
    if os_family == "debian" and os_version in ("12", "13"):
        return os_version
    return "12"


def elsewhere(counterparts: dict, target: str, fallback: str) -> str:
    """A ``no-counterpart`` skip's hint: the targets that have an image where ``target`` has none, an exact
    version first (``use --target dhi (dhi.io/python:3.12)``), then ``fallback``."""
    exact, newest = [], []
    for other, image in counterparts.items():
        if other == target or other not in TARGETS or not image:
            continue
        if image.endswith(":latest"):
            newest.append(f"--target {other} ({image}, its newest version)")
        else:
            exact.append(f"--target {other} ({image})")
    others = exact + newest
    return f"use {', or '.join(others)}; or {fallback}" if others else fallback
