"""End to end: build each example app, harden it with dhard, build and run both
images, and check the rewrite answers the same, runs as non-root and has no shell.

The engine is rootful podman from Debian with stand-in base images built from
Debian packages (no container registry is reachable on these machines); the
session fixture runs ``e2e/sandbox/setup.sh`` (idempotent: a few seconds once
the images exist, about 4 minutes the first time) and takes the environment
``e2e/sandbox/env.sh`` sets. The whole module is skipped only when the engine
cannot be installed here (not root, or no apt-get/dpkg); any other problem
fails. See ``shared/BUILD-SANDBOX.md`` and ``e2e/NOTES.md``.

Apps live in ``e2e/apps/<name>/`` (Dockerfile, context/, app.yml with the probe
and the expected answer; ``target.level: hardened`` marks the fallback app).
Builds mount the host's CA bundle read-only (pip and npm inside builds need
it here); the rewritten Dockerfile itself must never mention it.

Set ``DHARD_E2E_ONLY=python-flask,go-http`` to run only some apps.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
E2E = ROOT / "e2e"
SETUP = E2E / "sandbox" / "setup.sh"
ENV_SH = E2E / "sandbox" / "env.sh"
APPS = E2E / "apps"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
# one namespace per session, so that concurrent runs never remove each other's images
TAG = f"localhost/dhard-e2e-test-{os.getpid()}"
REQUIRED_APPS = {"python-flask", "python-venv", "python-cext", "node-http", "go-http", "java-http", "rust-http"}
CLI_VERIFY_APP = "python-flask"  # this one is checked through `dhard harden --verify` as well

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from e2e import harness  # noqa: E402



def _app_dirs() -> list[Path]:
    if not APPS.is_dir():
        return []
    dirs = sorted(p for p in APPS.iterdir() if (p / "app.yml").is_file())
    only = {n.strip() for n in os.environ.get("DHARD_E2E_ONLY", "").split(",") if n.strip()}
    return [p for p in dirs if not only or p.name in only]


def _level(app_dir: Path) -> str:
    return str(harness.load_app(app_dir).target.get("level", "distroless"))


def _build_target(spec) -> str | None:
    """app.yml's ``build.target``: the stage compose builds (``--target``), which dhard hardens (``--build-target``)."""
    return (spec.get("build") or {}).get("target")


def _cannot_install_reason() -> str | None:
    """Why the engine cannot be installed here, or None when setup.sh can do it."""
    if os.name != "posix":
        return "the end-to-end tests need Linux (rootful podman)"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "the end-to-end tests need root: rootful podman, installed with apt-get by e2e/sandbox/setup.sh"
    if shutil.which("podman") is None and (shutil.which("apt-get") is None or shutil.which("dpkg-query") is None):
        return "podman is not installed and cannot be: no apt-get/dpkg on this machine"
    return None


def _sourced_env() -> dict[str, str]:
    """The variables e2e/sandbox/env.sh exports, read by sourcing it in bash."""
    out = subprocess.run(
        ["bash", "-c", f'. "{ENV_SH}" && env -0'], capture_output=True, check=True, env=dict(os.environ)
    ).stdout.decode()
    env = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    return {k: env[k] for k in ("DHARD_SANDBOX_DIR", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")}


@pytest.fixture(scope="session")
def sandbox():
    reason = _cannot_install_reason()
    if reason:
        pytest.skip(reason)
    assert SETUP.is_file(), f"{SETUP} is missing"
    start = time.monotonic()
    proc = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"e2e/sandbox/setup.sh failed (exit {proc.returncode}):\n{tail}", pytrace=False)
    env = _sourced_env()
    os.environ.update(env)
    if not harness.engine_available(refresh=True):
        pytest.fail(f"podman does not work after setup: {harness.engine_unavailable_reason()}", pytrace=False)
    env["setup_seconds"] = f"{time.monotonic() - start:.0f}"
    yield env


@pytest.fixture(scope="session")
def timings(request, sandbox):
    """Seconds per app and step, printed at the end of the session (also with output captured)."""
    table: dict[str, dict[str, float]] = {}
    yield table
    if table:
        lines = ["", f"e2e: sandbox set-up {sandbox.get('setup_seconds', '?')}s; per app (seconds; rewritten image MB):"]
        for app, steps in sorted(table.items()):
            lines.append(f"  {app:<20} " + "  ".join(f"{k}={v:.1f}" for k, v in steps.items()))
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if capture is not None:
            with capture.global_and_fixture_disabled():
                sys.stderr.write("\n".join(lines) + "\n")
        else:
            sys.stderr.write("\n".join(lines) + "\n")


def dhard(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hardener", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def context_copy(spec, workdir: Path) -> Path:
    """A copy of the app's build context in ``workdir``: a rewrite may add files to it (nginx's configuration)."""
    context = workdir / "context"
    shutil.copytree(spec.context, context, symlinks=True)
    return context


def moved_port(spec, text: str) -> int | None:
    """app.yml's ``target.port``, the port the rewritten image answers on when the rewrite moved it (nginx
    on 80 -> 8080), after checking that the rewritten Dockerfile EXPOSEs it; None when it did not move."""
    port = spec.target.get("port")
    if port is None:
        return None
    exposed = re.findall(r"^EXPOSE\s+(.+)$", text.rsplit("\nFROM ", 1)[-1], flags=re.M)
    assert any(str(port) in line.split() for line in exposed), f"the rewrite does not EXPOSE {port}\n{text}"
    return int(port)


def harden(spec, workdir: Path, level: str | None = None) -> str:
    """Run `dhard harden --write` on copies of the app's Dockerfile and context in ``workdir`` (the context
    as ``workdir/context``); return the new text."""
    copy = workdir / "Dockerfile"
    shutil.copyfile(spec.dockerfile, copy)
    context = context_copy(spec, workdir)
    args = ["harden", str(copy), "--context", str(context), "--write"]
    if level:
        args += ["--level", level]
    if _build_target(spec):
        args += ["--build-target", _build_target(spec)]
    proc = dhard(*args)
    assert proc.returncode == 0, (
        f"dhard harden {' '.join(args[1:])} exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
    )
    text = copy.read_text(encoding="utf-8")
    assert text != spec.dockerfile.read_text(encoding="utf-8"), "dhard harden --write left the Dockerfile unchanged"
    return text


# podman 4.3 races when another process removes images while a build looks up its
# layer cache ("checking if cached image exists ...: layer not known"); that is
# the shared store, not the Dockerfile, so such a build is tried again.
_STORE_RACE = ("layer not known", "image not known", "identifier is not a container")


def build(spec, dockerfile: Path, tag: str, target: str | None = None, context: Path | None = None) -> float:
    ca_mount = bool((spec.get("build") or {}).get("ca_mount", True))
    seconds = 0.0
    for attempt in range(3):
        result = harness.build(dockerfile, context or spec.context, tag, ca_mount=ca_mount, target=target,
                               check=False)
        seconds += result.seconds
        if result.ok or not any(m in result.tail(5) for m in _STORE_RACE):
            break
    assert result.ok, f"building {dockerfile.name} of {spec.name} failed ({result.seconds:.0f}s):\n{result.tail(40)}"
    return seconds


def forget(tag: str) -> None:
    """Drop our tag; the layers stay as build cache (removing them races with concurrent builds)."""
    harness.podman("untag", tag, check=False)


def _explain(label: str, probe) -> str:
    return (
        f"{label}: status={probe.status} body={probe.body[:300]!r} error={probe.error!r}\n"
        f"--- container output ---\n" + "\n".join(probe.logs.splitlines()[-30:])
    )


# -- the tests --------------------------------------------------------------------------


def test_the_required_apps_are_there():
    names = {p.name for p in (sorted(APPS.iterdir()) if APPS.is_dir() else []) if (p / "app.yml").is_file()}
    assert REQUIRED_APPS <= names, f"missing example apps: {sorted(REQUIRED_APPS - names)}"
    fallback = [n for n in names if _level(APPS / n) == "hardened"]
    assert fallback, "no example app with target.level: hardened (the --level hardened fallback)"
    assert len(names) >= 8


@pytest.mark.parametrize("app_dir", _app_dirs(), ids=lambda p: p.name)
def test_app(app_dir: Path, sandbox, timings, tmp_path):
    spec = harness.load_app(app_dir)
    level = _level(app_dir)
    steps = timings.setdefault(spec.name, {})
    t0 = time.monotonic()
    orig_tag, new_tag = f"{TAG}/{spec.name}:orig", f"{TAG}/{spec.name}:hardened"
    try:
        # 1. the original builds and answers as app.yml expects (otherwise the app, not dhard, is broken)
        steps["build-orig"] = build(spec, spec.dockerfile, orig_tag, target=_build_target(spec))
        before = harness.probe_detailed(orig_tag, spec)
        assert before.ok, "the ORIGINAL image does not answer as app.yml expects\n" + _explain("original", before)

        # 2. harden it
        t = time.monotonic()
        if spec.get("harden") == "declined":
            # a rewrite that would break the app must be refused, with a reason that names the pattern
            refused = dhard("harden", str(spec.dockerfile), "--context", str(spec.context))
            assert refused.returncode == 1 and spec.get("harden_reason") in refused.stderr, (
                f"dhard harden of {spec.name} should be declined naming {spec.get('harden_reason')!r}, got "
                f"exit {refused.returncode}\n{refused.stdout[-2000:]}\n{refused.stderr[-2000:]}"
            )
            return
        if level == "hardened":
            # a distroless rewrite of this app must be refused with a reason ...
            refused = dhard("harden", str(spec.dockerfile), "--context", str(spec.context))
            assert refused.returncode == 1, (
                f"a distroless `dhard harden` of {spec.name} should be skipped (exit 1), got {refused.returncode}\n"
                f"{refused.stdout[-2000:]}\n{refused.stderr[-2000:]}"
            )
            # ... and the fallback applies
            text = harden(spec, tmp_path, level="hardened")
        else:
            text = harden(spec, tmp_path)
        steps["harden"] = time.monotonic() - t
        assert HOST_CA + ":" not in text, "the rewritten Dockerfile mentions the build machine's CA bundle mount"

        # 3. the rewrite builds and gives the same answer
        steps["build-new"] = build(spec, tmp_path / "Dockerfile", new_tag, target=_build_target(spec),
                                   context=tmp_path / "context")
        after = harness.probe_detailed(new_tag, spec, port=moved_port(spec, text))
        assert after.status is not None, "the REWRITTEN image did not answer\n" + _explain("rewritten", after) + (
            f"\n--- rewritten Dockerfile ---\n{text}"
        )
        assert (after.status, after.body) == (before.status, before.body), (
            "the rewritten image answers differently\n" + _explain("original", before) + "\n"
            + _explain("rewritten", after) + f"\n--- rewritten Dockerfile ---\n{text}"
        )
        assert after.ok, _explain("rewritten", after)
        steps["probe"] = before.seconds + after.seconds

        # 4. non-root: by its config and by the uid its process actually ran as
        assert not harness.runs_as_root(new_tag), (
            f"the rewritten image runs as root (USER {harness.image_user(new_tag)!r})\n--- rewritten ---\n{text}"
        )
        if after.runtime_user:
            assert after.runtime_user != "0", "the rewritten image's process ran as uid 0"

        # 5. no shell (the hardened fallback keeps its shell by design)
        if level != "hardened":
            assert not harness.has_shell(new_tag), f"the rewritten image has /bin/sh\n--- rewritten ---\n{text}"
        steps["size-MB"] = harness.image_size(new_tag) / 1e6

        # 6. the attack-surface report (what --verify --report writes), checked against what the harness saw
        t = time.monotonic()
        _check_report(spec, orig_tag, new_tag, tmp_path, level)
        steps["report"] = time.monotonic() - t
    finally:
        steps["total"] = time.monotonic() - t0
        for tag in (orig_tag, new_tag):
            forget(tag)


def _check_report(spec, orig_tag: str, new_tag: str, tmp_path: Path, level: str) -> None:
    """Measure both images as ``--report`` does, write the report, and check its figures independently: the
    harness's own shell and root checks, image sizes, and the SBOM against the CycloneDX schema."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    from hardener.report import compare, measure_image, sbom
    from hardener.rewrite.verify import Engine

    engine = Engine("podman")
    report = compare(measure_image(engine, orig_tag, tmp_path), measure_image(engine, new_tag, tmp_path))
    (tmp_path / "report.json").write_text(report.to_json())
    (tmp_path / "report.html").write_text(report.to_html())
    before, after = report.before, report.after
    assert after.runs_as_root is harness.runs_as_root(new_tag) is False, report.to_text()
    if level != "hardened":
        assert after.tool_names("shells") == [] and not harness.has_shell(new_tag), report.to_text()
        assert after.tool_names("package_managers") == [], report.to_text()
        assert len(after.packages) < len(before.packages), report.to_text()
    assert report.paths_added("setuid") == [] and report.paths_added("setgid") == [], report.to_text()
    assert (after.layers_bytes < before.layers_bytes) == (harness.image_size(new_tag) < harness.image_size(orig_tag))
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(sbom(after)))
    assert errors is None, f"the rewritten image's SBOM does not validate: {errors}"


@pytest.mark.parametrize("app_dir", _app_dirs(), ids=lambda p: p.name)
def test_unsafe_fix(app_dir: Path, sandbox, tmp_path):
    """`dhard fix --unsafe-fixes` either keeps the app answering as before, as a non-root user, or
    leaves the USER alone with a reason (app.yml's ``user_fix``: applied | declined, and its reason)."""
    spec = harness.load_app(app_dir)
    context = tmp_path / "context"
    shutil.copytree(spec.context, context, symlinks=True)
    dockerfile = context / "Dockerfile"
    shutil.copyfile(spec.dockerfile, dockerfile)
    fixed = dhard("fix", "--unsafe-fixes", str(dockerfile))
    assert fixed.returncode in (0, 1), f"dhard fix exited {fixed.returncode}\n{fixed.stderr[-3000:]}"
    text = dockerfile.read_text(encoding="utf-8")
    left = dhard("check", "--select", "DH101", str(dockerfile))
    expected = spec.get("user_fix")
    if left.returncode != 0:
        assert expected != "applied", f"the USER fix was not applied to {spec.name}:\n{left.stdout}\n{text}"
        reason = spec.get("user_fix_reason") or ("not applied" if "(the USER fix is not applied" in left.stdout else "no fix:")
        assert reason in left.stdout, f"DH101 stayed without a reason that names the pattern:\n{left.stdout}"
        return
    assert expected != "declined", f"the USER fix should have been declined for {spec.name}:\n{text}"
    orig_tag, fixed_tag = f"{TAG}/{spec.name}:orig-fix", f"{TAG}/{spec.name}:fixed"
    ca_mount = bool((spec.get("build") or {}).get("ca_mount", True))
    try:
        build(spec, spec.dockerfile, orig_tag)
        before = harness.probe_detailed(orig_tag, spec)
        assert before.ok, _explain("original", before)
        result = harness.build(dockerfile, context, fixed_tag, ca_mount=ca_mount, check=False)
        assert result.ok, f"the fixed Dockerfile of {spec.name} does not build:\n{result.tail(40)}\n{text}"
        after = harness.probe_detailed(fixed_tag, spec)
        assert (after.status, after.body) == (before.status, before.body), (
            "the fixed image answers differently\n" + _explain("original", before) + "\n"
            + _explain("fixed", after) + f"\n--- fixed Dockerfile ---\n{text}"
        )
        assert not harness.runs_as_root(fixed_tag), f"the fixed image still runs as root\n{text}"
    finally:
        for tag in (orig_tag, fixed_tag):
            forget(tag)


def test_harden_verify_cli(sandbox, tmp_path):
    """`dhard harden --verify` builds, runs and compares both images itself."""
    app_dir = APPS / CLI_VERIFY_APP
    if not (app_dir / "app.yml").is_file():
        pytest.fail(f"{app_dir} is missing")
    spec = harness.load_app(app_dir)
    http = spec.probe_spec["http"]
    probe = f"{http.get('port', spec.port)}{http.get('path', '/')}"
    copy = tmp_path / "Dockerfile"
    shutil.copyfile(spec.dockerfile, copy)
    before = _verify_leftovers()
    # the CA mount is this machine's business: passed to the engine through the environment
    env = {"DHARD_VERIFY_BUILD_OPTS": f"-v {HOST_CA}:{HOST_CA}:ro"}
    proc = dhard(
        "harden", str(copy), "--context", str(spec.context), "--verify", "--engine", "podman", "--probe-http", probe,
        env=env, timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"dhard harden --verify exited {proc.returncode}\n{output[-4000:]}"
    assert "verify: OK" in output, output[-4000:]
    assert "same answer, non-root, no shell" in output
    # it cleaned up after itself (what another run's --verify has in flight is not ours)
    assert _verify_leftovers() - before == set()


@pytest.mark.parametrize("app, kept", [(APPS / "go-http", True), (E2E / "traps" / "go-writes-computed-path", False)],
                         ids=["kept", "refused"])
def test_fix_verify(app: Path, kept: bool, sandbox, tmp_path):
    """`dhard fix --verify` applies the unsafe fixes (proven or not) and keeps them
    only when the fixed image answers as the original: go-http does; go-writes-computed-path makes a folder under
    /var/lib whose name it computes, which dhard cannot read and the new user cannot create."""
    context = tmp_path / "context"
    shutil.copytree(app / "context", context)
    dockerfile = context / "Dockerfile"
    shutil.copyfile(app / "Dockerfile", dockerfile)
    before = dockerfile.read_text(encoding="utf-8")
    assert "USER" not in before
    proc = dhard("fix", "--verify", "--engine", "podman", "--probe-http", "8080/", str(dockerfile), timeout=900)
    output = proc.stdout + proc.stderr
    after = dockerfile.read_text(encoding="utf-8")
    if kept:
        assert "the fixes are kept" in output, output[-4000:]
        assert "\nUSER " in after, after
    else:
        assert "the unsafe fixes are not written" in output and "the answers differ" in output, output[-4000:]
        assert "USER" not in after, after
    left = dhard("check", "--select", "DH101", str(dockerfile))
    assert (left.returncode == 0) is kept, left.stdout


def _verify_leftovers() -> set[str]:
    images = harness.podman("images", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
    containers = harness.podman("ps", "-a", "--format", "{{.Names}}", check=False).stdout.split()
    return {x for x in images + containers if "dhard-verify-" in x}
