"""The exec form's quick reader of plain string arrays agrees with the JSON decoder wherever it answers."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from hardener.syntax import line
from hardener.syntax.line import _maybe_json, _plain_string_array

PIECES = st.sampled_from(['"', "[", "]", ",", " ", "\t", "\n", "a", "é", "\\", "\\n", '\\"', "1", "\x00", "\u00a0",
                          "{"])


@settings(max_examples=500, derandomize=True)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_where_the_quick_reader_answers_it_answers_as_json(rest):
    text = "[" + rest
    plain = _plain_string_array(text)
    if plain is not None:
        assert list(plain) == json.JSONDecoder().raw_decode(text)[0]


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=6), max_size=5),
       st.sampled_from(["", " ", "\t\n", "\r"]), st.sampled_from(["", " tail", '"x"]']))
def test_plain_arrays_are_read_without_the_decoder(items, space, after):
    text = "[" + space + ("," + space).join(json.dumps(i, ensure_ascii=False) for i in items) + space + "]" + after
    if any("\\" in i or '"' in i or not i.isprintable() for i in items):
        return
    assert _plain_string_array(text) == tuple(items)


def test_escapes_and_bad_arrays_go_to_the_decoder(monkeypatch):
    assert _plain_string_array('["a\\nb"]') is None and _maybe_json('["a\\nb"]') == (True, ("a\nb",))
    assert _plain_string_array('["a",]') is None and _maybe_json('["a",]') == (False, None)
    assert _plain_string_array('["a" "b"]') is None and _maybe_json('["a" "b"]') == (False, None)
    assert _maybe_json('[ ]') == (True, ()) and _maybe_json('["a"] ignored') == (True, ("a",))
    monkeypatch.setattr(line, "_DECODER", None)
    monkeypatch.setattr(line, "_decoder", lambda: (_ for _ in ()).throw(AssertionError("decoder used")))
    assert _maybe_json('[ "python", "-m",\t"app" ]') == (True, ("python", "-m", "app"))


@settings(max_examples=1000, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), st.booleans())
def test_the_fixes_write_words_as_json_does(word, ascii_only):
    assert line.json_string(word, ascii_only) == json.dumps(word, ensure_ascii=ascii_only)
