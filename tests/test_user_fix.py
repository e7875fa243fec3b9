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
