"""Reading one shipped file into a libcst module, or saying why it could not be read.

A file that mentions none of the names the checks look for (``_RELEVANT``)
cannot produce a finding: it is only checked to parse (CPython's compiler,
falling back to libcst when that refuses it, so a newer syntax libcst knows is
not reported).  libcst's full tree costs about 50x more, and most shipped files
have nothing to report.  Keep ``_RELEVANT`` in step with ``calls`` and ``ports``.
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst

__all__ = ["MAX_FILE_BYTES", "read_module"]

MAX_FILE_BYTES = 2_000_000

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

_AST_ONLY = 0x400  # ast.PyCF_ONLY_AST, without importing ast


def _compiles(data: bytes) -> bool:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<shipped>", "exec", _AST_ONLY, dont_inherit=True)
        return True
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (NUL bytes), RecursionError, ...
        return False


def read_module(context_dir: Path, rel: str, folders: dict[str, str] | None = None
                ) -> tuple[cst.Module | None, tuple[int, str] | None]:
    """(module, None) for a file worth analysing; (None, None) for one that parses and has
    nothing to find; (None, (line, why)) for one that cannot be read, parsed or is too large.
    ``folders``: the scan's resolved folders (``read_context_file``)."""
    from ..context import FileTooLarge, read_context_file

    try:
        data = read_context_file(context_dir, rel, MAX_FILE_BYTES, folders)  # inside the context, regular files only
    except FileTooLarge:
        return None, (0, f"not analysed: larger than {MAX_FILE_BYTES // 1_000_000} MB")
    except OSError as err:
        return None, (0, f"does not parse: cannot read it ({err.strerror or err})")
    if _RELEVANT.search(data) is None and _compiles(data):
        return None, None
    try:
        return cst.parse_module(data), None
    except cst.ParserSyntaxError as err:
        line = int(getattr(err, "raw_line", 0) or 0)
        where = re.search(r"at (\d+):(\d+)", str(err.message or ""))
        if where:
            line = int(where.group(1))
            reason = f"invalid Python 3 syntax at line {line}, column {where.group(2)}"
        else:
            reason = f"invalid Python 3 syntax at line {line}" if line else "invalid Python 3 syntax"
        return None, (line, f"does not parse: {reason}")
    except Exception as err:  # noqa: BLE001 - encoding errors, parser limits, recursion
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, (0, f"does not parse: {reason}")
