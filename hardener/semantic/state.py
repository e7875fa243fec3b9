"""The build state in effect before each instruction: ARG/ENV values, SHELL, USER, WORKDIR."""

from __future__ import annotations

import posixpath

from ..syntax.expand import expand, parse_arg_pairs, parse_env_pairs
from ..record import dataclass

DEFAULT_SHELL = ("/bin/sh", "-c")

# WORKDIR that official images set (what a relative path resolves against before any WORKDIR).
IMAGE_WORKDIRS = {"golang": "/go"}


@dataclass(frozen=True)
class State:
    """Build state in effect before an instruction runs."""

    vars: dict  # ARG and ENV values in scope (None: declared, value unknown)
    env: frozenset  # names set by ENV (they reach the running container)
    shell: tuple[str, ...]
    user: str | None  # last USER as written (None: inherited from the base image)
    workdir: str = "/"  # absolute; an unresolvable WORKDIR leaves the one before it


def initial(repository: str) -> State:
    return State({}, frozenset(), DEFAULT_SHELL, None, IMAGE_WORKDIRS.get(repository, "/"))


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
        new = dict(state.vars)
        for key, value in parse_arg_pairs(ins.args):
            if value is not None:
                value = expand(value, {**global_vars, **new})[0]
            elif key in new:
                value = new[key]
            else:
                value = global_vars.get(key)
            new[key] = value
        return State(new, state.env, state.shell, state.user, state.workdir)
    if name == "ENV":
        new = dict(state.vars)
        env = set(state.env)
        try:
            pairs = parse_env_pairs(ins.args)
        except Exception:  # noqa: BLE001 - a malformed ENV changes nothing we can know
            pairs = []
        for key, value in pairs:
            new[key] = expand(value, new)[0]
            env.add(key)
        return State(new, frozenset(env), state.shell, state.user, state.workdir)
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
