"""Files a compiled program reads at run time, read from its sources, roughly.

A Go server built in the image (``COPY . .`` then ``go build``) often reads
files of its source tree at start: ``template.ParseGlob("templates/*.html")``,
``http.Dir("./static")``, ``os.ReadFile("config.yaml")``. The rewrite copies
only the program, so those files must be named to be copied too. This is the
counterpart of ``writes``: a textual scan of the calls that open files by
path, the path worked out by ``path_expr`` when it is plain data (relative to
the working directory), None when it is not. A glob reads what its pattern
matches; the path kept is its folder (``templates``), or the pattern itself
when its first part is a glob. ``embed.FS`` reads (``ParseFS``, ``http.FS``)
are compiled in and are not listed.
"""

from __future__ import annotations

import os
import re

from ..record import dataclass
from ..syntax.lazyre import compile_lazily
from . import path_expr
from .writes import PATH_ARG, calls, source_line

_PATTERNS = {
    "go": [
        # html/template, text/template: every argument is a file
        compile_lazily(r"""\bParseFiles\(\s*(?P<args>[^()]*)\)"""),
        compile_lazily(r"""\b(?:ParseGlob|LoadHTMLGlob)\(\s*""" + PATH_ARG + r"""\s*\)"""),
        compile_lazily(r"""\bLoadHTMLFiles\(\s*(?P<args>[^()]*)\)"""),
        compile_lazily(r"""\bhttp\.Dir\(\s*""" + PATH_ARG + r"""\s*\)"""),
        compile_lazily(r"""\bhttp\.ServeFile\(\s*[^,()]+,\s*[^,()]+,\s*""" + PATH_ARG + r"""\s*\)"""),
        compile_lazily(r"""\b(?:os|ioutil)\.(?:Open|ReadFile|ReadDir)\(\s*""" + PATH_ARG + r"""\s*\)"""),
        # gin / echo / fiber: Static(prefix, root), StaticFile(prefix, file)
        compile_lazily(r"""\.Static(?:File)?\(\s*"[^"]*"\s*,\s*""" + PATH_ARG + r"""\s*\)"""),
    ],
}
LANGUAGES = tuple(_PATTERNS)
_GLOB = compile_lazily(r"[*?\[]")


@dataclass(frozen=True)
class Read:
    file: str  # context-relative source file
    line: int
    path: str | None  # what is read, relative to the working directory unless absolute (None: not known)
    text: str  # the source line, for messages


def scan(context_dir: str | os.PathLike[str], files: list[str], env=lambda name: None) -> list[Read]:
    """The run-time reads of the sources among ``files``; ``env(name)``: the value the image gives a variable."""
    out: list[Read] = []
    for rel, text, m, names in calls(context_dir, files, _PATTERNS, LANGUAGES):
        out.extend(_reads(rel, text, m, names, env))
    return sorted(set(out), key=lambda r: (r.file, r.line, r.path or ""))


def _reads(rel: str, text: str, m: re.Match, names: dict[str, str], env) -> list[Read]:
    groups = m.groupdict()
    args = _split(groups["args"]) if groups.get("args") is not None else [groups["arg"]]
    line, shown = source_line(text, m)
    out = []
    for arg in args:
        if arg.strip().endswith("..."):  # ParseFiles(files...): a slice dhard cannot see into
            out.append(Read(rel, line, None, shown))
            continue
        path = path_expr.evaluate(arg, names, env)
        out.append(Read(rel, line, _folder_of_glob(path) if path is not None else None, shown))
    return out


def _split(args: str) -> list[str]:
    return [a for a in (part.strip() for part in args.split(",")) if a]


def _folder_of_glob(path: str) -> str:
    """``templates/*.html`` -> ``templates``; a path without a glob, or one whose first part is a glob, as it is."""
    m = _GLOB.search(path)
    if m is None:
        return path
    folder = path[:m.start()].rpartition("/")[0]
    return folder or path
