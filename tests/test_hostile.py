"""Hostile input: every case is a clear one-line error (or a DH900), in bounded time and
memory, and the other files of the same call are still processed.

The CLI runs in a subprocess with an address-space limit and a timeout, so a case that
hangs or balloons fails the test instead of the machine. Growth is compared, never wall
clock against a constant: the deterministic count of Python calls for n and 4n inputs, or
for regexes (C code, invisible to the profiler) the best of five timings of n and 4n.
"""

from __future__ import annotations

import os
import resource
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from growth import best_time, python_calls, three_sizes
from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.source import MAX_BYTES, SourceFile

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 1 << 30  # address space for one dhard process: 1 GiB
TIMEOUT = 60

GOOD = "FROM alpine:3.19\nRUN apk add --no-cache curl\n"


def dhard(*args: str, cwd: Path, memory: int = MEMORY, timeout: int = TIMEOUT, stdin=None):
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "hardener", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limits,
        env=env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
    )


def errors(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("dhard: error:")]


def assert_one_line_error(proc, path: str, *words: str) -> str:
    """Exactly one error line, naming the file, with ``words`` in it; no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    mine = [line for line in errors(proc) if path in line]
    assert len(mine) == 1, proc.stderr
    for word in words:
        assert word in mine[0], mine[0]
    return mine[0]


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "ok" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(GOOD)
    return path


def assert_good_checked(proc, good: Path):
    assert "DH101" in proc.stdout and "ok/Dockerfile" in proc.stdout, proc.stdout + proc.stderr


# -- size ------------------------------------------------------------------------


def test_10_mb_file_is_refused_and_the_others_checked(tmp_path, good):
    big = tmp_path / "big.Dockerfile"
    line = "RUN echo " + "a" * 90 + "\n"
    big.write_text("FROM alpine:3.19\n" + line * (10 * (1 << 20) // len(line)))
    proc = dhard("check", "big.Dockerfile", "ok/Dockerfile", cwd=tmp_path, memory=512 << 20)
    assert proc.returncode == 2
    assert_one_line_error(proc, "big.Dockerfile", "too large", "10.0 MB")
    assert_good_checked(proc, good)


def test_too_large_on_stdin_too(tmp_path):
    data = b"FROM alpine\n" + b"#" * (MAX_BYTES + 10)
    proc = subprocess.run(
        [sys.executable, "-m", "hardener", "check", "-"], input=data, capture_output=True, timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path,
    )
    assert proc.returncode == 2 and b"too large" in proc.stderr and b"Traceback" not in proc.stderr


def test_100000_lines(tmp_path):
    # 20,000 RUNs of five lines each: continuations, a comment inside one
    block = "RUN set -e \\\n && apk add curl \\\n # a comment\n && echo a \\\n && echo b\n"
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.19\n" + block * 20_000)
    assert path.read_text().count("\n") > 100_000
    proc = dhard("check", "Dockerfile", cwd=tmp_path, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "DH101" in proc.stdout


def test_one_run_of_5000_commands_is_checked_and_fixed(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.19\nRUN apk add curl && " + " && ".join(f"echo {i}" for i in range(5000)) + "\n")
    proc = dhard("fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    fixed = path.read_text()
    assert "apk add --no-cache curl" in fixed and "&& echo 4999\n" in fixed
    assert parse(SourceFile.read(path)).error is None


NESTED = {
    "command substitutions in double quotes": lambda n: 'RUN echo "' + '$("' * n + "x" + '")' * n + '"',
    "bare command substitutions": lambda n: "RUN echo " + "$(" * n + "x" + ")" * n,
    "backquotes": lambda n: "RUN echo " + "`" * (2 * n + 1),
    "parameter expansions": lambda n: "RUN echo " + "${a:-" * n + "x" + "}" * n,
    "subshells": lambda n: "RUN " + "(" * n + "true" + ")" * n,
    "arithmetic": lambda n: "RUN echo " + "$((" * n + "1" + "))" * n,
    "if blocks": lambda n: "RUN " + "if true; then " * n + "true" + "; fi" * n,
    "alternating quotes": lambda n: "RUN echo " + "\"'" * n,
    "unclosed substitutions": lambda n: 'RUN echo "' + "$(" * n,
    "ARG defaults": lambda n: "ARG A=" + "${B:-" * n + "x" + "}" * n + "\nRUN echo $A",
    "exec form": lambda n: "CMD " + "[" * n + "]" * n,
    "heredocs": lambda n: "RUN " + " ".join(f"<<E{i}" for i in range(n)) + " cat\n" + "".join(f"x\nE{i}\n" for i in range(n)),
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_deep_nesting_is_bounded(tmp_path, name):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.19\n" + NESTED[name](5000) + "\n")
    original = path.read_text()
    proc = dhard("fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    if path.read_text() != original:  # what it wrote still parses
        assert parse(SourceFile.read(path)).error is None


ENV_HEAVY = {
    # every instruction has its build state: a dict copied per ENV made these n^2 (20,000 ENVs: 16 GB)
    "20,000 ENVs": "FROM alpine:3.19\n" + "".join(f"ENV A{i}=x\n" for i in range(20_000)),
    "20,000 ARGs": "FROM alpine:3.19\n" + "".join(f"ARG A{i}=${{A{i - 1}:-x}}\n" for i in range(20_000)),
    # values that double per line: a terabyte by line 40
    "ARG doubling": "ARG A0=xx\n" + "".join(f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 60))
    + "FROM alpine:3.19\nARG A59\nRUN echo $A59\nFROM ${A59}\n",
    "ENV doubling": "FROM alpine:3.19\nENV A0=xx\n" + "".join(f"ENV A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 60))
    + "WORKDIR /$A59\nRUN echo $A59\n",
}


@pytest.mark.parametrize("name", sorted(ENV_HEAVY))
def test_variables_are_bounded(tmp_path, name):
    (tmp_path / "Dockerfile").write_text(ENV_HEAVY[name])
    proc = dhard("check", "Dockerfile", cwd=tmp_path, memory=512 << 20, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr


# -- encodings and bytes ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path, good, encoding):
    data = "FROM alpine\nRUN true\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "Dockerfile").write_bytes(data)
    proc = dhard("check", "Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    line = assert_one_line_error(proc, "Dockerfile:1:", encoding.upper()[:6], "UTF-8")
    assert "byte-order mark" in line
    assert_good_checked(proc, good)


def test_nul_bytes_name_the_line(tmp_path, good):
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\nRUN true\nRUN tr\x00ue\n")
    proc = dhard("check", "Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line_error(proc, "Dockerfile:3:", "NUL")
    assert_good_checked(proc, good)


def test_invalid_utf8_names_the_line(tmp_path, good):
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\nRUN echo \xff\xfe\xfd\n")
    proc = dhard("check", "Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    assert_one_line_error(proc, "Dockerfile:2:", "UTF-8")
    assert_good_checked(proc, good)


# -- what is not a readable file -------------------------------------------------


def test_directory_named_dockerfile(tmp_path, good):
    (tmp_path / "sub" / "Dockerfile").mkdir(parents=True)
    proc = dhard("check", "sub/Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line_error(proc, "sub/Dockerfile", "is a directory")
    assert_good_checked(proc, good)
    # searched for, it is a directory like any other
    proc = dhard("check", ".", cwd=tmp_path)
    assert not errors(proc) and "ok/Dockerfile" in proc.stdout


def test_symlink_loop(tmp_path, good):
    os.symlink("Dockerfile", tmp_path / "Dockerfile")
    os.symlink("b.Dockerfile", tmp_path / "a.Dockerfile")
    os.symlink("a.Dockerfile", tmp_path / "b.Dockerfile")
    proc = dhard("check", "Dockerfile", "a.Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line_error(proc, "error: Dockerfile:", "symbolic links")
    assert_one_line_error(proc, "error: a.Dockerfile:", "symbolic links")
    assert_good_checked(proc, good)
    # found by searching a directory: the same error, the others still checked
    proc = dhard("check", ".", cwd=tmp_path)
    assert proc.returncode == 2 and len(errors(proc)) == 3
    assert_good_checked(proc, good)


def test_fifo_with_no_writer_does_not_hang(tmp_path, good):
    os.mkfifo(tmp_path / "Dockerfile")
    proc = dhard("check", "Dockerfile", "ok/Dockerfile", cwd=tmp_path, timeout=20)
    assert proc.returncode == 2
    assert_one_line_error(proc, "Dockerfile", "FIFO")
    assert_good_checked(proc, good)


def test_fifo_with_a_writer_is_read(tmp_path):
    """Process substitution, ``dhard check <(...)``, still works."""
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardener", "check", "Dockerfile"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    with open(fifo, "w") as handle:  # blocks until dhard opens it
        handle.write(GOOD)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 1 and "DH101" in out, err


def test_socket_is_not_a_file(tmp_path, good):
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "Dockerfile"))
        proc = dhard("check", "Dockerfile", "ok/Dockerfile", cwd=tmp_path)
    finally:
        server.close()
    assert proc.returncode == 2
    assert_one_line_error(proc, "Dockerfile", "cannot read")
    assert_good_checked(proc, good)


def test_unreadable_file(tmp_path):
    """chmod 000, read by a non-root user: as root the child warms its imports, then drops to nobody."""
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="dhard-unreadable-"))  # pytest's own is 0700 to others
    tmp_path.chmod(0o755)
    good = tmp_path / "ok" / "Dockerfile"
    good.parent.mkdir(mode=0o755)
    good.write_text(GOOD)
    secret = tmp_path / "Dockerfile"
    secret.write_text(GOOD)
    secret.chmod(0)
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from hardener.cli import main
        if os.geteuid() == 0:
            main(["check", {str(good)!r}])  # loads every module the run needs (the stdlib is under /root)
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
            assert os.geteuid() != 0
        sys.stdout.flush()
        print("--- as", os.geteuid(), flush=True)
        raise SystemExit(main(["check", "Dockerfile", {str(good)!r}]))
        """
    )
    try:
        proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)
    out = proc.stdout.split("--- as", 1)[1]
    assert proc.returncode == 2, proc.stderr
    assert_one_line_error(proc, "error: Dockerfile:", "Permission denied")
    assert "DH101" in out and not out.startswith(" 0")  # the good file was checked, not as root


def test_read_only_file_given_to_fix(tmp_path):
    (tmp_path / "ro").mkdir()
    (tmp_path / "rw").mkdir()
    ro, rw = tmp_path / "ro" / "Dockerfile", tmp_path / "rw" / "Dockerfile"
    text = "FROM alpine:3.19\nRUN apk add curl\n"
    ro.write_text(text)
    rw.write_text(text)
    ro.chmod(0o444)
    proc = dhard("fix", "ro/Dockerfile", "rw/Dockerfile", cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line_error(proc, "ro/Dockerfile", "cannot write", "read-only")
    assert ro.read_text() == text and stat.S_IMODE(ro.stat().st_mode) == 0o444  # refused, also for root
    assert "--no-cache" in rw.read_text()  # the other file was fixed


@pytest.mark.parametrize("command", ["fix", "harden", "parse"])
def test_every_command_gives_the_same_one_line_errors(tmp_path, command):
    (tmp_path / "big.Dockerfile").write_bytes(b"FROM alpine\n" + b"# x\n" * (MAX_BYTES // 4 + 1))
    (tmp_path / "utf16.Dockerfile").write_bytes("FROM alpine\n".encode("utf-16"))
    (tmp_path / "nul.Dockerfile").write_bytes(b"FROM alpine\n\x00\n")
    os.mkfifo(tmp_path / "fifo.Dockerfile")
    (tmp_path / "dir.Dockerfile").mkdir()
    os.symlink("loop.Dockerfile", tmp_path / "loop.Dockerfile")
    words = {"big": "too large", "utf16": "UTF-16", "nul": "NUL", "fifo": "FIFO", "dir": "is a directory",
             "loop": "symbolic links"}
    for name, word in words.items():
        proc = dhard(command, f"{name}.Dockerfile", cwd=tmp_path, timeout=30)
        assert proc.returncode == 2, (name, proc.stderr)
        assert_one_line_error(proc, f"{name}.Dockerfile", word)


# -- hostile .dhard.yaml ---------------------------------------------------------


def _billion_laughs() -> str:
    lines = ["      l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"      l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "images:\n  - match: alpine\n    laughs:\n" + "\n".join(lines) + "\n"


CONFIGS = {
    "billion laughs": (_billion_laughs(), ("too large", "aliases")),
    "python tag": ("select: !!python/object/apply:os.system ['touch PWNED']\n", (":1:", "constructor")),
    "custom tag": ("ignore: [DH101]\nselect: !custom x\n", (":2:", "!custom")),
    "deep nesting": ("select: " + "[" * 50_000 + "]" * 50_000 + "\n", ("nested too deeply",)),
    "huge": ("select: [" + "DH101, " * 300_000 + "]\n", ("too large",)),
    "not a mapping": ("- a\n- b\n", ("mapping",)),
    "bad syntax": ("select: [DH101\nignore: x\n", (".dhard.yaml:2:", "cannot read config")),
    "binary": ("select: \x00\x01\n", ("cannot read config",)),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_hostile_config(tmp_path, good, name):
    text, words = CONFIGS[name]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".dhard.yaml").write_text(text)
    (tmp_path / "bad" / "Dockerfile").write_text(GOOD)
    proc = dhard("check", "bad/Dockerfile", "ok/Dockerfile", cwd=tmp_path, memory=512 << 20, timeout=30)
    assert proc.returncode == 2
    assert_one_line_error(proc, ".dhard.yaml", *words)
    assert_good_checked(proc, good)
    assert not (tmp_path / "PWNED").exists()


# -- growth: linear in the input -------------------------------------------------


def _calls(text: str) -> int:
    """Python function calls to parse and lint ``text``."""
    source = SourceFile.from_text(text)
    return python_calls(lambda: lint(parse(source), Config()))


GROWTH = {
    "instructions": lambda n: "FROM alpine:3.19\n" + "RUN apk add curl && rm -rf /tmp/x\n" * n,
    "one && chain": lambda n: "FROM alpine:3.19\nRUN " + " && ".join(f"echo {i}" for i in range(n)) + "\n",
    "continuation lines": lambda n: "FROM alpine:3.19\nRUN echo \\\n" + "  # c\n  a \\\n" * n + "  b\n",
    "stages": lambda n: "".join(f"FROM alpine:3.19 AS s{i}\nCOPY --from=s{max(i - 1, 0)} /a /a\n" for i in range(n)),
    "ARG and ENV": lambda n: "FROM alpine:3.19\n" + "".join(f"ARG A{i}=${{A{i - 1}:-x}}\nENV E{i}=$A{i}\n" for i in range(n)),
    "ENV only": lambda n: "FROM alpine:3.19\n" + "".join(f"ENV E{i}=x\n" for i in range(n)) + "RUN true\n",
    "heredocs": lambda n: "FROM alpine:3.19\n" + "RUN <<EOF\napk add curl\nEOF\n" * n,
    "nested substitutions": lambda n: "FROM alpine:3.19\nRUN echo " + "$(echo " * min(n, 50) + "x" + ")" * min(n, 50) + " a" * n + "\n",
}


@pytest.mark.parametrize("name", sorted(GROWTH))
def test_cost_grows_linearly(name):
    small, large = _calls(GROWTH[name](200)), _calls(GROWTH[name](800))
    assert large / small < 4 * 1.6, (small, large)  # quadratic would be ~16


def _regex_cases():
    from hardener import pragmas, source
    from hardener.analysis import writes
    from hardener.rules import dh103_world_writable as dh103
    from hardener.rules import dh502_secret_in_arg_or_env as dh502
    from hardener.syntax import expand, scanner

    def directive(line: str):  # what read_directives does with each line
        match = source._DIRECTIVE.fullmatch(line)
        return match and source._directive_value(match.group(2))

    py = lambda text: [r.search(text) for r in writes._PATTERNS["python"]]  # noqa: E731
    js = lambda text: [r.search(text) for r in writes._PATTERNS["javascript"]]  # noqa: E731
    go, rust, java = ((lambda text, lang=lang: [r.search(text) for r in writes._PATTERNS[lang]])
                      for lang in ("go", "rust", "java"))
    return {
        # each: (what runs the regex, the worst input of size n we know of)
        "directive: spaces before a bad end": (directive, lambda n: "#escape=x" + " " * n + "\x01"),
        "directive: words and spaces": (directive, lambda n: "#syntax=" + " x" * n + " " * n),
        "pragma": (lambda t: pragmas._PRAGMA.search(t), lambda n: "# dhard ignore" + " " * n),
        "${...} without a closing brace": (lambda t: expand.expand(t, {}), lambda n: "${a:-" * n),
        "${...} in a quoted word": (lambda t: expand.expand_word(t, {}), lambda n: "'\"${a:-" * n),
        "nested ${...}": (lambda t: expand.expand(t, {}), lambda n: "${a:-" * n + "x" + "}" * n),
        "heredoc word": (lambda t: scanner._HEREDOC_WORD.fullmatch(t), lambda n: "1" * n + "<<" + "<" * n),
        "secret name": (lambda t: dh502._NAME.search(t), lambda n: "PASS_" * n),
        "secret value": (lambda t: dh502._VALUE.search(t), lambda n: "-----BEGIN " + "A " * n),
        "placeholder": (lambda t: dh502._PLACEHOLDER.match(t), lambda n: "<" * n),
        "chmod clause": (lambda t: dh103._CLAUSE.match(t), lambda n: "u" + "+r" * n + "!"),
        "python basicConfig(": (py, lambda n: "basicConfig(" * n),
        "python open(": (py, lambda n: "open(" + "a " * n),
        "python Path(": (py, lambda n: "Path(" + " a" * n),
        "python dotted receiver": (py, lambda n: "a." * n + "mkdi"),
        "python parenthesised path": (py, lambda n: "(" + "a/" * n + ")." + "x"),
        "python shutil.copy(": (py, lambda n: "shutil.copy(" + "a" * n),
        "go OpenFile( without a write flag": (go, lambda n: "os.OpenFile(a," + "O_RDONLY|" * n),
        "go WriteFile(": (go, lambda n: "os.WriteFile(" * n),
        "rust OpenOptions without open(": (rust, lambda n: "OpenOptions::new()" + ".write(true)" * n),
        "java Files.write(": (java, lambda n: "Files.write(" + "a" * n),
        "js writeFile(": (js, lambda n: "fs.writeFile(" * n),
        "js mkdir(": (js, lambda n: ").mkdir(" + "a" * n),
    }


@pytest.mark.parametrize("name", sorted(_regex_cases()))
def test_regexes_on_their_worst_inputs_grow_linearly(name):
    function, make = _regex_cases()[name]
    n = 4000
    while best_time(function, make(n)) < 0.005 and n < 1_000_000:  # big enough to measure
        n *= 4
    # two steps (growth.three_sizes): the chmod clause grew 14.7x once, from 64k to 256k repetitions, on CI's
    # machines, and 4x the next step
    small, large, larger = three_sizes(function, make, n)
    assert min(large / small, larger / large) < 10, (n, small, large, larger)


def test_an_exec_form_of_many_escapes_is_read_in_linear_time():
    # str.find, which neither the call counter nor a small input shows: finding the closing quote again after
    # each escape took 4.6 s for 640,000 of them, growing 14x a step; sizes from 100,000 escapes up
    from hardener.syntax.line import _plain_string_array

    small, large, larger = three_sizes(_plain_string_array, lambda n: '["' + "\\n" * n + '"]', 100_000)
    assert min(large / small, larger / large) < 10, (small, large, larger)
