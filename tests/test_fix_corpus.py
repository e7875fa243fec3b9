"""`dhard fix` on every real corpus file: parses, stays valid shell, touches only what it fixes, is idempotent.

These are the checks PITFALLS.md asks every fix to pass, run with safe fixes
and again with --unsafe-fixes.
"""

import difflib
import subprocess
import tempfile

import dockerfile
import pytest

from conftest import corpus_id, real_files
from hardener.fixer import applicable, fix_source
from hardener.lint import lint
from hardener.parse import parse
from hardener.syntax.line import KNOWN_INSTRUCTIONS
from hardener.source import SourceFile


def dash_ok(script: str) -> bool:
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as handle:
        handle.write(script + "\n")
    return subprocess.run(["dash", "-n", handle.name], capture_output=True).returncode == 0


def shell_bodies(ins) -> list[str]:
    body = ins.sub if ins.sub is not None else ins
    if body.name != "RUN" or body.json:
        return []
    if body.heredocs and body.args.lstrip().startswith("<<"):
        return [h.content for h in body.heredocs]
    return [body.args]


def allowed_instructions(df, findings, unsafe):
    """Original instructions a fix may change: flagged by a fixable finding, or under one of its edits."""
    allowed = set()
    for f in findings:
        if not applicable(f, unsafe):
            continue
        if f.instruction is not None:
            allowed.add(f.instruction)
        for edit in f.fix.edits:
            for ins in df.instructions:
                if edit.start < ins.end and ins.trivia_start <= edit.end:
                    allowed.add(ins.index)
    return allowed


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", real_files(), ids=corpus_id)
def test_fixes_on_corpus(path, unsafe, corpus_available):
    source = SourceFile.read(path)
    before = parse(source)
    findings = lint(before)
    result = fix_source(source, unsafe=unsafe)
    assert not result.reverted, f"fixes whose output did not parse: {[f.code for f in result.reverted]}"
    if result.source.text == source.text:
        assert not [f for f in findings if applicable(f, unsafe)], "fixable findings but nothing changed"
        return
    after = parse(result.source)

    # The official parser accepts it, and no instruction became unknown.
    dockerfile.parse_string(result.source.text)
    unknown_before = sum(i.name not in KNOWN_INSTRUCTIONS for i in before.instructions)
    unknown_after = sum(i.name not in KNOWN_INSTRUCTIONS for i in after.instructions)
    assert unknown_after <= unknown_before

    # Only instructions with fixable findings changed; the others are byte-identical.
    old = [source.text[i.start : i.end] for i in before.instructions]
    new = [result.source.text[i.start : i.end] for i in after.instructions]
    allowed = allowed_instructions(before, findings, unsafe)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            changed = set(range(i1, i2))
            assert changed <= allowed, f"changed without a fixable finding: {sorted(changed - allowed)}"
        if tag in ("replace", "insert"):
            assert all(ins.name in KNOWN_INSTRUCTIONS for ins in after.instructions[j1:j2])
        if tag == "replace":
            for original, edited in zip(before.instructions[i1:i2], after.instructions[j1:j2]):
                for old_body, new_body in zip(shell_bodies(original), shell_bodies(edited)):
                    if old_body != new_body and dash_ok(old_body):
                        assert dash_ok(new_body), f"edited RUN is no longer valid sh:\n{new_body}"

    # What was fixable is fixed, and a second run changes nothing.
    assert not [f for f in lint(after) if applicable(f, unsafe)], "fixable findings remain after fixing"
    again = fix_source(result.source, unsafe=unsafe)
    assert again.source.text == result.source.text, "a second fix changed the file"
