"""The pre-commit hooks, run by the real pre-commit against a copy of this checkout.

pre-commit installs a hook repository from a git repository at a revision, so
the test copies the project's files (tracked and untracked, as the working tree
has them now) into a temporary repository, commits them, and points a
``.pre-commit-config.yaml`` at that path and commit. pre-commit then builds its
own virtualenv and pip-installs the project from it, exactly as a user's
machine would: this also proves the built package carries what the hooks need.
The first install downloads the dependencies; PRE_COMMIT_HOME is shared by
the tests in this module so it happens once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIGEST = "sha256:" + "ef" * 32
NODE_PIN = f"node:22.11.0-bookworm-slim@{DIGEST}"
UBUNTU_PIN = f"ubuntu:24.04@{DIGEST}"

# Only the image rules, with pins and unsafe fixes on: the fixed bytes are then
# known exactly, whatever other rules land meanwhile.
CONFIG = f"""\
select: [DH4]
unsafe-fixes: true
pins:
  node:latest: {NODE_PIN}
  ubuntu: {UBUNTU_PIN}
"""
LF_BEFORE = b"# the app\nFROM node:latest\nCMD [\"node\", \"app.js\"]\n"
LF_AFTER = f"# the app\nFROM {NODE_PIN}\nCMD [\"node\", \"app.js\"]\n".encode()
CRLF_BEFORE = b"FROM ubuntu\r\nRUN true\r\n"
CRLF_AFTER = f"FROM {UBUNTU_PIN}\r\nRUN true\r\n".encode()


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        ["git", "-c", "user.name=dhard tests", "-c", "user.email=tests@dhard.invalid", "-c", "commit.gpgsign=false",
         "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()


def _project_files() -> list[str]:
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    out = []
    for rel in listed.split("\0"):
        if not rel or rel.split("/", 1)[0] in (".git", ".venv", "venv"):
            continue
        if (ROOT / rel).is_file():  # deleted in the working tree: not part of it
            out.append(rel)
    return out


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[str, str]:
    """(path, rev) of a git repository holding the working tree of this checkout."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for rel in _project_files():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot of the working tree")
    return str(repo), _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(path: Path, hook_repo: tuple[str, str], hooks: str) -> Path:
    repo, rev = hook_repo
    path.mkdir(parents=True, exist_ok=True)
    (path / ".pre-commit-config.yaml").write_text(f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n{hooks}", encoding="utf-8")
    (path / ".dhard.yaml").write_text(CONFIG, encoding="utf-8")
    (path / "Dockerfile").write_bytes(LF_BEFORE)
    (path / "services" / "api").mkdir(parents=True)
    (path / "services" / "api" / "Dockerfile").write_bytes(CRLF_BEFORE)
    (path / "README.md").write_text("FROM node:latest is not a Dockerfile here\n", encoding="utf-8")
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "initial")
    return path


def _run(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--show-diff-on-failure", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200,
    )


BOTH = "      - id: dhard-fix\n      - id: dhard\n"


def test_check_hook_fails_with_findings(tmp_path, hook_repo, pre_commit_home):
    project = _project(tmp_path / "project", hook_repo, BOTH)
    result = _run(project, pre_commit_home, "dhard")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    assert "Dockerfile:2:6: DH402" in output  # the LF file: node:latest
    assert "services/api/Dockerfile:1:6: DH401" in output  # the CRLF file: ubuntu, untagged
    assert "README.md" not in output
    # the check hook writes nothing
    assert (project / "Dockerfile").read_bytes() == LF_BEFORE
    assert (project / "services" / "api" / "Dockerfile").read_bytes() == CRLF_BEFORE


def test_fix_hook_rewrites_then_passes(tmp_path, hook_repo, pre_commit_home):
    project = _project(tmp_path / "project", hook_repo, BOTH)
    first = _run(project, pre_commit_home, "dhard-fix")
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    assert "files were modified by this hook" in output
    assert (project / "Dockerfile").read_bytes() == LF_AFTER
    assert (project / "services" / "api" / "Dockerfile").read_bytes() == CRLF_AFTER  # CRLF kept, byte for byte
    second = _run(project, pre_commit_home, "dhard-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (project / "Dockerfile").read_bytes() == LF_AFTER
    # and with the fixes in, the whole configuration passes
    both = _run(project, pre_commit_home)
    assert both.returncode == 0, both.stdout + both.stderr
    assert "dhard fix" in both.stdout and "Passed" in both.stdout


def test_files_override_for_other_names(tmp_path, hook_repo, pre_commit_home):
    """The docs' advice for names the `dockerfile` type does not know (e.g. lower-case *.dockerfile)."""
    hooks = (
        "      - id: dhard\n"
        "        types: [text]\n"
        "        files: '(^|/)([^/]*\\.dockerfile|Dockerfile(\\.[^/]*)?)$'\n"
    )
    project = _project(tmp_path / "project", hook_repo, hooks)
    (project / "ci").mkdir()
    (project / "ci" / "build.dockerfile").write_bytes(b"FROM node:latest\n")
    _git(project, "add", "-A")
    result = _run(project, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ci/build.dockerfile:1:6: DH402" in output
    assert "README.md" not in output


def test_wheel_carries_the_package_data(tmp_path, hook_repo):
    """What the installed hooks and server read at run time must be in the wheel pip builds."""
    subprocess.run(  # built from the copy, so no build/ or egg-info lands in the checkout
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), hook_repo[0]],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = tmp_path.glob("dhard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("hardener/catalogue_data.py", "hardener/data/images.yaml", "hardener/lsp/server.py", "hardener/cli/lsp_cmd.py"):
        assert required in names, f"{required} is missing from the wheel"
