"""``rules.INSPECTS``: which rules ``lint`` may leave unimported for a file, kept equal to the rules' sources.

A rule is listed only when its ``check(ctx)`` is nothing but ``for`` loops (no
``else``) over instructions of given keywords: ``ctx.build.instructions(...)``,
or the RUN helpers ``shellscan.shipped_runs`` and ``packages.shipped``. With no
such instruction in the file, every loop runs zero times and the rule cannot
report. The index is generated here from the sources and must equal the stored
one; a second test lints every fixture and corpus file both ways.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import pytest
from conftest import HAVE_CORPUS, real_files

from hardener import rules
from hardener.config import Config
from hardener.lint import lint
from hardener.parse import parse
from hardener.source import SourceError, SourceFile

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "hardener" / "rules"

# helper -> (module it must come from, the keywords it iterates over)
HELPERS = {"shipped_runs": ("shellscan", frozenset({"RUN"})), "shipped": ("packages", frozenset({"RUN"}))}


def _imported_from(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


def _is_ctx(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "ctx"


def _loop_keywords(node: ast.AST, imported: dict[str, str]) -> frozenset[str] | None:
    """The keywords a loop's iterable yields instructions of, or None when it is not one of the known forms."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr == "instructions" and isinstance(func.value, ast.Attribute)
            and func.value.attr == "build" and _is_ctx(func.value.value)):
        if node.args and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
            return frozenset(a.value for a in node.args)
        return None
    if isinstance(func, ast.Name) and func.id in HELPERS and len(node.args) == 1 and _is_ctx(node.args[0]):
        module, keywords = HELPERS[func.id]
        return keywords if imported.get(func.id) == module else None
    return None


def derive(source: str) -> frozenset[str] | None:
    """What a rule module's ``check`` inspects, when it can report nothing without those instructions."""
    tree = ast.parse(source)
    imported = _imported_from(tree)
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1 or any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "check" for t in n.targets)
                               for n in tree.body):
        return None
    body = checks[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    found: set[str] = set()
    for statement in body:
        if not isinstance(statement, ast.For) or statement.orelse:
            return None
        keywords = _loop_keywords(statement.iter, imported)
        if keywords is None:
            return None
        found |= keywords
    return frozenset(found) if body else None


def generated_index() -> dict[str, frozenset[str]]:
    out = {}
    for module in rules._MODULES:
        keywords = derive((RULES_DIR / f"{module}.py").read_text(encoding="utf-8"))
        if keywords is not None:
            out[module] = keywords
    return out


def test_the_stored_index_is_the_one_the_sources_give():
    expected = generated_index()
    shown = "".join(f'    "{m}": frozenset({sorted(k)!r}),\n'.replace("[", "{").replace("]", "}")
                    for m, k in sorted(expected.items()))
    assert rules.INSPECTS == expected, f"update INSPECTS in hardener/rules/__init__.py to:\n{shown}"


def test_the_helpers_iterate_over_runs():
    from hardener.rules import packages, shellscan

    assert 'ctx.build.instructions("RUN", shipped=True)' in inspect.getsource(shellscan.shipped_runs)
    assert "ctx.build.runs(shipped=True)" in inspect.getsource(packages.shipped)
    from hardener.semantic.build import Build

    assert 'self.instructions("RUN", shipped=shipped)' in inspect.getsource(Build.runs)


def test_the_derivation_refuses_what_it_cannot_vouch_for():
    loop = 'def check(ctx):\n    for ins in ctx.build.instructions("ADD"):\n        yield ins\n'
    assert derive(loop) == frozenset({"ADD"})
    assert derive(loop.replace('"ADD"', '"ADD", "COPY"')) == frozenset({"ADD", "COPY"})
    assert derive('def check(ctx):\n    if ctx.df.final_stage:\n        yield 1\n') is None
    assert derive(loop + "    yield 2\n") is None  # a finding outside the loop
    assert derive(loop + "    else:\n        yield 2\n") is None  # for/else runs with no instruction too
    assert derive(loop.replace('"ADD"', "NAME")) is None
    assert derive("from .shellscan import shipped_runs\n" + loop.replace('ctx.build.instructions("ADD")',
                                                                         "shipped_runs(ctx)")) == frozenset({"RUN"})
    assert derive(loop.replace('ctx.build.instructions("ADD")', "shipped_runs(ctx)")) is None  # not the helper


def test_every_registry_entry_names_its_code():
    for module in rules._MODULES:
        assert rules.load(module).CODE == rules.code_of(module)


def _files() -> list[Path]:
    fixtures = sorted(ROOT.glob("fixtures/**/*.Dockerfile"))
    return fixtures + (real_files() if HAVE_CORPUS else [])


def test_lint_finds_the_same_with_and_without_the_index(monkeypatch):
    files = _files()
    assert len(files) > 50
    config = Config()
    skipped = 0
    for path in files:
        try:
            df = parse(SourceFile.read(str(path)))
        except SourceError:
            continue
        with_index = lint(df, config)
        with monkeypatch.context() as m:
            m.setattr(rules, "INSPECTS", {})
            without = lint(df, config)
        assert with_index == without, path
        present = {i.name for i in df.instructions} | {i.sub.name for i in df.instructions if i.sub is not None}
        skipped += sum(1 for k in rules.INSPECTS.values() if present.isdisjoint(k))
    assert skipped > 0  # the index is used at all


def test_a_file_without_the_instructions_does_not_import_the_rule():
    code = (
        "import sys\n"
        "from hardener.lint import lint\nfrom hardener.parse import parse\n"
        "lint(parse('FROM debian:12\\nCMD [\"app\"]\\n'))\n"
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('hardener.rules.dh')))\n"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(ast.literal_eval(out))
    assert "dh101_root_user" in loaded and "dh205_shell_wrapper_entrypoint" in loaded
    assert not loaded & {"dh102_sudo", "dh301_apt_lists_left", "dh501_add_url_without_checksum", "dh502_secret_in_arg_or_env"}


@pytest.mark.parametrize("selected", [("DH501",), ("DH1", "DH2")])
def test_a_disabled_rule_is_not_imported(selected):
    import subprocess

    code = (
        "import sys\n"
        "from hardener.config import Config\nfrom hardener.lint import lint\nfrom hardener.parse import parse\n"
        f"lint(parse('FROM debian:12\\nADD https://x/y /y\\nRUN sudo x\\n'), Config().with_overrides(select={selected!r}))\n"
        "print(sorted(m.rsplit('.', 1)[1].split('_')[0].upper() for m in sys.modules if m.startswith('hardener.rules.dh')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = ast.literal_eval(out)
    assert loaded and all(c.startswith(selected) for c in loaded)
