"""hardener.analysis: which context files ship, and what their Python code needs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from hardener.analysis.context import shipped_files
from hardener.analysis.python_sources import PythonReport, Site, analyze_python
from hardener.analysis.context import IgnoreMatcher, read_ignore_patterns


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def report_for(tmp_path: Path, code: str, entry=None, name="app.py") -> PythonReport:
    make(tmp_path, {name: code})
    return analyze_python(tmp_path, [name], entry)


def lines(sites) -> list[int]:
    return [s.line for s in sites]


# -- shipped_files: COPY sources ----------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    return make(
        tmp_path,
        {
            "app.py": "",
            "util.py": "",
            "README.md": "",
            ".env": "",
            "Dockerfile": "",
            "src/pkg/__init__.py": "",
            "src/pkg/core.py": "",
            "src/pkg/data/table.csv": "",
            "src/main.py": "",
            "tests/test_app.py": "",
            "node_modules/x/index.js": "",
            "docs/a.md": "",
            "docs/sub/b.md": "",
        },
    )


def test_dot_is_the_whole_context(tree):
    assert shipped_files(tree, ["."]) == sorted(
        [
            ".env", "Dockerfile", "README.md", "app.py", "docs/a.md", "docs/sub/b.md", "node_modules/x/index.js",
            "src/main.py", "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/data/table.csv",
            "tests/test_app.py", "util.py",
        ]
    )


def test_sources_are_cleaned_like_buildkit(tree):
    for spelling in (["./app.py"], ["/app.py"], ["app.py"], ["src/../app.py"], ["../app.py"]):
        assert shipped_files(tree, spelling) == ["app.py"], spelling
    for spelling in (["src"], ["src/"], ["./src/"], ["/src"]):
        assert shipped_files(tree, spelling) == [
            "src/main.py", "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/data/table.csv"
        ], spelling


def test_globs_match_per_component_and_include_dotfiles(tree):
    assert shipped_files(tree, ["*.py"]) == ["app.py", "util.py"]
    assert shipped_files(tree, ["src/*/core.py"]) == ["src/pkg/core.py"]
    # a glob that matches a directory copies the directory
    assert shipped_files(tree, ["src/p*"]) == ["src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/data/table.csv"]
    assert shipped_files(tree, ["[a-t]*.py"]) == ["app.py"]
    assert shipped_files(tree, ["[^a]*.py"]) == ["util.py"]
    assert shipped_files(tree, ["?til.py"]) == ["util.py"]
    # Go's filepath.Match has no special case for a leading dot
    assert shipped_files(tree, ["*env"]) == [".env"]
    # "*" never crosses "/"
    assert shipped_files(tree, ["*.md"]) == ["README.md"]


@settings(max_examples=400, derandomize=True)
@given(st.lists(st.sampled_from(["*", "a", "b", ".", "ab", "é"]), max_size=6).map("".join),
       st.lists(st.sampled_from(["a", "b", ".", "é"]), max_size=7).map("".join))
def test_a_glob_of_stars_matches_as_the_translated_pattern_does(glob, name):
    from hardener.analysis.context import _StarGlob, _component_regex

    assert _StarGlob(glob).match(name) == bool(_component_regex(glob).match(name))


@settings(max_examples=400, derandomize=True)
@given(st.lists(st.sampled_from(["a", ".", "/", "py", "go", "x.js"]), max_size=7).map("".join))
def test_a_files_language_is_that_of_its_extension(rel):
    import posixpath

    from hardener.analysis.context import SOURCE_LANGUAGES, language_of

    assert language_of(rel) == SOURCE_LANGUAGES.get(posixpath.splitext(rel)[1])


def test_several_sources_missing_sources_and_urls(tree):
    assert shipped_files(tree, ["app.py", "util.py", "app.py"]) == ["app.py", "util.py"]
    assert shipped_files(tree, ["nope.py", "no/*.py"]) == []
    assert shipped_files(tree, ["https://example.com/x.tar.gz", "app.py"]) == ["app.py"]
    assert shipped_files(tree / "missing", ["."]) == []


# -- .dockerignore ------------------------------------------------------------------


def ignore(tree: Path, text: str) -> list[str]:
    (tree / ".dockerignore").write_text(textwrap.dedent(text))
    return shipped_files(tree, ["."])


def test_dockerignore_excludes_directories_and_everything_below(tree):
    got = ignore(tree, "node_modules\ntests/\n.git\n")
    assert not any(p.startswith(("node_modules/", "tests/")) for p in got)
    assert "app.py" in got and ".dockerignore" in got


def test_dockerignore_single_star_is_one_level(tree):
    got = ignore(tree, "*.md\n")
    assert "README.md" not in got
    assert "docs/a.md" in got and "docs/sub/b.md" in got
    got = ignore(tree, "*/*.md\n")
    assert "README.md" in got and "docs/a.md" not in got and "docs/sub/b.md" in got


def test_dockerignore_double_star(tree):
    got = ignore(tree, "**/*.md\n")
    assert not [p for p in got if p.endswith(".md")]
    got = ignore(tree, "**/__init__.py\n")
    assert "src/pkg/__init__.py" not in got and "src/pkg/core.py" in got
    got = ignore(tree, "src/**\n")
    assert not [p for p in got if p.startswith("src/")]
    got = ignore(tree, "docs/**/b.md\n")
    assert "docs/sub/b.md" not in got and "docs/a.md" in got
    got = ignore(tree, "**\n!app.py\n")
    assert got == ["app.py"]


def test_dockerignore_exceptions_and_last_match_wins(tree):
    got = ignore(tree, "*.md\n!README.md\n")
    assert "README.md" in got
    got = ignore(tree, "*\n!src\n")
    assert got == ["src/main.py", "src/pkg/__init__.py", "src/pkg/core.py", "src/pkg/data/table.csv"]
    # re-include one file inside an excluded directory
    got = ignore(tree, "src\n!src/pkg/core.py\n")
    assert [p for p in got if p.startswith("src/")] == ["src/pkg/core.py"]
    # the order matters: a later exclusion wins over an earlier exception
    got = ignore(tree, "*.md\n!README*.md\nREADME.md\n")
    assert "README.md" not in got
    got = ignore(tree, "*.md\nREADME.md\n!README*.md\n")
    assert "README.md" in got


def test_dockerignore_leading_slash_comments_and_whitespace(tree):
    got = ignore(tree, "# a comment\n/app.py\n  util.py  \n\n ./docs/ \n")
    assert "app.py" not in got and "util.py" not in got
    assert not [p for p in got if p.startswith("docs/")]
    # only a "#" in column 1 starts a comment
    assert read_ignore_patterns("#x\n #y\n") == ["#y"]
    # a leading "/" only anchors: it does not match deeper files of that name
    got = ignore(tree, "/main.py\n")
    assert "src/main.py" in got


def test_dockerignore_applies_to_copy_sources(tree):
    (tree / ".dockerignore").write_text("**/data\n*.md\n")
    assert shipped_files(tree, ["src"]) == ["src/main.py", "src/pkg/__init__.py", "src/pkg/core.py"]
    assert shipped_files(tree, ["README.md"]) == []
    assert shipped_files(tree, ["README.md"], dockerignore=False) == ["README.md"]


def test_dockerignore_question_mark_and_classes(tree):
    got = ignore(tree, "util.p?\n[ab]pp.py\n")
    assert "util.py" not in got and "app.py" not in got


def test_ignore_matcher_skips_bad_patterns_and_bare_bang():
    matcher = IgnoreMatcher(["[", "!", "a[b", "ok.txt"])
    assert matcher.excluded("ok.txt")
    assert not matcher.excluded("a[b")
    assert set(matcher.invalid) == {"[", "!", "a[b"}


def test_containerignore_is_read_when_there_is_no_dockerignore(tree):
    (tree / ".containerignore").write_text("tests\n")
    assert not [p for p in shipped_files(tree, ["."]) if p.startswith("tests/")]
    (tree / ".dockerignore").write_text("docs\n")
    got = shipped_files(tree, ["."])
    assert [p for p in got if p.startswith("tests/")] and not [p for p in got if p.startswith("docs/")]


def test_shipped_files_matches_a_real_build_context_reading():
    """The patterns of moby's documentation, as Docker describes their effect."""
    m = IgnoreMatcher(read_ignore_patterns("*/temp*\n*/*/temp*\ntemp?\n"))
    assert m.excluded("somedir/temporary.txt") and m.excluded("somedir/temp")
    assert m.excluded("somedir/subdir/temporary.txt")
    assert m.excluded("tempa") and m.excluded("tempb")
    assert not m.excluded("temporary.txt") and not m.excluded("a/b/c/temp")


# -- Python: shell use ----------------------------------------------------------------


def test_os_system_popen_and_getoutput(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import os, subprocess, commands
        os.system("curl -s http://x")
        os.popen("ls")
        subprocess.getoutput("date")
        subprocess.getstatusoutput("uptime")
        commands.getoutput("who")
        """,
    )
    assert lines(r.shell_uses) == [2, 3, 4, 5, 6]
    assert [s.tool for s in r.shell_uses] == ["curl", "ls", "date", "uptime", "who"]
    assert "os.system()" in r.shell_uses[0].what and "/bin/sh" in r.shell_uses[0].what
    assert r.tool_calls == ()


def test_subprocess_shell_true_false_and_unknown(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import subprocess
        subprocess.run("echo hi", shell=True)
        subprocess.call(["ls"], shell=False)
        subprocess.Popen(cmd, shell=use_shell)
        subprocess.check_output("git log", shell=True)
        subprocess.check_call(["make"])
        """,
    )
    assert lines(r.shell_uses) == [2, 4, 5]
    assert "shell=True" in r.shell_uses[0].what
    assert "shell=use_shell (unknown)" in r.shell_uses[1].what
    assert [s.tool for s in r.shell_uses] == ["echo", None, "git"]
    assert [(s.line, s.tool) for s in r.tool_calls] == [(3, "ls"), (6, "make")]


def test_asyncio_pty_and_loop_shells(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import asyncio, pty
        async def main(loop):
            await asyncio.create_subprocess_shell("ls -l")
            await asyncio.create_subprocess_exec("ffmpeg", "-i", "x")
            await loop.subprocess_shell(Proto, "tar xf a")
        pty.spawn("/bin/bash")
        pty.spawn(["python3", "x.py"])
        """,
    )
    assert [(s.line, s.tool) for s in r.shell_uses] == [(3, "ls"), (5, "tar"), (6, "bash")]
    assert [(s.line, s.tool) for s in r.tool_calls] == [(4, "ffmpeg"), (7, "python3")]


def test_running_a_shell_program_is_shell_use(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import subprocess, os
        subprocess.run(["sh", "-c", "echo $HOME"])
        subprocess.run(["/bin/bash", "script.sh"])
        os.execv("/bin/sh", ["sh"])
        """,
    )
    assert [(s.line, s.tool) for s in r.shell_uses] == [(2, "sh"), (3, "bash"), (4, "sh")]
    assert r.tool_calls == ()


# -- Python: aliases ----------------------------------------------------------------------


def test_import_aliases_are_resolved(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import os as o
        import subprocess as sp
        from os import system as s, popen
        from subprocess import run, Popen as P
        o.system("a")
        s("b")
        popen("c")
        run("d", shell=True)
        P("e", shell=True)
        sp.call("f", shell=True)
        runner = sp.run
        runner("g", shell=True)
        """,
    )
    assert lines(r.shell_uses) == [5, 6, 7, 8, 9, 10, 12]
    assert [s.tool for s in r.shell_uses] == list("abcdefg")
    assert "called as s()" in r.shell_uses[1].what


def test_star_imports_and_module_aliases(tmp_path):
    r = report_for(
        tmp_path,
        """\
        from os import *
        from subprocess import *
        system("x")
        check_output(["git", "rev-parse", "HEAD"])
        import posix
        posix.system("y")
        """,
    )
    assert [(s.line, s.tool) for s in r.shell_uses] == [(3, "x"), (6, "y")]
    assert [(s.line, s.tool) for s in r.tool_calls] == [(4, "git")]


def test_unrelated_names_are_not_flagged(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import platform
        class Thing:
            def system(self, x): ...
        t = Thing()
        t.system("rm -rf /")        # a method, not os.system
        print(platform.system())    # os.uname, not a shell
        def run(cmd, shell=False): ...
        run("x", shell=True)        # a local function named run
        """,
    )
    assert r.shell_uses == () and r.tool_calls == ()


# -- Python: tool calls -----------------------------------------------------------------


def test_tool_calls_literal_argv0_and_which(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import os, shutil, subprocess, shlex, sys
        subprocess.run(["/usr/bin/curl", "-s", url])
        subprocess.check_output(("ffmpeg", "-version"))
        subprocess.run(shlex.split("convert a.png b.jpg"))
        subprocess.run("git status".split())
        subprocess.Popen(args=["node", "x.js"])
        CMD = ["wkhtmltopdf", "a", "b"]
        subprocess.run(CMD)
        subprocess.run(cmd)
        shutil.which("pg_dump")
        os.execvp("gunicorn", ["gunicorn"])
        os.spawnlp(os.P_WAIT, "tar", "tar", "xf", "a")
        os.posix_spawn("/usr/bin/zip", ["zip"], {})
        subprocess.run([sys.executable, "-m", "pip", "--version"])
        subprocess.run(["ls"], executable="/bin/busybox")
        """,
    )
    assert [(s.line, s.tool) for s in r.tool_calls] == [
        (2, "curl"), (3, "ffmpeg"), (4, "convert"), (5, "git"), (6, "node"), (8, "wkhtmltopdf"),
        (9, None), (10, "pg_dump"), (11, "gunicorn"), (12, "tar"), (13, "zip"),
    ]
    assert "(unknown)" in r.tool_calls[6].what
    assert "shutil.which('pg_dump')" in r.tool_calls[7].what
    # executable= names the program that runs: a shell here
    assert [(s.line, s.tool) for s in r.shell_uses] == [(15, "busybox")]
    assert r.tools == ("busybox", "convert", "curl", "ffmpeg", "git", "gunicorn", "node", "pg_dump", "tar",
                       "wkhtmltopdf", "zip")


# -- Python: entry files -------------------------------------------------------------------


@pytest.fixture
def app_tree(tmp_path):
    return make(
        tmp_path,
        {
            "app.py": "",
            "wsgi.py": "",
            "manage.py": "",
            "pkg/__init__.py": "",
            "pkg/__main__.py": "",
            "pkg/web.py": "",
            "pkg/api/__init__.py": "",
            "tool.py": "",
            "src/service/main.py": "",
            "proj/__init__.py": "",
            "proj/celery.py": "",
            "bin/run": "print('x')\n",
        },
    )


def entry(tree, argv) -> tuple[str, ...]:
    files = shipped_files(tree, ["."])
    return analyze_python(tree, files, argv).entry_files


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["python", "app.py"], ("app.py",)),
        (["python3", "-u", "app.py", "--debug"], ("app.py",)),
        (["/usr/local/bin/python3.11", "-X", "dev", "-W", "ignore", "app.py"], ("app.py",)),
        (["python", "/app/app.py"], ("app.py",)),
        (["python", "/srv/src/service/main.py"], ("src/service/main.py",)),
        (["python", "-m", "pkg"], ("pkg/__main__.py",)),
        (["python", "-mtool"], ("tool.py",)),
        (["python", "-m", "pkg.web"], ("pkg/web.py",)),
        (["python", "-c", "print(1)"], ()),
        (["gunicorn", "app:app"], ("app.py",)),
        (["gunicorn", "--bind", "0.0.0.0:8000", "-w", "2", "--preload", "pkg.web:create_app()"], ("pkg/web.py",)),
        (["gunicorn", "-b", ":8000", "pkg.api:app"], ("pkg/api/__init__.py",)),
        (["uvicorn", "pkg.web:app", "--host", "0.0.0.0", "--port", "8000", "--reload"], ("pkg/web.py",)),
        (["python", "-m", "uvicorn", "app:app"], ("app.py",)),
        (["flask", "--app", "pkg.web", "run"], ("pkg/web.py",)),
        (["flask", "--app=wsgi:create_app()", "run", "--host", "0.0.0.0"], ("wsgi.py",)),
        (["flask", "run"], ("wsgi.py", "app.py")),
        (["celery", "-A", "proj", "worker", "-l", "info"], ("proj/__init__.py", "proj/celery.py")),
        (["celery", "--app=pkg.web", "worker"], ("pkg/web.py",)),
        (["python", "manage.py", "runserver", "0.0.0.0:8000"], ("manage.py",)),
        (["/bin/sh", "-c", "cd /app && exec gunicorn wsgi:app"], ("wsgi.py",)),
        (["tini", "--", "python", "app.py"], ("app.py",)),
        (["env", "A=1", "python", "app.py"], ("app.py",)),
        (["python", "bin/run"], ("bin/run",)),
        (["node", "server.js"], ()),
        (["python", "missing.py"], ()),
    ],
)
def test_entry_files(app_tree, argv, expected):
    assert entry(app_tree, argv) == expected


def test_entry_without_py_suffix_is_analysed(tmp_path):
    make(tmp_path, {"bin/serve": "import os\nos.system('x')\n"})
    r = analyze_python(tmp_path, ["bin/serve"], ["python", "/app/bin/serve"])
    assert r.entry_files == ("bin/serve",)
    assert [(s.path, s.line) for s in r.shell_uses] == [("bin/serve", 2)]


def test_no_entry(app_tree):
    assert entry(app_tree, None) == ()
    assert entry(app_tree, []) == ()


# -- Python: privileged ports ----------------------------------------------------------------


def test_privileged_ports_in_code(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import os, socket, smtplib
        from http.server import HTTPServer
        app.run(host="0.0.0.0", port=80)
        app.run("0.0.0.0", 443)
        uvicorn.run(app, port=8000)
        serve(app, listen="*:81")
        sock.bind(("0.0.0.0", 82))
        HTTPServer(("", 83), Handler)
        web.run_app(app, port=int(os.environ.get("PORT", 84)))
        tornado_app.listen(80)
        sock.listen(5)
        smtplib.SMTP("mail", port=25)
        requests.get(url, port=80)
        socket.create_connection(("example.com", 80))
        config.bind = "0.0.0.0:85"
        server(bind="0.0.0.0:86")
        """,
    )
    assert lines(r.privileged_ports) == [3, 4, 6, 7, 8, 9, 10, 16]
    assert all("may" in s.what for s in r.privileged_ports)
    assert "port 80" in r.privileged_ports[0].what
    assert "$PORT" in r.privileged_ports[5].what


def test_privileged_ports_in_the_command(tmp_path):
    make(tmp_path, {"app.py": ""})
    for argv, port in [
        (["gunicorn", "--bind", "0.0.0.0:80", "app:app"], 80),
        (["gunicorn", "-b0.0.0.0:443", "app:app"], 443),
        (["uvicorn", "app:app", "--port=81"], 81),
        (["flask", "run", "--port", "82"], 82),
        (["python", "-m", "http.server", "83"], 83),
        (["python", "manage.py", "runserver", "0.0.0.0:84"], 84),
        (["python", "app.py", "--port", "85"], 85),
    ]:
        r = analyze_python(tmp_path, ["app.py"], argv)
        assert [(s.path, s.line) for s in r.privileged_ports] == [("<command>", 0)], argv
        assert f"port {port}" in r.privileged_ports[0].what, argv
    for argv in (["gunicorn", "--bind", "0.0.0.0:8000", "app:app"], ["uvicorn", "app:app"],
                 ["gunicorn", "-p", "80", "app:app"]):  # gunicorn -p is the pid file
        assert analyze_python(tmp_path, ["app.py"], argv).privileged_ports == ()


# -- Python: robustness -------------------------------------------------------------------


def test_unparseable_files_are_unknown_not_a_crash(tmp_path):
    make(
        tmp_path,
        {
            "py2.py": "print 'hello'\nimport os\nos.system('x')\n",
            "binary.py": "",
            "good.py": "import os\nos.system('ok')\n",
        },
    )
    (tmp_path / "binary.py").write_bytes(b"\x00\xff\xfe garbage \x00")
    r = analyze_python(tmp_path, ["py2.py", "binary.py", "good.py", "gone.py"], None)
    assert {s.path for s in r.unknown} == {"py2.py", "binary.py", "gone.py"}
    assert all(s.what.startswith("does not parse: ") for s in r.unknown)
    (py2,) = [s for s in r.unknown if s.path == "py2.py"]
    assert py2.line == 1
    assert [(s.path, s.line) for s in r.shell_uses] == [("good.py", 2)]


def test_newer_syntax_that_libcst_reads_is_not_unknown(tmp_path):
    # match statements parse on every supported Python; the report must not call them unknown
    r = report_for(tmp_path, "match x:\n    case 1:\n        pass\n")
    assert r.unknown == ()


def test_only_python_files_and_the_entry_are_analysed(tmp_path):
    make(tmp_path, {"notes.txt": "os.system('x')\n", "a.py": "x = 1\n", "static/app.js": "exec('x')\n"})
    r = analyze_python(tmp_path, ["notes.txt", "a.py", "static/app.js"], None)
    assert r.files == ("a.py",)
    assert r.shell_uses == () and r.unknown == ()


def test_all_shipped_files_are_analysed_not_only_the_entry(tmp_path):
    make(tmp_path, {"app.py": "import helpers\n", "helpers/run.py": "import subprocess\nsubprocess.run('x', shell=True)\n"})
    r = analyze_python(tmp_path, ["app.py", "helpers/run.py"], ["python", "app.py"])
    assert r.entry_files == ("app.py",)
    assert [(s.path, s.line) for s in r.shell_uses] == [("helpers/run.py", 2)]


def test_reports_are_frozen_and_wording_never_claims_proof(tmp_path):
    r = report_for(tmp_path, "import os\nos.system('x')\nsubprocess.run(['y'])\napp.run(port=80)\n")
    with pytest.raises(Exception):
        r.shell_uses = ()  # type: ignore[misc]
    with pytest.raises(Exception):
        r.shell_uses[0].line = 3  # type: ignore[misc]
    for site in (*r.shell_uses, *r.tool_calls, *r.privileged_ports):
        assert "safe" not in site.what.lower()
        assert site.what.startswith("found") or "may" in site.what
    assert str(Site("a.py", 3, "found x")) == "a.py:3: found x"


def test_a_few_hundred_files(tmp_path):
    files = {}
    for i in range(300):
        files[f"pkg/mod{i}.py"] = (
            "import os, json\n\n"
            + "".join(f"def f{j}(x):\n    return json.dumps({{'a': x, 'b': [1, 2, 3]}})\n\n" for j in range(15))
            + ("import subprocess\nsubprocess.run(['git', 'status'])\n" if i % 10 == 0 else "")
        )
    make(tmp_path, files)
    r = analyze_python(tmp_path, sorted(files), None)
    assert len(r.files) == 300
    assert [s.path for s in r.tool_calls] == [f"pkg/mod{i}.py" for i in sorted(range(0, 300, 10), key=lambda i: f"pkg/mod{i}.py")]
    assert {s.line for s in r.tool_calls} == {49}


def test_libcst_is_not_imported_by_dhard_check(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\n")
    code = (
        "import sys\nfrom hardener.cli import main\n"
        "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "import hardener.analysis\n"
        "print('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "Dockerfile")], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


# -- Python: the entry command, read with dhard's shell reader ---------------------------------


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["sh", "-c", "exec gunicorn app:app"], ("app.py",)),
        (["tini", "--", "gunicorn", "wsgi:app"], ("wsgi.py",)),
        (["tini", "--", "sh", "-c", "exec python app.py"], ("app.py",)),
        (["dumb-init", "--", "sh", "-c", "sh -c 'python -m pkg'"], ("pkg/__main__.py",)),
        (["gosu", "app", "tini", "--", "python", "app.py"], ("app.py",)),
        # shlex missed these: an init's option value, env -u NAME, timeout/nice operands
        (["tini", "-s", "-p", "SIGTERM", "--", "python", "app.py"], ("app.py",)),
        (["dumb-init", "-r", "15:2", "--single-child", "python", "app.py"], ("app.py",)),
        (["env", "-u", "DEBUG", "python", "app.py"], ("app.py",)),
        (["timeout", "3600", "python", "app.py"], ("app.py",)),
        (["nice", "-n", "5", "gunicorn", "wsgi:app"], ("wsgi.py",)),
        # ... and shell syntax: newlines, if bodies, subshells, sh options before -c, su -c
        (["sh", "-c", "cd /app\nexec gunicorn wsgi:app"], ("wsgi.py",)),
        (["sh", "-c", 'if [ -n "$X" ]; then exec gunicorn wsgi:app; fi'], ("wsgi.py",)),
        (["sh", "-c", "(cd /app && exec python app.py)"], ("app.py",)),
        (["bash", "-e", "-c", "python app.py"], ("app.py",)),
        (["sh", "-xec", "python app.py"], ("app.py",)),
        (["sh", "-c", "su app -c 'python app.py'"], ("app.py",)),
        # quoting and expansions: the literal parts still count
        (["sh", "-c", "python '/srv/src/service/main.py' --x 'a b'"], ("src/service/main.py",)),
        (["sh", "-c", 'exec python "$APP_HOME/tool.py"'], ("tool.py",)),
        (["sh", "-c", 'python -c "import app; app.main()"; python manage.py check'], ("manage.py",)),
        # not a command docker can run, and not POSIX shell syntax: nothing is read
        (["FOO=1", "python", "app.py"], ()),
        (["fish", "-c", "python app.py"], ()),
        (["tini", "-h"], ()),
    ],
)
def test_entry_files_read_as_the_shell_reads_them(app_tree, argv, expected):
    assert entry(app_tree, argv) == expected


def test_ports_in_a_shell_command(tmp_path):
    make(tmp_path, {"app.py": ""})
    r = analyze_python(tmp_path, ["app.py"], ["sh", "-c", 'exec gunicorn --bind "$HOST:80" app:app'])
    assert [s.what for s in r.privileged_ports] == ["the command (gunicorn --bind $HOST:80) may bind the privileged port 80"]
    for text in ("gunicorn --bind 0.0.0.0:$PORT app:app", "gunicorn --bind 0.0.0.0:${PORT:-8000} app:app"):
        assert analyze_python(tmp_path, ["app.py"], ["sh", "-c", text]).privileged_ports == ()
    r = analyze_python(tmp_path, ["app.py"], ["tini", "--", "sh", "-c", "python -m http.server 80 2>&1 | tee /log"])
    assert [s.what for s in r.privileged_ports] == ["the command (python -m http.server 80) may bind the privileged port 80"]


def test_entry_helpers():
    from hardener.analysis.python_sources import command_ports, entry_files_for

    assert entry_files_for(["tini", "--", "python", "/app/app.py"], ["app.py", "x.py"]) == ["app.py"]
    assert command_ports(["sh", "-c", "uvicorn app:app --port 81"]) == [(81, "uvicorn --port 81")]
    assert command_ports(None) == []


def test_unwrap_strips_inits_only_when_asked():
    from hardener.programs import INITS
    from hardener.shell import parse_exec, parse_shell, unwrap

    for init in ("tini", "tini-static", "dumb-init", "catatonit", "/sbin/tini"):
        assert init.rsplit("/", 1)[-1] in INITS
        (cmd,) = parse_exec([init, "--", "python", "app.py"]).commands
        assert unwrap(cmd).argv() == [init, "--", "python", "app.py"]  # the rules' view: unchanged
        assert unwrap(cmd, inits=True).argv() == ["python", "app.py"]
    (cmd,) = parse_shell("env A=1 tini -s -p SIGKILL -- gosu app dumb-init -r 15:2 python app.py").commands
    u = unwrap(cmd, inits=True)
    assert u.argv() == ["python", "app.py"] and [a.raw for a in u.assignments] == ["A=1"]
    assert unwrap(cmd).argv()[0] == "tini"
    for text in ("tini -h", "tini --version", "dumb-init -V", "catatonit -h", "tini --"):
        (cmd,) = parse_shell(text).commands
        assert unwrap(cmd, inits=True).argv() == text.split()  # not running a command


# -- Python: the program of a shell command string --------------------------------------------


def test_the_program_of_a_shell_string_is_read_as_the_shell_reads_it(tmp_path):
    r = report_for(
        tmp_path,
        """\
        import os
        os.system("env -i PATH=/bin curl -s x")
        os.system("sudo -u app wget x")
        os.system("FOO='a b' exec nohup ffmpeg -i x")
        os.system("(cd /tmp && tar xf a)")
        os.system("$TOOL --version")
        os.system("'/opt/my tools/run' x")
        os.system("")
        """,
    )
    assert [s.tool for s in r.shell_uses] == ["curl", "wget", "ffmpeg", "cd", None, "run", None]


# -- the package layout -----------------------------------------------------------------------


def test_entry_reading_does_not_import_libcst():
    code = (
        "import sys\nfrom hardener.analysis.python_sources.entry import read_entry\n"
        "read_entry(['tini', '--', 'gunicorn', 'app:app'])\nprint('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_the_modules_import_no_private_names_of_each_other():
    import ast

    import hardener.analysis.python_sources as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"
        assert len(path.read_text().splitlines()) < 600, path.name
