"""What the benchmarks share: the real corpus, a stacked 300-line file, peer tools."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("DHARD_CORPUS") or ROOT.parent / "shared" / "corpus") / "real"
BIN = Path(sys.executable).parent


def corpus() -> list[Path]:
    return sorted(p for p in REAL.iterdir() if p.name != "MANIFEST.tsv")


def tool(name: str) -> str | None:
    """A peer installed next to this Python (the test/bench extras), else on PATH."""
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def stacked_parts(lines: int = 300) -> list[str]:
    """Whole corpus files, smallest first, until about ``lines`` lines.

    Only files hadolint can parse are used: a peer that bails out on a parse
    error would look fast for the wrong reason.
    """
    parts, count = [], 0
    for path in sorted(corpus(), key=lambda p: p.stat().st_size):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "escape=" in text or "\r" in text or "<<" in text or "--mount" in text:
            continue
        n = text.count("\n")
        if 20 <= n <= 120 and count + n <= lines:
            parts.append(text if text.endswith("\n") else text + "\n")
            count += n
        if count >= lines - 20:
            break
    return parts
