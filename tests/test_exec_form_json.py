"""The exec form's quick reader of plain string arrays agrees with the JSON decoder wherever it answers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from hardener.syntax import line
from hardener.syntax.line import NOT_AN_ARRAY, _maybe_json, _plain_string_array

PIECES = st.sampled_from(['"', "[", "]", ",", " ", "=", "-f", "1", "true", "{}", "NaN", "\t", "\n", "a", "é", "\\",
                          "\\n", '\\"', "\x00", "\u00a0", "{", "\\u00e9", "\\ud83d", "\\ude00", "\\u12", "\\/",
                          "\\x", "\\\\"])


@settings(max_examples=500, derandomize=True)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_where_the_quick_reader_answers_it_answers_as_json(rest):
    text = "[" + rest
    plain = _plain_string_array(text)
    if plain is NOT_AN_ARRAY:
        with pytest.raises(ValueError):
            line._decoder().raw_decode(text)
    elif plain is not None:
        assert list(plain) == json.JSONDecoder().raw_decode(text)[0]


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=6), max_size=5),
       st.sampled_from(["", " ", "\t\n", "\r"]), st.sampled_from(["", " tail", '"x"]']))
def test_plain_arrays_are_read_without_the_decoder(items, space, after):
    text = "[" + space + ("," + space).join(json.dumps(i, ensure_ascii=False) for i in items) + space + "]" + after
    if not all(i.isprintable() for i in items):
        return
    assert _plain_string_array(text) == tuple(items)


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f"), max_size=6),
                max_size=4))
def test_escaped_arrays_are_read_without_the_decoder(items):
    text = json.dumps(items, ensure_ascii=True)  # every character past ASCII, and every control but DEL, escaped
    assert _plain_string_array(text) == tuple(items)


def test_escapes_and_bad_arrays_go_to_the_decoder(monkeypatch):
    assert _plain_string_array('["a\\nb"]') == ("a\nb",)
    assert _plain_string_array('["a\\ud800"]') is None and _maybe_json('["a\\ud800"]')[0]
    assert _plain_string_array('["a\\qb"]') is None and _maybe_json('["a\\qb"]') == (False, None)
    assert _plain_string_array('["a",]') is NOT_AN_ARRAY and _maybe_json('["a",]') == (False, None)
    assert _plain_string_array('["a" "b"]') is NOT_AN_ARRAY and _maybe_json('["a" "b"]') == (False, None)
    assert _plain_string_array('["a", 1]') is None and _plain_string_array('[true]') is None
    assert _maybe_json('[ ]') == (True, ()) and _maybe_json('["a"] ignored') == (True, ("a",))
    monkeypatch.setattr(line, "_DECODER", None)
    monkeypatch.setattr(line, "_decoder", lambda: (_ for _ in ()).throw(AssertionError("decoder used")))
    assert _maybe_json('[ "python", "-m",\t"app" ]') == (True, ("python", "-m", "app"))
    assert _maybe_json('[ "$X" = "true" ] && exit 0') == (False, None) and _maybe_json("[ -f a ]") == (False, None)
    assert _maybe_json('["C:\\\\app\\\\run.exe", "\\u00e9\\ud83d\\ude00"]') == (True, ("C:\\app\\run.exe", "é\U0001f600"))


@settings(max_examples=1000, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), st.booleans())
def test_the_fixes_write_words_as_json_does(word, ascii_only):
    assert line.json_string(word, ascii_only) == json.dumps(word, ensure_ascii=ascii_only)
