"""Shared by the DH1xx/DH2xx rules: shipped RUN scripts, wrapper chains, pipelines."""

from __future__ import annotations


from ..model import Stage
from ..programs import is_posix_shell as _is_posix_program
from ..semantic.scripts import RunScript
from ..shell import Command, Script, command_name, unwrap

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from collections.abc import Iterator
    from .context import RuleContext


def image_name(ref) -> str:
    """A base image for messages: name:tag, without a long digest."""
    if not ref.resolved:
        return ref.written
    if ref.is_scratch:
        return "scratch"
    return f"{ref.name}:{ref.tag}" if ref.tag else (f"{ref.name}@{ref.digest[:19]}…" if ref.digest else ref.name)


def is_posix_shell(shell: tuple[str, ...]) -> bool:
    return bool(shell) and _is_posix_program(shell[0])


def is_windows(ctx: "RuleContext", stage: Stage) -> bool:
    return ctx.build.image_of(stage).family == "windows"


def shipped_runs(ctx: "RuleContext") -> Iterator[RunScript]:
    for ins in ctx.build.instructions("RUN", shipped=True):
        yield from ctx.build.run_scripts(ins)


# -- commands --------------------------------------------------------------------------------


def names_in(cmd: Command) -> list[str]:
    """Command names of the wrapper chain and the command itself: sudo -E env X=1 foo -> [sudo, env, foo]."""
    inner = unwrap(cmd)
    lead = len(cmd.words) - len(inner.words)
    out = []
    for w in cmd.words[: lead + 1]:
        if w.value is not None and not w.value.startswith("-") and "=" not in w.value:
            out.append(command_name(w.value))
    return out


def pipelines(script: Script) -> list[list[Command]]:
    """Commands grouped into pipelines (``a | b | c``), per nesting context."""
    out: list[list[Command]] = []
    current: dict[tuple, list[Command]] = {}
    last_at: dict[tuple, int] = {}
    commands = script.commands
    for n, cmd in enumerate(commands):
        key = (cmd.depth, cmd.origin)
        group = current.get(key)
        if cmd.op_before == "|" and group is not None and group[-1].op_after == "|":
            group.append(cmd)
        elif cmd.op_before == "|":
            # the upstream is a compound command ({ ...; } | x, if ...; fi | x): its body
            # is the commands nested deeper since the last one at this level
            since = last_at.get(key, -1) + 1
            upstream = [c for c in commands[since:n] if c.depth > cmd.depth]
            group = upstream + [cmd]
            current[key] = group
            out.append(group)
        else:
            group = [cmd]
            current[key] = group
            out.append(group)
        last_at[key] = n
    return [p for p in out if len(p) > 1]
