"""Python dependencies installed on Alpine (musl) are installed again on glibc (``hardener/rewrite/musl.py``)."""

from __future__ import annotations

import pytest

from hardener.parse import parse
from hardener.rewrite import Skip, Success, harden


def _harden(tmp_path, dockerfile: str, files: dict | None = None):
    files = {"requirements.txt": "flask==3.0.3\n", "app.py": "print('hi')\n", **(files or {})}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return harden(dockerfile, context=tmp_path)


def _stage(text: str, name: str) -> list[str]:
    """The instruction lines of the stage ``name`` of a rewritten file."""
    df = parse(text)
    stage = df.stage_named(name)
    assert stage is not None, text
    return [ins.line.strip() for ins in stage.instructions]


def test_venv_is_made_and_filled_on_debian_and_copied_from_there(tmp_path):
    result = _harden(tmp_path, """\
FROM python:3.11-alpine
WORKDIR /srv
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt && rm -rf /tmp/*
ENV PATH=/opt/venv/bin:$PATH
COPY app.py .
CMD ["python", "app.py"]
""")
    assert isinstance(result, Success), result
    assert _stage(result.text, "deps") == [
        "FROM python:3.11-slim-bookworm AS deps",
        "WORKDIR /srv",
        "COPY requirements.txt .",
        "RUN --mount=type=cache,target=/root/.cache/pip python -m venv /opt/venv && "
        "/opt/venv/bin/pip install -r requirements.txt && rm -rf /tmp/*",
    ]
    assert "COPY --from=deps /opt/venv/lib/python3.11/site-packages /usr/local/lib/python3.11/dist-packages" \
        in result.text
    assert "COPY --from=build /opt/venv" not in result.text


def test_a_build_without_pip_installs_moves_as_it_is(tmp_path):
    result = _harden(tmp_path, 'FROM python:3.11-alpine\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n')
    assert isinstance(result, Success), result
    assert " AS deps" not in result.text


@pytest.mark.parametrize("step, says", [
    ("RUN apk add --no-cache py3-numpy", "py3-numpy"),
    ("COPY --from=busybox:1.36 /bin/busybox /bin/busybox", "copies from another stage"),
    ("RUN apk add --no-cache --virtual .deps gcc frobnicate-dev", "frobnicate-dev"),
    ("RUN pip download -r requirements.txt | tee log", "pipeline"),
    ("RUN cd /tmp && pip install -r /app/requirements.txt", "runs cd"),
])
def test_what_could_change_the_install_is_a_musl_skip(tmp_path, step, says):
    result = _harden(tmp_path, f"""\
FROM python:3.11-alpine
WORKDIR /app
COPY requirements.txt .
{step}
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py .
CMD ["python", "app.py"]
""")
    assert isinstance(result, Skip) and result.kind == "musl", result
    assert says in result.reason


def test_the_replay_runs_as_root_without_the_users_and_folders(tmp_path):
    result = _harden(tmp_path, """\
FROM python:3.11-alpine
RUN adduser -D app && mkdir -p /srv/app /var/log/app && chown -R app /srv/app /var/log/app
RUN export FLASK_APP=app.py
WORKDIR /srv/app
USER app
COPY --chown=app requirements.txt .
RUN python -m venv /srv/app/venv && /srv/app/venv/bin/pip install -r requirements.txt
COPY app.py .
CMD ["python", "app.py"]
""")
    assert isinstance(result, Success), result
    assert _stage(result.text, "deps") == [
        "FROM python:3.11-slim-bookworm AS deps",
        "WORKDIR /srv/app",
        "COPY requirements.txt .",
        "RUN python -m venv /srv/app/venv && /srv/app/venv/bin/pip install -r requirements.txt",
    ]


def test_steps_after_the_last_install_are_not_replayed(tmp_path):
    result = _harden(tmp_path, """\
FROM python:3.11-alpine
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
RUN printf 'built\\n' > /app/VERSION
COPY app.py .
CMD ["python", "app.py"]
""")
    assert isinstance(result, Success), result
    assert _stage(result.text, "deps")[-1] == "RUN pip install --no-cache-dir -r requirements.txt"


def test_a_version_distroless_lacks_is_still_no_counterpart(tmp_path):
    result = _harden(tmp_path, """\
FROM python:3.12-alpine
COPY requirements.txt .
RUN pip install -r requirements.txt
CMD ["python", "app.py"]
""")
    assert isinstance(result, Skip) and result.kind == "no-counterpart", result


# -- Node: node_modules moves from Alpine when package-lock.json shows it is pure JavaScript, else is installed
# again on glibc ---------------------------------------------------------------------------------------------

NODE_ALPINE = """\
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY server.js .
CMD ["node", "server.js"]
"""


def _node(tmp_path, lock_packages: dict | None):
    import json

    files = {"package.json": json.dumps({"name": "app", "dependencies": {"express": "^4"}}),
             "server.js": "require('express')().listen(3000)\n"}
    if lock_packages is not None:
        files["package-lock.json"] = json.dumps({"lockfileVersion": 3, "packages": {
            "": {"name": "app"}, **lock_packages}})
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return harden(NODE_ALPINE, context=tmp_path)


def test_node_modules_shown_pure_javascript_move_as_they_are(tmp_path):
    result = _node(tmp_path, {"node_modules/express": {"version": "4.19.2"},
                              "node_modules/express/node_modules/debug": {"version": "2.6.9"}})
    assert isinstance(result, Success), result
    assert result.unproven == ()
    assert any("none with an install script" in note.message for note in result.explain)


NATIVE_IN_LOCK = [
    ({"node_modules/fancy-hash": {"version": "1.0.0", "hasInstallScript": True}}, "fancy-hash"),
    ({"node_modules/@esbuild/linux-x64-musl": {"version": "0.21.5", "os": ["linux"], "cpu": ["x64"]}},
     "@esbuild/linux-x64-musl"),
]


@pytest.mark.parametrize("entry, named", NATIVE_IN_LOCK)
def test_native_code_in_the_lock_is_installed_again_on_glibc(tmp_path, entry, named):
    result = _node(tmp_path, {"node_modules/express": {"version": "4.19.2"}, **entry})
    assert isinstance(result, Success), result
    assert result.unproven == ()
    stage, final = result.text.split("\nFROM node:22-bookworm-slim AS node-deps\n", 1)[1].split("\n\n", 1)
    assert stage.splitlines() == ["COPY --from=build /app /app", "WORKDIR /app",
                                  "RUN rm -rf node_modules && npm ci --omit=dev"], stage
    assert "COPY --from=node-deps /app /app" in final and "COPY --from=build " not in final, final
    assert any(named in note.message and "node-deps" in note.message for note in result.explain)


NODE_NATIVE_LOCK = {"node_modules/bcrypt": {"version": "5.1.1", "hasInstallScript": True}}


@pytest.mark.parametrize("dockerfile, says", [
    (NODE_ALPINE.replace("RUN npm ci --omit=dev\n", "RUN npm ci --omit=dev\nRUN mv node_modules /node_modules\n"),
     "moves node_modules"),
    (NODE_ALPINE.replace("RUN npm ci --omit=dev", "RUN corepack enable && pnpm install --frozen-lockfile"),
     "only with npm and its package-lock.json"),
    (NODE_ALPINE.replace("FROM node:22-alpine\n", "FROM node:22-alpine AS deps\nWORKDIR /app\nCOPY package*.json ./\n"
                         "RUN npm ci --omit=dev\nFROM node:22-alpine\n").replace("RUN npm ci --omit=dev\nCOPY server",
                         "COPY --from=deps /app/node_modules ./node_modules\nCOPY server"),
     "not installed by an npm or yarn command of the final stage"),
])
def test_native_code_dhard_cannot_install_again_is_a_musl_skip(tmp_path, dockerfile, says):
    _node(tmp_path, {"node_modules/express": {"version": "4.19.2"}, **NODE_NATIVE_LOCK})
    result = harden(dockerfile, context=tmp_path)
    assert isinstance(result, Skip) and result.kind == "musl", result
    assert says in result.reason and "bcrypt" in result.reason, result.reason


def test_the_build_packages_node_gyp_needs_come_with_the_stage(tmp_path):
    _node(tmp_path, {"node_modules/express": {"version": "4.19.2"}, **NODE_NATIVE_LOCK})
    dockerfile = NODE_ALPINE.replace("RUN npm ci", "RUN apk add --no-cache --virtual .gyp python3 make g++ && npm ci")
    result = harden(dockerfile, context=tmp_path)
    assert isinstance(result, Success), result
    assert "RUN apt-get update && apt-get install -y --no-install-recommends build-essential python3 && " in result.text
    assert "RUN rm -rf node_modules && npm ci --omit=dev\n" in result.text


@pytest.mark.parametrize("old, new", [
    ("COPY server.js .", "COPY server.js .\nRUN npx patch-package"),
    ("RUN npm ci --omit=dev", "RUN npm ci --omit=dev && npx patch-package && apk del .gyp"),
])
def test_a_later_step_that_may_change_node_modules_is_unproven(tmp_path, old, new):
    _node(tmp_path, {"node_modules/express": {"version": "4.19.2"}, **NODE_NATIVE_LOCK})
    result = harden(NODE_ALPINE.replace(old, new), context=tmp_path)
    assert isinstance(result, Success), result
    assert [r for r in result.unproven if "not repeated" in r] == [
        next(r for r in result.unproven if "npx patch-package" in r)], result.unproven


def test_the_install_keeps_its_mounts(tmp_path):
    _node(tmp_path, {"node_modules/express": {"version": "4.19.2"}, **NODE_NATIVE_LOCK})
    dockerfile = NODE_ALPINE.replace("RUN npm ci", "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci")
    result = harden(dockerfile, context=tmp_path)
    assert isinstance(result, Success), result
    assert "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc rm -rf node_modules && npm ci --omit=dev\n" \
        in result.text


def test_without_a_lock_the_move_is_unproven(tmp_path):
    result = _node(tmp_path, None)
    assert isinstance(result, Success), result
    assert any("no package-lock.json" in reason for reason in result.unproven)


@pytest.mark.parametrize("target, image", [
    ("gcr.io/distroless/python3-debian11:nonroot", "python:3.9-slim-bullseye"),
    ("gcr.io/distroless/python3-debian12:nonroot", "python:3.9-slim-bookworm"),
    ("cgr.dev/chainguard/python:latest", "python:3.9-slim-bookworm"),
    ("ubuntu/python:3.10-22.04_stable", "python:3.9-slim-bullseye"),  # Ubuntu 22.04's glibc is older than 12's
    ("ubuntu/python:3.12-24.04_stable", "python:3.9-slim-bookworm"),
])
def test_packages_are_built_on_the_targets_debian(target, image):
    from hardener.rewrite.musl import glibc_image

    assert glibc_image("3.9", target) == image

