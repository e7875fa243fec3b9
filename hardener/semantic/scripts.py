"""The shell a RUN runs: its arguments, the body of ``RUN <<EOF``, heredocs fed to a command."""

from __future__ import annotations

from ..shell import Script, parse_exec, parse_shell

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from ..model import Instruction


def script_of(body: "Instruction") -> Script:
    """A RUN/CMD/ENTRYPOINT body read as shell: exec form as argv, ``RUN <<EOF`` as its heredoc."""
    if body.json:
        return parse_exec(list(body.argv or ()))
    if body.heredocs and body.name == "RUN" and body.args.lstrip().startswith("<<"):
        return parse_shell(body.heredocs[0].content)
    return parse_shell(body.args)


class RunScript:
    """One shell text of a RUN and where its offsets point in the source."""

    __slots__ = ("script", "ins", "body", "base", "kind", "text")

    def __init__(self, script: Script, ins: "Instruction", body: "Instruction", base: int | None, kind: str, text: str):
        self.script = script
        self.ins = ins
        self.body = body
        self.base = base  # logical offset in body.line ("args"), source offset ("heredoc"), None (exec form)
        self.kind = kind
        self.text = text

    def span(self, source, start: int, end: int) -> tuple[int, int] | None:
        """Source span of [start, end) of the script text, when it maps exactly (``source.text`` is the file)."""
        if self.base is None or end <= start or end > len(self.text):
            return None
        if self.kind == "args":
            s = self.body.source_offset(self.base + start)
            e = s + (end - start)
        else:
            s = self.base + start
            e = self.base + end
        if source.text[s:e] != self.text[start:end]:
            return None
        return s, e


def args_base(body: "Instruction") -> int:
    """Offset in ``body.line`` where the arguments start, after their leading blanks."""
    rest = body.line[body.args_start :]
    return body.args_start + len(rest) - len(rest.lstrip())


def run_scripts(ins: "Instruction", body: "Instruction", script: Script) -> list[RunScript]:
    """The shell texts a RUN runs; heredoc bodies fed to a command (``RUN bash <<EOF``) are
    appended to the arguments so the reader sees them. ``script`` is ``script_of(body)``."""
    if body.name != "RUN":
        return []
    if body.json:
        return [RunScript(script, ins, body, None, "exec", "")]
    args = body.args
    if body.heredocs and args.lstrip().startswith("<<"):
        doc = body.heredocs[0]
        return [RunScript(script, ins, body, doc.body_start, "heredoc", doc.content)]
    if body.heredocs:
        text = args
        for doc in body.heredocs:
            text += "\n" + doc.content + doc.name
        text += "\n"
        return [RunScript(parse_shell(text), ins, body, args_base(body), "args", text)]
    return [RunScript(script, ins, body, args_base(body), "args", args)]
