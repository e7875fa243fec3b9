"""The rule registry: one module per rule, listed here explicitly.

A rule module has ``CODE`` (its catalogue entry in ``rules/DHnnn.yml``) and
``check(ctx) -> Iterable[Finding]``, a pure function of the RuleContext.
"""

from __future__ import annotations

RULES: tuple = ()
