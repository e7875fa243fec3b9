"""`dhard lsp` works after a plain `pip install dhard`, and `dhard check` still never imports pygls."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def test_pygls_and_lsprotocol_are_plain_dependencies():
    names = {r.split(">")[0].split("=")[0].split(";")[0].strip().lower() for r in _requirements()}
    assert {"pygls", "lsprotocol"} <= names


def test_check_startup_does_not_import_the_language_server(tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hardener", "check", str(df)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "DH301" in proc.stdout, proc.stdout + proc.stderr
    heavy = sorted(m for m in imported if m.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs") or m.startswith("hardener.lsp"))
    assert not heavy, f"dhard check imported {heavy}"


def test_lsp_help_mentions_no_extra():
    text = (ROOT / "hardener" / "cli" / "lsp_cmd.py").read_text()
    assert "dhard[lsp]" not in text
    readme = (ROOT / "README.md").read_text()
    assert "pip install 'dhard[lsp]'" not in readme
