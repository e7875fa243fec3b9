"""Read the Python sources an image ships (libcst) for what a shell-less runtime lacks.

``analyze_python`` parses every shipped ``.py`` file (and the entry script, even
without the suffix) once and reports, with file and line:

- ``shell_uses``: code that runs a command through ``/bin/sh`` (``os.system``,
  ``os.popen``, ``subprocess.*(shell=True)``, ``subprocess.getoutput`` and
  ``getstatusoutput``, ``commands.getoutput``, ``asyncio.create_subprocess_shell``,
  ``loop.subprocess_shell``, ``pty.spawn`` of a shell, or any exec of ``sh``/``bash``
  ...). A ``shell=`` value that is not a literal is reported too, marked
  "(unknown)". ``Site.tool`` names the program the shell command starts with
  when the command is a literal.
- ``tool_calls``: external programs started without a shell (``subprocess.*`` with
  a literal ``argv[0]``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``,
  ``asyncio.create_subprocess_exec``, ``pty.spawn``) and ``shutil.which("x")``
  look-ups; ``Site.tool`` is the program's basename, or None when the program is
  not a literal.
- ``entry_files``: the context files the entry command names (``python app.py``,
  ``python -m pkg``, ``gunicorn mod:app``, ``uvicorn mod:app``, ``flask --app mod
  run``, ``celery -A mod``, ``hypercorn``, ``daphne``, ``waitress-serve``,
  ``python manage.py``), through ``sh -c``, ``env``, ``tini``, ``dumb-init``.
  Image paths are mapped to context files by their longest matching suffix
  (``/app/src/main.py`` -> ``src/main.py``), since the COPY destinations are the
  caller's business.
- ``privileged_ports``: literal ports below 1024 the code or the command binds
  (``port=80``, ``bind="0.0.0.0:80"``, ``listen="*:80"``, ``.bind(("", 80))``,
  ``HTTPServer(("", 80), ...)``, ``app.run("0.0.0.0", 80)``, a ``PORT``
  environment default, ``--bind 0.0.0.0:80``/``--port 80`` in the command).
  Sites from the command have ``path="<command>"`` and ``line=0``.
- ``unknown``: files that could not be read or parsed (``what`` starts with
  "does not parse: "), or were too large to analyse. Never an exception.

Import aliases are resolved (``import subprocess as sp``, ``from os import
system as s``, ``from subprocess import *``, ``run = subprocess.run``). The
analysis is syntactic: a report lists what was found, it never proves a file
needs no shell. Messages say "found"/"may", never "safe".
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

__all__ = ["Site", "PythonReport", "analyze_python", "entry_files_for", "command_ports"]

MAX_FILE_BYTES = 2_000_000
COMMAND = "<command>"


@dataclass(frozen=True)
class Site:
    path: str  # context-relative posix path, or "<command>" for the entry command
    line: int  # 1-based; 0 when not from a source line
    what: str
    tool: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class PythonReport:
    shell_uses: tuple[Site, ...] = ()
    tool_calls: tuple[Site, ...] = ()
    entry_files: tuple[str, ...] = ()
    privileged_ports: tuple[Site, ...] = ()
    unknown: tuple[Site, ...] = ()
    files: tuple[str, ...] = ()  # the files that were analysed (parsed or not)

    @property
    def may_need_shell(self) -> bool:
        return bool(self.shell_uses)

    @property
    def tools(self) -> tuple[str, ...]:
        """Sorted unique program names from tool_calls and shell_uses (literal ones only)."""
        return tuple(sorted({s.tool for s in (*self.tool_calls, *self.shell_uses) if s.tool}))


# -- what to look for -------------------------------------------------------------

SHELLS = frozenset("sh bash dash zsh ash ksh mksh busybox fish csh tcsh".split())

# module aliases that are the same module for our purpose
_MODULE_ALIASES = {"posix": "os", "nt": "os", "subprocess32": "subprocess"}

_SHELL_ALWAYS = {
    "os.system": "os.system() runs its command through /bin/sh",
    "os.popen": "os.popen() runs its command through /bin/sh",
    "os.popen2": "os.popen2() runs its command through /bin/sh",
    "os.popen3": "os.popen3() runs its command through /bin/sh",
    "os.popen4": "os.popen4() runs its command through /bin/sh",
    "subprocess.getoutput": "subprocess.getoutput() runs its command through /bin/sh",
    "subprocess.getstatusoutput": "subprocess.getstatusoutput() runs its command through /bin/sh",
    "commands.getoutput": "commands.getoutput() runs its command through /bin/sh",
    "commands.getstatusoutput": "commands.getstatusoutput() runs its command through /bin/sh",
    "asyncio.create_subprocess_shell": "asyncio.create_subprocess_shell() runs its command through /bin/sh",
    "platform.popen": "platform.popen() runs its command through /bin/sh",
}

_SUBPROCESS = frozenset(
    "subprocess.run subprocess.call subprocess.check_call subprocess.check_output subprocess.Popen".split()
)
_EXEC_FIRST = frozenset(
    ["asyncio.create_subprocess_exec", "os.posix_spawn", "os.posix_spawnp"]
    + [f"os.exec{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")]
)
_SPAWN_SECOND = frozenset(f"os.spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"))

# names a star import brings in, per module we care about
_STAR_NAMES = {
    "os": {q.split(".", 1)[1] for q in (*_SHELL_ALWAYS, *_EXEC_FIRST, *_SPAWN_SECOND) if q.startswith("os.")},
    "subprocess": {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"},
    "asyncio": {"create_subprocess_shell", "create_subprocess_exec"},
    "commands": {"getoutput", "getstatusoutput"},
    "shutil": {"which"},
    "pty": {"spawn"},
}

# calls whose port= / (host, port) is an outbound connection, not a bind
_OUTBOUND = frozenset(
    """connect connect_ex create_connection open_connection open_unix_connection SMTP SMTP_SSL LMTP FTP
    FTP_TLS POP3 POP3_SSL IMAP4 IMAP4_SSL HTTPConnection HTTPSConnection Telnet Redis StrictRedis
    MongoClient sendto request urlopen get post put patch delete head options Client AsyncClient
    ConnectionPool""".split()
)
_WELL_KNOWN_LISTEN = frozenset({21, 22, 23, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995})


# -- small helpers on libcst nodes -------------------------------------------------


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _import_name(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_import_name(node.value)}.{node.attr.value}"
    return ""


def _string(node: cst.BaseExpression | None) -> str | None:
    """The value of a literal string expression, or None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are just "not a literal"
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        return value if isinstance(value, str) else None
    return None


def _int(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.evaluated_value)
        except (TypeError, ValueError):
            return None
    text = _string(node)
    if text is not None and text.strip().isdigit():
        return int(text.strip())
    return None


def _first_word(command: str) -> str | None:
    try:
        words = shlex.split(command, comments=False)
    except ValueError:
        words = command.split()
    # skip leading VAR=value assignments and "exec"/"env"
    for w in words:
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) or w in ("exec", "env", "command", "nohup"):
            continue
        return w
    return None


def _basename(program: str | None) -> str | None:
    if not program:
        return None
    name = posixpath.basename(program.strip().rstrip("/"))
    return name or None


def _kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _positional(call: cst.Call) -> list[cst.Arg]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            break
        out.append(arg)
    return out


def _literal_bool(node: cst.BaseExpression) -> bool | None:
    """True/False for a literal truth value (True, False, None, 0, 1), None when not a literal."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return _int(node) != 0
    return None


def _interesting(q: str) -> bool:
    return q in _SHELL_ALWAYS or q in _SUBPROCESS or q in _EXEC_FIRST or q in _SPAWN_SECOND or q in (
        "pty.spawn",
        "shutil.which",
    )


def _string_prefix(node: cst.BaseExpression | None) -> str | None:
    """The literal text an f-string starts with (f"curl {url}" -> "curl "), else the literal."""
    text = _string(node)
    if text is not None:
        return text
    if isinstance(node, cst.FormattedString) and node.parts and isinstance(node.parts[0], cst.FormattedStringText):
        head = node.parts[0].value
        return head if re.match(r"^\s*\S+\s", head) else None
    return None


def _code(node: cst.CSTNode) -> str:
    try:
        text = cst.Module(body=()).code_for_node(node)
    except Exception:  # noqa: BLE001
        return "<expr>"
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


# -- the per-file collector ---------------------------------------------------------


@dataclass
class _Call:
    node: cst.Call
    dotted: str | None  # e.g. "sp.run", "os.system", "app.run"
    method: str | None  # last attribute / name


_SKIP_FIELDS = (
    "whitespace", "lpar", "rpar", "comma", "semicolon", "header", "footer", "leading_lines", "lines_after",
    "equal", "colon", "dot", "operator", "lbracket", "rbracket", "lbrace", "rbrace", "asynchronous",
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind) if not f.name.startswith(_SKIP_FIELDS))
        _FIELDS[kind] = names
    return names


class _Collector:
    """One walk over the tree: imports, simple aliases/constants, and every call.

    It reads the dataclass fields directly instead of using ``CSTVisitor``,
    which rebuilds every node on the way and costs 10-15x more; whitespace and
    punctuation fields, which hold no code, are not entered.
    """

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}
        self.star: set[str] = set()
        self.assigns: list[tuple[str, cst.BaseExpression]] = []
        self.calls: list[_Call] = []

    def walk(self, root: cst.CSTNode) -> None:
        stack: list[cst.CSTNode] = [root]
        node_type = cst.CSTNode
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            kind = type(node)
            if kind is cst.Call:
                self.visit_Call(node)
            elif kind is cst.Import:
                self.visit_Import(node)
            elif kind is cst.ImportFrom:
                self.visit_ImportFrom(node)
            elif kind is cst.Assign:
                self.visit_Assign(node)
            elif kind is cst.AnnAssign:
                self.visit_AnnAssign(node)
            children = []
            for name in _fields(kind):
                value = getattr(node, name)
                if isinstance(value, node_type):
                    children.append(value)
                elif isinstance(value, (tuple, list)):
                    children.extend(v for v in value if isinstance(v, node_type))
            # reversed, so that the stack pops them in source order
            for child in reversed(children):
                push(child)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _import_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bindings[alias.asname.name.value] = full
            else:
                root = full.split(".", 1)[0]
                self.bindings.setdefault(root, root)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = _import_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star.add(_MODULE_ALIASES.get(module, module))
            return
        for alias in node.names:
            name = _import_name(alias.name)
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.bindings[bound] = f"{module}.{name}"

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assigns.append((node.targets[0].target.value, node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.assigns.append((node.target.value, node.value))

    def visit_Call(self, node: cst.Call) -> None:
        dotted = _dotted(node.func)
        method = None
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
        elif isinstance(node.func, cst.Name):
            method = node.func.value
        self.calls.append(_Call(node, dotted, method))


class _FileAnalysis:
    def __init__(self, path: str, module: cst.Module, collector: _Collector):
        self.path = path
        self.module = module
        self.c = collector
        self.constants: dict[str, cst.BaseExpression] = {}
        self._positions = None
        self.shell: list[tuple[cst.CSTNode, str, str | None]] = []
        self.tools: list[tuple[cst.CSTNode, str, str | None]] = []
        self.ports: list[tuple[cst.CSTNode, str]] = []
        self._resolve_assignments()

    # -- name resolution
    def _resolve_assignments(self) -> None:
        imported = set(self.c.bindings)
        for _ in range(2):  # aliases of aliases
            for name, value in self.c.assigns:
                dotted = _dotted(value)
                if dotted is not None:
                    root = dotted.split(".", 1)[0]
                    known = root in self.c.bindings or any(root in _STAR_NAMES.get(m, ()) for m in self.c.star)
                    if known and name not in imported:
                        self.c.bindings[name] = self.qualify(dotted)
                elif isinstance(value, (cst.List, cst.Tuple, cst.SimpleString, cst.ConcatenatedString, cst.Call)):
                    self.constants.setdefault(name, value)

    def qualify(self, dotted: str) -> str | None:
        root, _, rest = dotted.partition(".")
        if root in self.c.bindings:
            base = self.c.bindings[root]
        else:
            base = None
            for module in self.c.star:
                if root in _STAR_NAMES.get(module, ()):
                    base = f"{module}.{root}"
                    break
            if base is None:
                base = root
        first, _, tail = base.partition(".")
        first = _MODULE_ALIASES.get(first, first)
        base = f"{first}.{tail}" if tail else first
        return f"{base}.{rest}" if rest else base

    # -- argv[0] of a call
    def _program(self, node: cst.BaseExpression | None, depth: int = 0) -> tuple[str | None, bool]:
        """(program word, literal?) of an argv expression or a command string."""
        if node is None or depth > 3:
            return None, False
        if isinstance(node, (cst.List, cst.Tuple)):
            if not node.elements:
                return None, False
            first = node.elements[0]
            if isinstance(first, cst.StarredElement):
                return self._program(first.value, depth + 1)
            value = first.value
            text = _string(value)
            if text is not None:
                return text, True
            if isinstance(value, cst.Name) and value.value in self.constants:
                return self._program(self.constants[value.value], depth + 1)
            return None, False
        text = _string(node)
        if text is not None:
            return _first_word(text), True
        if isinstance(node, cst.Name) and node.value in self.constants:
            return self._program(self.constants[node.value], depth + 1)
        if isinstance(node, cst.Call):
            func = _dotted(node.func)
            # shlex.split("ls -l"), "ls -l".split()
            if func is not None and self.qualify(func) == "shlex.split":
                args = _positional(node)
                if args:
                    return self._program(args[0].value, depth + 1)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "split":
                return self._program(node.func.value, depth + 1)
        return None, False

    def _is_sys_executable(self, node: cst.BaseExpression | None) -> bool:
        if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
            node = node.elements[0].value
        dotted = _dotted(node) if node is not None else None
        return dotted is not None and self.qualify(dotted) == "sys.executable"

    # -- the checks
    def run(self) -> None:
        for call in self.c.calls:
            qualified = self.qualify(call.dotted) if call.dotted else None
            if qualified is not None:
                n_shell, n_tools = len(self.shell), len(self.tools)
                self._check_process(call, qualified)
                if call.dotted != qualified and _interesting(qualified):
                    alias = f" (called as {call.dotted}())"
                    for found in (self.shell, self.tools):
                        start = n_shell if found is self.shell else n_tools
                        found[start:] = [(n, w + alias, t) for n, w, t in found[start:]]
            self._check_ports(call, qualified)

    def _shell_site(self, node, what: str, command: cst.BaseExpression | None) -> None:
        program = None
        if command is not None:
            text = _string_prefix(command)
            if text is None and isinstance(command, cst.Name) and command.value in self.constants:
                text = _string(self.constants[command.value])
            if text is not None:
                program = _first_word(text)
        self.shell.append((node, what, _basename(program)))

    def _exec_site(self, node, via: str, program: str | None, literal: bool) -> None:
        tool = _basename(program) if literal else None
        if tool is not None and tool in SHELLS:
            self.shell.append((node, f"found {via}() starting the shell '{tool}'", tool))
        elif tool is not None:
            self.tools.append((node, f"found {via}() calling the external program '{tool}'", tool))
        else:
            self.tools.append((node, f"found {via}() calling a program that is not a literal (unknown)", None))

    def _check_process(self, call: _Call, q: str) -> None:
        node = call.node
        args = _positional(node)
        if q in _SHELL_ALWAYS:
            self._shell_site(node, "found " + _SHELL_ALWAYS[q].replace("()", "():", 1), args[0].value if args else None)
            return
        if q in _SUBPROCESS:
            argv = args[0].value if args else None
            kw = _kwarg(node, "args")
            if argv is None and kw is not None:
                argv = kw.value
            shell = _kwarg(node, "shell")
            executable = _kwarg(node, "executable")
            if shell is not None:
                value = shell.value
                literal = _literal_bool(value)
                if literal is True:
                    self._shell_site(node, f"found {q}(..., shell={_code(value)}): runs its command through /bin/sh", argv)
                    return
                if literal is None:
                    self._shell_site(
                        node, f"found {q}() with shell={_code(value)} (unknown): may run its command through /bin/sh", argv
                    )
                    # and the program, if it is not run by the shell
                    if isinstance(argv, (cst.List, cst.Tuple)):
                        program, literal = self._program(argv)
                        if literal:
                            self._exec_site(node, q, program, literal)
                    return
            if self._is_sys_executable(argv):
                return
            if executable is not None and _string(executable.value) is not None:
                self._exec_site(node, q, _string(executable.value), True)
                return
            program, literal = self._program(argv)
            self._exec_site(node, q, program, literal)
            return
        if q in _EXEC_FIRST or q in _SPAWN_SECOND:
            index = 1 if q in _SPAWN_SECOND else 0
            target = args[index].value if len(args) > index else None
            if target is not None and _dotted(target) and self.qualify(_dotted(target)) == "sys.executable":
                return
            text = _string(target)
            if text is None and isinstance(target, cst.Name) and target.value in self.constants:
                text = _string(self.constants[target.value])
            self._exec_site(node, q, text, text is not None)
            return
        if q == "pty.spawn":
            argv = args[0].value if args else None
            program, literal = self._program(argv)
            if literal and isinstance(argv, (cst.SimpleString, cst.ConcatenatedString)):
                program = _string(argv)
            tool = _basename(program) if literal else None
            if tool is None:
                self.shell.append((node, "found pty.spawn() of a program that is not a literal (unknown): may start a shell", None))
            else:
                self._exec_site(node, "pty.spawn", program, True)
            return
        if q == "shutil.which":
            text = _string(args[0].value) if args else None
            if text is not None:
                tool = _basename(text)
                self.tools.append((node, f"found shutil.which('{text}') looking up the external program '{tool}'", tool))
            else:
                self.tools.append((node, "found shutil.which() looking up a program that is not a literal (unknown)", None))
            return
        if call.method == "subprocess_shell" and isinstance(node.func, cst.Attribute):
            command = args[1].value if len(args) > 1 else None
            self._shell_site(node, f"found {call.dotted or '...'}.subprocess_shell(): runs its command through /bin/sh", command)
            return
        if call.method == "subprocess_exec" and isinstance(node.func, cst.Attribute) and len(args) > 1:
            text = _string(args[1].value)
            self._exec_site(node, f"{call.dotted or 'loop.subprocess_exec'}", text, text is not None)

    # -- ports
    def _port_value(self, node: cst.BaseExpression) -> tuple[int | None, str]:
        value = _int(node)
        if value is not None:
            return value, ""
        # int(os.environ.get("PORT", 80)), os.getenv("PORT", "80")
        inner = node
        if isinstance(inner, cst.Call) and _dotted(inner.func) == "int" and inner.args:
            inner = inner.args[0].value
        if isinstance(inner, cst.Call):
            func = _dotted(inner.func)
            q = self.qualify(func) if func else None
            if q in ("os.environ.get", "os.getenv") and len(inner.args) >= 2:
                name = _string(inner.args[0].value) or "?"
                default = _int(inner.args[1].value)
                if default is not None:
                    return default, f" (the default when ${name} is not set)"
        return None, ""

    def _address_port(self, node: cst.BaseExpression) -> int | None:
        text = _string(node)
        if text is not None:
            m = re.search(r":(\d+)$", text.strip())
            if m and not text.startswith("unix:"):
                return int(m.group(1))
            return None
        if isinstance(node, cst.Tuple) and len(node.elements) == 2:
            host = node.elements[0].value
            if _string(host) is not None or _dotted(host) is not None:
                return self._port_value(node.elements[1].value)[0]
        return None

    def _check_ports(self, call: _Call, q: str | None) -> None:
        node = call.node
        name = call.method or ""
        if name in _OUTBOUND:
            return
        label = call.dotted or name or "call"
        for kw in ("port", "bind", "listen", "server_port"):
            arg = _kwarg(node, kw)
            if arg is None:
                continue
            if kw in ("port", "server_port"):
                port, note = self._port_value(arg.value)
            else:
                port, note = self._address_port(arg.value), ""
                if port is None and kw == "bind" and isinstance(arg.value, (cst.List, cst.Tuple)):
                    for el in arg.value.elements:
                        port = self._address_port(el.value)
                        if port is not None:
                            break
            if port is not None and 0 < port < 1024:
                self.ports.append((node, f"{label}({kw}={_code(arg.value)}) may bind the privileged port {port}{note}"))
                return
        args = _positional(node)
        if not args:
            return
        first = args[0].value
        # sock.bind(("", 80)), HTTPServer(("", 80), H), create_server(("", 80))
        if name == "bind" or name.endswith("Server") or name in ("create_server", "serve", "make_server", "start_server"):
            if isinstance(first, cst.Tuple):
                port = self._address_port(first)
                if port is not None and 0 < port < 1024:
                    self.ports.append((node, f"{label}({_code(first)}) may bind the privileged port {port}"))
                    return
        # app.run("0.0.0.0", 80), make_server("", 80, app), web.run_app(app, "0.0.0.0", 80) is rare
        if name in ("run", "make_server", "serve", "start_server", "run_simple") and len(args) >= 2:
            port, note = self._port_value(args[1].value)
            if port is not None and 0 < port < 1024 and _string(first) is not None:
                self.ports.append((node, f"{label}({_code(first)}, {port}) may bind the privileged port {port}{note}"))
                return
        # tornado app.listen(80) (socket.listen(backlog) takes small numbers too: well-known ports only)
        if name == "listen" and isinstance(node.func, cst.Attribute):
            port, note = self._port_value(first)
            if port is not None and (port in _WELL_KNOWN_LISTEN or (len(args) > 1 and 0 < port < 1024)):
                self.ports.append((node, f"{label}({port}) may listen on the privileged port {port}{note}"))

    # -- positions
    def line_of(self, node: cst.CSTNode) -> int:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        pos = self._positions.get(node)
        return pos.start.line if pos is not None else 0


# A file none of these match cannot produce a finding: it is only checked to
# parse (CPython's compiler, falling back to libcst when that refuses it, so a
# newer syntax libcst knows is not reported). libcst's full tree costs about
# 50x more, and most shipped files have nothing to report.
_PROC_NAMES = (
    rb"system|popen[234]?|exec[lv]p?e?|spawn[lv]?p?e?|posix_spawnp?|getoutput|getstatusoutput"
    rb"|create_subprocess_\w+|subprocess_shell|subprocess_exec|which"
)
_RELEVANT = re.compile(
    rb"\bsubprocess\b"
    rb"|(?:\.|\b)(?:" + _PROC_NAMES + rb")\s*\("  # a call: os.system(, system(
    rb"|\.(?:" + _PROC_NAMES + rb")\b"  # an attribute: run = os.system
    rb"|^[ \t]*from[ \t]+[\w.]+[ \t]+import\b[^\n]*\b(?:" + _PROC_NAMES + rb"|\*)"  # from os import system
    rb"|\b(?:port|server_port|bind|listen)\s*="
    rb"|\.(?:bind|listen)\s*\("
    rb"|Server\s*\("
    rb"|\b(?:create_server|serve|make_server|start_server|run_simple)\s*\("
    rb"|\brun\s*\(\s*[rbuRBU]?['\"]",
    re.MULTILINE,
)


def _compiles(data: bytes) -> bool:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<shipped>", "exec", _AST_ONLY, dont_inherit=True)
        return True
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (NUL bytes), RecursionError, ...
        return False


_AST_ONLY = 0x400  # ast.PyCF_ONLY_AST, without importing ast


def _analyse_file(context_dir: Path, rel: str, force: bool = False) -> tuple[_FileAnalysis | None, Site | None]:
    path = context_dir / rel
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Site(rel, 0, f"not analysed: larger than {MAX_FILE_BYTES // 1_000_000} MB")
        data = path.read_bytes()
    except OSError as err:
        return None, Site(rel, 0, f"does not parse: cannot read it ({err.strerror or err})")
    if not force and _RELEVANT.search(data) is None and _compiles(data):
        return None, None
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as err:
        line = int(getattr(err, "raw_line", 0) or 0)
        where = re.search(r"at (\d+):(\d+)", str(err.message or ""))
        if where:
            line = int(where.group(1))
            reason = f"invalid Python 3 syntax at line {line}, column {where.group(2)}"
        else:
            reason = f"invalid Python 3 syntax at line {line}" if line else "invalid Python 3 syntax"
        return None, Site(rel, line, f"does not parse: {reason}")
    except Exception as err:  # noqa: BLE001 - encoding errors, parser limits, recursion
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, Site(rel, 0, f"does not parse: {reason}")
    collector = _Collector()
    try:
        collector.walk(module)
        analysis = _FileAnalysis(rel, module, collector)
        analysis.run()
    except RecursionError:
        return None, Site(rel, 0, "does not parse: too deeply nested to analyse")
    return analysis, None


# -- the entry command --------------------------------------------------------------

_PYTHON = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?[dmu]?$")
_PY_FLAGS_WITH_ARG = "WX"
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
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


@dataclass
class _Entry:
    scripts: list[str] = field(default_factory=list)  # image paths of scripts
    mains: list[str] = field(default_factory=list)  # dotted modules run with -m
    modules: list[tuple[str, str]] = field(default_factory=list)  # (module spec, server) a server imports
    flask_default: bool = False
    ports: list[tuple[int, str]] = field(default_factory=list)


def _split_shell(command: str) -> list[list[str]]:
    """Split `sh -c` text into simple commands (on && || ; | &)."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        tokens = command.split()
    out: list[list[str]] = [[]]
    for t in tokens:
        if t and set(t) <= set(";&|"):
            out.append([])
        else:
            out[-1].append(t)
    return [c for c in out if c]


def _strip_wrappers(argv: list[str]) -> list[str]:
    argv = list(argv)
    while argv:
        head = _basename(argv[0]) or ""
        if _ASSIGN.match(argv[0]) or head in ("exec", "nohup", "command", "catatonit"):
            argv = argv[1:]
        elif head == "env":
            argv = argv[1:]
            while argv and (argv[0].startswith("-") or _ASSIGN.match(argv[0])):
                argv = argv[1:]
        elif head in ("tini", "dumb-init", "tini-static"):
            argv = argv[1:]
            while argv and argv[0].startswith("-"):
                dash = argv[0] == "--"
                argv = argv[1:]
                if dash:
                    break
        elif head in ("gosu", "su-exec"):
            argv = argv[2:]
        elif argv[0] == "--":
            argv = argv[1:]
        else:
            break
    return argv


def _port_of_address(text: str) -> int | None:
    text = text.strip()
    if text.startswith(("unix:", "fd://", "/")):
        return None
    m = re.search(r"(?:^|:)(\d+)$", text)
    return int(m.group(1)) if m else None


def _read_entry(argv: list[str], entry: _Entry, depth: int = 0) -> None:
    argv = _strip_wrappers(argv)
    if not argv or depth > 4:
        return
    head = _basename(argv[0]) or ""
    if head in SHELLS and len(argv) >= 3 and argv[1] in ("-c", "-ec", "-ce", "-lc", "-xc", "-eu", "-euc"):
        for command in _split_shell(argv[2]):
            _read_entry(command, entry, depth + 1)
        return
    if _PYTHON.match(head):
        _read_python(argv[1:], entry, depth)
        return
    if head in _SERVERS:
        _read_server(head, argv[1:], entry)


def _read_python(args: list[str], entry: _Entry, depth: int) -> None:
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
        if _basename(script) == "manage.py" and rest[:1] == ["runserver"]:
            for word in rest[1:]:
                if not word.startswith("-"):
                    port = _port_of_address(word)
                    if port is not None:
                        entry.ports.append((port, f"manage.py runserver {word}"))
                    break
        else:
            _generic_ports(rest, entry, script)


def _generic_ports(args: list[str], entry: _Entry, who: str) -> None:
    for k, a in enumerate(args):
        name, eq, value = a.partition("=")
        if name in ("--port", "--bind", "--listen", "--host-port"):
            if not eq:
                value = args[k + 1] if k + 1 < len(args) else ""
            port = _port_of_address(value)
            if port is not None:
                entry.ports.append((port, f"{_basename(who)} {name} {value}"))


def _read_module_main(module: str, rest: list[str], entry: _Entry) -> None:
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


def _read_server(server: str, args: list[str], entry: _Entry) -> None:
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
                name, _, value = a.partition("=")
                options.append((name, value))
            elif a in bools:
                options.append((a, None))
            elif not a.startswith("--") and len(a) > 2:  # -b0.0.0.0:80, -Aproj
                options.append((a[:2], a[2:]))
            else:
                value = args[i + 1] if i + 1 < len(args) else None
                options.append((a, value))
                i += 1
        else:
            positional.append(a)
        i += 1
    opts = {}
    for name, value in options:
        opts.setdefault(name, []).append(value)

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


def _module_target(spec: str) -> str:
    """'pkg.mod:create_app()' -> 'pkg.mod'; a path like 'src/app.py' is kept."""
    module = spec.split(":", 1)[0].strip()
    return module


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


def entry_files_for(entry_argv: Sequence[str] | None, files: Sequence[str]) -> list[str]:
    """The files of ``files`` that the entry command runs or imports first."""
    entry = _Entry()
    if entry_argv:
        _read_entry(list(entry_argv), entry)
    return _entry_files(entry, files)


def command_ports(entry_argv: Sequence[str] | None) -> list[tuple[int, str]]:
    """(port, how) for each literal port the entry command binds."""
    entry = _Entry()
    if entry_argv:
        _read_entry(list(entry_argv), entry)
    return entry.ports


def _entry_files(entry: _Entry, files: Sequence[str]) -> list[str]:
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
    seen: list[str] = []
    for f in out:
        if f not in seen:
            seen.append(f)
    return seen


# -- the whole report --------------------------------------------------------------------


def _is_python(rel: str) -> bool:
    return rel.endswith((".py", ".pyw"))


def analyze_python(context_dir: Path, files: list[str], entry_argv: list[str] | None) -> PythonReport:
    """Analyse the shipped Python files of a build context; see the module docs."""
    context_dir = Path(context_dir)
    files = list(dict.fromkeys(files))
    entry = _Entry()
    if entry_argv:
        _read_entry(list(entry_argv), entry)
    entries = _entry_files(entry, files)
    targets = [f for f in files if _is_python(f)]
    targets += [f for f in entries if f not in targets]

    shell: list[Site] = []
    tools: list[Site] = []
    ports: list[Site] = []
    unknown: list[Site] = []
    for port, how in entry.ports:
        if 0 < port < 1024:
            ports.append(Site(COMMAND, 0, f"the command ({how}) may bind the privileged port {port}"))
    for rel in targets:
        analysis, failure = _analyse_file(context_dir, rel)
        if failure is not None:
            unknown.append(failure)
            continue
        if analysis is None:  # nothing relevant in it, and it parses
            continue
        for node, what, tool in analysis.shell:
            shell.append(Site(rel, analysis.line_of(node), what, tool))
        for node, what, tool in analysis.tools:
            tools.append(Site(rel, analysis.line_of(node), what, tool))
        for node, what in analysis.ports:
            ports.append(Site(rel, analysis.line_of(node), what))
    key = lambda s: (s.path, s.line, s.what)  # noqa: E731
    return PythonReport(
        shell_uses=tuple(sorted(shell, key=key)),
        tool_calls=tuple(sorted(tools, key=key)),
        entry_files=tuple(entries),
        privileged_ports=tuple(s for s in ports if s.path == COMMAND)
        + tuple(sorted((s for s in ports if s.path != COMMAND), key=key)),
        unknown=tuple(sorted(unknown, key=key)),
        files=tuple(targets),
    )
