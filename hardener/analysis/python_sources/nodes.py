"""Small readers of libcst nodes, and the one walk that collects a file's imports, assignments and calls."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import libcst as cst

__all__ = [
    "Call", "Collector", "MODULE_ALIASES", "dotted", "import_name", "string", "integer", "kwarg",
    "positional", "literal_bool", "string_prefix", "code",
]

# module aliases that are the same module for our purpose
MODULE_ALIASES = {"posix": "os", "nt": "os", "subprocess32": "subprocess"}


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a name or an attribute chain, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def import_name(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{import_name(node.value)}.{node.attr.value}"
    return ""


def string(node: cst.BaseExpression | None) -> str | None:
    """The value of a literal string expression, or None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd literals are just "not a literal"
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        return value if isinstance(value, str) else None
    return None


def integer(node: cst.BaseExpression | None) -> int | None:
    """The value of a literal integer, or of a string literal of digits ("80"), or None."""
    if isinstance(node, cst.Integer):
        try:
            return int(node.evaluated_value)
        except (TypeError, ValueError):
            return None
    text = string(node)
    if text is not None and text.strip().isdigit():
        return int(text.strip())
    return None


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            break
        out.append(arg)
    return out


def literal_bool(node: cst.BaseExpression) -> bool | None:
    """True/False for a literal truth value (True, False, None, 0, 1), None when not a literal."""
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return integer(node) != 0
    return None


def string_prefix(node: cst.BaseExpression | None) -> str | None:
    """The literal text an f-string starts with (f"curl {url}" -> "curl "), else the literal."""
    text = string(node)
    if text is not None:
        return text
    if isinstance(node, cst.FormattedString) and node.parts and isinstance(node.parts[0], cst.FormattedStringText):
        head = node.parts[0].value
        return head if re.match(r"^\s*\S+\s", head) else None
    return None


def code(node: cst.CSTNode) -> str:
    """The source of a node on one line, cut to 40 characters, for messages."""
    try:
        text = cst.Module(body=()).code_for_node(node)
    except Exception:  # noqa: BLE001
        return "<expr>"
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


# -- the per-file collector ---------------------------------------------------------


@dataclass
class Call:
    node: cst.Call
    dotted: str | None  # e.g. "sp.run", "os.system", "app.run"
    method: str | None  # last attribute / name


_SKIP_FIELDS = (
    "whitespace", "lpar", "rpar", "comma", "semicolon", "header", "footer", "leading_lines", "lines_after",
    "equal", "colon", "dot", "operator", "lbracket", "rbracket", "lbrace", "rbrace", "asynchronous",
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind) if not f.name.startswith(_SKIP_FIELDS))
        _FIELDS[kind] = names
    return names


class Collector:
    """One walk over the tree: imports, simple aliases/constants, and every call.

    It reads the dataclass fields directly instead of using ``CSTVisitor``,
    which rebuilds every node on the way and costs 10-15x more; whitespace and
    punctuation fields, which hold no code, are not entered.
    """

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}  # local name -> the dotted name it was imported as
        self.star: set[str] = set()  # modules imported with "from m import *"
        self.assigns: list[tuple[str, cst.BaseExpression]] = []
        self.calls: list[Call] = []

    def walk(self, root: cst.CSTNode) -> None:
        stack: list[cst.CSTNode] = [root]
        node_type = cst.CSTNode
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            kind = type(node)
            if kind is cst.Call:
                self.visit_Call(node)
            elif kind is cst.Import:
                self.visit_Import(node)
            elif kind is cst.ImportFrom:
                self.visit_ImportFrom(node)
            elif kind is cst.Assign:
                self.visit_Assign(node)
            elif kind is cst.AnnAssign:
                self.visit_AnnAssign(node)
            children = []
            for name in _fields(kind):
                value = getattr(node, name)
                if isinstance(value, node_type):
                    children.append(value)
                elif isinstance(value, (tuple, list)):
                    children.extend(v for v in value if isinstance(v, node_type))
            # reversed, so that the stack pops them in source order
            for child in reversed(children):
                push(child)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = import_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bindings[alias.asname.name.value] = full
            else:
                root = full.split(".", 1)[0]
                self.bindings.setdefault(root, root)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = import_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star.add(MODULE_ALIASES.get(module, module))
            return
        for alias in node.names:
            name = import_name(alias.name)
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.bindings[bound] = f"{module}.{name}"

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assigns.append((node.targets[0].target.value, node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.assigns.append((node.target.value, node.value))

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        method = None
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
        elif isinstance(node.func, cst.Name):
            method = node.func.value
        self.calls.append(Call(node, name, method))
