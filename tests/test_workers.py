"""A large batch is checked on every core (hardener/cli/workers.py): same report, same failures, no leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import real_files

from hardener.cli import check
from hardener.cli.workers import WorkerFailed, forked_map


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


PARENT = os.getpid()


def _slow_square(n):
    import time

    time.sleep(0.02)  # long enough for every process to take some
    return n * n, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    results = forked_map(_slow_square, list(range(25)), 3)
    assert [square for square, _pid in results] == [n * n for n in range(25)]
    assert len({pid for _square, pid in results}) == 3
    assert _no_children_left()


def test_the_processes_share_the_work_as_they_come_free():
    def parent_is_slow(n):
        import time

        time.sleep(0.3 if os.getpid() == PARENT else 0.01)
        return os.getpid()

    pids = forked_map(parent_is_slow, list(range(20)), 2)
    assert pids.count(PARENT) <= 2  # a fixed split would have given it ten


def _fails_in_a_child(n):
    import time

    if os.getpid() == PARENT:
        time.sleep(0.2)
        return n
    raise ValueError(f"item {n} is bad")


def test_an_exception_in_a_child_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="item [0-9] is bad"):
        forked_map(_fails_in_a_child, list(range(10)), 2)
    assert _no_children_left()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def test_an_exception_that_does_not_pickle_still_says_what_it_was():
    def fail(n):
        if os.getpid() == PARENT:
            import time

            time.sleep(0.2)
            return n
        raise _Unpicklable("the message")

    with pytest.raises(WorkerFailed, match="_Unpicklable: the message"):
        forked_map(fail, [0, 1, 2, 3], 2)


def test_a_child_that_dies_is_an_error_not_missing_results():
    def die(n):
        if os.getpid() == PARENT:
            import time

            time.sleep(0.2)
            return n
        os._exit(3)

    with pytest.raises(WorkerFailed, match="without its results"):
        forked_map(die, [0, 1, 2, 3], 2)
    assert _no_children_left()


def test_when_the_parent_fails_its_children_are_stopped_and_reaped(tmp_path):
    finished = tmp_path / "the child finished"

    def slow_child_failing_parent(n):
        import time

        if os.getpid() == PARENT:
            time.sleep(0.1)  # the child has taken an item by then
            raise KeyboardInterrupt
        time.sleep(3)
        finished.touch()
        return n

    with pytest.raises(KeyboardInterrupt):
        forked_map(slow_child_failing_parent, [0, 1, 2], 2)
    assert _no_children_left()
    assert not finished.exists()


def test_a_batch_larger_than_the_queue_holds_goes_in_runs():
    count = 3 * 8192 + 5
    assert forked_map(lambda n: n + 1, list(range(count)), 2) == [n + 1 for n in range(count)]


class _Point:
    def __init__(self, x):
        self.x = x


def _plain_and_object(n):
    import time

    time.sleep(0.01)
    return (n, str(n), n % 2 == 0, None, [n]), _Point(n)


def test_results_of_any_kind_come_back_as_they_were_made():
    results = forked_map(_plain_and_object, list(range(12)), 2)
    assert [plain for plain, _point in results] == [(n, str(n), n % 2 == 0, None, [n]) for n in range(12)]
    assert [point.x for _plain, point in results] == list(range(12))


def test_plain_results_come_back_without_importing_pickle():
    program = (
        "import sys, time, os\n"
        "from hardener.cli.workers import forked_map\n"
        "parent = os.getpid()\n"
        "def work(n):\n"
        "    time.sleep(0.02 if os.getpid() == parent else 0.001)\n"
        "    return (n, 'line %d' % n, True)\n"
        "assert forked_map(work, list(range(40)), 2) == [(n, 'line %d' % n, True) for n in range(40)]\n"
        "print('pickle' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-S", "-c", program], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.stdout.strip() == "False", done.stderr


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hardener", "check", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("options", [(), ("--show-fixes",), ("--format", "github"), ("--format", "json")])
def test_a_batch_reports_as_the_files_one_by_one_do(options, corpus_available):
    files = [str(p) for p in real_files()][: check.PARALLEL_MIN_FILES + 8]
    batch = _check(*options, *files)
    one_by_one = [_check(*options, path) for path in files]
    assert batch.returncode == max(done.returncode for done in one_by_one)
    if options == ("--format", "json"):
        import json

        found = [f for done in one_by_one for f in json.loads(done.stdout)["findings"]]
        assert json.loads(batch.stdout)["findings"] == found
        return
    assert batch.stdout == "".join(done.stdout for done in one_by_one)
    assert batch.stdout.count("\n") > len(files)
