"""A new user's first run: clone the project alone, run the README's test command, get a green run.

The clone is ``git clone --no-hardlinks`` of this repository into
``<tmp>/alone/dhard``, where no ``../shared`` exists, and ``DHARD_CORPUS`` /
``DHARD_REQUIRE_CORPUS`` are unset: the corpus tests must be reported as skipped
with the one line saying where the corpus is expected and how to get it, and
every other test must pass.

Compromises, to keep this bounded and non-recursive:

- The uncommitted changes of the working tree (``git status``: modified,
  deleted and untracked files) are copied over the clone of HEAD, so the test
  checks what would be committed now; on a clean tree the clone is exactly HEAD.
- The README's command is run as written (a fresh venv and ``pip install -e
  '.[test]'``, which resolves from the machine's configured package indexes),
  but with ``PYTEST_ADDOPTS="--ignore=tests/test_e2e.py
  --ignore=tests/test_e2e_targets.py --ignore=tests/test_fresh_clone.py -p
  no:cacheprovider"``: the clone's run neither builds images nor clones itself
  again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT


def readme_test_command() -> str:
    """The README's second command, the one that installs the test dependencies and runs the tests."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("python3 -m venv .venv") and "pytest" in line:
            return line.strip()
    raise AssertionError("README.md no longer has the `python3 -m venv .venv && ... pytest` command")


def overlay_working_tree(clone: Path) -> None:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain=v1", "-z", "--untracked-files=all"],
        capture_output=True, check=True,
    ).stdout.decode()
    fields = out.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        paths = [path]
        if status[0] in "RC":  # a rename or copy in the index: the next field is where it came from
            paths.append(fields[i])
            i += 1
        for rel in paths:
            src, dst = ROOT / rel, clone / rel
            if src.is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
            elif not src.exists() and (dst.is_file() or dst.is_symlink()):
                dst.unlink()


def _failure_report(proc: subprocess.CompletedProcess) -> str:
    """pytest's own report (stdout) ends the message: pip's warnings on stderr about configured package
    indexes that lack a project once filled the whole tail and hid which test failed."""
    stderr = [line for line in proc.stderr.splitlines() if "WARNING: Location" not in line]
    return "\n".join(stderr)[-2000:] + "\n--- pytest ---\n" + proc.stdout[-8000:]


def test_fresh_clone_passes_with_the_corpus_tests_skipped(tmp_path):
    clone = tmp_path / "alone" / "dhard"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=120)
    overlay_working_tree(clone)
    assert not (clone.parent / "shared").exists()

    env = {k: v for k, v in os.environ.items() if k not in ("DHARD_CORPUS", "DHARD_REQUIRE_CORPUS", "DHARD_SHARED",
                                                            "VIRTUAL_ENV", "PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTEST_ADDOPTS"] = ("--ignore=tests/test_e2e.py --ignore=tests/test_e2e_targets.py "
                             "--ignore=tests/test_fresh_clone.py -p no:cacheprovider")
    proc = subprocess.run(
        readme_test_command(), shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1500
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, _failure_report(proc)
    expected = (clone.parent / "shared" / "corpus").resolve()
    line = (
        f"dhard: corpus tests skipped: no corpus at {expected}; get it with "
        "`python scripts/get_corpus.py DIR` (outside the repository), then run with DHARD_CORPUS=DIR"
    )
    assert line in output.splitlines(), output[-3000:]
    summary = re.search(r"(\d+) passed.*?(\d+) skipped", output)
    assert summary and int(summary.group(1)) > 0 and int(summary.group(2)) > 0, output[-3000:]
