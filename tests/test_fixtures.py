"""Every fixture case under fixtures/<CODE>/<case>/: findings, fixed bytes, idempotence.

case.yml:
    rules: [DH301]            # what is selected (codes, prefixes or names)
    unsafe: false             # also apply unsafe fixes
    config: {...}             # optional [tool.dhard] options (pins, trusted-registries...)
    findings:                 # the exact findings of the selected rules, in order
      - {code: DH301, line: 3, fix: safe}     # fix: safe | unsafe | display-only | null
    remaining: [DH302]        # codes allowed to remain after fixing (default: none of rules)

expected.Dockerfile is the byte-exact result of `dhard fix`; without it the
fix must leave the file unchanged. With ``suggestions: true`` the fixes are
only shown (display-only, or unproven: applied only by ``dhard fix --verify``):
the file must stay unchanged, and expected.Dockerfile is what they suggest. A ``context/`` folder is the build context the rules may read.
"""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from hardener.config import from_mapping
from hardener.fixer import fix_source
from hardener.lint import lint
from hardener.parse import parse
from hardener.source import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("DH*/*") if (p / "case.yml").is_file())


def load_case(folder: Path):
    spec = YAML(typ="safe").load((folder / "case.yml").read_text())
    config = from_mapping(spec.get("config") or {}, str(folder / "case.yml"))
    config = config.with_overrides(select=tuple(spec["rules"]))
    return spec, config


def summary(findings):
    return [
        {"code": f.code, "line": f.line, "fix": f.fix.applicability.value if f.fix and f.fix.edits else None}
        for f in findings
    ]


def suggested(source: SourceFile, findings) -> bytes:
    """The file with the edits of every fix dhard only shows (display-only, unproven) spliced in."""
    edits = sorted((e for f in findings if f.fix and f.fix.applicability.value in ("display-only", "unproven")
                    for e in f.fix.edits),
                   key=lambda e: e.start, reverse=True)
    text = source.text
    for edit in edits:
        text = text[: edit.start] + edit.content + text[edit.end :]
    return source.with_text(text).to_bytes()


@pytest.mark.parametrize("folder", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(folder: Path):
    spec, config = load_case(folder)
    data = (folder / "input.Dockerfile").read_bytes()
    source = SourceFile.from_bytes(data, str(folder / "input.Dockerfile"))
    df = parse(source)
    if df.error is None:
        joined = "".join(df.text[i.trivia_start : i.end] for i in df.instructions) + df.text[df.tail :]
        assert joined == source.text, "round trip"

    expected_findings = [
        {"code": f["code"], "line": f["line"], "fix": f.get("fix")} for f in spec.get("findings") or []
    ]
    context = folder / "context" if (folder / "context").is_dir() else None
    assert summary(lint(df, config, context)) == expected_findings

    unsafe = bool(spec.get("unsafe", False))
    result = fix_source(source, config, unsafe=unsafe, context_dir=context)
    expected_path = folder / "expected.Dockerfile"
    expected = expected_path.read_bytes() if expected_path.exists() else data
    if spec.get("suggestions"):
        # the fixes are only shown: the file stays as it is, and expected.Dockerfile is what they suggest
        assert result.source.to_bytes() == data, "a fix that is only shown was applied"
        assert suggested(source, lint(df, config, context)) == expected, "suggested bytes differ from expected.Dockerfile"
        return
    assert result.source.to_bytes() == expected, "fixed bytes differ from expected.Dockerfile"
    assert not result.reverted, f"fixes reverted: {[f.code for f in result.reverted]}"

    allowed = set(spec.get("remaining") or [])
    fixed_codes = {f["code"] for f in expected_findings if f["fix"] == "safe" or (unsafe and f["fix"] == "unsafe")}
    left = {f.code for f in result.remaining} & fixed_codes - allowed
    assert not left, f"fixed findings came back: {left}"

    again = fix_source(result.source, config, unsafe=unsafe, context_dir=context)
    assert again.source.text == result.source.text, "a second fix changed the file"


def test_every_rule_has_catching_and_passing_cases():
    from hardener.rules import RULES

    for rule in RULES:
        folders = [p for p in CASES if p.parent.name == rule.CODE]
        catching = [p for p in folders if load_case(p)[0].get("findings")]
        passing = [p for p in folders if not load_case(p)[0].get("findings")]
        assert catching and passing, f"{rule.CODE} needs fixture cases that catch and that pass"
