"""Literal privileged ports a Python call binds: ``port=80``, ``bind="0.0.0.0:80"``,
``listen="*:80"``, ``.bind(("", 80))``, ``HTTPServer(("", 80), ...)``,
``app.run("0.0.0.0", 80)``, ``app.listen(80)``, a ``PORT`` environment default."""

from __future__ import annotations

import re
from typing import Callable

import libcst as cst

from ...programs import is_privileged_port
from .nodes import Call, code, dotted, integer, kwarg, positional, string

__all__ = ["privileged_port"]

# calls whose port= / (host, port) is an outbound connection, not a bind
_OUTBOUND = frozenset(
    """connect connect_ex create_connection open_connection open_unix_connection SMTP SMTP_SSL LMTP FTP
    FTP_TLS POP3 POP3_SSL IMAP4 IMAP4_SSL HTTPConnection HTTPSConnection Telnet Redis StrictRedis
    MongoClient sendto request urlopen get post put patch delete head options Client AsyncClient
    ConnectionPool""".split()
)
# socket.listen(backlog) takes small numbers too: a lone .listen(N) counts only for these
_WELL_KNOWN_LISTEN = frozenset({21, 22, 23, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995})

Qualify = Callable[[str], "str | None"]


def _port_value(node: cst.BaseExpression, qualify: Qualify) -> tuple[int | None, str]:
    value = integer(node)
    if value is not None:
        return value, ""
    # int(os.environ.get("PORT", 80)), os.getenv("PORT", "80")
    inner = node
    if isinstance(inner, cst.Call) and dotted(inner.func) == "int" and inner.args:
        inner = inner.args[0].value
    if isinstance(inner, cst.Call):
        func = dotted(inner.func)
        q = qualify(func) if func else None
        if q in ("os.environ.get", "os.getenv") and len(inner.args) >= 2:
            name = string(inner.args[0].value) or "?"
            default = integer(inner.args[1].value)
            if default is not None:
                return default, f" (the default when ${name} is not set)"
    return None, ""


def _address_port(node: cst.BaseExpression, qualify: Qualify) -> int | None:
    text = string(node)
    if text is not None:
        m = re.search(r":(\d+)$", text.strip())
        if m and not text.startswith("unix:"):
            return int(m.group(1))
        return None
    if isinstance(node, cst.Tuple) and len(node.elements) == 2:
        host = node.elements[0].value
        if string(host) is not None or dotted(host) is not None:
            return _port_value(node.elements[1].value, qualify)[0]
    return None


def privileged_port(call: Call, qualify: Qualify) -> str | None:
    """What ``call`` binds below 1024 ("app.run(port=80) may bind the privileged port 80"), or None."""
    node = call.node
    name = call.method or ""
    if name in _OUTBOUND:
        return None
    label = call.dotted or name or "call"
    for kw in ("port", "bind", "listen", "server_port"):
        arg = kwarg(node, kw)
        if arg is None:
            continue
        if kw in ("port", "server_port"):
            port, note = _port_value(arg.value, qualify)
        else:
            port, note = _address_port(arg.value, qualify), ""
            if port is None and kw == "bind" and isinstance(arg.value, (cst.List, cst.Tuple)):
                for el in arg.value.elements:
                    port = _address_port(el.value, qualify)
                    if port is not None:
                        break
        if port is not None and is_privileged_port(port):
            return f"{label}({kw}={code(arg.value)}) may bind the privileged port {port}{note}"
    args = positional(node)
    if not args:
        return None
    first = args[0].value
    # sock.bind(("", 80)), HTTPServer(("", 80), H), create_server(("", 80))
    if name == "bind" or name.endswith("Server") or name in ("create_server", "serve", "make_server", "start_server"):
        if isinstance(first, cst.Tuple):
            port = _address_port(first, qualify)
            if port is not None and is_privileged_port(port):
                return f"{label}({code(first)}) may bind the privileged port {port}"
    # app.run("0.0.0.0", 80), make_server("", 80, app), web.run_app(app, "0.0.0.0", 80) is rare
    if name in ("run", "make_server", "serve", "start_server", "run_simple") and len(args) >= 2:
        port, note = _port_value(args[1].value, qualify)
        if port is not None and is_privileged_port(port) and string(first) is not None:
            return f"{label}({code(first)}, {port}) may bind the privileged port {port}{note}"
    # tornado app.listen(80)
    if name == "listen" and isinstance(node.func, cst.Attribute):
        port, note = _port_value(first, qualify)
        if port is not None and (port in _WELL_KNOWN_LISTEN or (len(args) > 1 and is_privileged_port(port))):
            return f"{label}({port}) may listen on the privileged port {port}{note}"
    return None
