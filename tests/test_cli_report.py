"""`--report FILE` of `dhard harden --verify` and `dhard fix --verify` (hardener/cli/surface.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from hardener.cli import surface
from hardener.report import SCHEMA, compare, read_archive
from report_helpers import config, docker_archive, dpkg_status, exe, file, layer

DOCKERFILE = 'FROM python:3.11-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n'


def _dhard(*args, cwd):
    return subprocess.run([sys.executable, "-m", "hardener", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize("command", ["harden", "fix"])
def test_report_needs_verify_and_a_folder(tmp_path, command):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "app.py").write_text("print(1)\n")
    alone = _dhard(command, "Dockerfile", "--report", "r.json", cwd=tmp_path)
    assert alone.returncode == 2 and "--report needs --verify" in alone.stderr, alone.stderr
    nowhere = _dhard(command, "Dockerfile", "--verify", "--report", "no/such/r.json", cwd=tmp_path)
    assert nowhere.returncode == 2 and "no such directory" in nowhere.stderr, nowhere.stderr
    assert "Traceback" not in alone.stderr + nowhere.stderr


def _verified(tmp_path):
    before, after = tmp_path / "before.tar", tmp_path / "after.tar"
    status = dpkg_status(("bash", "5.2", "amd64"), ("curl", "7.88", "amd64"))
    docker_archive(before, [layer(exe("bin/bash", mode=0o4755), file("var/lib/dpkg/status", status.encode()))],
                   config(cmd=["python", "app.py"]))
    docker_archive(after, [layer(exe("usr/bin/python3.11"))], config(user="65532:65532"))
    report = compare(read_archive(before), read_archive(after), labels=("original", "rewritten"))
    return SimpleNamespace(surface=report, surface_error=None)


def test_the_report_files_and_the_job_summary(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "out"
    out.mkdir()
    args = SimpleNamespace(report=str(out / "surface.json"), explain=False, verify=True)
    assert surface.show(args, _verified(tmp_path))
    data = json.loads((out / "surface.json").read_text())
    assert data["schema"] == SCHEMA and data["changes"]["packages"]["before"] == 2
    assert "<table" in (out / "surface.html").read_text()
    for label in ("original", "rewritten"):
        bom = json.loads((out / f"surface.{label}.cdx.json").read_text())
        assert bom["bomFormat"] == "CycloneDX"
    names = {c["name"] for c in json.loads((out / "surface.original.cdx.json").read_text())["components"]}
    assert names == {"bash", "curl"}
    assert "| OS packages | 2 | 0 |" in summary.read_text()
    assert "OS packages" in capsys.readouterr().err  # the one-screen summary


def test_explain_alone_shows_the_summary_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    args = SimpleNamespace(report=None, explain=True, verify=True)
    assert surface.wanted(args)
    assert surface.show(args, _verified(tmp_path))
    assert "setuid files" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["after.tar", "before.tar"]


def test_an_unmeasured_report_is_an_error_only_when_a_file_was_asked_for(capsys):
    failed = SimpleNamespace(surface=None, surface_error="`podman save` failed")
    assert not surface.show(SimpleNamespace(report="r.json", explain=False, verify=True), failed)
    assert surface.show(SimpleNamespace(report=None, explain=True, verify=True), failed)
    assert "could not be measured: `podman save` failed" in capsys.readouterr().err
