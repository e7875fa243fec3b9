"""``functools.lru_cache`` and ``functools.cached_property`` without ``functools`` on the start-up path.

``functools`` imports ``collections`` (and ``keyword``, ``operator``,
``reprlib``): about a fifth of a small file's ``dhard check`` once ``re`` and
``enum`` are off that path (``syntax/lazyre.py``, ``findings.py``). This
module has the same spelling for the two uses dhard has, as ``record.py``
does for dataclasses: type checkers read the ``functools`` originals.

``lru_cache(maxsize=n)`` keeps at most ``n`` results and forgets the oldest
first (a first-in-first-out cache: for dhard's few, rarely full caches that is
the same); keyword arguments are not supported. ``cached_property`` stores the
value in the instance's ``__dict__`` on first read, as ``functools``' does
(without its lock, which 3.12 dropped too).
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from functools import cached_property, lru_cache
else:

    def lru_cache(maxsize: int = 128):
        def decorate(function):
            results: dict = {}

            def cached(*args):
                try:
                    return results[args]
                except KeyError:
                    pass
                value = function(*args)
                if len(results) >= maxsize:
                    del results[next(iter(results))]
                results[args] = value
                return value

            cached.cache_clear = results.clear
            cached.__wrapped__ = function
            cached.__name__ = function.__name__
            cached.__qualname__ = function.__qualname__
            cached.__doc__ = function.__doc__
            return cached

        return decorate

    class cached_property:  # noqa: N801 - spelled as functools spells it
        def __init__(self, function):
            self.function = function
            self.name = function.__name__
            self.__doc__ = function.__doc__

        def __set_name__(self, owner, name: str) -> None:
            self.name = name

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            value = instance.__dict__[self.name] = self.function(instance)
            return value


__all__ = ["cached_property", "lru_cache"]
