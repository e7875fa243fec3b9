import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DHARD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
REAL = CORPUS / "real"
BUILDKIT = CORPUS / "buildkit-parser"


def real_files() -> list[Path]:
    return sorted(p for p in REAL.glob("*") if p.name != "MANIFEST.tsv" and p.is_file())


def buildkit_cases() -> list[Path]:
    return sorted(p for p in BUILDKIT.iterdir() if (p / "Dockerfile").is_file())


def corpus_files() -> list[Path]:
    return real_files() + [case / "Dockerfile" for case in buildkit_cases()]


def corpus_id(path: Path) -> str:
    return path.parent.name if path.name == "Dockerfile" else path.name


@pytest.fixture(scope="session")
def corpus_available():
    if not REAL.is_dir():
        pytest.fail(f"the shared corpus is missing at {CORPUS}; run the tests with ../shared beside the repo")
    return True


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
