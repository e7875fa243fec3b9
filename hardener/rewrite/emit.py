"""Text generation: the original file (its final stage named), extra stages, the new final stage.

The original text is kept byte for byte except for one edit: the final stage
gets a name (`` AS build``) when it has none, so the new stage can copy from it.
New lines use the file's line ending; carried instructions (ARG, ENV, LABEL,
STOPSIGNAL ...) are copied as written, continuation lines and all.

With ``--build-target NAME`` (``render_target``) the built stage is the final
one: it is renamed (``NAME-build``), the new stages follow it and the runtime
stage takes its name, so ``--target NAME`` builds the hardened image. The
stages after it follow as written, except that what they read from the
original (``FROM NAME``, ``COPY --from=NAME``, ``RUN --mount=from=NAME``, a
stage number past it) is pointed at the renamed original, so they build as
before.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..model import Dockerfile, Instruction
from .files import CopySpec
from .result import SkipError

_BARE = re.compile(r"^[A-Za-z0-9_./:@%+,=-]+$")


@dataclass
class FinalStage:
    base: str
    header: list[str] = field(default_factory=list)  # comment lines (without "# ")
    carried: list[Instruction] = field(default_factory=list)  # ARG / LABEL / ENV / MAINTAINER, verbatim
    env: list[tuple[str, str]] = field(default_factory=list)
    workdir: str | None = None
    copies: list[CopySpec] = field(default_factory=list)
    expose: list[Instruction] = field(default_factory=list)
    expose_ports: list[str] | None = None  # one EXPOSE of these instead (the program moved its ports)
    volumes: list[Instruction] = field(default_factory=list)
    stopsignal: Instruction | None = None
    user: str | None = None
    healthcheck: str | None = None
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    uid: int = 65532
    name: str | None = None  # ``AS name``: the --build-target's, which the runtime stage takes


def copy_paths(src: str, dest: str) -> str:
    """The paths of a COPY as written: bare when they need no quoting, else in exec form."""
    return f"{src} {dest}" if _BARE.match(src) and _BARE.match(dest) else exec_form([src, dest])


def exec_form(argv: list[str]) -> str:
    return "[" + ", ".join(json.dumps(a) for a in argv) + "]"


def env_value(value: str) -> str:
    if value and _BARE.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def alias_edit(df: Dockerfile, stage_index: int, alias: str) -> tuple[int, int, str] | None:
    """(start, end, text) naming the stage, or None when it already has a name."""
    stage = df.stages[stage_index]
    if stage.alias:
        return None
    ins = stage.from_
    word = "AS" if ins.keyword.isupper() or not ins.keyword.islower() else "as"
    at = ins.content_end
    return at, at, f" {word} {alias}"


def render(df: Dockerfile, edit: tuple[int, int, str] | None, stages: list[str], final: FinalStage) -> str:
    text = df.text
    if edit is not None:
        start, end, content = edit
        text = text[:start] + content + text[end:]
    return _join(df, text, stages, final)


def _join(df: Dockerfile, text: str, stages: list[str], final: FinalStage) -> str:
    """``text`` (the original, edited), then the extra stages, then the runtime stage."""
    eol = df.source.newline
    if text and not text.endswith("\n"):
        text += eol
    out = [text]
    for stage in stages:
        out.append(eol)
        out.append("# Written by dhard harden: a builder step for the runtime image below." + eol)
        for line in stage.split("\n"):
            out.append(line + eol)
    out.append(eol)
    for line in final.header:
        out.append(f"# {line}" + eol)
    lines = _final_lines(df, final, eol)
    out.extend(lines)
    return "".join(out)


def _verbatim(df: Dockerfile, ins: Instruction, eol: str) -> str:
    piece = df.text[ins.start : ins.end]
    if not piece.endswith("\n"):
        piece += eol
    return piece


def _final_lines(df: Dockerfile, final: FinalStage, eol: str) -> list[str]:
    out = [f"FROM {final.base}{' AS ' + final.name if final.name else ''}{eol}"]
    for ins in final.carried:
        out.append(_verbatim(df, ins, eol))
    for name, value in final.env:
        out.append(f"ENV {name}={env_value(value)}{eol}")
    if final.workdir:
        out.append(f"WORKDIR {final.workdir}{eol}")
    for copy in final.copies:
        flags = [f"--from={copy.stage}"] if copy.stage is not None else []
        if copy.chown:
            flags.append(f"--chown={final.uid}:{final.uid}")
        out.append(f"COPY {' '.join([*flags, copy_paths(copy.src, copy.dest)])}{eol}")
    if final.expose_ports is not None:
        out.append(f"EXPOSE {' '.join(final.expose_ports)}{eol}")
    else:
        out.extend(_verbatim(df, ins, eol) for ins in final.expose)
    for ins in final.volumes:
        out.append(_verbatim(df, ins, eol))
    if final.stopsignal is not None:
        out.append(_verbatim(df, final.stopsignal, eol))
    if final.user:
        out.append(f"USER {final.user}{eol}")
    if final.healthcheck:
        out.append(final.healthcheck + eol)
    if final.entrypoint is not None:
        out.append(f"ENTRYPOINT {exec_form(final.entrypoint)}{eol}")
    if final.cmd is not None:
        out.append(f"CMD {exec_form(final.cmd)}{eol}")
    return out


# -- --build-target: the built stage is not the last one --------------------------------------------


def render_target(facts, stages: list[str], final: FinalStage, log) -> str:
    """The file for ``--build-target``: up to the built stage (renamed ``facts.alias``), the extra stages,
    the runtime stage named as the target was, then the later stages as written but for what they read
    from the original (see the module's docs)."""
    df = facts.df
    eol = df.source.newline
    target = facts.final
    split = facts.later[0].from_.trivia_start if facts.later else len(df.text)
    added = len(stages) + 1  # stages now standing between the original and the later ones
    where = facts.where(target.from_)
    edits = [_rename(df, target, facts.alias, where)]
    log.why(f"the stage {facts.target_name} (--build-target) is renamed {facts.alias}, the builder; the runtime "
            f"stage after it is named {facts.target_name}, so `--target {facts.target_name}` (compose "
            f"`target: {facts.target_name}`) builds the hardened image", where)
    readers: dict = {}  # stage index -> (stage, what it reads)
    for stage, ins, edit, what in _references(facts, added):
        edits.append(edit)
        readers.setdefault(stage.index, (stage, []))[1].append(f"{what} at line {ins.start_line}")
    for stage, whats in readers.values():
        shown = stage.alias or f"the stage at line {stage.from_.start_line}"
        log.why(f"{shown} reads the original {facts.target_name} ({', '.join(whats)}): pointed at {facts.alias}, "
                "so it builds as before; it is not hardened", facts.where(stage.from_))
    if facts.later:
        names = ", ".join(s.alias or f"the one at line {s.from_.start_line}" for s in facts.later)
        log.why(f"the stages after {facts.target_name} ({names}) are otherwise kept as written: `--target "
                f"{facts.target_name}` does not build them", facts.where(facts.later[0].from_))
    for copy in final.copies:  # a copy straight from a stage named by its number, past the new ones
        if copy.stage is not None and copy.stage.isdigit() and int(copy.stage) > target.index:
            copy.stage = str(int(copy.stage) + added)
    final.name = facts.target_name
    head = _splice(df.text[:split], [e for e in edits if e[0] < split])
    tail = _splice(df.text[split:], [(a - split, b - split, t) for a, b, t in edits if a >= split])
    text = _join(df, head, stages, final)
    if tail:
        if not tail.startswith(("\n", "\r\n")):
            text += eol  # a blank line between the runtime stage and the later stages
        text += tail
    return text


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def _words(ins: Instruction) -> list[tuple[str, int, int]]:
    """(word, source start, source end) of the arguments of ``ins`` (after its flags)."""
    out = []
    for m in re.finditer(r"\S+", ins.line[ins.args_start:]):
        start = ins.source_offset(ins.args_start + m.start())
        end = ins.source_offset(ins.args_start + m.end() - 1) + 1
        out.append((m.group(), start, end))
    return out


def _rename(df: Dockerfile, stage, alias: str, where: str | None) -> tuple[int, int, str]:
    words = _words(stage.from_)
    if len(words) >= 3 and words[1][0].lower() == "as":
        word, start, end = words[2]
        if df.text[start:end] == word:
            return start, end, alias
    raise SkipError("unsupported", f"the FROM line of the stage {stage.alias} ({where}) is written in a way dhard "
                    "cannot rename it in", "write `FROM <image> AS <name>` on one line")


def _references(facts, added: int):
    """(stage, instruction, edit, what) for every place another stage reads the built stage (its name, or
    a stage number past it, which the new stages shift)."""
    df, build, target = facts.df, facts.build, facts.final
    for stage in df.stages:
        if stage.index == target.index:
            continue
        if stage.parent == target.index:
            word, start, end = _words(stage.from_)[0]
            if df.text[start:end] != word or word.lower() != target.alias.lower():
                raise SkipError("unsupported", f"{stage.alias or 'a later stage'} is built FROM {word} "
                                f"({facts.where(stage.from_)}), which names {target.alias} through a variable",
                                f"write FROM {target.alias}")
            yield stage, stage.from_, (start, end, facts.alias), f"FROM {word}"
        for ins in stage.instructions:
            if ins.name in ("COPY", "ADD"):
                for flag in ins.flags:
                    if flag.name == "from" and flag.value:
                        found = _reference(facts, ins, flag, len("--from="), flag.value, added)
                        if found is not None:
                            yield stage, ins, found, f"{ins.keyword} --from={flag.value}"
            elif ins.name == "RUN":
                for flag in ins.flags:
                    if flag.name != "mount" or not flag.value:
                        continue
                    at = len("--mount=")
                    for item in flag.value.split(","):
                        key, eq, value = item.partition("=")
                        if eq and key.strip().lower() == "from" and value.strip():
                            offset = at + len(key) + 1 + (len(value) - len(value.lstrip()))
                            found = _reference(facts, ins, flag, offset, value.strip(), added)
                            if found is not None:
                                yield stage, ins, found, f"RUN --mount=from={value.strip()}"
                        at += len(item) + 1


def _reference(facts, ins: Instruction, flag, offset: int, written: str, added: int):
    """The edit that keeps ``written`` (a stage reference at ``offset`` in ``flag``) reading what it read."""
    df, target = facts.df, facts.final
    value = facts.build.resolve(ins, written) or written
    if value.isdigit():
        if int(value) <= target.index or int(value) >= len(df.stages):
            return None  # a stage before the new ones keeps its number
        new = str(int(value) + added)
    elif df.stage_named(value) is target:
        new = facts.alias
    else:
        return None
    start = ins.source_offset(flag.start)
    end = ins.source_offset(flag.end - 1) + 1
    source = df.text[start:end]
    if written != value or source not in (flag.text, flag.text[:offset] + f'"{flag.text[offset:]}"'):
        # a variable, quotes inside or a line break: not one literal dhard can edit
        raise SkipError("unsupported", f"{ins.keyword} {flag.text} ({facts.where(ins)}) reads {value}, the "
                        f"--build-target stage, in a way dhard cannot point at the renamed original",
                        f"write the stage name literally ({flag.text[:offset]}{target.alias})")
    if source != flag.text:
        offset += 1  # --from="name"
    return start + offset, start + offset + len(written), new


def no_children(facts, why: str) -> None:
    """Skip when a later stage is built FROM the --build-target stage, which the rewrite edits in place
    (``why``): the later stage would inherit the edit (a USER) and build differently."""
    if facts.build_target is None:
        return
    target = facts.final
    child = next((s for s in facts.later if any(c.index == target.index for c in facts.build.chain(s)[:-1])), None)
    if child is not None:
        raise SkipError("unsupported", f"the --build-target stage {target.alias} {why}, and "
                        f"{child.alias or 'a later stage'} is built FROM it ({facts.where(child.from_)}) and would "
                        "inherit that", f"build {child.alias or 'that stage'} FROM the stage {target.alias} is built "
                        "on, or harden without --build-target")
