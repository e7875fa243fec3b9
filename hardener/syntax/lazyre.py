"""Regular expressions compiled on first use, or from a cache of compiled patterns.

Compiling a pattern costs 0.1 to 0.5 ms, and a `dhard check` of one small file
needs few of the patterns its modules define: the source scans of
``hardener.analysis`` run only when a build context is read, most of the image
knowledge's only for some images. ``compile_lazily`` is spelled like
``re.compile`` and type checkers see a ``re.Pattern``; the pattern is compiled
when one of its attributes is first read, and the attributes read are kept, so
later calls cost what a compiled pattern's do. Unlike a ``re.Pattern`` it
cannot be handed to ``re.sub`` and friends: call its methods.

Even so, the sixteen patterns a small file's check compiles were a twentieth of
its run: ``re`` parses and compiles them in Python. ``compile_pattern`` (used by
``compile_lazily`` and for the patterns dhard compiles at once) takes them from
``PRECOMPILED``, what ``re``'s compiler handed ``_sre.compile`` for the same
pattern and flags in an earlier run, which the console command keeps in its
byte-code bundle for this very interpreter (``cli/bundle.py``). A pattern so made
is equal to ``re.compile``'s (``Pattern.__eq__`` compares the compiled code);
anything else falls back to ``re.compile``. With every pattern a check needs in
that cache, ``re`` itself is not imported: it brings ``enum`` and its compiler,
about a sixth of a small check's instructions. So modules on that path take
their patterns and flags from here and never ``import re`` at the top.
"""

from __future__ import annotations

import _sre

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    import re

# re's flags, which are these numbers in every Python
IGNORECASE = 2
MULTILINE = 8
DOTALL = 16

# (pattern, flags) -> the arguments after the pattern that re's compiler gives _sre.compile for them
PRECOMPILED: dict[tuple[str, int], tuple] = {}
# when a dict (the console command sets one): the patterns compiled in this run, for the bundle to keep
RECORDED: dict[tuple[str, int], tuple] | None = None
MAX_KEPT = 2048  # patterns the two hold at most: dhard has a few hundred, images.yaml's included


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from ``PRECOMPILED`` when it holds them."""
    key = (pattern, int(flags))  # a plain int: marshal cannot keep re.RegexFlag
    args = PRECOMPILED.get(key)
    if args is None and RECORDED is not None and len(PRECOMPILED) + len(RECORDED) < MAX_KEPT:
        args = _compiler_args(pattern, flags)
        if args is not None:
            RECORDED[key] = args
    if args is not None:
        try:
            return _sre.compile(pattern, *args)
        except Exception:  # noqa: BLE001 - arguments this interpreter does not take: compile as usual
            PRECOMPILED.pop(key, None)
    import re

    return re.compile(pattern, flags)


def compile_glob(glob: str) -> re.Pattern[str]:
    """A shell glob as ``fnmatch`` reads it (``*``, ``?``, ``[...]``; case kept), as a compiled pattern.
    A glob without brackets is translated here: ``fnmatch`` would import ``re``."""
    if "[" in glob:
        import fnmatch

        return compile_pattern(fnmatch.translate(glob))
    parts = (".*" if c == "*" else "." if c == "?" else escape(c) for c in glob)
    return compile_pattern(f"(?s:{''.join(parts)})\\Z")


_SPECIAL = {ord(c): "\\" + c for c in "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}  # what re.escape escapes


def escape(text: str) -> str:
    """``re.escape(text)``."""
    return text.translate(_SPECIAL)


def _compiler_args(pattern: str, flags: int) -> tuple | None:
    """What ``re._compiler.compile`` passes ``_sre.compile`` after the pattern (Python 3.11+), else None."""
    import re

    if flags & re.DEBUG or not hasattr(re, "_compiler"):
        return None
    from re import _compiler, _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
    except re.error:
        return None  # re.compile raises it, with its own message
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    # plain ints (the compiler's opcodes and flags are int subclasses), so that marshal can keep them
    return (int(flags | state.flags), [int(op) for op in code], state.groups - 1, dict(state.groupdict),
            tuple(indexgroup))


class _Lazy:
    def __init__(self, pattern: str, flags: int):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and the like probe for these: not the pattern's to answer
            raise AttributeError(name)
        value = getattr(compile_pattern(*self._args), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"compile_lazily({self._args[0]!r})"


def compile_lazily(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return _Lazy(pattern, flags)  # type: ignore[return-value]
