"""DH501 add-url-without-checksum: ``ADD <url>`` fetched without ``--checksum``."""

from __future__ import annotations

from ..syntax.words import split_words, unquote

CODE = "DH501"


def is_git_source(src: str) -> bool:
    base = src.split("#", 1)[0]
    return src.startswith("git@") or base.endswith(".git") or src.startswith("git://")


def remote_sources(args: list[str]) -> list[str]:
    """URL sources of an ADD (every argument but the last, the destination)."""
    return [a for a in args[:-1] if a.startswith(("http://", "https://", "git@", "git://"))]


def check(ctx):
    for ins in ctx.build.instructions("ADD"):
        body = ctx.build.body(ins)
        if body.flag("checksum") is not None:
            continue
        args = list(body.argv) if body.json and body.argv else [unquote(w) for w in split_words(body.args)]
        for written in remote_sources(args):
            src = ctx.build.resolve(ins, written) or written
            if is_git_source(src):
                ref = src.split("#", 1)[1] if "#" in src else ""
                if _is_commit(ref):
                    continue
                message = f"ADD {src} fetches a git ref that can move; pin a commit (#<40-hex sha>) or use --checksum"
            else:
                message = f"ADD {src} downloads without --checksum=sha256:...; the content is not verified"
            yield ctx.finding(CODE, ins, message)


def _is_commit(ref: str) -> bool:
    return len(ref) == 40 and all(c in "0123456789abcdef" for c in ref.lower())
