"""The value of a path expression in an app's source, where it can be worked out from the text alone.

A write's path is rarely a bare literal: ``os.path.join(UPLOADS, "boot.txt")``,
``filepath.Join(stateDir, "x")``, ``path.join(process.cwd(), "data")``,
``os.environ.get("DB", "app.db")``. This reads the few forms that are plain
data — literals, names the same file binds once to such an expression, the
joins and ``+`` of them, the working directory, environment variables (what
the image sets, else the default the code gives) — and answers None for
anything else, so that a write nobody can place is reported as unknown
instead of guessed.
"""

from __future__ import annotations

import posixpath

from ..syntax.lazyre import DOTALL, MULTILINE, compile_lazily

CWD = "."  # the working directory: relative paths resolve against the WORKDIR

_LITERAL = compile_lazily(r"""^(?:[rbRB]{0,2})?(['"`])(?P<text>[^'"`\\$]*)\1$""")
_NAME = compile_lazily(r"^[A-Za-z_]\w*$")
_ASSIGN = compile_lazily(r"^[ \t]*(?:(?:const|let|var|final|static|private|public)\s+)*(?:[\w.<>]+\s+)?"
                         r"(?P<name>[A-Za-z_]\w*)\s*(?::=|=)(?!=)\s*(?P<expr>[^\n;]+?)\s*;?[ \t]*$", MULTILINE)
_CWD_CALLS = frozenset(("os.getcwd()", "process.cwd()", "Path.cwd()", "pathlib.Path.cwd()", "Paths.get(\"\")",
                        "Path(\".\")"))
_JOIN = compile_lazily(r"^(?:os\.path\.join|os\.path\.abspath|path\.join|path\.resolve|filepath\.Join|filepath\.Abs|"
                       r"path\.Join|Paths\.get|Path\.of|Path|pathlib\.Path|PathBuf::from|Path::new|new\s+File)\((?P<args>.*)\)$",
                       DOTALL)
_ENV = compile_lazily(r"^(?:os\.(?:getenv|environ\.get|Getenv)\(|os\.environ\[|process\.env\.|process\.env\[|"
                      r"(?:std::)?env::var\(|System\.getenv\()\s*['\"`]?(?P<name>[A-Za-z_]\w*)['\"`]?\s*\]?"
                      r"(?:\s*,\s*(?P<default>[^()]+?))?\s*\)?$")
_JS_DEFAULT = compile_lazily(r"^(?P<env>process\.env(?:\.\w+|\[[^\]]+\]))\s*(?:\|\||\?\?)\s*(?P<default>.+)$")


def bindings(text: str) -> dict[str, str]:
    """Names the source binds exactly once (``X = expr``, ``const x = expr``, ``x := expr``) -> expr."""
    seen: dict[str, list[str]] = {}
    for m in _ASSIGN.finditer(text):
        seen.setdefault(m.group("name"), []).append(m.group("expr"))
    return {name: exprs[0] for name, exprs in seen.items() if len(exprs) == 1}


def evaluate(expr: str, names: dict[str, str], env, depth: int = 0) -> str | None:
    """The path ``expr`` denotes (relative to the working directory when it does not start with /), or None.

    ``env(name)`` is the value the image gives an environment variable (None: it sets none)."""
    expr = expr.strip()
    if depth > 12 or not expr:
        return None
    if expr.endswith(".resolve()") or expr.endswith(".absolute()"):
        expr = expr.rsplit(".", 1)[0]
    lit = _LITERAL.match(expr)
    if lit:
        return lit.group("text")
    if expr in _CWD_CALLS:
        return CWD
    if _NAME.match(expr):
        return evaluate(names[expr], names, env, depth + 1) if expr in names else None
    js = _JS_DEFAULT.match(expr)
    if js:
        value = evaluate(js.group("env"), names, env, depth + 1)
        return value if value else evaluate(js.group("default"), names, env, depth + 1)
    m = _ENV.match(expr)
    if m:
        value = env(m.group("name"))
        if value:
            return value
        return evaluate(m.group("default"), names, env, depth + 1) if m.group("default") else None
    m = _JOIN.match(expr)
    if m and _balanced(m.group("args")):
        parts = [evaluate(a, names, env, depth + 1) for a in split_top(m.group("args"), ",")]
        if not parts or any(p is None for p in parts):
            return None
        return posixpath.join(*parts)
    for operator in ("+", "/"):
        pieces = split_top(expr, operator)
        if len(pieces) > 1:
            parts = [evaluate(p, names, env, depth + 1) for p in pieces]
            if any(p is None for p in parts):
                return None
            return "".join(parts) if operator == "+" else posixpath.join(*parts)
    return None


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside quotes and brackets."""
    out, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [piece for piece in out if piece.strip()] if separator == "," else out


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")")
