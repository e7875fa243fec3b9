"""The command line contract: discovery, formats, exit codes, one-line errors."""

import json

from conftest import run_dhard


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def test_directories_are_searched_for_dockerfile_names(tmp_path):
    good = "FROM scratch\nCOPY app /app\n"
    for name in ["Dockerfile", "Containerfile", "Dockerfile.dev", "api.Dockerfile", "web.dockerfile", "sub/Dockerfile"]:
        write(tmp_path / name, "FROM x\nENV a\n")
    write(tmp_path / "README.md", "not a dockerfile")
    write(tmp_path / "node_modules/Dockerfile", good)
    proc = run_dhard("check", "--format", "json", "--select", "DH900", str(tmp_path))
    paths = sorted({f["path"].replace(str(tmp_path), "").lstrip("/") for f in json.loads(proc.stdout)["findings"]})
    assert paths == sorted(["Containerfile", "Dockerfile", "Dockerfile.dev", "api.Dockerfile", "sub/Dockerfile", "web.dockerfile"])
    assert proc.returncode == 1


def test_json_schema_is_stable(tmp_path):
    path = write(tmp_path / "Dockerfile", "FROM busybox\n\nENV PATH\n")
    proc = run_dhard("check", "--format", "json", str(path))
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    (finding,) = doc["findings"]
    assert set(finding) == {"path", "code", "name", "severity", "message", "line", "column", "end_line", "end_column", "fix"}
    assert (finding["code"], finding["name"], finding["severity"], finding["line"], finding["fix"]) == (
        "DH900", "parse-error", "error", 3, None,
    )


def test_unreadable_files_exit_2_and_others_are_still_checked(tmp_path):
    bad_utf8 = write(tmp_path / "a" / "Dockerfile", b"FROM a\nRUN echo \xff\n")
    binary = write(tmp_path / "b" / "Dockerfile", b"\x00\x01\x02")
    broken = write(tmp_path / "c" / "Dockerfile", "FROM x\nENV a\n")
    proc = run_dhard("check", "--format", "json", str(bad_utf8), str(binary), str(tmp_path / "missing"), str(broken))
    assert proc.returncode == 2
    errors = proc.stderr.decode().strip().splitlines()
    assert len(errors) == 3, errors
    assert any(str(bad_utf8) in e and ":2:" in e for e in errors)
    assert any(str(binary) in e and "binary" in e for e in errors)
    assert any("missing" in e for e in errors)
    assert "Traceback" not in proc.stderr.decode()
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["DH900"]


def test_exit_zero_and_clean_exit(tmp_path):
    broken = write(tmp_path / "Dockerfile", "FROM x\nENV a\n")
    assert run_dhard("check", "--exit-zero", str(broken)).returncode == 0
    clean = write(tmp_path / "ok" / "Dockerfile", "FROM scratch\nCOPY app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n")
    proc = run_dhard("check", "--select", "DH9", str(clean))
    assert proc.returncode == 0, proc.stdout


def test_bad_option_is_exit_2():
    proc = run_dhard("check", "--format", "yaml", ".")
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


def test_parse_text_and_module_entry_point(tmp_path):
    path = write(tmp_path / "Dockerfile", "ARG V=3.11\nFROM python:${V}-slim AS base\nFROM base\nRUN echo hi\n")
    proc = run_dhard("parse", str(path))
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "stage 0 as base: python:3.11-slim [ships]" in out
    assert "stage 1: base [ships]" in out
