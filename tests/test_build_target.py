"""``dhard harden --build-target STAGE``: the image ``docker build --target STAGE`` builds is hardened.

The built stage is a fact of the model (``Build(df, target=...)``: ``final_stage``, ``final_chain``,
``run_as``, ``entry_instruction``, ``ships`` follow it); the rewrite reads it as "the final stage",
renames it (``app`` -> ``app-build``), emits the runtime stage right after it under its name, and
points what later stages read from the original at the renamed one.

The cases live in ``fixtures/rewrite/build-target/<case>/``, laid out as ``fixtures/rewrite/`` cases
(``Dockerfile``, ``context/``, ``case.yml``, ``expected.Dockerfile``) with ``build-target:`` in
``case.yml`` (and ``error:`` for a failure). Regenerate with ``DHARD_REGEN=1`` and read the diff.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardener.config import Config, ConfigError, from_mapping
from hardener.lint import lint
from hardener.parse import parse
from hardener.rewrite import Failure, Skip, Success, harden
from hardener.semantic.build import Build, UnknownTarget, target_stage
from hardener.source import SourceFile
from test_rewrite import check_case, inputs, load, run  # the fixture cases are read and judged as fixtures/rewrite's

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rewrite" / "build-target"
CASES = sorted(p for p in FIXTURES.iterdir() if (p / "case.yml").is_file()) if FIXTURES.is_dir() else []
DH123 = Config().with_overrides(select=("DH1", "DH2", "DH3"))
APP = ROOT / "e2e" / "apps" / "compose-target"

THREE = """\
FROM python:3.11-slim-bookworm AS base
WORKDIR /app
RUN pip install flask

FROM base AS App
COPY app.py .
USER 1000
CMD ["python", "app.py"]

FROM app AS dev
USER root
RUN pip install pytest
ENTRYPOINT ["pytest"]
"""


def _harden(text: str, tmp_path: Path, files: dict[str, str] | None = None, **kw):
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    for rel, content in (files or {"app.py": "print(1)\n"}).items():
        path = ctx / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return harden(text, context=ctx, **kw)


# -- the fixture cases ------------------------------------------------------------------------------


def test_there_are_cases():
    names = {c.name for c in CASES}
    assert {"middle-from-copy-mount", "last-stage", "unknown-stage", "case-insensitive"} <= names


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_case(folder: Path):
    spec = load(folder)
    check_case(folder, spec, *run(folder, spec))


@pytest.mark.parametrize("folder", [c for c in CASES if load(c)["outcome"] == "success"], ids=lambda p: p.name)
def test_success_properties(folder: Path):
    """BuildKit reads it; --target STAGE builds a runtime stage that passes DH1-3; the later stages keep their
    names and text but for what they read; a second run has nothing left to do."""
    import dockerfile  # BuildKit's parser

    spec = load(folder)
    source, result = run(folder, spec)
    assert isinstance(result, Success)
    dockerfile.parse_string(result.text)
    old, new = parse(source.text), parse(result.text)
    assert new.error is None
    wanted = spec["build-target"]
    old_target = target_stage(old, wanted)
    runtime = target_stage(new, wanted)
    assert runtime.alias == old_target.alias  # the file's spelling, not the command line's
    level = spec.get("level", "distroless")
    built = Build(new, target=wanted)
    assert built.run_as is not None and not built.run_as.as_root
    if level == "distroless":
        assert runtime.base.written == result.base and len(built.final_chain) == 1
        # what --target builds, alone: DH1-3 find nothing in it
        cut = new.stages[runtime.index + 1].from_.trivia_start if runtime.index + 1 < len(new.stages) else len(new.text)
        findings = lint(parse(result.text[:cut]), DH123)
        assert not findings, [f"{f.code}:{f.line} {f.message}" for f in findings]
        # the original up to the target's FROM is byte for byte; the target is renamed
        assert result.text.startswith(source.text[: old_target.from_.start])
        assert new.stages[old_target.index].alias.lower() == f"{old_target.alias}-build".lower()
    # later stages: the same names, in the same order, and the same instructions but for stage references
    later_old = [s.alias for s in old.stages[old_target.index + 1:]]
    later_new = [s.alias for s in new.stages[runtime.index + 1:]]
    assert later_old == later_new
    for before, after in zip(old.stages[old_target.index + 1:], new.stages[runtime.index + 1:]):
        assert [i.keyword for i in before.instructions] == [i.keyword for i in after.instructions]
        for a, b in zip(before.instructions, after.instructions):
            if a.line != b.line:
                renamed = b.line.lower().replace(f"{old_target.alias}-build".lower(), old_target.alias.lower())
                assert renamed == a.line.lower(), (a.line, b.line)
    again = harden(result.text, context=inputs(folder, spec) / "context", level=level, build_target=wanted)
    assert isinstance(again, Skip) and again.kind == "already-hardened", str(again)


# -- the model: the built stage is a fact of Build --------------------------------------------------


def test_build_follows_the_target():
    df = parse(THREE)
    last, app = Build(df), Build(df, target="app")
    assert last.final_stage is df.stages[2] and app.final_stage is df.stages[1]
    assert [s.alias for s in app.final_chain] == ["base", "App"]
    assert [s.alias for s in last.final_chain] == ["base", "App", "dev"]
    assert app.run_as.user == "1000" and not app.run_as.as_root
    assert last.run_as.as_root
    assert app.entry_instruction.name == "CMD" and last.entry_instruction.name == "ENTRYPOINT"
    dev_run = df.stages[2].instructions[2]
    assert last.ships(dev_run) and not app.ships(dev_run)
    assert app.ships(df.stages[0].instructions[1])
    assert app.shipping == {0, 1}


def test_without_a_target_ships_is_the_parsers_answer():
    df = parse(THREE + "\nFROM scratch AS other\nCOPY --from=dev /app /app\n")
    build = Build(df)
    assert build.final_stage is df.final_stage
    for ins in df.instructions:
        assert build.ships(ins) == df.stage_of(ins).ships


def test_target_names_match_without_case_and_numbers_are_not_names():
    df = parse(THREE)
    assert target_stage(df, "APP") is df.stages[1]
    assert target_stage(df, "Dev") is df.stages[2]
    with pytest.raises(UnknownTarget, match=r"no stage named 1 \(stages: base, App, dev\)"):
        target_stage(df, "1")
    with pytest.raises(UnknownTarget, match="no stage has a name"):
        target_stage(parse("FROM python:3.11\nCMD [\"python\"]\n"), "app")
    with pytest.raises(UnknownTarget):
        Build(df, target="web")


def test_rules_read_the_built_stage_through_build():
    """DH101's question, asked of the built stage: the same file is root as a whole (dev), not at App."""
    df = parse(THREE)
    assert Build(df, target="app").run_as.as_root is False
    assert Build(df).run_as.as_root is True


# -- the rewrite -------------------------------------------------------------------------------------


def test_unknown_target_is_a_failure_naming_the_stages(tmp_path):
    result = _harden(THREE, tmp_path, build_target="web")
    assert isinstance(result, Failure)
    assert result.error == "no stage named web (stages: base, App, dev)"
    assert isinstance(_harden(THREE, tmp_path, build_target="web", level="hardened"), Failure)


def test_the_runtime_stage_comes_right_after_the_target(tmp_path):
    result = _harden(THREE, tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    new = parse(result.text)
    assert [s.alias for s in new.stages] == ["base", "App-build", "App", "dev"]
    assert new.stages[3].base.written == "App-build"  # dev builds on the original, as before
    assert result.text.endswith(THREE[THREE.index("\nFROM app AS dev"):].replace("FROM app AS", "FROM App-build AS"))
    assert any("--target App" in n.message for n in result.explain)
    assert any("dev reads the original App" in n.message for n in result.explain)


def test_without_later_stages_only_the_names_differ_from_today(tmp_path):
    text = THREE[: THREE.index("\nFROM app AS dev")] + "\n"
    today = _harden(text, tmp_path)
    targeted = _harden(text, tmp_path, build_target="App")
    assert isinstance(today, Success) and isinstance(targeted, Success)
    expected = (today.text.replace("FROM base AS App\n", "FROM base AS App-build\n")
                .replace("--from=App ", "--from=App-build ")
                .replace("FROM gcr.io/distroless/python3-debian12:nonroot\n",
                         "FROM gcr.io/distroless/python3-debian12:nonroot AS App\n"))
    assert targeted.text == expected


def test_the_renamed_stage_avoids_names_in_use(tmp_path):
    text = THREE.replace("FROM app AS dev", "FROM app AS App-build")
    result = _harden(text, tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    assert [s.alias for s in parse(result.text).stages] == ["base", "App-build-2", "App", "App-build"]
    assert "FROM App-build-2 AS App-build\n" in result.text


def test_stage_numbers_past_the_target_are_shifted(tmp_path):
    text = THREE + ("\nFROM debian:bookworm-slim AS docs\nRUN echo docs > /docs\n"
                    "\nFROM debian:bookworm-slim AS bundle\nCOPY --from=3 /docs /docs\n"
                    "COPY --from=1 /app/app.py /app.py\nCOPY --from=0 /app /base\n")
    result = _harden(text, tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    new = parse(result.text)
    assert [s.alias for s in new.stages] == ["base", "App-build", "App", "dev", "docs", "bundle"]
    # 3 was docs and still is (now 4); 1, the original App, is still 1 (App-build); 0 is base
    assert "COPY --from=4 /docs /docs\nCOPY --from=1 /app/app.py /app.py\nCOPY --from=0 /app /base\n" in result.text
    assert new.stages[4].alias == "docs"


def test_quoted_and_mounted_references(tmp_path):
    text = THREE + ('\nFROM debian:bookworm-slim AS report\nCOPY --from="app" /app /src\n'
                    "RUN --mount=type=bind,from=APP,source=/app,target=/mnt ls /mnt > /list\n")
    result = _harden(text, tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    assert 'COPY --from="App-build" /app /src\n' in result.text
    assert "RUN --mount=type=bind,from=App-build,source=/app,target=/mnt ls /mnt > /list\n" in result.text


def test_a_reference_through_a_variable_is_not_guessed(tmp_path):
    text = THREE + "\nFROM debian:bookworm-slim AS report\nARG SRC=app\nCOPY --from=${SRC} /app /src\n"
    result = _harden(text, tmp_path, build_target="app")
    assert isinstance(result, Skip) and result.kind == "unsupported", str(result)
    assert "--from" in result.reason and "literally" in result.hint


def test_later_stages_that_do_not_read_the_target_are_byte_for_byte(tmp_path):
    tail = "\n# docs\nfrom   debian:bookworm-slim as docs\nrun echo \\\n  docs > /docs"  # no final newline
    text = THREE.replace("\nFROM app AS dev\nUSER root\nRUN pip install pytest\nENTRYPOINT [\"pytest\"]\n", "") + tail
    result = _harden(text, tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    assert result.text.endswith("CMD [\"app.py\"]\n" + tail)


def test_crlf_is_kept(tmp_path):
    result = _harden(THREE.replace("\n", "\r\n"), tmp_path, build_target="app")
    assert isinstance(result, Success), str(result)
    assert "\n" not in result.text.replace("\r\n", "")
    assert "FROM App-build AS dev\r\n" in result.text


def test_an_already_shell_less_target_gets_its_user_in_place(tmp_path):
    text = ('FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /srv/app .\n\n'
            'FROM gcr.io/distroless/static-debian12 AS app\nCOPY --from=build /srv/app /app\nCMD ["/app"]\n\n'
            'FROM debian:bookworm-slim AS tools\nCOPY --from=app /app /app\n')
    result = _harden(text, tmp_path, {"main.go": "package main\n"}, build_target="app")
    assert isinstance(result, Success), str(result)
    tail = "\nFROM debian:bookworm-slim AS tools\nCOPY --from=app /app /app\n"
    assert 'CMD ["/app"]\nUSER 65532:65532\n' + tail in result.text
    # a later stage built FROM it would inherit that USER: not done
    child = text + "\nFROM app AS debug\nCOPY --from=build /srv/app /debug\n"
    skipped = _harden(child, tmp_path, {"main.go": "package main\n"}, build_target="app")
    assert isinstance(skipped, Skip) and skipped.kind == "unsupported", str(skipped)
    assert "debug" in skipped.reason


def test_hardened_level_keeps_later_stages_that_read_nothing_it_changes(tmp_path):
    text = ("FROM python:3.11-slim AS app\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n\n"
            "FROM debian:bookworm-slim AS docs\nCOPY README /README\n")
    result = _harden(text, tmp_path, {"app.py": "", "README": ""}, level="hardened", build_target="app")
    assert isinstance(result, Success), str(result)
    assert result.level == "hardened"
    assert result.text.endswith("\nFROM debian:bookworm-slim AS docs\nCOPY README /README\n")
    head = result.text[: result.text.index("\nFROM debian")]
    assert "USER 65532:65532" in head
    assert not Build(parse(result.text), target="app").run_as.as_root


def test_hardened_level_declines_when_a_later_stage_builds_on_what_it_changes(tmp_path):
    result = _harden(THREE.replace("USER 1000\n", ""), tmp_path, level="hardened", build_target="app")
    assert isinstance(result, Skip) and result.kind == "unsupported", str(result)
    assert "dev" in result.reason and "distroless level" in result.hint


def test_hardened_level_on_the_last_stage_is_what_it_writes_today(tmp_path):
    text = "FROM python:3.11-slim AS app\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n"
    today = _harden(text, tmp_path, level="hardened")
    targeted = _harden(text, tmp_path, level="hardened", build_target="APP")
    assert isinstance(today, Success) and isinstance(targeted, Success)
    assert targeted.text == today.text


# -- the e2e app --------------------------------------------------------------------------------------


def test_the_e2e_app_is_hardened_at_its_target():
    source = SourceFile.read(APP / "Dockerfile")
    result = harden(source, context=APP / "context", build_target="app")
    assert isinstance(result, Success), str(result)
    new = parse(result.text)
    assert [s.alias for s in new.stages] == ["base", "app-build", "app", "dev"]
    assert new.stages[2].base.written == "gcr.io/distroless/python3-debian12:nonroot"
    assert new.stages[3].base.written == "app-build"
    assert not result.unproven


# -- configuration, the command line, --verify -------------------------------------------------------


def test_config_key():
    assert from_mapping({"build-target": "app"}, "x.yaml").build_target == "app"
    assert from_mapping({}, "x.yaml").build_target is None
    for bad in (3, "", "two words", ["app"]):
        with pytest.raises(ConfigError, match="build-target"):
            from_mapping({"build-target": bad}, "x.yaml")


def dhard(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hardener", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def _copy_app(tmp_path: Path) -> Path:
    copy = tmp_path / "Dockerfile"
    copy.write_bytes((APP / "Dockerfile").read_bytes())
    return copy


def test_cli_build_target(tmp_path):
    copy = _copy_app(tmp_path)
    proc = dhard("harden", str(copy), "--context", str(APP / "context"), "--build-target", "app", "--stdout",
                 "--explain")
    assert proc.returncode == 0, proc.stderr
    assert "FROM gcr.io/distroless/python3-debian12:nonroot AS app\n" in proc.stdout
    assert "FROM app-build AS dev\n" in proc.stdout
    assert "--target app" in proc.stderr
    missing = dhard("harden", str(copy), "--context", str(APP / "context"), "--build-target", "web")
    assert missing.returncode == 2
    assert "no stage named web (stages: base, app, dev) (--build-target)" in missing.stderr


def test_cli_reads_build_target_from_the_config_and_the_flag_wins(tmp_path):
    copy = _copy_app(tmp_path)
    (tmp_path / ".dhard.yaml").write_text("build-target: app\n")
    proc = dhard("harden", str(copy), "--context", str(APP / "context"), "--stdout")
    assert proc.returncode == 0, proc.stderr
    assert "AS app\n" in proc.stdout and "FROM app-build AS dev\n" in proc.stdout
    flag = dhard("harden", str(copy), "--context", str(APP / "context"), "--stdout", "--build-target", "dev")
    assert flag.returncode == 0, flag.stderr
    assert "AS dev-build\n" in flag.stdout and "FROM app AS dev-build\n" in flag.stdout
    (tmp_path / ".dhard.yaml").write_text("build-target: web\n")
    wrong = dhard("harden", str(copy), "--context", str(APP / "context"))
    assert wrong.returncode == 2 and "(build-target in " in wrong.stderr and ".dhard.yaml)" in wrong.stderr


def test_check_and_fix_accept_a_config_with_build_target(tmp_path):
    """The dhard and dhard-fix hooks read the same configuration: the key must not be an error there."""
    copy = _copy_app(tmp_path)
    (tmp_path / ".dhard.yaml").write_text("build-target: app\nselect: [DH4]\n")
    for command in ("check", "fix"):
        proc = dhard(command, str(copy))
        assert proc.returncode in (0, 1), proc.stderr


def test_hook_style_arguments_parse():
    """pre-commit puts a hook's ``args`` before the file names: ``dhard harden --build-target app FILE``."""
    from hardener.cli import build_parser

    args = build_parser("harden").parse_args(["harden", "--build-target", "app", "--diff", "Dockerfile"])
    assert (args.build_target, args.dockerfile, args.diff) == ("app", "Dockerfile", True)
    assert build_parser("harden").parse_args(["harden", "Dockerfile"]).build_target is None


def test_verify_builds_both_images_at_the_target(tmp_path, monkeypatch):
    from hardener.rewrite import verify as V

    seen = {}

    def fake_verify(*args, **kwargs):
        seen.update(kwargs)
        raise V.EngineError("no engine in this test")

    monkeypatch.setattr(V, "verify", fake_verify)
    from hardener.cli import main

    copy = _copy_app(tmp_path)
    code = main(["harden", str(copy), "--context", str(APP / "context"), "--build-target", "app", "--verify"])
    assert code == 2 and seen["build_target"] == "app"

    calls = []

    def runner(cmd, timeout=None, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.undo()
    V.verify(copy, "FROM x AS app\n", APP / "context", probe_cmd=["true"], runner=runner, build_options=[],
             build_target="app")
    builds = [c for c in calls if c[1] == "build"]
    assert len(builds) == 2 and all(c[c.index("--target") + 1] == "app" for c in builds)
    assert builds[0][builds[0].index("-f") + 1] == str(copy.resolve())
    plain = V.Engine("docker").build_cmd(Path("D"), "t", Path("."))
    assert "--target" not in plain
