"""Which npm packages a Node app loads, following its entry file's static require/import graph.

Read from the build context, as Node resolves them: relative specifiers are
files of the app (``./lib/db`` -> ``lib/db.js``, ``lib/db/index.js``...), bare
ones are packages (``express``, ``@scope/name/sub`` -> ``@scope/name``), and
Node's own modules (``fs``, ``node:path``) are neither. A ``require`` or
``import()`` of a computed specifier makes the answer unknown: the caller must
then assume the app may load any installed package.
"""

from __future__ import annotations

import re
from pathlib import Path

from .context import read_context_file

_STATIC = re.compile(
    r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|^\s*import\s+|\bexport\s+\*\s+from\s+)(['"])(?P<spec>[^'"\n]+)\1""",
    re.M,
)
_COMPUTED = re.compile(r"""\b(?:require|import)\s*\(\s*(?!['"])(?!\))""")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_EXTENSIONS = ("", ".js", ".cjs", ".mjs", ".json", ".ts")
_MAX_FILES = 2000
_MAX_BYTES = 2_000_000
NODE_BUILTINS = frozenset("""
assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain
events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl
stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib test
""".split())


class Unknown(Exception):
    """The graph cannot be followed statically; ``str()`` says where and why."""


def package_of(spec: str) -> str | None:
    """The package a bare specifier names (None: a file, or one of Node's own modules)."""
    if spec.startswith((".", "/")):
        return None
    if spec.startswith("node:"):
        return None
    parts = spec.split("/")
    name = "/".join(parts[:2]) if spec.startswith("@") and len(parts) > 1 else parts[0]
    return None if name in NODE_BUILTINS else name


def required_packages(context_dir: Path, entry: Path) -> set[str]:
    """Packages the app loads from ``entry`` (a file of the context) on; raises Unknown when it cannot tell."""
    root = Path(context_dir).resolve()
    seen: set[Path] = set()
    todo = [Path(entry).resolve()]
    packages: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if len(seen) > _MAX_FILES:
            raise Unknown(f"the app loads more than {_MAX_FILES} files")
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        try:
            data = read_context_file(root, str(rel), _MAX_BYTES)
        except OSError as exc:
            raise Unknown(f"{rel} cannot be read ({exc.strerror})") from None
        text = _COMMENT.sub("", data.decode("utf-8", errors="replace"))
        computed = _COMPUTED.search(text)
        if computed:
            line = text.count("\n", 0, computed.start()) + 1
            raise Unknown(f"{rel}:{line} loads a module whose name is computed")
        for match in _STATIC.finditer(text):
            spec = match.group("spec")
            package = package_of(spec)
            if package is not None:
                packages.add(package)
            elif spec.startswith("."):
                todo.append(_resolve(root, path.parent, spec, rel))
    return packages


def _resolve(root: Path, folder: Path, spec: str, where) -> Path:
    base = (folder / spec).resolve()
    if not base.is_relative_to(root):
        raise Unknown(f"{where} loads {spec}, outside the build context")
    for candidate in [base.with_name(base.name + ext) for ext in _EXTENSIONS] + [base / f"index{ext}" for ext in _EXTENSIONS[1:]]:
        if candidate.is_file():
            return candidate
    raise Unknown(f"{where} loads {spec}, which is not in the build context")
