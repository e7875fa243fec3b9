"""OS packages: which ones an app needs at run time, and which ones a target has.

The final stage of the original build becomes a builder, so what it installs
stays available *while building*. What matters is what the app still needs
*when it runs*: a library a C extension links (``libpq-dev`` at build time means
``libpq5`` at run time), or a program it calls (``ffmpeg``). Those must exist
in the shell-less target, or the rewrite is skipped. Package names are
Debian's; Alpine names are mapped where the meaning is the same.
"""

from __future__ import annotations

import re

# -- what the distroless images of Debian 12 contain (the package lists distroless uses) ----

_STATIC = {"base-files", "ca-certificates", "tzdata", "netbase", "media-types"}
_BASE = _STATIC | {"libc6", "libc-bin", "libssl3", "openssl"}
_CC = _BASE | {"libgcc-s1", "libgomp1", "libstdc++6", "gcc-12-base"}
_PYTHON3 = _CC | {
    "libbz2-1.0", "libdb5.3", "libexpat1", "liblzma5", "libsqlite3-0", "libuuid1", "libncursesw6",
    "libtinfo6", "python3-distutils", "zlib1g", "libcom-err2", "libcrypt1", "libgssapi-krb5-2",
    "libk5crypto3", "libkeyutils1", "libkrb5-3", "libkrb5support0", "libnsl2", "libreadline8",
    "libtirpc3", "libtirpc-common", "libffi8", "libpython3.11-minimal", "libpython3.11-stdlib",
    "python3.11-minimal", "python3-minimal", "python3", "python3.11", "readline-common",
}
_JAVA = _BASE | {
    "zlib1g", "libfontconfig1", "fontconfig-config", "fonts-dejavu-core", "libfreetype6",
    "libharfbuzz0b", "liblcms2-2", "libjpeg62-turbo", "libpng16-16", "libexpat1", "libbrotli1",
    "libglib2.0-0", "libgraphite2-3", "libpcre2-8-0", "libbz2-1.0", "libuuid1",
}

# Variant name (static/base/cc/python3/nodejs/java) -> packages.
TARGET_PACKAGES = {
    "static": frozenset(_STATIC),
    "base": frozenset(_BASE),
    "cc": frozenset(_CC),
    "python3": frozenset(_PYTHON3),
    "nodejs": frozenset(_CC),
    "java": frozenset(_JAVA),
    # Chainguard glibc-dynamic and DHI static-glibc: no OpenSSL
    "glibc-dynamic": frozenset(_CC - {"libssl3", "openssl"}),
    "static-glibc": frozenset(_BASE - {"libssl3", "openssl"}),
}

# -dev packages -> the run-time library a program built against them loads.
DEV_RUNTIME = {
    "zlib1g-dev": "zlib1g",
    "libffi-dev": "libffi8",
    "libssl-dev": "libssl3",
    "libsqlite3-dev": "libsqlite3-0",
    "libexpat1-dev": "libexpat1",
    "libexpat-dev": "libexpat1",
    "libbz2-dev": "libbz2-1.0",
    "liblzma-dev": "liblzma5",
    "uuid-dev": "libuuid1",
    "libncurses-dev": "libncursesw6",
    "libncurses5-dev": "libncursesw6",
    "libncursesw5-dev": "libncursesw6",
    "libreadline-dev": "libreadline8",
    "libdb-dev": "libdb5.3",
    "libdb5.3-dev": "libdb5.3",
    "libkrb5-dev": "libkrb5-3",
    "libtirpc-dev": "libtirpc3",
    "libcrypt-dev": "libcrypt1",
    "libc6-dev": "libc6",
    "libc-dev": "libc6",
    "libstdc++-12-dev": "libstdc++6",
    "libgcc-12-dev": "libgcc-s1",
    "libgomp1": "libgomp1",
    "libpq-dev": "libpq5",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "default-libmysqlclient-dev": "libmariadb3",
    "libmysqlclient-dev": "libmysqlclient21",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libpng-dev": "libpng16-16",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libxslt-dev": "libxslt1.1",
    "libyaml-dev": "libyaml-0-2",
    "libgeos-dev": "libgeos-c1v5",
    "libgdal-dev": "libgdal32",
    "libmagic-dev": "libmagic1",
    "libcurl4-openssl-dev": "libcurl4",
    "libcurl4-gnutls-dev": "libcurl3-gnutls",
    "libldap2-dev": "libldap-2.5-0",
    "libsasl2-dev": "libsasl2-2",
    "libfreetype6-dev": "libfreetype6",
    "libfreetype-dev": "libfreetype6",
    "libtiff-dev": "libtiff6",
    "libtiff5-dev": "libtiff6",
    "libwebp-dev": "libwebp7",
    "libopenblas-dev": "libopenblas0",
    "liblapack-dev": "liblapack3",
    "libblas-dev": "libblas3",
    "libgmp-dev": "libgmp10",
    "libzstd-dev": "libzstd1",
    "libgdbm-dev": "libgdbm6",
    "libsodium-dev": "libsodium23",
    "libpcre3-dev": "libpcre3",
    "libpcre2-dev": "libpcre2-8-0",
    "libevent-dev": "libevent-2.1-7",
    "libsnappy-dev": "libsnappy1v5",
    "liblz4-dev": "liblz4-1",
    "libglib2.0-dev": "libglib2.0-0",
    "libcairo2-dev": "libcairo2",
    "libpango1.0-dev": "libpango-1.0-0",
    "libharfbuzz-dev": "libharfbuzz0b",
    "libfontconfig1-dev": "libfontconfig1",
    "liblcms2-dev": "liblcms2-2",
    "libopenjp2-7-dev": "libopenjp2-7",
    "libhdf5-dev": "libhdf5-103-1",
    "libgl1-mesa-dev": "libgl1",
    "libsm-dev": "libsm6",
    "libxext-dev": "libxext6",
    "libxrender-dev": "libxrender1",
    "libusb-1.0-0-dev": "libusb-1.0-0",
    "libpython3-dev": "libpython3.11",
    "libpython3.11-dev": "libpython3.11",
}

# Needed only to build (or to fetch what is built): fine to leave in the builder.
BUILD_TOOLS = frozenset("""
gcc g++ cpp c++ clang llvm make cmake ninja-build meson build-essential pkg-config pkgconf pkgconfig
autoconf automake libtool bison flex patch m4 gettext git git-core mercurial subversion curl wget
ca-certificates gnupg gnupg2 gpg dirmngr gpg-agent unzip zip xz-utils xz bzip2 gzip tar file binutils
apt-transport-https apt-utils software-properties-common lsb-release debian-archive-keyring
python3-dev python-dev python3-pip python3-venv python3-setuptools python3-wheel python3-distutils
musl-dev linux-headers build-base libc-dev gcc-c++ glibc-devel kernel-headers openssl-dev
cargo rustc golang golang-go go npm yarn nodejs-dev openjdk-17-jdk-headless maven gradle ant
dpkg-dev dpkg fakeroot ccache swig cython3 gfortran rsync openssh-client ssh
gnupg-agent dos2unix coreutils findutils grep sed gawk busybox tzdata-legacy
""".split())

# Tools for people poking inside a running container, not for the app.
CONVENIENCE = frozenset("""
vim vim-tiny nano less procps htop net-tools iputils-ping inetutils-ping dnsutils bind-tools telnet
tree sudo strace lsof tcpdump iproute2 netcat netcat-openbsd ncat bash bash-completion zsh fish
man-db manpages tini dumb-init gosu su-exec
""".split())

# Set-up the target covers another way: dropped with a warning.
WARN_ONLY = {
    "locales": "the target has the C.UTF-8 locale only; generated locales are not carried",
    "locales-all": "the target has the C.UTF-8 locale only",
}

# Tools images install to be probed with from outside the Dockerfile (compose `healthcheck:`, Kubernetes exec
# probes); a HEALTHCHECK in the Dockerfile that runs one is translated instead (healthcheck.py).
HEALTH_CHECK_TOOLS = frozenset(("curl", "wget"))

# Programs the app runs that may be handled (healthcheck translation, init dropped).
PRESENT_EVERYWHERE = frozenset({"ca-certificates", "tzdata", "netbase", "base-files", "media-types"})

# Alpine names -> Debian names where the meaning is the same (for the checks above).
ALPINE = {
    "libpq": "libpq5",
    "postgresql-libs": "libpq5",
    "postgresql-dev": "libpq-dev",
    "libffi": "libffi8",
    "libffi-dev": "libffi-dev",
    "zlib": "zlib1g",
    "zlib-dev": "zlib1g-dev",
    "openssl": "openssl",
    "libssl3": "libssl3",
    "libcrypto3": "libssl3",
    "libstdc++": "libstdc++6",
    "libgcc": "libgcc-s1",
    "jpeg-dev": "libjpeg-dev",
    "libjpeg-turbo-dev": "libjpeg-dev",
    "libjpeg-turbo": "libjpeg62-turbo",
    "libxml2-dev": "libxml2-dev",
    "libxslt-dev": "libxslt-dev",
    "mariadb-dev": "libmariadb-dev",
    "mariadb-connector-c-dev": "libmariadb-dev",
    "mariadb-connector-c": "libmariadb3",
    "sqlite-libs": "libsqlite3-0",
    "sqlite-dev": "libsqlite3-dev",
    "bzip2-dev": "libbz2-dev",
    "xz-dev": "liblzma-dev",
    "util-linux-dev": "uuid-dev",
    "ncurses-dev": "libncurses-dev",
    "readline-dev": "libreadline-dev",
    "yaml-dev": "libyaml-dev",
    "geos-dev": "libgeos-dev",
    "libmagic": "libmagic1",
    "file-dev": "libmagic-dev",
    "curl-dev": "libcurl4-openssl-dev",
    "openldap-dev": "libldap2-dev",
    "freetype-dev": "libfreetype6-dev",
    "libpng-dev": "libpng-dev",
    "tiff-dev": "libtiff-dev",
    "libwebp-dev": "libwebp-dev",
    "openblas-dev": "libopenblas-dev",
    "gmp-dev": "libgmp-dev",
    "libsodium-dev": "libsodium-dev",
    "py3-pip": "python3-pip",
    "python3-dev": "python3-dev",
    "g++": "g++",
    "shadow": "passwd",
}

# Packages that *are* the runtime of an ecosystem: fine when that runtime is the target's.
RUNTIME_PACKAGES = {
    "python": re.compile(r"^(?:python3?(?:\.\d+)?(?:-minimal)?|libpython3(?:\.\d+)?(?:-minimal|-stdlib)?|py3-.*)$"),
    "node": re.compile(r"^(?:nodejs(?:-current)?|node)$"),
    "java": re.compile(r"^(?:openjdk-?\d+(?:-jre|-jdk)?(?:-headless)?|default-jre(?:-headless)?|default-jdk(?:-headless)?"
                       r"|temurin-\d+-(?:jre|jdk)|java-\d+-openjdk(?:-headless)?)$"),
}


def normalize_name(name: str, manager: str) -> str:
    """Strip version pins (``pkg=1.2``, ``pkg~1``, ``pkg>=1``) and the arch (``pkg:amd64``); map Alpine names."""
    base = re.split(r"[=<>~]", name, maxsplit=1)[0]
    base = base.split(":", 1)[0]
    if manager == "apk":
        return ALPINE.get(base, base)
    return base


def runtime_need(pkg: str, ecosystem: str | None) -> tuple[str, str] | None:
    """What installing ``pkg`` means at run time: None (nothing), or (library/program, why)."""
    if pkg in BUILD_TOOLS or pkg in CONVENIENCE or pkg in PRESENT_EVERYWHERE:
        return None
    if pkg.startswith("."):  # apk virtual name
        return None
    for eco, pattern in RUNTIME_PACKAGES.items():
        if pattern.match(pkg):
            return None if eco == ecosystem else (pkg, f"the {eco} runtime")
    if pkg in DEV_RUNTIME:
        lib = DEV_RUNTIME[pkg]
        return (lib, f"{pkg} is for building against {lib}, which the built code loads at run time")
    if pkg.endswith("-dev") or pkg.endswith("-devel"):
        return (pkg, f"{pkg} is for building against a library that the built code loads at run time")
    return (pkg, f"{pkg} is installed in the image the app runs in")


def missing_in(variant: str, lib: str) -> bool:
    have = TARGET_PACKAGES.get(variant)
    if have is None:
        return True
    return lib not in have
