"""The USER fix knows where the app runs and writes (issue 10), and says why when it holds back."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardener.analysis.writes import run_time_writes
from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.semantic.build import Build

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "DH101"
ONLY = Config().with_overrides(select=("DH101",))


def _dh101(case: str, context: bool = True):
    folder = FIXTURES / case
    df = parse((folder / "input.Dockerfile").read_text())
    [finding] = lint(df, ONLY, folder / "context" if context else None)
    return finding


def test_root_home_is_declined_with_its_reason():
    finding = _dh101("python-root-workdir")
    assert finding.fix is None
    assert "inside root's home" in finding.message


def test_writes_the_app_makes_are_handed_over_and_said():
    finding = _dh101("python-writes-next-to-code")
    assert finding.fix.applicability.value == "unsafe"
    assert "RUN mkdir -p /app && chown app /app" in finding.fix.edits[0].content
    assert "the folders the app writes to: /app" in finding.message


@pytest.mark.parametrize("case, why", [
    ("python-writes-system-dir", "the app writes to /var/log/app.log (app.py:1)"),
    ("scratch", "dhard cannot read where app writes"),
])
def test_unknown_writes_leave_the_fix_for_display(case, why):
    finding = _dh101(case)
    assert finding.fix.applicability.value == "unproven"
    assert "the USER fix is not applied" in finding.message and why in finding.message


def test_without_the_context_the_sources_cannot_be_read():
    finding = _dh101("python-no-writes", context=False)
    assert finding.fix.applicability.value == "unproven"
    assert "the build context is not at hand" in finding.message
    assert _dh101("python-no-writes").fix.applicability.value == "unsafe"


def test_a_wrong_context_is_not_taken_for_the_right_one(tmp_path):
    build = Build(parse((FIXTURES / "python-no-writes" / "input.Dockerfile").read_text()))
    writes = run_time_writes(build, tmp_path)
    assert not writes.known and "does not hold app.py" in writes.why_unknown


def test_volumes_and_created_folders_are_writes():
    build = Build(parse((FIXTURES / "python-writes-created-folder" / "input.Dockerfile").read_text()))
    writes = run_time_writes(build, FIXTURES / "python-writes-created-folder" / "context")
    assert writes.known
    assert sorted(writes.dirs) == ["/srv/state", "/srv/uploads", "/var/cache/app"]


def test_distroless_channel_tags_ask_for_a_digest():
    df = parse("FROM gcr.io/distroless/static-debian12:nonroot\nENTRYPOINT [\"/app\"]\n")
    [finding] = lint(df, Config().with_overrides(select=("DH403",)))
    assert "publishes no version tags; pin it by digest" in finding.message
    pinned = parse("FROM gcr.io/distroless/static-debian12:nonroot@sha256:" + "a" * 64 + "\n")
    assert lint(pinned, Config().with_overrides(select=("DH403",))) == []


@pytest.mark.parametrize("image, says", [
    ("cgr.dev/chainguard/nginx:latest", "Chainguard's free tier has latest and latest-dev only); pin it by digest"),
    ("gcr.io/distroless/static-debian12:latest", "publishes no version tags; pin it by digest"),
    ("cgr.dev/acme-corp/nginx:latest", "pin a version tag and a digest"),  # an organisation's images have versions
])
def test_latest_of_a_channel_only_repository_asks_for_a_digest(image, says):
    [finding] = lint(parse(f"FROM {image}\n"), Config().with_overrides(select=("DH402",)))
    assert says in finding.message, finding.message


def test_listens_on_privileged_ports_in_go_and_javascript(tmp_path):
    from hardener.analysis.listen import in_command, in_sources

    (tmp_path / "main.go").write_text('package main\n\nfunc main() {\n\thttp.ListenAndServe(":80", nil)\n'
                                      '\tsrv := &http.Server{Addr: "0.0.0.0:443"}\n\tnet.Listen("tcp", ":8080")\n}\n')
    (tmp_path / "server.js").write_text("app.listen(80, () => {});\nother.listen(3000);\n")
    binds = in_sources(tmp_path, ["main.go", "server.js", "README.md"])
    assert [(b.port, b.where) for b in binds] == [(80, "main.go:4"), (443, "main.go:5"), (80, "server.js:1")]
    assert [b.port for b in in_command(["gunicorn", "--bind", "0.0.0.0:80", "app:app"])] == [80]
    assert in_command(["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]) == []


def test_a_privileged_port_makes_the_user_fix_unproven(tmp_path):
    (tmp_path / "app.py").write_text("print('hi')\n")
    df = parse("FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nEXPOSE 80\nCMD [\"python\", \"app.py\"]\n")
    [finding] = lint(df, ONLY, tmp_path)
    assert finding.fix.applicability.value == "unproven"
    assert "as app the app cannot bind port 80 (EXPOSE 80) where podman and Kubernetes refuse" in finding.message


# -- the sources of compiled programs (Go, Rust, Java) ---------------------------------------------------

WRITES = [
    ("main.go", 'os.WriteFile("state.txt", data, 0o644)', "state.txt"),
    ("main.go", 'f, _ := os.OpenFile("/srv/x/events.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)', "/srv/x/events.log"),
    ("main.go", 'db, _ := sql.Open("sqlite3", "app.db")', "app.db"),
    ("main.go", 'os.MkdirAll(filepath.Join(dir, "cache"), 0o755)', None),
    ("src/main.rs", 'std::fs::write("out.txt", b"x").unwrap();', "out.txt"),
    ("src/main.rs", 'OpenOptions::new()\n    .append(true)\n    .create(true)\n    .open("log/app.log")?;', "log/app.log"),
    ("App.java", 'Files.writeString(Path.of("data/state"), "x");', "data/state"),
    ("App.java", 'new FileOutputStream("report.bin")', "report.bin"),
]
NOT_WRITES = [
    ("main.go", 'f, _ := os.OpenFile("conf.yml", os.O_RDONLY, 0)'),
    ("main.go", 'f, _ := os.CreateTemp("", "upload-*")'),
    ("main.go", '// os.WriteFile("commented.txt", data, 0o644)'),
    ("src/main.rs", 'let text = fs::read_to_string("config.toml")?;'),
    ("src/main.rs", 'let f = OpenOptions::new().read(true).open("config.toml")?;'),
    ("App.java", 'Files.readAllLines(Path.of("in.txt"));'),
]


@pytest.mark.parametrize("name, line, path", WRITES)
def test_compiled_sources_are_read_for_writes(tmp_path, name, line, path):
    from hardener.analysis.writes import scan

    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("package main\n\n" + line + "\n")
    [write] = scan(tmp_path, [name], ("go", "rust", "java"))
    assert (write.path, write.line) == (path, 3)


@pytest.mark.parametrize("name, line", NOT_WRITES)
def test_reads_temp_files_and_comments_are_not_writes(tmp_path, name, line):
    from hardener.analysis.writes import scan

    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(line + "\n")
    assert scan(tmp_path, [name], ("go", "rust", "java")) == []


def test_a_go_program_built_in_an_earlier_stage_is_read_from_that_stage():
    finding = _dh101("go-builder-sources-read")
    assert finding.fix.applicability.value == "unsafe"
    assert "chown app /var/lib/server" in finding.fix.edits[0].content


def test_a_program_whose_sources_are_not_in_the_build_is_unproven():
    finding = _dh101("downloaded-binary-unproven")
    assert finding.fix.applicability.value == "unproven"
    assert "dhard cannot read where tool writes" in finding.message


@pytest.mark.parametrize("text, program", [
    ('FROM node:20\nCOPY x.js .\nENTRYPOINT ["tini", "-s", "--"]\nCMD ["node", "x.js"]\n', "node"),
    # a CMD its own stage set before the ENTRYPOINT stays (Docker drops only an inherited one)
    ('FROM node:20\nCMD ["node", "x.js"]\nENTRYPOINT ["tini", "--"]\n', "node"),
    ('FROM node:20 AS base\nCMD ["node", "x.js"]\nFROM base\nENTRYPOINT ["tini", "--"]\n', None),
])
def test_the_program_is_read_past_an_init_and_into_cmd(text, program):
    from hardener.analysis.writes import _program

    assert _program(Build(parse(text))) == program


@pytest.mark.parametrize("env, known, folder", [
    ('ENV STATE_FILE=/srv/state/app.db\n', True, "/srv/state"),
    ('', True, "/app"),  # the default the code gives
])
def test_a_path_from_the_environment_is_read_from_env(tmp_path, env, known, folder):
    (tmp_path / "app.py").write_text('import os, sqlite3\ndb = sqlite3.connect(os.environ.get("STATE_FILE", "x.db"))\n')
    build = Build(parse(f'FROM python:3.12-slim\nWORKDIR /app\n{env}COPY app.py .\nCMD ["python", "app.py"]\n'))
    writes = run_time_writes(build, tmp_path)
    assert writes.known is known and folder in writes.dirs


def test_a_path_that_cannot_be_worked_out_makes_the_writes_unknown(tmp_path):
    (tmp_path / "go.mod").write_text("module x\n")
    (tmp_path / "main.go").write_text('package main\n\nfunc main() {\n\tos.WriteFile(os.Getenv("STATE"), nil, 0o644)\n}\n')
    build = Build(parse('FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /s\nCMD ["/s"]\n'))
    writes = run_time_writes(build, tmp_path)
    assert not writes.known
    assert "a path dhard cannot work out (main.go:4" in writes.why_unknown


# -- Python writes the plain patterns missed: imported functions, Path objects held in names, keywords ---------

PYTHON_WRITES = [
    ('from os import makedirs\nmakedirs("uploads", exist_ok=True)\n', "uploads"),
    ('from pathlib import Path\nDATA = Path("state")\nDATA.mkdir(parents=True, exist_ok=True)\n', "state"),
    ('from pathlib import Path\nBASE = Path("/srv/app")\n(BASE / "cache").mkdir()\n', "/srv/app/cache"),
    ('from pathlib import Path\nreport = Path("out/report.txt")\nreport.write_text("x")\n', "out/report.txt"),
    ('with open(file="log/app.log", mode="a") as f:\n    pass\n', "log/app.log"),
    ('import shutil\nshutil.copy("seed.db", "data/app.db")\n', "data/app.db"),
    ('import logging.handlers\nh = logging.handlers.RotatingFileHandler("logs/app.log")\n', "logs/app.log"),
    ('df.to_csv("exports/all.csv", index=False)\n', "exports/all.csv"),
]
PYTHON_NOT_WRITES = [
    'sftp.mkdir("remote")\n',  # not a path of this file system: no Path binding
    'df.to_csv(index=False)\n',  # returns the text
    'def mkdir(name):\n    pass\nmkdir("x")\n',  # not os's
]


@pytest.mark.parametrize("text, path", PYTHON_WRITES)
def test_python_writes_past_the_plain_patterns(tmp_path, text, path):
    from hardener.analysis.writes import scan

    (tmp_path / "app.py").write_text(text)
    assert [w.path for w in scan(tmp_path, ["app.py"])] == [path]


@pytest.mark.parametrize("text", PYTHON_NOT_WRITES)
def test_python_calls_that_write_no_local_path(tmp_path, text):
    from hardener.analysis.writes import scan

    (tmp_path / "app.py").write_text(text)
    assert scan(tmp_path, ["app.py"]) == []


def test_a_path_object_dhard_cannot_place_makes_the_writes_unknown(tmp_path):
    from hardener.analysis.writes import scan

    (tmp_path / "app.py").write_text('self.state_file.write_text("x")\n')
    [write] = scan(tmp_path, ["app.py"])
    assert write.path is None


def test_every_write_the_scan_finds_holds_one_of_its_needles(tmp_path):
    """The needles let a file that holds none of them go unscanned: each write example must hold one."""
    from hardener.analysis.context import SOURCE_LANGUAGES
    from hardener.analysis import writes

    examples = [("python", text) for text, _ in PYTHON_WRITES] + [
        (SOURCE_LANGUAGES[Path(name).suffix], line) for name, line, _ in WRITES]
    examples += [("javascript", 'fs.promises.appendFile("a.log", x)'), ("javascript", "new Database('app.db')"),
                 ("go", 'db, _ := bolt.Open("my.db", 0600, nil)'), ("go", 'os.MkdirTemp("/srv", "x")'),
                 ("python", 'logging.basicConfig(filename="x.log")'), ("python", "sqlite3.connect('a.db')"),
                 ("python", 'create_engine("sqlite:///data/app.db")'), ("java", "new FileWriter(\"out.txt\")")]
    for language, text in examples:
        matched = [m.group(0) for p in writes._PATTERNS[language] for m in p.finditer(text)]
        assert matched, (language, text)
        for found in matched:
            assert any(needle in found for needle in writes._NEEDLES[language]), (language, found)
