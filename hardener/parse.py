"""Text -> Dockerfile model, reading instructions the way BuildKit's parser does.

``parse`` is the entry point: it reads the parser directives, has the
scanner (``hardener.syntax.scanner``) turn the lines into instructions, groups
them into stages (``hardener.syntax.stages``), and keeps a BuildKit parse
error in ``Dockerfile.error`` rather than raising it. The parts live in
``hardener.syntax``, one module per job.
"""

from __future__ import annotations

from .model import Dockerfile, ParseError
from .source import SourceFile, read_directives
from .syntax.line import ScanError
from .syntax.scanner import Scanner, check_line_lengths
from .syntax.stages import build_stages


def parse(source: SourceFile | str, path: str = "<string>") -> Dockerfile:
    """Parse text into a Dockerfile; a BuildKit parse error is kept in ``.error``."""
    if isinstance(source, str):
        source = SourceFile.from_text(source, path)
    try:
        directives, escape = _directives(source)
    except ScanError as fail:
        return _failed(source, fail, (), "\\")
    scanner = Scanner(source, escape)
    try:
        check_line_lengths(source)
        instructions = scanner.scan()
        if not instructions:
            raise ScanError(max(1, len(scanner.lines)), "file with no instructions")
    except ScanError as fail:
        return _failed(source, fail, directives, escape)
    stages, global_args = build_stages(instructions, escape)
    return Dockerfile(
        source=source,
        instructions=tuple(instructions),
        stages=stages,
        directives=directives,
        escape=escape,
        global_args=global_args,
        tail=instructions[-1].end,
    )


def _failed(source, fail, directives, escape) -> Dockerfile:
    return Dockerfile(
        source=source,
        instructions=(),
        stages=(),
        directives=tuple(directives),
        escape=escape,
        global_args=(),
        tail=0,
        error=ParseError(fail.line, fail.message),
    )


def _directives(source: SourceFile):
    directives = read_directives(source)
    seen = set()
    escape = "\\"
    for d in directives:
        if d.name in seen:
            raise ScanError(d.line, f"only one {d.name} parser directive can be used")
        seen.add(d.name)
        if d.name == "escape":
            if d.value not in ("\\", "`"):
                raise ScanError(d.line, f"invalid escape token '{d.value}' does not match ` or \\")
            escape = d.value
    return directives, escape
