"""A large batch is checked on every core (hardener/cli/workers.py): same report, same failures, no leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardener.cli import check
from hardener.cli.workers import WorkerFailed, forked_map

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_results_come_back_in_order_from_several_processes():
    results = forked_map(lambda n: (n * n, os.getpid()), list(range(25)), 3)
    assert [square for square, _pid in results] == [n * n for n in range(25)]
    assert len({pid for _square, pid in results}) == 3
    assert _no_children_left()


def _fails_on_seven(n):
    if n == 7:
        raise ValueError(f"item {n} is bad")
    return n


def test_an_exception_in_a_child_is_raised_in_the_parent():
    assert 7 % 2 == 1  # item 7 is in the child's share of two processes
    with pytest.raises(ValueError, match="item 7 is bad"):
        forked_map(_fails_on_seven, list(range(10)), 2)
    assert _no_children_left()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def test_an_exception_that_does_not_pickle_still_says_what_it_was():
    def fail(n):
        if n == 1:
            raise _Unpicklable("the message")
        return n

    with pytest.raises(WorkerFailed, match="_Unpicklable: the message"):
        forked_map(fail, [0, 1], 2)


def test_a_child_that_dies_is_an_error_not_missing_results():
    def die(n):
        if n == 1:
            os._exit(3)
        return n

    with pytest.raises(WorkerFailed, match="without its results"):
        forked_map(die, [0, 1, 2, 3], 2)
    assert _no_children_left()


def test_when_the_parent_fails_its_children_are_stopped_and_reaped(tmp_path):
    finished = tmp_path / "the child finished"

    def slow_child_failing_parent(n):
        if n == 0:
            raise KeyboardInterrupt
        import time

        time.sleep(3)
        finished.touch()
        return n

    with pytest.raises(KeyboardInterrupt):
        forked_map(slow_child_failing_parent, [0, 1], 2)
    assert _no_children_left()
    assert not finished.exists()


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hardener", "check", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("options", [(), ("--show-fixes",), ("--format", "github"), ("--format", "json")])
def test_a_batch_reports_as_the_files_one_by_one_do(options):
    files = sorted(str(p) for p in CORPUS.iterdir() if p.name != "MANIFEST.tsv")[: check.PARALLEL_MIN_FILES + 8]
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
