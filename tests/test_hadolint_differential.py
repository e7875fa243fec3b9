"""Every in-scope hadolint finding on the corpus is matched by dhard, or its divergence is explained."""

import pytest

from conftest import real_files
from differential import compare, load_divergences


@pytest.fixture(scope="module")
def comparison(corpus_available):
    return compare(real_files())


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
