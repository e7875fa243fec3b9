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

    def _make_init(cls, record_fields: list[Field], frozen: bool):
        env = {"_MISSING": _MISSING}
        params = []
        # a frozen record's fields go straight into its __dict__ (what object.__setattr__ does for a class
        # without slots or descriptors): this compiles faster and runs three times faster
        body = ["  __dict = self.__dict__"] if frozen and record_fields else []
        for f in record_fields:
            if f.default is not _MISSING:
                env[f"_d_{f.name}"] = f.default
                params.append(f"{f.name}=_d_{f.name}")
            elif f.default_factory is not _MISSING:
                env[f"_f_{f.name}"] = f.default_factory
                params.append(f"{f.name}=_MISSING")
                body.append(f"  if {f.name} is _MISSING: {f.name} = _f_{f.name}()")
            else:
                params.append(f.name)
            body.append(f"  __dict[{f.name!r}] = {f.name}" if frozen else f"  self.{f.name} = {f.name}")
        post = "  self.__post_init__()\n" if hasattr(cls, "__post_init__") else ""
        source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["  pass"]) + "\n" + post
        exec(source, env)  # noqa: S102 - generated from the class's own field names
        return env["__init__"]

    def _deferred_init(cls, record_fields: list[Field], frozen: bool):
        """An ``__init__`` that puts the generated one on the class at its first instance: compiling it is
        most of what defining a record costs, and a run makes instances of few of the records it defines."""

        def __init__(self, *args, **kwargs):
            cls.__init__ = _make_init(cls, record_fields, frozen)
            cls.__init__(self, *args, **kwargs)

        return __init__

    def dataclass(cls=None, /, *, frozen: bool = False, eq: bool = True, repr: bool = True):  # noqa: A002
        def wrap(cls):
            record_fields = _collect(cls)
            cls.__record_fields__ = tuple(record_fields)
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
