"""``dhard fix`` writes safely: under contention, when a write fails midway, and keeping
the file's mode, owner and symlinks."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hardener import source as source_module
from hardener.cli import main
from hardener.fixer import fix_source
from hardener.source import atomic_write
from hardener.parse import parse
from hardener.source import SourceFile, atomic_write

ROOT = Path(__file__).resolve().parent.parent

# several fixes, over more than one pass
TEXT = (
    "FROM alpine:3.19\n"
    "RUN apk add curl\n"
    "RUN apk add bash && \\\n    apk add git\n"
    "RUN apt-get install -y vim\n"
    "CMD [\"sh\"]\n"
)


def fixed(text: str) -> str:
    return fix_source(SourceFile.from_text(text)).source.text


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".dhard"))


def test_two_fix_processes_on_one_file_end_with_the_fully_fixed_file(tmp_path):
    want = fixed(TEXT)
    assert want != TEXT
    path = tmp_path / "Dockerfile"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(4):
        path.write_text(TEXT)
        procs = [
            subprocess.Popen([sys.executable, "-m", "hardener", "fix", "-q", str(path)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode in (0, 1), err
        assert path.read_text() == want
        assert parse(SourceFile.read(path)).error is None
        assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_write_that_fails_midway_leaves_the_original(tmp_path, monkeypatch, capsys, failing):
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)
    path.chmod(0o640)
    before = path.stat()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])
                boom()

            def __getattr__(self, name):
                return getattr(self.handle, name)

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, failing, boom)
    code = main(["fix", str(path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "No space left" in err
    assert path.read_text() == TEXT
    after = path.stat()
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o640)
    assert leftovers(tmp_path) == []


def test_an_interrupt_midway_leaves_the_original(tmp_path, monkeypatch):
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"FROM scratch\n")
    assert path.read_text() == TEXT and leftovers(tmp_path) == []


def test_mode_is_kept(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)
    path.chmod(0o751)
    assert main(["fix", "-q", str(path)]) in (0, 1)
    assert path.read_text() == fixed(TEXT)
    assert stat.S_IMODE(path.stat().st_mode) == 0o751


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path):
    """A file dhard creates (harden's new context files) is readable as any file the user makes: a COPY of a
    0600 file would leave it unreadable to the image's non-root user."""
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.conf", b"server {}\n")
        os.umask(0o027)
        atomic_write(tmp_path / "other.conf", b"server {}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.conf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "other.conf").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_owner_is_kept(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)
    os.chown(path, 1234, 5678)
    assert main(["fix", "-q", str(path)]) in (0, 1)
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (1234, 5678)
    assert path.read_text() == fixed(TEXT)


def test_own_file_of_a_non_root_user_stays_theirs(tmp_path, monkeypatch):
    """Without the right to chown, the write goes on: the new file is the caller's, as the old was."""
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)

    def refused(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(source_module, "_owner", lambda p: (-1, -1))  # as if the owners differed
    monkeypatch.setattr(os, "chown", refused)
    atomic_write(path, b"FROM scratch\n")
    assert path.read_bytes() == b"FROM scratch\n"


def test_a_symlink_is_kept_and_its_target_fixed(tmp_path):
    real = tmp_path / "docker" / "Dockerfile.prod"
    real.parent.mkdir()
    real.write_text(TEXT)
    link = tmp_path / "Dockerfile"
    link.symlink_to(Path("docker") / "Dockerfile.prod")
    assert main(["fix", "-q", str(link)]) in (0, 1)
    assert link.is_symlink()
    assert real.read_text() == fixed(TEXT)
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_bom_and_line_endings_survive_the_write(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode())
    assert main(["fix", "-q", str(path)]) in (0, 1)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"--no-cache" in data
    assert data.count(b"\n") == data.count(b"\r\n")
