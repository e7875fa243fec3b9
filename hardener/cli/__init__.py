"""The ``dhard`` command line.

argparse, not typer: ``dhard check`` on a small file must stay within a few
tens of milliseconds, and importing typer alone costs about 90 ms here. Each
command lives in its own module, imported only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

# command -> (module, one-line help)
COMMANDS = {
    "check": ("check", "lint Dockerfiles and report findings"),
    "fix": ("fix", "apply fixes in place (safe ones by default)"),
    "harden": ("harden", "rewrite a build into a multi-stage, shell-less, non-root image"),
    "parse": ("parse_cmd", "show how dhard reads a Dockerfile"),
    "rules": ("rules_cmd", "show the rule catalogue or one rule's docs"),
    "lsp": ("lsp_cmd", "run the language server on stdio"),
    "pin": ("pin", "pin image references by digest (the only command that uses the network)"),
}


def _formatter(prog: str) -> argparse.HelpFormatter:
    # A fixed width: the default asks shutil for the terminal size, and
    # importing shutil (with bz2 and lzma) costs more than linting a small file.
    return argparse.HelpFormatter(prog, width=100, max_help_position=32)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # exit 2 with one line, as for every usage error
        self.print_usage(sys.stderr)
        print(f"dhard: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="dhard", description="Lint, fix and harden Dockerfiles.")
    parser.add_argument("--version", action="version", version=f"dhard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:
            _module(module).add_arguments(command)
    return parser


def _module(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _module(COMMANDS[args.command][0]).run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
