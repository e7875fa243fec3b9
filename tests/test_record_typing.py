"""hardener.record: dataclasses to type checkers, nothing of typing/dataclasses at run time.

The snippet below uses records the way dhard does. Lines that end in
``# error`` must be reported, every other line must not: so the tests fail both
when the checker stops seeing the records as dataclasses (errors on good lines,
or the wrong calls pass unnoticed) and when a good use regresses.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

GOOD = """\
from hardener.findings import Applicability, Edit, Finding, Fix, Severity
from hardener.record import dataclass, field, fields, replace


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = field(default="", compare=False, repr=False)


@dataclass
class Box:
    points: tuple[Point, ...]
    label: str | None = None


a = Point(1, 2)
b = Point(x=1, y=2, tags=["t"], note="n")
c = Point(3)
d = replace(a, y=5)
box = Box((a, b))
box.label = "moved"
total: int = a.x + d.y + len(c.tags)
names = [f.name for f in fields(a)]
edit = Edit(0, 4, "USER app")
finding = Finding("DH101", "root-user", Severity.ERROR, "runs as root", 0, 4)
fixed = Finding(
    "DH301", "apt-lists-left", Severity.WARNING, "m", 0, 4, fix=Fix("rm lists", Applicability.SAFE, (edit,)), line=3
)
moved: Finding = replace(finding, line=3)
extra: dict = finding.extra
"""

BAD = """\
Point("1")  # error: wrong type
Point()  # error: missing argument
Point(1, z=2)  # error: unknown keyword
a.x = 2  # error: frozen
Finding("DH101", "root-user")  # error: missing arguments
Finding("DH101", "root-user", "error", "m", 0, 4)  # error: a str is not a Severity
finding.line = 4  # error: Finding is frozen
ints: list[int] = c.tags  # error: field(default_factory=list) keeps list[str]
"""


def expected_error_lines(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if "  # error" in line}


@pytest.fixture
def snippet(tmp_path):
    path = tmp_path / "uses_records.py"
    path.write_text(GOOD + "\n" + BAD)
    return path


def test_good_part_runs(tmp_path):
    """The snippet's correct uses are correct at run time too, on the stand-in."""
    proc = subprocess.run([sys.executable, "-c", GOOD], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_mypy_sees_dataclasses(snippet, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--follow-imports=silent",  # check the snippet, not the rest of hardener
            "--no-error-summary",
            "--show-error-codes",
            "--no-color-output",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            snippet.name,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT)},  # the editable install is an import hook mypy cannot follow
        timeout=300,
    )
    assert "No module named mypy" not in proc.stderr, "install the test extra: pip install -e '.[test]'"
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert all(line.startswith(f"{snippet.name}:") for line in errors), proc.stdout  # none from hardener itself
    lines = {int(line.split(":", 2)[1]) for line in errors}
    assert lines == expected_error_lines(snippet.read_text()), proc.stdout + proc.stderr


def _pyright_script():
    spec = importlib.util.find_spec("pyright")
    if spec is None or not spec.origin:
        return None
    script = os.path.join(os.path.dirname(spec.origin), "dist", "index.js")
    return script if os.path.isfile(script) else None


def test_pyright_sees_dataclasses(snippet, tmp_path):
    """What VS Code (Pylance) shows. Run with the machine's node: the pip wrapper would download one."""
    script, node = _pyright_script(), shutil.which("node")
    if script is None or node is None:
        pytest.skip("needs the pyright package (test extra) and node on PATH")
    (tmp_path / "pyrightconfig.json").write_text(
        json.dumps({"include": [snippet.name], "extraPaths": [str(ROOT)], "typeCheckingMode": "standard"})
    )
    proc = subprocess.run(
        [node, script, "--outputjson", "-p", str(tmp_path / "pyrightconfig.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert all(os.path.samefile(d["file"], snippet) for d in errors), errors
    lines = {d["range"]["start"]["line"] + 1 for d in errors}
    assert lines == expected_error_lines(snippet.read_text()), json.dumps(errors, indent=1)


def test_records_import_neither_typing_nor_dataclasses():
    code = (
        "import sys\n"
        "before = {m for m in ('typing', 'dataclasses') if m in sys.modules}\n"
        "import hardener.record, hardener.findings\n"
        "print(sorted(before), sorted(m for m in ('typing', 'dataclasses', 'inspect') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[]", "[]"], f"imported at run time (before, after): {proc.stdout}"
