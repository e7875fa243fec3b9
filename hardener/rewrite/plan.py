"""Facts about the build that the rewrite needs, read once from the model.

The *app chain* is the final stage (the ``--build-target`` stage, else the
last) plus the stages it is built ``FROM``: what the original image is. It
becomes the builder of the rewrite, verbatim; the new final stage copies out
of it what the app needs. This module works out, for that chain: the
working directory and user in effect, the ENTRYPOINT/CMD
the image really runs (in exec form, shell forms simplified only when no shell
feature is used), every COPY/ADD and where it lands, the OS packages it
installs, and which paths the app is given to write.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Dockerfile, Instruction, Stage
from ..programs import POSIX_SHELLS
from ..record import replace
from ..semantic.build import Build
from ..semantic.files import Copy, copy_of, created, cwd_of, made_writable, volumes
from ..semantic.packages import recognise, written_packages
from ..semantic.state import unquoted as _unquoted
from ..shell import Command, command_name, parse_shell, unwrap
from .packages import normalize_name
from .result import SkipError

# Entrypoint scripts of base images that only pass the command through.
PASSTHROUGH_ENTRYPOINTS = frozenset({"/__cacert_entrypoint.sh", "__cacert_entrypoint.sh"})


def under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or inside it."""
    if root == "/":
        return True
    return path == root or path.startswith(root.rstrip("/") + "/")


CopyFact = Copy  # the rewriter reads COPY/ADD as the build model does


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


def shown_name(df: Dockerfile) -> str:
    """The Dockerfile's name as messages show it (``Dockerfile:12``): its file name, "Dockerfile" for text."""
    return os.path.basename(df.source.path) if df.source.path not in ("<string>", "-") else "Dockerfile"


class Facts:
    """``build_target``: the stage ``docker build --target`` builds (None: the last). It is "the final
    stage" of everything below; the stages after it are ``later`` (see ``emit.render_target``)."""

    def __init__(self, df: Dockerfile, context_dir: Path | None, config=None, build_target: str | None = None):
        self.df = df
        self.build = Build(df, config, target=build_target)  # UnknownTarget when no stage has that name
        self.context_dir = Path(context_dir) if context_dir is not None else None
        self.name = shown_name(df)
        final = self.build.final_stage
        assert final is not None
        self.final = final
        self.build_target = build_target  # as asked (the stage itself: final)
        self.later: list[Stage] = list(df.stages[final.index + 1:]) if build_target is not None else []
        self.chain: list[Stage] = list(self.build.final_chain)
        self.root = self.chain[0]
        self.root_info = self.build.image_info(self.root.base)
        self.chain_indexes = {s.index for s in self.chain}
        self.instructions: list[Instruction] = [i for s in self.chain for i in s.instructions]
        self._issued: set[str] = set()
        self.notes: list[tuple[str, str | None]] = []  # explain lines found while reading
        if build_target is not None:
            # the runtime stage takes the target's name (``--target`` then builds it); the original
            # stage, renamed, is its builder (and what later stages that read it keep reading)
            assert final.alias is not None
            self.target_name: str | None = final.alias
            self.alias = self.new_alias(f"{final.alias}-build")
        else:
            self.target_name = None
            self.alias = final.alias or self.new_alias("build")
        self._copy_cache: dict[int, CopyFact | None] = {}
        self._walk()

    @property
    def built_stages(self) -> list[Stage]:
        """The stages up to the built one: later stages are not built (``--target``), nor can it read them."""
        return list(self.df.stages[: self.final.index + 1])

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
        return self.build.state(ins).vars

    def workdir_at(self, ins: Instruction) -> str:
        return self.build.state(ins).workdir

    def user_at(self, ins: Instruction) -> str | None:
        return self.build.state(ins).user

    def resolve(self, ins: Instruction, text: str) -> str | None:
        return self.build.resolve(ins, text)

    def path_at(self, ins: Instruction, path: str) -> str | None:
        """``path`` as seen by ``ins``: variables expanded, made absolute against the WORKDIR in effect."""
        return self.build.path_at(ins, path)

    def env_raw(self, before: Instruction, name: str) -> str | None:
        """The value last given to ``name`` by ENV/ARG in the chain before ``before``, as written (unexpanded)."""
        from ..syntax.expand import parse_arg_pairs, parse_env_pairs

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
        self.copies: list[CopyFact] = []
        self.runs: list[tuple[Instruction, object]] = []
        self.workdirs_used: set[str] = set()
        self.last: dict[str, Instruction] = {}
        self.carried: list[Instruction] = []  # ARG / ENV / LABEL / MAINTAINER in order
        self.expose: list[Instruction] = []
        self.volumes: list[Instruction] = []
        self.onbuild: list[Instruction] = []
        self.user_ins: Instruction | None = None
        for ins in self.instructions:
            name = ins.name
            workdir = self.workdir_at(ins)
            if name == "WORKDIR":
                if self.resolve(ins, _unquoted(ins.args)) is None:
                    raise SkipError(
                        "unsupported",
                        f"WORKDIR {ins.args} depends on a build argument without a default ({self.where(ins)})",
                        "give the ARG a default value",
                    )
            elif name == "USER":
                self.user_ins = ins
            elif name in ("COPY", "ADD"):
                fact = self._copy(ins)
                self._copy_cache[ins.index] = fact
                if fact is not None:
                    self.copies.append(fact)
                    self.workdirs_used.add(workdir)
            elif name == "RUN":
                self.runs.append((ins, self.build.script(ins)))
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
        end = self.build.end_state(self.final)
        self.workdir = end.workdir
        self.user = end.user
        self.env_end = end.vars

    def _copy(self, ins: Instruction) -> CopyFact | None:
        fact = copy_of(self.build, ins)
        if fact is None:
            return None
        if fact.dest is None:
            raise SkipError(
                "unsupported",
                f"the destination of {ins.name} depends on a build argument without a default ({self.where(ins)})",
                "give the ARG a default value",
            )
        if not fact.dest_is_dir and self._source_is_dir(fact.sources, fact.from_stage):
            return replace(fact, dest_is_dir=True)
        return fact

    def _source_is_dir(self, sources: tuple[str, ...], from_stage: str | None) -> bool:
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
        entry_ins, cmd_ins = self.build.command
        entry = self._exec_words(entry_ins) if entry_ins is not None else None
        cmd = self._exec_words(cmd_ins) if cmd_ins is not None else None
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
                    elif "/" not in rel and fnmatch.fnmatchcase(rel, posixpath.basename(src)):
                        candidates.append(self.context_dir / posixpath.dirname(src) / rel)  # package*.json
                    for cand in candidates:
                        if cand.is_file() and _in_context(self.context_dir, cand):
                            return cand
            elif fact.dest == image_path and len(fact.sources) == 1:
                cand = self.context_dir / fact.sources[0].lstrip("/")
                if cand.is_file() and _in_context(self.context_dir, cand):
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
            for position, raw in enumerate(script.commands):
                pkg = recognise(raw, position)
                if pkg is not None and pkg.family in _OS_FAMILIES:
                    self._os_packages(ins, pkg, installed, groups)
        return list(installed.values())

    def _os_packages(self, ins: Instruction, pkg, installed: dict, groups: dict) -> None:
        manager = _OS_FAMILIES[pkg.family] or pkg.tool
        names = written_packages(pkg)
        if pkg.family == "dpkg":
            names = [name or "<a .deb file>" for name in names]
        if pkg.action in _INSTALLS:
            if None in names:
                raise SkipError(
                    "runtime-packages",
                    f"the packages installed at {self.where(ins)} are named by a variable; dhard cannot tell "
                    "which ones the app needs at run time",
                    "list the packages literally, or use --level hardened",
                )
            virtual = (pkg.value("--virtual") or pkg.value("-t")) if pkg.family == "apk" else None
            keys = []
            for written in names:
                key = _package_key(written, manager)
                keys.append(key)
                if not virtual:
                    installed[key] = Package(key, written, manager, ins)
            if virtual:
                groups[virtual] = keys
        elif pkg.action in _REMOVALS:
            for written in names:
                if written is None:
                    continue
                for key in groups.pop(written, ()):
                    installed.pop(key, None)
                installed.pop(_package_key(written, manager).rstrip("*"), None)

    # -- where the app writes -----------------------------------------------------------------

    def writable_paths(self) -> dict[str, Instruction]:
        """Paths the original gives to a non-root user or makes writable: chown, COPY --chown, chmod."""
        return made_writable(self.build, self.runs, self.copies)

    def created_paths(self) -> set[str]:
        """Paths the chain is known to create: WORKDIRs, COPY destinations, mkdir/chown targets."""
        return set(self.workdirs_used) | {self.workdir} | {fact.dest for fact in self.copies} | created(self.build, self.runs)

    def cwd_of(self, ins: Instruction, cmd: Command) -> str:
        """The directory a command of a RUN runs in (WORKDIR, or an earlier ``cd`` in the same RUN)."""
        return cwd_of(self.build, ins, cmd)

    def volume_paths(self) -> list[tuple[str, Instruction]]:
        return volumes(self.build, self.volumes)




# families of the package reader that install OS packages -> the manager name a Package records
_OS_FAMILIES = {"apt": "apt", "apk": "apk", "rpm": None, "zypper": "zypper", "dpkg": "dpkg"}
_INSTALLS = frozenset(("install", "add"))
_REMOVALS = frozenset(("remove", "purge", "erase", "del"))


def _package_key(written: str, manager: str) -> str:
    """The name a package is known by: Debian names (Alpine's mapped); files and RPM names as written."""
    if manager in ("apt", "apk") and not (written.endswith(".deb") or written.startswith(("/", "./"))):
        return normalize_name(written, manager)
    return written






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


def _in_context(context_dir: Path, path: Path) -> bool:
    """``path``, symlinks and ``..`` resolved, is inside the build context (never read what is not)."""
    from ..analysis.context import is_inside

    return is_inside(os.path.realpath(context_dir), os.fspath(path))
