"""Regular expressions compiled on first use.

Compiling a pattern costs 0.1 to 0.5 ms, and a `dhard check` of one small file
needs few of the patterns its modules define: the source scans of
``hardener.analysis`` run only when a build context is read, most of the image
knowledge's only for some images. ``compile_lazily`` is spelled like
``re.compile`` and type checkers see a ``re.Pattern``; the pattern is compiled
when one of its attributes is first read, and the attributes read are kept, so
later calls cost what a compiled pattern's do. Unlike a ``re.Pattern`` it
cannot be handed to ``re.sub`` and friends: call its methods.
"""

from __future__ import annotations

import re


class _Lazy:
    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and the like probe for these: not the pattern's to answer
            raise AttributeError(name)
        value = getattr(re.compile(*self._args), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"compile_lazily({self._args[0]!r})"


def compile_lazily(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return _Lazy(pattern, flags)  # type: ignore[return-value]
