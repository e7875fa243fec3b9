"""Splitting on Go's spaces (unicode.IsSpace) with str.split(): equal on every text, also the ones carrying the
four separators Python alone counts as space."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from hardener.source import GO_SPACE
from hardener.syntax.words import split_on_go_spaces, split_words

PYTHON_SPACES = "".join(chr(i) for i in range(0x110000) if chr(i).isspace())
GO_SPLIT = re.compile(f"[{GO_SPACE}]+")


def test_python_spaces_are_go_spaces_and_the_four_separators():
    assert set(PYTHON_SPACES) == set(GO_SPACE) | set("\x1c\x1d\x1e\x1f")


@settings(max_examples=400, derandomize=True)
@given(st.text(alphabet=st.sampled_from(PYTHON_SPACES + "ab-=\u00e9\u4e2d"), max_size=40))
def test_split_on_go_spaces_is_the_go_split(text):
    assert split_on_go_spaces(text) == [w for w in GO_SPLIT.split(text) if w]


def test_a_separator_stays_inside_a_word():
    assert split_words("FROM\x1cdebian") == ["FROM\x1cdebian"]
    assert split_words("a\u3000b\x1fc") == ["a", "b\x1fc"]
