"""Ports below 1024 the app binds: what a non-root user cannot do where podman or Kubernetes run it.

Docker 20.10+ lowers ``net.ipv4.ip_unprivileged_port_start`` to 0 in its
containers; podman and Kubernetes keep the kernel's 1024, so a non-root
process that binds port 80 dies there. Read from ``EXPOSE``, the command's
``--bind``/``--port``/``-p`` options, and literal addresses in Go and
JavaScript sources (``http.ListenAndServe(":80", ...)``, ``server.listen(80)``).
Python sources are read by the libcst analysis (``python_sources``).
"""

from __future__ import annotations


from ..programs import is_privileged_port
from ..record import dataclass
from ..syntax.lazyre import compile_lazily
from .context import source_texts

PORT_FLAGS = compile_lazily(r"^(?:-b|--bind|--host|--port|-p)$")
_PORT_AT_END = compile_lazily(r"(?::|^)(\d+)$")
_GO = compile_lazily(r"""\b(?:ListenAndServe(?:TLS)?|Listen(?:TCP|Packet)?)\(\s*(?:"(?:tcp|udp)[46]?"\s*,\s*)?"[^"]*:(\d+)"|\bAddr:\s*"[^"]*:(\d+)\"""")
_JS = compile_lazily(r"""\.listen\(\s*(\d+)\s*[,)]""")
WHAT_FAILS = ("podman and Kubernetes refuse the bind by default (Docker 20.10+ allows it); "
              "make the app listen on 1024 or above")


@dataclass(frozen=True)
class Bind:
    port: int
    what: str  # what names the port: "EXPOSE 80", "the command's --port 80", "main.go:12 listens on :80"
    where: str | None  # file:line of the source, or None (the instruction is the caller's to name)
    instruction: object = None  # the EXPOSE / CMD / ENTRYPOINT instruction, when the Dockerfile names it


def exposed(build, instructions) -> list[Bind]:
    out = []
    for ins in instructions:
        if ins.name != "EXPOSE":
            continue
        for word in ins.args.split():
            value = build.resolve(ins, word) or word
            port = value.split("/", 1)[0].split("-", 1)[0]
            if port.isdigit() and is_privileged_port(int(port)):
                out.append(Bind(int(port), f"EXPOSE {value}", None, ins))
    return out


def in_command(argv: list[str], instruction=None) -> list[Bind]:
    out = []
    for i, word in enumerate(argv):
        value = None
        if PORT_FLAGS.match(word) and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(("--bind=", "--port=", "-b")) and len(word) > 2:
            value = word.split("=", 1)[-1] if "=" in word else word[2:]
        if value is None:
            continue
        m = _PORT_AT_END.search(value)
        if m and is_privileged_port(int(m.group(1))) and (word in ("--port", "-p") or ":" in value or word.startswith("--port")):
            out.append(Bind(int(m.group(1)), f"the command listens on port {m.group(1)}", None, instruction))
    return out


def in_sources(context_dir, files: list[str]) -> list[Bind]:
    """Literal privileged ports that Go and JavaScript sources listen on."""
    out = []
    for rel, language, text in source_texts(context_dir, files, ("go", "javascript")):
        pattern = _GO if language == "go" else _JS
        for m in pattern.finditer(text):
            port = int(next(g for g in m.groups() if g))
            if is_privileged_port(port):
                line = text.count("\n", 0, m.start()) + 1
                out.append(Bind(port, f"the app listens on port {port}", f"{rel}:{line}"))
    return out
