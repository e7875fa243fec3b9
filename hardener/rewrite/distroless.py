"""The distroless rewrite: the original build as the builder, a shell-less non-root final stage.

Steps, each of which may stop with a Skip that says why:

1. guard: Windows, an unresolved base, an already shell-less final stage
   (only a USER is added then);
2. the ecosystem: the first of ``ecosystems.ECOSYSTEMS`` whose ``detect``
   claims the build (python, node, java; native, the fallback, last);
3. its plan: target image, what to copy, ENV, ENTRYPOINT/CMD. A plan that
   needs the command the image runs demands it (``command.demand``), which is
   where a missing or shell-bound command stops the rewrite;
4. OS packages the app needs at run time must exist in the target;
5. the plan's own source check (Python: shell use, with libcst, lazily);
6. the final stage: carried ARG/LABEL/ENV, WORKDIR, copies with --chown where
   the app writes, EXPOSE (warned below 1024), HEALTHCHECK, USER 65532.

The steps after 3 are the same for every ecosystem; the Plan's fields switch
the ones that differ (``source_check``, ``command_ports``, ``app_writes``).
"""

from __future__ import annotations

import posixpath
import re

from ..model import Dockerfile
from ..programs import is_privileged_port
from ..semantic.users import is_root
from . import ecosystems, emit, files, healthcheck
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
    ecosystem = next(e for e in ecosystems.ECOSYSTEMS if e.detect(facts))  # native, the last, claims any build
    p = ecosystem.plan(facts, target, log)
    runtime = p.runtime
    _check_packages(facts, ecosystem.name, runtime, log, p.provided)
    if p.source_check is not None:
        p.source_check(log)
    _ports(facts, p.command, log, command=p.command_ports)
    stage_copies = list(p.copies)
    app_writes = _app_writes(facts, p.roots, log) if p.app_writes else {}
    owned = files.owned_copies(facts, p.roots, p.copy_stage or facts.alias, log, app_writes)
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
    program = _relocate_home(facts, final, p.program, log)
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
    text = emit.render(df, edit, p.stages, final)
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


def _check_packages(facts: Facts, ecosystem: str, runtime, log: Log, provided: frozenset[str] = frozenset()) -> None:
    """Skip when the app's image installs OS packages the target lacks (``provided``: the plan says it has them)."""
    from .packages import WARN_ONLY

    problems = []
    for pkg in facts.packages():
        if pkg.name in WARN_ONLY:
            log.warn(f"{pkg.written} is not in the runtime image: {WARN_ONLY[pkg.name]}", facts.where(pkg.ins))
            continue
        if pkg.name in provided:
            continue
        need = runtime_need(pkg.name, ecosystem)
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


_PORT_FLAGS = re.compile(r"^(?:-b|--bind|--host|--port|-p)$")


def _ports(facts: Facts, ex, log: Log, command: bool = True) -> None:
    """Warnings for the ports below 1024 that EXPOSE and (``command``) the command's options name."""
    for ins in facts.expose:
        for word in ins.args.split():
            value = facts.resolve(ins, word) or word
            port = value.split("/", 1)[0].split("-", 1)[0]
            if port.isdigit() and is_privileged_port(int(port)):
                log.warn(f"EXPOSE {value}: uid 65532 cannot bind a port below 1024 unless the engine lowers "
                         "net.ipv4.ip_unprivileged_port_start (Docker 20.10+ does; podman and Kubernetes do not "
                         "by default); make the app listen on 1024 or above", facts.where(ins))
    argv = ex.argv if command and ex is not None else []
    for i, word in enumerate(argv):
        value = None
        if _PORT_FLAGS.match(word) and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(("--bind=", "--port=", "-b")) and len(word) > 2:
            value = word.split("=", 1)[-1] if "=" in word else word[2:]
        if value is None:
            continue
        m = re.search(r"(?::|^)(\d+)$", value)
        if m and is_privileged_port(int(m.group(1))) and (word in ("--port", "-p") or ":" in value or word.startswith("--port")):
            log.warn(f"the command listens on port {m.group(1)}: uid 65532 cannot bind a port below 1024; "
                     "use 1024 or above", facts.where(ex.cmd_ins or ex.entry_ins))
