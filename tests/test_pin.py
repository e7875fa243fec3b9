"""``dhard pin`` against a real OCI registry on loopback (Debian's docker-registry, CNCF distribution 2.8).

The set-up installs the package when it is missing (behind a temporary
policy-rc.d so its service does not start), runs the binary itself on
127.0.0.1:0 with htpasswd basic auth, and pushes small images and
multi-platform indexes through the HTTP API. Token auth goes through a small
token service + proxy in this file; 429 through a stub.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hardener.cli import main
from hardener.pin import auth, lockfile, registry
from hardener.pin.registry import Client, RegistryError

USER, PASSWORD = "alice", "s3cret-pw"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


# -- the registry ---------------------------------------------------------------------------------------


def _install() -> str | None:
    """Install docker-registry and apache2-utils when missing; the reason when that cannot be done."""
    if shutil.which("docker-registry") and shutil.which("htpasswd"):
        return None
    if not shutil.which("apt-get"):
        return "docker-registry is not installed and there is no apt-get"
    policy = Path("/usr/sbin/policy-rc.d")
    made = False
    try:
        if not policy.exists():
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
            made = True
        done = subprocess.run(["apt-get", "install", "-y", "docker-registry", "apache2-utils"],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    except (OSError, subprocess.SubprocessError) as exc:
        return f"apt-get cannot install docker-registry: {exc}"
    finally:
        if made:
            policy.unlink()
    if done.returncode != 0 or not shutil.which("docker-registry"):
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        return f"apt-get cannot install docker-registry: {tail[0]}"
    return None


class Registry:
    def __init__(self, host: str, process: subprocess.Popen):
        self.host = host
        self.process = process
        self.basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def call(self, method, path_or_url, data=None, headers=None):
        url = path_or_url if "://" in path_or_url else f"http://{self.host}{path_or_url}"
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Authorization": self.basic, **(headers or {})})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()

    def blob(self, repo: str, data: bytes) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        _, headers, _ = self.call("POST", f"/v2/{repo}/blobs/uploads/", b"")
        location = headers["Location"]
        if location.startswith("/"):
            location = f"http://{self.host}{location}"
        location += ("&" if "?" in location else "?") + f"digest={digest}"
        self.call("PUT", location, data, {"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    def manifest(self, repo: str, ref: str, body: bytes, media_type: str) -> str:
        _, headers, _ = self.call("PUT", f"/v2/{repo}/manifests/{ref}", body, {"Content-Type": media_type})
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        assert headers["Docker-Content-Digest"] == digest
        return digest

    def image(self, repo: str, ref: str | None, arch: str, salt: str = "", docker: bool = False) -> tuple[str, bytes]:
        """Push one single-platform image; (digest, manifest bytes)."""
        config = json.dumps({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                             "config": {"Labels": {"salt": salt}}}).encode()
        layer = f"layer {arch} {salt}".encode()
        cfg, lay = self.blob(repo, config), self.blob(repo, layer)
        media = registry.DOCKER_MANIFEST if docker else registry.OCI_MANIFEST
        body = json.dumps({
            "schemaVersion": 2, "mediaType": media,
            "config": {"mediaType": DOCKER_CONFIG_TYPE if docker else OCI_CONFIG, **cfg},
            "layers": [{"mediaType": DOCKER_LAYER if docker else OCI_LAYER, **lay}],
        }, indent=3).encode()  # not Python's default spacing: the pin is the digest of these exact bytes
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        self.manifest(repo, ref or digest, body, media)
        return digest, body

    def index(self, repo: str, tag: str, salt: str = "", docker: bool = False,
              arches=(("amd64", None), ("arm64", "v8"))) -> str:
        """Push children, then an index (or Docker manifest list) under ``tag``; its digest."""
        entries = []
        for arch, variant in arches:
            digest, body = self.image(repo, None, arch, salt, docker)
            platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
            entries.append({"mediaType": registry.DOCKER_MANIFEST if docker else registry.OCI_MANIFEST,
                            "digest": digest, "size": len(body), "platform": platform})
        media = registry.DOCKER_LIST if docker else registry.OCI_INDEX
        body = json.dumps({"schemaVersion": 2, "mediaType": media, "manifests": entries}).encode()
        return self.manifest(repo, tag, body, media)


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    reason = _install()
    if reason:
        print(f"\nSKIP test_pin registry tests: {reason}", file=sys.stderr)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("registry")
    htpasswd = work / "htpasswd"
    made = subprocess.run(["htpasswd", "-Bbn", "-C", "4", USER, PASSWORD], capture_output=True, text=True, check=True)
    htpasswd.write_text(made.stdout)
    (work / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: info\n"
        f"storage:\n  filesystem:\n    rootdirectory: {work / 'data'}\n  delete:\n    enabled: true\n"
        "http:\n  addr: 127.0.0.1:0\n"
        f"auth:\n  htpasswd:\n    realm: dhard-test\n    path: {htpasswd}\n"
    )
    log = open(work / "log", "wb")
    process = subprocess.Popen(["docker-registry", "serve", str(work / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
    host = None
    for _ in range(400):  # waiting for start-up, not asserting its speed
        found = re.search(rb"listening on (127\.0\.0\.1:\d+)", (work / "log").read_bytes())
        if found:
            host = found.group(1).decode()
            break
        if process.poll() is not None:
            break
        time.sleep(0.05)
    if host is None:
        process.kill()
        pytest.fail(f"docker-registry did not start: {(work / 'log').read_text(errors='replace')[-500:]}")
    try:
        yield Registry(host, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def creds(tmp_path, monkeypatch, reg):
    """A ~/.docker/config.json with the test user for the registry (and nothing else)."""
    home = tmp_path / "docker-config"
    home.mkdir()
    auths = {reg.host: {"auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}}
    (home / "config.json").write_text(json.dumps({"auths": auths}))
    monkeypatch.setenv("DOCKER_CONFIG", str(home))
    return home


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(registry, "BACKOFF", 0.0)
    monkeypatch.setattr(registry, "MAX_WAIT", 0.0)


# -- stub servers (token service + proxy, 429) -----------------------------------------------------------


class Stub:
    """A threaded HTTP server on 127.0.0.1:0 whose handler is ``handle(request_handler)``."""

    def __init__(self, handle):
        stub = self
        self.requests: list[tuple[str, str, dict]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                stub.requests.append(("GET", self.path, dict(self.headers)))
                handle(self)

            do_HEAD = do_GET

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def reply(handler, status, body=b"", headers=None):
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def forward(handler, reg: Registry):
    """Pass a GET to the real registry with its own basic credentials."""
    request = urllib.request.Request(f"http://{reg.host}{handler.path}", method=handler.command,
                                     headers={"Authorization": reg.basic, "Accept": handler.headers.get("Accept", "")})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            reply(handler, response.status, response.read(), {k: v for k, v in response.headers.items()
                                                            if k in ("Content-Type", "Docker-Content-Digest")})
    except urllib.error.HTTPError as exc:
        reply(handler, exc.code, exc.read(), {"Content-Type": exc.headers.get("Content-Type", "")})


@pytest.fixture
def token_registry(reg):
    """Docker Hub's scheme: 401 Bearer challenge -> token service (basic creds) -> retry with the token."""
    issued = {}

    def token_service(handler):
        if handler.headers.get("Authorization") != reg.basic:
            return reply(handler, 401, b'{"details":"bad credentials"}')
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
        token = f"tok-{len(issued)}"
        issued[token] = (query.get("service"), query.get("scope"))
        reply(handler, 200, json.dumps({"token": token}).encode(), {"Content-Type": "application/json"})

    tokens = Stub(token_service)

    def front(handler):
        header = handler.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in issued:
            repo = handler.path.split("/manifests/")[0].split("/blobs/")[0][len("/v2/"):]
            challenge = (f'Bearer realm="http://{tokens.host}/token",service="dhard-test",'
                         f'scope="repository:{repo}:pull"')
            return reply(handler, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"Www-Authenticate": challenge})
        forward(handler, reg)

    proxy = Stub(front)
    yield proxy, tokens, issued
    proxy.close()
    tokens.close()


def docker_config(home: Path, host: str, user=USER, password=PASSWORD):
    auths = json.loads((home / "config.json").read_text())["auths"]
    auths[host] = {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
    (home / "config.json").write_text(json.dumps({"auths": auths}))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the client --------------------------------------------------------------------------------------------


def test_resolves_an_oci_index_to_the_digest_of_its_bytes(reg, creds):
    digest = reg.index("acme/app", "1.0")
    found = Client().resolve(reg.host, "acme/app", "1.0")
    assert found.digest == digest
    assert found.media_type == registry.OCI_INDEX
    assert found.platforms == ("linux/amd64", "linux/arm64/v8")


def test_resolves_a_docker_manifest_list_not_its_amd64_child(reg, creds):
    digest = reg.index("acme/legacy", "2", docker=True)
    found = Client().resolve(reg.host, "acme/legacy", "2")
    assert found.digest == digest
    assert found.media_type == registry.DOCKER_LIST


def test_a_single_manifest_reports_its_platform_from_the_config(reg, creds):
    digest, _ = reg.image("acme/single", "1", "arm64")
    found = Client().resolve(reg.host, "acme/single", "1")
    assert (found.digest, found.platforms) == (digest, ("linux/arm64",))


def test_basic_auth_without_or_with_wrong_credentials_is_a_401(reg, tmp_path, monkeypatch):
    reg.index("acme/private", "1")
    home = tmp_path / "empty"
    home.mkdir()
    (home / "config.json").write_text("{}")
    monkeypatch.setenv("DOCKER_CONFIG", str(home))
    with pytest.raises(RegistryError, match=r"401 unauthorized \(no credentials for 127\.0\.0\.1:\d+"):
        Client().resolve(reg.host, "acme/private", "1")
    (home / "config.json").write_text(json.dumps({"auths": {
        reg.host: {"auth": base64.b64encode(b"alice:wrong-secret").decode()}}}))
    with pytest.raises(RegistryError, match="401 unauthorized .the credentials were refused") as caught:
        Client().resolve(reg.host, "acme/private", "1")
    assert "wrong-secret" not in str(caught.value) and "alice" not in str(caught.value)


def test_credentials_match_the_port_exactly(reg, creds):
    other = reg.host.rsplit(":", 1)[0] + ":1"
    assert auth.lookup(other) is None
    found = auth.lookup(reg.host)
    assert found is not None and found.username == USER
    assert PASSWORD not in repr(found)


def test_token_auth_through_the_challenge(reg, creds, token_registry):
    proxy, tokens, issued = token_registry
    digest = reg.index("acme/tokened", "3")
    docker_config(creds, proxy.host)
    found = Client().resolve(proxy.host, "acme/tokened", "3")
    assert found.digest == digest
    assert list(issued.values()) == [("dhard-test", "repository:acme/tokened:pull")]
    # the manifest request carried the four Accept types, every time
    accepts = [h.get("Accept", "") for _, path, h in proxy.requests if "/manifests/" in path]
    assert accepts and all(all(t in a for t in (registry.OCI_INDEX, registry.OCI_MANIFEST,
                                                registry.DOCKER_LIST, registry.DOCKER_MANIFEST)) for a in accepts)


def test_token_service_refusing_the_credentials_is_a_401(reg, creds, token_registry):
    proxy, _, _ = token_registry
    docker_config(creds, proxy.host, password="nope")
    with pytest.raises(RegistryError, match="401 unauthorized"):
        Client().resolve(proxy.host, "acme/tokened", "3")


def test_a_missing_tag_or_repository_is_a_404(reg, creds):
    reg.index("acme/app", "1.0")
    with pytest.raises(RegistryError, match=r"acme/app:nope: 404 not found"):
        Client().resolve(reg.host, "acme/app", "nope")
    with pytest.raises(RegistryError, match="404 not found"):
        Client().resolve(reg.host, "acme/absent", "1")


def test_429_is_retried_then_reported():
    stub = Stub(lambda h: reply(h, 429, b"slow down", {"Retry-After": "1"}))
    try:
        with pytest.raises(RegistryError, match="429 too many requests"):
            Client(credentials=lambda name: None).resolve(stub.host, "acme/app", "1")
        assert len(stub.requests) == registry.ATTEMPTS
    finally:
        stub.close()


def test_429_once_then_the_answer(reg, creds):
    digest = reg.index("acme/busy", "1")
    seen = []

    def flaky(handler):
        seen.append(handler.path)
        if len(seen) == 1:
            return reply(handler, 429)
        forward(handler, reg)

    stub = Stub(flaky)
    try:
        assert Client(credentials=lambda name: None).resolve(stub.host, "acme/busy", "1").digest == digest
        assert len(seen) == 2
    finally:
        stub.close()


def test_dns_failure_is_one_line():
    with pytest.raises(RegistryError, match=r"cannot resolve no-such-host\.invalid \(DNS\)"):
        Client(credentials=lambda name: None, attempts=1).resolve("no-such-host.invalid", "x", "1")


def test_docker_hub_names():
    assert registry.endpoint(None, "python") == ("registry-1.docker.io", "library/python", "docker.io")
    assert registry.endpoint("docker.io", "bitnami/redis") == ("registry-1.docker.io", "bitnami/redis", "docker.io")
    assert registry.endpoint("ghcr.io", "a/b") == ("ghcr.io", "a/b", "ghcr.io")


def test_credential_helper(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-fake"
    helper.write_text('#!/bin/sh\nread host\n[ "$host" = "ghcr.io" ] && echo \'{"Username":"u","Secret":"s"}\' && exit 0\nexit 1\n')
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "config.json").write_text(json.dumps({"credHelpers": {"ghcr.io": "fake"}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert auth.lookup("ghcr.io") == auth.Credentials("u", "s")
    assert auth.lookup("quay.io") is None


# -- dhard pin ------------------------------------------------------------------------------------------


def dockerfile(host: str) -> bytes:
    return (
        "# syntax=docker/dockerfile:1\r\n"
        f"ARG BASE={host}/acme/app:1.0\r\n"
        "ARG FLAVOUR\r\n"
        "FROM ${BASE} AS build   # the builder\r\n"
        f"COPY --from={host}/acme/tools:2 /bin/tool /usr/local/bin/tool\r\n"
        f"RUN --mount=type=bind,from={host}/acme/tools:2,target=/t \\\r\n"
        "    # a comment inside the continuation\r\n"
        "    ls /t\r\n"
        "FROM ${FLAVOUR}\r\n"
        f"FROM {host}/acme/app:v${{FLAVOUR}}\r\n"
        f"FROM \t{host}/acme/app:1.0\r\n"
        "COPY --from=build /x /x"  # no final newline
    ).encode()


def test_pin_rewrites_in_place_and_records_the_lock(reg, creds, tmp_path, capsys):
    app = reg.index("acme/app", "1.0")
    tools = reg.index("acme/tools", "2", docker=True)
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    original = dockerfile(reg.host)
    path.write_bytes(original)
    code, out, err = run(capsys, "pin", str(path), "--lockfile", str(lock))
    assert code == 0, err
    expected = (original
                .replace(f"ARG BASE={reg.host}/acme/app:1.0".encode(), f"ARG BASE={reg.host}/acme/app:1.0@{app}".encode())
                .replace(f"{reg.host}/acme/tools:2 ".encode(), f"{reg.host}/acme/tools:2@{tools} ".encode())
                .replace(f"from={reg.host}/acme/tools:2,".encode(), f"from={reg.host}/acme/tools:2@{tools},".encode())
                .replace(f"FROM \t{reg.host}/acme/app:1.0\r\n".encode(), f"FROM \t{reg.host}/acme/app:1.0@{app}\r\n".encode()))
    assert expected.count(b"@sha256:") == 4
    assert path.read_bytes() == expected
    assert "not pinned: FROM ${FLAVOUR}" in err and "has no value" in err
    assert f"not pinned: FROM {reg.host}/acme/app:v${{FLAVOUR}}" in err
    entries = lockfile.read(str(lock))
    assert set(entries) == {f"{reg.host}/acme/app:1.0", f"{reg.host}/acme/tools:2"}
    assert entries[f"{reg.host}/acme/app:1.0"].digest == app
    assert entries[f"{reg.host}/acme/app:1.0"].platforms == ("linux/amd64", "linux/arm64/v8")
    assert entries[f"{reg.host}/acme/tools:2"].tag == "2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entries[f"{reg.host}/acme/tools:2"].resolved_at)
    # a second run changes nothing (and does not rewrite the lock)
    before = lock.read_bytes()
    code, _, err = run(capsys, "pin", str(path), "--lockfile", str(lock))
    assert code == 0 and path.read_bytes() == expected and lock.read_bytes() == before


def test_diff_and_check_write_nothing(reg, creds, tmp_path, capsys):
    reg.index("acme/app", "1.0")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text(f"FROM {reg.host}/acme/app:1.0\n")
    code, out, err = run(capsys, "pin", "--diff", str(path), "--lockfile", str(lock))
    assert code == 1 and f"+FROM {reg.host}/acme/app:1.0@sha256:" in out
    code, out, err = run(capsys, "pin", "--check", str(path), "--lockfile", str(lock))
    assert code == 1 and "is not pinned" in err
    assert path.read_text() == f"FROM {reg.host}/acme/app:1.0\n" and not lock.exists()


def test_update_after_the_tag_moves(reg, creds, tmp_path, capsys):
    first = reg.index("acme/moving", "1")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text(f"FROM {reg.host}/acme/moving:1\n")
    assert run(capsys, "pin", str(path), "--lockfile", str(lock))[0] == 0
    assert path.read_text() == f"FROM {reg.host}/acme/moving:1@{first}\n"
    assert run(capsys, "pin", "--check", str(path), "--lockfile", str(lock))[0] == 0
    second = reg.index("acme/moving", "1", salt="rebuilt")
    assert second != first
    code, _, err = run(capsys, "pin", "--check", str(path), "--lockfile", str(lock))
    assert code == 1 and f"but its tag now names {second}" in err
    assert run(capsys, "pin", str(path), "--lockfile", str(lock))[0] == 0  # no --update: pins stay
    assert path.read_text() == f"FROM {reg.host}/acme/moving:1@{first}\n"
    code, _, err = run(capsys, "pin", "--update", str(path), "--lockfile", str(lock))
    assert code == 0 and "updated" in err
    assert path.read_text() == f"FROM {reg.host}/acme/moving:1@{second}\n"
    assert lockfile.read(str(lock))[f"{reg.host}/acme/moving:1"].digest == second
    assert run(capsys, "pin", "--check", str(path), "--lockfile", str(lock))[0] == 0


def test_a_failure_leaves_the_file_and_the_lock_untouched(reg, creds, tmp_path, capsys):
    reg.index("acme/app", "1.0")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    text = f"FROM {reg.host}/acme/app:1.0\nCOPY --from={reg.host}/acme/app:gone /a /a\n"
    path.write_text(text)
    code, _, err = run(capsys, "pin", str(path), "--lockfile", str(lock))
    assert code == 2
    assert re.search(r"Dockerfile:2: error: .*acme/app:gone: 404 not found", err)
    assert path.read_text() == text and not lock.exists()


def test_platform_is_required(reg, creds, tmp_path, capsys):
    reg.index("acme/app", "1.0")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text(f"FROM {reg.host}/acme/app:1.0\n")
    code, _, err = run(capsys, "pin", "--platform", "linux/s390x", str(path), "--lockfile", str(lock))
    assert code == 2 and "does not provide linux/s390x" in err and "@" not in path.read_text()
    assert run(capsys, "pin", "--platform", "linux/arm64", str(path), "--lockfile", str(lock))[0] == 0
    assert "@sha256:" in path.read_text()


# -- the lock file, offline -------------------------------------------------------------------------------


def test_lock_file_round_trip(tmp_path):
    entries = {
        "python:3.12-slim": lockfile.Entry("3.12-slim", "sha256:" + "a" * 64, ("linux/amd64", "linux/arm64/v8"), "2026-01-02T03:04:05Z"),
        "127.0.0.1:5000/x/y": lockfile.Entry(None, "sha256:" + "b" * 64, (), "2026-01-02T03:04:05Z"),
        "ghcr.io/o/i:1": lockfile.Entry("1", "sha256:" + "c" * 64, ("linux/amd64",), "2026-01-02T03:04:05Z"),
    }
    path = tmp_path / "dhard.lock"
    assert lockfile.write(str(path), entries) is True
    assert lockfile.write(str(path), entries) is False  # unchanged: not rewritten
    assert lockfile.read(str(path)) == entries
    text = path.read_text()
    assert text.index("127.0.0.1:5000/x/y") < text.index("ghcr.io/o/i:1") < text.index("python:3.12-slim")
    from ruamel.yaml import YAML

    assert lockfile._parse_block(text) == YAML(typ="safe").load(text)  # the fast reader agrees with ruamel
    # a hand-edited file in other YAML still reads (through ruamel)
    path.write_text('{"images": {"python:3": {"digest": "sha256:' + "d" * 64 + '", "tag": "3"}}}\n')
    assert lockfile.read(str(path))["python:3"].digest == "sha256:" + "d" * 64


def test_reading_the_lock_on_the_check_path_does_not_import_ruamel(tmp_path):
    lockfile.write(str(tmp_path / "dhard.lock"), {"python:3.12": lockfile.Entry("3.12", "sha256:" + "a" * 64)})
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\n")
    code = ("import sys; from hardener.config import load_config; from hardener.cli import main; "
            f"c = load_config({str(tmp_path / 'Dockerfile')!r}); "
            f"main(['check', '--exit-zero', {str(tmp_path / 'Dockerfile')!r}]); "
            "print('RESULT', c.pins['python:3.12'], sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ruamel', 'ssl', 'socket', 'http') or m in ('urllib.request', 'hardener.pin.registry', "
            "'hardener.pin.auth', 'hardener.cli.pin')), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    result = done.stderr[done.stderr.index("RESULT"):].split()
    assert result == ["RESULT", "python:3.12@sha256:" + "a" * 64, "[]"], done.stderr


def offline_project(tmp_path) -> tuple[Path, str]:
    digest = "sha256:" + "e" * 64
    lockfile.write(str(tmp_path / "dhard.lock"), {
        "python:3.12-slim": lockfile.Entry("3.12-slim", digest, ("linux/amd64",), "2026-01-02T03:04:05Z"),
        "busybox:1": lockfile.Entry("1", "sha256:" + "f" * 64, ("linux/amd64",), "2026-01-02T03:04:05Z"),
    })
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12-slim\r\n# keep me\r\nCOPY --from=busybox:1 /bin/busybox /bin/busybox\r\nUSER 1000\r\n")
    return path, digest


@pytest.fixture
def no_network(monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"network use: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return calls


def test_the_guard_refuses_connections(no_network):
    with pytest.raises(AssertionError, match="network use"):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(AssertionError, match="network use"):
        Client(credentials=lambda n: None, attempts=1).resolve("127.0.0.1:9", "x", "1")


def test_fix_pins_offline_from_the_lock_file(tmp_path, capsys, no_network):
    path, digest = offline_project(tmp_path)
    code, out, err = run(capsys, "check", str(path), "--select", "DH404")
    assert "DH404" in out + err  # info: reported, not failing
    code, _, err = run(capsys, "fix", "--unsafe-fixes", "--select", "DH403,DH404", str(path))
    assert path.read_bytes() == (
        f"FROM python:3.12-slim@{digest}\r\n# keep me\r\n"
        f"COPY --from=busybox:1@sha256:{'f' * 64} /bin/busybox /bin/busybox\r\nUSER 1000\r\n").encode()
    code, out, err = run(capsys, "check", str(path), "--select", "DH404")
    assert code == 0 and "DH404" not in out + err
    assert no_network == []


def test_the_language_server_analysis_stays_offline(tmp_path, no_network):
    from hardener.config import load_config
    from hardener.lsp.analysis import analyse, fix_all_text

    path, digest = offline_project(tmp_path)
    config = load_config(str(path)).with_overrides(unsafe_fixes=True)
    analysis = analyse(path.read_text(), str(path), config)
    codes = {f.code for f in analysis.findings}
    assert "DH404" in codes
    fixed = fix_all_text(analysis)
    assert fixed is not None and f"python:3.12-slim@{digest}" in fixed
    assert no_network == []


def test_config_pins_win_over_the_lock(tmp_path):
    from hardener.config import load_config

    offline_project(tmp_path)
    (tmp_path / ".dhard.yaml").write_text('pins:\n  "python:3.12-slim": "python:3.12-slim@sha256:' + "1" * 64 + '"\n')
    pins = load_config(str(tmp_path / "Dockerfile")).pins
    assert pins["python:3.12-slim"].endswith("1" * 64)
    assert pins["busybox:1"].endswith("f" * 64)


def test_harden_pins_its_target_from_the_lock_file(tmp_path, capsys, no_network):
    image = "gcr.io/distroless/python3-debian12:nonroot"
    digest = "sha256:" + "9" * 64
    (tmp_path / "app.py").write_text("")
    path = tmp_path / "Dockerfile"
    path.write_text('FROM python:3.11-slim-bookworm\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n')
    code, out, err = run(capsys, "harden", str(path), "--stdout", "--explain")
    assert code == 0, err
    assert f"\nFROM {image}\n" in out and "`dhard pin` on the result pins it" in out + err
    lockfile.write(str(tmp_path / "dhard.lock"), {image: lockfile.Entry("nonroot", digest, ("linux/amd64",), "x")})
    code, out, err = run(capsys, "harden", str(path), "--stdout")
    assert code == 0, err
    assert f"\nFROM {image}@{digest}\n" in out
    assert no_network == []


def test_an_untagged_reference_is_pinned_as_latest(reg, creds, tmp_path, capsys):
    digest = reg.index("acme/plain", "latest")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text(f"FROM {reg.host}/acme/plain\n")
    assert run(capsys, "pin", str(path), "--lockfile", str(lock))[0] == 0
    assert path.read_text() == f"FROM {reg.host}/acme/plain:latest@{digest}\n"
    entry = lockfile.read(str(lock))[f"{reg.host}/acme/plain"]
    assert entry.tag == "latest"
    assert lockfile.pins({f"{reg.host}/acme/plain": entry})[f"{reg.host}/acme/plain"] == f"{reg.host}/acme/plain:latest@{digest}"


def test_403_is_one_line():
    stub = Stub(lambda h: reply(h, 403, b'{"errors":[{"code":"DENIED"}]}'))
    try:
        with pytest.raises(RegistryError, match=r"acme/app:1: 403 denied"):
            Client(credentials=lambda name: None).resolve(stub.host, "acme/app", "1")
        assert len(stub.requests) == 1  # not retried
    finally:
        stub.close()


def test_tls_failure_is_one_line(monkeypatch):
    stub = Stub(lambda h: reply(h, 200))  # plain HTTP: a TLS client gets WRONG_VERSION_NUMBER
    monkeypatch.setattr(Client, "_scheme", staticmethod(lambda host: "https"))
    try:
        with pytest.raises(RegistryError, match=r"acme/app:1: TLS error talking to 127\.0\.0\.1:\d+: \S+") as caught:
            Client(credentials=lambda name: None).resolve(stub.host, "acme/app", "1")
        assert "\n" not in str(caught.value)
    finally:
        stub.close()


def test_redirects_do_not_carry_the_credentials_to_another_host(reg, creds):
    digest = reg.index("acme/app", "1.0")
    seen = []

    def elsewhere(handler):
        seen.append(handler.headers.get("Authorization"))
        forward(handler, reg)

    target = Stub(elsewhere)
    front = Stub(lambda h: reply(h, 307, headers={"Location": f"http://{target.host}{h.path}"})
                 if h.headers.get("Authorization") else
                 reply(h, 401, headers={"Www-Authenticate": 'Basic realm="x"'}))
    try:
        docker_config(creds, front.host)
        assert Client().resolve(front.host, "acme/app", "1.0").digest == digest
        assert seen == [None]
    finally:
        front.close()
        target.close()


def test_a_broken_lock_file_is_a_config_error(tmp_path, capsys):
    (tmp_path / "dhard.lock").write_text("images:\n  python:3:\n    tag: '3'\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3\n")
    code, _, err = run(capsys, "check", str(tmp_path / "Dockerfile"))
    assert code == 2 and "dhard.lock: entry 'python:3' has no digest" in err


def test_targets_follow_arg_scopes():
    from hardener.parse import parse
    from hardener.pin.rewrite import targets

    text = ("ARG BASE=alpine:3.20\nARG TOOLS=busybox:1.36\n"
            "FROM ${BASE} AS one\nARG TOOLS\nCOPY --from=${TOOLS} /bin/sh /sh\n"
            "FROM $BASE AS two\nCOPY --from=${TOOLS} /bin/sh /sh\n"
            "FROM one\nARG TOOLS=debian:12\nENV IMG=alpine:3.19\nCOPY --from=$TOOLS /a /a\nCOPY --from=${IMG} /b /b\n"
            "FROM scratch\nCOPY --from=two /sh /sh\n")
    found, skipped = targets(parse(text))
    assert [(t.line, t.where, t.literal) for t in found] == [
        (1, "ARG BASE (FROM)", "alpine:3.20"),  # once, for both FROMs
        (2, "ARG TOOLS (COPY --from)", "busybox:1.36"),  # the stage's bare ARG inherits the global default
        (9, "ARG TOOLS (COPY --from)", "debian:12"),
    ]
    reasons = {(s.line, s.written): s.reason for s in skipped}
    assert "no value here" in reasons[(7, "${TOOLS}")]  # not declared in stage two: empty, as BuildKit has it
    assert "does not come from an ARG" in reasons[(12, "${IMG}")]


def test_narrow_replaces_a_floating_tag_by_the_full_version(reg, creds, tmp_path, capsys):
    digest = reg.index("acme/py", "3", salt="3.12.8")
    for tag in ("3.12", "3.12.8"):  # the same index under its fuller names
        body = reg.call("GET", f"/v2/acme/py/manifests/3", headers={"Accept": registry.OCI_INDEX})[2]
        assert reg.manifest("acme/py", tag, body, registry.OCI_INDEX) == digest
    reg.index("acme/py", "3.12.7", salt="3.12.7")
    reg.index("acme/py", "3.13.0", salt="3.13.0")  # higher, but another image
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text(f"FROM {reg.host}/acme/py:3 AS a\nFROM {reg.host}/acme/py:3.12.7\n")
    code, _, err = run(capsys, "pin", "--narrow", str(path), "--lockfile", str(lock))
    assert code == 0, err
    seven = Client().resolve(reg.host, "acme/py", "3.12.7").digest
    assert path.read_text() == (f"FROM {reg.host}/acme/py:3.12.8@{digest} AS a\n"
                                f"FROM {reg.host}/acme/py:3.12.7@{seven}\n")
    assert lockfile.read(str(lock))[f"{reg.host}/acme/py:3.12.8"].tag == "3.12.8"


def test_harden_pin_pins_the_new_base(tmp_path, capsys, monkeypatch):
    image = "gcr.io/distroless/python3-debian12:nonroot"
    digest = "sha256:" + "7" * 64
    asked = []

    def resolve(self, registry_name, repository, reference):
        asked.append((registry_name, repository, reference))
        return registry.Resolved(digest, registry.OCI_INDEX, ("linux/amd64", "linux/arm64"))

    monkeypatch.setattr(Client, "resolve", resolve)  # gcr.io is not on loopback
    (tmp_path / "app.py").write_text("")
    path, lock = tmp_path / "Dockerfile", tmp_path / "dhard.lock"
    path.write_text('FROM python:3.11-slim-bookworm\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "harden", str(path), "--stdout", "--pin")
    assert code == 0, err
    assert asked == [("gcr.io", "distroless/python3-debian12", "nonroot")]  # only the new base, not the builder
    assert f"\nFROM {image}@{digest}\n" in out and "FROM python:3.11-slim-bookworm AS" in out
    assert lockfile.read(str(lock))[image].digest == digest
