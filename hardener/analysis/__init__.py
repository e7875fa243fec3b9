"""Analysis of what a build context ships (``context``) and of its Python sources
(the ``python_sources`` package, the only place dhard imports libcst).

``shipped_files`` is imported eagerly (cheap); the libcst-based names load on
first use, so importing this package does not import libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import shipped_files

if TYPE_CHECKING:
    from .python_sources import PythonReport, Site, analyze_python

__all__ = ["shipped_files", "analyze_python", "PythonReport", "Site"]

_LAZY = {"analyze_python", "PythonReport", "Site", "entry_files_for", "command_ports"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import python_sources

        return getattr(python_sources, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
