"""``dhard harden``: rewrite a build into a multi-stage, shell-less, non-root image.

    >>> from hardener.rewrite import harden
    >>> result = harden(text, context="path/to/context")        # doctest: +SKIP
    >>> result.ok, result.text if result.ok else result.reason   # doctest: +SKIP

Returns Success(text, warnings, explain) | Skip(kind, reason, hint) | Failure(error).
Deterministic and offline. libcst (the Python source analysis) is imported
only when a Python app's sources are checked.

Modules: ``plan`` (facts about the build), ``command`` (the program the image
runs), ``ecosystems/`` (one plug-in per ecosystem), ``files``
(what is copied, who owns it), ``writes`` (where the app's sources write),
``healthcheck``, ``packages`` and ``targets``
(what the target images contain), ``emit`` (text), ``hardened`` (the
``--level hardened`` fallback), ``distroless`` (the main flow), ``result``.
``verify`` (``--verify``) is maintained separately.
"""

from __future__ import annotations

from pathlib import Path

from .result import Failure, Note, Result, Skip, SkipError, Success
from .targets import TARGETS

__all__ = ["harden", "Success", "Skip", "Failure", "Note", "Result", "LEVELS", "TARGETS"]

LEVELS = ("distroless", "hardened")
# skips that --level hardened would meet too (a non-root user cannot bind a low port on any base)
_NO_FALLBACK = frozenset(("already-hardened", "windows", "privileged-port"))


def harden(source, context=None, target: str = "distroless", level: str = "distroless", config=None,
           build_target: str | None = None) -> Result:
    """Rewrite ``source`` (text, SourceFile or parsed Dockerfile).

    ``context`` is the build context directory (None: nothing in it can be read).
    ``build_target`` is the stage ``docker build --target`` builds (compose ``target:``; None: the last
    one): the image that is hardened. A Failure when no stage has that name.
    """
    from ..model import Dockerfile
    from ..parse import parse
    from ..source import SourceFile
    from .result import Log

    if target not in TARGETS:
        return Failure(f"unknown target {target!r} (one of {', '.join(TARGETS)})")
    if level not in LEVELS:
        return Failure(f"unknown level {level!r} (one of {', '.join(LEVELS)})")
    if isinstance(source, Dockerfile):
        df = source
    else:
        if isinstance(source, str):
            source = SourceFile.from_text(source)
        df = parse(source)
    if df.error is not None:
        return Failure(f"BuildKit cannot parse the Dockerfile (line {df.error.line}): {df.error.message}")
    if not df.stages:
        return Failure("the Dockerfile has no FROM")
    if build_target is not None:
        from ..semantic.build import UnknownTarget, target_stage

        try:
            target_stage(df, build_target)
        except UnknownTarget as exc:
            return Failure(str(exc))
    context_dir = Path(context) if context is not None else None
    log = Log()
    try:
        if level == "hardened":
            from .hardened import rewrite as hardened_rewrite

            return hardened_rewrite(df, context_dir, config, log, build_target)
        from .distroless import rewrite

        result = rewrite(df, context_dir, target, config, log, build_target)
        if parse(result.text).error is not None:
            return Failure("internal error: the rewritten Dockerfile does not parse; please report this file")
        return result
    except SkipError as skip:
        hint = skip.hint
        fallback = level == "distroless" and skip.kind not in _NO_FALLBACK
        if fallback and hint and "--level hardened" not in hint:
            hint = f"{hint}; or use --level hardened for a non-root rewrite on the same OS"
        elif fallback and not hint:
            hint = "use --level hardened for a non-root rewrite on the same OS"
        return Skip(skip.kind, skip.reason, hint, tuple(log.warnings), tuple(log.explain))
    except RecursionError:
        return Failure("internal error: the build is nested too deeply to follow")
    except Exception as exc:  # noqa: BLE001 - a bug must not lose the user's file; report it
        import os

        if os.environ.get("DHARD_DEBUG"):
            raise
        return Failure(f"internal error ({type(exc).__name__}: {exc}); please report this Dockerfile")
