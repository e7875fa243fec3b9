"""Stages, image references, ARG resolution and what ships."""

import pytest

from hardener.parse import parse
from hardener.syntax.expand import expand
from hardener.syntax.imageref import parse_image_ref


@pytest.mark.parametrize(
    "written, registry, repository, tag, digest",
    [
        ("python:3.11-slim", None, "python", "3.11-slim", None),
        ("docker.io/library/python:3.11", None, "python", "3.11", None),
        ("localhost:5000/team/app:1.2", "localhost:5000", "team/app", "1.2", None),
        ("registry.example.com:8443/img", "registry.example.com:8443", "img", None, None),
        ("gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12", "nonroot", None),
        ("alpine@sha256:" + "a" * 64, None, "alpine", None, "sha256:" + "a" * 64),
        ("alpine:3.19@sha256:" + "b" * 64, None, "alpine", "3.19", "sha256:" + "b" * 64),
        ("bitnami/redis", None, "bitnami/redis", None, None),
    ],
)
def test_image_references(written, registry, repository, tag, digest):
    ref = parse_image_ref(written)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


@pytest.mark.parametrize(
    "text, scope, expected",
    [
        ("$X", {"X": "1"}, "1"),
        ("${X}-slim", {"X": "3"}, "3-slim"),
        ("${X:-d}", {}, "d"),
        ("${X:-d}", {"X": ""}, "d"),
        ("${X-d}", {"X": ""}, ""),
        ("${X:+v}", {"X": "1"}, "v"),
        ("${X:+v}", {}, ""),
        ("$X", {}, None),
        ("${X:-d}", {"X": None}, None),
    ],
)
def test_expand(text, scope, expected):
    assert expand(text, scope)[0] == expected


def test_global_args_resolve_from_and_unresolved_is_marked():
    df = parse(
        "ARG REG=ghcr.io\nARG TAG\nFROM ${REG}/team/app:1 AS a\nFROM alpine:${TAG}\nFROM ${REG:+$REG/}base:${VER:-2}\n"
    )
    a, b, c = df.stages
    assert (a.base.registry, a.base.repository, a.base.tag) == ("ghcr.io", "team/app", "1")
    assert not b.base.resolved and b.base.unresolved == ("TAG",)
    assert c.base.value == "ghcr.io/base:2"


def test_shipping_follows_from_stage_chain():
    df = parse(
        "FROM golang:1.22 AS build\nRUN go build\n"
        "FROM debian:12 AS base\nRUN apt-get update\n"
        "FROM base AS final\nCOPY --from=build /out /app\n"
    )
    assert [s.ships for s in df.stages] == [False, True, True]
    assert df.stages[2].parent == 1
    assert [i.stage for i in df.instructions] == [0, 0, 1, 1, 2, 2]


def test_stage_alias_is_case_insensitive_and_platform_resolved():
    df = parse("ARG P=linux/amd64\nFROM --platform=$P alpine:3.19 AS Builder\nFROM builder\n")
    assert df.stages[1].parent == 0
    assert df.stages[0].platform == "linux/amd64"


def test_onbuild_keeps_inner_instruction():
    df = parse("FROM a\nONBUILD COPY --chown=1:1 <<EOF /x\nhi\nEOF\n")
    ins = df.instructions[1]
    assert ins.keyword == "ONBUILD" and ins.sub.keyword == "COPY"
    assert [f.text for f in ins.sub.flags] == ["--chown=1:1"]
    assert ins.sub.heredocs[0].content == "hi\n"


def test_exec_form_and_invalid_json_fallback():
    df = parse('FROM a\nCMD ["python", "app.py"]\nCMD [python, app.py]\n')
    assert df.instructions[1].json and df.instructions[1].argv == ("python", "app.py")
    assert not df.instructions[2].json


def test_source_offset_maps_logical_line_back():
    text = "FROM a\nRUN apt-get update \\\n  # note\n  && apt-get install -y curl\n"
    df = parse(text)
    run = df.instructions[1]
    logical = run.line.index("apt-get install")
    assert text[run.source_offset(logical) :].startswith("apt-get install -y curl")
