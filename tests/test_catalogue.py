"""The catalogue (rules/DHnnn.yml), its compiled module and the rule registry agree."""

import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import ROOT, run_dhard
from hardener.catalogue import DOC_SECTIONS, load_yaml_catalogue
from hardener.catalogue_data import RULES as COMPILED
from hardener.rules import RULES

META = {"DH900", "DH901", "DH902"}  # reported by the engine itself, not by a rule module


def test_compiled_module_is_in_sync_with_yaml():
    assert COMPILED == load_yaml_catalogue(), "run: python -m hardener.catalogue"


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


# --- the declared `fix:` agrees with what the rules do -----------------------------------------
#
# Evidence: the findings on every fixture input (fixtures/<CODE>/<case>/input.Dockerfile) under
#   case    - the case's own config and selection, as tests/test_fixtures.py runs it;
#   all     - the same config with every rule selected (each input is evidence for every rule);
#   pinned  - every rule, plus a `pins` entry for every external image the input pulls (the DH4xx
#             fixes exist only with `pins`, so without this a rule could offer a pin fix unseen).
# A finding "has a fix" when it carries edits that `dhard fix` applies (safe or unsafe);
# display-only suggestions and fixes without edits do not count.


def _has_fix(finding) -> bool:
    from hardener.findings import Applicability

    fix = finding.fix
    return bool(fix and fix.edits and fix.applicability is not Applicability.DISPLAY_ONLY)


def _pins_for_every_image(df, config) -> dict:
    from hardener.rules.context import RuleContext
    from hardener.rules.images_refs import image_uses

    pins = {}
    for use in image_uses(RuleContext(df, config)):
        if use.ref.value and not use.ref.digest:
            pins[use.ref.value] = f"{use.ref.value}@sha256:{'0' * 64}"
    return pins


@lru_cache(maxsize=1)
def fix_evidence() -> dict[str, dict[bool, list[str]]]:
    """code -> {has fix: ["<case> (<variant>) line N", ...]}"""
    from test_fixtures import CASES, load_case

    from hardener.lint import lint
    from hardener.parse import parse
    from hardener.source import SourceFile

    evidence: dict[str, dict[bool, list[str]]] = {}
    for folder in CASES:
        spec, config = load_case(folder)
        path = folder / "input.Dockerfile"
        df = parse(SourceFile.from_bytes(path.read_bytes(), str(path)))
        everything = config.with_overrides(select=())
        pinned = everything.with_overrides(pins={**_pins_for_every_image(df, everything), **config.pins})
        for variant, cfg in (("case", config), ("all", everything), ("pinned", pinned)):
            for finding in lint(df, cfg):
                where = f"{folder.parent.name}/{folder.name} ({variant}) line {finding.line}"
                evidence.setdefault(finding.code, {True: [], False: []})[_has_fix(finding)].append(where)
    return evidence


def _fix_cases() -> list:
    return [pytest.param(code, id=code) for code in sorted(load_yaml_catalogue())]


@pytest.mark.parametrize("code", _fix_cases())
def test_declared_fix_matches_behaviour(code):
    declared = load_yaml_catalogue()[code]["fix"]
    seen = fix_evidence().get(code, {True: [], False: []})
    fixed, unfixed = seen[True], seen[False]
    if declared == "never":
        assert not fixed, f"{code} says fix: never, but these findings carry a fix: {fixed[:5]}"
        return
    own_catching = [w for w in fixed + unfixed if w.startswith(f"{code}/") and "(case)" in w]
    assert own_catching, f"{code} says fix: {declared}, but none of its own fixture cases catches anything"
    if declared == "always":
        assert not unfixed, f"{code} says fix: always, but these findings have no fix: {unfixed[:5]}"
        return
    assert fixed, f"{code} says fix: sometimes, but no finding on any fixture input carries a fix (never?)"
    assert unfixed, f"{code} says fix: sometimes, but every finding on the fixture inputs has one (always?)"
