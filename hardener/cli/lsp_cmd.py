"""``dhard lsp``: the language server, on stdio.

pygls and lsprotocol are dependencies of dhard (a plain ``pip install dhard``
brings them), but they are imported here and only here, so no other command
pays for them.
"""

from __future__ import annotations

import logging
import sys

from .common import EXIT_CLEAN, EXIT_ERROR, error


def add_arguments(parser) -> None:
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default and only transport)")
    parser.add_argument("--debounce", type=int, metavar="MS", help="wait this long after an edit before re-linting (default 150; 0: at once)")
    parser.add_argument("--log-file", metavar="FILE", help="append the server's log here (default: stderr)")
    parser.add_argument("--log-level", choices=("error", "warning", "info", "debug"), default="warning")


def run(args) -> int:
    if args.debounce is not None and args.debounce < 0:
        error("--debounce must be 0 or more milliseconds")
        return EXIT_ERROR
    try:
        from ..lsp.server import create_server
    except ImportError as exc:
        error(f"the language server cannot import pygls/lsprotocol, which dhard depends on; reinstall dhard (pip install --force-reinstall dhard) ({exc})")
        return EXIT_ERROR
    handler: logging.Handler
    if args.log_file:
        handler = logging.FileHandler(args.log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(getattr(logging, args.log_level.upper()))
    # stdout carries the protocol: anything else printed there would corrupt it
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    server = create_server(debounce_ms=args.debounce)
    server.start_io(sys.stdin.buffer, out)
    return EXIT_CLEAN
