"""New build-context files a rewrite copies (nginx's adapted configuration): shown, written, staged for --verify."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hardener.rewrite.verify import staged_files

# the input of fixtures/rewrite/nginx-static-site too
SITE = Path(__file__).resolve().parent.parent / "e2e" / "apps" / "static-site"
WRITTEN = "dhard-nginx/conf.d/default.conf"


def _dhard(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hardener", "harden", "--target", "chainguard", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(SITE / "context", tmp_path / "site")
    shutil.copy(SITE / "Dockerfile", tmp_path / "site" / "Dockerfile")
    return tmp_path / "site"


def test_the_diff_shows_the_new_files(site):
    done = _dhard("Dockerfile", cwd=site)
    assert done.returncode == 0, done.stderr
    assert f"--- /dev/null\n+++ b/{WRITTEN}\n" in done.stdout
    assert "+    listen       8080;" in done.stdout
    assert not (site / "dhard-nginx").exists(), "a diff writes nothing"


def test_write_writes_them_once(site):
    first = _dhard("--write", "Dockerfile", cwd=site)
    assert first.returncode == 0, first.stderr
    assert f"{WRITTEN}: written" in first.stderr
    assert "COPY dhard-nginx/ /etc/nginx/" in (site / "Dockerfile").read_text()
    written = site / WRITTEN
    assert "listen       8080;" in written.read_text()
    assert written.stat().st_mode & 0o044, "nginx in the image must be able to read it"
    before = written.stat().st_mtime_ns
    shutil.copy(SITE / "Dockerfile", site / "Dockerfile")
    again = _dhard("--write", "Dockerfile", cwd=site)
    assert again.returncode == 0 and f"{WRITTEN}: written" not in again.stderr, again.stderr
    assert written.stat().st_mtime_ns == before


def test_stdout_says_which_files_it_did_not_write(site):
    done = _dhard("--stdout", "Dockerfile", cwd=site)
    assert "COPY dhard-nginx/ /etc/nginx/" in done.stdout
    assert "which --stdout does not write" in done.stderr and WRITTEN in done.stderr
    assert not (site / "dhard-nginx").exists()


def test_staged_files_are_put_back_as_they_were(tmp_path):
    (tmp_path / "kept.conf").write_bytes(b"old\r\n")
    with staged_files(tmp_path, [("kept.conf", "new\n"), ("deep/er/new.conf", "x\n")]):
        assert (tmp_path / "kept.conf").read_text() == "new\n"
        assert (tmp_path / "deep" / "er" / "new.conf").read_text() == "x\n"
    assert (tmp_path / "kept.conf").read_bytes() == b"old\r\n"
    assert not (tmp_path / "deep").exists()


def test_staged_files_are_put_back_when_the_build_fails(tmp_path):
    with pytest.raises(RuntimeError), staged_files(tmp_path, [("a/b.conf", "x\n")]):
        raise RuntimeError("build failed")
    assert os.listdir(tmp_path) == []


def test_staged_files_stay_inside_the_context(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    context = tmp_path / "context"
    context.mkdir()
    (context / "link").symlink_to(outside)
    with pytest.raises(ValueError), staged_files(context, [("link/evil.conf", "x\n")]):
        pass
    assert os.listdir(outside) == []
