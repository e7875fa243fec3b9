"""Where the app writes at run time, read from its sources (Python and JavaScript), roughly.

The original ran as root and could write anywhere; the rewrite runs as 65532,
so a directory the app writes into must be given to that uid (``COPY
--chown``). This is a textual scan, not a proof: it looks for file writes
(``open(..., "w")``, ``sqlite3.connect``, ``Path.write_text``,
``fs.writeFileSync``, ``createWriteStream`` ...) and reports the path when it is
a literal, or None when it is computed (then the app's own directory is the
best guess). Writes under /tmp need nothing: every target has a /tmp anyone can
write to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PY = [
    re.compile(r"""\bopen\(\s*(?P<arg>[^,()]+?)\s*,\s*(?:mode\s*=\s*)?(?P<q>['"])(?P<mode>[^'"]*)(?P=q)"""),
    re.compile(r"""\bsqlite3\.connect\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\b(?:Path|pathlib\.Path)\(\s*(?P<arg>[^()]+?)\s*\)\.(?:write_text|write_bytes|touch|mkdir|open\(\s*['"][wax])"""),
    re.compile(r"""\blogging\.FileHandler\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bbasicConfig\([^)]*\bfilename\s*=\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bos\.(?:makedirs|mkdir)\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bcreate_engine\(\s*['"]sqlite:///(?P<lit>[^'"]+)['"]"""),
]
_JS = [
    re.compile(r"""(?:\bfs|\bfsp|\))(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync)\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bnew\s+(?:sqlite3\.)?Database\(\s*(?P<arg>[^,()]+)"""),
]
_LITERAL = re.compile(r"""^(?:[rbfRBF]{0,2})?(['"`])(?P<text>[^'"`$]*)\1$""")


@dataclass(frozen=True)
class Write:
    file: str  # context-relative source file
    line: int
    path: str | None  # the literal path written (None: computed)
    text: str  # the matched source text


def scan(context_dir: Path, files: list[str]) -> list[Write]:
    out: list[Write] = []
    for rel in files:
        if rel.endswith(".py"):
            patterns = _PY
        elif rel.endswith((".js", ".mjs", ".cjs", ".ts")) and "node_modules/" not in rel:
            patterns = _JS
        else:
            continue
        try:
            text = (context_dir / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if len(text) > 1_000_000:
            continue
        for n, line in enumerate(text.splitlines(), start=1):
            stripped = line.lstrip()
            if stripped.startswith(("#", "//", "*")):
                continue
            for pattern in patterns:
                for m in pattern.finditer(line):
                    groups = m.groupdict()
                    mode = groups.get("mode")
                    if mode is not None and not re.search(r"[wax+]", mode):
                        continue
                    if groups.get("lit") is not None:
                        path = groups["lit"]
                    else:
                        arg = (groups.get("arg") or "").strip()
                        lit = _LITERAL.match(arg)
                        path = lit.group("text") if lit else None
                    if path in (":memory:", "/dev/null", "/dev/stdout", "/dev/stderr", "-"):
                        continue
                    out.append(Write(rel, n, path, m.group(0).strip()))
    return out
