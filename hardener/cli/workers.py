"""A batch of files linted on every core: the process takes one share, forked children the others.

Not ``multiprocessing``: importing its pool costs ~40 ms (sockets, tempfile,
threads), more than a child's whole share of a 150-file batch, and a pool
pickles every result back, where the parent's own share needs no pickling at
all. A child sends its results down a pipe once and ends with ``os._exit``,
so nothing the parent set up (buffers, atexit handlers) runs twice. Results
made of plain values (the text and github reports) go as ``marshal``, which is
built in: ``pickle`` and what it imports (re, enum, functools, collections,
struct; ~5 ms) are loaded only for results that need it.
"""

from __future__ import annotations

import marshal
import os
import sys


class WorkerFailed(RuntimeError):
    """A child ended without sending its results."""


def forked_map(function, items: list, workers: int) -> list:
    """``[function(item) for item in items]``, in order, spread over ``workers`` processes.

    The processes take the next items as they come free, from one queue (a pipe of item numbers, each read
    whole by one process), so one slowed by the machine or given the long files does not hold the others up.
    An exception in a child is raised here, as if the parent had met it.
    """
    queue = _Queue(len(items))
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    done = False
    try:
        for _ in range(workers - 1):
            children.append(_fork(function, items, queue))
        queue.close_writing()
        results: list = [None] * len(items)
        for n, result in queue.work(function, items):
            results[n] = result
        for pid, fd in children:
            for n, result in _collect(pid, fd):
                results[n] = result
        done = True
        return results
    finally:
        queue.close()
        for pid, fd in children:
            _close(fd)
            if not done:  # this process failed (or was interrupted): the children's work is not wanted
                _kill(pid)
            _reap(pid)


class _Queue:
    """The numbers of runs of ``size`` items, in a pipe: a read of one number (4 bytes) is handed to one
    reader whole. Every process closes the write end before it reads, so an empty pipe reads as its end."""

    NUMBER = 4
    MOST = 8192  # numbers a pipe holds without a reader (64 KiB at least on Linux), so they are written at once

    def __init__(self, count: int):
        self.size = max(1, -(-count // self.MOST))
        self.read_end: int | None
        self.write_end: int | None
        self.read_end, self.write_end = os.pipe()
        os.write(self.write_end, b"".join(n.to_bytes(self.NUMBER, "little") for n in range(0, count, self.size)))

    def close_writing(self) -> None:
        if self.write_end is not None:
            os.close(self.write_end)
            self.write_end = None

    def close(self) -> None:
        self.close_writing()
        if self.read_end is not None:
            os.close(self.read_end)
            self.read_end = None

    def work(self, function, items: list):
        """(number, result) for the items taken from the queue, until it is empty."""
        assert self.read_end is not None, "the queue is closed"
        while True:
            taken = os.read(self.read_end, self.NUMBER)
            if not taken:
                return
            first = int.from_bytes(taken, "little")
            for n in range(first, min(first + self.size, len(items))):
                yield n, function(items[n])


def _fork(function, items: list, queue: _Queue) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    code = 1
    try:
        os.close(read_end)
        queue.close_writing()
        try:
            payload = _packed(list(queue.work(function, items)))
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            payload = _pickled_failure(exc)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)


_MARSHALLED, _PICKLED = b"m", b"p"  # the first byte of a payload: how the rest is written


def _packed(results: list) -> bytes:
    try:
        return _MARSHALLED + marshal.dumps(results)
    except ValueError:  # an object marshal does not write (findings, sources)
        return _pickled(True, results)


def _pickled_failure(exc: BaseException) -> bytes:
    try:
        return _pickled(False, exc)
    except Exception:  # noqa: BLE001 - an exception that does not pickle still gets its message across
        return _pickled(False, WorkerFailed(f"{type(exc).__name__}: {exc}"))


def _pickled(ok: bool, value) -> bytes:
    import pickle

    return _PICKLED + pickle.dumps((ok, value), pickle.HIGHEST_PROTOCOL)


def _unpacked(payload: bytes):
    if payload[:1] == _MARSHALLED:
        return marshal.loads(payload[1:])
    import pickle

    ok, value = pickle.loads(payload[1:])
    if not ok:
        raise value
    return value


def _collect(pid: int, fd: int) -> list:
    with os.fdopen(os.dup(fd), "rb") as pipe:
        payload = pipe.read()
    if not payload:
        status = _reap(pid)
        raise WorkerFailed(f"a worker process ended without its results (wait status {status})")
    return _unpacked(payload)


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
