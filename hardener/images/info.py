"""ImageInfo: what the knowledge says about one image reference, and the facts it holds."""

from __future__ import annotations

from ..record import dataclass

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

# Fields an entry (or a variant's `set`) may give, with their types.
STR_FIELDS = ("family", "os_version", "default_user", "nonroot_user", "package_manager", "libc", "runtime",
              "runtime_version", "entrypoint", "note")
INT_FIELDS = ("default_uid", "nonroot_uid")
OPT_BOOL_FIELDS = ("has_shell",)
BOOL_FIELDS = ("drops_privileges", "hardened")
FIELDS = STR_FIELDS + INT_FIELDS + OPT_BOOL_FIELDS + BOOL_FIELDS


class FrozenDict(dict):
    """A dict that refuses changes (results are shared through the cache) and can be hashed."""

    __slots__ = ()

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("ImageInfo.counterparts is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __ior__(self, other: Any) -> "FrozenDict":  # type: ignore[override]
        raise TypeError("ImageInfo.counterparts is read-only")

    def __reduce__(self) -> Any:
        return (FrozenDict, (dict(self),))


EMPTY = FrozenDict()


@dataclass(frozen=True)
class ImageInfo:
    key: str  # which entry matched, e.g. "python", "distroless/python3"; "unknown" when none did
    known: bool
    family: str | None  # 'debian','ubuntu','alpine','busybox','rhel','fedora','suse','distroless','chainguard','dhi','scratch','windows', ...
    os_version: str | None  # '12', '3.19', '22.04', ...
    default_user: str | None  # 'root', 'nonroot', '1001', ...; None if unknown
    default_uid: int | None  # 0, 65532, 1654, ...
    nonroot_user: str | None  # an existing non-root user a fix may switch to ('node', 'nonroot', 'app'), else None
    nonroot_uid: int | None
    has_shell: bool | None
    package_manager: str | None  # 'apt','apk','dnf','microdnf','yum','zypper','tdnf','none'; None = unknown
    libc: str | None  # 'glibc','musl','none'
    runtime: str | None  # 'python','node','go','java','ruby','php','rust','dotnet', None
    runtime_version: str | None  # from the tag when it says it: '3.11', '22', '17', '1.22'
    drops_privileges: bool  # official entrypoint starts as root and drops via gosu/su-exec
    hardened: bool  # shell-less / minimal hardened image (distroless, chainguard/dhi runtime, chiseled, scratch)
    counterparts: dict[str, str]  # target ('distroless','chainguard','dhi', ...) -> suggested image reference
    # Additions beyond the agreed fields (defaults keep positional construction working):
    entrypoint: str | None = None  # the official entrypoint script, e.g. "docker-entrypoint.sh"
    note: str | None = None  # one line a message may quote

    @property
    def runs_as_root(self) -> bool | None:
        """True/False when the default user is known, else None."""
        if self.default_uid is not None:
            return self.default_uid == 0
        if self.default_user is None:
            return None
        if self.default_user in ("root", "0", "ContainerAdministrator"):
            return True
        return False


UNKNOWN = ImageInfo(
    key="unknown",
    known=False,
    family=None,
    os_version=None,
    default_user=None,
    default_uid=None,
    nonroot_user=None,
    nonroot_uid=None,
    has_shell=None,
    package_manager=None,
    libc=None,
    runtime=None,
    runtime_version=None,
    drops_privileges=False,
    hardened=False,
    counterparts=EMPTY,
)
