"""dhard reads every corpus file exactly as the official BuildKit parser does."""

import json

import dockerfile
import pytest

from conftest import buildkit_cases, corpus_files, corpus_id, run_dhard
from hardener.parse import parse
from hardener.source import SourceFile


def official(text: str):
    try:
        return [
            (c.cmd, c.start_line, c.end_line, list(c.flags), [(h.name, h.content) for h in c.heredocs])
            for c in dockerfile.parse_string(text)
        ], None
    except dockerfile.GoParseError as exc:
        return None, str(exc)


def ours(df):
    return [
        (i.keyword, i.start_line, i.end_line, [f.text for f in i.flags], [(h.name, h.content) for h in i.heredocs])
        for i in df.instructions
    ]


@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_model_agrees_with_buildkit(path, corpus_available):
    data = path.read_bytes()
    expected, error = official(data.decode("utf-8"))
    df = parse(SourceFile.from_bytes(data, str(path)))
    if error is not None:
        assert df.error is not None, f"BuildKit rejects this file ({error}) but dhard parsed it"
        return
    assert df.error is None, df.error
    assert ours(df) == expected


NEGATIVE = [c for c in buildkit_cases() if c.name.startswith("_negative__")]


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: c.name)
def test_negative_cases_give_dh900_not_a_crash(case):
    proc = run_dhard("check", "--format", "json", str(case / "Dockerfile"))
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["findings"]
    assert [f["code"] for f in findings] == ["DH900"]
    assert findings[0]["line"] >= 1
    assert b"Traceback" not in proc.stderr


def test_parse_json_command_matches_official_flags_and_heredocs(tmp_path):
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=bind,source=.,target=/src \\\n"
        "    # comment inside a continuation\n"
        "    go build -o /out/app ./cmd/app\n"
        "COPY --chmod=755 <<EOF /entry.sh\n"
        "#!/bin/sh\n"
        "exec \"$@\"\n"
        "EOF\n"
        "RUN --unknown-flag=\"a b\" echo hi\n"
    )
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    proc = run_dhard("parse", "--format", "json", str(path))
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)["instructions"]
    expected, _ = official(text)
    assert [(i["keyword"], i["start_line"], i["end_line"], i["flags"], [(h["name"], h["content"]) for h in i["heredocs"]]) for i in got] == expected
    assert got[3]["flags"] == ["--unknown-flag=a b"]


EDGE_CASES = {
    "crlf-heredoc": "FROM x\r\nRUN <<EOF\r\nhi\r\nEOF\r\n",
    "terminator-then-instruction": "FROM a\nRUN <<EOF\necho\nEOF\nRUN x",
    "terminator-then-comment": "FROM a\nRUN <<EOF\necho\nEOF\n# c\nRUN x\n",
    "onbuild-heredoc": "FROM a\nONBUILD RUN --mount=x <<EOF\nhi\nEOF\n",
    "chomp-and-quoted": 'FROM a\nRUN cat <<-"E1" <<E2\n\thi\n\tE1\nyo\nE2\n',
    "fd-heredoc": "FROM a\nRUN 2<<EOF cat\nhi\nEOF\n",
    "escaped-delimiter": "FROM x\nRUN <<E\\OF\na\nEOF\n",
    "json-not-heredoc": 'FROM a\nRUN ["sh", "-c", "<<EOF"]\n',
    "bom-and-late-directive": "\ufeffFROM a\n  # escape=x\nRUN --a --b=\"c d\" -- e",
    "escape-backtick": "# escape=`\nFROM a\nRUN x `\n  y\n",
    "escaped-escape-not-continuation": "FROM x\nENV C a\\\\\nENV D y\n",
    "lone-escape-line": "FROM x\nRUN y \\\n\\\nz\n",
    "comment-and-blank-in-continuation": "FROM a\nRUN x \\\n# comment\n\n  y\n",
    "continuation-at-eof": "FROM x\nRUN a \\",
    "unknown-instruction": "FROM a\nfoo bar\nMAINTAINER me\nrun x\n",
    "healthcheck-exec": 'FROM a\nHEALTHCHECK --interval=5s CMD ["curl"]\n',
    "empty-flag-terminator": "FROM x\nRUN --\nRUN --mount\n",
    "heredoc-in-continued-line": 'FROM x\nRUN <<"EOF" cat; \\\n <<A\nhi\nEOF\nyo\nA\n',
    "unterminated-heredoc": "FROM a\nRUN <<EOF\nnever",
    "nested-json": 'FROM x\nCMD ["a", ["b"]]\n',
    "env-no-value": "FROM x\nENV a\n",
    "env-missing-equals": "FROM x\nENV a=b c\n",
    "bad-escape": "# escape=q\nFROM x\n",
    "double-directive": "# escape=\\\n# escape=\\\nFROM x\n",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_cases_agree(text):
    expected, error = official(text)
    df = parse(text)
    if error is not None:
        assert df.error is not None
        assert df.error.line >= 1
    else:
        assert df.error is None, df.error
        assert ours(df) == expected
