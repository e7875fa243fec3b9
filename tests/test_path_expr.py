"""analysis.path_expr: the path a write names, worked out from the source text, or None."""

from __future__ import annotations

import pytest

from hardener.analysis.path_expr import bindings, evaluate

SOURCE = '''
UPLOADS = os.path.join(os.getcwd(), "uploads")
const stateDir = "/var/lib/svc"
dataDir := filepath.Join(stateDir, "data")
const base = path.join(process.cwd(), "files");
twice = "a"
twice = "b"
'''
ENV = {"DB_PATH": "/srv/db.sqlite"}


@pytest.mark.parametrize("expr, path", [
    ('"notes.db"', "notes.db"),
    ("os.path.join(UPLOADS, 'boot.txt')", "./uploads/boot.txt"),
    ('stateDir + "/started.txt"', "/var/lib/svc/started.txt"),
    ('filepath.Join(dataDir, "x")', "/var/lib/svc/data/x"),
    ('path.join(base, "up.bin")', "./files/up.bin"),
    ('os.environ.get("DB_PATH", "local.db")', "/srv/db.sqlite"),
    ('os.getenv("MISSING", "local.db")', "local.db"),
    ("process.env.MISSING || 'out.log'", "out.log"),
    ('Path("data") / "state.json"', "data/state.json"),
    ('Paths.get("logs", "app.log")', "logs/app.log"),
])
def test_plain_data_is_worked_out(expr, path):
    assert evaluate(expr, bindings(SOURCE), ENV.get) == path


@pytest.mark.parametrize("expr", [
    'os.Getenv("MISSING")',  # no default, not set by the image
    "twice",  # bound twice: which one is not known
    'f"{name}.txt"',
    "tempfile.mkdtemp()",
    "Path(__file__).parent / 'x'",
    "unknown_name",
])
def test_anything_else_is_not_guessed(expr):
    assert evaluate(expr, bindings(SOURCE), ENV.get) is None
