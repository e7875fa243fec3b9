"""Who the shipped image runs as, and the one answer to "is this root".

The user is the last ``USER`` of the final stage chain (ARG/ENV resolved),
else the base image's default user. An image that starts as root and drops
privileges itself (an official entrypoint that does, ``gosu``/``su-exec``/
``setpriv`` in front of the command, an entrypoint script in an image that
uses them) is not running its app as root.
"""

from __future__ import annotations

from ..syntax.words import split_words, unquote
from ..programs import INITS, PRIVILEGE_DROPPERS, program_name
from ..record import dataclass
from ..shell import unwrap
from ..syntax.lazyre import compile_lazily

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from ..images import ImageInfo
    from ..model import Instruction
    from .build import Build

_SIMPLE_VAR = compile_lazily(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")
_USER_NAME = compile_lazily(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")
_USERADD_ARGS = frozenset(
    "-b -c -d -e -f -g -G -k -K -p -s -u -R -P -Z --base-dir --comment --home-dir --home --expiredate "
    "--inactive --gid --groups --skel --key --password --shell --uid --root --prefix --selinux-user "
    "-h --ingroup --gecos --firstuid --lastuid --conf --add_extra_groups --extrausers".split()
)


def is_root(user: str | None) -> bool:
    """root, 0, 00, 0:0, root:root... (the group does not matter), Windows' ContainerAdministrator;
    an empty user (an image config without one) is root too."""
    name = (user or "").split(":", 1)[0].strip()
    if not name:
        return True
    if name.isdigit():
        return int(name) == 0
    return name == "root" or name.lower() == "containeradministrator"


@dataclass(frozen=True)
class RunAs:
    """The user the final image runs its command as."""

    instruction: "Instruction | None"  # the last USER of the final chain; None: the base image's default
    user: str | None  # that USER resolved (None: unresolvable), or the image's default user
    root: bool | None  # whether that user is root; None when it cannot be known
    image: "ImageInfo"
    drops_privileges: bool  # starts as root and switches user itself before running the app

    @property
    def as_root(self) -> bool:
        """The one answer: the app runs as root, or may (no USER over an image whose default user is
        unknown). A USER dhard cannot resolve is taken at its word, as is a privilege drop."""
        if self.drops_privileges:
            return False
        if self.instruction is not None:
            return self.root is True
        return self.root is not False


def resolved_user(build: "Build", ins: "Instruction") -> str | None:
    """The user a USER instruction names, ARG/ENV expanded; None when it cannot be known."""
    raw = ins.args.strip()
    if not raw:
        return None
    value = build.resolve(ins, raw)
    if value is None:
        return None
    words = split_words(value)
    return unquote(words[0]) if words else None


def run_as(build: "Build") -> RunAs | None:
    stages = build.final_chain
    if not stages:
        return None
    info = build.image_of(stages[-1])
    drops = (info.drops_privileges and _keeps_entrypoint(build, stages, info)) or _entrypoint_drops(build) or (
        _script_drops(build, stages)
    )
    users = list(own(stages, "USER"))
    if users:
        value = resolved_user(build, users[-1])
        return RunAs(users[-1], value, None if value is None else is_root(value), info, drops)
    if build.root_stage(stages[-1]).base.is_scratch:
        return RunAs(None, "0", True, info, drops)
    return RunAs(None, info.default_user, info.runs_as_root, info, drops)


def own(stages, *names: str):
    """Instructions of ``stages`` with one of ``names`` (ONBUILD triggers excluded)."""
    for stage in stages:
        for ins in stage.instructions:
            if ins.name in names:
                yield ins


def first_word(ins) -> str | None:
    if ins.json:
        return ins.argv[0] if ins.argv else None
    words = split_words(ins.args)
    return unquote(words[0]) if words else None


def _keeps_entrypoint(build, stages, info) -> bool:
    entrypoints = list(own(stages, "ENTRYPOINT"))
    if not entrypoints:
        return True
    first = first_word(entrypoints[-1])
    return bool(first and info.entrypoint and program_name(first) == program_name(info.entrypoint))


def _entrypoint_drops(build) -> bool:
    """The final ENTRYPOINT (or CMD without one) starts with gosu/su-exec/setpriv..."""
    target = build.entry_instruction
    if target is None:
        return False
    first = first_word(target)
    if first is None:
        return False
    name = program_name(first)
    if name in INITS and target.json and target.argv:
        rest = [a for a in target.argv[1:] if not a.startswith("-")]
        name = program_name(rest[0]) if rest else name
    return name in PRIVILEGE_DROPPERS


def _script_drops(build, stages) -> bool:
    """An ENTRYPOINT script in an image that installs/uses gosu or su-exec (the docker-library
    pattern: the script starts as root, fixes ownership, then re-executes as the service user)."""
    entrypoints = list(own(stages, "ENTRYPOINT"))
    if not entrypoints:
        return False
    first = first_word(entrypoints[-1])
    if not first or not (first.endswith(".sh") or "entrypoint" in first):
        return False
    return any(
        w.value and program_name(w.value) in ("gosu", "su-exec")
        for _ins, cmd in build.chain_commands(stages)
        for w in cmd.words
    )


# -- accounts the build switches to or creates -------------------------------------------------


def earlier_user(build: "Build", stages) -> str | None:
    """The last non-root user an earlier USER of the chain switched to (it exists)."""
    found = None
    for ins in own(stages, "USER"):
        value = resolved_user(build, ins)
        if value is not None and not is_root(value):
            found = value
    return found


def created_user(build: "Build", stages) -> str | None:
    """The last user a RUN of the chain creates (useradd/adduser), if its name is known."""
    found = None
    for ins, cmd in build.chain_commands(stages):
        cmd = unwrap(cmd)
        if cmd.name not in ("useradd", "adduser"):
            continue
        name = _account_operand(cmd)
        if name is None:
            continue
        value = _user_value(build, ins, name)
        if value and not is_root(value):
            found = value
    return found


def mentions_account(build: "Build", stages, account: str) -> bool:
    """Whether a RUN of ``stages`` creates a user or group called ``account``."""
    for _ins, cmd in build.chain_commands(stages):
        cmd = unwrap(cmd)
        if cmd.name in ("groupadd", "addgroup", "useradd", "adduser") and any(w.value == account for w in cmd.words[1:]):
            return True
    return False


def _account_operand(cmd):
    words = cmd.words[1:]
    i = 0
    while i < len(words):
        w = words[i]
        v = w.value
        if v is not None and v.startswith("-") and len(v) > 1:
            takes_value = "=" not in v and (
                v in _USERADD_ARGS or (v[1] != "-" and len(v) > 2 and f"-{v[-1]}" in _USERADD_ARGS)  # -ms /bin/sh
            )
            i += 2 if takes_value else 1  # skip the option and its value
            continue
        return w
    return None


def _user_value(build, ins, word) -> str | None:
    if word.value is not None:
        return word.value if _USER_NAME.match(word.value) else None
    raw = word.raw.strip('"')
    if _SIMPLE_VAR.match(raw):
        resolved = build.resolve(ins, raw)
        if resolved and _USER_NAME.match(resolved):
            return resolved
        return raw  # USER expands the same ARG/ENV
    return None
