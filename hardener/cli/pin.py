"""``dhard pin``: pin image references by digest, in place, and record them in ``dhard.lock``.

The only command that opens network connections (to the registries of the
references it pins). Credentials come from ``~/.docker/config.json`` only.
"""

from __future__ import annotations

import difflib
import os
import sys

from ..source import SourceError, atomic_write
from .common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, discover, error, read_source, relpath


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], help="Dockerfiles or directories")
    parser.add_argument("--update", action="store_true", help="refresh existing pins to the digest their tag names now")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a pin is missing or its tag now points elsewhere")
    parser.add_argument("--platform", action="append", default=[], metavar="OS/ARCH",
                        help="require the pinned image to provide this platform (repeatable, or comma-separated)")
    parser.add_argument("--lockfile", metavar="FILE",
                        help="the lock file to update (default: the nearest dhard.lock, else ./dhard.lock)")
    parser.add_argument("--diff", action="store_true", help="print a diff instead of writing")
    parser.add_argument("--narrow", action="store_true",
                        help="also replace a floating tag (python:3, node:lts) by the full version with the same digest")


def default_lockfile() -> str:
    from ..pin import LOCK_NAME, find_lock

    return find_lock(os.getcwd()) or LOCK_NAME


def run(args) -> int:
    from ..config import ConfigError, load_config
    from ..parse import parse
    from ..pin import lockfile
    from ..pin.pinner import pin_dockerfile
    from ..pin.registry import Client

    paths = [p for p in discover(args.paths) if p != "-"]
    if not paths:
        error(f"no Dockerfiles found in {' '.join(args.paths)}")
        return EXIT_ERROR
    platforms = [p.strip() for item in args.platform for p in item.split(",") if p.strip()]
    lock_path = args.lockfile or default_lockfile()
    try:
        entries = lockfile.read(lock_path) if os.path.isfile(lock_path) else {}
    except lockfile.LockError as exc:
        error(str(exc))
        return EXIT_ERROR
    client = Client()
    err = sys.stderr
    failed = problems = changed_any = False
    new_entries: dict = {}
    for path in paths:
        shown = relpath(path)
        try:
            source = read_source(path)
            config = load_config(path)
        except (SourceError, ConfigError) as exc:
            error(str(exc))
            failed = True
            continue
        df = parse(source)
        if df.error is not None:
            error(f"{shown}:{df.error.line}: cannot parse: {df.error.message}")
            failed = True
            continue
        outcome = pin_dockerfile(df, client, update=args.update, check=args.check, platforms=platforms, config=config,
                                 narrow=args.narrow)
        for target, message in outcome.errors:
            err.write(f"{shown}:{target.line}: error: {message}\n")
        for skip in outcome.skipped:
            err.write(f"{shown}:{skip.line}: not pinned: {skip.where} {skip.written}: {skip.reason}\n")
        if outcome.errors:
            err.write(f"{shown}: left unchanged\n")
            failed = True
            continue
        for target, digest in outcome.missing:
            err.write(f"{shown}:{target.line}: {target.where} {target.literal} is not pinned (its tag names {digest})\n")
        for target, digest in outcome.stale:
            err.write(f"{shown}:{target.line}: {target.where} {target.key} is pinned to {target.digest}, "
                      f"but its tag now names {digest}\n")
        problems |= bool(outcome.missing or outcome.stale)
        new_entries.update(outcome.entries)
        if not outcome.changed:
            continue
        new_source = source.with_text(outcome.text)
        if parse(new_source).error is not None:
            error(f"{shown}: the pinned file would not parse; left unchanged")
            failed = True
            continue
        changed_any = True
        verb = "would pin" if args.diff else "pinned"
        for target, new in outcome.pinned:
            err.write(f"{shown}:{target.line}: {verb} {target.where} {target.literal} -> {new}\n")
        for target, new in outcome.updated:
            err.write(f"{shown}:{target.line}: {'would update' if args.diff else 'updated'} {target.where} "
                      f"{target.literal} -> {new}\n")
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                source.text.splitlines(keepends=True), outcome.text.splitlines(keepends=True),
                fromfile=f"a/{shown}", tofile=f"b/{shown}"))
            continue
        try:
            atomic_write(path, new_source.to_bytes())
        except OSError as exc:
            error(f"{shown}: cannot write: {exc.strerror or exc}")
            failed = True
    if new_entries and not (args.check or args.diff):
        merged = {**entries, **new_entries}
        try:
            if lockfile.write(lock_path, merged):
                err.write(f"{relpath(lock_path)}: {len(new_entries)} reference(s) recorded\n")
        except OSError as exc:
            error(f"{lock_path}: cannot write: {exc.strerror or exc}")
            failed = True
    if failed:
        return EXIT_ERROR
    if args.check and problems:
        return EXIT_FINDINGS
    if args.diff and changed_any:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def pin_harden_output(result, shown: str, lock_path: str | None = None):
    """``dhard harden --pin``: the Success with its new base image pinned (recorded in the lock), or None."""
    from ..parse import parse
    from ..pin import lockfile
    from ..pin.pinner import pin_dockerfile
    from ..pin.registry import Client
    from dataclasses import replace  # the rewriter's results are standard dataclasses

    df = parse(result.text)
    outcome = pin_dockerfile(df, Client(), only={result.base})
    for _, message in outcome.errors:
        error(f"{shown}: cannot pin {result.base}: {message}")
    if outcome.errors or df.error is not None:
        return None
    if outcome.changed and parse(outcome.text).error is not None:
        error(f"{shown}: the pinned result would not parse")
        return None
    for target, new in outcome.pinned:
        sys.stderr.write(f"{shown}: pinned {target.literal} -> {new}\n")
    if outcome.entries:
        path = lock_path or default_lockfile()
        try:
            entries = lockfile.read(path) if os.path.isfile(path) else {}
            lockfile.write(path, {**entries, **outcome.entries})
        except (OSError, lockfile.LockError) as exc:
            error(f"{path}: cannot record the pin: {exc}")
            return None
    return replace(result, text=outcome.text, base=outcome.pinned[0][1] if outcome.pinned else result.base)
