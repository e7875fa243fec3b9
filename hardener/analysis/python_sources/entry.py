"""Which Python files and modules a container's entry command runs, and which ports it binds.

The command is read with dhard's shell reader (``hardener.shell``): ``sh -c``
text (any POSIX shell, any options before the script) is split into its simple
commands the way the shell would, through ``&&``, ``;``, newlines, pipes,
subshells, ``if``/``for`` bodies and nested ``sh -c``; every command is
stripped of its wrappers and init process by ``unwrap(cmd, inits=True)``
(``env``, ``exec``, ``nohup``, ``gosu``, ``tini --``, ``dumb-init`` ...).
What is left is read as ``python [options] script|-m module``, a Python
server (``gunicorn mod:app``, ``uvicorn``, ``hypercorn``, ``daphne``,
``waitress-serve``, ``flask --app``, ``celery -A``, ``granian``) or
``python -m <server>``.

Image paths are mapped to context files by their longest matching suffix
(``/app/src/main.py`` -> ``src/main.py``): the COPY destinations are the
caller's business.  No libcst here.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Sequence

from ...programs import POSIX_SHELLS
from ...shell import Command, Script, parse_exec, unwrap

__all__ = ["Entry", "read_entry", "entry_files", "entry_files_for", "command_ports"]

PYTHON = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?[dmu]?$")
_PY_FLAGS_WITH_ARG = "WX"
_SERVERS = {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "flask", "celery", "granian"}
_SERVER_MODULES = {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress", "flask", "celery", "granian"}
# options taking no value, per server (everything else that starts with "-" takes one, unless "--x=v")
_BOOL_OPTS = {
    "gunicorn": set(
        "--reload --preload -D --daemon --spew --check-config --print-config --capture-output "
        "--enable-stdio-inheritance --no-sendfile --reuse-port -R --strip-header-spaces --paste-global "
        "--proxy-protocol --suppress-ragged-eofs --do-handshake-on-connect --dev -v --version -h --help".split()
    ),
    "uvicorn": set(
        "--reload --factory --proxy-headers --no-proxy-headers --access-log --no-access-log --use-colors "
        "--no-use-colors --server-header --no-server-header --date-header --no-date-header --lifespan-on "
        "--interface --h11 --version --help".split()
    )
    - {"--interface"},
    "hypercorn": set("--reload --debug --access-log --version --help -h".split()),
    "daphne": set("--proxy-headers -v --verbosity --no-server-name --help".split()) - {"-v", "--verbosity"},
    "waitress-serve": set("--call --no-ipv4 --no-ipv6 --expose-tracebacks --no-expose-tracebacks --help".split()),
    "granian": set("--reload --no-reload --help".split()),
}
# How many `sh -c` levels behind an init process (`tini -- sh -c "sh -c ..."`) are followed;
# the shell reader follows the ones it sees itself.
_MAX_DEPTH = 4


@dataclass
class Entry:
    """What the entry command runs: scripts, ``-m`` modules, modules a server imports, ports."""

    scripts: list[str] = field(default_factory=list)  # image paths of scripts
    mains: list[str] = field(default_factory=list)  # dotted modules run with -m
    modules: list[tuple[str, str]] = field(default_factory=list)  # (module spec, server) a server imports
    flask_default: bool = False
    ports: list[tuple[int, str]] = field(default_factory=list)  # (port, how the command binds it)


# -- reading the command into simple commands ---------------------------------------------


def read_entry(argv: Sequence[str] | None) -> Entry:
    """Read an exec-form entry command (``ENTRYPOINT`` + ``CMD``; shell form is ``sh -c``)."""
    entry = Entry()
    if argv:
        _read_script(parse_exec([str(a) for a in argv]), entry, 0)
    return entry


_ESCAPE_OR_QUOTE = re.compile(r"""\\(.)|['"]""", re.DOTALL)


def _text(word) -> str:
    """A word's value; for one that holds an expansion, its text without quotes (``"$HOST:80"``
    -> ``$HOST:80``), so that its literal parts still count and the ``$NAME`` matches nothing."""
    if word.value is not None:
        return word.value
    return _ESCAPE_OR_QUOTE.sub(lambda m: m.group(1) or "", word.raw)


def _read_script(script: Script, entry: Entry, depth: int) -> None:
    for cmd in script.commands:
        if unwrap(cmd).name in POSIX_SHELLS:
            continue  # a shell the reader saw: its -c script's commands are in script.commands
        inner = unwrap(cmd, inits=True)
        if inner.name in POSIX_SHELLS:  # behind an init: `tini -- sh -c "..."`
            argv = [w.value for w in inner.words if w.value is not None]
            if depth < _MAX_DEPTH and len(argv) == len(inner.words):
                _read_script(parse_exec(argv), entry, depth + 1)
            continue
        _read_command(inner, entry)


def _read_command(cmd: Command, entry: Entry) -> None:
    head = cmd.name or ""
    args = [_text(w) for w in cmd.words[1:]]
    if PYTHON.match(head):
        _read_python(args, entry)
    elif head in _SERVERS:
        _read_server(head, args, entry)


# -- python, python -m, servers -----------------------------------------------------------


def _port_of_address(text: str) -> int | None:
    text = text.strip()
    if text.startswith(("unix:", "fd://", "/")):
        return None
    m = re.search(r"(?:^|:)(\d+)$", text)
    return int(m.group(1)) if m else None


def _read_python(args: list[str], entry: Entry) -> None:
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-") or a == "-":
            break
        if a.startswith("--"):  # --check-hash-based-pycs MODE, --help, --version
            i += 2 if a == "--check-hash-based-pycs" else 1
            continue
        j = 1
        while j < len(a):
            ch = a[j]
            if ch == "c":
                return  # code on the command line: no file
            if ch == "m":
                module = a[j + 1 :] or (args[i + 1] if i + 1 < len(args) else "")
                rest = args[i + 2 :] if not a[j + 1 :] else args[i + 1 :]
                _read_module_main(module, rest, entry)
                return
            if ch in _PY_FLAGS_WITH_ARG:
                if j + 1 == len(a):
                    i += 1  # value is the next word
                break
            j += 1
        i += 1
    if i < len(args) and args[i] != "-":
        script = args[i]
        entry.scripts.append(script)
        rest = args[i + 1 :]
        if posixpath.basename(script) == "manage.py" and rest[:1] == ["runserver"]:
            for word in rest[1:]:
                if not word.startswith("-"):
                    port = _port_of_address(word)
                    if port is not None:
                        entry.ports.append((port, f"manage.py runserver {word}"))
                    break
        else:
            _generic_ports(rest, entry, script)


def _generic_ports(args: list[str], entry: Entry, who: str) -> None:
    for k, a in enumerate(args):
        name, eq, value = a.partition("=")
        if name in ("--port", "--bind", "--listen", "--host-port"):
            if not eq:
                value = args[k + 1] if k + 1 < len(args) else ""
            port = _port_of_address(value)
            if port is not None:
                entry.ports.append((port, f"{posixpath.basename(who)} {name} {value}"))


def _read_module_main(module: str, rest: list[str], entry: Entry) -> None:
    if not module:
        return
    root = module.split(".", 1)[0]
    if root in _SERVER_MODULES:
        server = "waitress-serve" if root == "waitress" else root
        _read_server(server, rest, entry)
        return
    if module in ("http.server", "SimpleHTTPServer"):
        for word in rest:
            if not word.startswith("-"):
                if word.isdigit():
                    entry.ports.append((int(word), f"python -m {module} {word}"))
                break
        return
    entry.mains.append(module)
    _generic_ports(rest, entry, module)


def _read_server(server: str, args: list[str], entry: Entry) -> None:
    bools = _BOOL_OPTS.get(server, set())
    positional: list[str] = []
    options: list[tuple[str, str | None]] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            positional += args[i + 1 :]
            break
        if a.startswith("-") and len(a) > 1:
            if "=" in a and a.startswith("--"):
                name, _, given = a.partition("=")
                options.append((name, given))
            elif a in bools:
                options.append((a, None))
            elif not a.startswith("--") and len(a) > 2:  # -b0.0.0.0:80, -Aproj
                options.append((a[:2], a[2:]))
            else:
                options.append((a, args[i + 1] if i + 1 < len(args) else None))
                i += 1
        else:
            positional.append(a)
        i += 1
    opts: dict[str, list[str | None]] = {}
    for option, value in options:
        opts.setdefault(option, []).append(value)

    def values(*names: str) -> list[str]:
        return [v for n in names for v in opts.get(n, []) if v is not None]

    if server == "flask":
        apps = values("--app", "-A")
        if apps:
            entry.modules.append((apps[-1], server))
        else:
            entry.flask_default = True
        if "run" in positional:
            for v in values("--port", "-p"):
                if v.isdigit():
                    entry.ports.append((int(v), f"flask run --port {v}"))
        return
    if server == "celery":
        apps = values("-A", "--app")
        if apps:
            entry.modules.append((apps[-1], server))
        return
    # WSGI/ASGI servers: the app is the positional "module:attr" (or a bare module)
    apps = [p for p in positional if re.match(r"^[A-Za-z_][\w.]*(:.+)?$", p)]
    if server == "waitress-serve":
        apps = [p for p in positional if ":" in p] or apps
    if apps:
        with_colon = [p for p in apps if ":" in p]
        entry.modules.append(((with_colon or apps)[-1], server))
    for v in values("--bind", "-b", "--listen"):
        port = _port_of_address(v)
        if port is not None:
            entry.ports.append((port, f"{server} --bind {v}"))
    port_names = ("--port", "-p") if server in ("daphne", "flask") else ("--port",)
    for v in values(*port_names):
        if v.isdigit():
            entry.ports.append((int(v), f"{server} --port {v}"))


# -- image paths -> context files ---------------------------------------------------------


def _module_target(spec: str) -> str:
    """'pkg.mod:create_app()' -> 'pkg.mod'; a path like 'src/app.py' is kept."""
    return spec.split(":", 1)[0].strip()


def _match_suffix(candidates: Sequence[str], files: Sequence[str]) -> list[str]:
    """Files equal to, or ending in "/" + a candidate; exact matches first, then the shortest."""
    for cand in candidates:
        cand = cand.strip("/")
        if not cand:
            continue
        exact = [f for f in files if f == cand]
        if exact:
            return exact
        tail = "/" + cand
        ends = sorted((f for f in files if f.endswith(tail)), key=lambda f: (f.count("/"), f))
        if ends:
            return ends[:1] if len(ends) == 1 or ends[0].count("/") < ends[1].count("/") else ends
    return []


def _script_files(script: str, files: Sequence[str]) -> list[str]:
    norm = posixpath.normpath(script).lstrip("/")
    if norm.startswith("../"):
        norm = norm.lstrip("./")
    parts = norm.split("/")
    suffixes = ["/".join(parts[k:]) for k in range(len(parts))]
    return _match_suffix(suffixes, files)


def _module_files(dotted: str, files: Sequence[str], main: bool) -> list[str]:
    if "/" in dotted or dotted.endswith(".py"):  # flask --app src/app.py
        return _script_files(dotted, files)
    rel = dotted.replace(".", "/")
    if main:
        candidates = [f"{rel}/__main__.py", f"{rel}.py"]
    else:
        candidates = [f"{rel}.py", f"{rel}/__init__.py"]
    for cand in candidates:
        found = _match_suffix([cand], files)
        if found:
            return found
    return []


def entry_files(entry: Entry, files: Sequence[str]) -> list[str]:
    """The files of ``files`` that ``entry`` runs or imports first, in command order."""
    out: list[str] = []
    for script in entry.scripts:
        out += _script_files(script, files)
    for module in entry.mains:
        out += _module_files(module, files, main=True)
    for spec, server in entry.modules:
        found = _module_files(_module_target(spec), files, main=False)
        out += found
        # celery -A proj: celery looks for the app in proj.celery next
        if server == "celery" and found and found[0].endswith("__init__.py"):
            sibling = found[0][: -len("__init__.py")] + "celery.py"
            if sibling in files:
                out.append(sibling)
    if entry.flask_default:
        out += [f for f in ("wsgi.py", "app.py") if f in files]
    return list(dict.fromkeys(out))


def entry_files_for(entry_argv: Sequence[str] | None, files: Sequence[str]) -> list[str]:
    """The files of ``files`` that the entry command runs or imports first."""
    return entry_files(read_entry(entry_argv), files)


def command_ports(entry_argv: Sequence[str] | None) -> list[tuple[int, str]]:
    """(port, how) for each literal port the entry command binds."""
    return read_entry(entry_argv).ports
