"""Peak memory of one `dhard check` on 1,000 Dockerfiles, against the 150 MB target.

    python bench/memory_bench.py [--files 1000] [--install wheel|editable]

The corpus files (bench/corpus.py: ../shared/corpus/real or $DHARD_CORPUS) are
copied, round robin, into a temporary folder until there are ``--files`` of them,
and one ``dhard check --exit-zero <folder>`` lints them all (from 32 files on it
forks workers, one per core, at most 8).

The figure held against the target is the child's peak resident set size as
``resource.getrusage`` reports it (``wait4`` on that child: the largest of the
process and the workers it waited for). The sum over the process tree, sampled
every 5 ms from /proc while it runs, is printed beside it: forked workers share
most of their pages with the parent, so the sum of RSS over-counts; the sum of
PSS (proportional set size) is the fairer total where /proc has it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import corpus  # noqa: E402
from installed import add_install_argument, child_env, dhard_command  # noqa: E402

TARGET_MB = 150.0


def make_batch(directory: Path, count: int) -> list[Path]:
    sources = corpus()
    out = []
    for i in range(count):
        src = sources[i % len(sources)]
        name = src.name if src.name.endswith((".Dockerfile", ".dockerfile")) else f"{src.name}.Dockerfile"
        dest = directory / f"{i:04d}-{name}"
        shutil.copyfile(src, dest)
        out.append(dest)
    return out


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _kb(pid: int, field: str, rollup: bool) -> int:
    path = f"/proc/{pid}/smaps_rollup" if rollup else f"/proc/{pid}/status"
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """The largest sums of RSS and PSS over a process tree, sampled until it ends."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.rss, self.pss, self.processes = pid, 0, 0, 1
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids = _tree(self.pid)
            self.processes = max(self.processes, len(pids))
            self.rss = max(self.rss, sum(_kb(p, "VmRSS:", False) for p in pids))
            self.pss = max(self.pss, sum(_kb(p, "Pss:", True) for p in pids))
            time.sleep(0.005)


def measure(argv: list[str], cwd: Path) -> tuple[float, int, TreeSampler, float]:
    """(seconds, peak RSS in KB from wait4, the sampler, exit code) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=child_env())
    sampler = TreeSampler(proc.pid)
    if os.path.isdir("/proc"):
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    sampler.done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, sampler, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    add_install_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dhard, how = dhard_command(args.install, Path(tmp))
        print(f"measured: {how}")
        batch = Path(tmp) / "batch"
        batch.mkdir()
        files = make_batch(batch, args.files)
        elapsed, maxrss_kb, sampler, code = measure([*dhard, "check", "--exit-zero", str(batch)], Path(tmp))
        if code != 0:
            raise SystemExit(f"dhard check exited {code}")
        peak = maxrss_kb / 1024
        print(f"dhard check on {len(files)} files ({len(corpus())} corpus files repeated): {elapsed:.2f} s")
        print(f"peak RSS (getrusage of the child, largest process): {peak:7.1f} MB   target <= {TARGET_MB:.0f} MB: "
              f"{'met' if peak <= TARGET_MB else 'NOT met'}")
        if sampler.rss:
            print(f"process tree, sampled every 5 ms ({sampler.processes} processes): sum of RSS {sampler.rss / 1024:7.1f} MB, "
                  f"sum of PSS {sampler.pss / 1024:7.1f} MB (for information: forked workers share pages)")


if __name__ == "__main__":
    main()
