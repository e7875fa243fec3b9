"""The package-manager fixes (DH3xx) on every real corpus file: the output stays valid.

For each file of corpus/real, apply every safe DH3 fix (and, separately, the
unsafe ones too) and check what PITFALLS.md
asks of a fix: BuildKit's own parser accepts the result, no new unknown
instruction appears, every edited shell-form RUN is valid for ``dash -n``, only
instructions with a fixable finding changed, the fixed findings are gone, nothing
was reverted, and a second run changes nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import corpus_id, real_files
from hardener.config import Config
from hardener.fixer import applicable, fix_source
from hardener.lint import lint
from hardener.parse import parse
from hardener.syntax.line import KNOWN_INSTRUCTIONS
from hardener.source import SourceFile

SELECT = ("DH3",)
DASH = shutil.which("dash") or "/usr/bin/dash"


def _official(text: str):
    import dockerfile

    return dockerfile.parse_string(text)


def _unknown_keywords(df) -> set[str]:
    return {ins.name for ins in df.instructions if ins.name not in KNOWN_INSTRUCTIONS}


def _shell_text(ins) -> str | None:
    """What the shell runs for a shell-form RUN (None for exec form / non-RUN)."""
    body = ins.sub if ins.sub is not None else ins
    if body.name != "RUN" or body.json:
        return None
    args = body.args
    if body.heredocs and args.startswith("<<"):
        content = body.heredocs[0].content
        return None if content.startswith("#!") and "sh" not in content.split("\n", 1)[0] else content
    text = args
    for doc in body.heredocs:
        text += "\n" + doc.content + doc.name
    return text + "\n"


def _dash_ok(script: str) -> tuple[bool, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False, encoding="utf-8") as handle:
        handle.write(script)
        name = handle.name
    try:
        proc = subprocess.run([DASH, "-n", name], capture_output=True, text=True, timeout=30)
        return proc.returncode == 0, proc.stderr
    finally:
        Path(name).unlink()


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", real_files(), ids=corpus_id)
def test_dh3_fixes_keep_the_file_valid(path: Path, unsafe: bool, corpus_available):
    config = Config().with_overrides(select=SELECT)
    source = SourceFile.read(path)
    before = parse(source)
    if before.error is not None:
        pytest.skip("BuildKit cannot parse the original")
    findings = lint(before, config)
    fixable = {f.instruction for f in findings if applicable(f, unsafe=unsafe)}

    result = fix_source(source, config, unsafe=unsafe)
    assert not result.reverted, f"fixes reverted: {[(f.code, f.line) for f in result.reverted]}"
    if not result.applied:
        assert result.source.text == source.text
        return
    text = result.source.text
    after = parse(result.source)
    assert after.error is None, after.error

    # BuildKit's own parser accepts the output (if it accepted the input)
    try:
        _official(source.text)
    except Exception:  # noqa: BLE001 - the original is beyond the official parser already
        pass
    else:
        _official(text)

    assert _unknown_keywords(after) <= _unknown_keywords(before), "a fix created an unknown instruction"

    # safe fixes keep the instruction sequence; only fixable instructions change
    assert [i.name for i in after.instructions] == [i.name for i in before.instructions]
    for old, new in zip(before.instructions, after.instructions):
        old_text = before.text[old.trivia_start : old.end]
        new_text = text[new.trivia_start : new.end]
        if old_text == new_text:
            continue
        assert old.index in fixable, f"instruction at line {old.start_line} changed without a fixable finding"
        script = _shell_text(new)
        if script is not None:
            ok, err = _dash_ok(script)
            if not ok:
                ok_before, _ = _dash_ok(_shell_text(old) or "")
                assert not ok_before, f"RUN at line {new.start_line} no longer passes dash -n: {err}"

    # the findings that were fixed are gone
    fixed = {(f.code, f.instruction) for f in result.applied}
    left = {(f.code, f.instruction) for f in lint(after, config)}
    assert not (fixed & left), f"fixed findings came back: {sorted(fixed & left)}"

    # idempotent
    again = fix_source(result.source, config, unsafe=unsafe)
    assert again.source.text == text, "a second fix changed the file"
