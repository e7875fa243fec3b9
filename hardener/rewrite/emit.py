"""Text generation: the original file (its final stage named), extra stages, the new final stage.

The original text is kept byte for byte except for one edit: the final stage
gets a name (`` AS build``) when it has none, so the new stage can copy from it.
New lines use the file's line ending; carried instructions (ARG, ENV, LABEL,
STOPSIGNAL ...) are copied as written, continuation lines and all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..model import Dockerfile, Instruction
from .files import CopySpec

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
    volumes: list[Instruction] = field(default_factory=list)
    stopsignal: Instruction | None = None
    user: str | None = None
    healthcheck: str | None = None
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    uid: int = 65532


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
    eol = df.source.newline
    text = df.text
    if edit is not None:
        start, end, content = edit
        text = text[:start] + content + text[end:]
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
    out = [f"FROM {final.base}{eol}"]
    for ins in final.carried:
        out.append(_verbatim(df, ins, eol))
    for name, value in final.env:
        out.append(f"ENV {name}={env_value(value)}{eol}")
    if final.workdir:
        out.append(f"WORKDIR {final.workdir}{eol}")
    for copy in final.copies:
        flags = f"--from={copy.stage}"
        if copy.chown:
            flags += f" --chown={final.uid}:{final.uid}"
        if _BARE.match(copy.src) and _BARE.match(copy.dest):
            out.append(f"COPY {flags} {copy.src} {copy.dest}{eol}")
        else:
            out.append(f"COPY {flags} {exec_form([copy.src, copy.dest])}{eol}")
    for ins in final.expose:
        out.append(_verbatim(df, ins, eol))
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
