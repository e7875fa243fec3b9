"""The programs the report looks for in an image: one place for each list.

Shells come from ``hardener.programs`` (the project's one list of shells); the
package managers and network tools are only the report's concern, so they live
here. A program counts when a file of that name, executable and not a dangling
link, is in one of ``BIN_DIRS`` or a directory of the image's ``PATH``.
"""

from __future__ import annotations

from ..programs import SHELLS

# What an attacker with code execution uses to install more tools.
PACKAGE_MANAGERS = frozenset(
    "apt apt-get aptitude dpkg apk yum dnf microdnf tdnf rpm zypper pacman "
    "pip pip3 npm yarn pnpm gem".split()
)
# What fetches a payload or opens a connection out (busybox counts as a shell already).
NETWORK_TOOLS = frozenset(
    "curl wget nc ncat netcat nc.openbsd nc.traditional socat telnet ssh scp sftp "
    "ftp tftp rsync nmap ping openssl".split()
)

# The kinds, in the order the report shows them.
TOOL_KINDS: dict[str, frozenset[str]] = {
    "shells": frozenset(SHELLS),
    "package_managers": PACKAGE_MANAGERS,
    "network_tools": NETWORK_TOOLS,
}

# Searched even when the image's PATH leaves them out (distroless' debug image keeps /busybox).
BIN_DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", "busybox")
