"""`dhard harden` on every corpus file: never a crash; every Success is a valid, clean Dockerfile.

The corpus has Dockerfiles without their build contexts, so most apps are
skipped for a missing file; what matters here is that each file gets a
result (Success, Skip with a known reason, or Failure for a file BuildKit
cannot parse), and that every Success parses with BuildKit's own parser,
passes DH1xx/DH2xx/DH3xx and is stable under a second run. The counts are
in docs/harden-corpus.md (``python bench/harden_corpus.py --write``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import added_text, corpus_files, corpus_id, real_files
from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.rewrite import Failure, Skip, Success, harden
from hardener.rewrite.result import SKIP_KINDS
from hardener.source import SourceError, SourceFile

DH123 = Config().with_overrides(select=("DH1", "DH2", "DH3"))
REAL = {p for p in real_files()}


def _source(path: Path) -> SourceFile:
    try:
        return SourceFile.read(path)
    except SourceError as exc:
        pytest.skip(f"not a readable Dockerfile: {exc}")


@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_every_corpus_file_gets_a_result(path: Path, corpus_available):
    source = _source(path)
    parsed = parse(source)
    for level in ("distroless", "hardened"):
        result = harden(source, context=None, level=level)
        assert isinstance(result, (Success, Skip, Failure))
        if isinstance(result, Failure):
            assert "internal error" not in result.error, result.error
            assert parsed.error is not None or not parsed.stages, f"a Failure on a file that parses: {result.error}"
        elif isinstance(result, Skip):
            assert result.kind in SKIP_KINDS and result.reason
        else:
            assert parse(result.text).error is None


@pytest.mark.parametrize("path", real_files(), ids=corpus_id)
def test_every_success_is_valid_and_clean(path: Path, corpus_available):
    import dockerfile

    source = _source(path)
    result = harden(source, context=None)
    if not isinstance(result, Success):
        return
    dockerfile.parse_string(result.text)  # BuildKit's own parser accepts it
    findings = lint(parse(result.text), DH123)
    assert not findings, [f"{f.code}:{f.line} {f.message}" for f in findings]
    again = harden(result.text, context=None)
    assert isinstance(again, Skip) and again.kind == "already-hardened", str(again)
    added = added_text(source.text, result.text)
    for construct in ("<<", "--link", "--checksum"):
        assert construct not in added


@pytest.mark.parametrize("path", real_files(), ids=corpus_id)
def test_the_hardened_level_is_stable(path: Path, corpus_available):
    source = _source(path)
    result = harden(source, context=None, level="hardened")
    if not isinstance(result, Success):
        return
    import dockerfile

    dockerfile.parse_string(result.text)
    again = harden(result.text, context=None, level="hardened")
    assert isinstance(again, Skip) and again.kind == "already-hardened", str(again)
