"""The ``dhard`` command line.

argparse, not typer: ``dhard check`` on a small file must stay within a few
tens of milliseconds, and importing typer alone costs about 90 ms here. Each
command lives in its own module, imported only when that command runs.

``dhard check`` with plain arguments (exact option names, ``--opt value`` or
``--opt=value``, one run of paths) does not even import argparse: ``_quick``
reads them into the namespace argparse would give (argparse, gettext, locale
and building the parser are a tenth of a small file's run). Anything else
(help, abbreviations, ``--``, a mistake) goes to argparse, which says what is
wrong; tests/test_cli_quick.py compares the two readers.
"""

from __future__ import annotations

import sys

from .. import __version__

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    import argparse

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


def _parser_class() -> "type[argparse.ArgumentParser]":
    import argparse

    def formatter(prog: str) -> argparse.HelpFormatter:
        # A fixed width: the default asks shutil for the terminal size, and
        # importing shutil (with bz2 and lzma) costs more than linting a small file.
        return argparse.HelpFormatter(prog, width=100, max_help_position=32)

    class _Parser(argparse.ArgumentParser):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("formatter_class", formatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str):  # exit 2 with one line, as for every usage error
            self.print_usage(sys.stderr)
            print(f"dhard: error: {message}", file=sys.stderr)
            raise SystemExit(2)

    return _Parser


def build_parser(only: str | None = None) -> "argparse.ArgumentParser":
    _Parser = _parser_class()
    parser = _Parser(prog="dhard", description="Lint, fix and harden Dockerfiles.")
    parser.add_argument("--version", action="version", version=f"dhard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:
            _module(module).add_arguments(command)
    return parser


def _module(name: str):
    """A command's module (``__import__``, as ``rules.load``: importlib would bring ``warnings`` along)."""
    module = f"{__name__}.{name}"
    __import__(module)
    return sys.modules[module]


class Namespace:
    """What ``_quick`` reads arguments into: attributes, as argparse's Namespace."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"Namespace({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def _quick(argv: list[str]):
    """``dhard check``'s arguments read without argparse, or None when argparse must read them.

    Only spellings whose meaning is plain: the exact option names of
    ``check.QUICK_OPTIONS``, a value as the next argument (not starting with
    ``-``, or just ``-``) or after ``=``, a choice among the allowed ones, and the
    paths in one run (argparse refuses paths on both sides of an option).
    """
    if not argv or argv[0] != "check":
        return None
    from .check import QUICK_OPTIONS as spec

    flags, values, appended = spec["flags"], spec["values"], spec["append"]
    out: dict = {"command": "check"}
    out.update((dest, False) for dest in flags.values())
    out.update((dest, spec["defaults"].get(dest)) for dest, _choices in values.values())
    out.update((dest, None) for dest in appended.values())
    paths: list[str] = []
    runs = 0  # runs of paths seen
    previous_was_path = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            if not previous_was_path:
                runs += 1
            previous_was_path = True
            paths.append(arg)
            continue
        previous_was_path = False
        option, equals, value = arg.partition("=")
        if option in flags and not equals:
            out[flags[option]] = True
            continue
        if option not in values and option not in appended:
            return None  # help, an abbreviation, --, a negative number, a mistake: argparse's to judge
        if not equals:
            if i >= len(argv):
                return None
            value = argv[i]
            i += 1
            if value.startswith("-") and value != "-":
                return None
        if option in values:
            dest, choices = values[option]
            if choices is not None and value not in choices:
                return None
            out[dest] = value
        else:
            dest = appended[option]
            out[dest] = (out[dest] or []) + [value]
    if runs > 1:
        return None
    positional, default = spec["positional"]
    out[positional] = paths or list(default)
    return Namespace(**out)


GC_THRESHOLD = 20_000  # allocations between young-generation collections while a command runs (default 700)


def main(argv: list[str] | None = None) -> int:
    import gc

    # Start-up allocates tens of thousands of long-lived objects (modules, functions, the image data):
    # at the default threshold (700) the collector runs about 18 times on a small file's check, ~4 ms of it.
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    finally:
        gc.set_threshold(*threshold)


# Commands after which ``console`` may end the process without the interpreter's teardown.
QUICK_EXIT = ("check", "fix")
_ran: list[str] = []  # the command the last main() ran


def console() -> int:
    """The ``dhard`` program (console script and ``python -m hardener``): ``main()``, then the exit.

    dhard's modules are imported from the byte-code bundle of ``cli/bundle.py`` while it is up to date,
    and ``check`` and ``fix`` bring it up to date when it is not.

    After ``check`` and ``fix`` the process ends with ``os._exit`` once the output
    is flushed and the atexit handlers have run: tearing down the interpreter
    (every module and object freed one by one) is about 7 ms of a small file's
    check and changes nothing anyone can see. When a flush fails (a closed pipe)
    or a thread is still running, the usual exit does what it always did.
    """
    import gc

    # The process ends after the command: main() keeps this threshold instead of going back to the
    # default, which would make the next allocation collect everything the command left (~4 ms).
    gc.set_threshold(max(gc.get_threshold()[0], GC_THRESHOLD), *gc.get_threshold()[1:])
    from .bundle import Bundle

    bundle = Bundle().install()
    code = main()
    if not (_ran and _ran[-1] in QUICK_EXIT):
        return code
    bundle.update()
    if not isinstance(code, int):
        return code
    import os

    threading = sys.modules.get("threading")
    run_exitfuncs = getattr(__import__("atexit"), "_run_exitfuncs", None)
    if run_exitfuncs is None or (threading is not None and threading.active_count() > 1):
        return code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the usual exit reports it, as always
        return code
    run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001
        return code
    os._exit(code)


def _main(argv: list[str]) -> int:
    args = _quick(argv)
    if args is None:
        args = _parse(argv)
        if args is None:
            return 2
    _ran[:] = [args.command]
    try:
        return _module(COMMANDS[args.command][0]).run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _parse(argv: list[str]):
    """The arguments as argparse reads them (None: no command was given; the help is printed)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return None
    return args
