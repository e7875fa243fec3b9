"""The console command imports dhard's modules from one byte-code bundle (hardener/cli/bundle.py).

Each test runs ``dhard`` on a copy of the package, so the bundle it writes is the copy's own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import real_files

from hardener.cli import bundle as bundle_module

PACKAGE = Path(__file__).resolve().parents[1] / "hardener"
DOCKERFILE = "FROM python:latest\nRUN apt-get update && apt-get install -y curl\nCMD python app.py\n"
BUNDLE = Path(bundle_module.PATH).relative_to(PACKAGE.parent)
# prints how dhard's modules were loaded, after the command (console() runs atexit handlers before it exits)
DRIVER = """
import atexit, sys
before = set(sys.modules)  # what the interpreter's start (site, an editable install's finder) imported
from hardener.cli import console
def loaders():  # (no collections.Counter: the test below looks for collections among the imports)
    count = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("hardener"):
            kind = type(module.__loader__).__name__
            count[kind] = count.get(kind, 0) + 1
    return count
heavy = ("re", "enum", "fnmatch", "functools", "collections")
atexit.register(lambda: print("heavy:", [m for m in heavy if m in set(sys.modules) - before], file=sys.stderr))
atexit.register(lambda: print("loaders:", dict(loaders()), file=sys.stderr))
sys.argv = ["dhard", *sys.argv[1:]]
console()
"""


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "hardener", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "driver.py").write_text(DRIVER)
    return tmp_path


def _dhard(root: Path, *args: str, write_bytecode: bool = True) -> tuple[str, dict]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, str(root / "driver.py"), *args], capture_output=True, text=True,
                          env=env, cwd=root, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    loaders = eval(done.stderr.rsplit("loaders:", 1)[1].split("\n")[0])  # a dict literal the driver printed
    return done.stdout, loaders


def test_the_first_check_writes_the_bundle_and_the_next_imports_from_it(copy):
    first, loaders = _dhard(copy, "check", "Dockerfile")
    assert "Bundle" not in loaders and (copy / BUNDLE).is_file()
    again, loaders = _dhard(copy, "check", "Dockerfile")
    assert again == first and "DH101" in again
    assert loaders["Bundle"] > 40  # all but the few imported before the bundle is read
    assert loaders.get("SourceFileLoader", 0) <= 5


def test_a_warm_check_imports_neither_re_nor_what_it_brings(copy):
    """Run without site (-S): an editable install's finder imports re at the interpreter's start."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(copy)
    for _ in range(2):  # the first run compiles the patterns and writes them into the bundle
        done = subprocess.run([sys.executable, "-S", str(copy / "driver.py"), "check", "Dockerfile"], capture_output=True,
                              text=True, env=env, cwd=copy, timeout=120)
    assert "DH101" in done.stdout
    assert "heavy: []" in done.stderr, done.stderr


def test_an_edited_module_is_imported_from_its_source_and_the_bundle_renewed(copy):
    _dhard(copy, "check", "Dockerfile")
    rule = copy / "hardener" / "rules" / "dh402_latest_tag.py"
    rule.write_text(rule.read_text().replace('CODE = "DH402"', 'CODE = "DH402"\nEDITED = True'))
    stat = rule.stat()
    os.utime(rule, (stat.st_atime, stat.st_mtime + 5))  # a later second, as an editor's save would be
    before = (copy / BUNDLE).read_bytes()
    _out, loaders = _dhard(copy, "check", "Dockerfile", "--select", "DH402")
    assert loaders.get("SourceFileLoader", 0) >= 1
    assert (copy / BUNDLE).read_bytes() != before
    script = (f"import sys; sys.path.insert(0, {str(copy)!r}); from hardener.cli.bundle import Bundle; "
              "b = Bundle().install(); import hardener.rules.dh402_latest_tag as r; "
              "print(type(r.__loader__).__name__, r.EDITED)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=copy, env=env)
    assert shown.stdout.split() == ["Bundle", "True"], shown.stderr


def test_no_bundle_is_written_when_python_writes_no_byte_code(copy):
    _dhard(copy, "check", "Dockerfile", write_bytecode=False)
    assert not (copy / BUNDLE).exists()


@pytest.mark.parametrize("garbage", [b"", b"\x00not marshal", b"\xe3" + b"\x00" * 40])
def test_a_damaged_bundle_is_ignored_and_replaced(copy, garbage):
    first, _ = _dhard(copy, "check", "Dockerfile")
    (copy / BUNDLE).write_bytes(garbage)
    again, loaders = _dhard(copy, "check", "Dockerfile")
    assert again == first and "Bundle" not in loaders
    assert (copy / BUNDLE).read_bytes() != garbage


def test_a_bundle_it_cannot_write_is_no_error(copy):
    (copy / BUNDLE).mkdir(parents=True)  # where the file would go: os.replace cannot put it there
    out, loaders = _dhard(copy, "check", "Dockerfile")
    assert "DH101" in out and "Bundle" not in loaders
    assert (copy / BUNDLE).is_dir() and not list((copy / BUNDLE.parent).glob("*.tmp"))


def test_only_check_and_fix_write_it(copy):
    _dhard(copy, "rules")
    assert not (copy / BUNDLE).exists()
    _dhard(copy, "fix", "Dockerfile")
    assert (copy / BUNDLE).is_file()


def test_the_patterns_it_keeps_compile_to_what_re_compiles(copy, corpus_available):
    files = [str(p) for p in real_files()]
    _dhard(copy, "check", "--exit-zero", *files)
    first, _ = _dhard(copy, "check", "--exit-zero", *files[:40])
    _entries, patterns = bundle_module._read(str(copy / BUNDLE))
    assert len(patterns) > 50
    from hardener.syntax import lazyre

    saved = dict(lazyre.PRECOMPILED)
    lazyre.PRECOMPILED.update(patterns)
    try:
        for (pattern, flags), _args in patterns.items():
            made = lazyre.compile_pattern(pattern, flags)
            assert made == re.compile(pattern, flags) and made.groupindex == re.compile(pattern, flags).groupindex
    finally:
        lazyre.PRECOMPILED.clear()
        lazyre.PRECOMPILED.update(saved)
    again, _ = _dhard(copy, "check", "--exit-zero", *files[:40])
    assert again == first


def test_cached_arguments_this_interpreter_refuses_fall_back_to_re():
    from hardener.syntax import lazyre

    key = ("a(b)c", 0)
    lazyre.PRECOMPILED[key] = (0, ["not", "code"], 0, {}, (None,))
    try:
        assert lazyre.compile_pattern(*key) == re.compile(*key)
        assert key not in lazyre.PRECOMPILED
    finally:
        lazyre.PRECOMPILED.pop(key, None)
