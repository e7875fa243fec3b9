import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The corpus: $DHARD_CORPUS, else ../shared/corpus beside the repository (as on CI).
CORPUS = Path(os.environ.get("DHARD_CORPUS") or ROOT.parent / "shared" / "corpus").resolve()
REAL = CORPUS / "real"
BUILDKIT = CORPUS / "buildkit-parser"
HAVE_CORPUS = REAL.is_dir() and BUILDKIT.is_dir()
# Set by .ci/run: a missing corpus fails the corpus tests instead of skipping them.
REQUIRE_CORPUS = os.environ.get("DHARD_REQUIRE_CORPUS", "") not in ("", "0")
MISSING_CORPUS = (
    f"corpus tests skipped: no corpus at {CORPUS}; get it with "
    "`python scripts/get_corpus.py DIR` (outside the repository), then run with DHARD_CORPUS=DIR"
)
# Without the corpus, the parametrize lists hold this one stand-in, so each corpus
# test is collected once and skipped (or failed) by ``corpus_available`` before
# it reads anything.
MISSING = CORPUS / "corpus-missing"


def real_files() -> list[Path]:
    if not HAVE_CORPUS:
        return [MISSING]
    return sorted(p for p in REAL.glob("*") if p.name != "MANIFEST.tsv" and p.is_file())


def buildkit_cases() -> list[Path]:
    if not HAVE_CORPUS:
        return []
    return sorted(p for p in BUILDKIT.iterdir() if (p / "Dockerfile").is_file())


def corpus_files() -> list[Path]:
    return real_files() + [case / "Dockerfile" for case in buildkit_cases()]


def corpus_id(path: Path) -> str:
    return path.parent.name if path.name == "Dockerfile" else path.name


@pytest.fixture(scope="session")
def corpus_available():
    """Every test that reads the corpus asks for this: skipped without it, failed if it is required."""
    if not HAVE_CORPUS:
        if REQUIRE_CORPUS:
            pytest.fail(f"DHARD_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}", pytrace=False)
        pytest.skip(MISSING_CORPUS)
    return True


def _empty_for_want_of_corpus(mark) -> bool:
    return mark.name == "skip" and str(mark.kwargs.get("reason", "")).startswith("got empty parameter set")


def pytest_collection_modifyitems(items):
    """A parametrize list built from the corpus at import time is empty without it (e.g. BuildKit's
    negative cases): such a test gets the corpus skip, or fails when the corpus is required."""
    if HAVE_CORPUS:
        return
    for item in items:
        if any(_empty_for_want_of_corpus(m) for m in item.own_markers):
            item.own_markers = [m for m in item.own_markers if not _empty_for_want_of_corpus(m)]
            if REQUIRE_CORPUS:
                item.stash[_NEEDS_CORPUS] = True
            else:
                item.add_marker(pytest.mark.skip(reason=MISSING_CORPUS))


_NEEDS_CORPUS = pytest.StashKey[bool]()


def pytest_runtest_setup(item):
    if item.stash.get(_NEEDS_CORPUS, False):
        pytest.fail(f"DHARD_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    if not HAVE_CORPUS:
        terminalreporter.write_line(f"dhard: {MISSING_CORPUS}" if not REQUIRE_CORPUS else
                                    f"dhard: DHARD_REQUIRE_CORPUS is set but there is no corpus at {CORPUS}")


def run_dhard(*args: str, input: bytes | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hardener", *args],
        input=input,
        capture_output=True,
        cwd=cwd,
        timeout=120,
    )


def added_text(before: str, after: str) -> str:
    """The lines the rewrite wrote (inserted or changed), joined."""
    import difflib

    a, b = before.splitlines(), after.splitlines()
    out = []
    for op, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("insert", "replace"):
            out.extend(b[j1:j2])
    return "\n".join(out)
