"""``dhard harden``: rewrite a build into a multi-stage, shell-less, non-root image.

``--build-target STAGE`` (or the configuration's ``build-target``) hardens the
image ``docker build --target STAGE`` builds; the output builds the hardened
image with ``--target STAGE`` (see ``rewrite.emit.render_target``).

Exit codes: 0 Success (the diff, or the file written), 1 Skip (nothing written;
the reason on stderr) or an unproven rewrite (the diff is shown, nothing is
written without --verify; why on stderr), 2 Failure or a usage error. With ``--verify`` the exit
code is 1 when the rewritten image does not behave like the original.
"""

from __future__ import annotations

import difflib
import os
import shlex
import sys

from ..source import SourceError, atomic_write
from . import surface
from .common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, error, read_source, relpath


def add_arguments(parser) -> None:
    from ..rewrite.targets import TARGETS

    parser.add_argument("dockerfile", help="the Dockerfile to rewrite (- for stdin)")
    parser.add_argument("--context", metavar="DIR", help="the build context (default: the Dockerfile's directory)")
    parser.add_argument("--target", choices=TARGETS, default="distroless",
                        help="which family of shell-less images to ship on (default: distroless)")
    parser.add_argument("--level", choices=("distroless", "hardened"), default="distroless",
                        help="distroless: shell-less final stage; hardened: non-root fallback on the same OS")
    parser.add_argument("--build-target", metavar="STAGE", default=None,
                        help="harden the image `docker build --target STAGE` builds (compose `target:`), not the "
                             "last stage's; `--target STAGE` then builds the hardened image (default: the "
                             "configuration's build-target, else the last stage)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--write", action="store_true", help="write the result over the Dockerfile")
    out.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    out.add_argument("--stdout", action="store_true", help="print the whole rewritten Dockerfile")
    parser.add_argument("--explain", action="store_true", help="print why each change was made")
    parser.add_argument("--pin", action="store_true",
                        help="pin the new base image by digest from its registry (network; records dhard.lock)")
    parser.add_argument("--stdin-filename", metavar="PATH", help="with -, the path used for messages and config")
    verify = parser.add_argument_group("verification (builds and runs both images)")
    verify.add_argument("--verify", action="store_true", help="build and run the original and the rewritten image and compare")
    verify.add_argument("--engine", choices=("docker", "podman"), default=None,
                        help="container engine for --verify (default: podman if installed, else docker)")
    verify.add_argument("--probe-http", metavar="PORT/PATH", help="compare the HTTP answer on PORT/PATH")
    verify.add_argument("--probe-cmd", metavar="ARGS", help="compare exit code and stdout of the image run with ARGS")
    verify.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for an answer (default 60)")
    surface.add_report_argument(verify)


def run(args) -> int:
    if surface.bad_report(args):
        return EXIT_ERROR
    path = args.dockerfile
    name = args.stdin_filename if path == "-" and args.stdin_filename else path
    try:
        source = read_source(path, name)
    except SourceError as exc:
        error(str(exc))
        return EXIT_ERROR
    if args.context is not None:
        context = args.context
        if not os.path.isdir(context):
            error(f"--context {context}: not a directory")
            return EXIT_ERROR
    else:
        context = os.path.dirname(os.path.abspath(name)) if name != "-" else None
    config = None
    try:
        from ..config import ConfigError, load_config

        config = load_config(None if name == "-" else name)
    except ConfigError as exc:
        error(str(exc))
        return EXIT_ERROR
    from ..rewrite import Failure, Skip, harden

    # the stage to harden: --build-target, else the configuration's build-target, else the last one
    configured = getattr(config, "build_target", None)
    from_config = args.build_target is None and configured is not None
    build_target = configured if from_config else args.build_target
    result = harden(source, context=context, target=args.target, level=args.level, config=config,
                    build_target=build_target)
    shown = relpath(name)
    err = sys.stderr
    if isinstance(result, Failure):
        if build_target is not None and result.error.startswith("no stage named"):
            config_path = getattr(config, "path", None)
            origin = f"build-target in {relpath(config_path)}" if from_config and config_path else "--build-target"
            error(f"{shown}: {result.error} ({origin})")
            return EXIT_ERROR
        error(f"{shown}: {result.error}")
        return EXIT_ERROR
    if isinstance(result, Skip):
        err.write(f"{shown}: skipped ({result.kind}): {result.reason}\n")
        if result.hint:
            err.write(f"  hint: {result.hint}\n")
        _notes(err, shown, result, args.explain)
        return EXIT_FINDINGS
    _notes(err, shown, result, args.explain)
    if args.pin and result.base and "@" not in result.base:
        from .pin import pin_harden_output

        pinned = pin_harden_output(result, shown)
        if pinned is None:
            return EXIT_ERROR
        result = pinned
    unproven = bool(result.unproven) and not args.verify
    for reason in result.unproven:
        err.write(f"{shown}: unproven: {reason}\n")
    if unproven:
        err.write(f"  hint: the rewrite may break the app there; --verify builds and runs both images and writes "
                  f"only when they answer alike, or make the app's writes plain to read and run again\n")
    if args.verify:
        code = _verify(args, name, result, context, shown, build_target)
        if code != EXIT_CLEAN:
            return code
    if args.write and unproven:
        err.write(f"{shown}: not written: the rewrite is unproven\n")
        return EXIT_FINDINGS
    if args.write:
        if path == "-":
            sys.stdout.write(result.text)
            _files_needed(err, shown, result, context)
            return EXIT_CLEAN
        if not _write_files(result, context, err):
            return EXIT_ERROR
        if result.text != source.text:
            try:
                atomic_write(path, source.with_text(result.text).to_bytes())
            except OSError as exc:
                error(f"{shown}: cannot write: {exc.strerror or exc}")
                return EXIT_ERROR
            err.write(f"{shown}: rewritten ({result.base})\n")
        return EXIT_CLEAN
    if args.stdout:
        sys.stdout.write(result.text)
        _files_needed(err, shown, result, context)
        return EXIT_FINDINGS if unproven else EXIT_CLEAN
    sys.stdout.writelines(
        difflib.unified_diff(
            source.text.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            fromfile=f"a/{shown}",
            tofile=f"b/{shown}",
        )
    )
    for rel, text in result.files:
        shown_file = relpath(os.path.join(context, rel))
        old = _current(context, rel)
        sys.stdout.writelines(difflib.unified_diff(
            (old or "").splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"a/{shown_file}" if old is not None else "/dev/null", tofile=f"b/{shown_file}"))
    return EXIT_FINDINGS if unproven else EXIT_CLEAN


def _current(context: str, rel: str) -> str | None:
    try:
        with open(os.path.join(context, rel), encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read()
    except OSError:
        return None


def _files_needed(err, shown: str, result, context) -> None:
    if result.files:
        names = ", ".join(relpath(os.path.join(context, rel)) for rel, _ in result.files)
        err.write(f"{shown}: the rewrite copies new files of the build context, which --stdout does not write: "
                  f"{names}; --write writes them with the Dockerfile\n")


def _write_files(result, context, err) -> bool:
    """The new build-context files the rewrite copies, each written atomically when it changed."""
    for rel, text in result.files:
        target = os.path.join(context, rel)
        if _current(context, rel) == text:
            continue
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            atomic_write(target, text.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            error(f"{relpath(target)}: cannot write: {exc.strerror or exc}")
            return False
        err.write(f"{relpath(target)}: written (copied by the rewritten Dockerfile)\n")
    return True


def _notes(err, shown: str, result, explain: bool) -> None:
    for note in result.warnings:
        where = note.where or shown
        err.write(f"{where}: warning: {note.message}\n")
    if explain:
        for note in result.explain:
            where = note.where or shown
            err.write(f"{where}: why: {note.message}\n")


def _verify(args, name: str, result, context, shown: str, build_target: str | None = None) -> int:
    if name == "-" or context is None:
        error("--verify needs a Dockerfile on disk and its build context")
        return EXIT_ERROR
    try:
        from ..rewrite.verify import EngineError, default_engine, verify
    except ImportError:
        error("--verify is not available in this installation (hardener.rewrite.verify is missing)")
        return EXIT_ERROR
    engine = args.engine or default_engine()
    probe_cmd = shlex.split(args.probe_cmd) if args.probe_cmd else None
    from pathlib import Path

    try:
        report = verify(
            Path(name),
            result.text,
            Path(context),
            engine=engine,
            probe_http=args.probe_http,
            probe_cmd=probe_cmd,
            timeout=args.timeout,
            require_shell_free=args.level == "distroless",
            build_target=build_target,
            measure=surface.wanted(args),
            context_files=result.files,
            moved_ports=dict(result.ports),
        )
    except (EngineError, ValueError) as exc:
        error(f"--verify: {exc}")
        return EXIT_ERROR
    sys.stderr.write(report.render() + "\n")
    if not surface.show(args, report):
        return EXIT_ERROR
    return EXIT_CLEAN if report.ok else EXIT_FINDINGS
