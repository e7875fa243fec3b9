"""The fix loop on its own: fake rules stand in for the real ones."""

import io
import re

import pytest

from hardener import fixer
from hardener.cli import main
from hardener.config import Config
from hardener.findings import Applicability, Edit, Finding, Fix, Severity
from hardener.source import SourceFile

SAFE, UNSAFE, DISPLAY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY


def finding(code, *edits, applicability=SAFE):
    edits = tuple(Edit(*e) for e in edits)
    start = edits[0].start if edits else 0
    end = edits[0].end if edits else 0
    return Finding(code, f"rule-{code}", Severity.WARNING, f"{code} fires", start, end, Fix(f"fix {code}", applicability, edits))


def replacing(code, old, new, applicability=SAFE):
    """Flags the first `old` and offers to replace it with `new`."""

    def rule(text):
        at = text.find(old)
        return [] if at < 0 else [finding(code, (at, at + len(old), new), applicability=applicability)]

    return rule


def inserting(code, before, content):
    """Offers to insert `content` right before the first `before`, until `content` is there."""

    def rule(text):
        at = text.find(before)
        return [] if at < 0 or content in text else [finding(code, (at, at, content))]

    return rule


def rewriting_line(code, prefix, transform):
    """Offers to replace the rest of the line from `prefix` on with transform(rest)."""

    def rule(text):
        at = text.find(prefix)
        if at < 0:
            return []
        end = text.find("\n", at)
        old = text[at:end]
        new = transform(old)
        return [] if new == old else [finding(code, (at, end, new))]

    return rule


class FakeLint:
    def __init__(self, rules, reverse=False):
        self.rules = rules
        self.reverse = reverse
        self.texts = []

    def __call__(self, df, config=None, context_dir=None):
        self.texts.append(df.text)
        found = [f for rule in self.rules for f in rule(df.text)]
        return found[::-1] if self.reverse else found


@pytest.fixture
def rules(monkeypatch):
    def install(*rules, reverse=False):
        linter = FakeLint(rules, reverse)
        monkeypatch.setattr(fixer, "lint", linter)
        return linter

    return install


def fix(text, **kwargs):
    return fixer.fix_source(SourceFile.from_text(text), **kwargs)


def codes(findings):
    return [f.code for f in findings]


# -- overlapping edits ----------------------------------------------------------


def test_overlapping_fix_waits_for_the_next_pass(rules):
    linter = rules(
        replacing("DH001", "hello", "hi"),
        rewriting_line("DH002", "echo", lambda s: s.replace("world", "there")),
    )
    result = fix("FROM alpine\nRUN echo hello world\n")
    assert result.source.text == "FROM alpine\nRUN echo hi there\n"
    assert codes(result.applied) == ["DH002", "DH001"]
    assert linter.texts == [
        "FROM alpine\nRUN echo hello world\n",
        "FROM alpine\nRUN echo hello there\n",
        "FROM alpine\nRUN echo hi there\n",
    ]
    assert result.remaining == []


def test_overlapping_fix_whose_target_is_gone_is_dropped(rules):
    rules(replacing("DH001", "hello world", "goodbye"), replacing("DH002", "world", "earth"))
    result = fix("FROM alpine\nRUN echo hello world\n")
    assert result.source.text == "FROM alpine\nRUN echo goodbye\n"
    assert codes(result.applied) == ["DH001"]
    assert result.remaining == []
    assert result.passes == 1


def test_overlapped_fix_is_left_remaining_when_the_loop_stops(rules, monkeypatch):
    monkeypatch.setattr(fixer, "MAX_PASSES", 1)
    rules(replacing("DH001", "hello world", "hello there"), replacing("DH002", "hello", "hi"))
    result = fix("FROM alpine\nRUN echo hello world\n")
    assert result.source.text == "FROM alpine\nRUN echo hello there\n"
    assert codes(result.applied) == ["DH001"]
    assert codes(result.remaining) == ["DH002"]


@pytest.mark.parametrize("reverse", [False, True], ids=["in-order", "reversed"])
def test_two_insertions_at_one_point_go_in_code_order_over_two_passes(rules, reverse):
    linter = rules(inserting("DH002", "RUN", "# two\n"), inserting("DH001", "RUN", "# one\n"), reverse=reverse)
    result = fix("FROM alpine\nRUN true\n")
    assert result.source.text == "FROM alpine\n# one\n# two\nRUN true\n"
    assert codes(result.applied) == ["DH001", "DH002"]
    assert linter.texts == [
        "FROM alpine\nRUN true\n",
        "FROM alpine\n# one\nRUN true\n",
        "FROM alpine\n# one\n# two\nRUN true\n",
    ]


def test_insertions_at_the_edges_of_a_replacement_apply_together(rules):
    rules(
        replacing("DH001", "echo", "printf"),
        inserting("DH002", "echo", "env "),
        inserting("DH003", " hi", ";"),
    )
    result = fix("FROM alpine\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nRUN env printf; hi\n"
    assert result.passes == 1


# -- reverting a pass that breaks the file -----------------------------------------


def test_a_pass_that_does_not_parse_is_retried_one_fix_at_a_time(rules):
    linter = rules(replacing("DH001", "A=1", "A"), replacing("DH002", "echo hi", "echo bye"))
    result = fix("FROM alpine\nENV A=1\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nENV A=1\nRUN echo bye\n"
    assert codes(result.applied) == ["DH002"]
    assert codes(result.reverted) == ["DH001"]
    assert codes(result.remaining) == ["DH001"]
    assert linter.texts == ["FROM alpine\nENV A=1\nRUN echo hi\n", "FROM alpine\nENV A=1\nRUN echo bye\n"]


def test_after_a_revert_later_fixes_are_relinted_against_the_new_text(rules):
    rules(
        replacing("DH001", "A=1", "A"),
        replacing("DH002", "echo one", "echo uno uno"),
        replacing("DH003", "echo two", "echo dos"),
    )
    result = fix("FROM alpine\nENV A=1\nRUN echo one\nRUN echo two\n")
    assert result.source.text == "FROM alpine\nENV A=1\nRUN echo uno uno\nRUN echo dos\n"
    assert codes(result.applied) == ["DH002", "DH003"]
    assert codes(result.reverted) == ["DH001"]


def test_a_fix_overlapping_a_reverted_one_still_applies(rules):
    rules(replacing("DH001", "A=1", "A"), replacing("DH002", "=1", "=2"))
    result = fix("FROM alpine\nENV A=1\n")
    assert result.source.text == "FROM alpine\nENV A=2\n"
    assert codes(result.applied) == ["DH002"]
    assert codes(result.reverted) == ["DH001"]


def test_a_fix_that_only_breaks_the_file_changes_nothing(rules):
    rules(replacing("DH001", "A=1", "A"))
    result = fix("FROM alpine\nENV A=1\n")
    assert result.source.text == "FROM alpine\nENV A=1\n"
    assert not result.changed
    assert codes(result.reverted) == ["DH001"]
    assert codes(result.remaining) == ["DH001"]


def test_an_edit_that_makes_an_instruction_unknown_is_reverted(rules):
    rules(replacing("DH001", "RUN", "RUNX"), replacing("DH002", "echo hi", "echo hello"))
    result = fix("FROM alpine\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nRUN echo hello\n"
    assert codes(result.applied) == ["DH002"]
    assert codes(result.reverted) == ["DH001"]


def test_an_unknown_instruction_already_there_does_not_block_fixes(rules):
    rules(replacing("DH001", "echo hi", "echo hello"))
    result = fix("FROM alpine\nFOO bar\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nFOO bar\nRUN echo hello\n"
    assert result.reverted == []


def test_a_file_that_does_not_parse_is_not_fixed(rules):
    rules(replacing("DH001", "echo hi", "echo hello"))
    result = fix("FROM alpine\nENV A\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nENV A\nRUN echo hi\n"
    assert result.passes == 0
    assert codes(result.remaining) == ["DH001"]


# -- termination -----------------------------------------------------------------


def test_a_toggling_rule_stops_at_the_cycle(rules):
    rules(replacing("DH001", "ping", "pong"), replacing("DH002", "pong", "ping"))
    result = fix("FROM alpine\nRUN echo ping\n")
    assert result.source.text == "FROM alpine\nRUN echo pong\n"
    assert result.passes == 2
    assert codes(result.applied) == ["DH001"]
    assert codes(result.remaining) == ["DH002"]


def test_a_cycle_that_does_not_return_to_the_original_stops_too(rules):
    rules(replacing("DH001", "one", "two"), replacing("DH002", "two", "three"), replacing("DH003", "three", "two"))
    result = fix("FROM alpine\nRUN echo one\n")
    assert result.source.text == "FROM alpine\nRUN echo three\n"
    assert result.passes == 3
    assert codes(result.applied) == ["DH001", "DH002"]


def test_an_edit_that_changes_nothing_is_not_repeated(rules):
    rules(replacing("DH001", "alpine", "alpine"))
    result = fix("FROM alpine\n")
    assert result.source.text == "FROM alpine\n"
    assert result.passes == 1
    assert not result.changed


def counting_rule(text):
    n = len(re.findall(r"^RUN ", text, re.M))
    return [] if n >= 15 else [finding("DH001", (len(text), len(text), f"RUN echo {n}\n"))]


def test_the_loop_stops_after_max_passes(rules):
    assert fixer.MAX_PASSES == 10
    rules(counting_rule)
    result = fix("FROM alpine\n")
    assert result.source.text == "FROM alpine\n" + "".join(f"RUN echo {n}\n" for n in range(10))
    assert result.passes == 10
    assert len(result.applied) == 10
    assert [f.fix.edits[0].content for f in result.remaining] == ["RUN echo 10\n"]


# -- applicability ----------------------------------------------------------------


def test_safe_fixes_apply_by_default(rules):
    rules(replacing("DH001", "hi", "bye"))
    assert fix("FROM alpine\nRUN echo hi\n").source.text == "FROM alpine\nRUN echo bye\n"


def test_unsafe_fixes_wait_for_unsafe(rules):
    rules(replacing("DH001", "hi", "bye", UNSAFE))
    result = fix("FROM alpine\nRUN echo hi\n")
    assert result.source.text == "FROM alpine\nRUN echo hi\n"
    assert result.passes == 0
    assert codes(result.remaining) == ["DH001"]
    assert fix("FROM alpine\nRUN echo hi\n", unsafe=True).source.text == "FROM alpine\nRUN echo bye\n"


def test_unsafe_comes_from_the_config_unless_given(rules):
    rules(replacing("DH001", "hi", "bye", UNSAFE))
    text = "FROM alpine\nRUN echo hi\n"
    config = Config(unsafe_fixes=True)
    assert fix(text, config=config).source.text == "FROM alpine\nRUN echo bye\n"
    assert fix(text, config=config, unsafe=False).source.text == text


@pytest.mark.parametrize("unsafe", [False, True])
def test_display_only_fixes_never_apply(rules, unsafe):
    rules(replacing("DH001", "hi", "bye", DISPLAY))
    result = fix("FROM alpine\nRUN echo hi\n", unsafe=unsafe)
    assert result.source.text == "FROM alpine\nRUN echo hi\n"
    assert codes(result.remaining) == ["DH001"]


def test_findings_without_edits_are_not_fixes(rules):
    rules(lambda text: [finding("DH001"), Finding("DH002", "rule-DH002", Severity.WARNING, "no fix", 0, 4)])
    result = fix("FROM alpine\n")
    assert result.passes == 0
    assert codes(result.remaining) == ["DH001", "DH002"]


# -- bytes ------------------------------------------------------------------------

ORIGINAL = (
    b"\xef\xbb\xbf# syntax=docker/dockerfile:1\r\n"
    b"FROM alpine  \r\n"
    b"# keep me \t\r\n"
    b"RUN <<EOF\r\n"
    b"echo 'h\xc3\xa9llo'   \r\n"
    b"  indented \t\r\n"
    b"EOF\r\n"
    b"RUN echo old \\\r\n"
    b"    && true   \r\n"
)
FIXED = ORIGINAL.replace(b"echo old", b"echo new")


def test_bytes_outside_the_edits_survive(rules):
    rules(replacing("DH001", "echo old", "echo new"))
    source = SourceFile.from_bytes(ORIGINAL, "Dockerfile")
    result = fixer.fix_source(source)
    assert result.source.to_bytes() == FIXED
    assert result.source.bom and result.source.path == "Dockerfile"


def test_bytes_without_a_fix_survive(rules):
    rules()
    result = fixer.fix_source(SourceFile.from_bytes(ORIGINAL))
    assert result.source.to_bytes() == ORIGINAL


def test_fix_command_round_trips_the_file(rules, tmp_path, capsys):
    rules(replacing("DH001", "echo old", "echo new"))
    path = tmp_path / "Dockerfile"
    path.write_bytes(ORIGINAL)
    assert main(["fix", str(path)]) == 0
    assert path.read_bytes() == FIXED
    assert "fixed DH001" in capsys.readouterr().err


def test_fix_command_on_stdin_writes_the_fixed_bytes(rules, monkeypatch, capsysbinary):
    rules(replacing("DH001", "echo old", "echo new"))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(ORIGINAL)))
    assert main(["fix", "-"]) == 0
    assert capsysbinary.readouterr().out == FIXED
