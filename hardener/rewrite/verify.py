"""``dhard harden --verify``: build the original and the rewritten image, run both,
probe both, and compare.

    report = verify(Path("Dockerfile"), new_text, Path("."), probe_http="8000/health")
    print(report.render()); sys.exit(0 if report.ok else 1)

What it does, with the container engine's command line (``docker`` or
``podman``; nothing else is contacted, and the probe talks only to 127.0.0.1):

1. ``<engine> build --pull=never -f <Dockerfile> -t <tag> <context>`` for the
   original and for the rewritten text (written to a temporary file outside the
   context); with ``build_target`` both with ``--target <stage>``, as compose
   builds them (the rewrite names its runtime stage after the target). ``--pull=never`` (and ``--format docker``, which keeps HEALTHCHECK) are
   podman's; docker gets no pull flag (it has no "never"). Extra build options (say, a CA bundle mount a machine needs for pip)
   come from ``build_options`` or, when that is None, the environment variable
   ``DHARD_VERIFY_BUILD_OPTS`` (split like a shell would) -- never from the
   Dockerfile.
2. Runs each image and probes it: ``probe_http="PORT/PATH"`` publishes PORT on
   127.0.0.1 (an engine-chosen host port) and GETs PATH until an answer or
   ``timeout`` seconds (status and body); ``probe_cmd=[ARGS]`` runs ``<engine> run
   --rm --network=none IMAGE ARGS`` (exit code and stdout). With neither, the
   image is only started and must stay up for a moment.
3. Compares the answers (status/exit code and body/stdout, exactly), checks that
   the rewritten image runs as non-root (``Config.User`` set and not root/0, and
   the started process's uid, when the engine exposes its pid) and has no shell
   (``--entrypoint /bin/sh`` must fail, and the exported filesystem must hold no
   ``sh``, ``bash``, ``dash``, ``ash`` or ``busybox`` in the usual bin
   directories).
4. Removes its containers (``rm -f``) and both images (``rmi -f``); build cache
   layers stay in the engine's store, as after any build.
   Also when interrupted: Ctrl-C and SIGTERM unwind through the clean-up.
   Containers get no extra privileges (no ``--privileged``, added capabilities,
   mounts or host namespaces); an HTTP probe publishes on 127.0.0.1 only.

The engine runs with the process environment as given. On dhard's own machines
(rootful podman, no registry) ``e2e/sandbox/setup.sh`` builds the stand-in base
images and ``. e2e/sandbox/env.sh`` sets ``CONTAINERS_CONF`` and
``CONTAINERS_STORAGE_CONF``; see ``shared/BUILD-SANDBOX.md``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..semantic.users import is_root

__all__ = [
    "EngineError",
    "ProbeResult",
    "ImageReport",
    "VerifyReport",
    "verify",
    "parse_probe_http",
    "compare",
    "Engine",
]

BUILD_OPTS_ENV = "DHARD_VERIFY_BUILD_OPTS"
SHELL_NAMES = ("sh", "bash", "dash", "ash", "busybox", "zsh", "ksh", "mksh")
SHELL_DIRS = ("bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin", "busybox")
SHELL_PATHS = frozenset(f"{d}/{n}" for d in SHELL_DIRS for n in SHELL_NAMES)


class EngineError(RuntimeError):
    """The container engine could not be used at all (not installed, not answering)."""


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeResult:
    kind: str  # "http" | "cmd" | "start"
    status: int | None  # HTTP status or exit code; None when there was no answer
    body: str  # HTTP body or the command's stdout
    error: str = ""  # why there was no answer
    seconds: float = 0.0
    logs: str = ""  # the container's output, kept when something went wrong

    @property
    def answered(self) -> bool:
        return self.status is not None

    def summary(self, width: int = 40) -> str:
        if self.status is None:
            return f"no answer ({_short(self.error, width)})"
        body = _short(self.body.strip(), width)
        if self.kind == "http":
            return f"HTTP {self.status} {body!r}"
        if self.kind == "cmd":
            return f"exit {self.status} {body!r}"
        return "started" if self.status == 0 else f"exited ({self.status})"


@dataclass
class ImageReport:
    label: str  # "original" | "rewritten"
    tag: str
    built: bool = False
    build_seconds: float = 0.0
    build_log: str = ""  # the tail of the log when the build failed
    size: int | None = None  # bytes
    user: str | None = None  # Config.User; "" = root (no USER)
    runtime_uid: int | None = None  # uid of the started process, when the engine shows it
    bound_ports: list[int] | None = None  # TCP ports the started container listened on (None: not seen)
    has_shell: bool | None = None
    probe: ProbeResult | None = None

    @property
    def user_display(self) -> str:
        if self.user is None:
            return "?"
        shown = self.user or "root (no USER)"
        if self.runtime_uid is not None and str(self.runtime_uid) != self.user.split(":")[0]:
            if not (self.runtime_uid == 0 and is_root(self.user)):
                shown += f" (uid {self.runtime_uid})"
        return shown


@dataclass
class VerifyReport:
    original: ImageReport
    rewritten: ImageReport
    same_behaviour: bool
    nonroot: bool
    shell_free: bool
    require_shell_free: bool = True
    differences: list[str] = field(default_factory=list)
    surface: object = None  # hardener.report.Report of the two images, when measured (``measure=True``)
    surface_error: str | None = None  # why they could not be measured

    @property
    def ok(self) -> bool:
        return self.same_behaviour and self.nonroot and (self.shell_free or not self.require_shell_free)

    def problems(self) -> list[str]:
        out = []
        for image in (self.original, self.rewritten):
            if not image.built:
                out.append(f"the {image.label} image did not build")
        if not self.same_behaviour:
            out.append("the answers differ" if self.original.built and self.rewritten.built else "no comparison")
        if not self.nonroot:
            out.append("the rewritten image runs as root")
        if self.require_shell_free and not self.shell_free:
            out.append("the rewritten image has a shell")
        return out

    def render(self) -> str:
        o, r = self.original, self.rewritten
        head = "verify: OK" if self.ok else "verify: FAILED (" + "; ".join(self.problems()) + ")"
        rows = [
            ("", "original", "rewritten"),
            ("size", _size(o.size), _size(r.size) + _delta(o.size, r.size)),
            ("user", o.user_display, r.user_display),
            ("shell", _yes_no(o.has_shell), _yes_no(r.has_shell)),
            ("probe", o.probe.summary() if o.probe else "-", r.probe.summary() if r.probe else "-"),
        ]
        w0 = max(len(a) for a, _, _ in rows)
        w1 = max(len(b) for _, b, _ in rows)
        lines = [head] + [f"  {a:<{w0}}  {b:<{w1}}  {c}".rstrip() for a, b, c in rows]
        verdicts = [
            "same answer" if self.same_behaviour else "answers differ",
            "non-root" if self.nonroot else "runs as root",
            ("no shell" if self.shell_free else "has a shell")
            + ("" if self.require_shell_free else " (allowed at this level)"),
        ]
        lines.append("  result: " + ", ".join(verdicts))
        for diff in self.differences:
            lines.append(f"  - {diff}")
        for image in (o, r):
            if not image.built and image.build_log:
                lines.append(f"  {image.label} build log (tail):")
                lines += ["    " + line for line in image.build_log.splitlines()[-15:]]
            elif image.probe is not None and image.probe.status is None and image.probe.logs:
                lines.append(f"  {image.label} container output (tail):")
                lines += ["    " + line for line in image.probe.logs.splitlines()[-15:]]
        return "\n".join(lines)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _delta(a: int | None, b: int | None) -> str:
    if not a or b is None:
        return ""
    return f" ({(b - a) / a * 100:+.0f}%)"


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


# -- pure helpers (unit-tested without an engine) ----------------------------------------


def parse_probe_http(spec: str) -> tuple[int, str]:
    """"8000/health" -> (8000, "/health"); "8000" -> (8000, "/"); ":8000/x" is accepted too."""
    m = re.fullmatch(r":?(\d{1,5})(/.*)?", spec.strip())
    if not m or not 0 < int(m.group(1)) < 65536:
        raise ValueError(f"--probe-http wants PORT/PATH (like 8000/health), not {spec!r}")
    return int(m.group(1)), m.group(2) or "/"


def compare(original: ProbeResult | None, rewritten: ProbeResult | None) -> list[str]:
    """The differences between two probe results ([] when they agree)."""
    if original is None or rewritten is None:
        return ["no probe result to compare"]
    out = []
    if original.status is None:
        out.append(f"the original did not answer: {original.error}")
    if rewritten.status is None:
        out.append(f"the rewritten image did not answer: {rewritten.error}")
    if out:
        return out
    what = {"http": ("HTTP status", "body"), "cmd": ("exit code", "stdout"), "start": ("state", "output")}[original.kind]
    if original.status != rewritten.status:
        out.append(f"{what[0]}: {original.status} (original) vs {rewritten.status} (rewritten)")
    if original.kind != "start" and original.body != rewritten.body:
        out.append(f"{what[1]}: {_short(original.body, 60)!r} (original) vs {_short(rewritten.body, 60)!r} (rewritten)")
    return out


def shell_paths_in(names: Sequence[str]) -> list[str]:
    """The shell programs among tar member names (leading "./" and "/" ignored)."""
    found = set()
    for name in names:
        clean = name
        while clean.startswith(("./", "/")):
            clean = clean[2:] if clean.startswith("./") else clean[1:]
        clean = clean.rstrip("/")
        if clean in SHELL_PATHS:
            found.add(clean)
    return sorted(found)


# -- the engine -----------------------------------------------------------------------------

Runner = Callable[..., subprocess.CompletedProcess]


def _default_runner(cmd: list[str], timeout: float | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


_TCP_LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket


class Engine:
    """Command lines for docker/podman, and running them."""

    def __init__(self, name: str = "podman", runner: Runner | None = None):
        if name not in ("podman", "docker"):
            raise ValueError(f"engine must be docker or podman, not {name!r}")
        self.name = name
        self.runner = runner or _default_runner

    # command lines
    def build_cmd(self, dockerfile: Path, tag: str, context: Path, options: Sequence[str] = (),
                  target: str | None = None) -> list[str]:
        cmd = [self.name, "build"]
        if self.name == "podman":
            # docker format keeps HEALTHCHECK, SHELL and STOPSIGNAL, which OCI image configs drop
            cmd += ["--pull=never", "--format", "docker"]
        if target is not None:
            cmd += ["--target", target]
        return cmd + ["-f", str(dockerfile), "-t", tag, *options, str(context)]

    def run_http_cmd(self, tag: str, name: str, port: int) -> list[str]:
        cmd = [self.name, "run", "-d", "--name", name]
        if self.name == "podman":
            cmd.append("--pull=never")
        return cmd + ["-p", f"127.0.0.1::{port}", tag]

    def run_cmd(self, tag: str, name: str, args: Sequence[str]) -> list[str]:
        cmd = [self.name, "run", "--rm", "--name", name, "--network=none"]
        if self.name == "podman":
            cmd.append("--pull=never")
        return cmd + [tag, *args]

    def run_detached_cmd(self, tag: str, name: str) -> list[str]:
        cmd = [self.name, "run", "-d", "--name", name, "--network=none"]
        if self.name == "podman":
            cmd.append("--pull=never")
        return cmd + [tag]

    def shell_run_cmd(self, tag: str, name: str) -> list[str]:
        cmd = [self.name, "run", "--rm", "--name", name, "--network=none", "--user", "0:0", "--entrypoint", "/bin/sh"]
        if self.name == "podman":
            cmd.append("--pull=never")
        return cmd + [tag, "-c", "exit 0"]

    def rm_cmd(self, name: str) -> list[str]:
        return [self.name, "rm", "-f", "-t", "0", name] if self.name == "podman" else [self.name, "rm", "-f", name]

    def rmi_cmd(self, tag: str) -> list[str]:
        return [self.name, "rmi", "-f", tag]

    # running
    def run(self, cmd: list[str], timeout: float | None = 120, **kw) -> subprocess.CompletedProcess:
        try:
            return self.runner(cmd, timeout=timeout, **kw)
        except FileNotFoundError as err:
            raise EngineError(f"{self.name} is not installed or not on PATH") from err
        except subprocess.TimeoutExpired as err:
            return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {err.timeout:.0f}s")

    def check(self) -> None:
        cp = self.run([self.name, "version"], timeout=60)
        if cp.returncode != 0:
            raise EngineError(f"`{self.name} version` failed: {(cp.stderr or '').strip()[-300:]}")

    def inspect(self, tag: str, fmt: str) -> str | None:
        cp = self.run([self.name, "image", "inspect", "--format", fmt, tag], timeout=60)
        return cp.stdout.strip() if cp.returncode == 0 else None

    def container_state(self, name: str) -> str:
        cp = self.run([self.name, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name], timeout=30)
        return (cp.stdout or "").strip()

    def container_pid(self, name: str) -> str | None:
        """The container's first process as a pid of this host, or None.

        Only for rootful podman, whose container pids are this host's and whose
        uids are not remapped; docker's daemon may live in a VM, where the pid
        means something else here.
        """
        if self.name != "podman" or not hasattr(os, "geteuid") or os.geteuid() != 0:
            return None
        cp = self.run([self.name, "inspect", "--format", "{{.State.Pid}}", name], timeout=30)
        pid = (cp.stdout or "").strip()
        return pid if pid.isdigit() and pid != "0" else None

    def listening_ports(self, name: str) -> list[int] | None:
        """TCP ports the container listens on, read from its network namespace's /proc/net/tcp{,6} on this
        host (nothing runs inside the container); None when unknown (see ``container_pid``)."""
        pid = self.container_pid(name)
        if pid is None:
            return None
        ports: set[int] = set()
        for table in ("tcp", "tcp6"):
            try:
                with open(f"/proc/{pid}/net/{table}", encoding="ascii", errors="replace") as rows:
                    next(rows, None)  # the header
                    for row in rows:
                        fields = row.split()
                        if len(fields) > 3 and fields[3] == _TCP_LISTEN:
                            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
            except (OSError, ValueError, IndexError):
                continue
        return sorted(ports)

    def container_uid(self, name: str) -> int | None:
        """The effective uid of the container's first process, read from /proc on this host (None: unknown)."""
        pid = self.container_pid(name)
        if pid is None:
            return None
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("Uid:"):
                        return int(line.split()[2])
        except (OSError, ValueError, IndexError):
            return None
        return None

    def host_port(self, name: str, port: int) -> int | None:
        cp = self.run([self.name, "port", name, f"{port}/tcp"], timeout=30)
        for line in (cp.stdout or "").splitlines():
            m = re.search(r":(\d+)\s*$", line.strip())
            if m:
                return int(m.group(1))
        return None

    def logs(self, name: str) -> str:
        cp = self.run([self.name, "logs", name], timeout=30)
        return (cp.stdout or "") + (cp.stderr or "")

    def exported_shells(self, tag: str) -> list[str] | None:
        """Shell programs in the image's filesystem (create + export, nothing runs); None if unknown."""
        name = f"dhard-verify-x-{uuid.uuid4().hex[:10]}"
        cp = self.run([self.name, "create", "--name", name, tag, "/dhard-verify-none"], timeout=120)
        if cp.returncode != 0:
            return None
        try:
            proc = subprocess.Popen([self.name, "export", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            names = []
            try:
                assert proc.stdout is not None
                with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                    for member in tar:
                        names.append(member.name)
            except tarfile.TarError:
                return None
            finally:
                if proc.stdout is not None:
                    proc.stdout.close()
                if proc.wait(timeout=300) != 0:
                    return None
            return shell_paths_in(names)
        except (OSError, subprocess.TimeoutExpired):
            return None
        finally:
            self.run(self.rm_cmd(name), timeout=60)


# -- the steps ---------------------------------------------------------------------------------


def _no_proxy_opener() -> urllib.request.OpenerDirector:
    # never through an http_proxy from the environment: the probe talks to 127.0.0.1 only
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _build(engine: Engine, image: ImageReport, dockerfile: Path, context: Path, options: Sequence[str],
           timeout: float, target: str | None = None) -> None:
    start = time.monotonic()
    cp = engine.run(engine.build_cmd(dockerfile, image.tag, context, options, target), timeout=timeout)
    image.build_seconds = time.monotonic() - start
    if cp.returncode != 0:
        log = (cp.stdout or "") + (cp.stderr or "")
        image.build_log = "\n".join(log.splitlines()[-40:])
        return
    image.built = True
    size = engine.inspect(image.tag, "{{.Size}}")
    image.size = int(size) if size and size.isdigit() else None
    image.user = engine.inspect(image.tag, "{{.Config.User}}")
    if image.user is not None:
        image.user = image.user.strip()


def _probe_http(engine: Engine, image: ImageReport, port: int, path: str, timeout: float) -> ProbeResult:
    name = f"dhard-verify-{uuid.uuid4().hex[:10]}"
    start = time.monotonic()
    cp = engine.run(engine.run_http_cmd(image.tag, name, port), timeout=120)
    try:
        if cp.returncode != 0:
            return ProbeResult("http", None, "", f"could not start: {(cp.stderr or '').strip()[-300:]}",
                               time.monotonic() - start)
        image.runtime_uid = engine.container_uid(name)
        host_port = engine.host_port(name, port)
        if host_port is None:
            return ProbeResult("http", None, "", f"port {port} was not published", time.monotonic() - start,
                               engine.logs(name))
        url = f"http://127.0.0.1:{host_port}{path}"
        opener = _no_proxy_opener()
        deadline = start + timeout
        error = ""
        while True:
            try:
                with opener.open(url, timeout=5) as response:
                    body = response.read().decode("utf-8", errors="replace")
                    image.bound_ports = engine.listening_ports(name)
                    return ProbeResult("http", response.status, body, "", time.monotonic() - start)
            except urllib.error.HTTPError as err:
                body = err.read().decode("utf-8", errors="replace")
                image.bound_ports = engine.listening_ports(name)
                return ProbeResult("http", err.code, body, "", time.monotonic() - start)
            except (urllib.error.URLError, OSError) as err:
                error = f"{type(err).__name__}: {getattr(err, 'reason', err)}"
            state = engine.container_state(name)
            if state and not state.startswith("running"):
                code = state.split()[-1]
                return ProbeResult("http", None, "", f"exited {code} before answering",
                                   time.monotonic() - start, engine.logs(name))
            if time.monotonic() >= deadline:
                return ProbeResult("http", None, "", f"nothing on port {port} after {timeout:.0f}s ({error})",
                                   time.monotonic() - start, engine.logs(name))
            time.sleep(0.25)
    finally:
        engine.run(engine.rm_cmd(name), timeout=60)


def _probe_cmd(engine: Engine, image: ImageReport, args: Sequence[str], timeout: float) -> ProbeResult:
    name = f"dhard-verify-{uuid.uuid4().hex[:10]}"
    start = time.monotonic()
    try:
        cp = engine.run(engine.run_cmd(image.tag, name, args), timeout=timeout)
    finally:
        engine.run(engine.rm_cmd(name), timeout=60)
    if cp.returncode == 124 and "timed out" in (cp.stderr or ""):
        return ProbeResult("cmd", None, "", f"no exit within {timeout:.0f}s", time.monotonic() - start)
    return ProbeResult("cmd", cp.returncode, cp.stdout or "", "", time.monotonic() - start, cp.stderr or "")


def _probe_start(engine: Engine, image: ImageReport, settle: float = 3.0) -> ProbeResult:
    """No probe given: the container must start and still run (or have exited 0) after a moment."""
    name = f"dhard-verify-{uuid.uuid4().hex[:10]}"
    start = time.monotonic()
    cp = engine.run(engine.run_detached_cmd(image.tag, name), timeout=120)
    try:
        if cp.returncode != 0:
            return ProbeResult("start", None, "", f"could not start: {(cp.stderr or '').strip()[-300:]}")
        image.runtime_uid = engine.container_uid(name)
        time.sleep(settle)
        state = engine.container_state(name)
        if state.startswith("running"):
            image.bound_ports = engine.listening_ports(name)
            return ProbeResult("start", 0, "", "", time.monotonic() - start)
        code = state.split()[-1] if state else "?"
        status = int(code) if code.lstrip("-").isdigit() else -1
        return ProbeResult("start", status, "", "", time.monotonic() - start, engine.logs(name) if status else "")
    finally:
        engine.run(engine.rm_cmd(name), timeout=60)


def _measure(engine: Engine, orig: ImageReport, new: ImageReport):
    """(Report, None) of what the rewrite removed, read from the saved images; (None, why) when it cannot be."""
    if not (orig.built and new.built):
        return None, "both images must build to be compared"
    from ..report import ArchiveError, compare, measure_image

    try:
        with tempfile.TemporaryDirectory(prefix="dhard-report-") as tmp:
            before = measure_image(engine, orig.tag, Path(tmp))
            after = measure_image(engine, new.tag, Path(tmp))
    except ArchiveError as exc:
        return None, str(exc)
    bound = None if orig.bound_ports is None or new.bound_ports is None else (orig.bound_ports, new.bound_ports)
    return compare(before, after, labels=(orig.label, new.label), bound_ports=bound), None


def _has_shell(engine: Engine, tag: str) -> bool | None:
    name = f"dhard-verify-sh-{uuid.uuid4().hex[:10]}"
    try:
        cp = engine.run(engine.shell_run_cmd(tag, name), timeout=120)
    finally:
        engine.run(engine.rm_cmd(name), timeout=60)
    if cp.returncode == 0:
        return True
    shells = engine.exported_shells(tag)
    if shells is None:
        return None
    return bool(shells)


def default_engine() -> str:
    """podman when it is installed, else docker."""
    import shutil

    return "podman" if shutil.which("podman") else "docker"


@contextlib.contextmanager
def staged_files(context: Path, files: Sequence[tuple[str, str]]):
    """``files`` (path relative to ``context`` -> text) written into the context for as long as the block
    runs; afterwards each path is as it was (its old bytes back, or gone with the folders made for it)."""
    from ..analysis.context import is_inside
    from ..source import atomic_write

    root = os.path.realpath(context)
    saved: list[tuple[Path, bytes | None]] = []
    made: list[Path] = []
    try:
        for rel, text in files:
            path = Path(context, rel)
            if not is_inside(root, path.parent) or path.is_symlink():
                raise ValueError(f"{rel}: not a plain path inside the build context")
            saved.append((path, path.read_bytes() if path.exists() else None))
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made.extend(reversed(missing))
            atomic_write(str(path), text.encode("utf-8", "surrogateescape"))
        yield
    finally:
        for path, old in reversed(saved):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(str(path), old)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()


@contextlib.contextmanager
def _terminate_unwinds():
    """While verify runs, SIGTERM (a CI timeout, a killed hook) exits through the ``finally`` blocks that
    remove the containers and images, as Ctrl-C does, instead of killing the process where it stands."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def verify(
    original: Path,
    rewritten_text: str,
    context: Path,
    engine: str = "podman",
    probe_http: str | None = None,
    probe_cmd: list[str] | None = None,
    timeout: float = 60,
    *,
    build_options: Sequence[str] | None = None,
    build_timeout: float = 1800,
    require_shell_free: bool = True,
    keep_images: bool = False,
    runner: Runner | None = None,
    build_target: str | None = None,
    measure: bool = False,
    context_files: Sequence[tuple[str, str]] = (),
    moved_ports: Mapping[int, int] | None = None,
) -> VerifyReport:
    """Build, run, probe and compare the original and the rewritten image; see the module docs.

    Raises EngineError when the engine cannot be used at all and ValueError for a
    bad probe spec; everything else (a failed build, no answer) is in the report.
    ``require_shell_free=False`` is for ``--level hardened``, which keeps a shell.
    ``build_target``: both images are built with ``--target`` that stage (``dhard harden --build-target``).
    ``measure``: read both images' filesystems (``hardener.report``) before they are removed, for
    ``VerifyReport.surface``.
    ``context_files``: the new files of the build context the rewrite copies (``Success.files``), in place
    while the rewritten image builds and put back as they were afterwards. ``moved_ports``: old -> new
    ports the rewrite listens on (``Success.ports``); the HTTP probe of the rewritten image uses the new one.
    """
    if probe_http and probe_cmd:
        raise ValueError("give --probe-http or --probe-cmd, not both")
    http = parse_probe_http(probe_http) if probe_http else None
    eng = Engine(engine, runner)
    eng.check()
    if build_options is None:
        build_options = shlex.split(os.environ.get(BUILD_OPTS_ENV, ""))
    run_id = uuid.uuid4().hex[:12]
    orig = ImageReport("original", f"localhost/dhard-verify-{run_id}:original")
    new = ImageReport("rewritten", f"localhost/dhard-verify-{run_id}:rewritten")
    original = Path(original).resolve()
    context = Path(context).resolve()
    with _terminate_unwinds():
        try:
            with tempfile.TemporaryDirectory(prefix="dhard-verify-") as tmp:
                rewritten_path = Path(tmp) / "Dockerfile"
                rewritten_path.write_text(rewritten_text, encoding="utf-8")
                _build(eng, orig, original, context, build_options, build_timeout, build_target)
                if orig.built:
                    with staged_files(context, context_files):
                        _build(eng, new, rewritten_path, context, build_options, build_timeout, build_target)
            for image in (orig, new):
                if not image.built:
                    continue
                if http is not None:
                    port = (moved_ports or {}).get(http[0], http[0]) if image is new else http[0]
                    image.probe = _probe_http(eng, image, port, http[1], timeout)
                elif probe_cmd is not None:
                    image.probe = _probe_cmd(eng, image, probe_cmd, timeout)
                else:
                    image.probe = _probe_start(eng, image)
                image.has_shell = _has_shell(eng, image.tag)
            differences = compare(orig.probe, new.probe) if orig.built and new.built else []
            if not orig.built:
                differences.append("the original image did not build, so there is nothing to compare with")
            elif not new.built:
                differences.append("the rewritten image did not build")
            nonroot = new.built and not is_root(new.user) and new.runtime_uid != 0
            shell_free = new.built and new.has_shell is False
            surface, surface_error = _measure(eng, orig, new) if measure else (None, None)
            return VerifyReport(
                original=orig,
                rewritten=new,
                same_behaviour=orig.built and new.built and not differences,
                nonroot=nonroot,
                shell_free=shell_free,
                require_shell_free=require_shell_free,
                differences=differences,
                surface=surface,
                surface_error=surface_error,
            )
        finally:
            if not keep_images:
                for image in (orig, new):
                    eng.run(eng.rmi_cmd(image.tag), timeout=120)
