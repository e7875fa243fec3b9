"""``dhard parse``: show the model, like ``sqlfluff parse``."""

from __future__ import annotations

import json
import sys

from ..model import Instruction
from ..parse import parse
from ..source import SourceError
from .common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, read_source, source_error


def add_arguments(parser) -> None:
    parser.add_argument("path", help="a Dockerfile, or - for stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    try:
        source = read_source(args.path)
    except SourceError as exc:
        source_error(exc)
        return EXIT_ERROR
    df = parse(source)
    if args.format == "json":
        json.dump(to_json(df), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _text(df)
    return EXIT_FINDINGS if df.error else EXIT_CLEAN


def instruction_json(ins: Instruction) -> dict:
    out = {
        "keyword": ins.keyword,
        "start_line": ins.start_line,
        "end_line": ins.end_line,
        "flags": [f.text for f in ins.flags],
        "arguments": ins.args,
        "json": ins.json,
        "exec_form": list(ins.argv) if ins.json and ins.argv is not None else None,
        "heredocs": [{"name": h.name, "content": h.content, "chomp": h.chomp, "expand": h.expand} for h in ins.heredocs],
        "stage": ins.stage,
    }
    if ins.sub is not None:
        out["sub"] = instruction_json(ins.sub)
    return out


def to_json(df) -> dict:
    return {
        "path": df.source.path,
        "error": {"line": df.error.line, "message": df.error.message} if df.error else None,
        "directives": [{"name": d.name, "value": d.value, "line": d.line} for d in df.directives],
        "escape": df.escape,
        "newline": {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}[df.source.newline],
        "bom": df.source.bom,
        "instructions": [instruction_json(i) for i in df.instructions],
        "stages": [
            {
                "index": s.index,
                "alias": s.alias,
                "base": {
                    "written": s.base.written,
                    "resolved": s.base.value,
                    "registry": s.base.registry,
                    "repository": s.base.repository,
                    "tag": s.base.tag,
                    "digest": s.base.digest,
                    "unresolved": list(s.base.unresolved),
                },
                "platform": s.platform,
                "parent": s.parent,
                "ships": s.ships,
                "start_line": s.from_.start_line,
            }
            for s in df.stages
        ],
    }


def _text(df) -> None:
    out = sys.stdout
    if df.error:
        out.write(f"{df.source.path}:{df.error.line}: parse error: {df.error.message}\n")
        return
    for stage in df.stages:
        base = stage.base.value if stage.base.resolved else f"{stage.base.written} (unresolved: {', '.join(stage.base.unresolved)})"
        ships = "ships" if stage.ships else "builder"
        alias = f" as {stage.alias}" if stage.alias else ""
        out.write(f"stage {stage.index}{alias}: {base} [{ships}]\n")
    for ins in df.instructions:
        lines = f"{ins.start_line}" if ins.start_line == ins.end_line else f"{ins.start_line}-{ins.end_line}"
        form = " (exec)" if ins.json else ""
        flags = "".join(f" {f.text}" for f in ins.flags)
        out.write(f"  {lines:>9}  {ins.keyword}{flags}{form}  {ins.args[:80]}\n")
        for h in ins.heredocs:
            out.write(f"  {'':>9}    heredoc {h.name}: {len(h.content.splitlines())} lines\n")
