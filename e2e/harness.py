"""Build and run container images in the dhard end-to-end sandbox.

Standard library only, so tests can import it without extra dependencies:

    from e2e import harness                      # or: import harness (e2e/ on sys.path)
    if not harness.engine_available(): pytest.skip("no container engine")
    spec = harness.load_app("e2e/apps/python-flask")
    harness.build("e2e/apps/python-flask/Dockerfile", spec.context, "dhard-e2e/python-flask:orig")
    status, body = harness.probe("dhard-e2e/python-flask:orig", spec)
    harness.has_shell(tag), harness.runs_as_root(tag), harness.image_size(tag)

Command line:

    python3 e2e/harness.py e2e/apps/python-flask                 # original Dockerfile
    python3 e2e/harness.py e2e/apps/python-flask --dockerfile e2e/apps/python-flask/expected-hardened.Dockerfile
    python3 e2e/harness.py --all                                 # every app, original + expected-hardened

The engine is rootful podman configured by e2e/sandbox/setup.sh through
CONTAINERS_CONF / CONTAINERS_STORAGE_CONF; this module sets those from
DHARD_SANDBOX_DIR (default /var/tmp/dhard-sandbox) when they are unset.
Builds never pull (--pull=never). pip and npm inside builds need the host's CA
bundle, so builds mount it read-only at the same path (ca_mount=True); that
mount is an artefact of this machine and never belongs in a Dockerfile.
"""

from __future__ import annotations

import argparse
import ast
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

E2E_DIR = Path(__file__).resolve().parent
APPS_DIR = E2E_DIR / "apps"
SANDBOX_DIR_DEFAULT = "/var/tmp/dhard-sandbox"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
TAG_PREFIX = "localhost/dhard-e2e"

__all__ = [
    "AppSpec",
    "BuildResult",
    "ProbeResult",
    "HarnessError",
    "BuildError",
    "ensure_env",
    "engine_available",
    "engine_unavailable_reason",
    "podman",
    "load_app",
    "list_apps",
    "build",
    "probe",
    "probe_detailed",
    "has_shell",
    "runs_as_root",
    "image_user",
    "image_uid",
    "image_size",
    "read_image_file",
    "image_config",
    "image_exists",
    "remove_image",
    "check_app",
]


class HarnessError(RuntimeError):
    """The engine or an image did something the harness cannot work with."""


class BuildError(HarnessError):
    def __init__(self, message: str, result: "BuildResult"):
        super().__init__(message)
        self.result = result


# --------------------------------------------------------------------- engine


def ensure_env() -> dict[str, str]:
    """Point podman at the sandbox config (unless the caller already did)."""
    sandbox = os.environ.setdefault("DHARD_SANDBOX_DIR", SANDBOX_DIR_DEFAULT)
    os.environ.setdefault("CONTAINERS_CONF", os.path.join(sandbox, "containers.conf"))
    os.environ.setdefault("CONTAINERS_STORAGE_CONF", os.path.join(sandbox, "storage.conf"))
    return {k: os.environ[k] for k in ("DHARD_SANDBOX_DIR", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF")}


def podman(*args: str, check: bool = True, timeout: float | None = 600,
           input: bytes | None = None, text: bool = True) -> subprocess.CompletedProcess:
    """Run podman with the sandbox environment; raise HarnessError if check and it fails."""
    ensure_env()
    try:
        cp = subprocess.run(["podman", *args], capture_output=True, timeout=timeout,
                            input=input, text=text if input is None else False)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"podman {' '.join(args[:3])} ... timed out after {timeout}s") from e
    except FileNotFoundError as e:
        raise HarnessError("podman is not installed (run e2e/sandbox/setup.sh)") from e
    if check and cp.returncode != 0:
        err = cp.stderr if isinstance(cp.stderr, str) else cp.stderr.decode(errors="replace")
        raise HarnessError(f"podman {' '.join(args)} failed ({cp.returncode}): {err.strip()[-2000:]}")
    return cp


_ENGINE_OK: bool | None = None
_ENGINE_WHY = ""


def engine_available(refresh: bool = False) -> bool:
    """True when podman works here: `podman run --rm debian:bookworm-slim true`.

    Cached per process. The reason for a False is in `engine_unavailable_reason()`.
    """
    global _ENGINE_OK, _ENGINE_WHY
    if _ENGINE_OK is not None and not refresh:
        return _ENGINE_OK
    env = ensure_env()
    if shutil.which("podman") is None:
        _ENGINE_OK, _ENGINE_WHY = False, "podman not installed (run e2e/sandbox/setup.sh)"
    elif not (os.path.exists(env["CONTAINERS_CONF"]) and os.path.exists(env["CONTAINERS_STORAGE_CONF"])):
        _ENGINE_OK, _ENGINE_WHY = False, f"no sandbox config in {env['DHARD_SANDBOX_DIR']} (run e2e/sandbox/setup.sh)"
    else:
        try:
            cp = podman("run", "--rm", "--pull=never", "--network=none",
                        "docker.io/library/debian:bookworm-slim", "true", check=False, timeout=120)
            _ENGINE_OK = cp.returncode == 0
            _ENGINE_WHY = "" if _ENGINE_OK else f"podman run failed: {cp.stderr.strip()[-500:]}"
        except HarnessError as e:
            _ENGINE_OK, _ENGINE_WHY = False, str(e)
    return _ENGINE_OK


def engine_unavailable_reason() -> str:
    return _ENGINE_WHY


# --------------------------------------------------------------------- app specs


@dataclass
class AppSpec:
    """An example app: e2e/apps/<name>/{Dockerfile,context/,app.yml}."""

    name: str
    root: Path
    data: dict[str, Any]

    @property
    def context(self) -> Path:
        return self.root / "context"

    @property
    def dockerfile(self) -> Path:
        return self.root / "Dockerfile"

    @property
    def expected_hardened(self) -> Path | None:
        p = self.root / "expected-hardened.Dockerfile"
        return p if p.exists() else None

    @property
    def probe_spec(self) -> dict[str, Any]:
        return self.data.get("probe") or {}

    @property
    def expect(self) -> dict[str, Any]:
        return self.data.get("expect") or {}

    @property
    def port(self) -> int | None:
        http = self.probe_spec.get("http")
        if http:
            return int(http.get("port", self.data.get("port", 8000)))
        p = self.data.get("port")
        return int(p) if p is not None else None

    @property
    def target(self) -> dict[str, Any]:
        return self.data.get("target") or {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def load_app(app_dir: str | os.PathLike) -> AppSpec:
    root = Path(app_dir).resolve()
    yml = root / "app.yml"
    if not yml.exists():
        raise HarnessError(f"{yml} not found")
    data = load_yaml(yml.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise HarnessError(f"{yml}: expected a mapping")
    return AppSpec(name=str(data.get("name") or root.name), root=root, data=data)


def list_apps(apps_dir: str | os.PathLike = APPS_DIR) -> list[AppSpec]:
    return [load_app(p) for p in sorted(Path(apps_dir).iterdir()) if (p / "app.yml").exists()]


def load_yaml(text: str) -> Any:
    """Parse app.yml: with ruamel.yaml or PyYAML when importable, else with the
    small subset parser below (block mappings, block lists, flow [..] and {..},
    plain/quoted scalars, comments) -- enough for app.yml."""
    try:
        from ruamel.yaml import YAML  # type: ignore

        return _plain(YAML(typ="safe", pure=True).load(text))
    except ImportError:
        pass
    try:
        import yaml  # type: ignore

        return yaml.safe_load(text)
    except ImportError:
        pass
    return _MiniYaml(text).parse()


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


class _MiniYaml:
    def __init__(self, text: str):
        self.lines: list[tuple[int, str]] = []
        for raw in text.splitlines():
            s = _strip_comment(raw).rstrip()
            if s.strip() and s.strip() != "---":
                self.lines.append((len(s) - len(s.lstrip(" ")), s.strip()))
        self.i = 0

    def parse(self) -> Any:
        if not self.lines:
            return None
        return self._block(self.lines[0][0])

    def _block(self, indent: int) -> Any:
        if self.lines[self.i][1].startswith("- ") or self.lines[self.i][1] == "-":
            return self._list(indent)
        out: dict[str, Any] = {}
        while self.i < len(self.lines):
            ind, s = self.lines[self.i]
            if ind < indent:
                break
            if ind > indent:
                raise HarnessError(f"app.yml: unexpected indentation: {s!r}")
            key, sep, rest = _split_key(s)
            if not sep:
                raise HarnessError(f"app.yml: expected 'key: value': {s!r}")
            self.i += 1
            rest = rest.strip()
            if rest in ("|", ">", "|-", ">-"):
                parts = []
                while self.i < len(self.lines) and self.lines[self.i][0] > indent:
                    parts.append(self.lines[self.i][1])
                    self.i += 1
                text = ("\n" if rest.startswith("|") else " ").join(parts)
                out[key] = text if rest.endswith("-") else text + "\n"
            elif rest:
                out[key] = _scalar_or_flow(rest)
            elif self.i < len(self.lines) and self.lines[self.i][0] > indent:
                out[key] = self._block(self.lines[self.i][0])
            elif self.i < len(self.lines) and self.lines[self.i][0] == indent and self.lines[self.i][1].startswith("-"):
                out[key] = self._list(indent)
            else:
                out[key] = None
        return out

    def _list(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while self.i < len(self.lines):
            ind, s = self.lines[self.i]
            if ind != indent or not (s.startswith("- ") or s == "-"):
                break
            item = s[1:].strip()
            self.i += 1
            if not item:
                out.append(self._block(self.lines[self.i][0]) if self.i < len(self.lines) and self.lines[self.i][0] > indent else None)
            elif _split_key(item)[1] and not item.startswith(("[", "{", '"', "'")):
                # "- key: value" starts a mapping inside the list
                sub_indent = indent + 2
                self.lines.insert(self.i, (sub_indent, item))
                out.append(self._block(sub_indent))
            else:
                out.append(_scalar_or_flow(item))
        return out


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _split_key(s: str) -> tuple[str, bool, str]:
    m = re.match(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^:\[\]{}]+?)\s*:(\s+|$)(.*)$', s)
    if not m:
        return s, False, ""
    key = m.group(1)
    if key[:1] in "\"'":
        key = key[1:-1]
    return key, True, m.group(3)


def _scalar_or_flow(s: str) -> Any:
    s = s.strip()
    if s.startswith(("[", "{")):
        value, rest = _flow(s, 0)
        if s[rest:].strip():
            raise HarnessError(f"app.yml: trailing text after flow value: {s!r}")
        return value
    return _scalar(s)


def _scalar(s: str) -> Any:
    if s[:1] == '"':
        return ast.literal_eval(s) if s.endswith('"') else s
    if s[:1] == "'":
        return s[1:-1].replace("''", "'")
    low = s.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("null", "~", ""):
        return None
    if re.fullmatch(r"[-+]?\d+", s):
        return int(s)
    if re.fullmatch(r"[-+]?\d+\.\d*", s):
        return float(s)
    return s


def _flow(s: str, i: int) -> tuple[Any, int]:
    def skip(j: int) -> int:
        while j < len(s) and s[j] in " \t":
            j += 1
        return j

    i = skip(i)
    if s[i] == "[":
        out: list[Any] = []
        i = skip(i + 1)
        while s[i] != "]":
            v, i = _flow(s, i)
            out.append(v)
            i = skip(i)
            if s[i] == ",":
                i = skip(i + 1)
        return out, i + 1
    if s[i] == "{":
        d: dict[str, Any] = {}
        i = skip(i + 1)
        while s[i] != "}":
            k, i = _flow_atom(s, i, stop=":")
            i = skip(i)
            if s[i] != ":":
                raise HarnessError(f"app.yml: expected ':' in {s!r}")
            v, i = _flow(s, i + 1)
            d[str(k)] = v
            i = skip(i)
            if s[i] == ",":
                i = skip(i + 1)
        return d, i + 1
    return _flow_atom(s, i, stop="")


def _flow_atom(s: str, i: int, stop: str) -> tuple[Any, int]:
    if s[i] in "\"'":
        q = s[i]
        j = i + 1
        while j < len(s):
            if s[j] == "\\" and q == '"':
                j += 2
                continue
            if s[j] == q:
                if q == "'" and j + 1 < len(s) and s[j + 1] == "'":
                    j += 2
                    continue
                break
            j += 1
        return _scalar(s[i:j + 1]), j + 1
    j = i
    ends = ",]}" + stop
    while j < len(s) and s[j] not in ends:
        if s[j] == ":" and not stop and j + 1 < len(s) and s[j + 1] in " ,]}":
            break
        j += 1
    return _scalar(s[i:j].strip()), j


# --------------------------------------------------------------------- build


# podman 4.3 errors of a shared store changed under a running build
_STORE_RACE = ("layer not known", "image not known", "identifier is not a container")


@dataclass
class BuildResult:
    tag: str
    ok: bool
    seconds: float
    log: str
    image_id: str = ""
    command: list[str] = field(default_factory=list)

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-n:])


def build(dockerfile: str | os.PathLike, context: str | os.PathLike, tag: str, *,
          ca_mount: bool = True, build_args: dict[str, str] | None = None,
          target: str | None = None, no_cache: bool = False, timeout: float = 1800,
          check: bool = True, extra_args: list[str] | None = None,
          store_race_retries: int = 2) -> BuildResult:
    """Build `dockerfile` with `context` as `tag` (podman build --pull=never).

    Returns a BuildResult; raises BuildError when the build fails and check is True.
    A build that fails because another process removed images from the shared
    store meanwhile (podman 4.3: "layer not known", "image not known") is
    retried up to `store_race_retries` times; `seconds` covers all attempts.
    """
    cmd = ["build", "--pull=never", "--format", "docker", "--layers", "-f", str(Path(dockerfile).resolve()), "-t", tag]
    if ca_mount and os.path.exists(HOST_CA):
        cmd += ["-v", f"{HOST_CA}:{HOST_CA}:ro"]
    for k, v in (build_args or {}).items():
        cmd += ["--build-arg", f"{k}={v}"]
    if target:
        cmd += ["--target", target]
    if no_cache:
        cmd.append("--no-cache")
    cmd += list(extra_args or [])
    cmd.append(str(Path(context).resolve()))
    t0 = time.monotonic()
    for _ in range(store_race_retries + 1):
        cp = podman(*cmd, check=False, timeout=timeout)
        log = (cp.stdout or "") + (cp.stderr or "")
        tail = "\n".join(log.splitlines()[-5:])
        if cp.returncode == 0 or not any(m in tail for m in _STORE_RACE):
            break
    secs = time.monotonic() - t0
    image_id = ""
    if cp.returncode == 0:
        image_id = podman("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()
    res = BuildResult(tag=tag, ok=cp.returncode == 0, seconds=secs, log=log, image_id=image_id, command=["podman", *cmd])
    if check and not res.ok:
        raise BuildError(f"build of {dockerfile} as {tag} failed:\n{res.tail()}", res)
    return res


# --------------------------------------------------------------------- images


def image_exists(tag: str) -> bool:
    return podman("image", "exists", tag, check=False).returncode == 0


def image_config(tag: str) -> dict[str, Any]:
    """The image's config (User, Entrypoint, Cmd, Env, WorkingDir, ExposedPorts...)."""
    out = podman("image", "inspect", tag).stdout
    data = json.loads(out)[0]
    cfg = data.get("Config") or {}
    return cfg


def image_size(tag: str) -> int:
    """Size of the image in bytes (podman's Size: all layers, uncompressed)."""
    return int(podman("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())


def image_user(tag: str) -> str:
    """Config.User as set by USER ("" means root)."""
    return (image_config(tag).get("User") or "").strip()


def read_image_file(tag: str, path: str) -> bytes | None:
    """Read one file out of an image without running anything in it."""
    name = f"dhard-e2e-cp-{uuid.uuid4().hex[:10]}"
    podman("create", "--name", name, "--pull=never", "--entrypoint", "/dhard-e2e-none", tag)
    try:
        cp = podman("cp", f"{name}:{path}", "-", check=False, text=False, input=b"")
        if cp.returncode != 0:
            return None
        with tarfile.open(fileobj=io.BytesIO(cp.stdout)) as tf:
            for m in tf.getmembers():
                if m.isfile():
                    f = tf.extractfile(m)
                    return f.read() if f else None
        return None
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def image_uid(tag: str) -> int | None:
    """The uid the image's processes start as: Config.User, a name resolved
    through the image's /etc/passwd. None if a name cannot be resolved."""
    user = image_user(tag)
    if not user:
        return 0
    name = user.split(":", 1)[0]
    if name.isdigit():
        return int(name)
    passwd = read_image_file(tag, "/etc/passwd")
    if passwd is None:
        return None
    for line in passwd.decode(errors="replace").splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[0] == name and parts[2].isdigit():
            return int(parts[2])
    return None


def runs_as_root(tag: str) -> bool:
    """True if the image's processes start as uid 0 (no USER, USER root, USER 0...)."""
    uid = image_uid(tag)
    if uid is None:
        raise HarnessError(f"{tag}: USER {image_user(tag)!r} is not in the image's /etc/passwd")
    return uid == 0


def has_shell(tag: str) -> bool:
    """True if /bin/sh can be executed in the image (run as root, no network)."""
    cp = podman("run", "--rm", "--pull=never", "--network=none", "--user", "0:0",
                "--entrypoint", "/bin/sh", tag, "-c", "exit 0", check=False, timeout=120)
    if cp.returncode == 0:
        return True
    err = (cp.stderr or "").lower()
    if "no such file" in err or "not found" in err or cp.returncode in (126, 127):
        return False
    raise HarnessError(f"{tag}: cannot tell whether /bin/sh exists: {cp.stderr.strip()[-500:]}")


def remove_image(tag: str, purge: bool = False) -> None:
    """Drop `tag`. By default only the tag goes and the layers stay as build
    cache: deleting images while another process builds in the same store
    makes podman 4.3 fail that build ("layer not known", "image not known").
    purge=True deletes the image (podman rmi -f)."""
    if purge:
        podman("rmi", "-f", tag, check=False)
    else:
        podman("untag", tag, check=False)


# --------------------------------------------------------------------- run + probe


@dataclass
class ProbeResult:
    status: int | None          # HTTP status, or exit code of a cmd probe; None: no answer
    body: str
    seconds: float              # from `podman run` to the answer
    ok: bool                    # matches app.yml's expect
    logs: str = ""              # container output (on failure, or always for cmd probes)
    runtime_user: str = ""      # uid the app's main process ran as (podman top)
    error: str = ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _expect_ok(spec: AppSpec, status: int | None, body: str) -> bool:
    exp = spec.expect
    want_status = exp.get("status", 200 if spec.probe_spec.get("http") else 0)
    if status != want_status:
        return False
    sub = exp.get("body_contains")
    if sub is not None and str(sub) not in body:
        return False
    rx = exp.get("body_matches")
    if rx is not None and not re.search(str(rx), body):
        return False
    return True


def probe_detailed(tag: str, spec: AppSpec | str | os.PathLike, *, timeout: float | None = None,
                   read_only: bool = False, user: str | None = None, env: dict[str, str] | None = None,
                   keep: bool = False, port: int | None = None) -> ProbeResult:
    """Run `tag` as app `spec` describes, probe it, remove the container (``port``: the HTTP probe's, for an
    image that moved it)."""
    if not isinstance(spec, AppSpec):
        spec = load_app(spec)
    p = spec.probe_spec
    timeout = float(timeout or p.get("timeout", 60))
    name = f"dhard-e2e-{spec.name}-{uuid.uuid4().hex[:8]}"
    run_opts = ["--pull=never", "--name", name]
    if read_only:
        run_opts.append("--read-only")
    if user:
        run_opts += ["--user", user]
    for k, v in (env or {}).items():
        run_opts += ["-e", f"{k}={v}"]
    t0 = time.monotonic()

    if "cmd" in p:
        cmd = [str(c) for c in p["cmd"]]
        try:
            cp = podman("run", "--rm", "--network=none", *run_opts, tag, *cmd, check=False, timeout=timeout)
        except HarnessError as e:
            return ProbeResult(None, "", time.monotonic() - t0, False, error=str(e))
        out = (cp.stdout or "") + (cp.stderr or "")
        return ProbeResult(cp.returncode, out, time.monotonic() - t0, _expect_ok(spec, cp.returncode, out), logs=out)

    http_spec = p.get("http")
    if not http_spec:
        raise HarnessError(f"{spec.name}: app.yml has no probe.http or probe.cmd")
    port = port or int(http_spec.get("port", spec.port or 8000))
    path = str(http_spec.get("path", "/"))
    host_port = _free_port()
    started = podman("run", "-d", *run_opts, "-p", f"127.0.0.1:{host_port}:{port}", tag, check=False)
    if started.returncode != 0:
        # e.g. the entrypoint does not exist in the image: runc fails at start
        logs = _logs(name)
        podman("rm", "-f", "-t", "0", name, check=False)
        return ProbeResult(None, "", time.monotonic() - t0, False, logs=logs,
                           error=f"podman run failed ({started.returncode}): {started.stderr.strip()[-1000:]}")
    status: int | None = None
    body = ""
    err = ""
    runtime_user = ""
    try:
        url = f"http://127.0.0.1:{host_port}{path}"
        deadline = t0 + timeout
        dropped = 0
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    status, body = r.status, r.read().decode("utf-8", errors="replace")
                break
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read().decode("utf-8", errors="replace")
                break
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError, TimeoutError) as e:
                err = f"{type(e).__name__}: {e}"
                # Before the app listens, the published port refuses connections.
                # A connection accepted and then dropped is the app failing to answer.
                reason = getattr(e, "reason", e)
                if isinstance(reason, (http.client.RemoteDisconnected, http.client.BadStatusLine,
                                       ConnectionResetError)):
                    dropped += 1
                    if dropped >= 4:
                        err = f"the server closed the connection without an HTTP response ({err})"
                        break
                else:
                    dropped = 0
            state = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name, check=False).stdout.strip()
            if state and not state.startswith("running"):
                err = f"container exited before answering ({state})"
                break
            if time.monotonic() > deadline:
                err = f"no answer on {url} within {timeout:.0f}s ({err})"
                break
            time.sleep(0.25)
        secs = time.monotonic() - t0
        runtime_user = _container_uid(name)
        logs = _logs(name)
    finally:
        if not keep:
            podman("rm", "-f", "-t", "0", name, check=False)
    ok = status is not None and _expect_ok(spec, status, body)
    return ProbeResult(status, body, secs, ok, logs=logs, runtime_user=runtime_user, error="" if status is not None else err)


def _logs(name: str) -> str:
    cp = podman("logs", name, check=False)
    return (cp.stdout or "") + (cp.stderr or "")


def _container_uid(name: str) -> str:
    """Effective uid of the container's main process, read from the host's
    /proc (podman top needs ps(1) in the image for uid)."""
    pid = podman("inspect", "--format", "{{.State.Pid}}", name, check=False).stdout.strip()
    if not pid.isdigit() or pid == "0":
        return ""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return line.split()[2]
    except OSError:
        pass
    return ""


def probe(tag: str, app_spec: AppSpec | str | os.PathLike, *, timeout: float | None = None,
          read_only: bool = False) -> tuple[int | None, str]:
    """Run the image, probe it as app.yml says, remove the container.

    Returns (status, body): the HTTP status and body of GET probe.http.path, or
    for a cmd probe the exit code and output. (None, reason + logs) when there
    was no answer within the timeout or the container exited first.
    """
    r = probe_detailed(tag, app_spec, timeout=timeout, read_only=read_only)
    if r.status is None:
        return None, f"{r.error}\n--- container output ---\n{r.logs}"
    return r.status, r.body


# --------------------------------------------------------------------- one app


def check_app(app_dir: str | os.PathLike, dockerfile: str | os.PathLike | None = None, *,
              tag: str | None = None, keep_image: bool = True, read_only: bool = False,
              ca_mount: bool | None = None) -> dict[str, Any]:
    """Build one app's Dockerfile (the original unless `dockerfile` is given),
    probe it and describe the image. Returns a JSON-able report; report["ok"]
    is True when it built and answered as app.yml expects."""
    spec = load_app(app_dir)
    df = Path(dockerfile) if dockerfile else spec.dockerfile
    variant = "orig" if df.resolve() == spec.dockerfile.resolve() else re.sub(r"[^a-z0-9_.-]+", "-", df.name.lower().replace(".dockerfile", ""))
    tag = tag or f"{TAG_PREFIX}/{spec.name}:{variant}"
    if ca_mount is None:
        ca_mount = bool((spec.get("build") or {}).get("ca_mount", True))
    report: dict[str, Any] = {"app": spec.name, "dockerfile": str(df), "tag": tag, "ok": False}
    b = build(df, spec.context, tag, ca_mount=ca_mount, check=False)
    report["build_seconds"] = round(b.seconds, 1)
    report["built"] = b.ok
    if not b.ok:
        report["build_log_tail"] = b.tail(40)
        return report
    r = probe_detailed(tag, spec, read_only=read_only)
    report.update({
        "status": r.status,
        "body": r.body[:500],
        "probe_ok": r.ok,
        "run_seconds": round(r.seconds, 1),
        "runtime_uid": r.runtime_user,
        "size_bytes": image_size(tag),
        "user": image_user(tag),
        "runs_as_root": runs_as_root(tag),
        "has_shell": has_shell(tag),
    })
    if not r.ok:
        report["error"] = r.error
        report["logs_tail"] = "\n".join(r.logs.splitlines()[-30:])
    report["ok"] = r.ok
    if not keep_image:
        remove_image(tag)
    return report


def _fmt_size(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:.0f}MB"


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("app", nargs="?", help="app directory (e2e/apps/<name>)")
    ap.add_argument("--dockerfile", help="Dockerfile to build instead of the app's original")
    ap.add_argument("--tag", help="image tag (default localhost/dhard-e2e/<app>:<variant>)")
    ap.add_argument("--all", action="store_true", help="every app under e2e/apps: original and expected-hardened")
    ap.add_argument("--only", help="with --all: comma-separated app names")
    ap.add_argument("--read-only", action="store_true", help="run containers with --read-only")
    ap.add_argument("--rm", action="store_true", help="untag the built images afterwards (layers stay as cache)")
    ap.add_argument("--json", action="store_true", help="print JSON reports")
    args = ap.parse_args(argv)

    if not engine_available():
        print(f"harness: container engine unavailable: {engine_unavailable_reason()}", file=sys.stderr)
        return 2
    jobs: list[tuple[str, Path | None]] = []
    if args.all:
        only = set(filter(None, (args.only or "").split(",")))
        for spec in list_apps():
            if only and spec.name not in only:
                continue
            jobs.append((str(spec.root), None))
            if spec.expected_hardened:
                jobs.append((str(spec.root), spec.expected_hardened))
    elif args.app:
        jobs.append((args.app, Path(args.dockerfile) if args.dockerfile else None))
    else:
        ap.error("give an app directory or --all")

    passed = failed = 0
    reports = []
    for app, df in jobs:
        t0 = time.monotonic()
        rep = check_app(app, df, tag=args.tag, keep_image=not args.rm, read_only=args.read_only)
        rep["total_seconds"] = round(time.monotonic() - t0, 1)
        reports.append(rep)
        if args.json:
            print(json.dumps(rep, indent=2), flush=True)
        else:
            name = f"{rep['app']} [{Path(rep['dockerfile']).name}]"
            if not rep.get("built"):
                print(f"FAIL {name}: build failed ({rep['build_seconds']}s)\n{rep.get('build_log_tail', '')}", flush=True)
            else:
                flag = "ok  " if rep["ok"] else "FAIL"
                print(f"{flag} {name}: status={rep['status']} body={rep['body'].strip()[:60]!r} "
                      f"build={rep['build_seconds']}s run={rep['run_seconds']}s total={rep['total_seconds']}s "
                      f"size={_fmt_size(rep.get('size_bytes'))} user={rep['user'] or '(root)'} "
                      f"uid={rep['runtime_uid'] or '?'} root={rep['runs_as_root']} shell={rep['has_shell']}", flush=True)
                if not rep["ok"]:
                    print(f"     error: {rep.get('error')}\n{rep.get('logs_tail', '')}", flush=True)
        if rep["ok"]:
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(_main())
