"""nginx: a final stage on the nginx image (official, -alpine, nginx-unprivileged) serving files.

The program is configured by files, so the plan never asks for a command: it
reads the configuration the original image would run, adapts it for a
non-root nginx and ships it on the target's nginx.

1. The configuration: the source image's own files (``images.nginx.SOURCES``),
   with the Dockerfile's changes applied in order: a COPY of build-context
   files into ``/etc/nginx`` replaces or adds files (read with
   ``read_context_file``), ``rm`` removes them. A COPY into /etc/nginx from a
   stage or a URL, a RUN that does anything else to /etc/nginx, templates or
   entrypoint scripts (filled or run by the original's shell entrypoint at
   start) are a skip: dhard cannot know the files the master would read.
2. ``analysis.nginx.adapt`` makes it run as a non-root master (ports below 1024
   move, pid/temp/logs go to writable places) or refuses, naming file:line.
3. What changed, and the source image's files the target lacks, are written
   as new files of the build context under ``dhard-nginx/`` (``Plan.files``;
   ``dhard harden --write`` writes them next to the Dockerfile) and copied
   over the target's /etc/nginx; a target file an include of the kept
   configuration matches, which the original did not have, is emptied. The
   user's unchanged files, and everything else the final stage added (the
   site), are copied from the original stage.
4. EXPOSE names the new ports; the command is the target's nginx, in the
   foreground, with the main file named.
"""

from __future__ import annotations

import posixpath

from ...images.nginx import COMMAND, CONF_DIR, HTML_DIR, MAIN_CONF, NO_TARGET, PACKAGE_FILES, SOURCES, TARGETS, Source
from ...shell import unwrap
from ..plan import simple_command, under
from ..result import SkipError
from ..targets import Runtime
from .base import Plan, package_commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..plan import Facts
    from ..result import Log

name = "nginx"
OUT_DIR = "dhard-nginx"  # where the adapted files go, in the build context
MAX_CONF_BYTES = 1 << 20
ALLOWED_PROGRAMS = frozenset({"rm", "mkdir", "chown", "chmod", "touch", "ln", "true", ":", "set", "echo"})  # see _runs
HARMLESS_REDIRECTS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})


def detect(facts: Facts) -> bool:
    return _source(facts) is not None


def _source(facts: Facts) -> Source | None:
    return SOURCES.get(facts.root_info.key)


def plan(facts: Facts, target: str, log: Log) -> Plan:
    from ..targets import elsewhere

    source = _source(facts)
    assert source is not None
    layout = TARGETS.get(target)
    counterparts = dict(facts.root_info.counterparts or {})
    image = counterparts.get(target)
    if layout is None or not image:
        raise SkipError("no-counterpart", NO_TARGET.get(target, f"{target} publishes no nginx image"),
                        elsewhere(counterparts, target, "--level hardened"))
    _own_command(facts)
    files, origins, roots = _image_files(facts, source)
    adapted, config = _adapt(facts, files, origins, source, layout)
    out, copies = _outputs(facts, files, origins, adapted, config, layout, log)
    ports = dict(adapted.ports)
    for old, new in sorted(ports.items()):
        log.warn(f"nginx listens on {new} instead of {old}: a non-root master cannot bind a port below 1024; "
                 f"publish it as before with `-p {old}:{new}` (compose `ports: [\"{old}:{new}\"]`)")
    for change in adapted.changes:
        log.why(f"{_shown(change.file, origins)}:{change.line}: {change.message}")
    if files.get(f"{CONF_DIR}/conf.d/default.conf") == source.files.get(f"{CONF_DIR}/conf.d/default.conf") \
            and source.as_root:
        log.why("the official image's entrypoint adds `listen [::]:80` to its untouched default.conf when the "
                "container has IPv6; the rewrite listens on IPv4 as written")
    if _served(config) and not any(under(HTML_DIR, r) or under(r, HTML_DIR) for r in roots):
        roots.append(HTML_DIR)  # the source image's pages, which the configuration serves
    runtime = Runtime(image, "nginx", (layout.binary,), None, layout.uid)
    return Plan(
        runtime=runtime,
        roots=roots,
        copies=copies,
        entrypoint=[layout.binary],
        cmd=list(COMMAND),
        provided=frozenset({"nginx"}),
        command_ports=False,
        files=out,
        expose=_expose(facts, ports),
        ports=ports,
        writes=list(adapted.writable_dirs),
    )


def _own_command(facts: Facts) -> None:
    """The image must run the source image's own command: nginx in the foreground."""
    entry, cmd = facts.build.command
    if entry is not None:
        raise SkipError("unsupported", f"the nginx stage sets its own ENTRYPOINT ({facts.where(entry)}); dhard moves "
                        "only the image's own nginx command", "drop the ENTRYPOINT, or harden with --level hardened")
    if cmd is None or cmd.stage not in facts.chain_indexes:
        return
    words = list(cmd.argv or ()) if cmd.json else simple_command(cmd.args, f"CMD {cmd.args}", facts.where(cmd))
    if words not in (["nginx"], ["nginx", "-g", "daemon off;"]):
        raise SkipError("unsupported", f"CMD {cmd.args.strip()} ({facts.where(cmd)}) is not the nginx image's own "
                        "command (nginx -g 'daemon off;')", "run nginx as the image does, with its settings in the "
                        "configuration")


def _image_files(facts: Facts, source: Source) -> tuple[dict, dict, list[str]]:
    """(path -> text of each configuration file in the original image, path -> the context file it came from,
    the other paths the final stage's COPYs made: the site)."""
    files = dict(source.files)
    origins: dict[str, str] = {}
    roots: list[str] = []
    for ins in facts.instructions:
        if ins.name in ("COPY", "ADD"):
            fact = facts.copy_fact(ins)
            if fact is None:
                raise SkipError("unsupported", f"{ins.keyword} ({facts.where(ins)}) cannot be read", None)
            if fact.dest and under(fact.dest, CONF_DIR) or any(under(fact.dest, d) for d in source.entrypoint_dirs):
                _copied_config(facts, ins, fact, source, files, origins)
            elif fact.dest and not under(fact.dest, "/tmp"):
                roots.append(fact.dest)
        elif ins.name == "RUN":
            _runs(facts, ins, files)
    return files, origins, roots


def _copied_config(facts: Facts, ins, fact, source: Source, files: dict, origins: dict) -> None:
    from ...analysis.context import read_context_file, shipped_files
    from ..files import landing

    where = facts.where(ins)
    for folder in source.entrypoint_dirs:
        if under(fact.dest, folder) or under(folder, fact.dest):
            raise SkipError("entrypoint-script", f"{ins.keyword} into {folder} ({where}): the nginx image's "
                            "entrypoint script reads it at start (templates filled with envsubst, scripts run), "
                            "and the target has no shell to do that", "write the configuration as nginx reads it")
    if not fact.from_context or fact.urls:
        source_of = f"--from={fact.from_stage}" if fact.from_stage else "a URL or heredoc"
        raise SkipError("unsupported", f"{ins.keyword} {source_of} into {fact.dest} ({where}): dhard reads the "
                        "nginx configuration from the build context only", "copy the configuration from the "
                        "build context")
    if facts.context_dir is None:
        raise SkipError("missing-context", f"the nginx configuration copied at {where} is in the build context, "
                        "which dhard was not given", "run dhard harden with --context")
    for source_path in fact.sources:
        try:
            shipped = shipped_files(facts.context_dir, [source_path])
        except (OSError, ValueError):
            shipped = []
        if not shipped:
            raise SkipError("missing-context", f"{source_path} ({where}) is not in the build context", None)
        for found in shipped:
            dest = landing(fact, found)
            if not isinstance(dest, str):
                raise SkipError("unsupported", f"dhard cannot tell where {ins.keyword} {source_path} ({where}) puts "
                                f"{found} in {CONF_DIR}", "name the configuration files the COPY brings")
            try:
                data = read_context_file(facts.context_dir, found, MAX_CONF_BYTES)
            except (OSError, ValueError) as exc:
                raise SkipError("missing-context", f"{found} ({where}) cannot be read: {exc}", None) from None
            files[posixpath.normpath(dest)] = data.decode("utf-8", "surrogateescape")
            origins[posixpath.normpath(dest)] = found


def _runs(facts: Facts, ins, files: dict) -> None:
    """A RUN of the nginx stage may install packages, remove files and make folders; nothing else is read."""
    from ...semantic.files import operands, run_path

    script = facts.build.script(ins)
    where = facts.where(ins)
    if not script.known:
        raise SkipError("unsupported", f"the RUN at {where} cannot be read ({'; '.join(script.unknown_reasons)})", None)
    packages = {id(raw) for i, raw, _ in package_commands(facts) if i is ins}
    for raw in script.commands:
        cmd = unwrap(raw)
        _redirects(raw, where)
        if not cmd.words:
            continue  # assignments only (x="$(...)"): the commands it substitutes are judged on their own
        if cmd.name not in ALLOWED_PROGRAMS and id(raw) in packages:
            continue  # installs and removes packages: the main flow judges them
        if cmd.name not in ALLOWED_PROGRAMS:
            raise SkipError("unsupported", f"`{' '.join(w.raw for w in cmd.words)}` ({where}) in the nginx stage: "
                            "dhard cannot tell what it changes in what nginx reads",
                            "move the step to a builder stage, or harden with --level hardened")
        for word in operands(cmd):
            path = run_path(facts.build, ins, cmd, word) if word else None
            if word is not None and path is None and word.startswith(CONF_DIR):
                path = word  # a pattern: rm /etc/nginx/conf.d/*
            if path is None or not under(path, CONF_DIR) and not under(CONF_DIR, path):
                continue
            if cmd.name != "rm":
                raise SkipError("unsupported", f"`{' '.join(w.raw for w in cmd.words)}` ({where}) changes {path}, "
                                "which nginx reads", "copy the configuration as nginx should read it")
            _remove(files, path)


def _redirects(cmd, where: str) -> None:
    """A redirection to a file may write anything anywhere: only the harmless ones pass."""
    for text in cmd.redirects:
        target = text.lstrip("0123456789&").lstrip("<>|").strip()
        if target.startswith("&") or target in HARMLESS_REDIRECTS:
            continue
        if text.lstrip("0123456789").startswith("<") and not text.lstrip("0123456789").startswith("<>"):
            continue  # reads a file
        raise SkipError("unsupported", f"`{text}` ({where}) in the nginx stage: a redirection writes a file dhard "
                        "cannot follow, which may be one nginx reads", "write the file in a builder stage and COPY it")


def _remove(files: dict, pattern: str) -> None:
    from ...analysis.nginx.config import glob_match

    for path in [p for p in files if p == pattern or under(p, pattern) or glob_match(pattern, p)]:
        del files[path]


def _adapt(facts: Facts, files: dict, origins: dict, source: Source, layout):
    from ...analysis.nginx import InMemoryFiles, Options, ParseError, Refusal, adapt, parse_config

    if MAIN_CONF not in files:
        raise SkipError("unsupported", f"the build removes {MAIN_CONF}", None)
    try:
        config = parse_config(MAIN_CONF, InMemoryFiles(files), opaque=PACKAGE_FILES)
    except ParseError as exc:
        raise SkipError("unsupported", f"{_shown(exc.file, origins)}:{exc.line}: {exc.message}; nginx would not "
                        "start either", None) from None
    options = Options(pid="/tmp/nginx.pid", temp_dir="/tmp", writable=layout.writable,
                      source_as_root=source.as_root)
    adapted = adapt(config, options)
    if isinstance(adapted, Refusal):
        where = f"{_shown(adapted.file, origins)}:{adapted.line}: " if adapted.file else ""
        raise SkipError("unsupported", f"{where}{adapted.reason}", "adapt that part of the configuration by hand "
                        "(a non-root nginx on 8080), or harden with --level hardened")
    return adapted, config


def _outputs(facts: Facts, files: dict, origins: dict, adapted, config, layout, log: Log):
    """(the files to write under OUT_DIR: context path -> text, the copies of the user's unchanged files)."""
    from ...analysis.nginx.config import glob_match
    from ..files import CopySpec

    out: dict[str, str] = {}
    copies: list[CopySpec] = []
    for path in sorted(config.files):
        text = adapted.changed.get(path)
        if text is None and path in origins:
            copies.append(CopySpec(path, path, facts.alias))
            continue
        if text is None:
            text = files[path]  # a source image's file the target need not have as it was
        out[_out_path(path)] = text
    for path in sorted(set(origins) - set(config.files)):  # certificates, htpasswd: read by nginx, not parsed
        copies.append(CopySpec(path, path, facts.alias))
    patterns = [d.args[0].value for d in _includes(config)]
    for path in layout.conf_files:
        if path not in files and any(glob_match(posixpath.join(CONF_DIR, p), path) for p in patterns):
            out[_out_path(path)] = "# emptied by dhard harden: the original image has no such file\n"
            log.why(f"{path} of the {layout.family} image is emptied: an include of the configuration matches it, and the "
                    "original image had none")
    _check_out_dir(facts, out)
    if out:
        copies.insert(0, CopySpec(f"{OUT_DIR}/", f"{CONF_DIR}/", None))
    return out, copies


def _includes(config):
    from ...analysis.nginx import walk

    return [v.directive for v in walk(config) if v.directive.name.value == "include" and v.directive.args]


def _out_path(path: str) -> str:
    return f"{OUT_DIR}/{posixpath.relpath(path, CONF_DIR)}"


def _check_out_dir(facts: Facts, out: dict) -> None:
    """The new files must reach the build and be the only ones there."""
    from ...analysis.context import IgnoreMatcher

    if facts.context_dir is None:
        raise SkipError("missing-context", "the adapted nginx configuration goes into the build context, which "
                        "dhard was not given", "run dhard harden with --context")
    matcher = IgnoreMatcher.for_context(facts.context_dir)
    ignored = next((p for p in out if matcher is not None and matcher.excluded(p)), None)
    if ignored is not None:
        raise SkipError("missing-context", f".dockerignore excludes {ignored}, where dhard writes the adapted "
                        "nginx configuration", f"let {OUT_DIR}/ into the build context (!{OUT_DIR})")
    folder = facts.context_dir / OUT_DIR
    if folder.exists():
        present = {str(p.relative_to(facts.context_dir)) for p in folder.rglob("*") if not p.is_dir()}
        stray = sorted(present - set(out))
        if stray:
            raise SkipError("unsupported", f"{OUT_DIR}/ in the build context holds files dhard would not write "
                            f"({', '.join(stray[:3])}); they would be copied into /etc/nginx too",
                            f"remove {OUT_DIR}/ and run dhard harden again")


def _served(config) -> bool:
    """Whether the configuration serves files from the source image's HTML_DIR."""
    from ...analysis.nginx import walk

    return any(v.directive.name.value in ("root", "alias") and v.directive.args
               and under(v.directive.args[0].value, HTML_DIR) for v in walk(config))


def _expose(facts: Facts, ports: dict[int, int]) -> list[str] | None:
    """The EXPOSE ports with the new ones (None: the original's EXPOSE lines stand)."""
    if not ports:
        return None
    words: list[str] = []
    for ins in facts.expose:
        for word in (facts.resolve(ins, ins.args) or ins.args).split():
            number, slash, proto = word.partition("/")
            new = ports.get(int(number)) if number.isdigit() else None
            words.append(f"{new}{slash}{proto}" if new else word)
    if not facts.expose:  # the source image's EXPOSE 80
        words = [str(p) for p in sorted(set(ports.values()))]
    return list(dict.fromkeys(words))


def _shown(path: str | None, origins: dict) -> str:
    if path is None:
        return "the configuration"
    return origins.get(path, f"{path} (the nginx image's own)")
