"""Where the app writes at run time, read from its sources, roughly.

The original ran as root and could write anywhere; the rewrite runs as 65532,
so a directory the app writes into must be given to that uid (``COPY
--chown``). This is a textual scan, not a proof: it looks for file writes
(Python ``open(..., "w")``, ``sqlite3.connect``, ``Path.write_text``; Node
``fs.writeFileSync``, ``createWriteStream``; Go ``os.WriteFile``, ``os.Create``,
``os.OpenFile`` with a write flag; Rust ``File::create``, ``fs::write``; Java
``FileWriter``, ``Files.write`` ...) and works out the path it writes when
that is plain data (``path_expr``: literals, names bound to them, joins, the
working directory, the image's environment); a path it cannot work out makes
the writes unknown, never a guess. Writes under /tmp need nothing: every
target has a /tmp anyone can write to.

Which sources are the app's: for an interpreted program (python, node, ...)
the Python and JavaScript files the final image ships; for any other program
the Go, Rust and Java files that the stages it is built in copy from the
context. A program with neither is one whose writes dhard cannot read.
"""

from __future__ import annotations

import os
import posixpath

from ..record import dataclass  # not dataclasses: ~8 ms of every `dhard check`
from ..syntax.lazyre import DOTALL, MULTILINE, compile_lazily

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    import re
from ..programs import INITS, program_name
from ..semantic.files import SYSTEM_DIRS, copy_of, created, volumes
from ..shell import unwrap
from . import path_expr
from .context import language_of, shipped_files, source_texts

# a path argument: anything up to the next top-level comma, with one level of parentheses
# (open(os.path.join(d, "x"), "w"), Files.write(Path.of("x"), ...))
PATH_ARG = r"(?P<arg>(?:[^,()]|\([^()]*\))+?)"
_PATTERNS = {
    "python": [
        compile_lazily(r"""\bopen\(\s*""" + PATH_ARG + r"""\s*,\s*(?:mode\s*=\s*)?(?P<q>['"])(?P<mode>[^'"]*)(?P=q)"""),
        compile_lazily(r"""\bsqlite3\.connect\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\b(?:Path|pathlib\.Path)\(\s*(?P<arg>[^()]+?)\s*\)\.(?:write_text|write_bytes|touch|mkdir|open\(\s*['"][wax])"""),
        compile_lazily(r"""\b(?:logging\.(?:handlers\.)?)?(?:Rotating|TimedRotating|Watched)?FileHandler\(\s*""" + PATH_ARG
                       + r"""\s*[,)]"""),
        compile_lazily(r"""\bbasicConfig\([^()]*\bfilename\s*=\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\bos\.(?:makedirs|mkdir)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\bcreate_engine\(\s*['"]sqlite:///(?P<lit>[^'"]+)['"]"""),
        # functions imported from os (``from os import makedirs``): _write checks the import
        compile_lazily(r"""(?<![\w.])(?P<imported>makedirs|mkdir)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        # a path held in a name or built in parentheses: DATA.mkdir(), (BASE / "x").write_text(...)
        compile_lazily(r"""(?:(?<![\w.])(?P<recv>[A-Za-z_][\w.]*)|\((?P<inner>[^()]+)\))\.(?P<method>write_text|write_bytes|"""
                       r"""touch|mkdir|open\(\s*(?:mode\s*=\s*)?['"][wax])"""),
        compile_lazily(r"""\bshutil\.(?:copy|copy2|copyfile|copytree|move)\(\s*[^,()]+,\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\.(?:to_csv|to_json|to_parquet|to_excel|to_pickle|savefig)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
    ],
    "javascript": [
        compile_lazily(r"""(?:\bfs|\bfsp|\))(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\bnew\s+(?:sqlite3\.)?Database\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
    ],
    "go": [
        compile_lazily(r"""\b(?:os|ioutil)\.(?:WriteFile|Create|Mkdir|MkdirAll)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\bos\.OpenFile\(\s*""" + PATH_ARG + r"""\s*,(?P<flags>[^,)]*(?:O_WRONLY|O_RDWR|O_CREATE|O_APPEND|O_TRUNC)[^,)]*),"""),
        compile_lazily(r"""\bos\.(?:CreateTemp|MkdirTemp)\(\s*(?P<arg>[^,()]+),"""),
        compile_lazily(r"""\bsql\.Open\(\s*"sqlite3?"\s*,\s*(?P<arg>[^,()]+)\)"""),
        compile_lazily(r"""\b(?:bolt|bbolt|sqlite)\.Open\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
    ],
    "rust": [
        compile_lazily(r"""\b(?:File::create|fs::write|fs::create_dir(?:_all)?)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        # one lazy scan to the next .open( (not past a ; or the next OpenOptions: linear); _write reads the flags
        compile_lazily(r"""OpenOptions::new\(\)(?P<chain>(?:(?!OpenOptions)[^;])*?)\.open\(\s*(?P<arg>[^()]+?)\s*\)"""),
    ],
    "java": [
        compile_lazily(r"""\bnew\s+(?:FileWriter|FileOutputStream|RandomAccessFile)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""\bFiles\.(?:write|writeString|createFile|createDirectory|createDirectories|newBufferedWriter|newOutputStream)\(\s*""" + PATH_ARG + r"""\s*[,)]"""),
        compile_lazily(r"""jdbc:sqlite:(?P<lit>[^'"]+)"""),
    ],
}
# per language, texts of which every pattern's match holds at least one: a file with none of them is not
# scanned (most files of an app write nothing; a pattern with no literal prefix costs a pass over the text)
_NEEDLES = {
    "python": ("open(", "connect(", "Path(", "FileHandler(", "basicConfig(", "mkdir", "makedirs(", "sqlite:///",
               "write_text", "write_bytes", "touch", "shutil.", "to_csv", "to_json", "to_parquet", "to_excel",
               "to_pickle", "savefig"),
    "javascript": ("writeFile", "appendFile", "createWriteStream", "mkdir", "Database("),
    "go": ("WriteFile(", "Create", "Mkdir", "OpenFile(", ".Open("),
    "rust": ("File::create(", "fs::write(", "fs::create_dir", "OpenOptions::new()"),
    "java": ("FileWriter(", "FileOutputStream(", "RandomAccessFile(", "Files.", "jdbc:sqlite:"),
}
INTERPRETED = ("python", "javascript")
COMPILED = ("go", "rust", "java")
_COMMENT_LINE = compile_lazily(r"^[ \t]*(?:#|//|\*|/\*).*$", MULTILINE)
_NOT_FILES = (":memory:", "/dev/null", "/dev/stdout", "/dev/stderr", "-", "")


@dataclass(frozen=True)
class Write:
    file: str  # context-relative source file
    line: int
    path: str | None  # the path written, relative to the working directory unless absolute (None: not known)
    text: str  # the source line of the write, for messages


def scan(context_dir: str | os.PathLike[str], files: list[str], languages: tuple[str, ...] = INTERPRETED, env=lambda name: None) -> list[Write]:
    """The writes of the sources among ``files``; ``env(name)``: the value the image gives a variable."""
    out: list[Write] = []
    for rel, text, m, names in calls(context_dir, files, _PATTERNS, languages, _NEEDLES):
        write = _write(rel, text, m, names, env)
        if write is not None:
            out.append(write)
    return sorted(out, key=lambda w: (w.file, w.line))


def calls(context_dir, files: list[str], patterns: dict, languages: tuple[str, ...], needles: dict | None = None):
    """(file, text, match, names) for every match of ``patterns[language]`` in the sources among ``files``:
    comments blanked (so offsets still give line numbers), ``names`` those the file binds once
    (``path_expr.bindings``); a file with none of ``needles[language]`` is passed over. What ``writes`` and
    ``reads`` scan."""
    for rel, language, text in source_texts(context_dir, files, languages):
        wanted = (needles or {}).get(language)
        if wanted is not None and not any(needle in text for needle in wanted):
            continue
        text = _COMMENT_LINE.sub("", text)
        names = path_expr.bindings(text)
        for pattern in patterns[language]:
            for m in pattern.finditer(text):
                yield rel, text, m, names


def source_line(text: str, m: re.Match) -> tuple[int, str]:
    """The line number of ``m`` and its source line, spaces squeezed and cut to 80 characters, for messages."""
    line = text.count("\n", 0, m.start()) + 1
    statement = " ".join(text.splitlines()[line - 1].split())
    return line, statement if len(statement) <= 80 else statement[:77] + "..."


# keyword arguments that name the path written (open(file=...), FileHandler(filename=...))
_PATH_KEYWORDS = frozenset(("file", "filename", "path", "path_or_buf", "fname", "dst", "database", "name"))
_KEYWORD = compile_lazily(r"^\s*(?P<name>[A-Za-z_]\w*)\s*=(?!=)\s*(?P<value>.*)$", DOTALL)
# what a name bound to a path object is bound to: Path("x"), pathlib.Path(...), a join of one
_PATH_OBJECT = compile_lazily(r"^(?:pathlib\.)?(?:Pure(?:Posix)?)?Path\(|/")


_WRITE_MODE = compile_lazily(r"[wax+]")
_WRITE_OPTION = compile_lazily(r"\.(?:write|append|create)\(true\)")


def _imports_from_os(text: str, name: str) -> bool:
    """Whether the source has ``from os import ... name``."""
    import re  # a pattern made of the app's own name: compiled by re, not kept

    return re.search(rf"^\s*from\s+os\s+import\s[^\n]*\b{re.escape(name)}\b", text, re.M) is not None


def _write(rel: str, text: str, m: re.Match, names: dict[str, str], env) -> Write | None:
    groups = m.groupdict()
    mode = groups.get("mode")
    if mode is not None and not _WRITE_MODE.search(mode):
        return None  # open(..., "r")
    chain = groups.get("chain")
    if chain is not None and not _WRITE_OPTION.search(chain):
        return None  # OpenOptions::new().read(true).open(...)
    imported = groups.get("imported")
    if imported and not _imports_from_os(text, imported):
        return None  # a mkdir() of the app's own, or of another module
    if groups.get("method") is not None:
        path = _path_object(groups, names, env)
        if path is _NOT_A_PATH:
            return None
    elif groups.get("lit") is not None:
        path = groups["lit"]
    else:
        arg = _path_argument(groups.get("arg") or "")
        if arg is None:
            return None  # only keywords that name no path: df.to_csv(index=False)
        path = path_expr.evaluate(arg, names, env)
    if path in _NOT_FILES:
        return None  # also os.CreateTemp("", ...): the system's temporary folder
    line, shown = source_line(text, m)
    return Write(rel, line, path, shown)


_NOT_A_PATH = object()


def _path_argument(arg: str) -> str | None:
    """The expression of a path argument: ``file=x`` -> ``x``; None for a keyword that names no path."""
    keyword = _KEYWORD.match(arg)
    if keyword is None:
        return arg
    return keyword.group("value") if keyword.group("name") in _PATH_KEYWORDS else None


def _path_object(groups: dict, names: dict[str, str], env):
    """The path a method call on a path object writes, None when dhard cannot place it, or _NOT_A_PATH when
    the receiver is not shown to be a path (``sftp.mkdir``): write_text/write_bytes are pathlib's own, so any
    receiver of them counts; mkdir/touch/open only a name bound to a Path or a parenthesised join."""
    inner, receiver = groups.get("inner"), groups.get("recv")
    pathlib_only = groups["method"] in ("write_text", "write_bytes")
    if inner is not None:
        return path_expr.evaluate(inner, names, env) if pathlib_only or "/" in inner else _NOT_A_PATH
    bound = names.get(receiver)
    if bound is None:
        return None if pathlib_only else _NOT_A_PATH
    if not pathlib_only and not _PATH_OBJECT.search(bound.strip()):
        return _NOT_A_PATH
    return path_expr.evaluate(receiver, names, env)


# -- where the running app needs to write, for a USER change ------------------------------------

# interpreters whose scripts are the app's Python or JavaScript files; any other program is built from Go, Rust or Java
_READABLE_PROGRAMS = compile_lazily(r"^(?:python(?:\d+(?:\.\d+)?)?|gunicorn|uvicorn|hypercorn|daphne|waitress-serve|flask|"
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


def run_time_writes(build, context_dir: str | os.PathLike[str] | None, program: str | None = None) -> RunTimeWrites:
    """What a non-root user must be able to write for the final image's app to keep working: its VOLUMEs,
    the folders RUNs of the shipped chain create, and the folders its sources write into (app_sources;
    relative paths against the WORKDIR; a path it cannot work out: unknown). Writes under /tmp need nothing.
    ``program``: the program the image will run, when the caller changes it (the rewrite drops an entrypoint
    script that only execs its arguments); else the one the image starts."""
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
    program = program or _program(build)
    if program is None:
        return RunTimeWrites(dirs, False, "the image runs its base image's command, whose writes dhard cannot read")
    files, languages, why = app_sources(build, context_dir, program)
    if files is None:
        return RunTimeWrites(dirs, False, why)
    if not files:
        return RunTimeWrites(dirs, True)
    outside = []
    state = build.end_state(stages[-1])
    image_env = lambda name: state.vars.get(name) if name in state.env else None  # noqa: E731
    for write in scan(context_dir, files, languages, image_env):
        if write.path is None:
            return RunTimeWrites(dirs, False, f"the app writes to a path dhard cannot work out ({write.file}:"
                                 f"{write.line}: {write.text})")
        target = posixpath.normpath(posixpath.join(workdir, write.path))
        if target == "/tmp" or target.startswith("/tmp/"):
            continue
        folder = target if _looks_like_dir(write) else posixpath.dirname(target)
        reason = (f"the app writes there ({write.text})", f"{write.file}:{write.line}")
        if folder in SYSTEM_DIRS or folder in _SHARED_DIRS:
            outside.append((target, reason))
        else:
            dirs.setdefault(folder, reason)
    if outside:
        return RunTimeWrites(dirs, False, f"the app writes to {outside[0][0]} ({outside[0][1][1]})", tuple(outside))
    return RunTimeWrites(dirs, True)


def app_sources(build, context_dir, program: str | None = None) -> tuple[list[str] | None, tuple, str | None]:
    """The app's source files in the build context, the languages to read them as, and why not (files None).

    An interpreted program's sources are the Python and JavaScript files the final chain copies from the
    context (an empty list: it copies none, so nothing of the app is written by hand); a compiled one's are
    the Go, Rust and Java files copied into the stages the final image is made from (the program is built
    there), and there must be some. Worked out once per file, context and program: the USER fix asks
    for writes and for listening ports."""
    program = program if program is not None else _program(build)
    key = ("app-sources", str(context_dir), program)
    return build.memo(key, lambda: _app_sources(build, context_dir, program))


def _app_sources(build, context_dir, program: str | None) -> tuple[list[str] | None, tuple, str | None]:
    if program is not None and _READABLE_PROGRAMS.match(program):
        files, why = _context_files(build, context_dir)
        return files, INTERPRETED, why
    what = program or "the base image's command"
    stages = _making_stages(build)
    files, why = _context_files(build, context_dir, tuple(stages))
    if files is None:
        return None, COMPILED, why
    compiled = [f for f in files if language_of(f) in COMPILED]
    if not compiled:
        return None, COMPILED, f"dhard cannot read where {what} writes: the build copies none of its Go, Rust or Java sources"
    return compiled, COMPILED, None


def _making_stages(build) -> list[int]:
    """The stages whose files end up in the final image: its chain and every stage those read, transitively."""
    todo = [stage.index for stage in build.final_chain]
    seen: list[int] = []
    while todo:
        index = todo.pop()
        if index in seen:
            continue
        seen.append(index)
        todo.extend(build.stage_inputs(build.df.stages[index]))
    return sorted(seen)


def _context_files(build, context_dir, stages: tuple | None = None) -> tuple[list[str] | None, str | None]:
    """Walked once per file, context and stages (None: the final chain): the USER fix asks for writes and
    for listening ports."""
    key = ("context-files", str(context_dir), stages)
    return build.memo(key, lambda: _walk_context_files(build, context_dir, stages))


def _walk_context_files(build, context_dir, stages) -> tuple[list[str] | None, str | None]:
    chosen = build.final_chain if stages is None else [build.df.stages[i] for i in stages]
    instructions = [ins for stage in chosen for ins in stage.instructions]
    sources = [s for ins in instructions if ins.name in ("COPY", "ADD") for s in _context_sources(build, ins)]
    if not sources:
        return [], None
    if context_dir is None or not os.path.isdir(os.fspath(context_dir) or "."):
        return None, "the build context is not at hand to read the app's sources"
    try:
        found = [shipped_files(context_dir, [s]) for s in sources]
        missing = [s for s, selected in zip(sources, found) if not selected]
        files = found[0] if len(sources) == 1 else shipped_files(context_dir, sources)  # one source: walked once
    except (OSError, ValueError):
        return None, "the build context could not be read"
    if missing:
        return None, f"{context_dir} does not hold {missing[0]}, so it is not the build context"
    return files, None


def _looks_like_dir(write: Write) -> bool:
    text = write.text.lower()
    return any(word in text for word in ("mkdir", "makedirs", "temp(", "create_dir", "createdirector"))


def _program(build) -> str | None:
    """The program the image starts: the first word of ENTRYPOINT + CMD (exec-form ENTRYPOINT takes CMD as
    its arguments), inits (tini --) and wrappers skipped."""
    entry, cmd = build.command
    if entry is None and cmd is None:
        return None
    words = _words(build, entry or cmd)
    if entry is not None and entry.json and cmd is not None:
        words += _words(build, cmd)
    while words and program_name(words[0]) in INITS:  # tini -s -- app: the options, then the program
        words = words[1:]
        while words and words[0].startswith("-"):
            ended = words[0] == "--"
            words = words[1:]
            if ended:
                break
    return program_name(words[0]) if words else None


def _words(build, instruction) -> list[str]:
    commands = build.script(instruction).commands
    if not commands:
        return []
    return [w.value or "" for w in unwrap(commands[0], inits=True).words]


def _context_sources(build, ins) -> list[str]:
    fact = copy_of(build, ins)
    if fact is None or not fact.from_context:
        return []
    return [s for s in fact.sources if s not in fact.urls]
