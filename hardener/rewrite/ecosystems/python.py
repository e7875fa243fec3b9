"""Python apps: the dependencies, the interpreter the target has, the command, the sources.

Where pip put the dependencies decides what is copied:

| install                          | copied                          | on PYTHONPATH                       |
|----------------------------------|---------------------------------|-------------------------------------|
| a venv (``python -m venv D``)    | ``D``                           | ``D/lib/pythonX.Y/site-packages``   |
| ``pip install --target D``       | ``D``                           | ``D``                               |
| ``pip install --prefix D``       | ``D``                           | ``D/lib/pythonX.Y/site-packages``   |
| ``pip install --user`` (root)    | to ``/home/nonroot/.local``     | its site-packages                   |
| plain ``pip install``            | the image's site-packages dir   | that dir                            |

The target runs its *own* interpreter (``/usr/bin/python3.11`` on distroless
Debian 12). A venv's ``bin/python`` is a link to the build image's
interpreter (``/usr/local/bin/python``), which does not exist there, so the venv
is not started through its ``bin/``: its site-packages go on ``PYTHONPATH`` and
console scripts are run as modules (``gunicorn ...`` -> ``-m gunicorn ...``).

The sources the image copies are read (libcst, lazily) for shell use and the
programs they start: the target has only the interpreter.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ...semantic.packages import recognise
from ...semantic.state import normalize as norm
from ...shell import unwrap
from .. import command, files, musl
from ..files import CopySpec
from ..plan import Exec, Facts, under
from ..result import Log, SkipError
from ..targets import Runtime, describe, elsewhere, preset_is_reliable
from .base import Plan, base_runtime, installed_packages, installs_with

name = "python"

PY_NAME = re.compile(r"^python(?:3(?:\.\d+)?)?$")

# console script -> module run with ``python -m`` (each of these has a __main__)
CONSOLE_MODULES = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "flask": "flask",
    "celery": "celery",
    "waitress-serve": "waitress",
    "streamlit": "streamlit",
    "django-admin": "django",
    "fastapi": "fastapi",
    "dramatiq": "dramatiq",
    "alembic": "alembic",
    "mkdocs": "mkdocs",
    "pytest": "pytest",
    "pip": "pip",
    "http.server": "http.server",
}

# Debian/Ubuntu release -> the python3 it ships.
APT_PYTHON = {("debian", "11"): "3.9", ("debian", "12"): "3.11", ("debian", "13"): "3.13",
              ("ubuntu", "20.04"): "3.8", ("ubuntu", "22.04"): "3.10", ("ubuntu", "24.04"): "3.12"}


@dataclass
class Install:
    kind: str  # venv | target | prefix | user | system
    path: str  # the directory copied
    site: str  # the directory put on PYTHONPATH
    ins: object = None
    covers: str | None = None  # a COPY destination this install stands for (not copied again)


# -- detection ----------------------------------------------------------------------------------------------


def detect(facts: Facts) -> bool:
    """The image runs an interpreter, a known console script or the project's own one; with no command,
    the base image is a Python image or the build installs with pip/uv."""
    ex = command.known(facts)
    if ex is not None:
        return runs_python(facts, ex.argv[0])
    return base_runtime(facts) == "python" or installs_with(facts, "pip", "uv") \
        or python_version(facts, quiet=True) is not None


def runs_python(facts: Facts, argv0: str) -> bool:
    """Whether the program ``argv0`` is Python: the interpreter, or a console script of a Python the build has."""
    base = posixpath.basename(argv0)
    if PY_NAME.match(base):
        return True
    return bool(base in CONSOLE_MODULES or own_script(facts, base)) and python_version(facts, quiet=True) is not None


def python_version(facts: Facts, quiet: bool = False) -> str | None:
    """``X.Y`` of the Python the app runs on (the base image's, or Debian's python3); None/skip when not known."""
    info = facts.root_info
    if info.runtime == "python":
        v = info.runtime_version
        if v and re.fullmatch(r"\d+\.\d+", v):
            return v
        if quiet:
            return None
        raise SkipError(
            "unknown-runtime",
            f"the Python version of {facts.root.base.written} is not pinned to a minor version "
            f"({v or 'none'}); dhard needs it to pick the matching runtime image",
            "build on a tag such as python:3.11-slim-bookworm",
        )
    if any(p.name in ("python3", "python3-pip", "python3-venv") for p in installed_packages(facts)):
        v = APT_PYTHON.get((info.family or "", info.os_version or ""))
        if v:
            return v
    if quiet:
        return None
    raise SkipError(
        "unknown-runtime",
        f"dhard cannot tell which Python the image {facts.root.base.written} has",
        "build on an official python image (python:3.11-slim-bookworm)",
    )


# -- the plan -------------------------------------------------------------------------------------------------


def plan(facts: Facts, target: str, log: Log) -> Plan:
    from ...images import lookup

    ex, dropped = command.demand(facts, log)
    version = python_version(facts)
    assert version is not None
    counterparts = lookup(None, "python", version).counterparts
    counterpart = counterparts.get(target)
    if not counterpart:
        have = "3.11 (Debian 12) and 3.13 (Debian 13)" if target == "distroless" else _versions_on(target)
        raise SkipError(
            "no-counterpart",
            f"there is no {target} Python image for Python {version} ({target} has {have})",
            elsewhere(counterparts, target, "build on python:3.11-slim-bookworm or python:3.13-slim-trixie, "
                "or use --level hardened"),
        )
    runtime = describe(counterpart, target)
    compiles = any(p.name in ("gcc", "g++", "build-essential", "clang") or p.name.endswith("-dev")
                   for p in installed_packages(facts))
    if compiles and facts.root_info.os_version is None and facts.root_info.runtime == "python" and target == "distroless":
        log.warn(
            f"{facts.root.base.written} does not name its Debian release; compiled extensions built on a newer "
            f"Debian than the target's may need a newer glibc. Pin the build image (python:{version}-slim-bookworm)",
            facts.where(facts.root.from_)
        )
    if compiles and target == "ubuntu" and facts.root_info.libc != "musl":
        log.warn(f"the build compiles extensions on {facts.root.base.written}; {counterpart} is Ubuntu "
                 f"{runtime.release or ''}: a module linked against a newer glibc than Ubuntu's will not import. "
                 f"Build on an image no newer than the target ({musl.glibc_image(version, counterpart)})",
                 facts.where(facts.root.from_))
    if runtime.runtime_version is None:
        log.warn(f"{counterpart} does not name its Python version (it follows the newest release) and the build "
                 f"used {version}: compiled extensions and the packages' own version checks may not fit it; "
                 f"use a tag of Python {version} if you can")
    elif runtime.runtime_version != version:
        log.warn(
            f"{counterpart} runs Python {runtime.runtime_version}, the build used {version}: compiled "
            "extensions must be rebuilt for it", None
        )
    # the interpreter reads the sources and finds the ports itself; the app may write next to them
    out = Plan(runtime=runtime, command=ex, command_ports=False)
    app_exclude: set[str] = set()
    installs = find_installs(facts, version, log)
    stage = facts.alias
    if facts.root_info.libc == "musl":
        stage = _reinstall_on_glibc(facts, version, installs, out, log)
    pythonpath: list[str] = []
    for inst in installs:
        if inst.kind in ("target", "prefix"):
            # the app (or its PYTHONPATH) finds these by their path: keep it
            out.copies.append(CopySpec(inst.path, inst.path, stage, False, f"Python packages ({inst.kind})"))
            log.why(f"copied {inst.path} to the same path: pip installed the dependencies there (--{inst.kind}) "
                    "and the app finds them by that path", facts.where(inst.ins))
        elif runtime.site_dir:
            # Debian's python3 (distroless) reads this directory: packages there are on sys.path after
            # the standard library, and their .pth files are processed, as in the build image.
            out.copies.append(CopySpec(inst.site, runtime.site_dir, stage, False, f"Python packages ({inst.kind})"))
            log.why(f"copied {inst.site} to {runtime.site_dir}: pip installed the dependencies there ({inst.kind}), "
                    f"and {runtime.site_dir} is where the target's interpreter looks for them", facts.where(inst.ins))
        else:
            dest = inst.path
            site = inst.site
            if inst.kind == "user":
                dest = "/home/nonroot/.local"
                site = site.replace(inst.path, dest, 1)
            out.copies.append(CopySpec(inst.path, dest, stage, False, f"Python packages ({inst.kind})"))
            if site not in pythonpath:
                pythonpath.append(site)
            log.why(f"copied {inst.path}: pip installed the dependencies there ({inst.kind}); its site-packages "
                    "go on PYTHONPATH because the target runs its own interpreter", facts.where(inst.ins))
        app_exclude.add(inst.path)
        if inst.covers:
            app_exclude.add(inst.covers)
        if inst.kind == "venv":
            log.why(f"the venv {inst.path} is not started through its bin/: its python links to the build image's "
                    "interpreter, which the target does not have", facts.where(inst.ins))
    original = facts.env_end.get("PYTHONPATH")
    if pythonpath:
        value = ":".join(pythonpath + ([original] if original else []))
        out.env.append(("PYTHONPATH", value))
    out.entrypoint, out.cmd = _compose(facts, ex, runtime, target, log)
    out.roots = files.app_roots(facts, {p for p in dropped if p} | app_exclude, log=log, tools=False)
    out.source_check = lambda log: check_sources(facts, ex, log)
    return out


def _versions_on(target: str) -> str:
    """The Python versions ``target`` publishes an image for, as the knowledge gives them ("3.10, 3.12 and 3.14")."""
    from ...images import lookup

    have = [f"3.{minor}" for minor in range(8, 16) if lookup(None, "python", f"3.{minor}").counterparts.get(target)]
    if not have:
        return "none"
    return have[0] if len(have) == 1 else f"{', '.join(have[:-1])} and {have[-1]}"


def _reinstall_on_glibc(facts: Facts, version: str, installs: list[Install], out: Plan, log: Log) -> str:
    """The stage the packages are copied from when they were installed on Alpine: a glibc one that installs
    them again (``rewrite.musl``); the original when nothing was installed with pip."""
    musl.no_apk_python(facts)
    if not installs:
        return facts.alias
    name, text = musl.deps_stage(facts, version, installs, out.runtime.image)
    out.stages.append(text)
    log.why(f"the dependencies were installed on Alpine ({facts.root.base.written}, musl), whose compiled "
            f"wheels do not load on the glibc target: the stage {name} installs them again on "
            f"{musl.glibc_image(version, out.runtime.image)} the same way, and they are copied from there",
            facts.where(facts.root.from_))
    return name


# -- where pip put the dependencies ------------------------------------------------------------------------------


def find_installs(facts: Facts, version: str, log: Log) -> list[Install]:
    venvs: dict[str, object] = {}
    found: dict[str, Install] = {}
    apt = facts.root_info.runtime != "python"
    system_site = f"/usr/local/lib/python{version}/" + ("dist-packages" if apt else "site-packages")
    for ins, script in facts.runs:
        state = facts.vars_at(ins)
        for position, raw in enumerate(script.commands):
            pkg = recognise(raw, position)
            if pkg is not None and pkg.family in ("pip", "uv"):  # pip, python -m pip, uv pip
                if pkg.action == "install":
                    prog = words_of(facts, ins, pkg.cmd)[0] or ""
                    inst = _pip_location(facts, ins, pkg, prog, facts.cwd_of(ins, raw), state, venvs, version,
                                         system_site)
                    _add(found, inst)
                    if pkg.has("-e", "--editable"):
                        log.warn("an editable install (pip install -e) points at the source tree through a .pth "
                                 "file, which PYTHONPATH does not read; install the project without -e",
                                 facts.where(ins))
                continue
            cmd = unwrap(raw)
            argv = words_of(facts, ins, cmd)
            tool = cmd.name
            if not tool or not argv:
                continue
            cwd = facts.cwd_of(ins, raw)
            # venv creation
            if PY_NAME.match(tool) and argv[1:3] == ["-m", "venv"] or tool == "virtualenv" or (tool == "uv" and argv[1:2] == ["venv"]):
                skip = 3 if PY_NAME.match(tool) else (2 if tool == "uv" else 1)
                rest = [a for a in argv[skip:] if a is not None and not a.startswith("-")]
                target = rest[0] if rest else (".venv" if tool == "uv" else None)
                if target:
                    venvs[_abs(cwd, target)] = ins
            elif tool == "uv" and argv[1:2] == ["sync"]:
                env_dir = state.get("UV_PROJECT_ENVIRONMENT")
                path = _abs(cwd, env_dir or ".venv")
                _add(found, Install("venv", path, f"{path}/lib/python{version}/site-packages", ins))
            elif tool == "pipenv" and "install" in argv[1:]:
                if "--system" not in argv:
                    raise SkipError("unsupported", f"pipenv install without --system puts the packages in a virtualenv "
                                    f"under the build user's home ({facts.where(ins)})",
                                    "use pipenv install --system --deploy")
                _add(found, Install("system", system_site, system_site, ins))
            elif tool == "poetry" and "install" in argv[1:]:
                create = (state.get("POETRY_VIRTUALENVS_CREATE") or "").lower()
                in_project = (state.get("POETRY_VIRTUALENVS_IN_PROJECT") or "").lower()
                if create in ("false", "0") or _poetry_no_venv(facts, ins):
                    _add(found, Install("system", system_site, system_site, ins))
                elif in_project in ("true", "1"):
                    path = _abs(cwd, ".venv")
                    _add(found, Install("venv", path, f"{path}/lib/python{version}/site-packages", ins))
                else:
                    raise SkipError("unsupported", f"poetry install puts the packages in a virtualenv whose path "
                                    f"dhard cannot know ({facts.where(ins)})",
                                    "set POETRY_VIRTUALENVS_CREATE=false or POETRY_VIRTUALENVS_IN_PROJECT=true")
            elif tool in ("conda", "mamba", "micromamba") and "install" in argv[1:]:
                raise SkipError("unsupported", f"conda environments are not translated ({facts.where(ins)})",
                                "install with pip, or use --level hardened")
    # A fat final stage copies what a builder installed: into the site directory (or a prefix
    # above it), or a whole venv that PATH / VIRTUAL_ENV point at.
    last = facts.instructions[-1]
    venv_dirs = set()
    raw_venv = facts.env_raw(last, "VIRTUAL_ENV") if last is not None else None
    if raw_venv and raw_venv.startswith("/"):
        venv_dirs.add(norm(raw_venv))
    for entry in (facts.env_raw(last, "PATH") or "").split(":"):
        if entry.startswith("/") and entry.rstrip("/").endswith("/bin"):
            venv_dirs.add(posixpath.dirname(norm(entry)))
    for fact in facts.copies:
        if fact.from_stage is None:
            continue
        if under(system_site, fact.dest) or under(fact.dest, system_site) and fact.dest != "/":
            if fact.dest in ("/usr/local", "/usr") or under(fact.dest, "/usr/local/lib"):
                _add(found, Install("system", system_site, system_site, fact.ins, fact.dest))
                log.why(f"{fact.dest} is copied from {fact.from_stage}: the Python packages in it are taken from "
                        f"{system_site}", facts.where(fact.ins))
        elif fact.dest in venv_dirs and fact.dest not in ("/usr", "/usr/local", "/"):
            _add(found, Install("venv", fact.dest, f"{fact.dest}/lib/python{version}/site-packages", fact.ins, fact.dest))
    return list(found.values())


def _poetry_no_venv(facts: Facts, before) -> bool:
    for ins, script in facts.runs:
        if ins.index > before.index:
            break
        for raw in script.commands:
            argv = unwrap(raw).argv()
            if argv[:2] == ["poetry", "config"] and "virtualenvs.create" in argv and "false" in argv:
                return True
    return False


def words_of(facts: Facts, ins, cmd) -> list[str | None]:
    """A command's words, with ARG/ENV values substituted where the shell would (None when unknown)."""
    from ...syntax.words import unquote

    out: list[str | None] = []
    for w in cmd.words:
        if w.value is not None:
            out.append(w.value)
        else:
            out.append(facts.resolve(ins, unquote(w.raw)))
    return out


def _add(found: dict, inst: Install) -> None:
    if inst.path in found:
        if inst.covers and not found[inst.path].covers:
            found[inst.path].covers = inst.covers
        return
    found[inst.path] = inst


def _abs(cwd: str, path: str) -> str:
    return norm(path if path.startswith("/") else posixpath.join(cwd, path))


def _pip_location(facts, ins, pkg, prog, cwd, state, venvs, version, system_site) -> Install:
    """Where one ``pip install`` / ``uv pip install`` (``pkg``, as recognised) puts the packages."""
    target = pkg.value("--target") or pkg.value("-t")
    if target:
        path = _abs(cwd, target)
        return Install("target", path, path, ins)
    prefix = pkg.value("--prefix")
    if prefix:
        path = _abs(cwd, prefix)
        return Install("prefix", path, f"{path}/lib/python{version}/site-packages", ins)
    if pkg.has("--root"):
        raise SkipError("unsupported", f"pip install --root is not translated ({facts.where(ins)})",
                        "use --target or --prefix")
    if pkg.has("--user"):
        user = facts.user_at(ins)
        if user not in (None, "root", "0"):
            raise SkipError("unsupported", f"pip install --user as {user}: dhard does not know that user's home "
                            f"({facts.where(ins)})", "use --target or a venv")
        path = "/root/.local"
        return Install("user", path, f"{path}/lib/python{version}/site-packages", ins)
    # an interpreter or pip inside a venv
    if "/" in prog:
        p = norm(prog if prog.startswith("/") else posixpath.join(cwd, prog))
        parent = posixpath.dirname(posixpath.dirname(p))
        if posixpath.basename(posixpath.dirname(p)) == "bin" and (parent in venvs or not p.startswith("/usr/")):
            return Install("venv", parent, f"{parent}/lib/python{version}/site-packages", ins)
    uv = pkg.family == "uv"
    if uv and (pkg.has("--system") or (state.get("UV_SYSTEM_PYTHON") or "").lower() in ("1", "true")):
        return Install("system", system_site, system_site, ins)
    venv_env = state.get("VIRTUAL_ENV") or facts.env_raw(ins, "VIRTUAL_ENV")
    if venv_env:
        path = norm(venv_env)
        return Install("venv", path, f"{path}/lib/python{version}/site-packages", ins)
    path_env = state.get("PATH") or facts.env_raw(ins, "PATH") or ""
    for entry in path_env.split(":"):
        entry = norm(entry) if entry else entry
        if entry.endswith("/bin") and posixpath.dirname(entry) in venvs:
            parent = posixpath.dirname(entry)
            return Install("venv", parent, f"{parent}/lib/python{version}/site-packages", ins)
        if entry in ("/usr/local/bin", "/usr/bin", "/bin"):
            break
    if uv:
        path = _abs(cwd, ".venv")
        return Install("venv", path, f"{path}/lib/python{version}/site-packages", ins)
    return Install("system", system_site, system_site, ins)


# -- the command ---------------------------------------------------------------------------------------------------


def _compose(facts: Facts, ex: Exec, runtime: Runtime, target: str, log: Log) -> tuple[list[str] | None, list[str] | None]:
    """ENTRYPOINT/CMD for an image whose ENTRYPOINT is the interpreter."""
    argv = ex.argv
    base = posixpath.basename(argv[0])
    where = facts.where(ex.cmd_ins or ex.entry_ins)
    own = own_script(facts, base) if base not in CONSOLE_MODULES else None
    if PY_NAME.match(base):
        conv: list[str] = []
        if len(argv) == 1:
            raise SkipError("bare-interpreter", "the image runs a bare Python interpreter: no app to move",
                            "set the command that starts the app")
    elif own:
        mod, _, attr = own.partition(":")
        call = f"{mod}.{attr}()" if attr else f"{mod}.main()"
        conv = ["-c", f"import sys, {mod}; sys.exit({call})"]
        log.why(f"{base} is the project's own console script ({own}); it is called through the interpreter "
                "because its launcher in the builder starts the build image's Python", where)
    else:
        module = CONSOLE_MODULES.get(base)
        if module is None:
            raise SkipError(
                "unknown-binary",
                f"the image runs the console script {argv[0]}; its launcher's #! line names the build "
                "image's interpreter and dhard does not know which module it runs",
                f"start it as python -m <module> (e.g. CMD [\"python\", \"-m\", \"{base.replace('-', '_')}\", ...])",
            )
        conv = ["-m", module]
        log.why(f"{base} is run as `python -m {module}`: its console script in the builder starts the build "
                "image's interpreter, which the target does not have", where)
    interp = list(runtime.entrypoint)
    preset = preset_is_reliable(target)
    if not ex.entry:
        args = conv + ex.cmd[1:]
        if preset:
            log.why(f"CMD holds only the interpreter's arguments: {runtime.image} already runs "
                    f"{' '.join(runtime.entrypoint)} as its ENTRYPOINT", where)
            return None, args
        return interp, args
    entry_args = conv + ex.entry[1:]
    if not entry_args and preset:
        log.why(f"no ENTRYPOINT: {runtime.image} already runs {' '.join(runtime.entrypoint)}", where)
        return None, list(ex.cmd)
    return interp + entry_args, (list(ex.cmd) or None)


def console_script_skip(facts: Facts, argv0: str) -> SkipError | None:
    """The skip for a bare program name no build step explains, when it looks like a console script pip put
    there (the image has a Python); the native ecosystem raises it instead of its own unknown-binary."""
    if "/" in argv0 or python_version(facts, quiet=True) is None:
        return None
    return SkipError(
        "unknown-binary",
        f"the image runs {argv0}, which looks like a console script pip installed; its #! line "
        "names the build image's interpreter and dhard does not know which module it runs",
        "start it as python -m <module> in exec form",
    )


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def own_script(facts: Facts, script: str) -> str | None:
    """``module:function`` of a console script the project itself declares (pyproject.toml, setup.cfg, setup.py)."""
    ref = facts.build.memo(("python.own-scripts",), lambda: _read_scripts(facts)).get(script)
    if not ref:
        return None
    mod, _, attr = ref.partition(":")
    if not _IDENT.match(mod) or (attr and not _IDENT.match(attr)):
        return None
    return ref


def _read_scripts(facts: Facts) -> dict[str, str]:
    out: dict[str, str] = {}
    if facts.context_dir is None:
        return out
    places = [facts.context_dir]
    for fact in facts.copies:
        if fact.from_context:
            for source in fact.sources:
                cand = facts.context_dir / source.strip("/")
                if cand.is_dir() and cand not in places:
                    places.append(cand)
    for place in places:
        pyproject = place / "pyproject.toml"
        if pyproject.is_file():
            try:
                import tomllib

                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except Exception:  # noqa: BLE001 - an unreadable pyproject declares nothing we can use
                data = {}
            scripts = dict((data.get("project") or {}).get("scripts") or {})
            scripts.update(((data.get("tool") or {}).get("poetry") or {}).get("scripts") or {})
            for key, value in scripts.items():
                if isinstance(value, str):
                    out.setdefault(key, value.split("[", 1)[0].strip())
        for cfg_name, pattern in (("setup.cfg", r"^\s*([A-Za-z0-9_.-]+)\s*=\s*([A-Za-z0-9_.]+:[A-Za-z0-9_.]+)\s*$"),
                                  ("setup.py", r"""['"]\s*([A-Za-z0-9_.-]+)\s*=\s*([A-Za-z0-9_.]+:[A-Za-z0-9_.]+)\s*['"]""")):
            path = place / cfg_name
            if path.is_file():
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for m in re.finditer(pattern, text, re.M):
                    out.setdefault(m.group(1), m.group(2))
    return out


# -- the sources ------------------------------------------------------------------------------------------------------


def check_sources(facts: Facts, ex: Exec, log: Log) -> None:
    """Skip when the Python sources the image copies start a shell or programs the target lacks."""
    if facts.context_dir is None or not facts.context_dir.is_dir():
        log.warn("no build context: the Python sources were not checked for shell use (pass --context)")
        return
    try:
        from ...analysis.context import shipped_files
        from ...analysis.python_sources import analyze_python
    except ImportError:
        log.warn("the Python source analysis is not available: the sources were not checked for shell use")
        return
    shipped = shipped_files(facts.context_dir, facts.context_sources())
    if not any(f.endswith(".py") for f in shipped):
        log.warn("no Python sources found among the files the image copies from the build context; "
                 "shell use was not checked")
        return
    report = analyze_python(facts.context_dir, shipped, list(ex.argv))
    uses = list(report.shell_uses)
    tools = []
    for site in report.tool_calls:
        where = f"{site.path}:{site.line}" if site.line else site.path
        if "shutil.which" in site.what:
            log.warn(f"{site.what}: the shell-less target has no such program, so the lookup finds nothing", where)
        elif site.tool is None:
            log.warn(f"{site.what}: dhard cannot tell which program; the target has only the Python interpreter", where)
        elif PY_NAME.match(site.tool):
            continue  # the interpreter itself is there
        else:
            tools.append(site)
    if uses or tools:
        sites = uses + tools
        shown = "; ".join(f"{s.path}:{s.line} {s.what}" for s in sites[:3])
        more = f" and {len(sites) - 3} more" if len(sites) > 3 else ""
        what = "start a shell" if uses else "run programs the target does not have"
        raise SkipError("python-shell", f"the Python sources {what}: {shown}{more}",
                        "call the program's Python API instead (or subprocess with a list, without shell=True), "
                        "or use --level hardened")
    for site in report.privileged_ports:
        where = f"{site.path}:{site.line}" if site.line else facts.where(ex.cmd_ins or ex.entry_ins)
        log.warn(f"{site.what}: uid 65532 cannot bind a port below 1024; listen on a higher port", where)
    for site in report.unknown:
        log.warn(f"{site.what}: not checked for shell use", f"{site.path}:{site.line}" if site.line else site.path)
    if report.entry_files:
        log.why("checked for shell use: " + ", ".join(s.path if hasattr(s, "path") else str(s) for s in report.entry_files[:5]))
