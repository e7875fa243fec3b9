"""Fuzz targets: each takes bytes and raises only when it found a bug.

Used by ``fuzz/run.py`` (atheris, coverage-guided) and importable on their own to
replay a crash file: ``python -c "import fuzz.targets as t; t.fix(open(F,'rb').read())"``.
"""

from __future__ import annotations

from hardener.config import Config
from hardener.fixer import fix_source
from hardener.lint import lint
from hardener.parse import parse
from hardener.shell import parse_exec, parse_shell
from hardener.source import SourceError, SourceFile

CONFIG = Config()


def _source(data: bytes) -> SourceFile | None:
    try:
        return SourceFile.from_bytes(data, "fuzz")
    except SourceError:
        return None


def parser(data: bytes) -> None:
    """parse never raises; an accepted file comes back byte for byte from its spans; lint never raises."""
    source = _source(data)
    if source is None:
        return
    df = parse(source)
    if df.error is None:
        joined = "".join(df.text[i.trivia_start : i.end] for i in df.instructions) + df.text[df.tail :]
        assert joined == df.text, "spans do not give the file back"
    lint(df, CONFIG)


def shell(data: bytes) -> None:
    """The shell reader never raises, on shell text and on exec-form argv."""
    text = data.decode("utf-8", errors="replace")
    parse_shell(text)
    parse_exec(text.split("\x00"))


def fix(data: bytes) -> None:
    """fix never raises, keeps an accepted file accepted and is idempotent."""
    unsafe = bool(data[:1]) and data[0] & 1 == 1
    source = _source(data[1:])
    if source is None:
        return
    result = fix_source(source, CONFIG, unsafe=unsafe)
    if result.source.text == source.text:
        return
    if parse(source).error is None:
        assert parse(result.source).error is None, "fix broke a file that parsed"
    again = fix_source(result.source, CONFIG, unsafe=unsafe)
    assert again.source.text == result.source.text, "fix is not idempotent"


TARGETS = {"parser": parser, "shell": shell, "fix": fix}
