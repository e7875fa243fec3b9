"""The shell text of a RUN, mapped back to the source, and safe edits to it.

Shared by the DH3xx rules. A RUN's shell text is read once (cached per file):

* shell form: the arguments, followed by the bodies of its heredocs as the
  shell receives them (``args + "\\n" + body + NAME``), so ``RUN bash <<'EOF'``
  bodies are read as the nested script they are, in execution order;
* ``RUN <<EOF``: the heredoc body is the script (unless a shebang names
  something that is not a POSIX shell);
* exec form: the argv, with no offsets (never edited).

Two kinds of edit, both verified against the source text before use (a word
split across continuation lines, or an offset inside a double-quoted ``sh -c``
string, gives no edit):

* ``insert_after`` puts a flag after a word (``install`` -> ``install --no-cache-dir``);
* ``append`` adds a command at the end of the script the flagged command is in:
  ``&& cmd`` on the same line for one-line RUNs, on a new continuation line with
  the RUN's indent for multi-line ones; after a trailing ``;`` under ``set -e``
  as a command of its own; inside a heredoc body on a new line before the
  terminator under errexit, else ``&& cmd`` on its last line. Never after a
  trailing ``&``, a comment, an open operator or a continuation.
"""

from __future__ import annotations

from ..findings import Edit
from ..model import Heredoc, Instruction
from ..programs import POSIX_SHELLS
from ..shell import Command, Script, Word, command_name, parse_shell

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from .context import RuleContext

_CLOSERS = frozenset(("done", "fi", "esac", "}", ")", ";", ";;"))


class Region:
    """A stretch of the script text copied from one place in the source."""

    __slots__ = ("start", "end", "source", "heredoc", "owner")

    def __init__(self, start: int, end: int, source: int | None, heredoc: Heredoc | None, owner: int | None = None):
        self.start = start  # offsets in RunText.text
        self.end = end
        self.source = source  # source offset of ``start`` (heredoc bodies); None: map through the logical line
        self.heredoc = heredoc
        self.owner = owner  # index (in script.commands) of the shell command a body is fed to


class RunText:
    """One RUN's shell text, its parsed script and the way back to the source."""

    __slots__ = ("ins", "body", "kind", "text", "script", "regions", "args_base", "posix", "shell_flags", "order")

    def __init__(self, ins, body, kind, text, script, regions, args_base, posix, shell_flags):
        self.ins: Instruction = ins  # the instruction as listed (ONBUILD for triggers)
        self.body: Instruction = body  # the RUN itself
        self.kind: str = kind  # "args" | "heredoc" | "exec"
        self.text: str = text
        self.script: Script = script
        self.regions: list[Region] = regions
        self.args_base: int = args_base  # logical offset of text[0] in body.line (kind "args")
        self.posix: bool = posix  # run by a POSIX shell (not PowerShell/cmd, not Windows)
        self.shell_flags: tuple[str, ...] = shell_flags  # options the running shell got (SHELL, shebang)
        self.order = _execution_order(self)  # commands in the order they run

    @property
    def known(self) -> bool:
        return self.script.known

    def region_of(self, offset: int) -> Region | None:
        for region in self.regions:
            if region.start <= offset < region.end or (offset == region.end and region.end > region.start):
                return region
        return None

    def span(self, ctx: "RuleContext", start: int, end: int) -> tuple[int, int] | None:
        """Source span of text[start:end] when it is copied there verbatim."""
        if self.kind == "exec" or end <= start:
            return None
        region = self.region_of(start)
        if region is None or end > region.end:
            return None
        if region.heredoc is not None:
            if region.source is None:
                return None  # the body is not copied verbatim (tabs stripped, ...)
            s = region.source + start - region.start
            e = s + end - start
        else:
            s = self.body.source_offset(self.args_base + start)
            e = self.body.source_offset(self.args_base + end - 1) + 1
        if ctx.text[s:e] != self.text[start:end]:
            return None
        return s, e


def _execution_order(rt: RunText) -> list[Command]:
    """Commands in run order: a heredoc body fed to a shell runs where its shell command is."""
    commands = rt.script.commands
    if len(rt.regions) < 2:
        return list(commands)
    first = rt.regions[0]
    head = [c for c in commands if c.start < first.end]
    bodies: dict[int, list[Command]] = {}
    for c in commands:
        if c.start >= first.end:
            for n, region in enumerate(rt.regions[1:], 1):
                if region.start <= c.start < region.end:
                    bodies.setdefault(n, []).append(c)
                    break
    out: list[Command] = []
    placed = set()
    for c in head:
        out.append(c)
        for n, region in enumerate(rt.regions[1:], 1):
            if region.owner is not None and commands[region.owner] is c:
                out.extend(bodies.get(n, ()))
                placed.add(n)
    for n in sorted(bodies):
        if n not in placed:
            out.extend(bodies[n])
    return out


# -- building ---------------------------------------------------------------------------------


def args_base(body: Instruction) -> int:
    rest = body.line[body.args_start :]
    return body.args_start + len(rest) - len(rest.lstrip())


def shebang(content: str) -> tuple[str, tuple[str, ...]] | None:
    """(interpreter name, options) of a ``#!`` first line."""
    if not content.startswith("#!"):
        return None
    line = content[2:].split("\n", 1)[0].strip()
    parts = line.split()
    if not parts:
        return ("", ())
    name = command_name(parts[0])
    rest = tuple(parts[1:])
    if name == "env":
        rest = tuple(p for p in rest if not p.startswith("-"))
        if not rest:
            return ("", ())
        name, rest = command_name(rest[0]), rest[1:]
    return name, rest


def build(ctx: "RuleContext", ins: Instruction) -> RunText | None:
    """The RunText of a RUN (or ONBUILD RUN); None when it runs no shell script we can read."""
    body = ctx.build.body(ins)
    if body.name != "RUN":
        return None
    if body.json:
        return RunText(ins, body, "exec", "", ctx.build.script(ins), [], 0, False, ())
    state = ctx.build.state(ins)
    shell = state.shell or ("/bin/sh", "-c")
    posix = command_name(shell[0]) in POSIX_SHELLS and not _windows(ctx, ins)
    flags = tuple(shell[1:])
    args = body.args
    if body.heredocs and args.startswith("<<"):
        doc = body.heredocs[0]
        bang = shebang(doc.content)
        if bang is not None:
            if bang[0] not in POSIX_SHELLS:
                return None  # a Python/Perl/... script: not ours to read
            flags = flags + bang[1]
        region = Region(0, len(doc.content), _body_source(ctx, doc), doc)
        return RunText(ins, body, "heredoc", doc.content, ctx.build.script(ins), [region], 0, posix, flags)
    base = args_base(body)
    if not body.heredocs:
        return RunText(ins, body, "args", args, ctx.build.script(ins), [Region(0, len(args), None, None)], base, posix, flags)
    text = args
    regions = [Region(0, len(args), None, None)]
    for doc in body.heredocs:
        text += "\n"
        regions.append(Region(len(text), len(text) + len(doc.content), _body_source(ctx, doc), doc))
        text += doc.content + doc.name
    text += "\n"
    script = parse_shell(text)
    _assign_owners(script, regions)
    return RunText(ins, body, "args", text, script, regions, base, posix, flags)


def _body_source(ctx: "RuleContext", doc: Heredoc) -> int | None:
    """Where the body starts in the source, if the body is copied verbatim."""
    if ctx.text[doc.body_start : doc.body_end] == doc.content:
        return doc.body_start
    return None


def _assign_owners(script: Script, regions: list[Region]) -> None:
    """Heredoc bodies belong, in order, to the ``<<`` redirections of the first line."""
    docs = iter(regions[1:])
    limit = regions[0].end
    for i, cmd in enumerate(script.commands):
        if cmd.start >= limit:
            break
        for redirect in cmd.redirects:
            op = redirect.lstrip("0123456789")
            if op.startswith("<<") and not op.startswith("<<<"):
                region = next(docs, None)
                if region is None:
                    return
                region.owner = i


def _windows(ctx: "RuleContext", ins: Instruction) -> bool:
    stage = ctx.df.stage_of(ins)
    if stage is None:
        return False
    root = ctx.build.root_stage(stage)
    return ctx.build.memo(("windows", root.index), lambda: ctx.build.image_of(root).family == "windows")


# -- errexit -----------------------------------------------------------------------------------


def _flags_errexit(words) -> bool:
    """Whether shell options (``-e``, ``-eux``, ``-o errexit``) turn errexit on."""
    words = list(words)
    for i, w in enumerate(words):
        if not w or w[0] != "-" or w.startswith("--"):
            continue
        letters = w[1:]
        if "e" in letters:
            return True
        if letters.endswith("o") and i + 1 < len(words) and words[i + 1] == "errexit":
            return True
    return False


def errexit(rt: RunText, region: Region) -> bool:
    """errexit is on when the region's last command runs (shell options or a top-level ``set -e``)."""
    if region.heredoc is not None and region.owner is not None:
        owner = rt.script.commands[region.owner]
        from ..shell import unwrap

        shell = unwrap(owner)
        on = _flags_errexit(w.value or "" for w in shell.words[1:])
        depth = owner.depth + 1
    else:
        on = _flags_errexit(rt.shell_flags)
        depth = 0
    for cmd in rt.script.commands:
        if not (region.start <= cmd.start < region.end) or cmd.depth != depth:
            continue
        if cmd.name == "set" and len(cmd.words) > 1:
            values = [w.value or "" for w in cmd.words[1:]]
            if _flags_errexit(values):
                on = True
            elif any(v.startswith("+") and "e" in v for v in values):
                on = False
    return on


# -- edits -------------------------------------------------------------------------------------


def insert_after(ctx: "RuleContext", rt: RunText, word: Word, text: str) -> Edit | None:
    """Insert `` text`` right after ``word`` (e.g. a flag after ``install``)."""
    if rt.kind == "exec" or rt.text[word.start : word.end] != word.raw:
        return None
    span = rt.span(ctx, word.start, word.end)
    if span is None:
        return None
    return Edit(span[1], span[1], " " + text)


def _tail_ok(tail: str, comments: bool) -> bool:
    """What follows the last command is only closers, ``;``, redirections of a
    compound command (``done > /dev/null 2>&1``) and, when allowed, comments."""
    i, n = 0, len(tail)
    want_target = False
    while i < n:
        c = tail[i]
        if c in " \t\n":
            i += 1
            continue
        if c == "#":
            if not comments or want_target:
                return False
            j = tail.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in ";)":
            if want_target:
                return False
            i += 1
            continue
        j = i
        while j < n and tail[j] not in " \t\n;)":
            j += 1
        word = tail[i:j]
        i = j
        if any(ch in word for ch in "\\'\"`$|(#"):
            return False
        if want_target:
            if "&" in word or "<" in word or ">" in word:
                return False
            want_target = False
            continue
        if word in _CLOSERS:
            continue
        op = word.lstrip("0123456789")
        for prefix in (">>", ">&", "<&", ">", "<"):
            if op.startswith(prefix):
                rest = op[len(prefix) :]
                if "&" in rest or "<" in rest or ">" in rest:
                    return False
                want_target = rest == ""
                break
        else:
            return False
    return not want_target


def append(ctx: "RuleContext", rt: RunText, region: Region, command: str) -> Edit | None:
    """Add ``command`` so it runs after everything else in ``region`` (see module doc)."""
    if rt.kind == "exec" or not rt.posix or not rt.script.known:
        return None
    text = rt.text[region.start : region.end]
    if "\r" in text:
        return None  # a CRLF heredoc body: the shell would see a carriage return in our command
    end = len(text.rstrip())
    if end == 0:
        return None
    inside = [c for c in rt.script.commands if region.start <= c.start < region.end]
    if not inside:
        return None
    last = max(c.end for c in inside) - region.start
    final = max(inside, key=lambda c: c.end)
    if final.depth == min(c.depth for c in inside) and final.name in ("exit", "exec"):
        return None  # nothing after it would run
    if last > end:
        return None
    body = text[:end]
    if body.endswith("\\") or body.endswith("&&") or body.endswith("||") or body.endswith("|"):
        return None
    is_doc = region.heredoc is not None
    on = errexit(rt, region)
    tail = text[last:end]
    if not _tail_ok(tail, comments=is_doc and on):
        return None
    if body.endswith("&") or body.endswith(";&"):
        return None
    if is_doc and on:
        # a new line of its own after the last one (before the terminator)
        at = _source_end(ctx, rt, region, end)
        if at is None:
            return None
        return Edit(at, at, ctx.eol + command)
    semicolon = body.endswith(";") and not body.endswith(";;")
    if semicolon and on:
        piece, pos = command, end
    elif semicolon:
        pos = len(body[:-1].rstrip())
        piece = "&& " + command
        if pos == 0 or body[:pos].endswith((";", "&", "|")):
            return None
    else:
        piece, pos = "&& " + command, end
    at = _source_end(ctx, rt, region, pos)
    if at is None:
        return None
    if not is_doc and _multiline(rt):
        trailing = piece.startswith("&& ") and _trailing_and_style(rt.body)
        newline = f" {ctx.df.escape}{ctx.eol}{_indent(ctx, rt.body, piece, trailing)}"
        if trailing:
            return Edit(at, at, " &&" + newline + command)
        return Edit(at, at, newline + piece)
    return Edit(at, at, " " + piece)


def _source_end(ctx: "RuleContext", rt: RunText, region: Region, pos: int) -> int | None:
    """Source offset just after text[region.start + pos - 1] (verified)."""
    if pos <= 0:
        return None
    span = rt.span(ctx, region.start + pos - 1, region.start + pos)
    return span[1] if span else None


def _multiline(rt: RunText) -> bool:
    body = rt.body
    return len(body.segments) > 1 and not body.heredocs


def _segment_texts(body: Instruction) -> list[str]:
    line = body.line
    return [line[seg.lstart : seg.lstart + seg.length] for seg in body.segments]


def _trailing_and_style(body: Instruction) -> bool:
    """Whether the RUN ends its continuation lines with ``&& \\`` rather than starting them with ``&&``."""
    texts = _segment_texts(body)
    trailing = sum(1 for t in texts[:-1] if t.rstrip().endswith("&&"))
    leading = sum(1 for t in texts[1:] if t.lstrip().startswith("&&"))
    return trailing > leading


def _indent(ctx: "RuleContext", body: Instruction, piece: str, trailing: bool) -> str:
    """The indent of the lines our new line continues: the last line that starts the same way
    (``&&``, or a command after ``&& \\`` / ``; \\``), else the RUN's continuation indent."""
    texts = _segment_texts(body)
    found = None
    for n in range(1, len(texts)):
        text = texts[n]
        head = text.lstrip(" \t")
        if not head:
            continue
        previous = texts[n - 1].rstrip()
        if trailing:
            like = previous.endswith("&&")
        elif piece.startswith("&& "):
            like = head.startswith("&&")
        else:
            like = previous.endswith(";") and not head.startswith(";")
        if like:
            found = text[: len(text) - len(head)]
    if found:
        return found
    # the continuation lines only hold arguments: the command level is one step in
    indent = ctx.indent_of(body)
    if indent.startswith("\t"):
        return "\t"
    return " " * min(4, len(indent)) if indent.strip(" ") == "" and indent else "    "
