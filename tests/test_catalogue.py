"""The catalogue (rules/DHnnn.yml), its compiled JSON and the rule registry agree."""

import json
import re
from pathlib import Path

from conftest import ROOT, run_dhard
from hardener.catalogue import DOC_SECTIONS, build_json, load_yaml_catalogue
from hardener.rules import RULES

META = {"DH900", "DH901", "DH902"}  # reported by the engine itself, not by a rule module


def test_compiled_json_is_in_sync_with_yaml():
    shipped = (ROOT / "hardener" / "data" / "catalogue.json").read_text()
    assert json.loads(shipped) == json.loads(build_json()), "run: python -m hardener.catalogue"


def test_catalogue_and_registry_match_one_to_one():
    codes = [rule.CODE for rule in RULES]
    assert len(codes) == len(set(codes))
    assert set(codes) | META == set(load_yaml_catalogue())


def test_one_module_per_rule_named_after_it():
    for rule in RULES:
        module = Path(rule.__file__).name
        assert module.startswith(rule.CODE.lower() + "_"), module
        name = load_yaml_catalogue()[rule.CODE]["name"]
        assert module == f"{rule.CODE.lower()}_{name.replace('-', '_')}.py"


def test_every_rule_has_all_doc_sections_and_metadata():
    for code, entry in load_yaml_catalogue().items():
        assert re.fullmatch(r"DH\d{3}", code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", entry["name"]), entry["name"]
        assert entry["severity"] in ("error", "warning", "info", "style")
        assert entry["fix"] in ("always", "sometimes", "never")
        assert entry["message"].strip()
        for section in DOC_SECTIONS:
            assert str(entry["docs"].get(section, "")).strip(), f"{code}: missing docs section {section}"


def test_names_and_aliases_are_unique():
    seen = {}
    for code, entry in load_yaml_catalogue().items():
        for key in [entry["name"], *entry.get("aliases", [])]:
            assert key not in seen or seen[key] == code, f"{key} used by {seen.get(key)} and {code}"
            seen[key] = code


def test_rules_command_prints_the_docs():
    proc = run_dhard("rules", "DH900")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    for title in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options"):
        assert f"## {title}" in out
    assert run_dhard("rules", "DH999").returncode == 2
    listing = run_dhard("rules").stdout.decode()
    assert all(code in listing for code in load_yaml_catalogue())
