"""DH101 root-user: the shipped image runs as root.

Who the image runs as, and whether that is root, is the build model's answer
(``hardener.semantic.users``): the rewriter asks the same question. This rule
reports it and offers the USER fix.
"""

from __future__ import annotations

from ..findings import Applicability, Edit
from ..semantic.users import created_user, earlier_user, is_root, mentions_account
from .shellscan import image_name, is_posix_shell

CODE = "DH101"

# instructions a USER may go before when they end the stage
TRAILERS = frozenset("CMD ENTRYPOINT HEALTHCHECK EXPOSE LABEL STOPSIGNAL VOLUME MAINTAINER".split())
FALLBACK_USER = "65532:65532"


def check(ctx):
    run_as = ctx.build.run_as
    if run_as is None or not run_as.as_root:
        return
    stages = ctx.build.final_chain
    final = stages[-1]
    info = run_as.image
    if run_as.instruction is not None:
        message = (f"USER {run_as.user} is the last USER: the container runs as root; switch to a non-root user "
                   "after the steps that need root")
        fix, note = _fix(ctx, stages, info, run_as.instruction)
        yield ctx.finding(CODE, run_as.instruction, _with(message, note), fix=fix)
        return
    ref = ctx.build.root_stage(final).base
    if ref.is_scratch:
        message = "FROM scratch with no USER runs as root (uid 0); add USER 65532:65532 (or another non-root uid)"
    elif run_as.root is None:
        message = f"No USER, and the default user of {image_name(ref)} is unknown: it may run as root; add a USER with a non-root user"
    else:
        message = f"No USER: the image runs as {info.default_user or 'root'}, the default user of {image_name(ref)}; add a USER with a non-root user"
    fix, note = _fix(ctx, stages, info, None)
    yield ctx.finding(CODE, final.from_, _with(message, note), fix=fix)


def _heir(build, final):
    """A later stage built FROM ``final`` (the build-target), which a USER added to it would change."""
    for stage in build.df.stages[final.index + 1:]:
        if any(s.index == final.index for s in build.chain(stage)):
            return stage
    return None


def _with(message: str, note: str | None) -> str:
    return f"{message} ({note})" if note else message


# -- the fix ----------------------------------------------------------------------------------


def _fix(ctx, stages, info, last_user):
    """The USER fix and a note for the message: why it is not offered, or not applied."""
    final = stages[-1]
    body = final.instructions
    if any(ins.sub is not None and ins.sub.name == "RUN" for ins in body):
        return None, None  # ONBUILD RUN triggers would run as the new user in child images
    heir = _heir(ctx.build, final)
    if heir is not None:
        return None, (f"no fix: {heir.alias or 'the stage at line ' + str(heir.from_.start_line)} is built FROM "
                      f"{final.alias} and would inherit the USER; add it where that stage no longer needs root")
    workdir = ctx.build.end_state(final).workdir
    if workdir == "/root" or workdir.startswith("/root/"):
        return None, (f"no fix: the app runs in {workdir}, inside root's home, which no other user may enter; "
                      "move the WORKDIR out of /root first")
    from ..analysis.writes import run_time_writes

    writes = ctx.build.memo(("run-time-writes",), lambda: run_time_writes(ctx.build, ctx.build.context_dir))
    created = earlier_user(ctx.build, stages) or created_user(ctx.build, stages)
    user, create = _choose_user(info, created)
    # where: before the trailing CMD/ENTRYPOINT/... block, else at the end of the stage
    trailer = None
    for ins in reversed(body[1:]):
        if ins.name in TRAILERS:
            trailer = ins
        else:
            break
    shell = _can_run_shell(ctx, trailer or body[-1], info, stages)
    if create and not shell:
        user, create = FALLBACK_USER, None
    eol = ctx.eol
    handover = _handover(user, sorted(writes.dirs)) if writes.dirs else None
    lines = ([create] if create else []) + ([handover] if handover else []) + [f"USER {user}"]
    applicability, note = _verdict(ctx, stages, user, writes, handover, shell)

    if last_user is not None and last_user.stage == final.index and create is None and handover is None:
        later_runs = [i for i in body if i.index > last_user.index and i.name == "RUN"]
        if not later_runs:
            edit = _replace_args(ctx, last_user, user)
            if edit is not None:
                return ctx.fix(f"Run as {user}", applicability, edit), note

    if trailer is not None:
        at = trailer.trivia_start
        text = "".join(line + eol for line in lines)
    else:
        last = body[-1]
        at = last.end
        if not last.heredocs and ctx.text[last.start : last.end].rstrip("\r\n \t").endswith(ctx.df.escape):
            return None, None  # the file ends inside a continuation: anything added would join it
        text = "".join(line + eol for line in lines)
        if at == len(ctx.text) and not ctx.text.endswith("\n"):
            # no final newline: the new lines go after one, and the file still ends without one;
            # the edit takes the last character along so it visibly touches the last instruction
            text = ctx.text[at - 1] + "".join(eol + line for line in lines)
            return ctx.fix(_title(user, create), applicability, Edit(at - 1, at, text)), note
    return ctx.fix(_title(user, create), applicability, Edit(at, at, text)), note


def _verdict(ctx, stages, user, writes, handover, shell):
    """How the fix may be applied, and the note that says why: unproven when where the app writes is not
    known or it binds a port below 1024; display-only when the hand-over needs a RUN the image cannot run."""
    from ..analysis.listen import WHAT_FAILS

    folders = ", ".join(sorted(writes.dirs))
    if writes.known and handover and not shell:
        return Applicability.DISPLAY_ONLY, (f"the USER fix is not applied: the app writes to {folders}, and the "
                                            "image has no shell to hand them over")
    blockers = []
    if not writes.known:
        blockers.append(f"{writes.why_unknown}; first give the new user the folders the app writes to")
    binds = _privileged_binds(ctx, stages)
    if binds:
        blockers.append(f"as {user} the app cannot bind port {binds[0].port} ({binds[0].where or binds[0].what}) "
                        f"where {WHAT_FAILS}")
    if blockers:
        return Applicability.UNPROVEN, "the USER fix is not applied: " + "; ".join(blockers)
    return Applicability.UNSAFE, (f"the fix gives {user} the folders the app writes to: {folders}" if handover else None)


def _privileged_binds(ctx, stages):
    """Ports below 1024 the app binds: EXPOSE, and literal listens in its Go and JavaScript sources."""
    from ..analysis import listen
    from ..analysis.writes import app_sources

    instructions = [ins for stage in stages for ins in stage.instructions]
    binds = listen.exposed(ctx.build, instructions)
    files = app_sources(ctx.build, ctx.build.context_dir)[0]
    return binds + (listen.in_sources(ctx.build.context_dir, files) if files else [])


def _handover(user: str, dirs: list[str]) -> str:
    """The RUN that lets ``user`` write where the app writes (the folders only, not what is in them)."""
    folders = " ".join(dirs)
    return f"RUN mkdir -p {folders} && chown {user} {folders}"


def _title(user, create) -> str:
    return f"Add USER {user}" + (" (creating it)" if create else "")


def _choose_user(info, created):
    if created:
        return created, None
    nonroot = info.nonroot_user
    if nonroot and not is_root(nonroot):
        return nonroot, None
    if info.has_shell and info.family in ("debian", "ubuntu"):
        return "app", "RUN groupadd --system app && useradd --system --gid app --no-create-home app"
    if info.has_shell and info.family in ("alpine", "busybox"):
        return "app", "RUN addgroup -S app && adduser -S -G app app"
    return FALLBACK_USER, None


def _can_run_shell(ctx, at, info, stages) -> bool:
    if not info.has_shell:
        return False
    if not is_posix_shell(ctx.build.state(at).shell):
        return False
    # a group or user named "app" made by the file would make groupadd fail
    return not mentions_account(ctx.build, stages, "app")


def _replace_args(ctx, ins, user) -> Edit | None:
    rest = ins.line[ins.args_start :]
    start_logical = ins.args_start + len(rest) - len(rest.lstrip())
    value = ins.args
    start = ins.source_offset(start_logical)
    end = start + len(value)
    if ctx.text[start:end] != value:
        return None
    return Edit(start, end, user)
