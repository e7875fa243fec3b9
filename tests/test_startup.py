"""What the start-up shortcuts of `dhard check` must keep: the same output, exit code and exit handlers."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

from hardener import pragmas

EXIT = (
    "import atexit, sys\n"
    "from pathlib import Path\n"
    "marker = Path(sys.argv[1])\n"
    "atexit.register(lambda: marker.write_text('ran'))\n"
    "sys.argv = ['dhard', *sys.argv[2:]]\n"
    "from hardener.cli import console\n"
    "sys.exit(console())\n"
)


def _buffered() -> dict[str, str]:
    """The environment without PYTHONUNBUFFERED: output to a pipe is then held in a buffer until flushed."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_lint_leaves_pragmas_unread_only_when_read_pragmas_would_find_none():
    # lint._suppress does not import hardener.pragmas for a text without "ignore": read_pragmas' own first test
    source = inspect.getsource(pragmas.read_pragmas)
    assert 'if "ignore" not in text:\n        return []' in source


def test_the_quick_exit_flushes_the_output_and_runs_the_exit_handlers(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\n" + "RUN apt-get update && apt-get install -y curl\n" * 200)
    marker = tmp_path / "atexit"
    done = subprocess.run([sys.executable, "-c", EXIT, str(marker), "check", str(dockerfile)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=_buffered())
    assert done.returncode == 1
    assert done.stdout.count("DH301") == 200 and done.stdout.endswith("\n")
    assert "Found" in done.stderr
    assert marker.read_text() == "ran"


def test_a_closed_pipe_exits_as_it_always_did(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\n" + "RUN apt-get update && apt-get install -y curl\n" * 600)
    proc = subprocess.Popen([sys.executable, "-m", "hardener", "check", str(dockerfile)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_buffered())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0  # BrokenPipeError is caught by main()
    assert b"Traceback" not in err


def test_other_commands_exit_the_usual_way(tmp_path):
    marker = tmp_path / "atexit"
    done = subprocess.run([sys.executable, "-c", EXIT, str(marker), "rules"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, env=_buffered())
    assert done.returncode == 0 and "DH101" in done.stdout
    assert marker.read_text() == "ran"


# A check of a small file from a fresh interpreter without site (the editable install's finder imports
# pathlib before dhard runs): the build context is read too, as the USER fix asks where the app writes.
SMALL_CHECK = (
    "from hardener.cli import main\n"
    "main(['check', '--exit-zero', sys.argv[1]])\n"
    "from hardener.analysis import listen, path_expr, writes\n"
    "lazy = [listen._GO, path_expr._ASSIGN, *(p for ps in writes._PATTERNS.values() for p in ps)]\n"
    "import re\n"
    "print('compiled', sum(isinstance(p, re.Pattern) or len(vars(p)) > 1 for p in lazy), file=sys.stderr)\n"
    "print('imported', sorted(m for m in ('pathlib', 'typing', 'dataclasses', 'argparse', 'inspect', 'urllib.parse',"
    " 'importlib', 'warnings', 'hardener.pin.lockfile', 'json') if m in sys.modules), file=sys.stderr)\n"
)


def _without_site(program: str, *args: str, cwd, timeout: int = 60) -> subprocess.CompletedProcess:
    """``program`` run by a fresh interpreter without site, the repository first on its path; its
    ``sys.argv[1:]`` are ``args``, after the repository."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    program = "import sys\nsys.path.insert(0, sys.argv.pop(1))\n" + program
    return subprocess.run([sys.executable, "-S", "-c", program, root, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def test_a_small_check_imports_no_pathlib_typing_dataclasses_argparse_importlib_or_lock_reader(tmp_path):
    (tmp_path / "hello.js").write_text("console.log('hi')\n")
    (tmp_path / "package.json").write_text("{}\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM node:22 AS build-env\nCOPY . /app\nWORKDIR /app\nRUN npm ci --omit=dev\n\n"
                          "FROM gcr.io/distroless/nodejs22-debian13\nCOPY --from=build-env /app /app\n"
                          "WORKDIR /app\nCMD [\"hello.js\"]\n")
    done = _without_site(SMALL_CHECK, str(dockerfile), cwd=tmp_path)
    assert "DH101" in done.stdout, done.stderr
    assert "imported []" in done.stderr
    assert "compiled 0" in done.stderr  # the source scans' patterns: this build copies no source to read


BATCH_CHECK = (
    "from hardener.cli import main, check\n"
    "assert len(sys.argv) - 1 >= check.PARALLEL_MIN_FILES\n"
    "main(['check', '--exit-zero', *sys.argv[1:]])\n"
    "print('imported', sorted(m for m in ('pickle', 'json', 'fnmatch') if m in sys.modules), file=sys.stderr)\n"
)


def test_a_batch_reads_escaped_exec_forms_and_globs_without_pickle_json_or_fnmatch(tmp_path):
    # the parent lints a share of the batch (tests/test_workers.py) and reads the children's reports
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "Gemfile.lock").write_text("\n")
    text = ("FROM debian:12\nRUN apt-get update && apt-get install -y gcc-12 make && apt-get purge -y 'gcc-*'\n"
            "RUN [ -f /etc/os-release ] && echo ok\nCOPY *.py Gemfile* /app/\n"
            'ENTRYPOINT ["C:\\\\app\\\\run.exe", "\\u00e9"]\n')
    files = []
    for n in range(40):
        path = tmp_path / f"Dockerfile.{n}"
        path.write_text(text)
        files.append(str(path))
    done = _without_site(BATCH_CHECK, *files, cwd=tmp_path, timeout=120)
    assert done.stdout.count("DH307") == 40 and done.stdout.count("DH101") == 40, done.stderr
    assert "imported []" in done.stderr, done.stderr
