"""A small OCI distribution client: a tag -> the digest to pin (index / manifest list preserved).

Standard library only. Every manifest request sends the four manifest types
(OCI index, OCI manifest, Docker manifest list, Docker v2 manifest): a registry
asked without the index type answers 404 for an OCI index, and one asked with
only the Docker v2 type answers a manifest list with its amd64 child, a silently
wrong pin. The digest is ``Docker-Content-Digest`` (checked against the bytes).

Auth follows the registry's challenge: ``401 Www-Authenticate: Bearer
realm=...,service=...,scope=...`` -> GET a token (with the user's basic
credentials when it has some) -> retry; ``Basic`` -> retry with credentials.
Transient failures (429, 5xx, refused or timed-out connections) are retried
with backoff; every failure ends as one ``RegistryError`` line that names the
image, never a credential.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

from ..record import dataclass
from . import auth

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)

HUB = "docker.io"
HUB_HOST = "registry-1.docker.io"

TIMEOUT = 20.0  # seconds per request
ATTEMPTS = 4  # tries for a transient failure
BACKOFF = 0.5  # seconds, doubled after each try
MAX_WAIT = 30.0  # cap on one wait, Retry-After included


class RegistryError(Exception):
    """One line for the user: what failed, for which image, and why."""


@dataclass(frozen=True)
class Resolved:
    digest: str
    media_type: str
    platforms: tuple[str, ...]  # 'linux/amd64', 'linux/arm64/v8'... ; () when unknown


def endpoint(registry: str | None, repository: str) -> tuple[str, str, str]:
    """(host to connect to, repository path, registry name for credentials)."""
    if registry is None or registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        path = repository if "/" in repository else f"library/{repository}"
        return HUB_HOST, path, HUB
    return registry, repository, registry


def is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry the Authorization header to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


class Client:
    def __init__(self, *, credentials=auth.lookup, timeout: float | None = None, attempts: int | None = None):
        self._credentials = credentials
        self._timeout = TIMEOUT if timeout is None else timeout
        self._attempts = ATTEMPTS if attempts is None else attempts
        self._tokens: dict[tuple[str, str], str] = {}  # (host, scope) -> bearer token
        self._basic: dict[str, str] = {}  # host -> basic header, once a registry asked for it
        self._creds: dict[str, auth.Credentials | None] = {}
        self._cache: dict[tuple[str, str, str], Resolved] = {}

    # -- the one question -------------------------------------------------------------------------

    def resolve(self, registry: str | None, repository: str, reference: str) -> Resolved:
        """The digest ``reference`` (a tag or a digest) names now, with the platforms it provides."""
        host, path, _ = endpoint(registry, repository)
        key = (host, path, reference)
        if key not in self._cache:
            self._cache[key] = self._resolve(registry, repository, reference)
        return self._cache[key]

    def _resolve(self, registry, repository, reference) -> Resolved:
        host, path, cred_name = endpoint(registry, repository)
        shown = f"{registry + '/' if registry else ''}{repository}:{reference}"
        url = f"{self._scheme(host)}://{host}/v2/{path}/manifests/{urllib.parse.quote(reference, safe=':@')}"
        status, headers, body = self._request(url, {"Accept": ACCEPT}, host, path, cred_name, shown)
        computed = "sha256:" + hashlib.sha256(body).hexdigest()
        digest = headers.get("Docker-Content-Digest") or computed
        if digest.startswith("sha256:") and digest != computed:
            raise RegistryError(f"{shown}: the registry's digest {digest} does not match the manifest it sent")
        media_type = (headers.get("Content-Type") or "").split(";", 1)[0].strip()
        try:
            manifest = json.loads(body)
        except ValueError:
            raise RegistryError(f"{shown}: the registry sent a manifest that is not JSON") from None
        if not isinstance(manifest, dict):
            raise RegistryError(f"{shown}: the registry sent a manifest that is not a JSON object")
        media_type = manifest.get("mediaType") or media_type
        if media_type in INDEX_TYPES or "manifests" in manifest:
            platforms = tuple(_platforms(manifest))
        else:
            platforms = self._config_platform(manifest, host, path, cred_name, shown)
        return Resolved(digest=digest, media_type=media_type, platforms=platforms)

    def _config_platform(self, manifest, host, path, cred_name, shown) -> tuple[str, ...]:
        config = manifest.get("config") or {}
        digest = config.get("digest") if isinstance(config, dict) else None
        if not isinstance(digest, str):
            return ()
        url = f"{self._scheme(host)}://{host}/v2/{path}/blobs/{digest}"
        try:
            _, _, body = self._request(url, {}, host, path, cred_name, shown)
            data = json.loads(body)
        except (RegistryError, ValueError):
            return ()
        if isinstance(data, dict) and data.get("os") and data.get("architecture"):
            return (_platform(data),)
        return ()

    def tags(self, registry: str | None, repository: str, limit: int = 10000) -> list[str]:
        """The repository's tags (``/v2/<name>/tags/list``, following ``Link: <...>; rel="next"``)."""
        host, path, cred_name = endpoint(registry, repository)
        shown = f"{registry + '/' if registry else ''}{repository}"
        base = f"{self._scheme(host)}://{host}"
        url: str | None = f"{base}/v2/{path}/tags/list?n=1000"
        found: list[str] = []
        while url and len(found) < limit:
            _, headers, body = self._request(url, {"Accept": "application/json"}, host, path, cred_name, shown)
            try:
                data = json.loads(body)
            except ValueError:
                raise RegistryError(f"{shown}: the registry sent a tag list that is not JSON") from None
            found.extend(t for t in (data.get("tags") or []) if isinstance(t, str))
            link = headers.get("Link") or ""
            match = re.match(r'\s*<([^>]+)>\s*;\s*rel="?next"?', link)
            url = urllib.parse.urljoin(base + "/", match.group(1)) if match else None
        return found

    # -- transport --------------------------------------------------------------------------------

    @staticmethod
    def _scheme(host: str) -> str:
        # As Docker does by default: loopback registries speak plain HTTP, every other one TLS.
        return "http" if is_loopback(host) else "https"

    def _open(self, request: urllib.request.Request, host: str):
        handlers: list = [_Redirects()]
        if is_loopback(host):
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        return opener.open(request, timeout=self._timeout)

    def _creds_for(self, name: str) -> auth.Credentials | None:
        if name not in self._creds:
            self._creds[name] = self._credentials(name)
        return self._creds[name]

    def _request(self, url, headers, host, path, cred_name, shown):
        scope = f"repository:{path}:pull"
        attempt, wait, challenged = 0, BACKOFF, 0
        while True:
            attempt += 1
            sent = dict(headers)
            token = self._tokens.get((host, scope))
            if token:
                sent["Authorization"] = f"Bearer {token}"
            elif host in self._basic:
                sent["Authorization"] = self._basic[host]
            request = urllib.request.Request(url, headers=sent, method="GET")
            try:
                with self._open(request, host) as response:
                    return response.status, response.headers, response.read()
            except urllib.error.HTTPError as exc:
                status, reply = exc.code, exc.headers
                detail = _error_detail(exc)
                exc.close()
                if status == 401 and challenged < 2:
                    challenged += 1
                    self._answer(reply.get("Www-Authenticate") or "", host, scope, cred_name, shown)
                    continue
                if (status == 429 or status >= 500) and attempt < self._attempts:
                    time.sleep(min(MAX_WAIT, max(wait, _retry_after(reply))))
                    wait *= 2
                    continue
                raise RegistryError(_status_message(status, shown, cred_name, detail, self._creds_for(cred_name))) from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, socket.gaierror):
                    raise RegistryError(f"{shown}: cannot resolve {host.rsplit(':', 1)[0]} (DNS): {reason.strerror or reason}") from None
                if isinstance(reason, ssl.SSLError):
                    raise RegistryError(f"{shown}: TLS error talking to {host}: {_ssl_text(reason)}") from None
                if attempt < self._attempts:
                    time.sleep(min(MAX_WAIT, wait))
                    wait *= 2
                    continue
                raise RegistryError(f"{shown}: cannot connect to {host}: {_reason_text(reason)}") from None
            except ssl.SSLError as exc:
                raise RegistryError(f"{shown}: TLS error talking to {host}: {_ssl_text(exc)}") from None
            except (TimeoutError, socket.timeout, ConnectionError, OSError) as exc:
                if attempt < self._attempts:
                    time.sleep(min(MAX_WAIT, wait))
                    wait *= 2
                    continue
                raise RegistryError(f"{shown}: cannot connect to {host}: {_reason_text(exc)}") from None

    def _answer(self, challenge: str, host, scope, cred_name, shown) -> None:
        """Meet a 401's challenge: fetch a Bearer token, or use basic credentials."""
        scheme, params = auth.parse_challenge(challenge)
        creds = self._creds_for(cred_name)
        if scheme == "bearer" and params.get("realm"):
            self._tokens[(host, scope)] = self._token(params, scope, creds, cred_name, shown)
            return
        if scheme == "basic" and creds is not None and host not in self._basic:
            self._basic[host] = creds.basic()
            return
        raise RegistryError(_status_message(401, shown, cred_name, "", creds))

    def _token(self, params, scope, creds, cred_name, shown) -> str:
        query = {"scope": params.get("scope") or scope}
        if params.get("service"):
            query["service"] = params["service"]
        realm = params["realm"]
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        headers = {"Accept": "application/json"}
        if creds is not None:
            headers["Authorization"] = creds.basic()
        token_host = urllib.parse.urlsplit(realm).netloc
        attempt, wait = 0, BACKOFF
        while True:
            attempt += 1
            try:
                with self._open(urllib.request.Request(url, headers=headers), token_host) as response:
                    data = json.loads(response.read())
                break
            except urllib.error.HTTPError as exc:
                status = exc.code
                retry = _retry_after(exc.headers)
                exc.close()
                if (status == 429 or status >= 500) and attempt < self._attempts:
                    time.sleep(min(MAX_WAIT, max(wait, retry)))
                    wait *= 2
                    continue
                if status in (401, 403):
                    raise RegistryError(_status_message(status, shown, cred_name, "the token service refused", creds)) from None
                raise RegistryError(f"{shown}: the token service at {token_host} answered {status}") from None
            except urllib.error.URLError as exc:
                raise RegistryError(f"{shown}: cannot get a token from {token_host}: {_reason_text(exc.reason)}") from None
            except ValueError:
                raise RegistryError(f"{shown}: the token service at {token_host} sent no JSON") from None
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{shown}: the token service at {token_host} sent no token")
        return token


def _platforms(index: dict):
    for entry in index.get("manifests") or ():
        if not isinstance(entry, dict):
            continue
        platform = entry.get("platform")
        if isinstance(platform, dict) and platform.get("os") and platform.get("architecture"):
            if platform.get("os") == "unknown":  # attestation manifests
                continue
            yield _platform(platform)


def _platform(data: dict) -> str:
    text = f"{data['os']}/{data['architecture']}"
    return f"{text}/{data['variant']}" if data.get("variant") else text


def _retry_after(headers) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read() or b"{}")
        errors = data.get("errors") or []
        if errors and isinstance(errors[0], dict):
            return str(errors[0].get("code") or errors[0].get("message") or "")
    except (ValueError, OSError, AttributeError):
        pass
    return ""


def _status_message(status, shown, cred_name, detail, creds) -> str:
    config = auth.docker_config_path()
    if status == 401:
        why = "the credentials were refused" if creds is not None else f"no credentials for {cred_name} in {config}"
        return f"{shown}: 401 unauthorized ({why}; run `docker login {cred_name}`)"
    if status == 403:
        return f"{shown}: 403 denied: the account has no pull access to this repository"
    if status == 404:
        return f"{shown}: 404 not found: no such repository or tag" + (f" ({detail})" if detail else "")
    if status == 429:
        return f"{shown}: 429 too many requests: the registry's rate limit; try again later or log in"
    return f"{shown}: the registry answered {status}" + (f" ({detail})" if detail else "")


def _ssl_text(exc) -> str:
    return getattr(exc, "reason", None) or getattr(exc, "verify_message", None) or str(exc).splitlines()[0]


def _reason_text(reason) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
