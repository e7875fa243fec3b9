"""`dhard fix --stdin-filename PATH -`: the fixed file on stdout, messages on stderr, PATH's config.

Editors and formatters pipe a buffer through this, so stdout must hold the
Dockerfile's bytes and nothing else, and the config must be the one found by
walking up from PATH, exactly as if the file were there.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_dhard

from hardener.config import Config
from hardener.fixer import fix_source
from hardener.source import SourceFile

DIGEST = "sha256:" + "ab" * 32
NODE_PIN = f"node:22.11.0-bookworm-slim@{DIGEST}"
UBUNTU_PIN = f"ubuntu:24.04@{DIGEST}"


def _config(directory: Path, text: str) -> None:
    (directory / ".dhard.yaml").write_text(text, encoding="utf-8")


def _pins_config(extra: str = "") -> str:
    return (
        "unsafe-fixes: true\n"
        "pins:\n"
        f"  node:latest: {NODE_PIN}\n"
        f"  ubuntu: {UBUNTU_PIN}\n"
        + extra
    )


def test_fixed_text_on_stdout_and_messages_on_stderr(tmp_path):
    project = tmp_path / "project"
    (project / "svc").mkdir(parents=True)
    _config(project, _pins_config("select: [DH4]\n"))
    result = run_dhard("fix", "--stdin-filename", str(project / "svc" / "Dockerfile"), "-", input=b"FROM node:latest\nCMD [\"node\"]\n")
    assert result.stdout == f"FROM {NODE_PIN}\nCMD [\"node\"]\n".encode()
    assert b"fixed DH402" in result.stderr
    assert b"Dockerfile:1" in result.stderr  # messages name the stdin filename
    assert result.returncode == 0
    assert not (project / "svc" / "Dockerfile").exists()  # nothing written to PATH


def test_config_next_to_path_applies_its_ignore(tmp_path):
    _config(tmp_path, _pins_config("select: [DH4]\nignore: [DH402, DH404]\n"))
    source = b"FROM ubuntu\nFROM node:latest\n"
    result = run_dhard("fix", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=source)
    # ubuntu (DH401, not ignored) is pinned; node:latest is only DH402/DH404, both ignored there
    assert result.stdout == f"FROM {UBUNTU_PIN}\nFROM node:latest\n".encode()
    assert b"DH402" not in result.stderr and b"DH404" not in result.stderr
    assert result.returncode == 0


def test_without_that_config_the_defaults_apply(tmp_path):
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    _config(tmp_path / "with", _pins_config("select: [DH4]\n"))
    source = b"FROM node:latest\n"
    with_config = run_dhard("fix", "--stdin-filename", str(tmp_path / "with" / "Dockerfile"), "-", input=source)
    without = run_dhard("fix", "--stdin-filename", str(tmp_path / "without" / "Dockerfile"), "-", input=source)
    assert with_config.stdout == f"FROM {NODE_PIN}\n".encode()
    # no pins and no unsafe fixes there: exactly what the default config makes of it
    expected = fix_source(SourceFile.from_bytes(source, "Dockerfile"), Config()).source.to_bytes()
    assert without.stdout == expected
    assert NODE_PIN.encode() not in without.stdout
    assert b"DH402" in without.stderr  # still reported, on stderr
    assert without.returncode == 1  # a warning remains


def test_bytes_survive_bom_crlf_and_no_final_newline(tmp_path):
    _config(tmp_path, _pins_config("select: [DH4]\n"))
    source = b"\xef\xbb\xbfFROM node:latest\r\nCMD [\"node\"]"
    result = run_dhard("fix", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=source)
    assert result.stdout == b"\xef\xbb\xbf" + f"FROM {NODE_PIN}\r\nCMD [\"node\"]".encode()


def test_exit_non_zero_on_fix(tmp_path):
    _config(tmp_path, _pins_config("select: [DH4]\n"))
    name = str(tmp_path / "Dockerfile")
    changed = run_dhard("fix", "--exit-non-zero-on-fix", "--stdin-filename", name, "-", input=b"FROM node:latest\n")
    assert changed.returncode == 1
    assert changed.stdout == f"FROM {NODE_PIN}\n".encode()
    clean = run_dhard("fix", "--exit-non-zero-on-fix", "--stdin-filename", name, "-", input=changed.stdout)
    assert clean.returncode == 0
    assert clean.stdout == changed.stdout


def test_parse_error_echoes_input_and_reports_on_stderr(tmp_path):
    source = b"FROM alpine:3.20\nRUN <<EOF\necho hi\n"
    result = run_dhard("fix", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=source)
    assert result.stdout == source
    assert b"DH900" in result.stderr
    assert result.returncode == 1


def test_bad_config_for_path_is_an_error_and_prints_no_text(tmp_path):
    _config(tmp_path, "no-such-option: 1\n")
    result = run_dhard("fix", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=b"FROM node:latest\n")
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"no-such-option" in result.stderr


def test_check_reads_stdin_with_the_config_for_path(tmp_path):
    _config(tmp_path, "ignore: [DH402, DH404]\n")
    result = run_dhard("check", "--format", "json", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=b"FROM node:latest\n")
    import json

    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "DH402" not in codes and "DH404" not in codes


def test_stdin_diff_check_and_exit_zero():
    from conftest import run_dhard

    text = b"FROM debian:12.8-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER 65532\n"
    diff = run_dhard("fix", "--diff", "--stdin-filename", "Dockerfile", "-", input=text)
    assert diff.returncode == 1
    assert diff.stdout.startswith(b"--- a/Dockerfile") and b"+RUN apt-get update" in diff.stdout
    check = run_dhard("fix", "--check", "--stdin-filename", "Dockerfile", "-", input=text)
    assert check.returncode == 1 and check.stdout == b""
    formatted = run_dhard("fix", "--exit-zero", "--stdin-filename", "Dockerfile", "-", input=text)
    assert formatted.returncode == 0 and b"rm -rf /var/lib/apt/lists/*" in formatted.stdout
