"""`dhard check/fix --build-target STAGE` (and `build-target:` in the configuration): the rules judge the
image `docker build --target STAGE` builds, as `dhard harden --build-target` rewrites it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hardener.config import Config
from hardener.lint import lint
from hardener.lsp.analysis import analyse
from hardener.parse import parse

# compose builds `app`; `dev` (after it, built FROM it) is the developer image nobody ships
COMPOSE = """\
FROM python:3.11-slim AS base
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM base AS app
COPY app.py .
CMD ["python", "app.py"]

FROM app AS dev
USER 1000
RUN pip install pytest
"""
APP_LINE = 6  # FROM base AS app

# `app` is read by a later stage only through COPY --from, so a USER added to it changes nothing else
COPIED_FROM = """\
FROM python:3.11-slim AS app
WORKDIR /srv
COPY app.py .
CMD ["python", "app.py"]

FROM busybox:1.36 AS bundle
COPY --from=app /srv /bundle
"""


def _dhard(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hardener", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "app.py").write_text("print('hello')\n")
    (tmp_path / "requirements.txt").write_text("flask\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(text)
    return dockerfile


def _codes(df_text: str, **config) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = {}
    for finding in lint(parse(df_text), Config(**config)):
        lines.setdefault(finding.code, []).append(finding.line)
    return lines


def test_the_target_stage_is_the_image_judged():
    last = _codes(COMPOSE)
    target = _codes(COMPOSE, build_target="app")
    assert "DH101" not in last  # dev runs as 1000
    assert target["DH101"] == [APP_LINE]  # app runs as root
    assert "DH305" in last and "DH305" not in target  # dev's pip cache is not in app's image
    assert target["DH203"] == [APP_LINE] and target["DH308"] == [APP_LINE]


def test_stage_names_match_as_buildkit_matches_them():
    assert _codes(COMPOSE, build_target="APP")["DH101"] == [APP_LINE]


def test_no_user_fix_when_a_later_stage_would_inherit_it():
    [finding] = [f for f in lint(parse(COMPOSE), Config(build_target="app")) if f.code == "DH101"]
    assert finding.fix is None
    assert "dev is built FROM app and would inherit the USER" in finding.message


def test_user_fix_goes_into_the_target_stage(tmp_path):
    dockerfile = _write(tmp_path, COPIED_FROM)
    proc = _dhard("fix", "--unsafe-fixes", "--select", "DH101", "--build-target", "app", "Dockerfile", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    lines = dockerfile.read_text().splitlines()
    user = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert user < lines.index("FROM busybox:1.36 AS bundle")  # in app, before the later stage
    assert lines.index('CMD ["python", "app.py"]') > user


def test_check_cli_and_config_agree(tmp_path):
    _write(tmp_path, COMPOSE)
    flag = _dhard("check", "--select", "DH101", "--build-target", "app", "Dockerfile", cwd=tmp_path)
    (tmp_path / ".dhard.yaml").write_text("build-target: app\n")
    configured = _dhard("check", "--select", "DH101", "Dockerfile", cwd=tmp_path)
    assert flag.returncode == configured.returncode == 1
    assert f"Dockerfile:{APP_LINE}:1: DH101" in flag.stdout
    assert flag.stdout == configured.stdout


def test_the_flag_wins_over_the_configuration(tmp_path):
    _write(tmp_path, COMPOSE)
    (tmp_path / ".dhard.yaml").write_text("build-target: app\n")
    proc = _dhard("check", "--select", "DH101", "--build-target", "dev", "Dockerfile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unknown_target_is_one_line_and_the_other_files_are_checked(tmp_path):
    _write(tmp_path, COMPOSE)
    other = tmp_path / "other"
    other.mkdir()
    (other / "Dockerfile").write_text("FROM python:3.11-slim AS app\nCMD [\"python\"]\n")
    for command in ("check", "fix"):
        proc = _dhard(command, "--build-target", "nope", "Dockerfile", "other/Dockerfile", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("dhard: error:")]
        assert errors == ["dhard: error: Dockerfile: build-target: no stage named nope (stages: base, app, dev)",
                          "dhard: error: other/Dockerfile: build-target: no stage named nope (stages: app)"], proc.stderr
        assert "Traceback" not in proc.stderr


def test_quick_reader_takes_the_flag(tmp_path):
    from hardener.cli import _quick

    args = _quick(["check", "--build-target", "app", "Dockerfile"])
    assert args is not None and args.build_target == "app" and args.paths == ["Dockerfile"]


def test_editor_judges_the_last_stage_when_the_file_has_no_such_stage():
    other = "FROM python:3.11-slim\nCMD [\"python\"]\n"
    result = analyse(other, "/tmp/x/Dockerfile", Config(build_target="app"))
    assert [f.line for f in result.findings if f.code == "DH101"] == [1]
    targeted = analyse(COMPOSE, "/tmp/x/Dockerfile", Config(build_target="app"))
    assert [f.line for f in targeted.findings if f.code == "DH101"] == [APP_LINE]
