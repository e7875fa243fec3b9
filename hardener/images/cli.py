"""``python -m hardener.images``: look image references up, or compile images.yaml to compiled.py."""

from __future__ import annotations

from . import __doc__ as _PACKAGE_DOC, lookup
from .data import COMPILED_FILE, build_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json
    import sys

    from ..record import fields
    from ..syntax.imageref import split_reference

    parser = argparse.ArgumentParser(prog="python -m hardener.images", description=(_PACKAGE_DOC or "").split("\n\n")[0])
    parser.add_argument("refs", nargs="*", help="image references to look up, e.g. python:3.11-slim")
    parser.add_argument("--write-data", action="store_true",
                        help="write hardener/images/compiled.py from hardener/data/images.yaml")
    args = parser.parse_args(argv)
    if args.write_data:
        with open(COMPILED_FILE, "w", encoding="utf-8") as handle:
            handle.write(build_module())
        print(f"wrote {COMPILED_FILE}", file=sys.stderr)
    for ref in args.refs:
        registry, repository, tag, _digest = split_reference(ref)
        info = lookup(registry, repository, tag)
        print(json.dumps({"ref": ref, **{f.name: getattr(info, f.name) for f in fields(info)}}, indent=1))
    return 0
