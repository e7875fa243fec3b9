"""Download dhard's test corpus into DIR, from the repositories and commits it was taken from.

    python scripts/get_corpus.py DIR
    DHARD_CORPUS=DIR .venv/bin/python -m pytest

The corpus is not shipped with the project (each file keeps its upstream
licence). ``scripts/corpus-manifest.tsv`` names every file: where it goes under
DIR (``real/...`` for the real-world Dockerfiles, ``buildkit-parser/<case>/...``
for BuildKit's parser cases at the pinned commit) and the GitHub repository,
commit and path it is fetched from. DIR must be outside the repository. Needs
internet access to raw.githubusercontent.com; on any download error it stops
with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = Path(__file__).resolve().parent / "corpus-manifest.tsv"
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


class Failure(Exception):
    """Why the corpus could not be written: one line for the user."""


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def read_manifest(path: Path = MANIFEST) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    for row in rows:
        name = PurePosixPath(row["name"])
        if name.is_absolute() or ".." in name.parts:
            raise Failure(f"bad name in {path}: {row['name']}")
    return rows


def get_corpus(target: Path, manifest: Path = MANIFEST) -> int:
    target = target.resolve()
    if target == ROOT or ROOT in target.parents:
        raise Failure(f"{target} is inside the repository; put the corpus outside it")
    rows = read_manifest(manifest)
    for row in rows:
        url = RAW.format(repo=row["repo"], commit=row["commit"], path=row["path"])
        try:
            data = download(url)
        except (urllib.error.URLError, OSError) as exc:  # HTTPError is a URLError; timeouts are OSErrors
            raise Failure(f"cannot download {url}: {getattr(exc, 'reason', exc)}") from exc
        out = target / row["name"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download dhard's test corpus into DIR (outside the repository).")
    parser.add_argument("dir", metavar="DIR", type=Path)
    args = parser.parse_args(argv)
    try:
        count = get_corpus(args.dir)
    except Failure as exc:
        print(f"get_corpus.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} files to {args.dir}; run the tests with DHARD_CORPUS={args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
