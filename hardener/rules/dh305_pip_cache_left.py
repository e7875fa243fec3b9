"""DH305 pip-cache-left: ``pip install`` that keeps its wheel cache in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import shipped, stage_chain

CODE = "DH305"
PIP_CACHE = "~/.cache/pip"
UV_CACHE = "~/.cache/uv"


def _env_set(ctx, ins, name: str) -> bool:
    """``name`` is in the RUN's environment: ENV (inherited through FROM <stage>) or an ARG of this stage."""
    state = ctx.build.state(ins)
    value = state.vars.get(name)
    if name in state.env:
        return value is None or value != ""
    if value:  # an ARG with a value: build args are in the environment of RUN
        return _arg_in_stage(ctx, ins, name)
    return False


def _arg_in_stage(ctx, ins, name: str) -> bool:
    stage = ctx.df.stage_of(ins)
    if stage is None:
        return False
    for other in stage.instructions:
        if other.index >= ins.index:
            break
        if other.name == "ARG" and any(w.split("=", 1)[0] == name for w in other.words):
            return True
    return False


def _exported(f, pkg, name: str) -> bool:
    """``export NAME=...`` before the command, or ``NAME=... pip install``."""
    prefix = name + "="
    if any(a.raw.startswith(prefix) for a in pkg.cmd.assignments):
        return True
    for p in f.pkgs:
        if p.family == "env" and (not f.known or p.position < pkg.position):
            if any((w.value or w.raw).startswith(prefix) for w in p.cmd.words[1:]):
                return True
    return False


def _config_disables(ctx, ins) -> bool:
    """An earlier RUN of the stage chain sets pip's no-cache-dir in its configuration."""
    def scan():
        hits = []
        for other in ctx.df.instructions:
            body = ctx.build.body(other)
            if body.name != "RUN" or "no-cache-dir" not in body.line + "".join(h.content for h in body.heredocs):
                continue
            text = body.line + "".join(h.content for h in body.heredocs)
            if "pip config" in text or "pip.conf" in text or "pip/pip.conf" in text:
                hits.append(other.index)
        return hits

    hits = ctx.build.memo(("dh305-config",), scan)
    if not hits:
        return False
    chain = stage_chain(ctx, ins)
    return any(i < ins.index and ctx.df.instructions[i].stage in chain for i in hits)


def cache_dir(ctx, ins, pkg, uv: bool) -> str | None:
    """Where this install caches; None when an option points it somewhere we cannot follow."""
    flag = pkg.value("--cache-dir")
    if flag is not None:
        return flag
    if pkg.has("--cache-dir"):
        return None
    name = "UV_CACHE_DIR" if uv else "PIP_CACHE_DIR"
    value = ctx.build.state(ins).vars.get(name)
    if value:
        return value
    return UV_CACHE if uv else PIP_CACHE


def leaves_cache(ctx, ins, f, pkg) -> bool:
    uv = pkg.family == "uv"
    if uv:
        if pkg.has("--no-cache", "-n") or _env_set(ctx, ins, "UV_NO_CACHE") or _exported(f, pkg, "UV_NO_CACHE"):
            return False
    else:
        if pkg.has("--no-cache-dir") or _env_set(ctx, ins, "PIP_NO_CACHE_DIR"):
            return False
        if _exported(f, pkg, "PIP_NO_CACHE_DIR") or _config_disables(ctx, ins):
            return False
    where = cache_dir(ctx, ins, pkg, uv)
    targets = tuple(t for t in (where, PIP_CACHE if not uv else UV_CACHE) if t)
    if f.mounted(*targets) or f.removed(targets, pkg.position):
        return False
    for p in f.after(pkg):
        if p.family in ("pip", "uv") and p.action == "cache":
            ops = p.operands()
            if ops and ops[0].value in ("purge", "clean", "prune"):
                return False
    if not f.known and (f.mentions(".cache/pip") or f.mentions("cache purge")):
        return False
    return True


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        installs = [p for p in f.pkgs if p.family in ("pip", "uv") and p.action == "install"]
        left = [p for p in installs if leaves_cache(ctx, ins, f, p)]
        if not left:
            continue
        fix = None
        redirected = any(p.has("--cache-dir") for p in left)
        if f.known and not redirected:
            edits = [
                runedit.insert_after(ctx, f.rt, p.sub, "--no-cache" if p.family == "uv" else "--no-cache-dir")
                for p in left
            ]
            if all(edits):
                fix = ctx.fix("Add --no-cache-dir after install", Applicability.SAFE, *edits)
        first = left[0]
        if first.family == "uv":
            message = "uv pip install keeps its cache in the layer; add --no-cache (or mount a cache on /root/.cache/uv)"
        else:
            message = (
                f"{_shown(first)} install keeps its wheel cache in the layer; add --no-cache-dir "
                "(or mount a cache on /root/.cache/pip)"
            )
        yield ctx.finding(CODE, ins, message, fix=fix)


def _shown(pkg) -> str:
    name = pkg.cmd.name or "pip"
    return "python -m pip" if name.startswith(("python", "pypy")) else name
