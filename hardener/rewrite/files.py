"""Which paths the new final stage copies out of the builder, and who owns them.

*App roots* are where the original put the app: every COPY/ADD destination of
the chain, widened to the final WORKDIR when it lies inside it (so files the
build generates next to the app — compiled assets, ``node_modules`` — come
along), never a system directory as a whole. A compiled app (Go, Rust, C,
Java) is narrower: its program or jars, and what other stages or the build
context put beside it (``asset_roots``), not the sources it was built from.

Ownership: the app runs as 65532. What the original handed to a non-root user
or made writable (``chown``, ``COPY --chown``, ``chmod o+w``) and every VOLUME
it creates is copied with ``--chown=65532:65532``; the rest stays root-owned and
read-only for the app.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ..semantic.files import SYSTEM_DIRS
from .plan import Facts, under
from .result import Log


@dataclass
class CopySpec:
    src: str
    dest: str
    stage: str | None  # the builder stage to copy from (None: the build context)
    chown: bool = False
    why: str = ""


BIN_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")


def app_roots(facts: Facts, exclude: set[str] | None = None, include_context: bool = True, log: Log | None = None,
              tools: bool = True) -> list[str]:
    """Paths holding the app in the builder (deduplicated, outermost only).

    ``tools=False`` leaves out programs copied into bin directories (uv, tini, gosu ...): an app
    run by an interpreter does not start them.
    """
    exclude = exclude or set()
    workdir = facts.workdir
    use_workdir = workdir not in SYSTEM_DIRS
    roots: list[str] = []
    for fact in facts.copies:
        if fact.from_context and not include_context:
            continue
        if fact.dest in exclude or under(fact.dest, "/tmp"):
            continue  # /tmp holds what the build needed, not the app
        if not tools and any(under(fact.dest, b) for b in BIN_DIRS):
            if log is not None:
                log.why(f"{fact.dest} is not copied: a program in a bin directory that the app's interpreter "
                        "does not start", facts.where(fact.ins))
            continue
        if use_workdir and under(fact.dest, workdir):
            roots.append(workdir)
            continue
        roots.extend(p for p in app_roots_for(facts, fact, log) if p not in exclude)
    if use_workdir and workdir in facts.workdirs_used and workdir not in roots:
        roots.append(workdir)
    return outermost(roots)


def app_roots_for(facts: Facts, fact, log: Log | None = None) -> list[str]:
    """Where one COPY/ADD put things; a system directory is narrowed to the files copied into it."""
    if not (fact.dest in SYSTEM_DIRS or (fact.dest_is_dir and _is_system(fact.dest))):
        return [fact.dest]
    out = []
    for source in fact.sources:
        if source in fact.urls:
            base = posixpath.basename(source.split("?", 1)[0])
        elif fact.from_context and facts.context_dir is not None and (facts.context_dir / source.strip("/")).is_file():
            base = posixpath.basename(source.rstrip("/"))
        else:
            base = ""
        if not base or any(ch in base for ch in "*?["):
            if log is not None:
                log.warn(f"{fact.ins.name} {source} into {fact.dest} is not copied to the runtime image: dhard cannot "
                         f"tell which files it puts into that system directory", facts.where(fact.ins))
            continue
        out.append(posixpath.join(fact.dest, base))
    return out


# Programs that build or compile: a build that runs one ships what it made, not its sources.
COMPILE_NAMES = frozenset({"go", "cargo", "gcc", "g++", "cc", "c++", "clang", "clang++", "rustc", "javac", "mvn",
                           "gradle", "./gradlew", "gradlew", "make", "cmake", "dotnet", "tsc", "npm", "yarn", "pnpm"})


def compiles(facts: Facts) -> bool:
    """Whether a RUN of the chain builds or compiles something (COMPILE_NAMES)."""
    return any(cmd.name in COMPILE_NAMES for _, script in facts.runs for cmd in script.commands)


def asset_roots(facts: Facts, exclude: set[str], compiled: bool, log: Log, program: str | None = None) -> list[str]:
    """What else the original put in the image next to the program (``compiled``: it was built in the chain)."""
    roots = []
    for fact in facts.copies:
        if fact.dest in exclude or any(under(e, fact.dest) and fact.dest_is_dir is False for e in exclude):
            continue
        if program and under(program, fact.dest) and (
            not fact.dest_is_dir or posixpath.basename(program) in {posixpath.basename(s.rstrip("/")) for s in fact.sources}
        ):
            continue  # the COPY that brings the program itself
        if fact.from_context and compiled:
            continue
        if fact.from_stage is not None or not compiled:
            for r in app_roots_for(facts, fact, log):
                if r not in exclude:
                    roots.append(r)
    if compiled and facts.context_dir is not None:
        roots.extend(r for r in _read_assets(facts, log) if r not in exclude and r not in roots)
    return roots


_SOURCE = re.compile(
    r"(?:^|/)(?:[^/]+\.(?:go|rs|java|kt|scala|c|h|cc|cpp|hpp|gradle|kts|md|txt|lock|sum|mod|toml|xml|sh|bat|cmd)"
    r"|Dockerfile[^/]*|\.dockerignore|\.gitignore|\.git/.*|LICENSE[^/]*|Makefile|gradlew|mvnw|\.mvn/.*|gradle/.*"
    r"|target/.*|build/.*|\.github/.*|\.idea/.*|\.vscode/.*)$"
)


def _read_assets(facts: Facts, log: Log) -> list[str]:
    """Files of the source tree a program built in the image reads when it runs (``analysis.reads``): they
    are copied next to it. A read whose path dhard cannot work out makes the rewrite unproven; the other
    files of the tree are named in a warning."""
    from ..analysis import reads
    from ..analysis.context import shipped_files

    try:
        shipped = shipped_files(facts.context_dir, facts.context_sources())
    except Exception:  # noqa: BLE001 - a context we cannot read is not a reason to fail
        return []
    extra = {f: _image_path(facts, f) for f in shipped
             if not _SOURCE.search(f) and not f.startswith(("src/test/", "test/", "tests/"))}
    if not extra:
        return []
    roots, covered = [], set()
    for read in reads.scan(facts.context_dir, shipped, env=facts.env_end.get):
        if read.path is None:
            log.unproven(f"{read.file}:{read.line} reads a file whose path dhard cannot work out ({read.text}); "
                         "only the program and the files it names plainly are copied")
            continue
        path = posixpath.normpath(posixpath.join(facts.workdir, read.path))
        hits = {f for f, image in extra.items() if image is not None and (image == path or under(image, path))}
        if hits:
            roots.append(path)
            covered |= hits
            log.why(f"{path} is copied next to the program: {read.file}:{read.line} reads it ({read.text})")
    left = sorted(set(extra) - covered)
    if left:
        shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
        log.warn(f"only the program and the files its sources read are copied to the runtime image, not the other "
                 f"files of the build context ({shown}); add COPY --from={facts.alias} lines if the program reads "
                 "them at run time")
    return roots


def _image_path(facts: Facts, rel: str) -> str | None:
    """Where the context file ``rel`` lands in the image (the last COPY/ADD that brings it), None if not known."""
    for fact in reversed(facts.copies):
        if not fact.from_context or fact.urls or fact.dest is None:
            continue
        found = landing(fact, rel)
        if found is not _ELSEWHERE:
            return found
    return None


_ELSEWHERE = object()  # landing: the COPY does not bring the file


def landing(fact, rel: str):
    """Where the context file ``rel`` lands when the context COPY/ADD ``fact`` brings it: a path, None when
    it brings it but dhard cannot tell where (``.`` into a file, a wildcard source), ``_ELSEWHERE`` when no
    source of it names the file."""
    for source in fact.sources:
        src = source.strip("/")
        if src in ("", "."):
            return posixpath.join(fact.dest, rel) if fact.dest_is_dir else None
        if rel == src:
            return posixpath.join(fact.dest, posixpath.basename(rel)) if fact.dest_is_dir else fact.dest
        if rel.startswith(src + "/") and fact.dest_is_dir:
            return posixpath.join(fact.dest, rel[len(src) + 1:])
    return _ELSEWHERE


def _is_system(path: str) -> bool:
    return path in SYSTEM_DIRS


def outermost(paths: list[str]) -> list[str]:
    out: list[str] = []
    for path in dict.fromkeys(paths):
        if any(under(path, other) and path != other for other in paths):
            continue
        out.append(path)
    return out


def owned_copies(facts: Facts, roots: list[str], stage: str, log: Log,
                 app_writes: dict[str, tuple[str, str]] | None = None) -> list[CopySpec]:
    """CopySpecs for ``roots`` plus the writable paths and volumes, with --chown where the app writes.

    ``app_writes``: path -> (why, where) for directories the app's sources write into.
    """
    reasons: dict[str, tuple[str, str | None]] = {}
    for path, ins in facts.writable_paths().items():
        reasons[path] = ("the original made it writable for the app", facts.where(ins))
    created = facts.created_paths()
    for path, ins in facts.volume_paths():
        if path in created or any(under(path, r) for r in roots):
            reasons.setdefault(path, ("it is a VOLUME the app writes to", facts.where(ins)))
        else:
            log.warn(
                f"VOLUME {path} is not created by the build: Docker will create it owned by root, "
                "and uid 65532 cannot write to it; create it in the build (mkdir) and run dhard harden again",
                facts.where(ins),
            )
    for path, why in (app_writes or {}).items():
        reasons.setdefault(path, why)
    reasons = {w: r for w, r in reasons.items()
               if w not in SYSTEM_DIRS and not any(under(w, p) for p in ("/root", "/proc", "/dev", "/sys", "/tmp"))}
    paths = list(roots)
    for w in reasons:
        if not any(under(w, r) for r in roots):
            paths.append(w)  # a chown/chmod target or a COPY destination: it exists in the builder
    paths = outermost(paths)
    copies: list[CopySpec] = []
    for path in paths:
        owner = next((w for w in reasons if under(path, w)), None)
        copies.append(CopySpec(path, path, stage, owner is not None))
        if owner is not None:
            why, where = reasons[owner]
            log.why(f"{path} is copied owned by 65532: {why}", where)
    for w, (why, where) in reasons.items():
        if any(under(w, c.src) and c.src != w and not c.chown for c in copies):
            copies.append(CopySpec(w, w, stage, True))
            log.why(f"{w} is copied again owned by 65532: {why}", where)
    return copies
