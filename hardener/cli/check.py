"""``dhard check``: lint Dockerfiles."""

from __future__ import annotations

import os
import sys

from ..config import ConfigError, load_config
from ..findings import Applicability, Severity
from ..lint import lint
from ..parse import parse
from ..semantic.build import UnknownTarget
from ..source import SourceError
from . import output
from .common import (EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, add_build_target_argument, add_context_argument,
                     bad_context, context_for, discover, error, read_source, relpath, unknown_target)

FORMATS = ("text", "json", "sarif", "github")


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    add_selection_arguments(parser)
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--show-fixes", action="store_true", help="show the edit each fix would make")
    parser.add_argument("--stdin-filename", metavar="PATH", help="name (and config location) for stdin input '-'")
    add_context_argument(parser)
    add_build_target_argument(parser)


# The options above for the quick reader in cli/__init__.py (``dhard check`` without argparse):
# option -> dest (flags, appended values), option -> (dest, choices) (values). tests/test_cli_quick.py
# checks they are add_arguments' options and that both readers agree.
QUICK_OPTIONS = {
    "flags": {"--exit-zero": "exit_zero", "--show-fixes": "show_fixes"},
    "values": {"--format": ("format", FORMATS), "--config": ("config", None),
               "--stdin-filename": ("stdin_filename", None), "--context": ("context", None),
               "--build-target": ("build_target", None)},
    "append": {"--select": "select", "--ignore": "ignore"},
    "defaults": {"format": "text"},
    "positional": ("paths", (".",)),
}


def add_selection_arguments(parser) -> None:
    parser.add_argument("--select", action="append", metavar="CODES", help="only these codes, prefixes or names")
    parser.add_argument("--ignore", action="append", metavar="CODES", help="skip these codes, prefixes or names")
    parser.add_argument("--config", metavar="FILE", help="use this config file instead of searching")


def split_codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(c for v in values for c in v.replace(",", " ").split())


def config_for(path: str, args):
    if getattr(args, "config", None):
        from ..config import _from_pyproject, _from_yaml

        if not os.path.isfile(args.config):
            raise ConfigError(args.config, "no such config file")
        is_pyproject = os.path.basename(args.config) == "pyproject.toml"
        base = _from_pyproject(args.config) if is_pyproject else _from_yaml(args.config)
        if base is None:
            raise ConfigError(args.config, "no [tool.dhard] section")
        return _overridden(base, args)
    if path == "-":
        return _overridden(load_config(None), args)
    if os.path.islink(path):  # its config is found from where it points
        return _overridden(load_config(path), args)
    # looked up once per directory of this run's Dockerfiles, which share it (kept with the run's arguments)
    known = vars(args).setdefault("configs_by_directory", {})
    directory = os.path.dirname(path)
    config = known.get(directory)
    if config is None:
        config = known[directory] = _overridden(load_config(path), args)
    return config


def _overridden(base, args):
    return base.with_overrides(select=split_codes(args.select), ignore=split_codes(args.ignore),
                               build_target=getattr(args, "build_target", None))


PARALLEL_MIN_FILES = 32  # below this, a second process costs more than it saves


def run(args) -> int:
    if bad_context(args):
        return EXIT_ERROR
    paths = discover(args.paths)
    if not paths:
        error(f"no Dockerfiles found in {' '.join(args.paths)}")
        return EXIT_ERROR
    if len(paths) > 1:  # Dockerfiles of one repository often share a build context: walk it once
        from ..analysis.context import remember_walks

        remember_walks()
    reports = []
    failed = could_not_run = False
    for problem, fails, report in _check_paths(paths, args):
        if problem is not None:
            error(problem)
            could_not_run = True
            continue
        failed |= fails
        reports.append(report)
    _write_report(reports, args)
    if could_not_run:
        return EXIT_ERROR
    if failed and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _check_paths(paths: list[str], args) -> list[tuple]:
    """Check every path, on every core when the batch is large."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN_FILES or workers < 2 or "-" in paths or not hasattr(os, "fork"):
        return [_check_path(path, args) for path in paths]
    from .workers import forked_map

    return forked_map(lambda path: _check_path(path, args), paths, workers)  # (functools would import collections)


def _check_path(path: str, args) -> tuple:
    """(problem, fails, report): ``problem`` is a one-line error when it could not run; ``report`` the file's
    part of the output, rendered here for text and github (a worker then sends back only text), else the
    (path, source, findings) the JSON and SARIF writers take."""
    name, source, findings, problem, fails = _lint_path(path, args)
    if problem is not None:
        return problem, False, None
    if args.format in ("json", "sarif"):
        return None, fails, (relpath(name), source, findings)
    return None, fails, _rendered(relpath(name), source, findings, args)


def _lint_path(path: str, args) -> tuple:
    """(name, source, findings, problem, fails): ``problem`` is a one-line error when it could not run."""
    name = args.stdin_filename if path == "-" and args.stdin_filename else path
    try:
        config = config_for(name, args)
        source = read_source(path, name)
    except (SourceError, ConfigError) as exc:
        return name, None, [], str(exc), False
    try:
        findings = lint(parse(source), config, context_for(args, name))
    except UnknownTarget as exc:
        return name, None, [], unknown_target(name, exc), False
    fails = any(f.severity >= config.failure_threshold for f in findings)
    return name, source, findings, None, fails


def _rendered(path: str, source, findings, args) -> tuple[str, int, int, int]:
    """A file's lines of a text or github report, with its counts of findings, safe and unsafe fixes."""
    lines = []
    safe = unsafe = 0
    for f in findings:
        if args.format == "github":
            lines.append(output.render_github(path, f) + "\n")
            continue
        lines.append(output.render_text_line(path, f) + "\n")
        if f.fix and f.fix.edits:
            if f.fix.applicability is Applicability.SAFE:
                safe += 1
            elif f.fix.applicability is Applicability.UNSAFE:
                unsafe += 1
            if args.show_fixes:
                lines.extend(_shown_fix(source, f))
    return "".join(lines), len(findings), safe, unsafe


def _write_report(reports: list, args) -> None:
    out = sys.stdout
    if args.format == "json":
        out.write(output.render_json(reports))
        return
    if args.format == "sarif":
        out.write(output.render_sarif(reports))
        return
    for text, _total, _safe, _unsafe in reports:
        out.write(text)
    if args.format == "text" and reports:
        total, safe, unsafe = (sum(report[n] for report in reports) for n in (1, 2, 3))
        _summary(total, safe, unsafe, len(reports))


def _shown_fix(source, finding) -> list[str]:
    from ..fixer import apply_edits

    assert finding.fix is not None
    first = min(e.start for e in finding.fix.edits)
    last = max(e.end for e in finding.fix.edits)
    start = source.text.rfind("\n", 0, first) + 1
    end = source.text.find("\n", last)
    end = len(source.text) if end == -1 else end
    shifted = [type(e)(e.start - start, e.end - start, e.content) for e in finding.fix.edits]
    after = apply_edits(source.text[start:end], shifted)
    lines = [f"    fix ({finding.fix.applicability.value}): {finding.fix.title}\n"]
    lines.extend(f"    - {line}\n" for line in source.text[start:end].splitlines())
    lines.extend(f"    + {line}\n" for line in after.splitlines())
    return lines


def _summary(total: int, safe: int, unsafe: int, files: int) -> None:
    if total == 0:
        print(f"All clean: {files} file{'s' if files != 1 else ''} checked.", file=sys.stderr)
        return
    parts = [f"Found {total} finding{'s' if total != 1 else ''} in {files} file{'s' if files != 1 else ''}."]
    if safe:
        parts.append(f"{safe} fixable with `dhard fix` ([*]).")
    if unsafe:
        parts.append(f"{unsafe} more with `dhard fix --unsafe-fixes` ([*unsafe]).")
    print(" ".join(parts), file=sys.stderr)


__all__ = ["Severity"]
