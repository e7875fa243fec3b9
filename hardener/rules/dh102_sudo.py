"""DH102 sudo: sudo run in a RUN of a shipped stage."""

from __future__ import annotations

from .shellscan import names_in, shipped_runs

CODE = "DH102"


def check(ctx):
    for rs in shipped_runs(ctx):
        for cmd in rs.script.commands:
            if "sudo" not in names_in(cmd):
                continue
            word = next((w for w in cmd.words if w.value and w.value.rsplit("/", 1)[-1] == "sudo"), None)
            span = rs.span(ctx, word.start, word.end) if word is not None else None
            start, end = span if span else (None, None)
            yield ctx.finding(
                CODE,
                rs.ins,
                "sudo in RUN: the step already runs as the USER in effect; use USER root before it (and USER app after) instead",
                start=start,
                end=end,
            )
            break  # once per RUN
