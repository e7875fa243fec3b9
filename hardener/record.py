"""A small stand-in for ``dataclasses`` on the start-up path.

``import dataclasses`` pulls in ``inspect`` and generates each class through
generic machinery; across the two dozen record types dhard defines that is a
large share of a `dhard check` run on a small file. This module supports the
subset dhard uses — ``@dataclass(frozen=True)``, defaults, ``field(default=,
default_factory=, repr=, compare=)``, ``replace()`` and ``fields()`` — with the
same spelling, so a module switches by changing one import.

Type checkers (mypy, pyright and so the editor) read the ``TYPE_CHECKING``
branch instead: to them these *are* the standard library's dataclass, field,
fields, replace, Field and FrozenInstanceError, so ``Finding(...)`` is checked
against the fields, ``field(default_factory=...)`` has the field's type and
assigning to a frozen record is an error. At run time ``TYPE_CHECKING`` is a
plain ``False`` (importing ``typing`` would cost start-up time) and neither
``typing`` nor ``dataclasses`` is imported (tests/test_record_typing.py).
Keep to the subset above: options this module does not implement (``order=``,
``slots=``, ``kw_only=``, ``field(init=)``) type-check but fail at import.
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from dataclasses import Field, FrozenInstanceError, dataclass, field, fields, replace
else:
    _MISSING = object()

    class FrozenInstanceError(AttributeError):
        pass

    class Field:
        __slots__ = ("name", "default", "default_factory", "repr", "compare")

        def __init__(self, default=_MISSING, default_factory=_MISSING, repr=True, compare=True):
            self.name = ""
            self.default = default
            self.default_factory = default_factory
            self.repr = repr
            self.compare = compare

    def field(*, default=_MISSING, default_factory=_MISSING, repr=True, compare=True) -> Field:  # noqa: A002
        return Field(default, default_factory, repr, compare)

    def fields(obj) -> tuple[Field, ...]:
        return obj.__record_fields__

    def replace(obj, **changes):
        values = {f.name: getattr(obj, f.name) for f in obj.__record_fields__}
        values.update(changes)
        return type(obj)(**values)

    def _collect(cls) -> list[Field]:
        found: dict[str, Field] = {}
        for base in reversed(cls.__mro__[1:]):
            for f in getattr(base, "__record_fields__", ()):
                found[f.name] = f
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = cls.__dict__.get(name, _MISSING)
            f = value if isinstance(value, Field) else Field(default=value)
            f.name = name
            if isinstance(value, Field):
                if f.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
            found[name] = f
        return list(found.values())

    def init_source(cls, record_fields: list[Field], frozen: bool) -> tuple[str, dict, tuple]:
        """The generated ``__init__``: its source, the globals it reads and its parameters' default values."""
        env = {"_MISSING": _MISSING}
        params = []
        defaults = []
        # a frozen record's fields go straight into its __dict__ (what object.__setattr__ does for a class
        # without slots or descriptors): this compiles faster and runs three times faster
        body = ["__dict = self.__dict__"] if frozen and record_fields else []
        for f in record_fields:
            if f.default is not _MISSING:
                env[f"_d_{f.name}"] = f.default
                params.append(f"{f.name}=_d_{f.name}")
                defaults.append(f.default)
            elif f.default_factory is not _MISSING:
                env[f"_f_{f.name}"] = f.default_factory
                params.append(f"{f.name}=_MISSING")
                defaults.append(_MISSING)
                body.append(f"{f.name} = _f_{f.name}() if {f.name} is _MISSING else {f.name}")
            else:
                params.append(f.name)
            body.append(f"__dict[{f.name!r}] = {f.name}" if frozen else f"self.{f.name} = {f.name}")
        if hasattr(cls, "__post_init__"):
            body.append("self.__post_init__()")
        # one line: the generated record_inits.py holds one line per record
        source = f"def __init__(self, {', '.join(params)}): {'; '.join(body) or 'pass'}\n"
        return source, env, tuple(defaults)

    _PRECOMPILED: dict | None = None

    def _precompiled(source: str):
        """The byte code of ``source`` from ``hardener.record_inits`` (every record's, compiled with the package),
        or None: compiling it here costs more than the rest of defining the record."""
        global _PRECOMPILED
        if _PRECOMPILED is None:
            try:
                from .record_inits import INITS
            except ImportError:  # while ``python -m hardener.record`` writes it for the first time
                INITS = {}
            _PRECOMPILED = INITS
        return _PRECOMPILED.get(source)

    def _make_init(cls, record_fields: list[Field], frozen: bool):
        source, env, defaults = init_source(cls, record_fields, frozen)
        code = _precompiled(source)
        if code is None:  # a record added since record_inits.py was written (a test asks for it to be rewritten)
            exec(source, env)  # noqa: S102 - generated from the class's own field names
            return env["__init__"]
        code = code.replace(co_name="__init__", co_qualname=f"{cls.__qualname__}.__init__")
        return _FUNCTION(code, env, "__init__", defaults or None)

    _FUNCTION = type(init_source)

    def _deferred_init(cls, record_fields: list[Field], frozen: bool):
        """An ``__init__`` that puts the generated one on the class at its first instance: making it is most
        of what defining a record costs, and a run makes instances of few of the records it defines."""

        def __init__(self, *args, **kwargs):
            cls.__init__ = _make_init(cls, record_fields, frozen)
            cls.__init__(self, *args, **kwargs)

        return __init__

    def dataclass(cls=None, /, *, frozen: bool = False, eq: bool = True, repr: bool = True):  # noqa: A002
        def wrap(cls):
            record_fields = _collect(cls)
            cls.__record_fields__ = tuple(record_fields)
            cls.__record_frozen__ = frozen
            cls.__init__ = _deferred_init(cls, record_fields, frozen)
            compared = tuple(f.name for f in record_fields if f.compare)
            shown = tuple(f.name for f in record_fields if f.repr)
            if repr and "__repr__" not in cls.__dict__:

                def __repr__(self):
                    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
                    return f"{type(self).__name__}({inner})"

                cls.__repr__ = __repr__
            if eq:

                def __eq__(self, other):
                    if other.__class__ is not self.__class__:
                        return NotImplemented
                    return all(getattr(self, n) == getattr(other, n) for n in compared)

                cls.__eq__ = __eq__
                if frozen:
                    cls.__hash__ = lambda self: hash(tuple(getattr(self, n) for n in compared))
                else:
                    cls.__hash__ = None
            if frozen:

                def __setattr__(self, name, value):
                    raise FrozenInstanceError(f"cannot assign to field {name!r}")

                def __delattr__(self, name):
                    raise FrozenInstanceError(f"cannot delete field {name!r}")

                cls.__setattr__ = __setattr__
                cls.__delattr__ = __delattr__
            return cls

        return wrap if cls is None else wrap(cls)


def render_inits() -> str:
    """``hardener/record_inits.py``: the ``__init__`` of every record class the package defines at module level."""
    import pkgutil
    import re

    import hardener

    sources = set()
    for info in pkgutil.walk_packages(hardener.__path__, "hardener."):
        if info.name.endswith("__main__"):
            continue  # running a command is what importing it does
        module = __import__(info.name, fromlist=["_"])
        for value in vars(module).values():
            if isinstance(value, type) and "__record_fields__" in vars(value) and value.__module__ == info.name:
                sources.add(init_source(value, list(value.__record_fields__), value.__record_frozen__)[0])
    out = ['"""The generated ``__init__`` of every record class of the package, compiled with it.',
           "",
           "Written by ``python -m hardener.record``, which tests/test_record_inits.py asks for when a record",
           "changes; ``hardener.record`` compiles the source of a record that is not here. Each function's",
           "defaults and globals are the record's own, given when its ``__init__`` is made: ``None`` below",
           'holds their places. Do not edit.', '"""', "", ""]
    ordered = sorted(sources)
    for n, source in enumerate(ordered):
        head, colon, body = source.partition("): ")
        head = re.sub(r"=_(?:d_\w+|MISSING)\b", "=None", head).replace("def __init__(", f"def _{n}(", 1)
        out.append(head + colon + body.rstrip("\n"))
    functions = ", ".join(f"_{n}" for n in range(len(ordered)))
    out += ["", "", f"SOURCES = {tuple(ordered)!r}", f"INITS = dict(zip(SOURCES, (f.__code__ for f in ({functions},))))", ""]
    return "\n".join(out)


if __name__ == "__main__":  # this run's copy of the module is not the one the records were made with
    import os

    from hardener.record import render_inits as render

    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "record_inits.py")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(render())
    print(f"wrote {target}")
