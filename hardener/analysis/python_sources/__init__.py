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
  ``python manage.py``), through ``sh -c``, ``env``, ``tini``, ``dumb-init``
  (read with dhard's shell reader).
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

The package, one job a module:

- ``entry``: the entry command -> the scripts, modules and ports it names (no libcst);
- ``nodes``: small readers of libcst nodes and the one walk over a file;
- ``calls``: a file's process calls (shell use, tool calls), with alias resolution;
- ``ports``: a call's privileged-port binds;
- ``parsing``: reading a file into a libcst module, or saying why not;
- ``report``: ``Site``, ``PythonReport`` and ``analyze_python``.

The names below load on first use, so ``entry`` can be imported without libcst.

Import aliases are resolved (``import subprocess as sp``, ``from os import
system as s``, ``from subprocess import *``, ``run = subprocess.run``). The
analysis is syntactic: a report lists what was found, it never proves a file
needs no shell. Messages say "found"/"may", never "safe".
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .entry import command_ports, entry_files_for
    from .report import PythonReport, Site, analyze_python

__all__ = ["Site", "PythonReport", "analyze_python", "entry_files_for", "command_ports"]

_HOME = {
    "Site": "report",
    "PythonReport": "report",
    "analyze_python": "report",
    "entry_files_for": "entry",
    "command_ports": "entry",
}


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
