"""Facts about the build that the rewrite needs, read once from the model.

The *app chain* is the final stage plus the stages it is built ``FROM``: what
the original image is. It becomes the builder of the rewrite, verbatim; the
new final stage copies out of it what the app needs. This module works out,
for that chain: the working directory and user in effect, the ENTRYPOINT/CMD
the image really runs (in exec form, shell forms simplified only when no shell
feature is used), every COPY/ADD and where it lands, the OS packages it
installs, and which paths the app is given to write.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Dockerfile, Instruction, Stage
from ..parse import expand, split_words, unquote
from ..rules.context import RuleContext
from ..programs import POSIX_SHELLS
from ..shell import Command, command_name, parse_shell, unwrap
from .packages import normalize_name
from .result import SkipError

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# WORKDIR and PATH that official images set (what a relative path or a bare name resolves against).
_IMAGE_WORKDIR = {"golang": "/go"}
_IMAGE_PATH = {
    "golang": "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH,
    "rust": "/usr/local/cargo/bin:" + DEFAULT_PATH,
    "eclipse-temurin": "/opt/java/openjdk/bin:" + DEFAULT_PATH,
    "maven": "/opt/java/openjdk/bin:" + DEFAULT_PATH,
    "gradle": "/opt/java/openjdk/bin:/opt/gradle/bin:" + DEFAULT_PATH,
}

# Entrypoint scripts of base images that only pass the command through.
PASSTHROUGH_ENTRYPOINTS = frozenset({"/__cacert_entrypoint.sh", "__cacert_entrypoint.sh"})

# Directories never copied whole into the runtime image.
SYSTEM_DIRS = frozenset(
    "/ /usr /usr/local /usr/local/bin /usr/local/sbin /usr/bin /usr/sbin /bin /sbin /etc /lib /lib64 "
    "/usr/lib /usr/local/lib /usr/share /usr/local/share /opt /var /var/lib /home /root /tmp /run "
    "/usr/src /var/www /go /usr/local/go /usr/local/cargo".split()
)

_GLOB = re.compile(r"[*?\[]")


def norm(path: str) -> str:
    out = posixpath.normpath(path)
    return "/" + out.lstrip("/") if out.startswith("/") else out


def under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or inside it."""
    if root == "/":
        return True
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass
class CopyFact:
    ins: Instruction
    sources: list[str]  # as written (unquoted), ARGs expanded where known
    dest: str  # absolute, normalised
    dest_is_dir: bool
    from_stage: str | None  # --from value (stage name, index or image); None: the build context
    chown: str | None
    heredoc: bool
    urls: list[str] = field(default_factory=list)
    workdir: str = "/"

    @property
    def from_context(self) -> bool:
        return self.from_stage is None and not self.heredoc


@dataclass
class Exec:
    """The command the image runs, split as ENTRYPOINT + CMD (exec form)."""

    entry: list[str]
    cmd: list[str]
    entry_ins: Instruction | None
    cmd_ins: Instruction | None

    @property
    def argv(self) -> list[str]:
        return self.entry + self.cmd


@dataclass
class Package:
    name: str  # normalised (Debian names; Alpine mapped)
    written: str
    manager: str
    ins: Instruction


class Facts:
    def __init__(self, df: Dockerfile, context_dir: Path | None, config=None):
        self.df = df
        self.ctx = RuleContext(df, config)
        self.context_dir = Path(context_dir) if context_dir is not None else None
        self.name = os.path.basename(df.source.path) if df.source.path not in ("<string>", "-") else "Dockerfile"
        final = df.final_stage
        assert final is not None
        self.final = final
        chain = [final]
        seen = {final.index}
        while chain[0].parent is not None and chain[0].parent not in seen:
            seen.add(chain[0].parent)
            chain.insert(0, df.stages[chain[0].parent])
        self.chain: list[Stage] = chain
        self.root = chain[0]
        self.root_info = self.ctx.image_info(self.root.base)
        self.chain_indexes = {s.index for s in chain}
        self.instructions: list[Instruction] = [i for s in chain for i in s.instructions]
        self._issued: set[str] = set()
        self.notes: list[tuple[str, str | None]] = []  # explain lines found while reading
        self.alias = final.alias or self.new_alias("build")
        self._copy_cache: dict[int, CopyFact | None] = {}
        self._all_workdirs()
        self._walk()

    def new_alias(self, wanted: str) -> str:
        """A stage name not used in the file yet."""
        taken = {s.alias.lower() for s in self.df.stages if s.alias} | self._issued
        name = wanted
        n = 2
        while name.lower() in taken:
            name = f"{wanted}-{n}"
            n += 1
        self._issued.add(name.lower())
        return name

    def _all_workdirs(self) -> None:
        self.workdir_at = {}
        ends: dict[int, str] = {}
        for stage in self.df.stages:
            if stage.parent is not None and stage.parent in ends:
                wd = ends[stage.parent]
            else:
                wd = _IMAGE_WORKDIR.get(stage.base.repository if stage.base.resolved else "", "/")
            for ins in stage.instructions:
                self.workdir_at[ins.index] = wd
                if ins.name == "WORKDIR":
                    value = self.resolve(ins, _unquoted(ins.args))
                    if value is not None:
                        wd = norm(value if value.startswith("/") else posixpath.join(wd, value))
            ends[stage.index] = wd

    def copy_fact(self, ins: Instruction) -> "CopyFact | None":
        if ins.index not in self._copy_cache:
            try:
                self._copy_cache[ins.index] = self._copy(ins)
            except SkipError:
                self._copy_cache[ins.index] = None
        return self._copy_cache[ins.index]

    # -- helpers -----------------------------------------------------------------

    def where(self, ins: Instruction | None) -> str | None:
        return f"{self.name}:{ins.start_line}" if ins is not None else None

    def vars_at(self, ins: Instruction) -> dict:
        return self.ctx.state(ins).vars

    def resolve(self, ins: Instruction, text: str) -> str | None:
        return expand(text, self.vars_at(ins))[0]

    def path_at(self, ins: Instruction, path: str) -> str | None:
        """``path`` as seen by ``ins``: variables expanded, made absolute against the WORKDIR in effect."""
        value = self.resolve(ins, path)
        if value is None:
            return None
        if not value.startswith("/"):
            value = posixpath.join(self.workdir_at[ins.index], value)
        return norm(value)

    def env_raw(self, before: Instruction, name: str) -> str | None:
        """The value last given to ``name`` by ENV/ARG in the chain before ``before``, as written (unexpanded)."""
        from ..parse import parse_arg_pairs, parse_env_pairs

        found = None
        for ins in self.instructions:
            if ins.index >= before.index:
                break
            try:
                if ins.name == "ENV":
                    pairs = parse_env_pairs(ins.args)
                elif ins.name == "ARG":
                    pairs = [(k, v) for k, v in parse_arg_pairs(ins.args) if v is not None]
                else:
                    continue
            except Exception:  # noqa: BLE001 - a malformed ENV tells nothing
                continue
            for key, value in pairs:
                if key == name:
                    found = value
        return found

    # -- the walk over the chain -------------------------------------------------------

    def _walk(self) -> None:
        root_repo = self.root.base.repository if self.root.base.resolved else ""
        workdir = _IMAGE_WORKDIR.get(root_repo, "/")
        self.user_at: dict[int, str | None] = {}
        self.copies: list[CopyFact] = []
        self.runs: list[tuple[Instruction, object]] = []
        self.workdirs_used: set[str] = set()
        self.last: dict[str, Instruction] = {}
        self.carried: list[Instruction] = []  # ARG / ENV / LABEL / MAINTAINER in order
        self.expose: list[Instruction] = []
        self.volumes: list[Instruction] = []
        self.onbuild: list[Instruction] = []
        user: str | None = None
        self.user_ins: Instruction | None = None
        for ins in self.instructions:
            self.workdir_at[ins.index] = workdir
            self.user_at[ins.index] = user
            name = ins.name
            if name == "WORKDIR":
                value = self.resolve(ins, _unquoted(ins.args))
                if value is None:
                    raise SkipError(
                        "unsupported",
                        f"WORKDIR {ins.args} depends on a build argument without a default ({self.where(ins)})",
                        "give the ARG a default value",
                    )
                workdir = norm(value if value.startswith("/") else posixpath.join(workdir, value))
            elif name == "USER":
                user = ins.args or None
                self.user_ins = ins
            elif name in ("COPY", "ADD"):
                fact = self._copy(ins)
                self._copy_cache[ins.index] = fact
                if fact is not None:
                    self.copies.append(fact)
                    self.workdirs_used.add(workdir)
            elif name == "RUN":
                self.runs.append((ins, self.ctx.script(ins)))
                self.workdirs_used.add(workdir)
            elif name in ("ARG", "ENV", "LABEL", "MAINTAINER"):
                self.carried.append(ins)
            elif name == "EXPOSE":
                self.expose.append(ins)
            elif name == "VOLUME":
                self.volumes.append(ins)
            elif name == "ONBUILD":
                self.onbuild.append(ins)
            if name in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "SHELL"):
                self.last[name] = ins
        self.workdir = workdir
        self.user = user
        self.env_end = self.ctx.end_state(self.final).vars

    def _copy(self, ins: Instruction) -> CopyFact | None:
        if ins.json and ins.argv is not None:
            words = [self.resolve(ins, w) or w for w in ins.argv]
        else:
            words = [unquote(w) for w in split_words(ins.args, self.df.escape)]
            words = [self.resolve(ins, w) or w for w in words]
        if not words:
            return None
        heredoc = bool(ins.heredocs)
        dest_written = words[-1]
        sources = words[:-1]
        if heredoc:
            sources = [s for s in sources if not s.startswith("<<")]
        from_flag = ins.flag("from")
        from_stage = None
        if from_flag is not None and from_flag.value is not None:
            from_stage = self.resolve(ins, from_flag.value) or from_flag.value
        chown_flag = ins.flag("chown")
        dest = self.path_at(ins, dest_written)
        if dest is None:
            raise SkipError(
                "unsupported",
                f"the destination of {ins.name} depends on a build argument without a default ({self.where(ins)})",
                "give the ARG a default value",
            )
        urls = [s for s in sources if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^git@", s)] if ins.name == "ADD" else []
        dest_is_dir = (
            dest_written.endswith("/")
            or dest_written in (".", "..")
            or dest_written.endswith("/.")
            or dest == self.workdir_at.get(ins.index)
            or len(sources) > 1
            or any(s in (".", "./") or s.endswith("/") or _GLOB.search(s) for s in sources)
            or self._source_is_dir(sources, from_stage)
        )
        return CopyFact(
            ins=ins,
            sources=sources,
            dest=dest,
            dest_is_dir=dest_is_dir,
            from_stage=from_stage,
            chown=(self.resolve(ins, chown_flag.value or "") if chown_flag else None),
            heredoc=heredoc,
            urls=urls,
            workdir=self.workdir_at[ins.index],
        )

    def _source_is_dir(self, sources: list[str], from_stage: str | None) -> bool:
        if from_stage is not None or self.context_dir is None or len(sources) != 1:
            return False
        path = self.context_dir / sources[0].lstrip("/")
        try:
            return path.is_dir()
        except OSError:
            return False

    # -- the command the image runs ----------------------------------------------------

    def exec(self) -> Exec:
        """ENTRYPOINT + CMD as Docker composes them along the chain, in exec form."""
        entry: list[str] | None = None
        cmd: list[str] | None = None
        entry_ins = cmd_ins = None
        for stage in self.chain:
            cmd_set_here = False
            for ins in stage.instructions:
                if ins.name == "CMD":
                    cmd, cmd_ins, cmd_set_here = self._exec_words(ins), ins, True
                elif ins.name == "ENTRYPOINT":
                    entry, entry_ins = self._exec_words(ins), ins
                    if not cmd_set_here:
                        cmd, cmd_ins = None, None
        if entry is None and self.root_info.drops_privileges and self.root_info.entrypoint:
            self._base_entrypoint(cmd or [])
        if entry is None and cmd is None:
            raise SkipError(
                "no-command",
                "the image sets no CMD or ENTRYPOINT; it runs whatever its base image runs, so there is no app to move",
                "add the command that starts the app (exec form) and run dhard harden again",
            )
        if entry is None:
            entry = self._base_entrypoint(cmd or [])
        return Exec(entry=entry or [], cmd=cmd or [], entry_ins=entry_ins, cmd_ins=cmd_ins)

    def _base_entrypoint(self, cmd: list[str]) -> list[str]:
        info = self.root_info
        if not info.entrypoint:
            return []
        if info.drops_privileges:
            raise SkipError(
                "drops-privileges",
                f"the base image {self.root.base.written} starts as root and its entrypoint "
                f"({info.entrypoint}) drops privileges itself; a shell-less copy would lose that",
                "use the image's hardened counterpart or --level hardened",
            )
        return [info.entrypoint]

    def _exec_words(self, ins: Instruction) -> list[str]:
        if ins.json:
            argv = list(ins.argv or ())
            if argv and command_name(argv[0]) in POSIX_SHELLS:
                return self._from_shell_c(ins, argv)
            return argv
        text = ins.args
        if not text:
            return []
        argv = simple_command(text, f"{ins.name} {text}", self.where(ins))
        self.notes.append((f"{ins.name} {text} is a plain command: written in exec form, since the target has no "
                           "shell to run the shell form", self.where(ins)))
        return argv

    def _from_shell_c(self, ins: Instruction, argv: list[str]) -> list[str]:
        if len(argv) >= 3 and argv[1] == "-c" and len(argv) == 3:
            words = simple_command(argv[2], f"{ins.name} {argv[2]!r}", self.where(ins))
            self.notes.append((f"{' '.join(argv[:2])} dropped around `{argv[2]}`: a plain command needs no shell",
                               self.where(ins)))
            return words
        if len(argv) == 2 and argv[1].endswith(".sh"):
            return [argv[1]]
        raise SkipError(
            "shell-form",
            f"{ins.name} starts a shell ({' '.join(argv)}) ({self.where(ins)})",
            "run the program directly in exec form",
        )

    # -- files of the build context --------------------------------------------------------

    def context_file(self, image_path: str) -> Path | None:
        """The file of the build context that ends up at ``image_path`` in the chain, if one does."""
        if self.context_dir is None:
            return None
        for fact in reversed(self.copies):
            if not fact.from_context or fact.urls:
                continue
            if fact.dest_is_dir:
                if not under(image_path, fact.dest):
                    continue
                rel = image_path[len(fact.dest):].lstrip("/") if fact.dest != "/" else image_path.lstrip("/")
                for source in fact.sources:
                    src = source.strip("/")
                    base = self.context_dir / src if src not in ("", ".") else self.context_dir
                    candidates = []
                    if base.is_dir():
                        candidates.append(base / rel)
                    elif "/" not in rel and posixpath.basename(src) == rel:
                        candidates.append(base)
                    for cand in candidates:
                        if cand.is_file():
                            return cand
            elif fact.dest == image_path and len(fact.sources) == 1:
                cand = self.context_dir / fact.sources[0].lstrip("/")
                if cand.is_file():
                    return cand
        return None

    def context_sources(self) -> list[str]:
        """COPY/ADD sources from the build context in the chain (for shipped_files)."""
        out: list[str] = []
        for fact in self.copies:
            if fact.from_context:
                out.extend(s for s in fact.sources if s not in fact.urls)
        return out

    # -- packages ---------------------------------------------------------------------------

    def packages(self) -> list[Package]:
        """OS packages the chain installs and does not remove again."""
        installed: dict[str, Package] = {}
        groups: dict[str, list[str]] = {}
        for ins, script in self.runs:
            if not script.known and ins.heredocs:
                raise SkipError(
                    "heredoc",
                    f"the heredoc RUN at {self.where(ins)} cannot be read ({', '.join(script.unknown_reasons)})",
                    "write the step as a plain RUN, or use --level hardened",
                )
            for raw in script.commands:
                cmd = unwrap(raw)
                name = cmd.name
                if name in ("apt-get", "apt", "aptitude"):
                    self._apt(ins, cmd, installed)
                elif name == "apk":
                    self._apk(ins, cmd, installed, groups)
                elif name in ("dnf", "yum", "microdnf", "tdnf", "zypper"):
                    self._rpm(ins, cmd, installed, name)
                elif name == "dpkg" and cmd.has_flag("-i", "--install"):
                    for value in _positionals(cmd, ""):
                        written = value or "<a .deb file>"
                        installed[written] = Package(written, written, "dpkg", ins)
        return list(installed.values())

    def _unknown_packages(self, ins: Instruction):
        raise SkipError(
            "runtime-packages",
            f"the packages installed at {self.where(ins)} are named by a variable; dhard cannot tell "
            "which ones the app needs at run time",
            "list the packages literally, or use --level hardened",
        )

    def _apt(self, ins, cmd: Command, installed: dict):
        words = _positionals(cmd, "oct", ("--option", "--config-file", "--target-release", "--default-release"))
        if not words:
            return
        verb = words[0]
        pkgs = words[1:]
        if verb == "install":
            for p in pkgs:
                if p is None:
                    self._unknown_packages(ins)
                if p.endswith(".deb") or p.startswith("/") or p.startswith("./"):
                    installed[p] = Package(p, p, "apt", ins)
                    continue
                name = normalize_name(p, "apt")
                installed[name] = Package(name, p, "apt", ins)
        elif verb in ("purge", "remove"):
            for p in pkgs:
                if p is not None:
                    installed.pop(normalize_name(p, "apt").rstrip("*"), None)

    def _apk(self, ins, cmd: Command, installed: dict, groups: dict):
        words = _positionals(cmd, "tXp", ("--virtual", "--repository", "--root", "--arch", "--keys-dir", "--repositories-file", "--cache-dir"))
        if not words:
            return
        verb = words[0]
        if verb == "add":
            virtual = cmd.flag_value("--virtual") or cmd.flag_value("-t")
            names = []
            for p in words[1:]:
                if p is None:
                    self._unknown_packages(ins)
                name = normalize_name(p, "apk")
                names.append(name)
                if not virtual:
                    installed[name] = Package(name, p, "apk", ins)
            if virtual:
                groups[virtual] = names
        elif verb == "del":
            for p in words[1:]:
                if p is None:
                    continue
                if p in groups:
                    for name in groups.pop(p):
                        installed.pop(name, None)
                installed.pop(normalize_name(p, "apk"), None)

    def _rpm(self, ins, cmd: Command, installed: dict, manager: str):
        words = _positionals(cmd, "xc", ("--exclude", "--setopt", "--enablerepo", "--disablerepo", "--releasever", "--installroot"))
        if not words:
            return
        verb = words[0]
        if verb == "install":
            for p in words[1:]:
                if p is None:
                    self._unknown_packages(ins)
                installed[p] = Package(p, p, manager, ins)
        elif verb in ("remove", "erase"):
            for p in words[1:]:
                if p is not None:
                    installed.pop(p, None)

    # -- where the app writes -----------------------------------------------------------------

    def writable_paths(self, nonroot_users: set[str]) -> dict[str, Instruction]:
        """Paths the original gives to a non-root user or makes writable: chown, COPY --chown, chmod."""
        out: dict[str, Instruction] = {}
        for ins, script in self.runs:
            for raw in script.commands:
                cmd = unwrap(raw)
                if cmd.name == "chown":
                    pos = _positionals(cmd, "")
                    if len(pos) < 2 or pos[0] is None:
                        continue
                    owner = pos[0].split(":", 1)[0].split(".", 1)[0]
                    if owner in ("root", "0", ""):
                        continue
                    for p in pos[1:]:
                        path = self._run_path(ins, cmd, p)
                        if path:
                            out.setdefault(path, ins)
                elif cmd.name == "chmod":
                    pos = _positionals(cmd, "")
                    if len(pos) < 2 or pos[0] is None:
                        continue
                    if not _gives_write(pos[0]):
                        continue
                    for p in pos[1:]:
                        path = self._run_path(ins, cmd, p)
                        if path:
                            out.setdefault(path, ins)
        for fact in self.copies:
            if fact.chown and fact.chown.split(":", 1)[0] not in ("root", "0"):
                out.setdefault(fact.dest, fact.ins)
        return out

    def _run_path(self, ins: Instruction, cmd: Command, value: str | None) -> str | None:
        if value is None or _GLOB.search(value):
            return None
        if value.startswith("/"):
            return norm(value)
        return norm(posixpath.join(self._cwd_of(ins, cmd), value))

    def _cwd_of(self, ins: Instruction, cmd: Command) -> str:
        """The directory a command of a RUN runs in (WORKDIR, or an earlier ``cd /abs`` in the same RUN)."""
        cwd = self.workdir_at[ins.index]
        script = self.ctx.script(ins)
        for raw in script.commands:
            if raw.start >= cmd.start and raw is not cmd:
                break
            if raw.name == "cd" and raw.depth == cmd.depth:
                pos = raw.positionals()
                if pos and pos[0] and pos[0].startswith("/"):
                    cwd = norm(pos[0])
                elif pos and pos[0] and not _GLOB.search(pos[0]):
                    cwd = norm(posixpath.join(cwd, pos[0]))
            if raw is cmd:
                break
        return cwd

    def created_paths(self) -> set[str]:
        """Paths the chain is known to create: WORKDIRs, COPY destinations, mkdir/chown targets."""
        out = set(self.workdirs_used) | {self.workdir}
        for fact in self.copies:
            out.add(fact.dest)
        for ins, script in self.runs:
            for raw in script.commands:
                cmd = unwrap(raw)
                if cmd.name in ("mkdir", "chown", "touch", "install"):
                    for p in _positionals(cmd, "m" if cmd.name != "install" else "mogt"):
                        path = self._run_path(ins, cmd, p)
                        if path:
                            out.add(path)
        return out

    def volume_paths(self) -> list[tuple[str, Instruction]]:
        out = []
        for ins in self.volumes:
            if ins.json and ins.argv is not None:
                items = list(ins.argv)
            else:
                items = [unquote(w) for w in split_words(ins.args, self.df.escape)]
            for item in items:
                path = self.path_at(ins, item)
                if path:
                    out.append((path, ins))
        return out


def _unquoted(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _gives_write(mode: str) -> bool:
    if re.fullmatch(r"[0-7]{3,4}", mode):
        digits = mode[-3:]
        return any(int(d) & 2 for d in digits[1:])
    return bool(re.search(r"[goa]*[+=][rwxXst]*w", mode)) and not mode.startswith("u")


def _positionals(cmd: Command, short_with_value: str, long_with_value: tuple[str, ...] = ()) -> list[str | None]:
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


def simple_command(text: str, what: str, where: str | None) -> list[str]:
    """Shell text that is one plain command (``exec`` allowed) -> its argv; otherwise skip.

    A shell-less image cannot run shell syntax: variable expansions, operators,
    redirections, globs and assignments all need ``/bin/sh``.
    """
    script = parse_shell(text)
    loc = f" ({where})" if where else ""
    if not script.known:
        raise SkipError("shell-form", f"{what} needs a shell: {', '.join(script.unknown_reasons)}{loc}",
                        "write the command in exec form without shell features")
    commands = [c for c in script.commands]
    if len(commands) != 1:
        raise SkipError(
            "shell-form",
            f"{what} runs {len(commands)} commands through the shell{loc}",
            "put the steps in a program (or the app) and CMD it in exec form",
        )
    cmd = commands[0]
    if cmd.name == "exec":
        cmd = unwrap(cmd)
    if cmd.assignments:
        raise SkipError("shell-form", f"{what} sets variables for the command, which needs a shell{loc}",
                        "move them to ENV and use exec form")
    if cmd.redirects:
        raise SkipError("shell-form", f"{what} redirects output ({' '.join(cmd.redirects)}), which needs a shell{loc}",
                        "drop the redirection (containers log stdout/stderr) and use exec form")
    argv = []
    for w in cmd.words:
        if w.value is None:
            raise SkipError(
                "shell-form",
                f"{what} expands {w.raw} when the container starts, which needs a shell{loc}",
                "pass the value as an argument or let the app read the variable itself, in exec form",
            )
        if _unquoted_glob(w.raw) or w.raw.startswith("~"):
            raise SkipError("shell-form", f"{what} uses a pattern ({w.raw}) the shell would expand{loc}",
                            "name the file, in exec form")
        argv.append(w.value)
    if not argv:
        raise SkipError("shell-form", f"{what} is empty{loc}", None)
    return argv


def _unquoted_glob(raw: str) -> bool:
    quote = None
    i = 0
    while i < len(raw):
        ch = raw[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            i += 1
        elif ch in "*?[":
            return True
        i += 1
    return False


def passthrough_script(text: str) -> bool:
    """Whether an entrypoint script does nothing but ``exec "$@"`` (after set -e and comments)."""
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        lines.append(s)
    if not lines:
        return False
    allowed_set = re.compile(r"^set\s+(?:-[euxo]+|-o\s+(?:errexit|nounset|pipefail|xtrace))(?:\s+(?:-[euxo]+|-o\s+\w+))*\s*;?$")
    *head, last = lines
    for line in head:
        if not allowed_set.match(line):
            return False
    return last.rstrip(";").strip() in ('exec "$@"', "exec \"${@}\"")
