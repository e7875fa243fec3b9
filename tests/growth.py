"""How a cost grows with its input, for the tests that check it stays linear.

Counted where the cost is Python code (``python_calls``: deterministic, unlike time), timed where it is a
regular expression, which the profiler does not see into (``three_sizes``).
"""

from __future__ import annotations

import cProfile
import pstats
import time


def python_calls(function, *args) -> int:
    """The Python function calls ``function(*args)`` makes."""
    profiler = cProfile.Profile()
    profiler.enable()
    function(*args)
    profiler.disable()
    return sum(stat[0] for stat in pstats.Stats(profiler).stats.values())  # type: ignore[attr-defined]


def best_time(function, value, repeat: int = 5, expected: tuple = ()) -> float:
    """The shortest of ``repeat`` runs of ``function(value)``; the ``expected`` exceptions end a run."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            function(value)
        except expected:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def three_sizes(function, make, n: int, expected: tuple = ()) -> tuple[float, float, float]:
    """The times of ``function`` on ``make(n)``, ``make(4 n)`` and ``make(16 n)``: two steps of 4x, on which
    quadratic cost grows ~16x both times and linear ~4x. One step can grow past 10x on a linear pattern when
    the input (or the matcher's backtracking stack) outgrows a CPU cache; such a cliff is one step, not two."""
    small, large, larger = (best_time(function, make(k * n), 5 if k < 16 else 2, expected) for k in (1, 4, 16))
    return small, large, larger
