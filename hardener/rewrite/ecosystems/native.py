"""Compiled programs (Go, Rust, C) and downloaded binaries: find the file and how it links.

The fallback ecosystem, registered last: it claims every build the others do
not. The program the image runs is traced back to the step that made it: ``go
build -o``, ``go install``, ``cargo build``/``cargo install``, ``gcc -o``, a
download (``curl -o``, ``wget -O``, ``ADD <url>``), a ``COPY --from`` of another
stage (followed into that stage) or a file of the build context (its ELF
header is read). How it links picks the image:

- static (Go with ``CGO_ENABLED=0``, Rust for musl, ``gcc -static``, an ELF
  without an interpreter) -> ``static``;
- Go with cgo (the default on Debian) -> ``base`` (glibc);
- Rust / C / C++ on glibc, or not known -> ``cc`` (glibc + libgcc + libstdc++),
  with a warning when not known;
- built or downloaded on Alpine and not known to be static -> skip (musl).

Interpreters of runtimes no ecosystem rewrites (Ruby, PHP, .NET ...) are a
``no-counterpart`` skip here, not a program to trace.
"""

from __future__ import annotations

import posixpath
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from ...semantic.files import operands
from ...semantic.state import normalize as norm
from ...shell import unwrap
from .. import command, files
from ..plan import Facts, under
from ..result import Log, SkipError
from ..targets import debian_for, describe, native_image
from . import python
from .base import Plan

name = "native"

# Runtimes the image may run that no ecosystem rewrites yet.
UNSUPPORTED_RUNTIMES = frozenset(("dotnet", "ruby", "php", "perl", "bundle", "rails", "php-fpm", "deno", "bun"))


@dataclass
class Origin:
    kind: str  # go | rust | c | download | context | image | unknown
    path: str  # where the program is in the stage that has it
    linkage: str | None  # static | glibc | cc | musl | None (not known)
    ins: object = None
    note: str = ""
    copied_from: tuple | None = None  # (stage, path): the final chain's COPY --from=<stage> that brought it


def detect(facts: Facts) -> bool:
    """The fallback: whatever the image runs is taken for a program of its own, to be traced in plan."""
    return True


def plan(facts: Facts, target: str, log: Log) -> Plan:
    ex, dropped = command.demand(facts, log)
    argv = ex.argv
    base = posixpath.basename(argv[0])
    if base in UNSUPPORTED_RUNTIMES:
        raise SkipError("no-counterpart", f"the image runs {base}; dhard does not rewrite this runtime yet",
                        "use --level hardened")
    where = facts.where(ex.cmd_ins or ex.entry_ins)
    origin = None
    for cand in command.resolve_program(facts, argv[0]):
        origin = find_origin(facts, facts.chain, cand)
        if origin is not None:
            break
    if origin is None:
        # a bare name on an image with a Python: most likely a console script pip put there
        raise python.console_script_skip(facts, argv[0]) or SkipError(
            "unknown-binary",
            f"the image runs {argv[0]}, and dhard cannot tell which step of the build puts it there "
            "(an OS package or the base image's own program would need that OS at run time)",
            "use --level hardened, or build the program in a stage of its own",
        )
    linkage = origin.linkage
    os_info = _stage_os(facts, origin)
    runtime_of_base = facts.root_info.runtime
    if linkage is None and runtime_of_base not in (None, "go", "rust"):
        # e.g. a .NET apphost or a launcher script on an image that carries its runtime
        raise SkipError(
            "no-counterpart",
            f"the image runs {argv[0]} on {facts.root.base.written}, whose {runtime_of_base} runtime it may need; "
            f"dhard does not rewrite {runtime_of_base} apps onto a runtime-less base",
            "use the runtime's own shell-less image (for .NET: the -chiseled or -distroless tags), or --level hardened",
        )
    if origin.kind == "context" and linkage is None:
        found = _context_file_of(facts, origin)
        if found is None:
            raise SkipError("missing-context", f"{origin.path} comes from the build context ({origin.note}) and dhard "
                            "cannot read it to tell whether it is a program or a script",
                            "pass --context with the directory the image is built from")
        raise SkipError("entrypoint-script", f"{origin.path} ({origin.note}) is not a compiled program; a script "
                        "needs an interpreter or a shell the target does not have",
                        "run the program it starts directly, in exec form")
    if linkage is None:
        if os_info.libc == "musl" or os_info.family == "alpine":
            raise SkipError("musl", f"{origin.path} comes from an Alpine (musl) build or image and dhard cannot tell "
                            "that it is statically linked; a musl binary does not start on the glibc-based target",
                            "build it statically (CGO_ENABLED=0 for Go) or on Debian")
        linkage = "cc"
        log.warn(f"dhard cannot tell how {origin.path} is linked ({origin.note or origin.kind}); it is shipped on the "
                 "cc image (glibc, libgcc, libstdc++). Use the static image if it is statically linked", facts.where(origin.ins))
    if linkage == "musl":
        raise SkipError("musl", f"{origin.path} is linked against musl (Alpine); it does not start on the glibc-based target",
                        "build it statically (CGO_ENABLED=0 for Go, --target x86_64-unknown-linux-musl for Rust) or on Debian")
    debian = debian_for(os_info.family, os_info.os_version) if linkage != "static" else "12"
    image = native_image(target, linkage, debian)
    if image is None:
        raise SkipError("no-counterpart", f"{target} has no image for a {linkage} program", "use --target distroless")
    runtime = describe(image, target)
    variant = {"static": "static", "glibc": "base", "cc": "cc"}[linkage]
    log.why(f"{origin.path} is {_describe(origin, linkage)}: shipped on {image} ({variant})", facts.where(origin.ins))
    program = origin.path
    out = Plan(runtime=runtime, command=ex, program=program)
    compiled = origin.kind in ("go", "rust", "c") and origin.ins is not None and origin.ins in facts.instructions
    # the command: the program by its absolute path (the builder's PATH is not carried)
    if ex.entry:
        out.entrypoint = [origin.path, *ex.entry[1:]]
        out.cmd = list(ex.cmd) or None
    else:
        out.cmd = [origin.path, *ex.cmd[1:]]
    if argv[0] != origin.path:
        log.why(f"{argv[0]} is called by its path {origin.path}: the build image's PATH is not the target's", where)
    exclude = {p for p in dropped if p}
    assets = files.asset_roots(facts, exclude | {program}, compiled=compiled, log=log, program=program)
    direct = _direct_copy(facts, origin) if not assets else None
    if direct is not None:
        out.copies.append(direct)
        log.why(f"{program} is copied straight from the stage {direct.stage} ({direct.src}), where the build "
                "made it: the original final stage is not built", facts.where(origin.ins))
    out.roots = files.outermost(([] if direct else [program]) + assets)
    return out


def _direct_copy(facts: Facts, origin: Origin):
    """The program as the final stage's COPY --from brought it, when nothing in the final chain touches it after."""
    if origin.copied_from is None or origin.copied_from[0] is None:
        return None
    stage, path = origin.copied_from
    copy_ins = next((f.ins for f in facts.copies if f.from_stage == stage and f.dest is not None
                     and (f.dest == origin.path or under(origin.path, f.dest))), None)
    if copy_ins is None or any(ins.name == "RUN" and ins.index > copy_ins.index for ins in facts.instructions):
        return None
    return files.CopySpec(path, origin.path, stage)


def _describe(origin: Origin, linkage: str) -> str:
    kinds = {"go": "a Go binary", "rust": "a Rust binary", "c": "a C/C++ program", "download": "downloaded",
             "context": "a file of the build context", "image": "copied from another image"}
    links = {"static": "statically linked", "glibc": "linked against glibc", "cc": "linked against glibc and libgcc/libstdc++"}
    return f"{kinds.get(origin.kind, origin.kind)}, {links[linkage]}"


def _stage_os(facts: Facts, origin: Origin):
    ins = origin.ins
    stage = facts.df.stage_of(ins) if ins is not None and hasattr(ins, "stage") else None
    if stage is None:
        return facts.root_info
    return facts.build.image_of(stage)


# A record of how a path came to be, in build order:
#   ("file", path, Origin)           exactly this path
#   ("dir", path, Origin)            anything under this directory
#   ("copy", CopyFact)               COPY/ADD (resolved lazily, may follow another stage)
#   ("move", dest, [srcs], ins)      mv / cp / install / ln: the path came from a source


def find_origin(facts: Facts, chain: list, path: str, depth: int = 0) -> Origin | None:
    """How the file at ``path`` came to be in ``chain`` (stages, root first), if the build says."""
    if depth > 8:
        return None
    records: list[tuple] = []
    for ins in [i for s in chain for i in s.instructions]:
        if ins.name in ("COPY", "ADD"):
            fact = facts.copy_fact(ins)
            if fact is not None:
                records.append(("copy", fact))
        elif ins.name == "RUN":
            records.extend(_run_records(facts, ins))
    return _lookup(facts, records, len(records), path, depth)


def _lookup(facts: Facts, records: list, upto: int, path: str, depth: int) -> Origin | None:
    for i in range(upto - 1, -1, -1):
        rec = records[i]
        kind = rec[0]
        if kind == "file" and rec[1] == path:
            o = rec[2]
            return Origin(o.kind, path, o.linkage, o.ins, o.note)
        if kind == "dir" and under(path, rec[1]):
            o = rec[2]
            return Origin(o.kind, path, o.linkage, o.ins, o.note)
        if kind == "move":
            dest, srcs, ins = rec[1], rec[2], rec[3]
            src = None
            if dest == path and len(srcs) == 1:
                src = srcs[0]
            elif under(path, dest) and path != dest:
                rel = path[len(dest):].lstrip("/")
                for s in srcs:
                    if posixpath.basename(s) == rel:
                        src = s
            if src is not None:
                inner = _lookup(facts, records, i, src, depth)
                if inner is not None:
                    return Origin(inner.kind, path, inner.linkage, inner.ins, inner.note)
                return Origin("unknown", path, None, ins, f"moved from {src}")
        if kind == "copy":
            origin = _from_copy(facts, rec[1], path, depth)
            if origin is not None:
                return origin
    return None


def _from_copy(facts: Facts, fact, path: str, depth: int) -> Origin | None:
    ins = fact.ins
    dest = fact.dest
    if dest == path:
        rel = posixpath.basename(path) if fact.dest_is_dir else ""
    elif fact.dest_is_dir and under(path, dest):
        rel = path[len(dest):].lstrip("/")
    else:
        return None
    if fact.urls:
        url = fact.urls[0]
        if fact.dest_is_dir and posixpath.basename(url.split("?", 1)[0]) != rel:
            return None
        return Origin("download", path, None, ins, f"ADD {url}")
    if fact.heredoc:
        return Origin("unknown", path, None, ins, "a heredoc")
    if fact.from_stage is not None:
        stage = facts.df.stage_named(fact.from_stage)
        if stage is None:
            if dest == "/" and fact.dest_is_dir:
                return None  # a whole image root copied in: it says nothing about one file
            return Origin("image", path, None, ins, f"copied from the image {fact.from_stage}")
        for source in fact.sources:
            src = source if source.startswith("/") else "/" + source
            if fact.dest_is_dir and rel:
                # COPY --from=b /out/app /bin/ -> /bin/app ; COPY --from=b /out/ /bin/ -> /bin/<rel> from /out/<rel>
                cands = [norm(posixpath.join(src, rel))]
                if posixpath.basename(src.rstrip("/")) == rel:
                    cands.insert(0, norm(src))
            else:
                cands = [norm(src)]
            for cand in cands:
                inner = find_origin(facts, facts.build.chain(stage), cand, depth + 1)
                if inner is not None:
                    return Origin(inner.kind, path, inner.linkage, inner.ins, inner.note, (fact.from_stage, cand))
        return Origin("image", path, None, ins, f"copied from the stage {fact.from_stage}")
    if facts.context_dir is not None:
        for source in fact.sources:
            cand = facts.context_dir / source.strip("/")
            if fact.dest_is_dir and rel and cand.is_dir():
                cand = cand / rel
            elif fact.dest_is_dir and rel and posixpath.basename(source.rstrip("/")) != rel:
                continue
            if cand.is_file():
                return Origin("context", path, elf_linkage(cand), ins, f"{source} from the build context")
        return None
    return Origin("context", path, None, ins, "a file of the build context")


def _run_records(facts: Facts, ins) -> list[tuple]:
    script = facts.build.script(ins)
    env = facts.vars_at(ins)
    info = facts.build.image_of(facts.df.stage_of(ins))
    alpine = info.libc == "musl" or info.family == "alpine"
    out: list[tuple] = []
    for raw in script.commands:
        cmd = unwrap(raw)
        name = cmd.name
        argv = cmd.argv()
        if not name:
            continue
        cwd = facts.cwd_of(ins, raw)
        assigns = {a.raw.split("=", 1)[0]: (a.value or "").split("=", 1)[-1] for a in cmd.assignments}
        if name == "go" and len(argv) >= 2 and argv[1] in ("build", "install"):
            target = _go_output(facts, cmd, argv, cwd, env)
            if target:
                cgo = assigns.get("CGO_ENABLED", env.get("CGO_ENABLED"))
                if cgo == "0":
                    linkage = "static"
                elif alpine:
                    linkage = None  # cgo against musl, or static when there is no C compiler: not known
                else:
                    linkage = "glibc"
                out.append(("file", target, Origin("go", target, linkage, ins, "go " + argv[1])))
        elif name == "cargo" and len(argv) >= 2 and argv[1] in ("build", "install"):
            triple = cmd.flag_value("--target") or env.get("CARGO_BUILD_TARGET") or ""
            linkage = "static" if ("musl" in triple or alpine) else "cc"
            base = _cargo_dir(cmd, argv, cwd, env)
            out.append(("dir", base, Origin("rust", base, linkage, ins, "cargo " + argv[1])))
        elif name in ("gcc", "g++", "cc", "c++", "clang", "clang++"):
            target = cmd.flag_value("-o")
            if target:
                linkage = "static" if cmd.has_flag("-static") else ("musl" if alpine else "cc")
                p = _abs(cwd, target)
                out.append(("file", p, Origin("c", p, linkage, ins, name)))
        elif name == "curl":
            target = cmd.flag_value("-o") or cmd.flag_value("--output")
            if target and target != "-":
                p = _abs(cwd, target)
                out.append(("file", p, Origin("download", p, None, ins, "downloaded with curl")))
        elif name == "wget":
            target = cmd.flag_value("-O") or cmd.flag_value("--output-document")
            if target and target != "-":
                p = _abs(cwd, target)
                out.append(("file", p, Origin("download", p, None, ins, "downloaded with wget")))
        elif name in ("tar", "unzip"):
            target = cmd.flag_value("-C") or cmd.flag_value("--directory") if name == "tar" else cmd.flag_value("-d")
            p = _abs(cwd, target) if target else cwd
            out.append(("dir", p, Origin("download", p, None, ins, f"unpacked with {name}")))
        elif name in ("mv", "cp", "install", "ln"):
            pos = [x for x in operands(cmd, "mogtS" if name == "install" else "tS") if x is not None]
            if len(pos) >= 2:
                out.append(("move", _abs(cwd, pos[-1]), [_abs(cwd, x) for x in pos[:-1]], ins))
    return out


def _abs(cwd: str, path: str) -> str:
    return norm(path if path.startswith("/") else posixpath.join(cwd, path))


def _go_output(facts: Facts, cmd, argv, cwd: str, env: dict) -> str | None:
    pkgs = [p for p in operands(cmd, "o", ("-o", "-ldflags", "-gcflags", "-tags", "-mod", "-trimpath", "-p"))
            if p is not None]
    # operands treats "-o x" values: the short-option table cannot know Go's single-dash long flags
    pkgs = [p for p in pkgs if not p.endswith(".go") or len(pkgs) == 1]
    name = None
    if pkgs:
        last = pkgs[0].split("@", 1)[0].rstrip("/")
        if last.endswith(".go"):
            name = posixpath.basename(last)[:-3]
        elif last in (".", "./..."):
            name = _module_name(facts, cwd)
        else:
            name = posixpath.basename(last)
    else:
        name = _module_name(facts, cwd)
    if argv[1] == "build":
        out = cmd.flag_value("-o")
        if out:
            p = _abs(cwd, out)
            if out.endswith("/"):
                return norm(posixpath.join(p, name or "")) if name else None
            return p
        return norm(posixpath.join(cwd, name)) if name else None
    gobin = env.get("GOBIN")
    gopath = env.get("GOPATH") or "/go"
    base = gobin or posixpath.join(gopath, "bin")
    return norm(posixpath.join(base, name)) if name else None


def _module_name(facts: Facts, cwd: str) -> str | None:
    path = facts.context_file(posixpath.join(cwd, "go.mod"))
    if path is not None:
        try:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                m = re.match(r"^\s*module\s+(\S+)", line)
                if m:
                    return posixpath.basename(m.group(1).strip('"'))
        except OSError:
            pass
    base = posixpath.basename(cwd)
    return base or None


def _cargo_dir(cmd, argv, cwd: str, env: dict) -> str:
    """The directory cargo puts binaries in."""
    if argv[1] == "install":
        root = cmd.flag_value("--root") or env.get("CARGO_INSTALL_ROOT") or env.get("CARGO_HOME") or "/usr/local/cargo"
        return norm(posixpath.join(root, "bin"))
    target_dir = _abs(cwd, cmd.flag_value("--target-dir") or env.get("CARGO_TARGET_DIR") or "target")
    profile = "release" if cmd.has_flag("--release", "-r") else (cmd.flag_value("--profile") or "debug")
    triple = cmd.flag_value("--target") or env.get("CARGO_BUILD_TARGET")
    return norm(posixpath.join(target_dir, triple, profile) if triple else posixpath.join(target_dir, profile))


def elf_linkage(path: Path) -> str | None:
    """static / musl / cc from an ELF file's program headers (PT_INTERP); None if not ELF or unreadable."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head[:4] != b"\x7fELF":
                return None
            is64 = head[4] == 2
            little = head[5] == 1
            end = "<" if little else ">"
            if is64:
                phoff, = struct.unpack(end + "Q", head[32:40])
                phentsize, phnum = struct.unpack(end + "HH", head[54:58])
            else:
                phoff, = struct.unpack(end + "I", head[28:32])
                phentsize, phnum = struct.unpack(end + "HH", head[42:46])
            for n in range(min(phnum, 64)):
                handle.seek(phoff + n * phentsize)
                ph = handle.read(phentsize)
                ptype, = struct.unpack(end + "I", ph[:4])
                if ptype == 3:  # PT_INTERP
                    if is64:
                        offset, = struct.unpack(end + "Q", ph[8:16])
                        size, = struct.unpack(end + "Q", ph[32:40])
                    else:
                        offset, = struct.unpack(end + "I", ph[4:8])
                        size, = struct.unpack(end + "I", ph[16:20])
                    handle.seek(offset)
                    interp = handle.read(min(size, 256)).rstrip(b"\0").decode("ascii", "replace")
                    return "musl" if "musl" in interp else "cc"
            return "static"
    except (OSError, struct.error, IndexError):
        return None


def _context_file_of(facts: Facts, origin: Origin) -> Path | None:
    """The context file a 'context' origin came from, when it can be read."""
    if facts.context_dir is None or origin.ins is None:
        return None
    fact = facts.copy_fact(origin.ins)
    if fact is None:
        return None
    for source in fact.sources:
        cand = facts.context_dir / source.strip("/")
        if cand.is_dir():
            cand = cand / posixpath.basename(origin.path)
        if cand.is_file():
            return cand
    return None
