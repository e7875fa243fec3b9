"""A batch of files linted on every core: the process takes one share, forked children the others.

Not ``multiprocessing``: importing its pool costs ~40 ms (sockets, tempfile,
threads), more than a child's whole share of a 150-file batch, and a pool
pickles every result back, where the parent's own share needs no pickling at
all. A child sends its results down a pipe once and ends with ``os._exit``,
so nothing the parent set up (buffers, atexit handlers) runs twice.
"""

from __future__ import annotations

import os
import pickle
import sys


class WorkerFailed(RuntimeError):
    """A child ended without sending its results."""


def forked_map(function, items: list, workers: int) -> list:
    """``[function(item) for item in items]``, in order, spread over ``workers`` processes.

    Shares interleave (item n goes to process n % workers), so that files sorted by name or size spread
    evenly. An exception in a child is raised here, as if the parent had met it.
    """
    shares = [range(n, len(items), workers) for n in range(workers)]
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    done = False
    try:
        for share in shares[1:]:
            children.append(_fork(function, [items[i] for i in share]))
        results: list = [None] * len(items)
        for i in shares[0]:
            results[i] = function(items[i])
        for share, (pid, fd) in zip(shares[1:], children):
            for i, result in zip(share, _collect(pid, fd)):
                results[i] = result
        done = True
        return results
    finally:
        for pid, fd in children:
            _close(fd)
            if not done:  # this process failed (or was interrupted): the children's work is not wanted
                _kill(pid)
            _reap(pid)


def _fork(function, items: list) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    code = 1
    try:
        os.close(read_end)
        try:
            payload = pickle.dumps((True, [function(item) for item in items]), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            payload = _pickled_failure(exc)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)


def _pickled_failure(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an exception that does not pickle still gets its message across
        return pickle.dumps((False, WorkerFailed(f"{type(exc).__name__}: {exc}")), pickle.HIGHEST_PROTOCOL)


def _collect(pid: int, fd: int) -> list:
    with os.fdopen(os.dup(fd), "rb") as pipe:
        payload = pipe.read()
    if not payload:
        status = _reap(pid)
        raise WorkerFailed(f"a worker process ended without its results (wait status {status})")
    ok, value = pickle.loads(payload)
    if not ok:
        raise value
    return value


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> int | None:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None  # already reaped
