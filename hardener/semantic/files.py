"""What instructions put in the image, and for whom: COPY/ADD, paths RUNs create or open up, VOLUMEs.

Paths are absolute and normalised, resolved against the WORKDIR and the
ARG/ENV values in effect (``Build.path_at``), and inside a RUN against an
earlier ``cd`` of the same script.
"""

from __future__ import annotations

import posixpath

from ..record import dataclass
from ..shell import unwrap
from ..syntax.words import split_words, unquote
from ..syntax.lazyre import compile_lazily, compile_pattern
from .state import normalize

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from ..model import Instruction
    from ..shell import Command
    from .build import Build

# System directories: never copied whole by the rewriter, never handed to the app's user.
SYSTEM_DIRS = frozenset(
    "/ /usr /usr/local /usr/local/bin /usr/local/sbin /usr/bin /usr/sbin /bin /sbin /etc /lib /lib64 "
    "/usr/lib /usr/local/lib /usr/share /usr/local/share /opt /var /var/lib /home /root /tmp /run "
    "/usr/src /var/www /go /usr/local/go /usr/local/cargo".split()
)

GLOB = compile_pattern(r"[*?\[]")
_URL = compile_lazily(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@")
_ROOT_OWNERS = ("", "root", "0")


@dataclass(frozen=True)
class Copy:
    """One COPY or ADD."""

    ins: "Instruction"
    sources: tuple[str, ...]  # as written (unquoted), ARGs expanded where known
    dest: str | None  # absolute, normalised; None when a build argument without a value decides it
    dest_is_dir: bool  # as far as the instruction's text tells
    from_stage: str | None  # --from value (stage name, index or image); None: the build context
    chown: str | None  # --chown, resolved
    heredoc: bool
    urls: tuple[str, ...]  # ADD sources that are URLs or git remotes
    workdir: str

    @property
    def from_context(self) -> bool:
        return self.from_stage is None and not self.heredoc

    @property
    def owner(self) -> str | None:
        """The user --chown gives the files (None: root, the default)."""
        if not self.chown:
            return None
        owner = self.chown.split(":", 1)[0]
        return None if owner in ("root", "0") else owner  # --chown=:group still hands the files over


def copy_of(build: "Build", ins: "Instruction") -> Copy | None:
    """The COPY/ADD ``ins`` (None when it names nothing), read once per build."""
    return build.memo(("copy", id(ins)), lambda: _copy_of(build, ins))  # the build keeps ``ins`` alive


def _copy_of(build: "Build", ins: "Instruction") -> Copy | None:
    if ins.json and ins.argv is not None:
        words = [build.resolve(ins, w) or w for w in ins.argv]
    else:
        words = [build.resolve(ins, unquote(w)) or unquote(w) for w in split_words(ins.args, build.df.escape)]
    if not words:
        return None
    heredoc = bool(ins.heredocs)
    dest_written = words[-1]
    sources = [s for s in words[:-1] if not (heredoc and s.startswith("<<"))]
    from_flag = ins.flag("from")
    from_stage = None
    if from_flag is not None and from_flag.value is not None:
        from_stage = build.resolve(ins, from_flag.value) or from_flag.value
    chown_flag = ins.flag("chown")
    dest = build.path_at(ins, dest_written)
    workdir = build.state(ins).workdir
    dest_is_dir = (
        dest_written.endswith("/")
        or dest_written in (".", "..")
        or dest_written.endswith("/.")
        or dest == workdir
        or len(sources) > 1
        or any(s in (".", "./") or s.endswith("/") or GLOB.search(s) for s in sources)
    )
    return Copy(
        ins=ins,
        sources=tuple(sources),
        dest=dest,
        dest_is_dir=dest_is_dir,
        from_stage=from_stage,
        chown=(build.resolve(ins, chown_flag.value or "") if chown_flag else None),
        heredoc=heredoc,
        urls=tuple(s for s in sources if _URL.match(s)) if ins.name == "ADD" else (),
        workdir=workdir,
    )


@dataclass(frozen=True)
class Mount:
    """One ``RUN --mount=...``."""

    kind: str  # bind (the default), cache, tmpfs, secret, ssh
    target: str | None  # where it is mounted (ARG/ENV expanded when they can be)
    source_from: str | None  # from=: a stage name or an image


def mounts_of(build: "Build", ins: "Instruction") -> list[Mount]:
    out = []
    for spec in build.body(ins).flag_values("mount"):
        kind, target, source_from = "bind", None, None
        for item in spec.split(","):
            key, _, value = item.partition("=")
            key = key.strip().lower()
            if key == "type":
                kind = value.strip().lower()
            elif key in ("target", "dst", "destination"):
                target = value.strip()
            elif key == "from":
                source_from = value.strip()
        if target and "$" in target:
            target = build.resolve(ins, target)
        out.append(Mount(kind, target, source_from))
    return out


def operands(cmd: "Command", short_with_value: str = "", long_with_value: tuple[str, ...] = ()) -> list[str | None]:
    """Non-option words after the command name, skipping the values of options that take one."""
    out: list[str | None] = []
    words = cmd.words[1:]
    i = 0
    dashed = False
    while i < len(words):
        w = words[i]
        v = w.value
        if not dashed and v == "--":
            dashed = True
            i += 1
            continue
        if not dashed and ((v is not None and len(v) > 1 and v.startswith("-")) or (v is None and w.raw.startswith("-"))):
            if v is not None and v.startswith("--"):
                if "=" not in v and v in long_with_value:
                    i += 1
            elif v is not None and len(v) == 2 and v[1] in short_with_value:
                i += 1
            i += 1
            continue
        out.append(v)
        i += 1
    return out


def cwd_of(build: "Build", ins: "Instruction", cmd: "Command") -> str:
    """The directory a command of a RUN runs in (WORKDIR, or an earlier ``cd`` in the same RUN)."""
    cwd = build.state(ins).workdir
    for raw in build.script(ins).commands:
        if raw.start >= cmd.start and raw is not cmd:
            break
        if raw.name == "cd" and raw.depth == cmd.depth:
            pos = raw.positionals()
            if pos and pos[0] and pos[0].startswith("/"):
                cwd = normalize(pos[0])
            elif pos and pos[0] and not GLOB.search(pos[0]):
                cwd = normalize(posixpath.join(cwd, pos[0]))
        if raw is cmd:
            break
    return cwd


def run_path(build: "Build", ins: "Instruction", cmd: "Command", value: str | None) -> str | None:
    """The absolute path a word of a RUN command names (None: a glob or unknown)."""
    if value is None or GLOB.search(value):
        return None
    if value.startswith("/"):
        return normalize(value)
    return normalize(posixpath.join(cwd_of(build, ins, cmd), value))


_OCTAL_MODE = compile_lazily(r"[0-7]{3,4}")
_WRITE_FOR_OTHERS = compile_lazily(r"[goa]*[+=][rwxXst]*w")


def gives_write(mode: str) -> bool:
    """Whether a chmod mode lets users other than the owner write (g+w, o+w, 0775...)."""
    if _OCTAL_MODE.fullmatch(mode):
        digits = mode[-3:]
        return any(int(d) & 2 for d in digits[1:])
    return bool(_WRITE_FOR_OTHERS.search(mode)) and not mode.startswith("u")


def made_writable(build: "Build", runs, copies) -> dict[str, "Instruction"]:
    """Paths the build gives to a non-root user or makes writable: chown, COPY --chown, chmod."""
    out: dict[str, "Instruction"] = {}
    for ins, script in runs:
        for raw in script.commands:
            cmd = unwrap(raw)
            if cmd.name not in ("chown", "chmod"):
                continue
            pos = operands(cmd)
            if len(pos) < 2 or pos[0] is None:
                continue
            if cmd.name == "chown" and pos[0].split(":", 1)[0].split(".", 1)[0] in _ROOT_OWNERS:
                continue
            if cmd.name == "chmod" and not gives_write(pos[0]):
                continue
            for p in pos[1:]:
                path = run_path(build, ins, cmd, p)
                if path:
                    out.setdefault(path, ins)
    for copy in copies:
        if copy.owner is not None and copy.dest:
            out.setdefault(copy.dest, copy.ins)
    return out


def created(build: "Build", runs, programs=("mkdir", "chown", "touch", "install")) -> set[str]:
    """Paths RUNs are known to create or touch: mkdir, chown, touch, install targets."""
    out: set[str] = set()
    for ins, script in runs:
        for raw in script.commands:
            cmd = unwrap(raw)
            if cmd.name in programs:
                for p in operands(cmd, "m" if cmd.name != "install" else "mogt"):
                    path = run_path(build, ins, cmd, p)
                    if path:
                        out.add(path)
    return out


def volumes(build: "Build", instructions) -> list[tuple[str, "Instruction"]]:
    """The absolute paths VOLUME instructions declare."""
    out = []
    for ins in instructions:
        items = list(ins.argv) if ins.json and ins.argv is not None else [
            unquote(w) for w in split_words(ins.args, build.df.escape)]
        for item in items:
            path = build.path_at(ins, item)
            if path:
                out.append((path, ins))
    return out
