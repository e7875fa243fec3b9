"""What dhard knows about programs a build or a container runs: one place for each list.

The shell reader, the rules, the source analysis and the rewriter all ask here
(which programs are shells, which start the real command after themselves,
which drop root), so a name added once is known everywhere.
"""

from __future__ import annotations

# Shells that read ``-c STRING`` with POSIX syntax: the shell reader follows them.
POSIX_SHELLS = frozenset("sh bash dash ash zsh ksh mksh busybox-sh".split())
# Shells whose syntax is not POSIX: still a shell in the image, never read as sh.
OTHER_SHELLS = frozenset("fish csh tcsh".split())
# ``busybox`` alone is a shell only when run as ``busybox sh``; a program that may be one.
SHELLS = POSIX_SHELLS | OTHER_SHELLS | {"busybox"}
# Shells that understand ``set -o pipefail``.
PIPEFAIL_SHELLS = frozenset(("bash", "ash", "zsh", "ksh", "mksh", "busybox"))

# Init processes: PID 1 helpers that run the command after their own options.
INITS = frozenset("tini tini-static dumb-init catatonit init s6-svscan".split())
# Programs that start as root and run the rest of their arguments as another user.
PRIVILEGE_DROPPERS = frozenset("gosu su-exec setpriv s6-setuidgid setuidgid chpst runuser".split())

# Binding a TCP/UDP port below this needs root or CAP_NET_BIND_SERVICE.
FIRST_UNPRIVILEGED_PORT = 1024


def is_privileged_port(port: int) -> bool:
    return 0 < port < FIRST_UNPRIVILEGED_PORT


def program_name(word: str) -> str:
    """The program of a command word: '/usr/bin/apt-get' -> 'apt-get'."""
    return word.rsplit("/", 1)[1] if "/" in word else word


def is_shell(word: str) -> bool:
    return program_name(word) in SHELLS


def is_posix_shell(word: str) -> bool:
    """A shell whose ``-c`` text dhard reads (``busybox`` counts: it is run as ``busybox sh`` here)."""
    name = program_name(word)
    return name in POSIX_SHELLS or name == "busybox"
