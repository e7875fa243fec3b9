"""hardener.rewrite.verify without a container engine: command lines, comparison,
report rendering, and the whole flow against a fake engine (real HTTP probes of
local servers standing in for the containers)."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest

from hardener.rewrite import verify as V
from hardener.rewrite.verify import (
    Engine,
    EngineError,
    ImageReport,
    ProbeResult,
    VerifyReport,
    compare,
    parse_probe_http,
    shell_paths_in,
    verify,
)

# -- pure helpers -------------------------------------------------------------------------


def test_parse_probe_http():
    assert parse_probe_http("8000/health") == (8000, "/health")
    assert parse_probe_http("8000") == (8000, "/")
    assert parse_probe_http("8080/") == (8080, "/")
    assert parse_probe_http(":80/a/b?x=1") == (80, "/a/b?x=1")
    for bad in ("", "http://x/", "abc/", "70000/", "0/"):
        with pytest.raises(ValueError):
            parse_probe_http(bad)


def test_shell_paths_in_tar_names():
    names = ["./", "./bin", "./bin/sh", "usr/bin/python3.11", "/usr/bin/bash", "etc/sh", "usr/share/bash/x",
             "busybox/sh", "usr/bin/shred"]
    assert shell_paths_in(names) == ["bin/sh", "busybox/sh", "usr/bin/bash"]
    assert shell_paths_in(["usr/bin/python3", "etc/passwd", "bin"]) == []


def test_engine_command_lines():
    p = Engine("podman")
    assert p.build_cmd(Path("/x/Dockerfile"), "t:1", Path("/ctx"), ["-v", "/a:/a:ro"]) == [
        "podman", "build", "--pull=never", "--format", "docker", "-f", "/x/Dockerfile", "-t", "t:1", "-v", "/a:/a:ro",
        "/ctx",
    ]
    assert p.run_http_cmd("t:1", "c1", 8000) == ["podman", "run", "-d", "--name", "c1", "--pull=never", "-p",
                                                 "127.0.0.1::8000", "t:1"]
    assert p.run_cmd("t:1", "c1", ["--version"]) == ["podman", "run", "--rm", "--name", "c1", "--network=none",
                                                    "--pull=never", "t:1", "--version"]
    assert p.shell_run_cmd("t:1", "c2")[-3:] == ["t:1", "-c", "exit 0"]
    assert "--entrypoint" in p.shell_run_cmd("t:1", "c2") and "/bin/sh" in p.shell_run_cmd("t:1", "c2")
    assert p.rm_cmd("c1") == ["podman", "rm", "-f", "-t", "0", "c1"]
    assert p.rmi_cmd("t:1") == ["podman", "rmi", "-f", "t:1"]
    d = Engine("docker")
    assert d.build_cmd(Path("/x/Dockerfile"), "t:1", Path("/ctx")) == [
        "docker", "build", "-f", "/x/Dockerfile", "-t", "t:1", "/ctx"
    ]
    assert d.rm_cmd("c1") == ["docker", "rm", "-f", "c1"]
    assert "--pull=never" not in d.run_http_cmd("t", "c", 80)
    with pytest.raises(ValueError):
        Engine("nerdctl")


def test_compare():
    a = ProbeResult("http", 200, "hello")
    assert compare(a, ProbeResult("http", 200, "hello")) == []
    assert compare(a, ProbeResult("http", 500, "hello")) == ["HTTP status: 200 (original) vs 500 (rewritten)"]
    (diff,) = compare(a, ProbeResult("http", 200, "bye"))
    assert diff.startswith("body: 'hello' (original) vs 'bye' (rewritten)")
    (diff,) = compare(a, ProbeResult("http", None, "", "no answer on port 8000 within 60s"))
    assert "did not answer" in diff and "8000" in diff
    assert compare(ProbeResult("cmd", 0, "v1\n"), ProbeResult("cmd", 1, "v1\n")) == [
        "exit code: 0 (original) vs 1 (rewritten)"
    ]
    assert compare(ProbeResult("start", 0, ""), ProbeResult("start", 0, "")) == []
    assert compare(None, a) == ["no probe result to compare"]


def _report(**changes) -> VerifyReport:
    o = ImageReport("original", "o", built=True, size=150_000_000, user="", has_shell=True,
                    probe=ProbeResult("http", 200, "hello from app\n"))
    r = ImageReport("rewritten", "r", built=True, size=60_000_000, user="65532:65532", has_shell=False,
                    probe=ProbeResult("http", 200, "hello from app\n"))
    fields = dict(original=o, rewritten=r, same_behaviour=True, nonroot=True, shell_free=True)
    fields.update(changes)
    return VerifyReport(**fields)


def test_report_ok_and_render():
    rep = _report()
    assert rep.ok
    text = rep.render()
    first, *rest = text.splitlines()
    assert first == "verify: OK"
    assert "150 MB" in text and "60 MB (-60%)" in text
    assert "root (no USER)" in text and "65532:65532" in text
    assert "HTTP 200 'hello from app'" in text
    assert "result: same answer, non-root, no shell" in text
    assert len(text.splitlines()) <= 8


def test_report_failures_are_named():
    rep = _report(same_behaviour=False, differences=["body: 'a' (original) vs 'b' (rewritten)"])
    assert not rep.ok
    assert rep.render().startswith("verify: FAILED (the answers differ)")
    assert "- body: 'a'" in rep.render()
    rep = _report(nonroot=False, shell_free=False)
    assert not rep.ok
    assert "the rewritten image runs as root; the rewritten image has a shell" in rep.render().splitlines()[0]
    # --level hardened keeps a shell by design
    rep = _report(shell_free=False, require_shell_free=False)
    assert rep.ok and "has a shell (allowed at this level)" in rep.render()


def test_report_shows_the_build_log_of_a_failed_build():
    rep = _report(same_behaviour=False, differences=["the rewritten image did not build"])
    rep.rewritten.built = False
    rep.rewritten.build_log = "STEP 3/9: RUN x\nError: building at STEP: exit status 127"
    text = rep.render()
    assert "the rewritten image did not build" in text.splitlines()[0]
    assert "exit status 127" in text


# -- the whole flow against a fake engine ---------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: dict[int, tuple[int, bytes]] = {}

    def do_GET(self):  # noqa: N802
        status, body = self.answers[self.server.server_address[1]]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    started = []

    def serve(status: int, body: bytes) -> int:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        port = httpd.server_address[1]
        _Handler.answers[port] = (status, body)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return port

    yield serve
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


class FakeEngine:
    """Answers podman command lines; each image tag stands for a local HTTP server."""

    def __init__(self, *, ports=None, users=None, shells=None, fail_build=(), cmd_answers=None):
        self.calls: list[list[str]] = []
        self.ports = ports or {}
        self.users = users or {}
        self.shells = shells or {}
        self.fail_build = fail_build
        self.cmd_answers = cmd_answers or {}
        self.containers: dict[str, str] = {}
        self.images: set[str] = set()

    @staticmethod
    def variant(tag: str) -> str:
        return tag.rsplit(":", 1)[1]

    def __call__(self, cmd, timeout=None, **kw):
        self.calls.append(list(cmd))
        ok = lambda out="": subprocess.CompletedProcess(cmd, 0, out, "")  # noqa: E731
        verb = cmd[1]
        if verb == "version":
            return ok("4.3.1")
        if verb == "build":
            tag = cmd[cmd.index("-t") + 1]
            if self.variant(tag) in self.fail_build:
                return subprocess.CompletedProcess(cmd, 1, "STEP 1/2: FROM x\n", "Error: boom\n")
            self.images.add(tag)
            return ok("built")
        if verb == "image" and cmd[2] == "inspect":
            tag, fmt = cmd[-1], cmd[4]
            if fmt == "{{.Size}}":
                return ok("150000000\n" if self.variant(tag) == "original" else "60000000\n")
            return ok(self.users.get(self.variant(tag), "") + "\n")
        if verb == "run":
            name = cmd[cmd.index("--name") + 1]
            tag = next(c for c in cmd[2:] if c.startswith("localhost/dhard-verify-"))
            self.containers[name] = tag
            if "--entrypoint" in cmd:
                has = self.shells.get(self.variant(tag), False)
                return subprocess.CompletedProcess(cmd, 0 if has else 127, "", "" if has else "no such file")
            if "--rm" in cmd:  # a command probe
                code, out = self.cmd_answers[self.variant(tag)]
                return subprocess.CompletedProcess(cmd, code, out, "")
            return ok("c0ffee\n")
        if verb == "port":
            tag = self.containers[cmd[2]]
            return ok(f"127.0.0.1:{self.ports[self.variant(tag)]}\n")
        if verb == "inspect":
            return ok("running 0\n" if "State.Status" in cmd[3] else "0\n")
        if verb in ("rm", "rmi", "logs"):
            if verb == "rmi":
                self.images.discard(cmd[-1])
            return ok()
        raise AssertionError(f"unexpected command {cmd}")


@pytest.fixture
def dockerfile(tmp_path):
    (tmp_path / "ctx").mkdir()
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.11-slim\nCMD [\"python\", \"app.py\"]\n")
    return path


def test_verify_same_answer_nonroot_shell_free(dockerfile, servers, monkeypatch):
    fake = FakeEngine(
        ports={"original": servers(200, b"hello"), "rewritten": servers(200, b"hello")},
        users={"original": "", "rewritten": "65532:65532"},
        shells={"original": True},
    )
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM gcr.io/distroless/python3-debian12:nonroot\n", dockerfile.parent / "ctx",
                 probe_http="8000/", timeout=10, runner=fake, build_options=["-v", "/ca:/ca:ro"])
    assert rep.ok, rep.render()
    assert (rep.same_behaviour, rep.nonroot, rep.shell_free) == (True, True, True)
    assert rep.original.probe == ProbeResult("http", 200, "hello", "", rep.original.probe.seconds)
    assert rep.original.has_shell is True and rep.rewritten.has_shell is False
    assert rep.original.size == 150_000_000 and rep.rewritten.user == "65532:65532"
    builds = [c for c in fake.calls if c[1] == "build"]
    assert len(builds) == 2 and all("--pull=never" in c and c[-3:-1] == ["-v", "/ca:/ca:ro"] for c in builds)
    # the rewritten Dockerfile is a temporary file, not written into the context
    assert builds[1][builds[1].index("-f") + 1] != str(dockerfile)
    assert list((dockerfile.parent / "ctx").iterdir()) == []
    # every container and image it made is removed
    started = {c[c.index("--name") + 1] for c in fake.calls if c[1] == "run"}
    removed = {c[-1] for c in fake.calls if c[1] == "rm"}
    assert started <= removed
    assert fake.images == set()


def test_verify_reports_a_different_answer(dockerfile, servers, monkeypatch):
    fake = FakeEngine(
        ports={"original": servers(200, b"hello"), "rewritten": servers(500, b"Internal Server Error")},
        users={"rewritten": "65532"},
    )
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000/", timeout=10, runner=fake,
                 build_options=[])
    assert not rep.ok and not rep.same_behaviour and rep.nonroot and rep.shell_free
    assert rep.differences[0] == "HTTP status: 200 (original) vs 500 (rewritten)"


def test_verify_root_and_shell_in_the_rewritten_image(dockerfile, servers, monkeypatch):
    port = servers(200, b"x")
    fake = FakeEngine(ports={"original": port, "rewritten": port}, users={"rewritten": "root"},
                      shells={"original": True})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: ["usr/bin/bash"])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000", timeout=10, runner=fake,
                 build_options=[])
    assert rep.same_behaviour and not rep.nonroot and not rep.shell_free and not rep.ok
    assert rep.rewritten.has_shell is True  # bash found in the filesystem although /bin/sh is absent
    relaxed = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000", timeout=10,
                     runner=FakeEngine(ports={"original": port, "rewritten": port},
                                       users={"rewritten": "app"}, shells={"original": True, "rewritten": True}),
                     build_options=[], require_shell_free=False)
    assert relaxed.ok and not relaxed.shell_free


def test_verify_command_probe(dockerfile, monkeypatch):
    fake = FakeEngine(users={"rewritten": "65532"}, cmd_answers={"original": (0, "v1.2\n"), "rewritten": (0, "v1.2\n")})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_cmd=["--version"], runner=fake,
                 build_options=[])
    assert rep.ok and rep.rewritten.probe.summary() == "exit 0 'v1.2'"
    probes = [c for c in fake.calls if c[1] == "run" and "--rm" in c and "--entrypoint" not in c]
    assert all(c[-1] == "--version" and "--network=none" in c for c in probes)


def test_verify_failed_build(dockerfile, monkeypatch):
    fake = FakeEngine(fail_build=("rewritten",), cmd_answers={"original": (0, "")})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_cmd=["true"], runner=fake,
                 build_options=[])
    assert not rep.ok and not rep.rewritten.built and "Error: boom" in rep.rewritten.build_log
    assert "the rewritten image did not build" in rep.render()


def test_build_options_come_from_the_environment(dockerfile, monkeypatch):
    fake = FakeEngine(users={"rewritten": "65532"}, cmd_answers={"original": (0, ""), "rewritten": (0, "")})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    monkeypatch.setenv(V.BUILD_OPTS_ENV, "-v '/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro'")
    verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_cmd=["x"], runner=fake)
    build = next(c for c in fake.calls if c[1] == "build")
    assert "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro" in build


def test_verify_without_an_engine(dockerfile):
    def missing(cmd, timeout=None, **kw):
        raise FileNotFoundError(cmd[0])

    with pytest.raises(EngineError, match="not installed"):
        verify(dockerfile, "FROM x\n", dockerfile.parent, runner=missing)
    with pytest.raises(ValueError):
        verify(dockerfile, "FROM x\n", dockerfile.parent, probe_http="8000", probe_cmd=["x"], runner=missing)


# -- interrupted, and what the containers may do ----------------------------------------------


class _InterruptedEngine(FakeEngine):
    """Calls ``interrupt`` (Ctrl-C, a CI timeout's SIGTERM) the first time a command matches ``when``."""

    def __init__(self, when, interrupt, **kw):
        super().__init__(**kw)
        self.when, self.interrupt = when, interrupt

    def __call__(self, cmd, timeout=None, **kw):
        if self.interrupt is not None and self.when(cmd):
            interrupt, self.interrupt = self.interrupt, None
            self.calls.append(list(cmd))
            interrupt()
        return super().__call__(cmd, timeout, **kw)


def _ctrl_c():
    raise KeyboardInterrupt


def _sigterm():
    import os
    import signal

    os.kill(os.getpid(), signal.SIGTERM)


def _leftovers(fake: FakeEngine) -> tuple[set, set]:
    started = {c[c.index("--name") + 1] for c in fake.calls if c[1] == "run"}
    removed = {c[-1] for c in fake.calls if c[1] == "rm"}
    return started - removed, fake.images


_MOMENTS = {
    "while the original answers": lambda cmd: cmd[1] == "port",
    "while the rewritten image builds": lambda cmd: cmd[1] == "build" and cmd[cmd.index("-t") + 1].endswith(":rewritten"),
    "while looking for a shell": lambda cmd: cmd[1] == "run" and "--entrypoint" in cmd,
}


@pytest.mark.parametrize("moment", list(_MOMENTS))
def test_ctrl_c_removes_what_verify_made(dockerfile, servers, moment):
    fake = _InterruptedEngine(_MOMENTS[moment], _ctrl_c,
                              ports={"original": servers(200, b"hi"), "rewritten": servers(200, b"hi")})
    with pytest.raises(KeyboardInterrupt):
        verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000/", timeout=10, runner=fake)
    assert _leftovers(fake) == (set(), set())
    assert any(c[1] == "rmi" for c in fake.calls)


def test_sigterm_removes_what_verify_made(dockerfile, servers):
    import signal

    before = signal.getsignal(signal.SIGTERM)
    fake = _InterruptedEngine(_MOMENTS["while the original answers"], _sigterm, ports={"original": servers(200, b"hi"),
                                                      "rewritten": servers(200, b"hi")})
    with pytest.raises(SystemExit) as exit_info:
        verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000/", timeout=10, runner=fake)
    assert exit_info.value.code == 128 + signal.SIGTERM
    assert _leftovers(fake) == (set(), set())
    assert signal.getsignal(signal.SIGTERM) == before  # verify's handler is gone again


_PRIVILEGES = ("--privileged", "--cap-add", "--device", "-v", "--volume", "--mount", "--security-opt",
               "--network=host", "--net=host", "--pid=host", "--ipc=host", "--uts=host", "--userns=host")


@pytest.mark.parametrize("probe", [{"probe_http": "8000/"}, {"probe_cmd": ["--version"]}, {}])
def test_containers_get_no_extra_privileges(dockerfile, servers, monkeypatch, probe):
    fake = FakeEngine(ports={"original": servers(200, b"hi"), "rewritten": servers(200, b"hi")},
                      cmd_answers={"original": (0, "v1"), "rewritten": (0, "v1")})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", timeout=10, runner=fake, **probe)
    runs = [c for c in fake.calls if c[1] == "run"]
    assert runs
    for cmd in runs:
        assert not [a for a in cmd if a.split("=")[0] in _PRIVILEGES or a in _PRIVILEGES], cmd
        published = [cmd[i + 1] for i, a in enumerate(cmd) if a == "-p"]
        assert all(p.startswith("127.0.0.1:") for p in published), cmd


# -- the attack-surface report: measured before the images are removed --------------------------


class _SavingEngine(FakeEngine):
    """Also answers ``save``: the original has a shell, bash (setuid) and two packages, the rewrite neither."""

    def __call__(self, cmd, timeout=None, **kw):
        if cmd[1] != "save":
            return super().__call__(cmd, timeout, **kw)
        from report_helpers import config, docker_archive, dpkg_status, exe, file, layer

        self.calls.append(list(cmd))
        tag, out = cmd[-1], Path(cmd[cmd.index("-o") + 1])
        assert tag in self.images, f"{tag} saved after it was removed"
        if self.variant(tag) == "original":
            status = dpkg_status(("bash", "5.2", "amd64"), ("curl", "7.88", "amd64"))
            files = layer(exe("bin/sh"), exe("bin/bash", mode=0o4755), exe("usr/bin/curl"),
                          file("var/lib/dpkg/status", status.encode()))
            docker_archive(out, [files], config(cmd=["python", "app.py"]), tags=(tag,))
        else:
            docker_archive(out, [layer(exe("usr/bin/python3.11"))], config(user="65532:65532"), tags=(tag,))
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_verify_measures_both_images_before_removing_them(dockerfile, servers, monkeypatch):
    fake = _SavingEngine(ports={"original": servers(200, b"hi"), "rewritten": servers(200, b"hi")},
                         users={"rewritten": "65532:65532"})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000/", timeout=10, runner=fake,
                 measure=True)
    assert rep.surface_error is None and rep.surface is not None
    changes = rep.surface.to_dict()["changes"]
    assert changes["packages"]["before"] == 2 and changes["packages"]["after"] == 0
    assert changes["setuid"]["removed"] == ["/bin/bash"]
    assert "sh" in changes["shells"]["removed"] and changes["user"]["root_after"] is False
    assert fake.images == set()  # still removed afterwards
    saves = [c for c in fake.calls if c[1] == "save"]
    assert len(saves) == 2 and all("--format" in c and "docker-archive" in c for c in saves)
    assert list((dockerfile.parent / "ctx").iterdir()) == []  # the archives are not written into the context


def test_verify_does_not_measure_unless_asked(dockerfile, servers, monkeypatch):
    fake = _SavingEngine(ports={"original": servers(200, b"hi"), "rewritten": servers(200, b"hi")},
                         users={"rewritten": "65532:65532"})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM x\n", dockerfile.parent / "ctx", probe_http="8000/", timeout=10, runner=fake)
    assert rep.surface is None and not any(c[1] == "save" for c in fake.calls)


def test_listening_ports_come_from_the_containers_network_namespace(monkeypatch, tmp_path):
    # /proc/PID/net/tcp as the kernel writes it: 0A is LISTEN; 0x1F40 = 8000, 0x0050 = 80 (01: established)
    net = tmp_path / "proc" / "4242" / "net"
    net.mkdir(parents=True)
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    (net / "tcp").write_text(header + "   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532\n"
                             "   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000 0\n")
    (net / "tcp6").write_text(header + "   0: 00000000000000000000000000000000:2328 "
                              "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: real_open(
        str(path).replace("/proc/", f"{tmp_path}/proc/", 1) if str(path).startswith("/proc/4242/") else path, *a, **k))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    engine = Engine("podman", lambda cmd, timeout=None, **kw: subprocess.CompletedProcess(cmd, 0, "4242\n", ""))
    assert engine.listening_ports("c") == [8000, 9000]
    assert Engine("docker", engine.runner).listening_ports("c") is None  # a docker daemon's pids are not ours


def test_verify_stages_the_rewrites_context_files_and_probes_the_moved_port(dockerfile, servers, monkeypatch):
    context = dockerfile.parent / "ctx"
    seen_at_build = {}

    class Recording(FakeEngine):
        def __call__(self, cmd, timeout=None, **kw):
            if cmd[1] == "build":
                conf = context / "dhard-nginx" / "nginx.conf"
                seen_at_build[self.variant(cmd[cmd.index("-t") + 1])] = conf.read_text() if conf.exists() else None
            return super().__call__(cmd, timeout, **kw)

    fake = Recording(ports={"original": servers(200, b"site"), "rewritten": servers(200, b"site")},
                     users={"original": "", "rewritten": "65532:65532"}, shells={"original": True})
    monkeypatch.setattr(Engine, "exported_shells", lambda self, tag: [])
    rep = verify(dockerfile, "FROM cgr.dev/chainguard/nginx:latest\n", context, probe_http="80/", timeout=10,
                 runner=fake, context_files=[("dhard-nginx/nginx.conf", "pid /tmp/nginx.pid;\n")],
                 moved_ports={80: 8080})
    assert rep.ok, rep.render()
    assert seen_at_build == {"original": None, "rewritten": "pid /tmp/nginx.pid;\n"}
    assert list(context.iterdir()) == [], "the context is left as it was"
    asked = {fake.variant(fake.containers[c[2]]): c[3:] for c in fake.calls if c[1] == "port"}
    assert any("8080" in arg for arg in asked["rewritten"]) and not any("8080" in a for a in asked["original"])
