"""The quick reader of `dhard check`'s arguments gives what argparse gives, or leaves it to argparse."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys

import pytest

from hardener import cli
from hardener.cli import check


_PARSERS: dict = {}


def _argparse(argv: list[str]):
    """argparse's reading, or the exit code when it refuses."""
    parser = _PARSERS.get(argv[0]) or _PARSERS.setdefault(argv[0], cli.build_parser(only=argv[0]))
    try:
        return vars(parser.parse_args(argv))
    except SystemExit as exc:
        return exc.code


def _quick(argv: list[str]):
    args = cli._quick(argv)
    return None if args is None else vars(args)


PIECES = [
    [], ["Dockerfile"], ["a", "b"], ["-"], [""], ["--exit-zero"], ["--show-fixes"], ["--format", "json"],
    ["--format=sarif"], ["--format", "yaml"], ["--format"], ["--format=", "x"], ["--select", "DH1,DH2"],
    ["--select=DH101"], ["--ignore", "DH4"], ["--ignore", "-"], ["--config", "c.yml"], ["--config=", "x"],
    ["--stdin-filename", "sub/Dockerfile"], ["--context", "ctx"], ["--context=ctx dir"], ["--context", "-x"],
    ["--exit-zero=1"], ["--exit"], ["-h"], ["--help"], ["--"], ["--version"], ["-1"], ["--bogus"],
    ["--config", "--exit-zero"], ["--select", "a b"], ["--format json"],
]


def _cases():
    for n in (1, 2, 3):
        for combo in itertools.product(PIECES, repeat=n):
            yield ["check", *itertools.chain.from_iterable(combo)]


def test_the_quick_reader_agrees_with_argparse(capsys):
    quick_taken = 0
    for argv in _cases():
        quick = _quick(argv)
        if quick is None:
            continue
        quick_taken += 1
        assert quick == _argparse(argv), argv
    capsys.readouterr()
    assert quick_taken > 1000  # the quick reader is used for the plain spellings


@pytest.mark.parametrize("argv", [
    ["check", "--exit-zero", "Dockerfile"], ["check", "a", "b", "--format", "json"], ["check"],
    ["check", "--select=DH1", "--select", "DH2", "-", "--stdin-filename", "x/Dockerfile"],
    ["check", "--context", "app", "x", "y"],
])
def test_plain_arguments_are_read_quickly(argv):
    assert _quick(argv) == _argparse(argv)


@pytest.mark.parametrize("argv", [
    ["check", "a", "--exit-zero", "b"],  # argparse: unrecognized arguments: b
    ["check", "--exit"], ["check", "--format", "yaml"], ["check", "--", "-x"], ["check", "-h"],
    ["check", "--select"], ["fix", "a"], ["--version"], [],
])
def test_anything_else_is_left_to_argparse(argv):
    assert cli._quick(argv) is None


def test_the_quick_options_are_the_parsers():
    parser = cli.build_parser(only="check")
    sub = next(a for a in parser._actions if a.dest == "command").choices["check"]
    spec = check.QUICK_OPTIONS
    options = {}
    for action in sub._actions:
        for name in action.option_strings:
            if name not in ("-h", "--help"):
                options[name] = action
    assert set(options) == set(spec["flags"]) | set(spec["values"]) | set(spec["append"])
    for name, dest in spec["flags"].items():
        assert (options[name].dest, options[name].nargs, options[name].const) == (dest, 0, True)
    for name, (dest, choices) in spec["values"].items():
        action = options[name]
        assert (action.dest, action.nargs, action.choices, action.default) == (dest, None, choices,
                                                                             spec["defaults"].get(dest))
        assert type(action).__name__ == "_StoreAction"
    for name, dest in spec["append"].items():
        assert (options[name].dest, type(options[name]).__name__, options[name].default) == (dest, "_AppendAction", None)
    [positional] = [a for a in sub._actions if not a.option_strings]
    assert (positional.dest, positional.nargs, tuple(positional.default)) == (spec["positional"][0], "*",
                                                                             spec["positional"][1])


def test_check_does_not_import_argparse_for_plain_arguments(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nUSER app\n")
    code = (
        "import sys\nfrom hardener.cli import main\n"
        "code = main(['check', '--exit-zero', sys.argv[1]])\n"
        "print(repr((code, 'argparse' in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "Dockerfile")], capture_output=True,
                         text=True, check=True).stdout
    assert ast.literal_eval(out.splitlines()[-1]) == (0, False)
    # a spelling the quick reader leaves alone still works, through argparse
    out = subprocess.run([sys.executable, "-c", code.replace("'--exit-zero'", "'--exit-z'"),
                          str(tmp_path / "Dockerfile")], capture_output=True, text=True, check=True).stdout
    assert ast.literal_eval(out.splitlines()[-1]) == (0, True)
