"""Reading a build context cannot be abused: no symlink is followed out of it,
``.dockerignore`` is respected, the files looked at and read are capped, and nothing in
it is ever run (``dhard harden`` without ``--verify``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hardener.analysis import context as context_module
from hardener.analysis.context import FileTooLarge, read_context_file, shipped_files
from hardener.analysis.python_sources.parsing import read_module

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "python-app"


@pytest.fixture
def outside(tmp_path) -> Path:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.py").write_text("import os\nopen('/tmp/x', 'w')\nTOKEN = 'hunter2'\n")
    (secret / "sub").mkdir()
    (secret / "sub" / "deep.txt").write_text("deep\n")
    return secret


@pytest.fixture
def ctx(tmp_path, outside) -> Path:
    root = tmp_path / "ctx"
    root.mkdir()
    (root / "app.py").write_text("print('hi')\n")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "dotdot").symlink_to("../outside")
    (root / "inner").mkdir()
    (root / "inner" / "ok.py").write_text("x = 1\n")
    (root / "inside.py").symlink_to("inner/ok.py")
    return root


def test_symlinked_directories_out_of_the_context_are_not_walked(ctx):
    everything = shipped_files(ctx, ["."])
    assert "linkdir" in everything and "dotdot" in everything  # the links themselves, as BuildKit copies them
    assert not any(p.startswith(("linkdir/", "dotdot/")) for p in everything)
    for source in ["linkdir/", "linkdir/sub", "linkdir/*", "linkdir/sub/*", "dotdot/secret.py", "*/sub/deep.txt",
                   "../outside/secret.py", "/../outside"]:
        assert not any("secret" in p or "deep" in p for p in shipped_files(ctx, [source])), source


def test_files_are_never_read_through_a_symlink_out(ctx):
    with pytest.raises(OSError, match="out of the build context"):
        read_context_file(ctx, "link.py", 1 << 20)
    with pytest.raises(OSError, match="out of the build context"):
        read_context_file(ctx, "linkdir/secret.py", 1 << 20)
    with pytest.raises(OSError, match="out of the build context"):
        read_context_file(ctx, "../outside/secret.py", 1 << 20)
    assert read_context_file(ctx, "inside.py", 1 << 20) == b"x = 1\n"  # a link that stays inside is fine
    module, problem = read_module(ctx, "link.py")
    assert module is None and "out of the build context" in problem[1]


def test_the_rewriter_reads_no_file_out_of_the_context(ctx, outside):
    from hardener.rewrite.plan import _in_context

    assert not _in_context(ctx, ctx / "link.py")
    assert not _in_context(ctx, ctx / ".." / "outside" / "secret.py")
    assert _in_context(ctx, ctx / "inside.py") and _in_context(ctx, ctx / "app.py")


def test_dockerignore_is_respected(tmp_path):
    root = tmp_path / "ctx"
    (root / "secrets").mkdir(parents=True)
    (root / "secrets" / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    (root / "secrets" / "public.pem").write_text("public\n")
    (root / ".env").write_text("TOKEN=1\n")
    (root / "app.py").write_text("print(1)\n")
    (root / ".dockerignore").write_text("secrets\n!secrets/public.pem\n.env\n**/*.pyc\n")
    (root / "cache.pyc").write_bytes(b"\0")
    assert shipped_files(root, ["."]) == [".dockerignore", "app.py", "secrets/public.pem"]
    assert shipped_files(root, ["."], dockerignore=False) == [".dockerignore", ".env", "app.py", "cache.pyc",
                                                              "secrets/key.pem", "secrets/public.pem"]


def test_a_hostile_dockerignore_is_bounded(tmp_path):
    root = tmp_path / "ctx"
    root.mkdir()
    (root / ("a" * 200)).write_text("x\n")
    (root / ".dockerignore").write_text("\n".join(["**/a**a**a**a**a**a**a**a**b"] * 50 + ["*" * 5000]) + "\n")
    proc = subprocess.run(
        [sys.executable, "-c", f"from hardener.analysis.context import shipped_files; print(shipped_files({str(root)!r}, ['.']))"],
        capture_output=True, text=True, timeout=30, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_a_huge_dockerignore_is_not_read(tmp_path):
    root = tmp_path / "ctx"
    root.mkdir()
    (root / "app.py").write_text("x\n")
    (root / ".dockerignore").write_bytes(b"app.py\n" + b"#" * (context_module.MAX_IGNORE_BYTES + 1))
    assert shipped_files(root, ["."]) == [".dockerignore", "app.py"]  # unread: nothing ignored


def test_the_number_of_entries_looked_at_is_capped(tmp_path, monkeypatch):
    root = tmp_path / "ctx"
    for d in range(20):
        (root / f"d{d}").mkdir(parents=True)
        for f in range(50):
            (root / f"d{d}" / f"f{f}.py").write_text("")
    assert len(shipped_files(root, ["."])) == 1000
    monkeypatch.setattr(context_module, "MAX_ENTRIES", 300)
    assert len(shipped_files(root, ["."])) <= 300
    assert len(shipped_files(root, ["d*/f*.py"])) <= 300


def test_the_size_of_files_read_is_capped(tmp_path):
    (tmp_path / "big.py").write_bytes(b"x = 1\n" * 1000)
    with pytest.raises(FileTooLarge):
        read_context_file(tmp_path, "big.py", 100)
    assert len(read_context_file(tmp_path, "big.py", 6000)) == 6000
    assert read_module(tmp_path, "big.py")[1] is None  # under the analyser's own cap: read, no problem


def test_fifos_and_devices_are_not_read(tmp_path):
    os.mkfifo(tmp_path / "app.py")
    with pytest.raises(OSError, match="not a regular file"):
        read_context_file(tmp_path, "app.py", 1 << 20)
    module, problem = read_module(tmp_path, "app.py")
    assert module is None and "not a regular file" in problem[1]


def _context_with_traps(tmp_path) -> tuple[Path, Path]:
    """The example app, plus files that would leave a marker if anything ran them."""
    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root)
    marker = tmp_path / "RAN"
    trap = f"open({str(marker)!r}, 'w').write('ran')\n"
    (root / "app.py").write_text(trap + (EXAMPLE / "app.py").read_text())
    (root / "setup.py").write_text(trap + "from setuptools import setup\nsetup(name='x')\n")
    (root / "conftest.py").write_text(trap)
    (root / "sitecustomize.py").write_text(trap)
    (root / "package.json").write_text('{"scripts": {"preinstall": "touch %s", "start": "touch %s"}}' % (marker, marker))
    (root / "Makefile").write_text(f"all:\n\ttouch {marker}\n")
    (root / "entrypoint.sh").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (root / "entrypoint.sh").chmod(0o755)
    os.mkfifo(root / "requirements.in")  # a FIFO in the context must not hang the reader
    return root, marker


def test_harden_runs_nothing_from_the_context(tmp_path):
    root, marker = _context_with_traps(tmp_path)
    script = (
        "import os, subprocess, sys\n"
        "def refuse(*a, **k): raise AssertionError('ran a process: %r' % (a,))\n"
        "subprocess.Popen = refuse; os.system = refuse; os.execv = os.execve = os.execvp = refuse\n"
        "os.posix_spawn = os.posix_spawnp = os.fork = refuse\n"
        "from hardener.cli import main\n"
        f"sys.exit(main(['harden', {str(root / 'Dockerfile')!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "ran a process" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "FROM" in proc.stdout, proc.stderr  # it did rewrite
    assert not marker.exists()


def test_a_folder_that_becomes_a_link_between_scans_is_seen(tmp_path):
    """The folders a scan resolves are kept for that scan only: a later read sees the link."""
    from hardener.analysis.context import read_context_file

    context, outside = tmp_path / "context", tmp_path / "outside"
    (context / "data").mkdir(parents=True)
    outside.mkdir()
    (context / "data" / "a.py").write_text("inside\n")
    (outside / "a.py").write_text("secret\n")
    folders: dict = {}
    assert read_context_file(context, "data/a.py", 100, folders) == b"inside\n"
    (context / "data" / "a.py").unlink()
    (context / "data").rmdir()
    (context / "data").symlink_to(outside)
    with pytest.raises(OSError):
        read_context_file(context, "data/a.py", 100)  # a new scan
    with pytest.raises(OSError):
        read_context_file(context, "link-free/../data/a.py", 100)
