"""What one Python file's calls start: shell use, external programs, privileged ports (libcst).

``analyse_module`` walks a parsed module once (``nodes.Collector``), resolves
import aliases (``import subprocess as sp``, ``from os import system as s``,
``from subprocess import *``, ``run = subprocess.run``) and checks every call:

- shell use: ``os.system``, ``os.popen``, ``subprocess.*(shell=True)`` (a
  ``shell=`` value that is not a literal is "(unknown)"), ``getoutput``,
  ``asyncio.create_subprocess_shell``, ``loop.subprocess_shell``, ``pty.spawn``
  of a shell, or any exec of a shell program;
- tool calls: programs started without a shell (``subprocess.*`` with a literal
  ``argv[0]``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``,
  ``asyncio.create_subprocess_exec``, ``pty.spawn``) and ``shutil.which("x")``;
- privileged ports (``ports.privileged_port``).

The program of a shell command string is read with dhard's shell reader.
"""

from __future__ import annotations

import posixpath
from typing import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ...programs import is_shell
from ...shell import parse_shell, unwrap
from .nodes import (
    MODULE_ALIASES, Call, Collector, code, dotted, kwarg, literal_bool, positional, string, string_prefix,
)
from .ports import privileged_port

__all__ = ["FileAnalysis", "analyse_module", "first_program"]

# -- what to look for -------------------------------------------------------------

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


def _interesting(q: str) -> bool:
    return q in _SHELL_ALWAYS or q in _SUBPROCESS or q in _EXEC_FIRST or q in _SPAWN_SECOND or q in (
        "pty.spawn",
        "shutil.which",
    )


def first_program(command: str) -> str | None:
    """The program a shell command line starts, as the shell reads it: leading ``VAR=x``
    and wrappers skipped (``A=1 exec env -i curl -s x`` -> ``curl``); None when it is an
    expansion (``$CMD x``) or there is no command."""
    for cmd in parse_shell(command).commands:
        inner = unwrap(cmd)
        if inner.words:
            return inner.words[0].value
    return None


def _basename(program: str | None) -> str | None:
    if not program:
        return None
    name = posixpath.basename(program.strip().rstrip("/"))
    return name or None


# -- one file -----------------------------------------------------------------------


class FileAnalysis:
    """The findings of one file, each ``(node, what[, tool])``; ``line_of(node)`` gives its line."""

    def __init__(self, path: str, module: cst.Module, collector: Collector):
        self.path = path
        self.module = module
        self.c = collector
        self.constants: dict[str, cst.BaseExpression] = {}
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self.shell: list[tuple[cst.CSTNode, str, str | None]] = []
        self.tools: list[tuple[cst.CSTNode, str, str | None]] = []
        self.ports: list[tuple[cst.CSTNode, str]] = []
        self._resolve_assignments()

    # -- name resolution
    def _resolve_assignments(self) -> None:
        imported = set(self.c.bindings)
        for _ in range(2):  # aliases of aliases
            for name, value in self.c.assigns:
                name_of = dotted(value)
                if name_of is not None:
                    root = name_of.split(".", 1)[0]
                    known = root in self.c.bindings or any(root in _STAR_NAMES.get(m, ()) for m in self.c.star)
                    if known and name not in imported:
                        self.c.bindings[name] = self.qualify(name_of)
                elif isinstance(value, (cst.List, cst.Tuple, cst.SimpleString, cst.ConcatenatedString, cst.Call)):
                    self.constants.setdefault(name, value)

    def qualify(self, name: str) -> str:
        """The dotted name ``name`` refers to after imports: ``sp.run`` -> ``subprocess.run``."""
        root, _, rest = name.partition(".")
        base = self.c.bindings.get(root)
        if base is None:
            star = [m for m in self.c.star if root in _STAR_NAMES.get(m, ())]
            base = f"{star[0]}.{root}" if star else root
        first, _, tail = base.partition(".")
        first = MODULE_ALIASES.get(first, first)
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
            text = string(value)
            if text is not None:
                return text, True
            if isinstance(value, cst.Name) and value.value in self.constants:
                return self._program(self.constants[value.value], depth + 1)
            return None, False
        text = string(node)
        if text is not None:
            return first_program(text), True
        if isinstance(node, cst.Name) and node.value in self.constants:
            return self._program(self.constants[node.value], depth + 1)
        if isinstance(node, cst.Call):
            func = dotted(node.func)
            # shlex.split("ls -l"), "ls -l".split()
            if func is not None and self.qualify(func) == "shlex.split":
                args = positional(node)
                if args:
                    return self._program(args[0].value, depth + 1)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "split":
                return self._program(node.func.value, depth + 1)
        return None, False

    def _is_sys_executable(self, node: cst.BaseExpression | None) -> bool:
        if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
            node = node.elements[0].value
        name = dotted(node) if node is not None else None
        return name is not None and self.qualify(name) == "sys.executable"

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
            what = privileged_port(call, self.qualify)
            if what is not None:
                self.ports.append((call.node, what))

    def _shell_site(self, node, what: str, command: cst.BaseExpression | None) -> None:
        program = None
        if command is not None:
            text = string_prefix(command)
            if text is None and isinstance(command, cst.Name) and command.value in self.constants:
                text = string(self.constants[command.value])
            if text is not None:
                program = first_program(text)
        self.shell.append((node, what, _basename(program)))

    def _exec_site(self, node, via: str, program: str | None, literal: bool) -> None:
        tool = _basename(program) if literal else None
        if tool is not None and is_shell(tool):
            self.shell.append((node, f"found {via}() starting the shell '{tool}'", tool))
        elif tool is not None:
            self.tools.append((node, f"found {via}() calling the external program '{tool}'", tool))
        else:
            self.tools.append((node, f"found {via}() calling a program that is not a literal (unknown)", None))

    def _check_process(self, call: Call, q: str) -> None:
        node = call.node
        args = positional(node)
        if q in _SHELL_ALWAYS:
            self._shell_site(node, "found " + _SHELL_ALWAYS[q].replace("()", "():", 1), args[0].value if args else None)
            return
        if q in _SUBPROCESS:
            self._check_subprocess(node, q, args)
            return
        if q in _EXEC_FIRST or q in _SPAWN_SECOND:
            index = 1 if q in _SPAWN_SECOND else 0
            target = args[index].value if len(args) > index else None
            name = dotted(target) if target is not None else None
            if name and self.qualify(name) == "sys.executable":
                return
            text = string(target)
            if text is None and isinstance(target, cst.Name) and target.value in self.constants:
                text = string(self.constants[target.value])
            self._exec_site(node, q, text, text is not None)
            return
        if q == "pty.spawn":
            argv = args[0].value if args else None
            program, literal = self._program(argv)
            if literal and isinstance(argv, (cst.SimpleString, cst.ConcatenatedString)):
                program = string(argv)
            tool = _basename(program) if literal else None
            if tool is None:
                self.shell.append((node, "found pty.spawn() of a program that is not a literal (unknown): may start a shell", None))
            else:
                self._exec_site(node, "pty.spawn", program, True)
            return
        if q == "shutil.which":
            text = string(args[0].value) if args else None
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
            text = string(args[1].value)
            self._exec_site(node, f"{call.dotted or 'loop.subprocess_exec'}", text, text is not None)

    def _check_subprocess(self, node: cst.Call, q: str, args: list[cst.Arg]) -> None:
        argv = args[0].value if args else None
        kw = kwarg(node, "args")
        if argv is None and kw is not None:
            argv = kw.value
        shell = kwarg(node, "shell")
        executable = kwarg(node, "executable")
        if shell is not None:
            value = shell.value
            literal = literal_bool(value)
            if literal is True:
                self._shell_site(node, f"found {q}(..., shell={code(value)}): runs its command through /bin/sh", argv)
                return
            if literal is None:
                self._shell_site(
                    node, f"found {q}() with shell={code(value)} (unknown): may run its command through /bin/sh", argv
                )
                # and the program, if it is not run by the shell
                if isinstance(argv, (cst.List, cst.Tuple)):
                    program, literal = self._program(argv)
                    if literal:
                        self._exec_site(node, q, program, literal)
                return
        if self._is_sys_executable(argv):
            return
        if executable is not None and string(executable.value) is not None:
            self._exec_site(node, q, string(executable.value), True)
            return
        program, literal = self._program(argv)
        self._exec_site(node, q, program, literal)

    # -- positions
    def line_of(self, node: cst.CSTNode) -> int:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        pos = self._positions.get(node)
        return pos.start.line if pos is not None else 0


def analyse_module(path: str, module: cst.Module) -> FileAnalysis:
    """Walk ``module`` (the file ``path``) once and run every check; may raise RecursionError."""
    collector = Collector()
    collector.walk(module)
    analysis = FileAnalysis(path, module, collector)
    analysis.run()
    return analysis
