"""The build state in effect before each instruction: ARG/ENV values, SHELL, USER, WORKDIR."""

from __future__ import annotations

import posixpath

from ..syntax.expand import expand, parse_arg_pairs, parse_env_pairs
from ..record import dataclass

DEFAULT_SHELL = ("/bin/sh", "-c")

# WORKDIR that official images set (what a relative path resolves against before any WORKDIR).
IMAGE_WORKDIRS = {"golang": "/go"}


class Vars:
    """ARG/ENV values in scope: a read-only mapping that shares structure with the one before.

    Every instruction has its state, so a plain dict copied per ARG/ENV made a file of n ENVs
    cost n^2 (5,000 ENV lines took a GB). This is a fixed-depth hash trie: an update copies
    one path (``_DEPTH`` nodes of ``_FAN`` slots and one small leaf dict), a lookup walks it.
    """

    __slots__ = ("_root", "_len")
    _FAN, _BITS, _DEPTH = 16, 4, 4

    def __init__(self, items=()):
        self._root = None
        self._len = 0
        if items:
            self._root, self._len = Vars._set(None, 0, dict(items))

    def with_values(self, updates: dict) -> "Vars":
        new = Vars()
        new._root, new._len = Vars._set(self._root, self._len, updates)
        return new

    @staticmethod
    def _set(root, length: int, updates: dict):
        for key, value in updates.items():
            h = hash(key)
            path = []
            node = root
            for level in range(Vars._DEPTH):
                path.append(node)
                node = node[(h >> (Vars._BITS * level)) & (Vars._FAN - 1)] if node is not None else None
            leaf = dict(node) if node is not None else {}
            if key not in leaf:
                length += 1
            leaf[key] = value
            child = leaf
            for level in range(Vars._DEPTH - 1, -1, -1):
                slots = list(path[level]) if path[level] is not None else [None] * Vars._FAN
                slots[(h >> (Vars._BITS * level)) & (Vars._FAN - 1)] = child
                child = tuple(slots)
            root = child
        return root, length

    def _leaf(self, key):
        h = hash(key)
        node = self._root
        for level in range(Vars._DEPTH):
            if node is None:
                return None
            node = node[(h >> (Vars._BITS * level)) & (Vars._FAN - 1)]
        return node

    def __contains__(self, key) -> bool:
        leaf = self._leaf(key)
        return leaf is not None and key in leaf

    def __getitem__(self, key):
        leaf = self._leaf(key)
        if leaf is None or key not in leaf:
            raise KeyError(key)
        return leaf[key]

    def get(self, key, default=None):
        leaf = self._leaf(key)
        return leaf.get(key, default) if leaf is not None else default

    def __len__(self) -> int:
        return self._len

    def __iter__(self):
        stack = [(self._root, 0)] if self._root is not None else []
        while stack:
            node, level = stack.pop()
            if level == Vars._DEPTH:
                yield from node
            else:
                stack.extend((child, level + 1) for child in reversed(node) if child is not None)

    def keys(self):
        return list(self)

    def items(self):
        return [(key, self[key]) for key in self]

    def values(self):
        return [self[key] for key in self]

    def __eq__(self, other) -> bool:
        if isinstance(other, (Vars, dict)):
            return len(self) == len(other) and all(k in other and other[k] == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a dict

    def __repr__(self) -> str:
        return f"Vars({dict(self.items())!r})"


class _Lookup:
    """What ``expand`` asks of a scope (``in``, ``get``), over several mappings, first wins."""

    __slots__ = ("maps",)

    def __init__(self, *maps):
        self.maps = maps

    def __contains__(self, key) -> bool:
        return any(key in m for m in self.maps)

    def get(self, key, default=None):
        for m in self.maps:
            if key in m:
                return m[key]
        return default


@dataclass(frozen=True)
class State:
    """Build state in effect before an instruction runs."""

    vars: Vars  # ARG and ENV values in scope (None: declared, value unknown); a read-only mapping
    env: Vars  # the names set by ENV (they reach the running container): ask ``name in env``
    shell: tuple[str, ...]
    user: str | None  # last USER as written (None: inherited from the base image)
    workdir: str = "/"  # absolute; an unresolvable WORKDIR leaves the one before it


def initial(repository: str) -> State:
    return State(Vars(), Vars(), DEFAULT_SHELL, None, IMAGE_WORKDIRS.get(repository, "/"))


def normalize(path: str) -> str:
    out = posixpath.normpath(path)
    return "/" + out.lstrip("/") if out.startswith("/") else out


def unquoted(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def advance(state: State, ins, global_vars: dict) -> State:
    """The state after ``ins``."""
    name = ins.name
    if name == "ARG":
        updates: dict = {}
        scope = _Lookup(updates, state.vars, global_vars)
        for key, value in parse_arg_pairs(ins.args):
            if value is not None:
                value = expand(value, scope)[0]  # type: ignore[arg-type]
            elif key in updates or key in state.vars:
                value = scope.get(key)
            else:
                value = global_vars.get(key)
            updates[key] = value
        return State(state.vars.with_values(updates), state.env, state.shell, state.user, state.workdir)
    if name == "ENV":
        updates = {}
        scope = _Lookup(updates, state.vars)
        try:
            pairs = parse_env_pairs(ins.args)
        except Exception:  # noqa: BLE001 - a malformed ENV changes nothing we can know
            pairs = []
        for key, value in pairs:
            updates[key] = expand(value, scope)[0]  # type: ignore[arg-type]
        env = state.env.with_values(dict.fromkeys(updates, True)) if updates else state.env
        return State(state.vars.with_values(updates), env, state.shell, state.user, state.workdir)
    if name == "SHELL" and ins.json and ins.argv:
        return State(state.vars, state.env, tuple(ins.argv), state.user, state.workdir)
    if name == "USER":
        return State(state.vars, state.env, state.shell, ins.args or None, state.workdir)
    if name == "WORKDIR":
        value = expand(unquoted(ins.args), state.vars)[0]
        if value is None:
            return state
        workdir = normalize(value if value.startswith("/") else posixpath.join(state.workdir, value))
        return State(state.vars, state.env, state.shell, state.user, workdir)
    return state
