import os
import stat

import pytest

from hardener.source import SourceError, SourceFile, atomic_write


def test_newline_detection():
    assert SourceFile.from_text("FROM a\r\nRUN b\r\n").newline == "\r\n"
    assert SourceFile.from_text("FROM a\nRUN b\n").newline == "\n"
    assert SourceFile.from_text("FROM a\rRUN b\r").newline == "\r"
    assert SourceFile.from_text("FROM a").newline == "\n"


def test_bom_is_kept_out_of_text_and_restored():
    src = SourceFile.from_bytes(b"\xef\xbb\xbfFROM a\n")
    assert src.bom and src.text == "FROM a\n"
    assert src.to_bytes() == b"\xef\xbb\xbfFROM a\n"


def test_escape_directive():
    assert SourceFile.from_text("# escape=`\nFROM a\n").escape == "`"
    assert SourceFile.from_text("# syntax=docker/dockerfile:1\n#escape = `\nFROM a\n").escape == "`"
    assert SourceFile.from_text("FROM a\n# escape=`\n").escape == "\\"
    assert SourceFile.from_text("# hello\n# escape=`\nFROM a\n").escape == "\\"


def test_positions_are_one_based():
    src = SourceFile.from_text("FROM a\r\nRUN b\r\n")
    assert src.position(0) == (1, 1)
    assert src.position(src.text.index("RUN")) == (2, 1)
    assert src.position(src.text.index("b")) == (2, 5)


@pytest.mark.parametrize(
    "data, fragment",
    [(b"FROM a\x00\n", "binary"), (b"FROM a\nRUN \xff\n", "UTF-8")],
)
def test_unreadable_content_is_a_one_line_error(data, fragment):
    with pytest.raises(SourceError) as info:
        SourceFile.from_bytes(data, "Dockerfile")
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("Dockerfile")


def test_non_utf8_error_names_the_line():
    with pytest.raises(SourceError) as info:
        SourceFile.from_bytes(b"FROM a\nRUN \xff\n", "Dockerfile")
    assert info.value.line == 2


def test_atomic_write_keeps_mode_and_bytes(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\r\n")
    os.chmod(path, 0o640)
    atomic_write(path, b"FROM b\r\n")
    assert path.read_bytes() == b"FROM b\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]
