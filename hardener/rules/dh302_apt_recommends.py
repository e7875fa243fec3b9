"""DH302 apt-recommends: ``apt-get install`` that also installs recommended packages."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import shipped, stage_chain

CODE = "DH302"
FLAG = "--no-install-recommends"
# options under which nothing is installed (simulation, download only)
NO_INSTALL = ("-s", "--simulate", "--dry-run", "--just-print", "--recon", "--no-act", "-d", "--download-only")
_OFF = frozenset(("false", "0", "no", "off"))


def recommends_option(pkg) -> bool | None:
    """The value an ``-o APT::Install-Recommends=...`` option gives (None: not given)."""
    words = pkg.cmd.words
    found = None
    for i, w in enumerate(words[1:], 1):
        v = w.value
        if v is None:
            continue
        setting = None
        if v in ("-o", "--option") and i + 1 < len(words):
            setting = words[i + 1].value
        elif v.startswith("--option="):
            setting = v[len("--option=") :]
        elif v.startswith("-o") and len(v) > 2 and not v.startswith("--"):
            setting = v[2:].lstrip("=")
        if setting and "=" in setting:
            key, _, value = setting.partition("=")
            if key.strip().lower() == "apt::install-recommends":
                found = value.strip().strip("\"'").lower() not in _OFF
    return found


def configured(ctx, ins) -> bool:
    """An earlier RUN (or this one) writes ``APT::Install-Recommends "false"`` into apt.conf."""
    def scan():
        hits = []
        for other in ctx.df.instructions:
            body = ctx.build.body(other)
            if body.name == "RUN":
                text = body.line + "".join(h.content for h in body.heredocs)
                if "Install-Recommends" in text and "apt.conf" in text and _says_off(text):
                    hits.append(other.index)
            elif body.name in ("COPY", "ADD") and "apt.conf" in body.line and "recommend" in body.line.lower():
                hits.append(other.index)
        return hits

    hits = ctx.build.memo(("dh302-config",), scan)
    if not hits:
        return False
    chain = stage_chain(ctx, ins)
    return any(i <= ins.index and ctx.df.instructions[i].stage in chain for i in hits)


def _says_off(text: str) -> bool:
    at = text.find("Install-Recommends")
    while at >= 0:
        window = text[at + len("Install-Recommends") : at + len("Install-Recommends") + 16].lower()
        if any(word in window for word in ('"false"', "false", '"0"', " 0", "=0", '"no"')):
            return True
        at = text.find("Install-Recommends", at + 1)
    return False


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        installs = [
            p
            for p in f.pkgs
            if p.family == "apt"
            and p.tool in ("apt-get", "apt")
            and p.action == "install"
            and not p.has(FLAG, "--install-recommends")
            and not p.has(*NO_INSTALL)
            and recommends_option(p) is None
        ]
        if not installs or configured(ctx, ins):
            continue
        fix = None
        if f.known:
            edits = [runedit.insert_after(ctx, f.rt, p.sub, FLAG) for p in installs]
            if all(edits):
                fix = ctx.fix(f"Add {FLAG} after install", Applicability.UNSAFE, *edits)
        tool = installs[0].tool
        yield ctx.finding(
            CODE,
            ins,
            f"{tool} install also installs recommended packages; add {FLAG} (and install what you need by name)",
            fix=fix,
        )
