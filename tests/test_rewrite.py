"""``dhard harden``: every case under fixtures/rewrite/<case>/, the CLI, and the import budget.

A case folder holds:

    Dockerfile            the input
    context/              the build context (what COPY reads; the Python sources checked)
    case.yml              outcome: success | skip | failure
                          app: <name>                  (Dockerfile and context/ are e2e/apps/<name>'s instead)
                          skip: <kind>                 (a Skip kind, see hardener/rewrite/result.py)
                          target / level               (default distroless / distroless)
                          base: <image>                (the new final base, for success)
                          warnings: [substring, ...]   (one per warning, in order; [] = none)
                          unproven: [substring, ...]   (why the rewrite is unproven, in order; absent = proven)
    expected.Dockerfile   the byte-exact result (success only)

Goldens are regenerated only on request: ``DHARD_REGEN=1 pytest tests/test_rewrite.py``
(then read the diff before committing it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import added_text
from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.rewrite import Failure, Skip, Success, harden
from hardener.rewrite.result import SKIP_KINDS
from hardener.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rewrite"
APPS = ROOT / "e2e" / "apps"
CASES = sorted(p for p in FIXTURES.iterdir() if (p / "case.yml").is_file()) if FIXTURES.is_dir() else []
REGEN = os.environ.get("DHARD_REGEN") == "1"
DH123 = Config().with_overrides(select=("DH1", "DH2", "DH3"))


def load(folder: Path) -> dict:
    return YAML(typ="safe").load((folder / "case.yml").read_text()) or {}


def inputs(folder: Path, spec: dict) -> Path:
    """The folder with the case's Dockerfile and context/: its own, or that of the e2e app ``app:`` names (one
    copy of an app's input, read by both suites)."""
    return APPS / spec["app"] if "app" in spec else folder


def run(folder: Path, spec: dict, text: str | None = None):
    source = SourceFile.read(inputs(folder, spec) / "Dockerfile") if text is None else SourceFile.from_text(text)
    return source, harden(
        source,
        context=inputs(folder, spec) / "context",
        target=spec.get("target", "distroless"),
        level=spec.get("level", "distroless"),
        build_target=spec.get("build-target"),
    )


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_case(folder: Path):
    spec = load(folder)
    check_case(folder, spec, *run(folder, spec))


def check_case(folder: Path, spec: dict, source: SourceFile, result) -> None:
    """``result`` is what ``case.yml`` says (also for tests/test_build_target.py's cases)."""
    outcome = spec["outcome"]
    expected_path = folder / "expected.Dockerfile"
    if outcome == "failure":
        assert isinstance(result, Failure), result
        assert "internal error" not in result.error
        assert spec.get("error", "") in result.error
        assert not expected_path.exists()
        return
    if outcome == "skip":
        assert isinstance(result, Skip), f"expected a skip ({spec.get('skip')}), got {type(result).__name__}:\n" + (
            getattr(result, "text", "") or str(result))
        assert result.kind == spec["skip"], f"{result.kind}: {result.reason}"
        assert result.kind in SKIP_KINDS
        assert result.reason.strip()
        for wanted in spec.get("reason", ()):
            assert wanted in result.reason, f"{wanted!r} not in {result.reason!r}"
        assert not expected_path.exists(), "a skip case has no expected.Dockerfile"
        return
    assert outcome == "success"
    assert isinstance(result, Success), str(result)
    if REGEN:
        expected_path.write_bytes(source.with_text(result.text).to_bytes())
    assert expected_path.exists(), f"{expected_path} is missing (regenerate with DHARD_REGEN=1 and read the diff)"
    assert source.with_text(result.text).to_bytes() == expected_path.read_bytes(), "differs from expected.Dockerfile"
    check_files(folder, result)
    if "base" in spec:
        assert result.base == spec["base"]
    expected_warnings = spec.get("warnings") or []
    messages = [str(w) for w in result.warnings]
    assert len(messages) == len(expected_warnings), messages
    for wanted, got in zip(expected_warnings, messages):
        assert wanted in got, f"{wanted!r} not in {got!r}"
    expected_unproven = spec.get("unproven") or []
    assert len(result.unproven) == len(expected_unproven), result.unproven
    for wanted, got in zip(expected_unproven, result.unproven):
        assert wanted in got, f"{wanted!r} not in {got!r}"


def check_files(folder: Path, result) -> None:
    """The new build-context files the rewrite writes are ``expected-files/`` (paths relative to the context)."""
    expected_dir = folder / "expected-files"
    if REGEN and result.files:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, text in result.files:
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_text(text, encoding="utf-8")
    expected = {str(p.relative_to(expected_dir)): p.read_text(encoding="utf-8")
                for p in sorted(expected_dir.rglob("*")) if p.is_file()} if expected_dir.is_dir() else {}
    assert dict(result.files) == expected, "the new context files differ from expected-files/"


@pytest.mark.parametrize("folder", [c for c in CASES if load(c)["outcome"] == "success"], ids=lambda p: p.name)
def test_success_properties(folder: Path):
    """Parses (dhard and BuildKit's reading), passes DH1-3, introduces nothing buildah 1.28 lacks, is stable."""
    import dockerfile  # the official parser (BuildKit's, via Go)

    spec = load(folder)
    source, result = run(folder, spec)
    assert isinstance(result, Success)
    new = parse(result.text)
    assert new.error is None
    dockerfile.parse_string(result.text)
    added = added_text(source.text, result.text)
    for construct in ("<<", "--link", "--checksum", "/bin/sh", "ca-certificates.crt:"):
        assert construct not in added, f"the rewrite introduces {construct!r}"
    level = spec.get("level", "distroless")
    findings = lint(new, DH123)
    if level == "distroless":
        assert not findings, [f"{f.code}:{f.line} {f.message}" for f in findings]
        # the original stays as it was, byte for byte, apart from the name given to its final stage
        assert result.text.startswith(source.text[: new.stages[len(parse(source.text).stages) - 1].from_.start])
    else:
        assert not [f for f in findings if f.code == "DH101"], "the hardened level must not run as root"
    # a second run has nothing left to do
    again = harden(result.text, context=inputs(folder, spec) / "context", target=spec.get("target", "distroless"),
                   level=level)
    assert isinstance(again, Skip) and again.kind == "already-hardened", str(again)


def test_every_skip_kind_has_a_case():
    kinds = {load(c).get("skip") for c in CASES if load(c)["outcome"] == "skip"}
    missing = set(SKIP_KINDS) - kinds
    assert not missing, f"skip kinds without a fixture case: {sorted(missing)}"


def test_ecosystems_have_cases():
    names = {c.name for c in CASES}
    for prefix in ("python-pip", "python-venv", "python-cext", "node-", "go-", "java-", "rust-",
                   "python-fat-final", "static-binary-download", "hardened-"):
        assert any(n.startswith(prefix) for n in names), prefix


# -- behaviours worth a test of their own --------------------------------------------------


def _harden(text: str, tmp_path: Path, files: dict[str, str] | None = None, **kw):
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    for rel, content in (files or {}).items():
        p = ctx / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    return harden(text, context=ctx, **kw)


def test_crlf_and_missing_final_newline_are_kept(tmp_path):
    text = "FROM python:3.11-slim-bookworm\r\nWORKDIR /app\r\nCOPY app.py .\r\nCMD [\"python\", \"app.py\"]"
    result = _harden(text, tmp_path, {"app.py": "print(1)\n"})
    assert isinstance(result, Success), str(result)
    assert result.text.startswith("FROM python:3.11-slim-bookworm AS build\r\nWORKDIR /app\r\n")
    assert "\n" not in result.text.replace("\r\n", "")
    assert result.text.endswith('CMD ["app.py"]\r\n')


def test_alias_keeps_lowercase_keywords(tmp_path):
    result = _harden('from python:3.11-slim-bookworm\ncopy app.py /app.py\ncmd ["python", "/app.py"]\n', tmp_path,
                     {"app.py": "print(1)\n"})
    assert isinstance(result, Success)
    assert result.text.startswith("from python:3.11-slim-bookworm as build\n")


def test_existing_stage_names_are_not_reused(tmp_path):
    text = (
        "FROM node:22-bookworm-slim AS build\nRUN echo\n\n"
        "FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n"
    )
    files = {"package.json": '{"name": "x", "devDependencies": {"jest": "1"}}', "index.js": ""}
    result = _harden(text, tmp_path, files)
    assert isinstance(result, Success), str(result)
    assert "FROM node:22-bookworm-slim AS build-2\n" in result.text
    assert "FROM build-2 AS prod-deps\n" in result.text


def test_no_node_node(tmp_path):
    result = _harden('FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["node", "app.js"]\n', tmp_path, {"app.js": ""})
    assert isinstance(result, Success)
    assert result.text.rstrip().endswith('CMD ["app.js"]')


def test_java_jar_is_not_repeated(tmp_path):
    result = _harden('FROM eclipse-temurin:17-jre\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n', tmp_path,
                     {"app.jar": "PK"})
    assert isinstance(result, Success), str(result)
    assert result.text.rstrip().endswith('CMD ["/app.jar"]')


def test_npm_start_that_needs_a_shell_is_skipped(tmp_path):
    files = {"package.json": '{"scripts": {"start": "NODE_ENV=production node server.js"}}', "server.js": ""}
    result = _harden('FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n', tmp_path, files)
    assert isinstance(result, Skip) and result.kind == "shell-form", str(result)


def test_python_shell_use_reports_file_and_line(tmp_path):
    files = {"app.py": "import subprocess\nsubprocess.run('ls | wc -l', shell=True)\n"}
    result = _harden('FROM python:3.11-slim-bookworm\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n', tmp_path, files)
    assert isinstance(result, Skip) and result.kind == "python-shell"
    assert "app.py:2" in result.reason


def test_python_version_without_counterpart_names_the_fix(tmp_path):
    result = _harden('FROM python:3.10-slim\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n', tmp_path, {"app.py": ""})
    assert isinstance(result, Skip) and result.kind == "no-counterpart"
    assert "3.11" in result.hint and "--level hardened" in result.hint


def test_runtime_library_present_in_target_is_fine(tmp_path):
    text = ("FROM python:3.11-slim-bookworm\nRUN apt-get update && apt-get install -y gcc libffi-dev libssl-dev\n"
            "COPY app.py /app.py\nCMD [\"python\", \"/app.py\"]\n")
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success), str(result)
    assert result.base == "gcr.io/distroless/python3-debian12:nonroot"
    assert "COPY --from=build /app.py /app.py" in result.text


def test_purged_build_packages_are_fine(tmp_path):
    text = ("FROM python:3.11-slim-bookworm\n"
            "RUN apt-get update && apt-get install -y libpq-dev gcc && pip install psycopg2 "
            "&& apt-get purge -y libpq-dev gcc\n"
            "COPY app.py /app.py\nCMD [\"python\", \"/app.py\"]\n")
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success), str(result)
    assert result.base == "gcr.io/distroless/python3-debian12:nonroot"
    assert "COPY --from=build /app.py /app.py" in result.text


def test_unknown_target_and_level_fail():
    assert isinstance(harden("FROM scratch\n", target="nope"), Failure)
    assert isinstance(harden("FROM scratch\n", level="nope"), Failure)


def test_parse_error_is_a_failure():
    result = harden("FROM python:3.11\nRUN <<EOF\necho\n")
    assert isinstance(result, Failure)
    assert "parse" in result.error


def test_healthcheck_without_fail_flag_accepts_any_http_answer(tmp_path):
    text = ("FROM python:3.11-slim-bookworm\nCOPY app.py /app.py\n"
            "HEALTHCHECK CMD curl http://localhost:8000/ || exit 1\nCMD [\"python\", \"/app.py\"]\n")
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success)
    assert "except urllib.error.HTTPError" in result.text


def test_healthcheck_is_dropped_with_a_warning_on_native(tmp_path):
    text = ("FROM golang:1.22 AS b\nWORKDIR /s\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /srv/app .\n"
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
            "COPY --from=b /srv/app /app\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD [\"/app\"]\n")
    result = _harden(text, tmp_path, {"main.go": "package main\nfunc main() {}\n", "go.mod": "module x\n"})
    assert isinstance(result, Success), str(result)
    assert "HEALTHCHECK" not in result.text.split("# Runtime image")[1]
    assert any("HEALTHCHECK dropped" in w.message for w in result.warnings)


# -- the command line ----------------------------------------------------------------------


def dhard(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hardener", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_cli_diff_is_the_default_and_writes_nothing(tmp_path):
    case = FIXTURES / "python-pip-requirements"
    copy = tmp_path / "Dockerfile"
    copy.write_bytes((case / "Dockerfile").read_bytes())
    proc = dhard("harden", str(copy), "--context", str(case / "context"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("--- a/")
    assert "+FROM gcr.io/distroless/python3-debian12:nonroot" in proc.stdout
    assert copy.read_bytes() == (case / "Dockerfile").read_bytes()


def test_cli_write_and_explain(tmp_path):
    case = FIXTURES / "python-pip-requirements"
    copy = tmp_path / "Dockerfile"
    copy.write_bytes((case / "Dockerfile").read_bytes())
    proc = dhard("harden", str(copy), "--context", str(case / "context"), "--write", "--explain")
    assert proc.returncode == 0, proc.stderr
    assert copy.read_bytes() == (case / "expected.Dockerfile").read_bytes()
    assert "why:" in proc.stderr and "python -m gunicorn" in proc.stderr


def test_cli_skip_exits_1_and_writes_nothing(tmp_path):
    case = FIXTURES / "skip-entrypoint-script"
    copy = tmp_path / "Dockerfile"
    copy.write_bytes((case / "Dockerfile").read_bytes())
    proc = dhard("harden", str(copy), "--context", str(case / "context"), "--write")
    assert proc.returncode == 1
    assert "skipped (entrypoint-script)" in proc.stderr and "hint:" in proc.stderr
    assert copy.read_bytes() == (case / "Dockerfile").read_bytes()


def test_cli_failure_exits_2(tmp_path):
    proc = dhard("harden", str(tmp_path / "missing.Dockerfile"))
    assert proc.returncode == 2
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM x\nRUN <<EOF\n")
    assert dhard("harden", str(bad)).returncode == 2


def test_cli_stdin_and_stdout(tmp_path):
    case = FIXTURES / "go-cgo-default"
    proc = subprocess.run(
        [sys.executable, "-m", "hardener", "harden", "-", "--context", str(case / "context"), "--stdout"],
        input=(case / "Dockerfile").read_text(), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (case / "expected.Dockerfile").read_text()


def test_cli_verify_without_an_engine_is_an_error(tmp_path):
    case = FIXTURES / "python-pip-requirements"
    env = {**os.environ, "PATH": str(tmp_path)}  # no podman, no docker
    proc = subprocess.run(
        [sys.executable, "-m", "hardener", "harden", str(case / "Dockerfile"), "--context", str(case / "context"),
         "--verify", "--engine", "docker"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 2, proc.stderr
    assert "--verify" in proc.stderr


def test_check_does_not_import_the_rewriter_or_libcst(tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.11-slim\nCMD [\"python\"]\n")
    code = (
        "import sys\nfrom hardener.cli import main\n"
        f"main(['check', '--exit-zero', {str(df)!r}])\n"
        "assert 'libcst' not in sys.modules, 'libcst'\n"
        "assert not [m for m in sys.modules if m.startswith('hardener.rewrite')], 'rewrite'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_harden_imports_libcst_only_for_python_apps(tmp_path):
    case = FIXTURES / "go-cgo-default"
    code = (
        "import sys\nfrom hardener.rewrite import harden\nfrom pathlib import Path\n"
        f"r = harden(Path({str(case / 'Dockerfile')!r}).read_text(), context={str(case / 'context')!r})\n"
        "assert r.ok, r\nassert 'libcst' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_root_home_moves_to_nonroot_home(tmp_path):
    text = ("FROM golang:1.22-alpine AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /main .\n\n"
            "FROM alpine:3.20\nWORKDIR /root/\nCOPY --from=builder /main .\nCMD [\"./main\"]\n")
    result = _harden(text, tmp_path, {"go.mod": "module x\n", "main.go": "package main\nfunc main() {}\n"})
    assert isinstance(result, Success), str(result)
    final = result.text.split("# Runtime image")[1]
    assert "WORKDIR /home/nonroot\n" in final
    assert "COPY --from=builder /main /home/nonroot/main\n" in final  # straight from the stage that built it
    assert 'CMD ["/home/nonroot/main"]' in final
    assert result.base == "gcr.io/distroless/static-debian12:nonroot"


def test_projects_own_console_script_is_called_through_python(tmp_path):
    files = {
        "pyproject.toml": '[project]\nname = "tool"\nversion = "1"\n[project.scripts]\ntool = "tool.cli:main"\n',
        "tool/__init__.py": "",
        "tool/cli.py": "def main():\n    return 0\n",
    }
    text = 'FROM python:3.11-slim-bookworm\nWORKDIR /src\nCOPY . .\nRUN pip install .\nCMD ["tool", "--fast"]\n'
    result = _harden(text, tmp_path, files)
    assert isinstance(result, Success), str(result)
    assert result.text.endswith('CMD ["-c", "import sys, tool.cli; sys.exit(tool.cli.main())", "--fast"]\n')


def test_uv_run_is_dropped_and_the_project_venv_copied(tmp_path):
    text = ("FROM python:3.11-slim-bookworm\nCOPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv\nWORKDIR /app\n"
            "COPY . .\nRUN uv sync --frozen\nCMD [\"uv\", \"run\", \"uvicorn\", \"main:app\"]\n")
    result = _harden(text, tmp_path, {"main.py": "app = None\n", "pyproject.toml": "", "uv.lock": ""})
    assert isinstance(result, Success), str(result)
    final = result.text.split("# Runtime image")[1]
    assert "COPY --from=build /app/.venv/lib/python3.11/site-packages /usr/local/lib/python3.11/dist-packages\n" in final
    assert "/bin/uv" not in final
    assert final.endswith('CMD ["-m", "uvicorn", "main:app"]\n')


def test_unknown_console_script_is_skipped(tmp_path):
    text = 'FROM python:3.11-slim-bookworm\nRUN pip install jupyterhub\nCMD ["jupyterhub"]\n'
    result = _harden(text, tmp_path)
    assert isinstance(result, Skip) and result.kind == "unknown-binary"
    assert "python -m" in result.hint


def test_app_in_the_root_directory_is_skipped(tmp_path):
    text = 'FROM eclipse-temurin:17-jdk\nCOPY Main.java .\nRUN javac Main.java\nCMD ["java", "Main"]\n'
    result = _harden(text, tmp_path, {"Main.java": "class Main {}\n"})
    assert isinstance(result, Skip) and result.kind == "unsupported"
    assert "WORKDIR" in result.hint


def test_shell_c_wrapper_with_a_plain_command_is_unwrapped(tmp_path):
    text = ('FROM python:3.11-slim-bookworm\nWORKDIR /app\nCOPY app.py .\n'
            'CMD ["sh", "-c", "exec python app.py --port 8000"]\n')
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success), str(result)
    assert result.text.endswith('CMD ["app.py", "--port", "8000"]\n')


def test_entrypoint_and_cmd_split_is_kept(tmp_path):
    text = ('FROM python:3.11-slim-bookworm\nWORKDIR /app\nCOPY app.py .\n'
            'ENTRYPOINT ["python", "app.py"]\nCMD ["--port", "8000"]\n')
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success), str(result)
    assert result.text.endswith('ENTRYPOINT ["/usr/bin/python3.11", "app.py"]\nCMD ["--port", "8000"]\n')


def test_target_image_is_pinned_from_the_configuration(tmp_path):
    image = "gcr.io/distroless/python3-debian12:nonroot"
    pinned = f"{image}@sha256:{'a' * 64}"
    config = Config().with_overrides(pins={image: pinned})
    text = 'FROM python:3.11-slim-bookworm\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n'
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "app.py").write_text("")
    result = harden(text, context=ctx, config=config)
    assert isinstance(result, Success), str(result)
    assert f"\nFROM {pinned}\n" in result.text
    again = harden(result.text, context=ctx, config=config)
    assert isinstance(again, Skip) and again.kind == "already-hardened"


def test_a_digest_pinned_original_warns_about_the_unpinned_target(tmp_path):
    text = (f"FROM python:3.11-slim-bookworm@sha256:{'b' * 64}\nCOPY app.py /app.py\n"
            'CMD ["python", "/app.py"]\n')
    result = _harden(text, tmp_path, {"app.py": ""})
    assert isinstance(result, Success)
    assert any("pins its base images by digest" in w.message for w in result.warnings)


def test_the_directory_the_app_writes_to_is_given_to_the_app_user(tmp_path):
    files = {"app.py": "import sqlite3\ndb = sqlite3.connect('data.db')\n", "requirements.txt": ""}
    text = ('FROM python:3.11-slim-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n'
            'CMD ["python", "app.py"]\n')
    result = _harden(text, tmp_path, files)
    assert isinstance(result, Success), str(result)
    assert "COPY --from=build --chown=65532:65532 /app /app\n" in result.text
    assert any("sqlite3.connect" in n.message and n.where == "app.py:2" for n in result.explain)


def test_writes_under_tmp_need_nothing(tmp_path):
    files = {"app.py": "open('/tmp/x', 'w').write('1')\nopen('conf.yml').read()\n"}
    text = 'FROM python:3.11-slim-bookworm\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n'
    result = _harden(text, tmp_path, files)
    assert isinstance(result, Success), str(result)
    assert "--chown" not in result.text


# -- ecosystems as plug-ins ----------------------------------------------------------------------


def _facts(folder: Path):
    from hardener.rewrite.plan import Facts

    where = inputs(folder, load(folder))
    return Facts(parse(SourceFile.read(where / "Dockerfile")), where / "context")


def _detected(facts) -> str:
    from hardener.rewrite.ecosystems import ECOSYSTEMS

    return next(e for e in ECOSYSTEMS if e.detect(facts)).name


def test_the_registry_order_has_native_last():
    from hardener.rewrite.ecosystems import ECOSYSTEMS
    from hardener.rewrite.ecosystems.base import INTERFACE

    assert [e.name for e in ECOSYSTEMS] == ["nginx", "python", "node", "java", "native"]
    for eco in ECOSYSTEMS:
        assert all(callable(getattr(eco, a)) for a in INTERFACE if a != "name"), eco
        assert isinstance(eco.name, str)


# the ecosystem each fixture's build is detected as (the skips too: detection comes before their Skip)
DETECTED = {
    "python-": "python", "node-": "node", "java-": "java", "go-": "native", "rust-": "native",
    "static-binary-": "native", "scratch-add-user": "native", "hardened-alpine": "node",
    "hardened-entrypoint-script": "python", "skip-bare-interpreter": "python", "skip-entrypoint-script": "python",
    "skip-heredoc": "python", "skip-missing-context": "node", "skip-musl": "python", "skip-no-command": "python",
    "skip-no-counterpart": "python", "skip-python-shell": "python", "skip-runtime-packages-": "python",
    "skip-shell-form": "python", "skip-unknown-binary": "native", "skip-unknown-runtime": "node",
    "skip-unsupported": "python", "skip-drops-privileges": "native", "nginx-": "nginx", "skip-nginx-": "nginx",
}


def _expected_ecosystem(folder: Path) -> str | None:
    return next((eco for prefix, eco in DETECTED.items() if folder.name.startswith(prefix)), None)


@pytest.mark.parametrize("folder", [c for c in CASES if _expected_ecosystem(c)], ids=lambda p: p.name)
def test_each_ecosystem_detects_its_fixtures(folder: Path):
    assert _detected(_facts(folder)) == _expected_ecosystem(folder)


def test_every_ecosystem_has_a_fixture_it_detects():
    from hardener.rewrite.ecosystems import ECOSYSTEMS

    assert {e.name for e in ECOSYSTEMS} <= set(DETECTED.values())


@pytest.mark.parametrize("text, expected", [
    ("FROM python:3.11-slim\nRUN pip install requests\n", "python"),
    ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y python3-pip\n", "python"),
    ("FROM debian:bookworm-slim\nRUN pip3 --no-cache-dir install requests\n", "python"),
    ("FROM node:22-bookworm-slim\nRUN npm ci\n", "node"),
    ("FROM debian:bookworm-slim\nRUN yarn install --frozen-lockfile\n", "node"),
    ("FROM eclipse-temurin:17-jdk\nCOPY . .\nRUN javac Main.java\n", "java"),
    ("FROM maven:3-eclipse-temurin-21\nRUN mvn -q package\n", "java"),
    ("FROM golang:1.22\nRUN go build -o /app .\n", "native"),
    ("FROM debian:bookworm-slim\nCMD [\"/app\"]\n", "native"),
    ("FROM python:3.11-slim\nCMD [\"/srv/server\"]\n", "native"),  # the command decides where there is one
    ("FROM debian:bookworm-slim\nCMD [\"node\", \"app.js\"]\n", "node"),
])
def test_detection_reads_the_build_not_only_the_command(text: str, expected: str):
    from hardener.rewrite.plan import Facts

    assert _detected(Facts(parse(text), None)) == expected


def test_detection_comes_before_the_demand_for_a_command():
    """known() neither raises nor logs; demand() raises the Skip and gives its notes to the plan's log."""
    from hardener.rewrite import command
    from hardener.rewrite.plan import Facts
    from hardener.rewrite.result import Log, SkipError

    facts = Facts(parse("FROM python:3.11-slim\nRUN pip install requests\n"), None)
    assert command.known(facts) is None
    assert _detected(facts) == "python"
    with pytest.raises(SkipError) as err:
        command.demand(facts, Log())
    assert err.value.kind == "no-command"
    facts = Facts(parse("FROM python:3.11-slim\nCMD python app.py\n"), None)
    assert command.known(facts).argv == ["python", "app.py"]
    log = Log()
    ex, dropped = command.demand(facts, log)
    assert ex.argv == ["python", "app.py"] and dropped == []
    assert any("plain command" in n.message for n in log.explain)


class _FilesEcosystem:
    """A test ecosystem whose program is configured by files: a static site served by the target's nginx."""

    name = "static-site"

    def __init__(self, provided=frozenset({"nginx"})):
        self.asked = 0
        self.provided = provided

    def detect(self, facts) -> bool:
        from hardener.rewrite.ecosystems.base import installed_packages

        self.asked += 1
        return facts.root.base.repository == "nginx" or any(p.name == "nginx" for p in installed_packages(facts))

    def plan(self, facts, target, log):
        from hardener.rewrite.ecosystems.base import Plan
        from hardener.rewrite.targets import describe

        image = "cgr.dev/chainguard/nginx:latest"
        log.why("the site is served by the target's own nginx")
        root = "/usr/share/nginx/html" if facts.root.base.repository == "nginx" else "/var/www/html"
        return Plan(runtime=describe(image, target), roots=[root], provided=self.provided)


def test_a_registered_ecosystem_is_used_by_the_main_loop(monkeypatch):
    from hardener.rewrite import ecosystems

    fake = _FilesEcosystem()
    monkeypatch.setattr(ecosystems, "ECOSYSTEMS", (fake, *ecosystems.ECOSYSTEMS))
    text = "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n"  # no CMD: nginx's own config runs the site
    result = harden(text, target="chainguard")
    assert isinstance(result, Success), str(result)
    assert result.base == "cgr.dev/chainguard/nginx:latest"
    final = result.text.split("# Runtime image")[1]
    assert "FROM cgr.dev/chainguard/nginx:latest\n" in final
    assert "COPY --from=build /usr/share/nginx/html /usr/share/nginx/html\n" in final
    assert "CMD" not in final and "ENTRYPOINT" not in final
    assert any("target's own nginx" in n.message for n in result.explain)
    # a build it does not claim goes on to the next ecosystem, as before
    case = FIXTURES / "python-pip-requirements"
    spec = load(case)
    _, again = run(case, spec)
    assert fake.asked == 2
    assert isinstance(again, Success) and again.text.encode() == (case / "expected.Dockerfile").read_bytes()


def test_a_plan_says_which_os_packages_its_target_stands_for(monkeypatch):
    from hardener.rewrite import ecosystems

    text = ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends nginx\n"
            "COPY site/ /var/www/html/\n")
    monkeypatch.setattr(ecosystems, "ECOSYSTEMS", (_FilesEcosystem(), *ecosystems.ECOSYSTEMS))
    result = harden(text, target="chainguard")
    assert isinstance(result, Success), str(result)
    assert "COPY --from=build /var/www/html /var/www/html\n" in result.text
    monkeypatch.setattr(ecosystems, "ECOSYSTEMS", (_FilesEcosystem(provided=frozenset()), *ecosystems.ECOSYSTEMS))
    result = harden(text, target="chainguard")
    assert isinstance(result, Skip) and result.kind == "runtime-packages", str(result)


def test_the_first_ecosystem_that_claims_the_build_plans_it(monkeypatch):
    from hardener.rewrite import ecosystems
    from hardener.rewrite.result import SkipError

    asked = []

    class Claims:
        name = "claims"

        def detect(self, facts):
            asked.append(self.name)
            return True

        def plan(self, facts, target, log):
            raise SkipError("no-counterpart", "the test ecosystem has no target", None)

    class Declines(Claims):
        name = "declines"

        def detect(self, facts):
            asked.append(self.name)
            return False

    monkeypatch.setattr(ecosystems, "ECOSYSTEMS", (Declines(), Claims(), *ecosystems.ECOSYSTEMS))
    result = harden('FROM python:3.11-slim-bookworm\nCMD ["python", "app.py"]\n')
    assert isinstance(result, Skip) and result.reason == "the test ecosystem has no target"
    assert asked == ["declines", "claims"]


def test_rewrite_modules_import_no_private_names():
    """What modules of the rewriter share is public: no ``from .x import _name``, no ``facts._name``."""
    import ast

    found = []
    for path in sorted((ROOT / "hardener" / "rewrite").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_") and a.name[1] != "_"]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and node.attr[1] != "_" \
                    and isinstance(node.value, ast.Name) and node.value.id == "facts":
                found.append(f"{path.name}:{node.lineno}: facts.{node.attr}")
    assert not found, found


def test_a_program_is_copied_from_the_stage_that_built_it(tmp_path):
    """The old final stage only carried the binary: the runtime stage copies it from the builder, so the
    old final stage (and its apt-get) is not built at all; a RUN after the COPY keeps the old way."""
    text = ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
            "FROM debian:12-slim\nRUN apt-get update && apt-get install -y ca-certificates\n"
            "COPY --from=build /out/app /usr/local/bin/app\nENTRYPOINT [\"app\"]\n")
    files = {"go.mod": "module x\n", "main.go": "package main\nfunc main() {}\n"}
    result = _harden(text, tmp_path, files)
    assert isinstance(result, Success), str(result)
    assert "COPY --from=build /out/app /usr/local/bin/app\n" in result.text.split("# Runtime image")[1]
    assert "AS build-2" not in result.text
    touched = _harden(text.replace('ENTRYPOINT', 'RUN chmod 0500 /usr/local/bin/app\nENTRYPOINT'), tmp_path, files)
    assert "COPY --from=build-2 /usr/local/bin/app /usr/local/bin/app\n" in touched.text


def test_a_version_distroless_lacks_names_the_targets_that_have_it(tmp_path):
    (tmp_path / "app.py").write_text("print('hi')\n")
    result = harden('FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n', context=tmp_path)
    assert isinstance(result, Skip) and result.kind == "no-counterpart", result
    assert result.hint.startswith("use --target dhi (dhi.io/python:3.12), or --target ubuntu "
                                  "(ubuntu/python:3.12-24.04_stable), or --target chainguard "), result.hint
    for target, image in (("dhi", "dhi.io/python:3.12"), ("ubuntu", "ubuntu/python:3.12-24.04_stable")):
        proven = harden('FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n', context=tmp_path,
                        target=target)
        assert isinstance(proven, Success) and proven.base == image, proven
