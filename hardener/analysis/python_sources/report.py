"""The report on a build context's Python sources, and ``analyze_python`` that builds it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...programs import is_privileged_port
from .calls import analyse_module
from .entry import entry_files, read_entry
from .parsing import read_module

__all__ = ["Site", "PythonReport", "analyze_python", "COMMAND"]

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


def _is_python(rel: str) -> bool:
    return rel.endswith((".py", ".pyw"))


def analyze_python(context_dir: Path, files: list[str], entry_argv: list[str] | None) -> PythonReport:
    """Analyse the shipped Python files of a build context; see the package docs."""
    context_dir = Path(context_dir)
    files = list(dict.fromkeys(files))
    entry = read_entry(entry_argv)
    entries = entry_files(entry, files)
    targets = [f for f in files if _is_python(f)]
    targets += [f for f in entries if f not in targets]

    shell: list[Site] = []
    tools: list[Site] = []
    ports: list[Site] = []
    unknown: list[Site] = []
    for port, how in entry.ports:
        if is_privileged_port(port):
            ports.append(Site(COMMAND, 0, f"the command ({how}) may bind the privileged port {port}"))
    folders: dict[str, str] = {}  # resolved once for this scan (read_context_file)
    for rel in targets:
        module, failure = read_module(context_dir, rel, folders)
        if failure is not None:
            unknown.append(Site(rel, *failure))
            continue
        if module is None:  # nothing relevant in it, and it parses
            continue
        try:
            analysis = analyse_module(rel, module)
        except RecursionError:
            unknown.append(Site(rel, 0, "does not parse: too deeply nested to analyse"))
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
