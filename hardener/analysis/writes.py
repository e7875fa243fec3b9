"""Where the app writes at run time, read from its sources (Python and JavaScript), roughly.

The original ran as root and could write anywhere; the rewrite runs as 65532,
so a directory the app writes into must be given to that uid (``COPY
--chown``). This is a textual scan, not a proof: it looks for file writes
(``open(..., "w")``, ``sqlite3.connect``, ``Path.write_text``,
``fs.writeFileSync``, ``createWriteStream`` ...) and reports the path when it is
a literal, or None when it is computed (then the app's own directory is the
best guess). Writes under /tmp need nothing: every target has a /tmp anyone can
write to.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from ..record import dataclass  # not dataclasses: ~8 ms of every `dhard check`
from .context import source_texts

_PY = [
    # the path may be a call itself (open(os.path.join(d, "x"), "w")): one level of parentheses
    re.compile(r"""\bopen\(\s*(?P<arg>(?:[^,()]|\([^()]*\))+?)\s*,\s*(?:mode\s*=\s*)?(?P<q>['"])(?P<mode>[^'"]*)(?P=q)"""),
    re.compile(r"""\bsqlite3\.connect\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\b(?:Path|pathlib\.Path)\(\s*(?P<arg>[^()]+?)\s*\)\.(?:write_text|write_bytes|touch|mkdir|open\(\s*['"][wax])"""),
    re.compile(r"""\blogging\.FileHandler\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bbasicConfig\([^()]*\bfilename\s*=\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bos\.(?:makedirs|mkdir)\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bcreate_engine\(\s*['"]sqlite:///(?P<lit>[^'"]+)['"]"""),
]
_JS = [
    re.compile(r"""(?:\bfs|\bfsp|\))(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync)\(\s*(?P<arg>[^,()]+)"""),
    re.compile(r"""\bnew\s+(?:sqlite3\.)?Database\(\s*(?P<arg>[^,()]+)"""),
]
_LITERAL = re.compile(r"""^(?:[rbfRBF]{0,2})?(['"`])(?P<text>[^'"`$]*)\1$""")


@dataclass(frozen=True)
class Write:
    file: str  # context-relative source file
    line: int
    path: str | None  # the literal path written (None: computed)
    text: str  # the matched source text


def scan(context_dir: Path, files: list[str]) -> list[Write]:
    out: list[Write] = []
    for rel, language, text in source_texts(context_dir, files, ("python", "javascript")):
        patterns = _PY if language == "python" else _JS
        for n, line in enumerate(text.splitlines(), start=1):
            stripped = line.lstrip()
            if stripped.startswith(("#", "//", "*")):
                continue
            for pattern in patterns:
                for m in pattern.finditer(line):
                    groups = m.groupdict()
                    mode = groups.get("mode")
                    if mode is not None and not re.search(r"[wax+]", mode):
                        continue
                    if groups.get("lit") is not None:
                        path = groups["lit"]
                    else:
                        arg = (groups.get("arg") or "").strip()
                        lit = _LITERAL.match(arg)
                        path = lit.group("text") if lit else None
                    if path in (":memory:", "/dev/null", "/dev/stdout", "/dev/stderr", "-"):
                        continue
                    out.append(Write(rel, n, path, m.group(0).strip()))
    return out


# -- where the running app needs to write, for a USER change ------------------------------------

# programs whose code dhard reads for writes (the scan above); any other program's writes are unknown
_READABLE_PROGRAMS = re.compile(r"^(?:python(?:\d+(?:\.\d+)?)?|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|flask|"
                                r"celery|node(?:js)?|npm|yarn|pnpm)$")


# folders the system and its packages share: never handed to the app's user
_SHARED_DIRS = frozenset("/var/log /var/cache /var/tmp /var/run /srv /mnt /media /usr/local/share".split())


@dataclass(frozen=True)
class RunTimeWrites:
    """Directories the app writes into when it runs, and whether dhard could tell at all."""

    dirs: dict  # absolute directory -> (why, where): what writes there, and the source line (None: the Dockerfile)
    known: bool
    why_unknown: str | None = None
    outside: tuple = ()  # (path, (why, where)) of writes into folders the system shares, which are never handed over


def run_time_writes(build, context_dir: Path | None) -> RunTimeWrites:
    """What a non-root user must be able to write for the final image's app to keep working: its VOLUMEs,
    the folders RUNs of the shipped chain create, and the folders its Python/JavaScript sources write into
    (relative paths against the WORKDIR; a computed path: the WORKDIR). Writes under /tmp need nothing."""
    from ..semantic.files import SYSTEM_DIRS, created, volumes

    stages = build.final_chain
    instructions = [ins for stage in stages for ins in stage.instructions]
    workdir = build.end_state(stages[-1]).workdir
    dirs: dict[str, str] = {}
    for path, ins in volumes(build, [i for i in instructions if i.name == "VOLUME"]):
        dirs.setdefault(path, (f"VOLUME {ins.args}", None))
    runs = [(ins, build.script(ins)) for ins in instructions if ins.name == "RUN"]
    for path in sorted(created(build, runs, programs=("mkdir",))):
        if path not in SYSTEM_DIRS and path not in _SHARED_DIRS:
            dirs.setdefault(path, ("the image creates it for the app (RUN mkdir)", None))
    program = _program(build)
    if program is None:
        return RunTimeWrites(dirs, False, "the image runs its base image's command, whose writes dhard cannot read")
    if not _READABLE_PROGRAMS.match(program):
        return RunTimeWrites(dirs, False, f"dhard cannot read where {program} writes")
    files, why = _context_files(build, context_dir)
    if files is None:
        return RunTimeWrites(dirs, False, why)
    if not files:
        return RunTimeWrites(dirs, True)
    outside = []
    for write in scan(Path(context_dir), files):
        target = workdir if write.path is None else posixpath.normpath(posixpath.join(workdir, write.path))
        if target == "/tmp" or target.startswith("/tmp/"):
            continue
        folder = target if write.path is None or _looks_like_dir(write) else posixpath.dirname(target)
        reason = (f"the app writes there ({write.text})", f"{write.file}:{write.line}")
        if folder in SYSTEM_DIRS or folder in _SHARED_DIRS:
            outside.append((target, reason))
        else:
            dirs.setdefault(folder, reason)
    if outside:
        return RunTimeWrites(dirs, False, f"the app writes to {outside[0][0]} ({outside[0][1][1]})", tuple(outside))
    return RunTimeWrites(dirs, True)


def shipped_context_files(build, context_dir) -> list[str] | None:
    """The files of the build context the final chain copies (None: the context is not at hand, or is not
    this build's: it lacks something the Dockerfile copies)."""
    return _context_files(build, context_dir)[0]


def _context_files(build, context_dir) -> tuple[list[str] | None, str | None]:
    """Walked once per file and context: the USER fix asks for writes and for listening ports."""
    return build.memo(("context-files", str(context_dir)), lambda: _walk_context_files(build, context_dir))


def _walk_context_files(build, context_dir) -> tuple[list[str] | None, str | None]:
    instructions = [ins for stage in build.final_chain for ins in stage.instructions]
    sources = [s for ins in instructions if ins.name in ("COPY", "ADD") for s in _context_sources(build, ins)]
    if not sources:
        return [], None
    if context_dir is None or not Path(context_dir).is_dir():
        return None, "the build context is not at hand to read the app's sources"
    from .context import shipped_files

    try:
        missing = [s for s in sources if not shipped_files(Path(context_dir), [s])]
        files = shipped_files(Path(context_dir), sources)
    except (OSError, ValueError):
        return None, "the build context could not be read"
    if missing:
        return None, f"{context_dir} does not hold {missing[0]}, so it is not the build context"
    return files, None


def _looks_like_dir(write: Write) -> bool:
    return "mkdir" in write.text or "makedirs" in write.text


def _program(build) -> str | None:
    """The program the image starts: ENTRYPOINT's first word, else CMD's (inits and wrappers skipped)."""
    from ..programs import program_name
    from ..shell import unwrap

    target = build.entry_instruction
    if target is None:
        return None
    commands = build.script(target).commands
    if not commands:
        return None
    words = unwrap(commands[0], inits=True).words
    return program_name(words[0].value) if words and words[0].value else None


def _context_sources(build, ins) -> list[str]:
    from ..semantic.files import copy_of

    fact = copy_of(build, ins)
    if fact is None or not fact.from_context:
        return []
    return [s for s in fact.sources if s not in fact.urls]
