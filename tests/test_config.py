"""Config discovery, options, bad config, pragmas and the failure threshold."""

import json

from conftest import run_dhard
from hardener.config import Config, ConfigError, from_mapping, load_config
from hardener.lint import lint
from hardener.parse import parse

UNTAGGED = "FROM python\nCOPY app.py /app.py\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def codes(proc):
    return [f["code"] for f in json.loads(proc.stdout)["findings"]]


def test_pyproject_found_by_walking_up(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.dhard]\nselect = ["DH401"]\n')
    path = write(tmp_path / "svc" / "deep" / "Dockerfile", UNTAGGED)
    assert load_config(str(path)).select == ("DH401",)
    assert codes(run_dhard("check", "--format", "json", str(path))) == ["DH401"]


def test_dhard_yaml_wins_over_pyproject_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.dhard]\nselect = ['DH401']\n")
    write(tmp_path / ".dhard.yaml", "select: [DH404]\n")
    path = write(tmp_path / "Dockerfile", UNTAGGED)
    assert load_config(str(path)).select == ("DH404",)


def test_command_line_wins(tmp_path):
    write(tmp_path / ".dhard.yaml", "select: [DH404]\n")
    path = write(tmp_path / "Dockerfile", UNTAGGED)
    assert codes(run_dhard("check", "--format", "json", "--select", "untagged-image", str(path))) == ["DH401"]
    assert codes(run_dhard("check", "--format", "json", "--ignore", "DH404", str(path))) == []


def test_bad_config_is_one_line_naming_the_key_exit_2(tmp_path):
    write(tmp_path / ".dhard.yaml", "selct: [DH401]\n")
    path = write(tmp_path / "Dockerfile", UNTAGGED)
    proc = run_dhard("check", str(path))
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "selct" in err and ".dhard.yaml" in err


def test_bad_values_are_rejected():
    for data, key in [
        ({"severity": {"DH401": "loud"}}, "severity"),
        ({"severity": {"DH999": "error"}}, "DH999"),
        ({"failure-threshold": 3}, "failure-threshold"),
        ({"pins": ["python"]}, "pins"),
        ({"unsafe-fixes": "yes"}, "unsafe-fixes"),
    ]:
        try:
            from_mapping(data, "cfg")
        except ConfigError as exc:
            assert key in str(exc)
        else:
            raise AssertionError(f"accepted {data}")


def test_info_findings_do_not_fail_by_default_but_can(tmp_path):
    path = write(tmp_path / "Dockerfile", "FROM python:3.12.7-slim\nUSER 65532\n")
    assert run_dhard("check", "--select", "DH404", str(path)).returncode == 0
    write(tmp_path / ".dhard.yaml", "failure-threshold: info\n")
    assert run_dhard("check", "--select", "DH404", str(path)).returncode == 1
    write(tmp_path / ".dhard.yaml", "severity: {DH404: error}\n")
    proc = run_dhard("check", "--format", "json", "--select", "DH404", str(path))
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["findings"][0]["severity"] == "error"


def test_pragmas_next_instruction_global_and_hadolint_alias():
    text = (
        "# dhard: global ignore=DH404\n"
        "FROM python\n"
        "# hadolint ignore=DL3006\n"
        "FROM node\n"
        "# dhard: ignore=untagged-image\n"
        "FROM ruby\n"
        "FROM golang\n"
    )
    found = [(f.code, f.line) for f in lint(parse(text), Config(select=("DH401", "DH404", "DH9")))]
    assert found == [("DH401", 2), ("DH401", 7)]


def test_unknown_and_unused_suppressions_are_reported():
    text = "# dhard: ignore=DH3O1\nFROM python:3.12.7-slim\n# dhard: ignore=DH401\nFROM node:22.11.0\n"
    found = [(f.code, f.line) for f in lint(parse(text), Config(select=("DH401", "DH9")))]
    assert found == [("DH901", 1), ("DH902", 3)]


def test_a_batch_finds_each_directorys_config_and_follows_a_linked_dockerfile(tmp_path):
    write(tmp_path / "a" / ".dhard.yaml", "select: [DH401]\n")
    write(tmp_path / "b" / ".dhard.yaml", "select: [DH101]\n")
    first = write(tmp_path / "a" / "Dockerfile", UNTAGGED)
    second = write(tmp_path / "a" / "Dockerfile.dev", UNTAGGED)
    other = write(tmp_path / "b" / "Dockerfile", UNTAGGED)
    linked = tmp_path / "a" / "Dockerfile.b"
    linked.symlink_to(other)
    paths = [str(p.relative_to(tmp_path)) for p in (first, second, linked, other)]
    proc = run_dhard("check", "--format", "json", *paths, cwd=tmp_path)
    found = {(f["path"], f["code"]) for f in json.loads(proc.stdout)["findings"]}
    assert found == {("a/Dockerfile", "DH401"), ("a/Dockerfile.dev", "DH401"), ("a/Dockerfile.b", "DH101"),
                     ("b/Dockerfile", "DH101")}
