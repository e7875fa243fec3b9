"""Every in-scope hadolint finding on the corpus is matched by dhard, or its divergence is explained."""

import pytest

from conftest import real_files
from differential import OUT_OF_THEME, THEMES, compare, load_divergences, run_hadolint, unaccounted_codes


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
