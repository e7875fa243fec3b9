"""DH101 root-user: the shipped image runs as root.

The user comes from the last USER of the final stage chain (ARG/ENV resolved),
else from the base image's default user. An unresolvable USER is not judged.
Official images whose entrypoint drops privileges (postgres, redis...) pass
while the Dockerfile keeps that entrypoint.
"""

from __future__ import annotations

import re

from ..findings import Applicability, Edit
from ..parse import split_words, unquote
from ..programs import INITS, PRIVILEGE_DROPPERS
from ..shell import command_name, unwrap
from .shellscan import final_chain, image_name, is_posix_shell, own, run_scripts

CODE = "DH101"

# instructions a USER may go before when they end the stage
TRAILERS = frozenset("CMD ENTRYPOINT HEALTHCHECK EXPOSE LABEL STOPSIGNAL VOLUME MAINTAINER".split())
FALLBACK_USER = "65532:65532"
_SIMPLE_VAR = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")
_USER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")

_USERADD_ARGS = frozenset(
    "-b -c -d -e -f -g -G -k -K -p -s -u -R -P -Z --base-dir --comment --home-dir --home --expiredate "
    "--inactive --gid --groups --skel --key --password --shell --uid --root --prefix --selinux-user "
    "-h --ingroup --gecos --firstuid --lastuid --conf --add_extra_groups --extrausers".split()
)


def is_root(user: str) -> bool:
    """root, 0, 0:0, root:root... (the group does not matter), or Windows' ContainerAdministrator."""
    name = user.split(":", 1)[0].strip()
    if name.isdigit():
        return int(name) == 0
    if name.lower() == "containeradministrator":
        return True
    return name == "root"


def check(ctx):
    stages = final_chain(ctx)
    if not stages:
        return
    final = stages[-1]
    info = ctx.image_of(final)

    if info.drops_privileges and _keeps_entrypoint(ctx, stages, info):
        return
    if _entrypoint_drops(stages) or _script_drops(ctx, stages):
        return

    users = list(own(stages, "USER"))
    last_user = users[-1] if users else None
    if last_user is not None:
        value = _resolved_user(ctx, last_user)
        if value is None or not is_root(value):
            return
        message = f"USER {value} is the last USER: the container runs as root; switch to a non-root user after the steps that need root"
        yield ctx.finding(CODE, last_user, message, fix=_fix(ctx, stages, info, last_user))
        return

    if info.runs_as_root is False:
        return
    ref = ctx.root_stage(final).base
    if ref.is_scratch:
        message = "FROM scratch with no USER runs as root (uid 0); add USER 65532:65532 (or another non-root uid)"
    elif info.runs_as_root is None:
        message = f"No USER, and the default user of {image_name(ref)} is unknown: it may run as root; add a USER with a non-root user"
    else:
        message = f"No USER: the image runs as {info.default_user or 'root'}, the default user of {image_name(ref)}; add a USER with a non-root user"
    yield ctx.finding(CODE, final.from_, message, fix=_fix(ctx, stages, info, None))


def _resolved_user(ctx, ins) -> str | None:
    raw = ins.args.strip()
    if not raw:
        return None
    value = ctx.resolve(ins, raw)
    if value is None:
        return None
    words = split_words(value)
    return unquote(words[0]) if words else None


def _keeps_entrypoint(ctx, stages, info) -> bool:
    entrypoints = list(own(stages, "ENTRYPOINT"))
    if not entrypoints:
        return True
    last = entrypoints[-1]
    first = _first_word(last)
    return bool(first and info.entrypoint and command_name(first) == command_name(info.entrypoint))


def _entrypoint_drops(stages) -> bool:
    """The final ENTRYPOINT (or CMD without one) starts with gosu/su-exec/setpriv..."""
    entrypoints = list(own(stages, "ENTRYPOINT"))
    cmds = list(own(stages, "CMD"))
    target = entrypoints[-1] if entrypoints else (cmds[-1] if cmds else None)
    if target is None:
        return False
    first = _first_word(target)
    if first is None:
        return False
    name = command_name(first)
    if name in INITS and target.json and target.argv:
        rest = [a for a in target.argv[1:] if not a.startswith("-")]
        name = command_name(rest[0]) if rest else name
    return name in PRIVILEGE_DROPPERS


def _script_drops(ctx, stages) -> bool:
    """An ENTRYPOINT script in an image that installs/uses gosu or su-exec (the docker-library
    pattern: the script starts as root, fixes ownership, then re-executes as the service user)."""
    entrypoints = list(own(stages, "ENTRYPOINT"))
    if not entrypoints:
        return False
    first = _first_word(entrypoints[-1])
    if not first or not (first.endswith(".sh") or "entrypoint" in first):
        return False
    return any(
        w.value and command_name(w.value) in ("gosu", "su-exec")
        for _ins, cmd in _run_commands(ctx, stages)
        for w in cmd.words
    )


def _run_commands(ctx, stages):
    """(RUN, command) for every shell command the RUNs of ``stages`` execute."""
    for stage in stages:
        for ins in stage.instructions:
            if ins.name == "RUN":
                for rs in run_scripts(ctx, ins):
                    for cmd in rs.script.commands:
                        yield ins, cmd


def _first_word(ins) -> str | None:
    if ins.json:
        return ins.argv[0] if ins.argv else None
    words = split_words(ins.args)
    return unquote(words[0]) if words else None


# -- the fix ----------------------------------------------------------------------------------


def _fix(ctx, stages, info, last_user):
    final = stages[-1]
    body = final.instructions
    if any(ins.sub is not None and ins.sub.name == "RUN" for ins in body):
        return None  # ONBUILD RUN triggers would run as the new user in child images
    created = _earlier_user(ctx, stages) or _created_user(ctx, stages)
    user, create = _choose_user(info, created)
    # where: before the trailing CMD/ENTRYPOINT/... block, else at the end of the stage
    trailer = None
    for ins in reversed(body[1:]):
        if ins.name in TRAILERS:
            trailer = ins
        else:
            break
    if create and not _can_run_shell(ctx, trailer or body[-1], info, stages):
        user, create = FALLBACK_USER, None
    eol = ctx.eol
    lines = ([create] if create else []) + [f"USER {user}"]

    if last_user is not None and last_user.stage == final.index and create is None:
        later_runs = [i for i in body if i.index > last_user.index and i.name == "RUN"]
        if not later_runs:
            edit = _replace_args(ctx, last_user, user)
            if edit is not None:
                return ctx.fix(f"Run as {user}", Applicability.UNSAFE, edit)

    if trailer is not None:
        at = trailer.trivia_start
        text = "".join(line + eol for line in lines)
    else:
        last = body[-1]
        at = last.end
        if not last.heredocs and ctx.text[last.start : last.end].rstrip("\r\n \t").endswith(ctx.df.escape):
            return None  # the file ends inside a continuation: anything added would join it
        text = "".join(line + eol for line in lines)
        if at == len(ctx.text) and not ctx.text.endswith("\n"):
            # no final newline: the new lines go after one, and the file still ends without one;
            # the edit takes the last character along so it visibly touches the last instruction
            text = ctx.text[at - 1] + "".join(eol + line for line in lines)
            return ctx.fix(_title(user, create), Applicability.UNSAFE, Edit(at - 1, at, text))
    return ctx.fix(_title(user, create), Applicability.UNSAFE, Edit(at, at, text))


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
    if not is_posix_shell(ctx.state(at).shell):
        return False
    # a group or user named "app" made by the file would make groupadd fail
    for stage in stages:
        for ins in stage.instructions:
            if ins.name == "RUN" and _mentions_app_account(ctx, ins):
                return False
    return True


def _mentions_app_account(ctx, ins) -> bool:
    for rs in run_scripts(ctx, ins):
        for cmd in rs.script.commands:
            cmd = unwrap(cmd)
            if cmd.name in ("groupadd", "addgroup", "useradd", "adduser") and any(w.value == "app" for w in cmd.words[1:]):
                return True
    return False


def _earlier_user(ctx, stages) -> str | None:
    """The last non-root user an earlier USER of the chain switched to (it exists)."""
    found = None
    for ins in own(stages, "USER"):
        value = _resolved_user(ctx, ins)
        if value is not None and not is_root(value):
            found = value
    return found


def _created_user(ctx, stages) -> str | None:
    """The last user a RUN of the shipped chain creates (useradd/adduser), if its name is known."""
    found = None
    for ins, cmd in _run_commands(ctx, stages):
        cmd = unwrap(cmd)
        if cmd.name not in ("useradd", "adduser"):
            continue
        name = _account_operand(cmd)
        if name is None:
            continue
        value = _user_value(ctx, ins, name)
        if value and not is_root(value):
            found = value
    return found


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


def _user_value(ctx, ins, word) -> str | None:
    if word.value is not None:
        return word.value if _USER_NAME.match(word.value) else None
    raw = word.raw.strip('"')
    if _SIMPLE_VAR.match(raw):
        resolved = ctx.resolve(ins, raw)
        if resolved and _USER_NAME.match(resolved):
            return resolved
        return raw  # USER expands the same ARG/ENV
    return None


def _replace_args(ctx, ins, user) -> Edit | None:
    rest = ins.line[ins.args_start :]
    start_logical = ins.args_start + len(rest) - len(rest.lstrip())
    value = ins.args
    start = ins.source_offset(start_logical)
    end = start + len(value)
    if ctx.text[start:end] != value:
        return None
    return Edit(start, end, user)
