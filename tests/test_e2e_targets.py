"""End to end on the other targets: `dhard harden --target chainguard|dhi|ubuntu`.

For every ecosystem dhard rewrites (Python, Node, Java, Go with and without
cgo, Rust, nginx) and each target, the app's Dockerfile is hardened with
``--target T --write``, the original and the rewrite are built with podman and
run, and the rewrite must answer as the original, run as non-root and have no
``/bin/sh``, exactly as ``tests/test_e2e.py`` checks the distroless rewrites.
A pair dhard cannot emit (Rust on DHI: no image with libgcc_s; everything but
Python on Ubuntu's chiseled rocks) must be refused with a skip that says so.

No registry is reachable here, so the target images are stand-ins built by
``e2e/sandbox/setup.sh`` and laid out as the real images document: users,
paths, ENTRYPOINT/CMD, WORKDIR, environment. Chainguard's and DHI's are made
from the distroless stand-ins (Debian 12 packages: Python 3.11, Node 22, Java
17; ``e2e/sandbox/images/chainguard/``, ``dhi/``), Ubuntu's Python from Ubuntu
24.04's packages (``e2e/sandbox/images/ubuntu/``); the facts and their sources
are in ``e2e/NOTES.md``. They are tagged with the exact references dhard
writes, so a reference dhard gets wrong fails the build (``--pull=never``).

Skipped, as ``tests/test_e2e.py`` is, only when the engine cannot be installed
here (not root, no apt-get); with ``CI=true`` or ``DHARD_REQUIRE_E2E=1`` that
fails instead. Set ``DHARD_E2E_ONLY=python-flask,go-http`` to run only some apps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from e2e import harness  # noqa: E402

import test_e2e as base  # noqa: E402  (its helpers: dhard, build, forget, _explain, _cannot_install_reason)

APPS = ROOT / "e2e" / "apps"
TAG = f"localhost/dhard-e2e-targets-{os.getpid()}"

# app -> (ecosystem, {target: the runtime image dhard writes, or the skip reason it must give})
NO = "skip:no-counterpart"
PAIRS = {
    "python-flask": ("python", {"chainguard": "cgr.dev/chainguard/python:latest", "dhi": "dhi.io/python:3.11",
                                "ubuntu": NO}),
    "python-312": ("python 3.12 (not on distroless)", {"ubuntu": "ubuntu/python:3.12-24.04_stable"}),
    "python-alpine": ("python (installed on Alpine: a glibc deps stage)",
                      {"chainguard": "cgr.dev/chainguard/python:latest", "dhi": "dhi.io/python:3.11", "ubuntu": NO}),
    "node-http": ("node", {"chainguard": "cgr.dev/chainguard/node:latest", "dhi": "dhi.io/node:22", "ubuntu": NO}),
    "node-alpine-native": ("node (native code built on Alpine: a glibc reinstall)",
                           {"chainguard": "cgr.dev/chainguard/node:latest", "dhi": "dhi.io/node:22", "ubuntu": NO}),
    "java-http": ("java", {"chainguard": "cgr.dev/chainguard/jre:latest", "dhi": "dhi.io/eclipse-temurin:17",
                           "ubuntu": NO}),
    "go-http": ("go (cgo: glibc)", {"chainguard": "cgr.dev/chainguard/glibc-dynamic:latest",
                                    "dhi": "dhi.io/static:20250419-glibc", "ubuntu": NO}),
    "go-multistage": ("go (static)", {"chainguard": "cgr.dev/chainguard/static:latest", "dhi": "dhi.io/static:20250419",
                                      "ubuntu": NO}),
    "rust-http": ("rust (glibc + libgcc_s)", {"chainguard": "cgr.dev/chainguard/glibc-dynamic:latest", "dhi": NO,
                                              "ubuntu": NO}),
    "static-site": ("nginx (a site built with npm)", {"chainguard": "cgr.dev/chainguard/nginx:latest",
                                                      "dhi": "dhi.io/nginx:1.27", "ubuntu": NO}),
    "nginx-front": ("nginx (the user's conf.d, -alpine)", {"chainguard": "cgr.dev/chainguard/nginx:latest",
                                                           "dhi": "dhi.io/nginx:1.27", "ubuntu": NO}),
    "nginx-unprivileged": ("nginx (nginx-unprivileged, its own nginx.conf)",
                           {"chainguard": "cgr.dev/chainguard/nginx:latest", "dhi": "dhi.io/nginx:1.27", "ubuntu": NO}),
}
# python-312 is built on ubuntu only: the Chainguard and DHI stand-ins run Debian 12's Python 3.11, and the
# python ecosystem is proven on them by python-flask


def _cases() -> list[tuple[str, str]]:
    only = {n.strip() for n in os.environ.get("DHARD_E2E_ONLY", "").split(",") if n.strip()}
    return [(app, t) for app in PAIRS for t in PAIRS[app][1] if not only or app in only]


def _required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(os.environ.get("DHARD_REQUIRE_E2E"))


@pytest.fixture(scope="session")
def sandbox():
    reason = base._cannot_install_reason()
    if reason:
        if _required():
            pytest.fail(f"the end-to-end tests are required here (CI / DHARD_REQUIRE_E2E) but: {reason}", pytrace=False)
        pytest.skip(reason)
    assert base.SETUP.is_file(), f"{base.SETUP} is missing"
    proc = subprocess.run(["bash", str(base.SETUP)], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"e2e/sandbox/setup.sh failed (exit {proc.returncode}):\n{tail}", pytrace=False)
    env = base._sourced_env()
    os.environ.update(env)
    if not harness.engine_available(refresh=True):
        pytest.fail(f"podman does not work after setup: {harness.engine_unavailable_reason()}", pytrace=False)
    yield env


def _final_from(text: str) -> str:
    froms = re.findall(r"^FROM\s+(?:--platform=\S+\s+)?(\S+)", text, flags=re.M | re.I)
    assert froms, text
    return froms[-1]


def _harden(spec, workdir: Path, target: str) -> subprocess.CompletedProcess:
    """``dhard harden --write`` on copies of the app's Dockerfile and context (the rewrite may add files to the
    context: nginx's adapted configuration), in ``workdir``."""
    copy = workdir / "Dockerfile"
    copy.write_bytes(spec.dockerfile.read_bytes())
    context = base.context_copy(spec, workdir)
    return base.dhard("harden", str(copy), "--target", target, "--context", str(context), "--write")


# -- without the engine: what dhard writes for each pair ------------------------------------


@pytest.mark.parametrize("app,target", [(a, t) for a in PAIRS for t in PAIRS[a][1]], ids=lambda v: v)
def test_written_reference(app: str, target: str, tmp_path):
    """The runtime image of each pair is the reference the stand-in is tagged with (or the refusal)."""
    spec = harness.load_app(APPS / app)
    expected = PAIRS[app][1][target]
    proc = _harden(spec, tmp_path, target)
    if expected.startswith("skip:"):
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert f"skipped ({expected[5:]})" in proc.stderr, proc.stderr
        assert (tmp_path / "Dockerfile").read_bytes() == spec.dockerfile.read_bytes(), "a refused rewrite was written"
        return
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert _final_from((tmp_path / "Dockerfile").read_text(encoding="utf-8")) == expected


# -- with the engine: build, run, probe ------------------------------------------------------


@pytest.mark.parametrize("app,target", _cases(), ids=lambda v: v)
def test_target(app: str, target: str, sandbox, tmp_path):
    spec = harness.load_app(APPS / app)
    expected = PAIRS[app][1][target]
    if expected.startswith("skip:"):
        proc = _harden(spec, tmp_path, target)
        assert proc.returncode == 1 and f"skipped ({expected[5:]})" in proc.stderr, (
            f"dhard harden --target {target} of {app} should be refused ({expected[5:]}), got exit "
            f"{proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
        return
    assert harness.podman("image", "exists", expected, check=False).returncode == 0, (
        f"the stand-in {expected} is missing: e2e/sandbox/setup.sh should have built it"
    )
    orig_tag, new_tag = f"{TAG}/{app}:orig", f"{TAG}/{app}:{target}"
    t0 = time.monotonic()
    try:
        # 1. the original answers as app.yml expects
        base.build(spec, spec.dockerfile, orig_tag)
        before = harness.probe_detailed(orig_tag, spec)
        assert before.ok, "the ORIGINAL image does not answer as app.yml expects\n" + base._explain("original", before)

        # 2. harden it onto the target
        proc = _harden(spec, tmp_path, target)
        assert proc.returncode == 0, (
            f"dhard harden --target {target} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
        text = (tmp_path / "Dockerfile").read_text(encoding="utf-8")
        assert _final_from(text) == expected, text
        assert base.HOST_CA + ":" not in text, "the rewritten Dockerfile mentions the build machine's CA bundle mount"

        # 3. it builds on the stand-in and answers the same
        base.build(spec, tmp_path / "Dockerfile", new_tag, context=tmp_path / "context")
        after = harness.probe_detailed(new_tag, spec, port=base.moved_port(spec, text))
        assert after.status is not None, (
            "the REWRITTEN image did not answer\n" + base._explain("rewritten", after) + f"\n--- rewritten ---\n{text}"
        )
        assert (after.status, after.body) == (before.status, before.body), (
            "the rewritten image answers differently\n" + base._explain("original", before) + "\n"
            + base._explain("rewritten", after) + f"\n--- rewritten ---\n{text}"
        )
        assert after.ok, base._explain("rewritten", after)

        # 4. non-root, by its config and by the uid its process ran as
        assert not harness.runs_as_root(new_tag), (
            f"the rewritten image runs as root (USER {harness.image_user(new_tag)!r})\n--- rewritten ---\n{text}"
        )
        if after.runtime_user:
            assert after.runtime_user != "0", "the rewritten image's process ran as uid 0"

        # 5. no shell
        assert not harness.has_shell(new_tag), f"the rewritten image has /bin/sh\n--- rewritten ---\n{text}"
    finally:
        sys.stderr.write(f"\ne2e targets: {app} on {target}: {time.monotonic() - t0:.1f}s\n")
        for tag in (orig_tag, new_tag):
            base.forget(tag)
