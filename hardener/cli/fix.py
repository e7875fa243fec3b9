"""``dhard fix``: apply fixes in place (safe by default, unsafe on request)."""

from __future__ import annotations

import difflib
import sys

from ..config import ConfigError
from ..fixer import fix_source
from ..semantic.build import UnknownTarget
from ..source import SourceError, atomic_write
from . import output, surface
from .check import add_selection_arguments, config_for
from .common import (EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, add_build_target_argument, add_context_argument,
                     bad_context, context_for, discover, error, read_source, relpath, unknown_target)


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories, or - for stdin")
    parser.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply fixes that may change behaviour")
    parser.add_argument("--diff", action="store_true", help="print a diff instead of writing")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a fix would apply")
    parser.add_argument("--stdin-filename", metavar="PATH", help="with -, the path used for config and messages")
    parser.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a file was changed")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain (for formatters)")
    parser.add_argument("--quiet", "-q", action="store_true", help="do not list remaining findings")
    add_context_argument(parser)
    add_build_target_argument(parser)
    verify = parser.add_argument_group("verification (builds and runs the image before and after the fixes)")
    verify.add_argument("--verify", action="store_true",
                        help="apply the unsafe and unproven fixes, build and run both images, write only if they agree")
    verify.add_argument("--engine", choices=("docker", "podman"), default=None,
                        help="container engine for --verify (default: podman if installed, else docker)")
    verify.add_argument("--probe-http", metavar="PORT/PATH", help="compare the HTTP answer on PORT/PATH")
    verify.add_argument("--probe-cmd", metavar="ARGS", help="compare exit code and stdout of the image run with ARGS")
    verify.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for an answer (default 60)")
    surface.add_report_argument(verify)
    add_selection_arguments(parser)


def run(args) -> int:
    if bad_context(args) or surface.bad_report(args):
        return EXIT_ERROR
    paths = discover(args.paths)
    if not paths:
        error(f"no Dockerfiles found in {' '.join(args.paths)}")
        return EXIT_ERROR
    could_not_run = changed_any = remaining_any = False
    for path in paths:
        name = args.stdin_filename if path == "-" and args.stdin_filename else path
        try:
            config = config_for(name, args)
            source = read_source(path, name)
        except (SourceError, ConfigError) as exc:
            error(str(exc))
            could_not_run = True
            if path == "-":
                return EXIT_ERROR
            continue
        try:
            result = _fixed(args, name, source, config)
        except UnknownTarget as exc:
            error(unknown_target(name, exc))
            could_not_run = True
            continue
        if result is None:
            could_not_run = True
            continue
        changed = result.source.text != source.text
        changed_any |= changed
        shown = relpath(name)
        if any(f.severity >= config.failure_threshold for f in result.remaining):
            remaining_any = True
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    source.text.splitlines(keepends=True),
                    result.source.text.splitlines(keepends=True),
                    fromfile=f"a/{shown}",
                    tofile=f"b/{shown}",
                )
            )
        elif path == "-":
            if not args.check:
                sys.stdout.buffer.write(result.source.to_bytes())
                sys.stdout.flush()
        elif changed and not args.check:
            try:
                atomic_write(path, result.source.to_bytes())
            except OSError as exc:
                error(f"{shown}: cannot write: {exc.strerror or exc}")
                could_not_run = True
                continue
        _report(shown, result, changed, args)
    if could_not_run:
        return EXIT_ERROR
    if (args.check or args.diff) and changed_any:
        return EXIT_FINDINGS
    if args.exit_non_zero_on_fix and changed_any:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if remaining_any and not args.exit_zero else EXIT_CLEAN


def _fixed(args, name: str, source, config):
    """The fix loop's result for one file (None: --verify could not check it)."""
    context = context_for(args, name)
    if not args.verify:
        return fix_source(source, config, unsafe=args.unsafe_fixes, context_dir=context)
    result = fix_source(source, config, unsafe=True, context_dir=context, unproven=True)
    kept = _verified(args, name, result, context, config.build_target)
    if kept is None:
        return None
    return result if kept else fix_source(source, config, unsafe=False, context_dir=context)


def _verified(args, name: str, result, context: str | None, build_target: str | None) -> bool | None:
    """Whether the fixed image answers as the original does (None: it could not be checked)."""
    if not result.applied:
        return True
    if name == "-" or context is None:
        error(f"{relpath(name)}: --verify needs the Dockerfile on disk, in its build context")
        return None
    import shlex
    from pathlib import Path

    from ..rewrite.verify import EngineError, default_engine, verify

    try:
        report = verify(Path(name), result.source.text, Path(context), engine=args.engine or default_engine(),
                        probe_http=args.probe_http, probe_cmd=shlex.split(args.probe_cmd) if args.probe_cmd else None,
                        timeout=args.timeout, require_shell_free=False, build_target=build_target,
                        measure=surface.wanted(args))
    except (EngineError, ValueError) as exc:
        error(f"--verify: {exc}")
        return None
    sys.stderr.write(report.render() + "\n")
    if not surface.show(args, report):
        return None
    kept = report.same_behaviour
    sys.stderr.write(f"{relpath(name)}: " + ("the fixes are kept: the fixed image answers as the original does\n" if kept
                     else "the unsafe fixes are not written: " + "; ".join(report.problems()) + "\n"))
    return kept


def _report(shown: str, result, changed: bool, args) -> None:
    err = sys.stderr
    verb = "would fix" if (args.check or args.diff) else "fixed"
    for finding in result.applied:
        err.write(f"{shown}:{finding.line}: {verb} {finding.code} ({finding.name}): {finding.fix.title}\n")
    for finding in result.reverted:
        err.write(f"{shown}:{finding.line}: skipped {finding.code} fix: its result would not parse\n")
    if not args.quiet:
        for finding in result.remaining:
            err.write(output.render_text_line(shown, finding) + "\n")
