"""Every in-scope hadolint finding on the corpus is matched by dhard, or its divergence is explained."""

import pytest

from conftest import real_files
from differential import (
    OUT_OF_THEME,
    THEMES,
    case_disagreements,
    compare,
    load_case_divergences,
    load_cases,
    load_divergences,
    run_cases,
    run_hadolint,
    unaccounted_codes,
)


@pytest.fixture(scope="module")
def hadolint_findings(corpus_available):
    return run_hadolint(real_files())


@pytest.fixture(scope="module")
def comparison(hadolint_findings):
    return compare(real_files(), hadolint_findings)


def test_every_hadolint_finding_is_matched_or_explained(comparison):
    matched, unmatched = comparison
    divergences = load_divergences()
    unexplained = [r for r in unmatched if (r["file"], r["line"], r["code"]) not in divergences]
    assert not unexplained, "\n".join(f"{r['file']}:{r['line']} {r['code']} -> {r['theme']}" for r in unexplained)
    assert matched, "the differential found nothing to compare"


def test_divergence_file_has_no_stale_entries(comparison):
    _matched, unmatched = comparison
    current = {(r["file"], r["line"], r["code"]) for r in unmatched}
    stale = [key for key in load_divergences() if key not in current]
    assert not stale, f"entries no longer divergent (remove them): {stale}"


def test_every_divergence_has_a_reason():
    for key, reason in load_divergences().items():
        assert reason and len(reason) > 15, f"{key}: give a real reason"


def test_every_hadolint_code_on_the_corpus_is_themed_or_out_of_theme(hadolint_findings):
    """A dropped alias (or a new hadolint rule) shows up here instead of silently leaving the comparison."""
    assert not set(THEMES) & set(OUT_OF_THEME), "a code is both a dhard alias and out of theme"
    unaccounted = unaccounted_codes(hadolint_findings)
    assert not unaccounted, f"give these a dhard alias (rules/DHnnn.yml) or an OUT_OF_THEME reason: {unaccounted}"
    assert all(len(reason) > 15 for reason in OUT_OF_THEME.values())


# -- small cases of our own, per alias ---------------------------------------------------------------


@pytest.fixture(scope="module")
def case_results(tmp_path_factory):
    return run_cases(load_cases(), tmp_path_factory.mktemp("hadolint-cases"))


def test_every_aliased_rule_has_cases():
    aliases = {case["alias"] for case in load_cases()}
    assert aliases == set(THEMES), f"missing: {sorted(set(THEMES) - aliases)}; not aliases: {sorted(aliases - set(THEMES))}"


def test_every_alias_has_catching_and_passing_cases(case_results):
    for alias in THEMES:
        verdicts = {r["hadolint"] for r in case_results if r["alias"] == alias}
        assert verdicts == {True, False}, f"{alias}: give cases hadolint both catches and passes"


def test_every_case_agrees_with_hadolint_or_is_explained(case_results):
    explained = load_case_divergences()
    unexplained = [key for key in case_disagreements(case_results) if key not in explained]
    assert not unexplained, "\n".join(f"{case}: {direction}" for case, direction in unexplained)


def test_case_divergences_are_current_and_reasoned(case_results):
    current = set(case_disagreements(case_results))
    for key, entry in load_case_divergences().items():
        assert key in current, f"case {key[0]} ({key[1]}) no longer diverges: remove it"
        assert entry["code"] == key[0].split("/")[0]
        assert len(entry.get("reason") or "") > 15, f"{key}: give a real reason"
