"""Dependencies installed on Alpine (musl), for a glibc runtime image: Python's installed again, Node's
shown to be pure JavaScript (``native_node_packages``) or installed again (``node_deps_stage``).

On ``python:X.Y-alpine`` pip installs musl wheels and builds extensions against
musl: the glibc-based targets cannot load them. The app's own Python files can
move as they are. So the rewrite adds a builder stage on
``python:X.Y-slim-bookworm`` (Debian 12: the glibc of distroless debian12, and
older than the other targets') that installs the same requirements the same
way, and the packages are copied from there:

- the ARG, ENV and WORKDIR lines in effect, as written (pip reads ``PIP_*``);
- every COPY/ADD of the build context before the last install (the
  requirement and lock files, a ``pip.conf``, the project ``pip install .``
  builds), without ``--chown``/``--chmod``: who owns them does not matter to
  pip, and the user they name is made by ``adduser`` on Alpine;
- of each RUN that installs, the pip / uv / venv commands and the ``rm`` clean-ups,
  options as written; its ``apk`` and ``adduser`` commands are left out;
- the build packages the Alpine build added, by their Debian names (a
  compiler is ``build-essential``), for a package built from source there.

The replay runs as root: USER lines, user creation, ``mkdir``/``chown`` are left
out (the packages are copied out of the stage, so their owner does not matter).
Anything else before the last install (a RUN that writes a file, ``COPY
--from``, a USER before ``pip install --user``) may change what pip installs,
so it is a ``musl`` skip, as is a build package with no known Debian name. A wrong Debian name or a missing
header makes the stage fail to build, loudly, never a different app.
"""

from __future__ import annotations

import re

from ..semantic.packages import recognise, written_packages
from ..shell import unwrap
from .packages import ALPINE, BUILD_TOOLS
from .result import SkipError

# Alpine build packages -> what the Debian stage installs instead ("" : nothing, Debian has it)
_BUILD_PACKAGES = {
    "gcc": "build-essential", "g++": "build-essential", "make": "build-essential", "build-base": "build-essential",
    "musl-dev": "build-essential", "libc-dev": "build-essential", "linux-headers": "", "cpp": "build-essential",
    "pkgconf": "pkg-config", "pkgconfig": "pkg-config", "pkg-config": "pkg-config", "openssl-dev": "libssl-dev",
    "python3-dev": "", "py3-pip": "", "ca-certificates": "", "tzdata": "",
    "curl": "", "wget": "",  # pip downloads by itself; these are there for health checks
}
# Debian release of a target image -> the codename of the python image the packages are built on: a wheel
# built from source links the glibc of its build, which must not be newer than the target's
_DEBIAN = {"11": "bullseye", "12": "bookworm", "13": "trixie"}
# programs that do not change what pip installs, left out of the replay: users, folders and their owners
# (the replay runs as root, so it needs neither), an ``export`` that ends with its RUN
_LEFT_OUT = frozenset(("adduser", "addgroup", "useradd", "groupadd", "mkdir", "touch", "chown", "chmod", "export",
                       "true"))
_VENV_TOOLS = frozenset(("virtualenv",))


def no_apk_python(facts) -> None:
    """Skip when Alpine's own Python packages (``apk add py3-numpy``) are installed: they live in Alpine's
    python, not in the image's /usr/local one, and have no Debian counterpart dhard could install."""
    from .ecosystems.base import package_commands

    for ins, _, pkg in package_commands(facts, "apk"):
        if pkg.action == "add":
            named = [w for w in written_packages(pkg) if w and w.startswith("py3-")]
            if named:
                raise SkipError("musl", f"{', '.join(named)} ({facts.where(ins)}) are Alpine's builds of Python "
                                "packages, for musl; dhard cannot install them on glibc",
                                "install them with pip (in requirements.txt) instead")


def deps_stage(facts, version: str, installs, target_image: str) -> tuple[str, str]:
    """(name, text) of the glibc stage that installs what ``installs`` (python.find_installs) installed, for
    the runtime image ``target_image``."""
    for inst in installs:
        if inst.ins is None or inst.ins.name != "RUN":
            raise SkipError("musl", f"the Python packages in {inst.path} come from another stage built on Alpine "
                            f"({facts.where(inst.ins)}); dhard reinstalls on glibc only what the final stage's "
                            "own RUNs install", f"install them in the final stage, or build on "
                            f"python:{version}-slim-bookworm (Debian)")
    last = max(inst.ins.index for inst in installs)
    name = facts.new_alias("deps")
    lines = [f"FROM {glibc_image(version, target_image)} AS {name}"]
    apt = _apt_packages(facts, last)
    if apt:
        lines.append("RUN apt-get update && apt-get install -y --no-install-recommends "
                     f"{' '.join(apt)} && rm -rf /var/lib/apt/lists/*")
    for ins in facts.instructions:
        if ins.index > last:
            break
        line = _replayed(facts, ins, any(inst.kind == "user" for inst in installs))
        if line:
            lines.append(line)
    return name, "\n".join(lines)


def glibc_image(version: str, target_image: str) -> str:
    """The Debian python image the dependencies are installed on: the target's Debian release (distroless
    python3-debian11 -> bullseye), the newest one not newer than an Ubuntu target's glibc
    (``targets.debian_under``), else bookworm (Chainguard's and DHI's glibc is newer)."""
    from .targets import debian_under

    m = re.search(r"-debian(\d+)", target_image)
    debian = m.group(1) if m else debian_under(target_image) or "12"
    return f"python:{version}-slim-{_DEBIAN.get(debian, 'bookworm')}"


def _replayed(facts, ins, user_installs: bool) -> str | None:
    """The line of the glibc stage that stands for ``ins`` (None: none is needed)."""
    if ins.name in ("ARG", "ENV", "WORKDIR"):
        return ins.line.strip()
    if ins.name in ("COPY", "ADD"):
        return _copy(facts, ins)
    if ins.name == "RUN":
        return _run(facts, ins)
    if ins.name == "USER" and user_installs:
        _refuse(facts, ins, "switches the user before a `pip install --user`, whose folder depends on it",
                "install without --user")
    if ins.name == "SHELL":
        _refuse(facts, ins, "changes the shell the installs run in", "install with the default shell")
    return None  # FROM (the new base), USER (the replay runs as root), LABEL, EXPOSE ...: nothing pip reads


def _copy(facts, ins) -> str:
    if ins.flag("from") is not None or ins.heredocs:
        _refuse(facts, ins, "copies from another stage or a heredoc before the install", "copy from the context")
    flags = [ins.line[f.start:f.end] for f in ins.flags if f.name not in ("chown", "chmod")]
    return " ".join([ins.keyword, *flags, ins.args.strip()])


def _run(facts, ins) -> str | None:
    _, script = next((r for r in facts.runs if r[0] is ins), (None, None))
    if script is None or ins.json or ins.heredocs or not script.known:
        _refuse(facts, ins, "cannot be read as plain shell", "write it as a plain RUN")
    kept = []
    for raw in script.commands:
        if raw.depth > 0 or raw.op_before in ("|", "||", "&") or raw.op_after in ("|", "||", "&"):
            _refuse(facts, ins, "runs a pipeline, an alternative or a nested command", "split it into plain steps")
        kind = _kind(raw, len(kept))
        if kind is None:
            _refuse(facts, ins, f"runs {unwrap(raw).name or 'a command'}, which may change what pip installs",
                    "move it after the installs, or out of the image")
        if kind == "keep":
            kept.append(ins.args[raw.start:raw.end])
    if not any(_is_install(raw) for raw in script.commands):
        return None  # apk add, adduser ...: nothing of it is replayed
    flags = [ins.line[f.start:f.end] for f in ins.flags]
    return " ".join([ins.keyword, *flags, " && ".join(kept)])


def _kind(raw, position: int) -> str | None:
    """keep (replayed), drop (left out) or None (not known to leave pip's result alone)."""
    pkg = recognise(raw, position)
    family = pkg.family if pkg is not None else None
    if family in ("pip", "uv", "rm"):
        return "keep"
    if family == "apk":
        return "drop"
    cmd = unwrap(raw)
    if cmd.name in _LEFT_OUT:
        return "drop"
    if _is_venv(cmd):
        return "keep"
    return None


def _is_install(raw) -> bool:
    pkg = recognise(raw, 0)
    return _is_venv(unwrap(raw)) or (pkg is not None and pkg.family in ("pip", "uv"))


def _is_venv(cmd) -> bool:
    argv = cmd.argv()
    name = cmd.name or ""
    return (name.startswith("python") and argv[1:3] == ["-m", "venv"]) or name in _VENV_TOOLS \
        or (name == "uv" and argv[1:2] == ["venv"])


def _apt_packages(facts, last: int) -> list[str]:
    """Debian names of the build packages the Alpine build added before the last install (``--virtual``
    groups included: they are there while pip runs, even when ``apk del`` removes them after)."""
    out: list[str] = []
    for ins, pkg in _apk_adds(facts, last):
        for written in written_packages(pkg):
            if written is None:
                _refuse(facts, ins, "names the packages it adds by a variable", "list them literally")
            debian = _debian_name(re.split(r"[=<>~]", written, maxsplit=1)[0])
            if debian == "?":
                raise SkipError("musl", f"the Alpine build installs {written} ({facts.where(ins)}) to build the "
                                "dependencies, and dhard does not know its Debian name for the glibc stage",
                                f"build on the Debian image (python:X.Y-slim-bookworm), or drop {written}")
            if debian and debian not in out:
                out.append(debian)
    return out


def _apk_adds(facts, last: int):
    """(instruction, package command) of each ``apk add`` up to the instruction numbered ``last``."""
    from .ecosystems.base import package_commands

    for ins, _, pkg in package_commands(facts, "apk"):
        if ins.index <= last and pkg.action == "add":
            yield ins, pkg


def _debian_name(alpine: str) -> str | None:
    """The Debian package standing for the Alpine build package ``alpine``: a name, "" (Debian's image has
    it), None (not a build package: nothing to install), "?" (a build package with no known Debian name)."""
    if alpine in _BUILD_PACKAGES:
        return _BUILD_PACKAGES[alpine]
    if alpine.endswith("-dev"):
        # headers: Alpine's name mapped, or a lib*-dev, which Debian names alike (libffi-dev, libpq-dev)
        return ALPINE.get(alpine) or (alpine if alpine.startswith("lib") else "?")
    return alpine if alpine in BUILD_TOOLS else None


def _refuse(facts, ins, what: str, hint: str) -> None:
    raise SkipError("musl", f"the dependencies are installed on Alpine (musl), and dhard installs them again on "
                    f"glibc by repeating the steps up to the last install; the {ins.keyword} at "
                    f"{facts.where(ins)} {what}", hint)


# -- Node ----------------------------------------------------------------------------------------------------


def native_node_packages(packages: dict) -> list[str]:
    """Packages of a package-lock.json (v2+ ``packages``) that may hold native code: an install script
    (npm counts a binding.gyp as one) or a build for one platform (``os``/``cpu``/``libc``, such as
    ``@esbuild/linux-x64-musl``)."""
    out = []
    for path, entry in packages.items():
        if not path or not isinstance(entry, dict):
            continue  # "" is the project itself
        if entry.get("hasInstallScript") or any(entry.get(key) for key in ("os", "cpu", "libc")):
            out.append(path.rpartition("node_modules/")[2])
    return sorted(set(out))


# programs a RUN after the Node install may run without changing node_modules
_NODE_HARMLESS = frozenset(("mkdir", "chown", "chmod", "touch", "ln", "adduser", "addgroup", "true", "echo"))


def node_deps_stage(facts, version: str, ins, raw, cwd: str, roots: list[str]) -> tuple[str, str]:
    """(name, text) of the stage that installs the node_modules ``raw`` (of the RUN ``ins``, run in ``cwd``)
    installed on Alpine again, on the glibc node image: the app's folders (``roots``) copied from the original
    as built, the ARG/ENV lines in effect at the install as written (npm reads ``NODE_ENV``, ``NPM_CONFIG_*``),
    the Alpine build packages by their Debian names, then in ``cwd`` node_modules removed and the install
    repeated as written."""
    from .emit import copy_paths

    name = facts.new_alias("node-deps")
    lines = [f"FROM node:{version}-bookworm-slim AS {name}"]
    apt = _node_build_packages(facts, ins.index)
    if apt:
        lines.append("RUN apt-get update && apt-get install -y --no-install-recommends "
                     f"{' '.join(apt)} && rm -rf /var/lib/apt/lists/*")
    for root in roots:
        lines.append(f"COPY --from={facts.alias} {copy_paths(root, root)}")
    lines += [i.line.strip() for i in facts.instructions if i.index < ins.index and i.name in ("ARG", "ENV")]
    lines.append(f"WORKDIR {cwd}")
    flags = [ins.line[f.start:f.end] for f in ins.flags]  # --mount=type=secret for a private registry ...
    lines.append(" ".join(["RUN", *flags, f"rm -rf node_modules && {ins.args[raw.start:raw.end]}"]))
    return name, "\n".join(lines)


def node_steps_after(facts, ins, install, log) -> None:
    """A step after the install (``install``, a command of the RUN ``ins``) that may change node_modules is
    lost when it is installed again: unproven."""
    for other, script in facts.runs:
        if other.index < ins.index:
            continue
        for raw in script.commands:
            if other is ins and raw.start <= install.start:
                continue
            cmd = unwrap(raw)
            pkg = recognise(raw, 0)
            if cmd.name in _NODE_HARMLESS or (pkg is not None and pkg.family == "apk"):
                continue
            if cmd.name == "rm" and not any("node_modules" in (w.value or w.raw) for w in cmd.words[1:]):
                continue
            log.unproven(f"`{' '.join(w.raw for w in cmd.words)}` ({facts.where(other)}) runs after the install "
                         "that dhard repeats on glibc, and may change node_modules; its effect is not repeated")


def _node_build_packages(facts, last: int) -> list[str]:
    """What node-gyp needs on Debian when the Alpine build added build packages before the install: a
    compiler, make and python3 (node:*-slim has none of them)."""
    for _, pkg in _apk_adds(facts, last):
        names = [re.split(r"[=<>~]", w, maxsplit=1)[0] for w in written_packages(pkg) if w]
        if any(_debian_name(n) or n.startswith("python3") for n in names):
            return ["build-essential", "python3"]
    return []
