"""The build model every reader shares: one root test, one package reader, one state walk.

The first tests pin the two disagreements that having several copies of these
facts produced: ``dhard check`` and ``dhard harden`` judged ``USER root:root``
over distroless differently, and the rewriter did not see a package installed
with ``apt-get -a amd64 install``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.rewrite import Skip, Success, harden
from hardener.semantic.build import Build
from hardener.semantic.packages import recognise, written_packages
from hardener.semantic.users import is_root
from hardener.shell import parse_shell

ROOT = Path(__file__).resolve().parent.parent
LIBPQ_CASE = ROOT / "fixtures" / "rewrite" / "skip-runtime-packages-libpq"
DH101_ONLY = Config().with_overrides(select=("DH101",))

DISTROLESS_AS = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static-debian12
COPY --from=build /app /app
USER {user}
ENTRYPOINT ["/app"]
"""


@pytest.mark.parametrize(
    "user, root",
    [("", True), (None, True), ("root", True), ("0", True), ("00", True), ("0:0", True), ("root:root", True),
     ("root:1000", True), ("ContainerAdministrator", True), ("65532", False), ("65532:65532", False),
     ("nonroot", False), ("app:app", False), ("1000:0", False), ("rooty", False)],
)
def test_is_root(user, root):
    assert is_root(user) is root


@pytest.mark.parametrize("user", ["root:root", "00", "0:0"])
def test_check_and_harden_agree_that_root_over_distroless_is_root(user):
    df = parse(DISTROLESS_AS.format(user=user))
    assert [f.code for f in lint(df, DH101_ONLY)] == ["DH101"]
    result = harden(df)
    assert isinstance(result, Success), result
    assert result.text.rstrip().endswith("USER 65532:65532")


@pytest.mark.parametrize("user", ["nonroot", "65532:65532"])
def test_check_and_harden_agree_that_nonroot_over_distroless_is_done(user):
    df = parse(DISTROLESS_AS.format(user=user))
    assert lint(df, DH101_ONLY) == []
    result = harden(df)
    assert isinstance(result, Skip) and result.kind == "already-hardened", result


@pytest.mark.parametrize("install", [
    "apt-get install -y --no-install-recommends gcc libpq-dev",
    "apt-get -a amd64 install -y gcc libpq-dev",
    "apt-get -o Acquire::Retries=3 install -y gcc libpq-dev",
    "apt-get --host-architecture amd64 install gcc libpq-dev",
])
def test_the_rewriter_sees_packages_behind_value_options(tmp_path, install):
    case = tmp_path / "case"
    shutil.copytree(LIBPQ_CASE / "context", case)
    text = (LIBPQ_CASE / "Dockerfile").read_text().replace(
        "apt-get install -y --no-install-recommends gcc libpq-dev", install)
    result = harden(parse(text), context=case)
    assert isinstance(result, Skip) and result.kind == "runtime-packages", result
    assert "libpq" in result.reason


def _package(command: str):
    return recognise(parse_shell(command).commands[0], 0)


@pytest.mark.parametrize("command, family, action, packages", [
    ("apt-get -a amd64 install -y libpq5", "apt", "install", ["libpq5"]),
    ("sudo apt-get -o Dpkg::Options::=--force-confnew install curl", "apt", "install", ["curl"]),
    ("aptitude install -y curl", "apt", "install", ["curl"]),
    ("apk add --no-cache --virtual .deps gcc musl-dev", "apk", "add", ["gcc", "musl-dev"]),
    ("dnf --setopt=tsflags=nodocs install -y httpd", "rpm", "install", ["httpd"]),
    ("dnf -x foo install -y httpd", "rpm", "install", ["httpd"]),
    ("zypper -n in -y nginx", "zypper", "install", ["nginx"]),
    ("pip install -r requirements.txt flask", "pip", "install", ["flask"]),
    ("python3 -m pip install --no-cache-dir -i https://x/simple requests", "pip", "install", ["requests"]),
    ("uv pip install --system -r req.txt httpx", "uv", "install", ["httpx"]),
    ("npm i --omit dev express", "npm", "install", ["express"]),
    ("dpkg -i /tmp/pkg.deb", "dpkg", "install", ["/tmp/pkg.deb"]),
    ("apt-get install -y $PACKAGES", "apt", "install", [None]),
])
def test_the_package_reader(command, family, action, packages):
    pkg = _package(command)
    assert (pkg.family, pkg.action, written_packages(pkg)) == (family, action, packages)


def test_not_package_commands():
    for command in ("echo apt-get install x", "grep pip requirements.txt", "yarn --version"):
        assert _package(command) is None, command


STAGES = """\
ARG BASE=python:3.12-slim
FROM golang:1.22 AS gobuild
RUN go build -o /out/app .
FROM ${BASE} AS base
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME
USER app
FROM base AS test
WORKDIR tests
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN pytest
FROM base
COPY --from=gobuild /out/app /usr/local/bin/app
CMD ["app"]
"""


def test_state_walks_stages_once_with_inheritance():
    df = parse(STAGES)
    build = Build(df)
    by_line = {ins.start_line: ins for ins in df.instructions}
    assert build.state(by_line[3]).workdir == "/go"  # the golang image's own WORKDIR
    test_run = build.state(by_line[11])
    assert (test_run.workdir, test_run.user, test_run.shell[0]) == ("/srv/app/tests", "app", "/bin/bash")
    final_copy = build.state(by_line[13])
    assert (final_copy.workdir, final_copy.vars["APP_HOME"], final_copy.shell) == ("/srv/app", "/srv/app", ("/bin/sh", "-c"))
    assert [s.alias for s in build.final_chain] == ["base", None]
    assert build.descendants(df.stages[1]) == {1, 2, 3}
    assert build.path_at(by_line[13], "rel/x") == "/srv/app/rel/x"


def test_run_as_reads_the_final_chain_and_the_image_default():
    run_as = Build(parse(STAGES)).run_as
    assert (run_as.user, run_as.root, run_as.as_root) == ("app", False, False)
    assert run_as.instruction.start_line == 7
    plain = Build(parse("FROM python:3.12-slim\nCMD [\"python\"]\n")).run_as
    assert (plain.instruction, plain.root, plain.as_root) == (None, True, True)
    unresolved = Build(parse("FROM python:3.12-slim\nUSER $UID\n")).run_as
    assert (unresolved.user, unresolved.root, unresolved.as_root) == (None, None, False)
    dropping = Build(parse("FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n")).run_as
    assert dropping.root is True and dropping.drops_privileges and not dropping.as_root


def test_facts_are_computed_once_per_file():
    build = Build(parse(STAGES))
    run = next(ins for ins in build.df.instructions if ins.name == "RUN")
    assert build.script(run) is build.script(run)
    assert build.run_scripts(run) is build.run_scripts(run)
    calls = []
    assert build.memo("k", lambda: calls.append(1) or 42) == 42
    assert build.memo("k", lambda: calls.append(1) or 43) == 42
    assert calls == [1]


def test_mounts_and_stage_inputs():
    df = parse(
        "FROM alpine AS assets\nRUN touch /a\n"
        "FROM python:3.12 AS deps\nRUN true\n"
        "FROM debian:12\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=from=deps,target=/deps,source=/x true\n"
        "COPY --from=assets /a /a\n"
    )
    build = Build(df)
    run = next(ins for ins in df.instructions if ins.start_line == 6)
    kinds = [(m.kind, m.target, m.source_from) for m in build.mounts(run)]
    assert kinds == [("cache", "/root/.cache", None), ("bind", "/deps", "deps")]
    assert build.stage_inputs(df.stages[2]) == {0, 1}
    assert build.stage_inputs(df.stages[0]) == set()
