"""Joining every span gives the file back byte for byte, for the corpus and derived variants."""

import pytest

from conftest import corpus_files, corpus_id
from hardener.parse import parse
from hardener.source import SourceFile


def variants(data: bytes) -> dict[str, bytes]:
    lf = data.replace(b"\r\n", b"\n")
    return {
        "as-is": data,
        "crlf": lf.replace(b"\n", b"\r\n"),
        "cr-only": lf.replace(b"\n", b"\r"),
        "bom": b"\xef\xbb\xbf" + data,
        "no-final-newline": lf.rstrip(b"\n"),
        "tabs": lf.replace(b"    ", b"\t"),
        "bom-crlf-no-final-newline": b"\xef\xbb\xbf" + lf.rstrip(b"\n").replace(b"\n", b"\r\n"),
    }


def rebuild(df) -> str:
    return "".join(df.text[i.trivia_start : i.end] for i in df.instructions) + df.text[df.tail :]


@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_round_trip(path, corpus_available):
    for name, data in variants(path.read_bytes()).items():
        source = SourceFile.from_bytes(data, str(path))
        df = parse(source)
        if df.error is not None:
            continue  # negative cases have no spans to join; their bytes are never rewritten
        assert rebuild(df) == source.text, name
        assert source.with_text(rebuild(df)).to_bytes() == data, name
        # spans tile the file: no gaps, no overlaps
        cursor = 0
        for ins in df.instructions:
            assert ins.trivia_start == cursor
            assert ins.trivia_start <= ins.start < ins.end
            cursor = ins.end
        assert df.tail == cursor


def test_crlf_variant_keeps_instruction_lines(corpus_available):
    path = next(p for p in corpus_files() if p.name.startswith("FreshRSS"))
    lf = parse(SourceFile.from_bytes(path.read_bytes()))
    crlf = parse(SourceFile.from_bytes(path.read_bytes().replace(b"\n", b"\r\n")))
    assert [(i.keyword, i.start_line, i.end_line) for i in lf.instructions] == [
        (i.keyword, i.start_line, i.end_line) for i in crlf.instructions
    ]
    assert crlf.source.newline == "\r\n"
