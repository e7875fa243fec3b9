"""scripts/new_rule.py: the scaffold registers a rule that imports, loads and runs."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "hardener" / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "hardener" / "rules" / "__init__.py", root / "hardener" / "rules" / "__init__.py")
    (root / "rules").mkdir()
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "new_rule.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, check=False)


def test_scaffold_writes_a_rule_that_registers_and_runs(tmp_path):
    root = _tree(tmp_path)
    done = _run(root, "DH309", "cache-left-behind", "--severity", "info", "--summary", "A cache is left.")
    assert done.returncode == 0, done.stderr
    registry = (root / "hardener" / "rules" / "__init__.py").read_text()
    names = registry.split("_MODULES = (\n")[1].split(")\n")[0].split()
    assert names.index('"dh309_cache_left_behind",') == names.index('"dh308_package_manager_in_final_image",') + 1
    entry = YAML(typ="safe").load((root / "rules" / "DH309.yml").read_text())
    assert (entry["code"], entry["name"], entry["severity"], entry["fix"]) == ("DH309", "cache-left-behind", "info", "never")
    assert set(entry["docs"]) == {"what-it-does", "why-is-this-bad", "example", "use-instead", "fix-safety", "options"}
    spec = importlib.util.spec_from_file_location("scaffolded", root / "hardener" / "rules" / "dh309_cache_left_behind.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.CODE == "DH309" and list(module.check(None)) == []
    for case in ("catch", "pass"):
        assert YAML(typ="safe").load((root / "fixtures" / "DH309" / case / "case.yml").read_text())["rules"] == ["DH309"]


def test_scaffold_refuses_to_overwrite_or_bad_names(tmp_path):
    root = _tree(tmp_path)
    assert _run(root, "DH309", "x-y").returncode == 0
    before = (root / "hardener" / "rules" / "__init__.py").read_text()
    again = _run(root, "DH309", "x-y")
    assert again.returncode != 0 and "already" in again.stderr
    assert (root / "hardener" / "rules" / "__init__.py").read_text() == before
    assert _run(root, "DH39", "x").returncode == 2
    assert _run(root, "DH310", "Not_Kebab").returncode == 2
