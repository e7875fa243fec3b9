"""`dhard check --context DIR` and `dhard fix --context DIR`: the build context the rules read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardener.cli import main
from hardener.cli.check import PARALLEL_MIN_FILES

DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n'
NOT_THE_CONTEXT = "does not hold app.py, so it is not the build context"


def _app(tmp_path: Path, dockerfiles: int = 1) -> tuple[Path, list[Path]]:
    """A Python app whose sources are in app/, and Dockerfiles kept elsewhere (docker/, docker2/, ...)."""
    app = tmp_path / "app"
    app.mkdir(parents=True)
    (app / "app.py").write_text("import sqlite3\ndb = sqlite3.connect('/app/data/app.db')\n")
    files = []
    for n in range(dockerfiles):
        folder = tmp_path / ("docker" if n == 0 else f"docker{n + 1}")
        folder.mkdir()
        (folder / "Dockerfile").write_text(DOCKERFILE)
        files.append(folder / "Dockerfile")
    return app, files


def _dhard(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hardener", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin, timeout=120)


def test_check_reads_the_sources_in_the_context_given(tmp_path):
    app, [dockerfile] = _app(tmp_path)
    without = _dhard("check", "--select", "DH101", str(dockerfile))
    assert NOT_THE_CONTEXT in without.stdout and "[*unsafe]" not in without.stdout
    given = _dhard("check", "--select", "DH101", "--context", str(app), str(dockerfile))
    assert given.returncode == 1
    assert NOT_THE_CONTEXT not in given.stdout and "[*unsafe]" in given.stdout
    assert "the folders the app writes to: /app/data" in given.stdout


def test_fix_applies_the_user_fix_with_the_writes_it_knows(tmp_path):
    app, [dockerfile] = _app(tmp_path)
    done = _dhard("fix", "--unsafe-fixes", "--select", "DH101", "--context", str(app), str(dockerfile))
    assert "fixed DH101" in done.stderr, done.stderr
    text = dockerfile.read_text()
    assert "RUN mkdir -p /app/data && chown app /app/data" in text and "\nUSER app\n" in text
    _other_app, [other] = _app(tmp_path / "second")
    held_back = _dhard("fix", "--unsafe-fixes", "--select", "DH101", str(other))
    assert NOT_THE_CONTEXT in held_back.stderr
    assert other.read_text() == DOCKERFILE


def test_one_context_for_every_file_given(tmp_path):
    app, files = _app(tmp_path, dockerfiles=2)
    out = _dhard("check", "--select", "DH101", "--context", str(app), *map(str, files)).stdout
    assert out.count("[*unsafe]") == 2 and NOT_THE_CONTEXT not in out


def test_a_relative_context_and_standard_input(tmp_path):
    app, [dockerfile] = _app(tmp_path)
    out = _dhard("check", "--select", "DH101", "--context", "app", "-", cwd=tmp_path, stdin=DOCKERFILE).stdout
    assert "[*unsafe]" in out
    out = _dhard("fix", "--unsafe-fixes", "--select", "DH101", "--context", "app", "-", cwd=tmp_path,
                 stdin=DOCKERFILE).stdout
    assert "\nUSER app\n" in out


def test_the_workers_of_a_large_batch_get_the_context(tmp_path):
    app, files = _app(tmp_path, dockerfiles=PARALLEL_MIN_FILES)
    out = _dhard("check", "--select", "DH101", "--context", str(app), *map(str, files)).stdout
    assert out.count("[*unsafe]") == PARALLEL_MIN_FILES


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_context_that_is_not_a_directory_is_one_line_and_exit_2(tmp_path, command):
    app, [dockerfile] = _app(tmp_path)
    for bad in (tmp_path / "missing", app / "app.py"):
        done = _dhard(command, "--context", str(bad), str(dockerfile))
        assert done.returncode == 2
        assert done.stderr == f"dhard: error: --context {bad}: not a directory\n"
        assert done.stdout == ""
    assert dockerfile.read_text() == DOCKERFILE


def test_fix_verify_builds_with_the_context_given(tmp_path, monkeypatch, capsys):
    from hardener.rewrite import verify as verify_module

    app, [dockerfile] = _app(tmp_path)
    seen = {}

    class Report:
        same_behaviour = True
        surface, surface_error = None, "not measured"

        def render(self) -> str:
            return "verified"

        def problems(self) -> list[str]:
            return []

    def fake_verify(original, text, context, **options):
        seen.update(original=Path(original), context=Path(context), text=text)
        return Report()

    monkeypatch.setattr(verify_module, "verify", fake_verify)
    monkeypatch.setattr(verify_module, "default_engine", lambda: "podman")
    code = main(["fix", "--verify", "--select", "DH101", "--context", str(app), str(dockerfile)])
    capsys.readouterr()
    assert code == 0
    assert seen["context"] == app and seen["original"] == dockerfile
    assert "USER app" in seen["text"] and "USER app" in dockerfile.read_text()
    seen.clear()
    dockerfile.write_text(DOCKERFILE)
    main(["fix", "--verify", "--select", "DH101", str(dockerfile)])
    capsys.readouterr()
    assert seen["context"] == dockerfile.parent
