"""Coverage-guided fuzzing of the parser, the shell reader and the fix loop (atheris).

    python fuzz/run.py --seconds 60               # every target, the time shared out
    python fuzz/run.py --seconds 300 --target fix
    python fuzz/run.py --target fix --replay fuzz/crashes/fix/crash-...

Each target runs in its own process (atheris/libFuzzer owns the process), seeded with
the shared corpus and the fixtures; its growing corpus is kept in ``fuzz/corpus/<target>/``
(not committed) and a crash's input is written to ``fuzz/crashes/<target>/``. Needs
``pip install atheris`` (wheels for CPython 3.8-3.11 on Linux x86-64).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = Path(os.environ.get("DHARD_CORPUS") or ROOT.parent / "shared" / "corpus")
MAX_LEN = 8192


def _seed(target: str) -> Path:
    """fuzz/corpus/<target>: the shared corpus and the fixtures' inputs, once."""
    directory = HERE / "corpus" / target
    if directory.is_dir() and any(directory.iterdir()):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    seeds = [p for p in (CORPUS / "real").glob("*") if p.is_file() and p.name != "MANIFEST.tsv"]
    seeds += list((CORPUS / "buildkit-parser").glob("*/Dockerfile"))
    seeds += list((ROOT / "fixtures").glob("**/input.Dockerfile"))
    for n, path in enumerate(sorted(seeds)):
        data = path.read_bytes()[:MAX_LEN]
        if target == "fix":
            data = bytes([n & 1]) + data  # the first byte: safe or unsafe
        (directory / f"seed-{n:05d}").write_bytes(data)
    return directory


def _child(target: str, seconds: int, extra: list[str]) -> int:
    """Run one target under atheris in this process."""
    import atheris

    sys.path.insert(0, str(ROOT))
    with atheris.instrument_imports(include=["hardener"]):
        import hardener.cli  # noqa: F401  (instrument the whole package)
        from fuzz import targets
    function = targets.TARGETS[target]
    crashes = HERE / "crashes" / target
    crashes.mkdir(parents=True, exist_ok=True)
    argv = [sys.argv[0], str(_seed(target)), f"-max_total_time={seconds}", f"-max_len={MAX_LEN}",
            f"-artifact_prefix={crashes}/", "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1", *extra]
    atheris.Setup(argv, function)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="total time budget (shared among targets)")
    parser.add_argument("--target", choices=("parser", "shell", "fix"), action="append", help="default: all")
    parser.add_argument("--replay", metavar="FILE", help="run one input through --target and show what it raises")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if args.child:
        return _child(args.child, args.seconds, extra)
    targets = args.target or ["parser", "shell", "fix"]
    if args.replay:
        sys.path.insert(0, str(ROOT))
        from fuzz import targets as module

        module.TARGETS[targets[0]](Path(args.replay).read_bytes())
        print("no failure")
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("fuzz/run.py needs atheris: pip install atheris", file=sys.stderr)
        return 2
    share = max(1, args.seconds // len(targets))
    failed = []
    for target in targets:
        print(f"== {target}: {share}s", flush=True)
        code = subprocess.call([sys.executable, __file__, "--child", target, "--seconds", str(share), *extra], cwd=ROOT)
        if code != 0:
            failed.append(target)
    for target in failed:
        found = sorted((HERE / "crashes" / target).glob("*"))
        print(f"{target}: FAILED; inputs in {HERE / 'crashes' / target}: {', '.join(p.name for p in found)}")
    if not failed:
        print("no failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
