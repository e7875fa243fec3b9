"""What the commands share: finding Dockerfiles, reading them, reporting errors."""

from __future__ import annotations

import os
import sys

from ..source import SourceError, SourceFile, context_of

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_PATTERNS = ("Dockerfile", "Containerfile", "Dockerfile.*", "Containerfile.*", "*.Dockerfile", "*.dockerfile", "*.Containerfile")
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


def is_dockerfile_name(name: str) -> bool:
    from fnmatch import fnmatchcase  # only when a folder is searched for Dockerfiles

    return any(fnmatchcase(name, p) for p in _PATTERNS)


def discover(paths: list[str]) -> list[str]:
    """Files as given; directories searched for Dockerfile-like names (sorted, deduplicated)."""
    out: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = len(out)
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                out.extend(os.path.join(root, f) for f in sorted(files) if is_dockerfile_name(f))
            if len(out) == found and is_dockerfile_name(os.path.basename(os.path.normpath(path))):
                out.append(path)  # a directory named like a Dockerfile: reading it says "is a directory"
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def read_source(path: str, stdin_name: str | None = None) -> SourceFile:
    if path == "-":
        from ..source import MAX_BYTES

        data = sys.stdin.buffer.read(MAX_BYTES + 1)  # enough to know it is too large
        return SourceFile.from_bytes(data, stdin_name or "-")
    return SourceFile.read(path)


def add_context_argument(parser) -> None:
    parser.add_argument("--context", metavar="DIR",
                        help="the build context whose files the rules read, for every Dockerfile given "
                             "(default: each Dockerfile's directory)")


def add_build_target_argument(parser) -> None:
    parser.add_argument("--build-target", metavar="STAGE",
                        help="judge the image `docker build --target STAGE` builds (compose `target:`), not the last "
                             "stage's (default: the configuration's build-target)")


def unknown_target(name: str, exc) -> str:
    """The one-line error for a --build-target (or configured build-target) the Dockerfile has no stage for."""
    return f"{relpath(name)}: build-target: {exc}"


def bad_context(args) -> bool:
    """Say so when --context is not a directory (True: the command stops with exit 2)."""
    context = getattr(args, "context", None)
    if context is not None and not os.path.isdir(context):
        error(f"--context {context}: not a directory")
        return True
    return False


def context_for(args, name: str) -> str | None:
    """The build context of the Dockerfile ``name``: --context, else its folder (None for stdin)."""
    context = getattr(args, "context", None)
    return os.path.abspath(context) if context is not None else context_of(name)


def error(message: str) -> None:
    print(f"dhard: error: {message}", file=sys.stderr)


def source_error(exc: SourceError) -> None:
    error(str(exc))


def relpath(path: str) -> str:
    if path in ("-", "<string>"):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def display_path(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path
