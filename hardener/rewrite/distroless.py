"""The distroless rewrite: the original build as the builder, a shell-less non-root final stage.

Steps, each of which may stop with a Skip that says why:

1. guard: Windows, an unresolved base, an already shell-less final stage
   (only a USER is added then);
2. the command the image runs (command.normalize);
3. the ecosystem from that command (python / node / java / a native program)
   and its plan: target image, what to copy, ENV, ENTRYPOINT/CMD;
4. OS packages the app needs at run time must exist in the target;
5. Python sources are checked for shell use (libcst, lazily);
6. the final stage: carried ARG/LABEL/ENV, WORKDIR, copies with --chown where
   the app writes, EXPOSE (warned below 1024), HEALTHCHECK, USER 65532.
"""

from __future__ import annotations

import posixpath
import re

from ..model import Dockerfile
from ..programs import POSIX_SHELLS
from ..semantic.users import is_root
from . import command, emit, files, healthcheck, java, native, node, python
from .packages import missing_in, runtime_need
from .plan import SYSTEM_DIRS, Facts, simple_command, under
from .result import Log, SkipError, Success

HEADER = "Runtime image written by dhard harden: no shell, no package manager, runs as uid {uid}."


def rewrite(df: Dockerfile, context_dir, target: str, config, log: Log) -> Success:
    facts = Facts(df, context_dir, config)
    _guard(facts)
    info = facts.root_info
    if info.has_shell is False:
        return _already_shellless(facts, log)
    ex, dropped = command.normalize(facts, log)
    argv0 = ex.argv[0]
    base = posixpath.basename(argv0)
    if base in POSIX_SHELLS:
        if len(ex.argv) == 1:
            raise SkipError("bare-interpreter", f"the image runs a bare shell ({argv0}): it is a base or tool image, "
                            "not an app", "set the command that starts the app")
        raise SkipError("shell-form", f"the image runs a shell script through {argv0}", "run the app directly in exec form")

    eco = _ecosystem(facts, ex)
    stages: list[str] = []
    copy_stage = facts.alias
    exclude = {p for p in dropped if p}
    program = None
    if eco == "python":
        p = python.plan(facts, ex, target, log)
        roots = files.app_roots(facts, exclude | p.app_exclude, log=log, tools=False)
    elif eco == "node":
        p = node.plan(facts, ex, target, log)
        stages = p.stages
        copy_stage = p.copy_stage or facts.alias
        roots = files.app_roots(facts, exclude, log=log, tools=False)
    elif eco == "java":
        p = java.plan(facts, ex, target, log)
        roots = files.outermost(p.paths + _asset_roots(facts, exclude, compiles=_compiles(facts), log=log))
    else:
        candidates = command.resolve_program(facts, argv0)
        try:
            p = native.plan(facts, ex, target, log, candidates)
        except SkipError as err:
            if err.kind == "unknown-binary" and python.python_version(facts, quiet=True) and "/" not in argv0:
                raise SkipError(
                    "unknown-binary",
                    f"the image runs {argv0}, which looks like a console script pip installed; its #! line "
                    "names the build image's interpreter and dhard does not know which module it runs",
                    "start it as python -m <module> in exec form",
                ) from None
            raise
        program = p.program
        roots = files.outermost([p.program] + _asset_roots(facts, exclude | {p.program}, compiles=p.compiles, log=log,
                                                           program=p.program))
    runtime = p.runtime
    _check_packages(facts, eco, runtime, log)
    if eco == "python":
        _analyze_python(facts, ex, log)
    _ports(facts, ex, log, command=eco != "python")  # the Python analysis reads the command's ports itself

    stage_copies = [c for c in p.copies]
    app_writes = _app_writes(facts, roots, log) if eco in ("python", "node") else {}
    owned = files.owned_copies(facts, roots, copy_stage, log, app_writes)
    for copy in stage_copies + owned:
        if copy.src in SYSTEM_DIRS:
            raise SkipError(
                "unsupported",
                f"the app lives in {copy.src} itself, and copying that whole directory would bring the build "
                "image along",
                "put the app in a directory of its own (WORKDIR /app) and run dhard harden again",
            )
    final = emit.FinalStage(base=_pinned(facts, runtime.image, log), uid=runtime.uid)
    final.header = [HEADER.format(uid=runtime.uid)]
    final.carried = list(facts.carried)
    final.env = list(p.env)
    final.workdir = facts.workdir
    final.copies = stage_copies + owned
    final.expose = facts.expose
    final.volumes = facts.volumes
    final.stopsignal = facts.last.get("STOPSIGNAL")
    final.user = runtime.user
    final.entrypoint, final.cmd = p.entrypoint, p.cmd
    program = _relocate_home(facts, final, program, log)
    hc = facts.last.get("HEALTHCHECK")
    if hc is not None:
        final.healthcheck = healthcheck.translate(facts, hc, runtime, program, log)
    if facts.onbuild:
        log.warn("ONBUILD triggers of the original are not carried to the runtime image", facts.where(facts.onbuild[0]))
    if facts.user and not is_root(facts.user):
        log.why(f"USER {facts.user} became USER {runtime.user}: the target's own non-root user", facts.where(facts.user_ins))
    log.why(f"the final stage is {runtime.image}: no shell, no package manager, runs as uid {runtime.uid}")
    edit = emit.alias_edit(df, facts.final.index, facts.alias)
    if edit is not None:
        log.why(f"the original final stage is named {facts.alias} so the runtime stage can copy from it",
                facts.where(facts.final.from_))
    text = emit.render(df, edit, stages, final)
    return Success(text=text, warnings=tuple(log.warnings), explain=tuple(log.explain), base=runtime.image)


def _pinned(facts: Facts, image: str, log: Log) -> str:
    """The target image, pinned as the configuration's ``pins`` say; a warning when the original was pinned."""
    pins = getattr(facts.build.config, "pins", None) or {}
    pinned = pins.get(image)
    if pinned:
        log.why(f"{image} pinned to {pinned} (the configuration's pins)")
        return pinned
    if any(s.base.digest for s in facts.df.stages if s.base.resolved):
        log.warn(f"the original pins its base images by digest; {image} is not pinned (dhard cannot look up digests "
                 f"offline): add `pins: {{\"{image}\": \"{image}@sha256:...\"}}` to the configuration, or pin it by hand")
    return image


def _home(path: str) -> str:
    return "/home/nonroot" + path[len("/root"):] if under(path, "/root") else path


def _relocate_home(facts: Facts, final, program: str | None, log: Log) -> str | None:
    """Paths under /root (0700 in the target) move to /home/nonroot, which the non-root user can read."""
    moved = False
    if final.workdir and under(final.workdir, "/root"):
        final.workdir = _home(final.workdir)
        moved = True
    for copy in final.copies:
        if under(copy.dest, "/root"):
            copy.dest = _home(copy.dest)
            moved = True
    for attr in ("entrypoint", "cmd"):
        words = getattr(final, attr)
        if words:
            new = [_home(w) if w.startswith("/root") and under(w, "/root") else w for w in words]
            moved |= new != words
            setattr(final, attr, new)
    if moved:
        log.why("paths under /root moved to /home/nonroot: /root is readable by root only, and the app runs as "
                f"uid {final.uid}", facts.where(facts.final.from_))
    return _home(program) if program else program


def _guard(facts: Facts) -> None:
    df = facts.df
    for stage in [facts.final, *facts.chain]:
        info = facts.build.image_of(stage)
        if info.family == "windows":
            raise SkipError("windows", f"{stage.base.written} is a Windows image; distroless and its peers are Linux only",
                            None)
    if not facts.root.base.resolved:
        if df.escape == "`":
            raise SkipError("windows", "the file uses the Windows escape character and an unresolved base image", None)
        names = ", ".join(facts.root.base.unresolved) or facts.root.base.written
        raise SkipError("unresolved-base", f"the final stage's base image {facts.root.base.written} depends on "
                        f"build arguments without a default ({names})", "give the ARG a default value")
    if facts.root.base.is_scratch and len(facts.chain) == 1 and not facts.final.instructions[1:]:
        raise SkipError("no-command", "the final stage is an empty scratch image", None)


def _already_shellless(facts: Facts, log: Log) -> Success:
    """The final stage is already shell-less: make sure it does not run as root, nothing more."""
    info = facts.root_info
    if not any(i.name in ("CMD", "ENTRYPOINT") for i in facts.instructions) and not info.runtime:
        raise SkipError("no-command", f"the final stage ({facts.root.base.written}) sets no CMD or ENTRYPOINT: "
                        "it holds files (an export or base stage), not a program to run", None)
    run_as = facts.build.run_as
    for name in ("CMD", "ENTRYPOINT"):
        ins = facts.last.get(name)
        if ins is not None and not ins.json and ins.args:
            simple_command(ins.args, f"{name} {ins.args}", facts.where(ins))  # skips when a shell is needed
    if run_as is not None and not run_as.as_root:
        raise SkipError(
            "already-hardened",
            f"the final stage ({facts.root.base.written}) is already shell-less and runs as {run_as.user}",
            "run `dhard check` for what is left",
        )
    df = facts.df
    uid = info.nonroot_uid or 65532
    last = facts.final.instructions[-1]
    eol = df.source.newline
    insert_at = last.end if df.text[last.start:last.end].endswith("\n") else last.end
    prefix = "" if df.text[:insert_at].endswith("\n") else eol
    new = [f"USER {uid}:{uid}{eol}"]
    edits = []
    for name in ("ENTRYPOINT", "CMD"):
        ins = facts.last.get(name)
        if ins is not None and not ins.json and ins.args and ins.stage == facts.final.index:
            argv = simple_command(ins.args, f"{name} {ins.args}", facts.where(ins))
            edits.append((ins.start, ins.content_end, f"{ins.keyword} {emit.exec_form(argv)}"))
            log.why(f"{name} in exec form: the image has no shell to run the shell form", facts.where(ins))
    text = df.text
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
        if start < insert_at:
            insert_at += len(content) - (end - start)
    text = text[:insert_at] + prefix + "".join(new) + text[insert_at:]
    log.why(f"the final stage ({facts.root.base.written}) has no shell already; it ran as root, "
            f"so USER {uid}:{uid} is added", facts.where(last))
    return Success(text=text, warnings=tuple(log.warnings), explain=tuple(log.explain), base=facts.root.base.written)


def _ecosystem(facts: Facts, ex) -> str:
    argv0 = ex.argv[0]
    base = posixpath.basename(argv0)
    if python.PY_NAME.match(base):
        return "python"
    if node.is_node_command(argv0):
        return "node"
    if base == "java":
        return "java"
    if base in ("dotnet", "ruby", "php", "perl", "bundle", "rails", "php-fpm", "deno", "bun"):
        raise SkipError("no-counterpart", f"the image runs {base}; dhard does not rewrite this runtime yet",
                        "use --level hardened")
    if (base in python.CONSOLE_MODULES or python._own_script(facts, base)) and python.python_version(facts, quiet=True):
        return "python"
    return "native"


def _compiles(facts: Facts) -> bool:
    for ins, script in facts.runs:
        for cmd in script.commands:
            if cmd.name in native.COMPILE_NAMES:
                return True
    return False


def _asset_roots(facts: Facts, exclude: set[str], compiles: bool, log: Log, program: str | None = None) -> list[str]:
    """For compiled apps: what else the original put in the image next to the program."""
    roots = []
    for fact in facts.copies:
        if fact.dest in exclude or any(under(e, fact.dest) and fact.dest_is_dir is False for e in exclude):
            continue
        if program and under(program, fact.dest) and (
            not fact.dest_is_dir or posixpath.basename(program) in {posixpath.basename(s.rstrip("/")) for s in fact.sources}
        ):
            continue  # the COPY that brings the program itself
        if fact.from_context and compiles:
            continue
        if fact.from_stage is not None or not compiles:
            for r in files.app_roots_for(facts, fact, log):
                if r not in exclude:
                    roots.append(r)
    if compiles and facts.context_dir is not None:
        _warn_assets(facts, log)
    return roots


_SOURCE = re.compile(
    r"(?:^|/)(?:[^/]+\.(?:go|rs|java|kt|scala|c|h|cc|cpp|hpp|gradle|kts|md|txt|lock|sum|mod|toml|xml|sh|bat|cmd)"
    r"|Dockerfile[^/]*|\.dockerignore|\.gitignore|\.git/.*|LICENSE[^/]*|Makefile|gradlew|mvnw|\.mvn/.*|gradle/.*"
    r"|target/.*|build/.*|\.github/.*|\.idea/.*|\.vscode/.*)$"
)


def _warn_assets(facts: Facts, log: Log) -> None:
    try:
        from ..analysis.context import shipped_files
    except ImportError:
        return
    try:
        shipped = shipped_files(facts.context_dir, facts.context_sources())
    except Exception:  # noqa: BLE001 - a context we cannot read is not a reason to fail
        return
    extra = [f for f in shipped if not _SOURCE.search(f) and not f.startswith(("src/test/", "test/", "tests/"))]
    if extra:
        shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        log.warn(f"only the program is copied to the runtime image, not the other files of the build context "
                 f"({shown}); add COPY --from={facts.alias} lines if the program reads them at run time")


def _app_writes(facts: Facts, roots: list[str], log: Log) -> dict[str, tuple[str, str]]:
    """Directories the app's sources write into -> (why, where)."""
    if facts.context_dir is None or not facts.context_dir.is_dir():
        return {}
    try:
        from ..analysis.context import shipped_files
    except ImportError:
        return {}
    from .writes import scan

    try:
        shipped = shipped_files(facts.context_dir, facts.context_sources())
    except Exception:  # noqa: BLE001 - an unreadable context tells nothing
        return {}
    out: dict[str, tuple[str, str]] = {}
    created = facts.created_paths()
    for write in scan(facts.context_dir, shipped):
        where = f"{write.file}:{write.line}"
        if write.path is None:
            target = facts.workdir
        else:
            target = write.path if write.path.startswith("/") else posixpath.join(facts.workdir, write.path)
            target = posixpath.normpath(target)
        if under(target, "/tmp"):
            continue
        root = next((r for r in roots if under(target, r)), None)
        if root is not None:
            out.setdefault(root, (f"the app writes there ({write.text})", where))
            continue
        folder = posixpath.dirname(target) if write.path is not None and "." in posixpath.basename(target) else target
        if folder in created and folder not in SYSTEM_DIRS:
            out.setdefault(folder, (f"the app writes there ({write.text})", where))
        else:
            log.warn(f"the app writes to {target} ({write.text}), a directory the build does not create: uid "
                     f"{65532} cannot create it in the runtime image; create it in the build", where)
    return out


def _check_packages(facts: Facts, eco: str, runtime, log: Log) -> None:
    from .packages import WARN_ONLY

    problems = []
    for pkg in facts.packages():
        if pkg.name in WARN_ONLY:
            log.warn(f"{pkg.written} is not in the runtime image: {WARN_ONLY[pkg.name]}", facts.where(pkg.ins))
            continue
        need = runtime_need(pkg.name, eco)
        if need is None:
            continue
        lib, why = need
        if runtime.variant == "static" and pkg.name.endswith(("-dev", "-devel")):
            continue  # a static program links nothing at run time
        if missing_in(runtime.variant, lib):
            problems.append((pkg, lib, why))
    if problems:
        first = problems[0]
        names = ", ".join(dict.fromkeys(p.written for p, _, _ in problems))
        where = facts.where(first[0].ins)
        raise SkipError(
            "runtime-packages",
            f"the app's image installs {names} ({where}): {first[2]}, and {runtime.image} does not have "
            f"{first[1]}" + (f" (nor {', '.join(dict.fromkeys(l for _, l, _ in problems[1:]))})" if len(problems) > 1 else ""),
            "use a dependency that bundles the library (e.g. psycopg2-binary), a target that has it, "
            "or --level hardened",
        )


def _analyze_python(facts: Facts, ex, log: Log) -> None:
    if facts.context_dir is None or not facts.context_dir.is_dir():
        log.warn("no build context: the Python sources were not checked for shell use (pass --context)")
        return
    try:
        from ..analysis.context import shipped_files
        from ..analysis.python_sources import analyze_python
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
        elif python.PY_NAME.match(site.tool):
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


_PORT_FLAGS = re.compile(r"^(?:-b|--bind|--host|--port|-p)$")


def _ports(facts: Facts, ex, log: Log, command: bool = True) -> None:
    for ins in facts.expose:
        for word in ins.args.split():
            value = facts.resolve(ins, word) or word
            port = value.split("/", 1)[0].split("-", 1)[0]
            if port.isdigit() and int(port) < 1024:
                log.warn(f"EXPOSE {value}: uid 65532 cannot bind a port below 1024 unless the engine lowers "
                         "net.ipv4.ip_unprivileged_port_start (Docker 20.10+ does; podman and Kubernetes do not "
                         "by default); make the app listen on 1024 or above", facts.where(ins))
    argv = ex.argv if command else []
    for i, word in enumerate(argv):
        value = None
        if _PORT_FLAGS.match(word) and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(("--bind=", "--port=", "-b")) and len(word) > 2:
            value = word.split("=", 1)[-1] if "=" in word else word[2:]
        if value is None:
            continue
        m = re.search(r"(?::|^)(\d+)$", value)
        if m and int(m.group(1)) < 1024 and (word in ("--port", "-p") or ":" in value or word.startswith("--port")):
            log.warn(f"the command listens on port {m.group(1)}: uid 65532 cannot bind a port below 1024; "
                     "use 1024 or above", facts.where(ex.cmd_ins or ex.entry_ins))
