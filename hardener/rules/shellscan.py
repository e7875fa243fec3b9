"""Shared by the DH1xx/DH2xx rules: the shipped stage chain, RUN scripts, pipelines, spans."""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from ..model import Instruction, Stage
from ..programs import is_posix_shell as _is_posix_program
from ..shell import Command, Script, command_name, parse_shell, unwrap

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from .context import RuleContext



def chain(ctx: "RuleContext", stage: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, root first."""
    out = [stage]
    seen = {stage.index}
    while stage.parent is not None and stage.parent not in seen:
        stage = ctx.df.stages[stage.parent]
        seen.add(stage.index)
        out.append(stage)
    out.reverse()
    return out


def final_chain(ctx: "RuleContext") -> list[Stage]:
    final = ctx.df.final_stage
    return chain(ctx, final) if final is not None else []


def image_name(ref) -> str:
    """A base image for messages: name:tag, without a long digest."""
    if not ref.resolved:
        return ref.written
    if ref.is_scratch:
        return "scratch"
    return f"{ref.name}:{ref.tag}" if ref.tag else (f"{ref.name}@{ref.digest[:19]}…" if ref.digest else ref.name)


def own(stages: list[Stage], *names: str) -> Iterator[Instruction]:
    """Instructions of ``stages`` with one of ``names`` (ONBUILD triggers excluded)."""
    for stage in stages:
        for ins in stage.instructions:
            if ins.name in names:
                yield ins


def is_posix_shell(shell: tuple[str, ...]) -> bool:
    return bool(shell) and _is_posix_program(shell[0])


def is_windows(ctx: "RuleContext", stage: Stage) -> bool:
    return ctx.image_of(stage).family == "windows"


# -- scripts of a RUN, with the offset of their text in the source ------------------------


class RunScript:
    """One shell text of a RUN and where its offsets point in the source."""

    __slots__ = ("script", "ins", "body", "base", "kind", "text")

    def __init__(self, script: Script, ins: Instruction, body: Instruction, base: int | None, kind: str, text: str):
        self.script = script
        self.ins = ins
        self.body = body
        self.base = base  # logical offset in body.line ("args"), source offset ("heredoc"), None (exec form)
        self.kind = kind
        self.text = text

    def span(self, ctx: "RuleContext", start: int, end: int) -> tuple[int, int] | None:
        """Source span of [start, end) of the script text, when it maps exactly."""
        if self.base is None or end <= start or end > len(self.text):
            return None
        if self.kind == "args":
            s = self.body.source_offset(self.base + start)
            e = s + (end - start)
        else:
            s = self.base + start
            e = self.base + end
        if ctx.text[s:e] != self.text[start:end]:
            return None
        return s, e


def args_base(body: Instruction) -> int:
    rest = body.line[body.args_start :]
    return body.args_start + len(rest) - len(rest.lstrip())


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def run_scripts(ctx: "RuleContext", ins: Instruction) -> list[RunScript]:
    """The shell texts a RUN runs: its arguments, or the body of ``RUN <<EOF``; heredoc
    bodies fed to a command (``RUN bash <<EOF``) are appended so the reader sees them.
    Read once per file and instruction."""
    per_file = _CACHE.get(ctx)
    if per_file is None:
        per_file = _CACHE[ctx] = {}
    found = per_file.get(ins.index)
    if found is None:
        found = per_file[ins.index] = _run_scripts(ctx, ins)
    return found


def _run_scripts(ctx: "RuleContext", ins: Instruction) -> list[RunScript]:
    body = ctx.body(ins)
    if body.name != "RUN":
        return []
    if body.json:
        return [RunScript(body.script, ins, body, None, "exec", "")]
    args = body.args
    if body.heredocs and args.lstrip().startswith("<<"):
        doc = body.heredocs[0]
        return [RunScript(body.script, ins, body, doc.body_start, "heredoc", doc.content)]
    if body.heredocs:
        text = args
        for doc in body.heredocs:
            text += "\n" + doc.content + doc.name
        text += "\n"
        return [RunScript(parse_shell(text), ins, body, args_base(body), "args", text)]
    return [RunScript(body.script, ins, body, args_base(body), "args", args)]


def shipped_runs(ctx: "RuleContext") -> Iterator[RunScript]:
    for ins in ctx.instructions("RUN", shipped=True):
        yield from run_scripts(ctx, ins)


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
