"""The arguments of nginx's ``listen``: which address and port, and how to write a new port.

Forms (nginx's documentation of ``listen``): ``80``, ``*:80``,
``127.0.0.1:80``, ``127.0.0.1`` (port 80), ``localhost:80``, ``[::]:80``,
``[::1]`` (port 80), ``unix:/path``. Parameters are checked against the ones
each module documents; anything else is not understood, and the caller refuses.
"""

from __future__ import annotations

import re

from ...record import dataclass

DEFAULT_PORT = 80  # an address without a port listens on 80
_FLAGS = {
    "http": {"default_server", "default", "ssl", "http2", "quic", "spdy", "proxy_protocol", "deferred", "bind", "reuseport"},
    "stream": {"ssl", "udp", "proxy_protocol", "bind", "reuseport"},
}
_VALUED = {
    "http": {"setfib", "fastopen", "backlog", "rcvbuf", "sndbuf", "accept_filter", "ipv6only", "so_keepalive"},
    "stream": {"setfib", "fastopen", "backlog", "rcvbuf", "sndbuf", "ipv6only", "so_keepalive"},
}
_IPV6 = re.compile(r"\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::(\d+))?")
_HOST = re.compile(r"\*|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_PORT = re.compile(r"\d{1,5}")


@dataclass(frozen=True)
class Address:
    host: str | None  # "*", "127.0.0.1", "[::]", "localhost"; None when only a port is written
    port: int | None  # None for a unix socket
    unix: bool = False

    def with_port(self, port: int) -> str:
        """The address as ``listen`` writes it, on ``port``."""
        return str(port) if self.host is None else f"{self.host}:{port}"


def parse_address(text: str) -> Address | str:
    """The address of a ``listen``, or why it is not understood."""
    if "$" in text:
        return f"{text} uses a variable (an envsubst template? nothing fills it in on a shell-less image)"
    if text.startswith("unix:"):
        return Address(None, None, unix=True)
    if text.startswith("["):
        m = _IPV6.fullmatch(text)
        return _with_port(f"[{m[1]}]", m[2], text) if m else f"{text} is not an IPv6 address nginx reads"
    if _PORT.fullmatch(text):
        return _with_port(None, text, text)
    host, colon, port = text.rpartition(":")
    if not colon:
        host, port = text, ""
    if not _HOST.fullmatch(host):
        return f"{text} is not an address dhard understands"
    return _with_port(host, port or None, text)


def _with_port(host: str | None, port: str | None, text: str) -> Address | str:
    if port is None:
        return Address(host, DEFAULT_PORT)
    if not _PORT.fullmatch(port) or not 0 < int(port) < 65536:
        return f"{text}: {port} is not a port"
    return Address(host, int(port))


def unknown_parameter(params: list[str], module: str) -> str | None:
    """The first parameter ``listen`` does not take in ``module`` (http or stream), or None."""
    for param in params:
        name, equals, _ = param.partition("=")
        if "$" in param:
            return param
        if (param not in _FLAGS[module]) if not equals else (name not in _VALUED[module]):
            return param
    return None
