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
    # Go's unicode.IsSpace is Python's isspace() without \x1c-\x1f
    "x1f-is-not-space-keyword": "FROM x\n\x1fRUN y\n",
    "x1f-is-not-space-flags": "FROM x\nRUN \x1f--mount=x y\n",
    "x1f-is-not-space-heredoc": "FROM x\nRUN <<EOF\x1fx\nhi\nEOF\n",
    "x1f-is-not-space-directive": "\x1f# escape=`\nFROM x\nRUN a `\nb\n",
    "keyword-trailing-unicode-space": "FROM x\nRUN\u2028\n",
    # builder flags are read byte by byte: UTF-8 comes out as Latin-1, bytes 0x85/0xA0 are spaces
    "flags-utf8-as-latin1": "FROM x\nRUN --mount=target=/\u00e9 x\n",
    "flags-nbsp-byte-ends-word": "FROM x\nRUN --a=a\xa0b --c x\n",
    "flags-nel-byte-ends-word": "FROM x\nRUN --a\x85--b y\n",
    "flags-only-after-ascii-blanks": "FROM x\nRUN \u2028--a y\n",
    "flags-quoted-terminator": 'FROM x\nRUN --"" --a y\n',
    "garbled-arguments": "FROM x\nHEALTHCHECK --\u0800 [1]\n",
    # every "\r" before "\n" (or the end of the file) is line ending
    "cr-cr-lf-continuation": "FROM x\nRUN x \\\r\r\ny\n",
    "cr-cr-lf-heredoc": "FROM x\nRUN <<EOF\nhi\r\r\nEOF\r\r\n",
    "cr-terminator-at-eof": "FROM x\nRUN <<EOF\nhi\nEOF\r",
    "cr-cr-lf-directive": "# escape=`\r\r\nFROM x\nRUN a `\nb\n",
    "directive-form-feed": "#\fescape=`\f\nFROM x\nRUN a `\nb\n",
    # JSON as Go decodes it: the first value only, no NaN, float64 range, 10000 levels deep
    "json-nan-is-not-json": 'FROM x\nCMD ["a", NaN]\n',
    "json-out-of-float64-is-not-json": "FROM x\nCMD [1e400]\n",
    "json-trailing-text-ignored": "FROM x\nCMD [1] x\n",
    "json-deeply-nested": "FROM x\nCMD " + "[" * 1500 + "]" * 1500 + "\n",
    "json-too-deep-for-go": "FROM x\nCMD " + "[" * 10001 + "]" * 10001 + "\n",
    "env-legacy-needs-ascii-blank": "FROM x\nENV a\xa0b\n",
    "healthcheck-type-ends-at-ascii-blank": "FROM x\nHEALTHCHECK CMD\u2028[1]\n",
    "healthcheck-type-ends-at-nbsp-byte": "FROM x\nHEALTHCHECK CMD\u4f60[1]\n",
    # heredoc words as BuildKit's shell lexer finds them
    "heredoc-line-lexer-error": 'FROM x\nRUN <<EOF echo "unterminated ${x#a}\nhi\nEOF\n',
    "heredoc-empty-name": 'FROM x\nRUN <<""\nhi\n\n',
    "heredoc-bom-skipped": "FROM x\nCOPY <<\ufeff /x\n",
    "heredoc-operand-lexer-error": "FROM x\nRUN <<${x:-a b}\nhi\n",
    # keywords compared after Go's strings.ToLower
    "keyword-go-case-folding": "FROM x\n\u017fHELL [1]\nONBU\u0130LD RUN <<EOF\nhi\nEOF\n",
    "keyword-kelvin-sign": "FROM x\nHEALTHCHEC\u212a CMD [1]\n",
    # bufio.Scanner's 64 KiB line limit
    "line-too-long": "FROM x\nRUN " + "a" * 65532 + "\n",
    "line-not-too-long": "FROM x\nRUN " + "a" * 65531 + "\n",
    # inputs that made parse raise
    "heredoc-huge-fd": "FROM x\nRUN " + "1" * 5000 + "<<EOF\nhi\nEOF\n",
    "onbuild-long-chain": "FROM x\n" + "ONBUILD " * 3000 + "CMD [1]\n",
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


# FROM's image word: BuildKit's parser hands it over with its quotes (as the
# binding shows); the build then runs it through BuildKit's shell lexer
# (dockerfile2llb: shlex.ProcessWordWithMatches(st.BaseName, globalArgs), with
# the file's escape token), which removes quotes and escapes and substitutes
# the global ARGs -- but not inside single quotes. dhard's base is that word.
FROM_QUOTES = {
    "double-quoted": ('FROM "python:3.11-slim" AS app\n', "python:3.11-slim", (None, "python", "3.11-slim")),
    "single-quoted": ("FROM 'gcr.io/distroless/static:nonroot'\n", "gcr.io/distroless/static:nonroot",
                      ("gcr.io", "distroless/static", "nonroot")),
    "quoted-part": ('FROM py"thon":"3"\n', "python:3", (None, "python", "3")),
    "arg-in-double-quotes": ('ARG TAG=3.12\nFROM "python:${TAG}"\n', "python:3.12", (None, "python", "3.12")),
    "arg-in-single-quotes": ("ARG TAG=3.12\nFROM 'python:$TAG'\n", "python:$TAG", (None, "python", "$TAG")),
    "quoted-default": ('FROM "alpine:${TAG:-"3.19"}"\n', "alpine:3.19", (None, "alpine", "3.19")),
    "escaped-quote": ('FROM \\"x\n', '"x', (None, '"x', None)),
    "backtick-escape": ("# escape=`\nFROM py`thon:3\n", "python:3", (None, "python", "3")),
    "unquoted-unchanged": ("FROM docker.io/library/node:22\n", "docker.io/library/node:22", (None, "node", "22")),
}


@pytest.mark.parametrize("text, value, parts", FROM_QUOTES.values(), ids=FROM_QUOTES.keys())
def test_from_image_is_read_without_its_quotes(text, value, parts):
    official_words = [c.value for c in dockerfile.parse_string(text) if c.cmd.upper() == "FROM"]
    df = parse(text)
    (stage,) = df.stages
    assert official_words == [tuple(stage.from_.words)]  # the word as BuildKit's parser gives it
    assert stage.base.written == official_words[0][0]
    assert stage.base.value == value
    assert (stage.base.registry, stage.base.repository, stage.base.tag) == parts


def test_quoted_from_finds_the_image_and_the_stage():
    from hardener.images import lookup

    df = parse('FROM golang:1.22 AS build\nFROM "python:3.11-slim"\nFROM "build" AS final\n')
    _, python, final = df.stages
    assert lookup(python.base.registry, python.base.repository, python.base.tag).key == "python"
    assert final.parent == 0  # BuildKit looks the processed name up among the stages
    assert [s.ships for s in df.stages] == [True, False, True]
