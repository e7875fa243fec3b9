"""Registry credentials and tokens: ``~/.docker/config.json`` and the Bearer challenge.

Credentials come only from Docker's config file (``auths``, ``credHelpers``,
``credsStore`` through ``docker-credential-<helper> get`` when the helper is on
PATH), never from the command line. They are never printed: errors name the
registry, not the user or the secret.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess

from ..record import dataclass

HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str = ""

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"Credentials(username={self.username!r}, secret=***)"

    def basic(self) -> str:
        raw = f"{self.username}:{self.secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


def docker_config_path() -> str:
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(base, "config.json")


def _host_of(key: str) -> str:
    """'https://ghcr.io/v1/' -> 'ghcr.io'; 'localhost:5000' -> 'localhost:5000'."""
    key = key.strip()
    if "://" in key:
        key = key.split("://", 1)[1]
    return key.split("/", 1)[0].lower()


def _keys_for(registry: str) -> list[str]:
    """The config keys that may name ``registry`` (Docker Hub has several)."""
    host = registry.lower()
    if host in HUB_KEYS or host == "docker.io":
        return list(HUB_KEYS)
    return [host]


def lookup(registry: str, config_path: str | None = None) -> Credentials | None:
    """Credentials for ``registry`` (host[:port], 'docker.io' for Docker Hub), or None."""
    path = config_path or docker_config_path()
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    wanted = _keys_for(registry)
    helpers = data.get("credHelpers") or {}
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if _host_of(key) in wanted and isinstance(helper, str):
                found = _from_helper(helper, key)
                if found is not None:
                    return found
    auths = data.get("auths") or {}
    if isinstance(auths, dict):
        # exact host[:port] match: two registries on 127.0.0.1 differ only by port
        for key in sorted(auths, key=lambda k: wanted.index(_host_of(k)) if _host_of(k) in wanted else len(wanted)):
            if _host_of(key) not in wanted:
                continue
            entry = auths[key]
            if not isinstance(entry, dict):
                continue
            found = _from_entry(entry)
            if found is not None:
                return found
            store = data.get("credsStore")
            if isinstance(store, str) and store:
                found = _from_helper(store, key)
                if found is not None:
                    return found
    store = data.get("credsStore")
    if isinstance(store, str) and store:
        for key in wanted:
            found = _from_helper(store, key)
            if found is not None:
                return found
    return None


def _from_entry(entry: dict) -> Credentials | None:
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, _, secret = base64.b64decode(auth).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return Credentials(user, secret)
    name, password = entry.get("username"), entry.get("password")
    if isinstance(name, str) and isinstance(password, str):
        return Credentials(name, password)
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credentials("<token>", token)
    return None


def _from_helper(helper: str, server: str) -> Credentials | None:
    program = shutil.which(f"docker-credential-{helper}")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "get"], input=server.encode(), capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return None
    user, secret = data.get("Username"), data.get("Secret")
    if isinstance(user, str) and isinstance(secret, str) and secret:
        return Credentials(user, secret)
    return None


# -- the challenge ------------------------------------------------------------------------------------

_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """'Bearer realm="https://x/token",service="x"' -> ('bearer', {'realm': ..., 'service': ...})."""
    header = header.strip()
    scheme, _, rest = header.partition(" ")
    params = {}
    for match in _PARAM.finditer(rest):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
    return scheme.lower(), params
