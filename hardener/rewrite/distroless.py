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
the ones that differ (``source_check``, ``command_ports``).
"""

from __future__ import annotations

from ..model import Dockerfile
from ..semantic.files import SYSTEM_DIRS
from ..semantic.users import is_root
from . import ecosystems, emit, files, healthcheck
from .packages import missing_in, runtime_need
from .plan import Facts, simple_command, under
from .result import Log, SkipError, Success

HEADER = "Runtime image written by dhard harden: no shell, no package manager, runs as uid {uid}."


def rewrite(df: Dockerfile, context_dir, target: str, config, log: Log, build_target: str | None = None) -> Success:
    facts = Facts(df, context_dir, config, build_target)
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
    if p.expose is None:  # a plan that moved the program's ports has judged them
        _ports(facts, p.command, log, command=p.command_ports)
    stage_copies = list(p.copies)
    if p.writes is None:
        app_writes, empty_dirs = _app_writes(facts, p.roots, p.command, log)
    else:
        app_writes, empty_dirs = {}, list(p.writes)
        for folder in empty_dirs:
            log.why(f"{folder} is made empty and owned by {runtime.uid} in the runtime image: the configuration "
                    "writes there")
    owned = files.owned_copies(facts, p.roots, p.copy_stage or facts.alias, log, app_writes)
    extra_stages = list(p.stages)
    if empty_dirs:  # copied first, before any other COPY makes them as root's parent folders
        name, stage_text = _dirs_stage(facts, empty_dirs, runtime.uid)
        extra_stages.append(stage_text)
        stage_copies = [files.CopySpec(d, d, name, True) for d in empty_dirs] + stage_copies
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
    # distroless images start in /: a `WORKDIR /` there says nothing (other families document their own);
    # nor does it to a program configured by files
    final.workdir = None if facts.workdir == "/" and (target == "distroless" or p.command is None) else facts.workdir
    final.copies = stage_copies + owned
    final.expose, final.expose_ports = facts.expose, p.expose
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
    copied_from_final = any(c.stage == facts.alias for c in final.copies) or bool(p.stages)
    edit = emit.alias_edit(df, facts.final.index, facts.alias) if copied_from_final else None
    if edit is not None:
        log.why(f"the original final stage is named {facts.alias} so the runtime stage can copy from it",
                facts.where(facts.final.from_))
    if facts.build_target is not None:  # the runtime stage takes the --build-target stage's name
        text = emit.render_target(facts, extra_stages, final, log)
    else:
        text = emit.render(df, edit, extra_stages, final)
    return Success(text=text, warnings=tuple(log.warnings), explain=tuple(log.explain), base=runtime.image,
                   unproven=tuple(log.unproven_reasons), files=tuple(sorted(p.files.items())),
                   ports=tuple(sorted(p.ports.items())))


def _pinned(facts: Facts, image: str, log: Log) -> str:
    """The target image, pinned as ``pins`` say (the configuration's, then dhard.lock's); else how to pin it."""
    pins = getattr(facts.build.config, "pins", None) or {}
    pinned = pins.get(image)
    if pinned:
        log.why(f"{image} pinned to {pinned} (the configuration's pins)")
        return pinned
    if any(s.base.digest for s in facts.df.stages if s.base.resolved):
        log.warn(f"the original pins its base images by digest; {image} is not pinned (dhard cannot look up digests "
                 f"offline): run `dhard pin` on the result (it records the digest in dhard.lock, which later runs "
                 f"read), or add `pins: {{\"{image}\": \"{image}@sha256:...\"}}` to the configuration")
    else:
        log.why(f"{image} is not pinned by digest: `dhard pin` on the result pins it and records it in dhard.lock, "
                "which later `dhard harden` runs read")
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
    emit.no_children(facts, "is already shell-less, so dhard adds a USER to it")
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


def _app_writes(facts: Facts, roots: list[str], command, log: Log) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Where the app writes (analysis.writes: the same answer the USER fix uses), as what the final stage
    must give uid 65532: directories copied owned by it -> (why, where), and directories that must merely
    exist, empty and its own (the WORKDIR, whose content in the builder is not the app's, and folders the
    app makes itself). A write into a folder the system shares, or writes dhard cannot read at all, make
    the rewrite unproven."""
    from ..analysis.writes import run_time_writes
    from ..programs import program_name
    from ..semantic.files import created as made_by

    program = program_name(command.argv[0]) if command is not None and command.argv else None
    writes = run_time_writes(facts.build, facts.context_dir, program)
    if not writes.known and not writes.outside:
        log.unproven(writes.why_unknown)
    made_by_runs = made_by(facts.build, facts.runs)
    created = facts.created_paths()
    copied: dict[str, tuple[str, str | None]] = {}
    empty: list[str] = []
    for folder, (why, where) in writes.dirs.items():
        root = next((r for r in roots if under(folder, r)), None)
        own = folder in made_by_runs or (folder in created and folder != facts.workdir)
        if root is not None:
            # the whole root: a later COPY onto a folder that exists resets its owner under podman/buildah
            copied.setdefault(root, (why, where))
        elif own and folder not in SYSTEM_DIRS:
            copied.setdefault(folder, (why, where))  # a folder of its own, with what the build put there
        elif folder not in SYSTEM_DIRS:
            # the WORKDIR (in the builder it holds sources and build output, not the app) or a folder the
            # app makes itself: the same, empty and its user's, from a small stage
            empty.append(folder)
            log.why(f"{folder} is made empty and owned by 65532 in the runtime image: {why}", where)
        else:
            _cannot_create(folder, why, where, log)
    for target, (why, where) in writes.outside:
        _cannot_create(target, why, where, log)
    return copied, empty


def _cannot_create(path: str, why: str, where: str | None, log: Log) -> None:
    log.unproven(f"{path}: {why}{' (' + where + ')' if where else ''}; the build does not create it, or the "
                 "system shares it, so uid 65532 cannot write there in the runtime image")


def _dirs_stage(facts: Facts, dirs: list[str], uid: int) -> tuple[str, str]:
    """(name, text) of a builder stage that makes ``dirs`` empty and owned by ``uid``: the runtime image has
    no shell to make them, so the final stage copies them from here."""
    name = next(n for n in ("app-dirs", *(f"app-dirs-{i}" for i in range(2, 99))) if facts.df.stage_named(n) is None)
    folders = " ".join(dirs)
    text = (f"FROM {facts.root.base.written} AS {name}\n"
            f"RUN mkdir -p {folders} && chown {uid}:{uid} {folders}")
    return name, text


def _check_packages(facts: Facts, ecosystem: str, runtime, log: Log, provided: frozenset[str] = frozenset()) -> None:
    """Skip when the app's image installs OS packages the target lacks (``provided``: the plan says it has them)."""
    from .packages import HEALTH_CHECK_TOOLS, WARN_ONLY

    problems = []
    for pkg in facts.packages():
        if pkg.name in WARN_ONLY:
            log.warn(f"{pkg.written} is not in the runtime image: {WARN_ONLY[pkg.name]}", facts.where(pkg.ins))
            continue
        if pkg.name in HEALTH_CHECK_TOOLS and facts.last.get("HEALTHCHECK") is None:
            log.warn(f"{pkg.written} is not in the runtime image: a health check that runs it from outside the "
                     "Dockerfile (compose `healthcheck:`, a Kubernetes exec probe) will fail there; probe over "
                     "HTTP (httpGet) instead", facts.where(pkg.ins))
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


def _ports(facts: Facts, ex, log: Log, command: bool = True) -> None:
    """Warnings for the ports below 1024 the app binds: EXPOSE, (``command``) the command's options, and
    literal addresses in its Go and JavaScript sources (analysis.listen, which the USER fix reads too)."""
    from ..analysis import listen

    binds = listen.exposed(facts.build, facts.expose)
    if command and ex is not None:
        binds += listen.in_command(ex.argv, ex.cmd_ins or ex.entry_ins)
    if facts.context_dir is not None:
        binds += listen.in_sources(facts.context_dir, _shipped(facts))
    for bind in binds:
        where = bind.where or facts.where(bind.instruction)
        if bind.what.startswith("EXPOSE"):  # a declaration: the app may listen elsewhere
            log.warn(f"{bind.what}: uid 65532 cannot bind a port below 1024 unless the engine lowers "
                     "net.ipv4.ip_unprivileged_port_start (Docker 20.10+ does; podman and Kubernetes do not "
                     "by default); make the app listen on 1024 or above", where)
        else:
            raise SkipError("privileged-port", f"the app binds port {bind.port} ({where or bind.what}), which uid "
                            f"65532 cannot where {listen.WHAT_FAILS.split(';')[0]}",
                            "make the app listen on 1024 or above (and EXPOSE that port), then run dhard harden again")


def _shipped(facts: Facts) -> list[str]:
    from ..analysis.context import shipped_files

    try:
        return shipped_files(facts.context_dir, facts.context_sources())
    except (OSError, ValueError):
        return []
