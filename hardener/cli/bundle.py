"""The byte code of dhard's modules read from one file instead of one file per module.

A small file's ``dhard check`` imports about seventy of dhard's modules. For
each, Python's import system looks in the package folder, stats the source,
opens and reads its ``.pyc`` and checks its header: about a tenth of the run
(DESIGN.md §8 allows twice hadolint's time). The ``dhard`` command instead
reads those ``.pyc`` bodies from one bundle, ``hardener/__pycache__/
bundle.<cache tag>.bin``, and still checks each module's source the way
Python checks a ``.pyc``: an entry is used only while its source has the size
and modification time its byte code was compiled from; else the module is
imported as usual. The bundle also keeps what ``re`` compiled dhard's regular
expressions to, for ``syntax.lazyre.compile_pattern``: compiling them in Python
was a twentieth of a small check.

The bundle is written after a ``check`` or ``fix`` that imported a module it
did not hold (the first run, or after an upgrade or an edit), from the
``.pyc`` files Python itself validated in that run; never when Python would
not write byte code either (``PYTHONDONTWRITEBYTECODE``), and silently not
where the package folder cannot be written. Only the console command uses it:
``import hardener`` in a program imports as usual.
"""

from __future__ import annotations

import marshal
import os
import sys

FORMAT = 2  # of the bundle's contents; bump when they change shape
_PACKAGE = "hardener"
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(_PACKAGE_DIR, "__pycache__", f"bundle.{sys.implementation.cache_tag}.bin")
_PYC_HEADER = 16  # magic, flags, source mtime, source size
_ModuleSpec = type(__spec__)  # importlib.machinery.ModuleSpec, without importing importlib


class Bundle:
    """A meta path finder (and loader) for the modules of the bundle at ``path``."""

    def __init__(self, path: str = PATH):
        self.path = path
        # module name -> (source path, is a package, source mtime, source size, marshalled code)
        self.entries, self.patterns = _read(path)  # patterns: lazyre.PRECOMPILED's contents
        self.outdated: set[str] = set()  # entries whose source changed since

    def find_spec(self, name: str, path=None, target=None):
        entry = self.entries.get(name)
        if entry is None or name in self.outdated:
            return None
        source, is_package = entry[0], entry[1]
        if _source_stamp(source) != entry[2:4]:
            self.outdated.add(name)
            return None  # Python's own finder imports it from its source or .pyc
        spec = _ModuleSpec(name, self, origin=source, is_package=is_package)  # type: ignore[arg-type]
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(source)]
        return spec

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        exec(marshal.loads(self.entries[module.__name__][4]), module.__dict__)

    def install(self) -> "Bundle":
        if self.entries:
            sys.meta_path.insert(0, self)
        from ..syntax import lazyre

        lazyre.PRECOMPILED.update(self.patterns)
        lazyre.RECORDED = {}
        return self

    def update(self) -> None:
        """Write the bundle anew when this run imported a module it lacks or found an entry out of date."""
        if sys.dont_write_bytecode:
            return
        entries = {name: entry for name, entry in self.entries.items() if name not in self.outdated}
        for name, module in list(sys.modules.items()):
            if name in entries or not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
                continue
            entry = _entry_from_pyc(module)
            if entry is not None:
                entries[name] = entry
        from ..syntax import lazyre

        patterns = {**self.patterns, **(lazyre.RECORDED or {})}
        if entries == self.entries and patterns == self.patterns:
            return
        try:
            _write(self.path, entries, patterns)
        except OSError:
            pass  # a folder it may not write: the next run imports as usual, as this one did


def _read(path: str) -> tuple[dict, dict]:
    """(module entries, compiled patterns) of the bundle, empty when there is none for this interpreter."""
    try:
        with open(path, "rb") as handle:
            form, version, entries, patterns = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}, {}
    if form != FORMAT or version != sys.version or not isinstance(entries, dict) or not isinstance(patterns, dict):
        return {}, {}  # another interpreter's byte code, or another layout
    return entries, patterns


def _write(path: str, entries: dict, patterns: dict) -> None:
    data = marshal.dumps((FORMAT, sys.version, entries, patterns))
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)  # a run reading it meanwhile sees the old bundle or the new one
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _source_stamp(source: str) -> tuple[int, int] | None:
    """The source's modification time and size as a .pyc header keeps them (seconds; both mod 2**32)."""
    try:
        stat = os.stat(source)
    except OSError:
        return None
    return int(stat.st_mtime) & 0xFFFFFFFF, stat.st_size & 0xFFFFFFFF


def _entry_from_pyc(module) -> tuple | None:
    """A bundle entry made of the module's timestamped .pyc, when that matches its source now."""
    spec = getattr(module, "__spec__", None)
    if spec is None:
        return None
    source, cached = spec.origin, spec.cached
    if not (source and cached and source.endswith(".py") and spec.loader.__class__.__name__ == "SourceFileLoader"):
        return None
    try:
        with open(cached, "rb") as handle:
            pyc = handle.read()
    except OSError:
        return None
    flags = int.from_bytes(pyc[4:8], "little")
    if len(pyc) <= _PYC_HEADER or flags != 0:
        return None  # a hash-based .pyc: its check is not a stat
    stamp = (int.from_bytes(pyc[8:12], "little"), int.from_bytes(pyc[12:16], "little"))
    if _source_stamp(source) != stamp:
        return None
    return source, spec.submodule_search_locations is not None, *stamp, pyc[_PYC_HEADER:]
