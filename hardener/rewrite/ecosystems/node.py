"""Node apps: the Node major, production dependencies, and a command without npm.

Distroless nodejs runs ``/nodejs/bin/node`` as its ENTRYPOINT and has no npm,
so ``CMD ["npm", "start"]`` becomes the script's own ``node`` command (read from
package.json, only when it is a plain ``node file ...``), and ``node`` is never
repeated in CMD (``node node server.js`` is the classic mistake). When the
build installed devDependencies, an extra builder stage runs ``npm prune
--omit=dev`` and the app is copied from there.
"""

from __future__ import annotations

import json
import posixpath

from ...shell import parse_shell, unwrap
from .. import command, files, musl
from ..plan import Exec, Facts
from ..result import Log, SkipError
from ..targets import Runtime, describe, elsewhere, preset_is_reliable
from .base import Plan, base_runtime, installs_with, package_commands

name = "node"

NODE_NAMES = {"node", "nodejs"}
PM_NAMES = {"npm", "yarn", "pnpm"}

# Packages with native add-ons: built for musl on Alpine, they do not load on glibc.
NATIVE_ADDONS = frozenset("""
bcrypt sharp sqlite3 better-sqlite3 canvas node-sass argon2 re2 leveldown bufferutil utf-8-validate
@node-rs/bcrypt @node-rs/argon2 grpc node-gyp-build farmhash kerberos libxmljs libxmljs2 microtime
node-expat usb serialport @serialport/bindings-cpp ffi-napi ref-napi zeromq isolated-vm deasync
lmdb msgpackr-extract @prisma/client prisma esbuild @swc/core
""".split())


def detect(facts: Facts) -> bool:
    """The image runs node, npm, yarn, pnpm or npx; with no command, the base image is a Node image or the
    build installs with npm/yarn/pnpm."""
    ex = command.known(facts)
    if ex is not None:
        return is_node_command(ex.argv[0])
    return base_runtime(facts) == "node" or installs_with(facts, "npm", "yarn", "pnpm")


def is_node_command(argv0: str) -> bool:
    base = posixpath.basename(argv0)
    return base in NODE_NAMES or base in PM_NAMES or base == "npx"


def node_version(facts: Facts) -> str:
    info = facts.root_info
    candidates = []
    if info.runtime == "node":
        candidates.append((info.runtime_version, facts.root.base.written))
    else:
        # a fat final stage (apk add nodejs) built from a node:NN stage
        for stage in facts.built_stages:
            if stage.index in facts.chain_indexes or stage.parent is not None:
                continue
            other = facts.build.image_info(stage.base)
            if other.runtime == "node":
                candidates.append((other.runtime_version, stage.base.written))
    versions = {v for v, _ in candidates if v}
    if len(versions) == 1:
        return versions.pop()
    written = ", ".join(w for _, w in candidates) or facts.root.base.written
    raise SkipError(
        "unknown-runtime",
        f"dhard cannot tell which Node major the app runs on ({written})",
        "build on a tag that names it, such as node:22-bookworm-slim",
    )


def plan(facts: Facts, target: str, log: Log) -> Plan:
    from ...images import lookup

    ex, dropped = command.demand(facts, log)
    version = node_version(facts)
    counterparts = lookup(None, "node", version).counterparts
    counterpart = counterparts.get(target)
    if not counterpart:
        raise SkipError(
            "no-counterpart",
            f"there is no {target} Node image for Node {version}",
            elsewhere(counterparts, target, "build on a Node LTS major the target has (20, 22 or 24 for "
                "distroless), or use --level hardened"),
        )
    runtime = describe(counterpart, target)
    out = Plan(runtime=runtime, command=ex)
    pkg = _package_json(facts)
    moved = _module_folders(facts, log)
    out.roots = files.outermost(files.app_roots(facts, {p for p in dropped if p}, log=log, tools=False) + moved)
    if facts.root_info.libc == "musl" or facts.root_info.family == "alpine":
        natives = _native_packages(facts, pkg, log)
        if natives:
            _reinstall_on_glibc(facts, version, natives, moved, out, log)
    argv = _resolve_npm(facts, ex, pkg, log)
    _prune(facts, out, pkg, argv, log)
    out.entrypoint, out.cmd = _compose(facts, ex, argv, runtime, target, log)
    return out


def _native_packages(facts: Facts, pkg: dict | None, log: Log) -> list[str]:
    """The packages of a node_modules installed on Alpine that may hold native code (none: it moves to glibc
    as it is); a skip when dhard cannot read package.json, unproven when no lock shows what is installed."""
    if pkg is None:
        raise SkipError("musl", "the dependencies are installed on Alpine (musl) and dhard cannot read "
                        "package.json to rule out native add-ons, which would not load on glibc",
                        "pass --context, or build on node:<major>-bookworm-slim")
    natives = sorted(n for n in _dependencies(pkg) if n in NATIVE_ADDONS)
    lock = _context_json(facts, "package-lock.json")
    packages = lock.get("packages") if lock else None
    if isinstance(packages, dict):
        natives += [n for n in musl.native_node_packages(packages) if n not in natives]
    if natives:
        return natives
    if not isinstance(packages, dict):
        log.unproven("the dependencies were installed on Alpine (musl) and no package-lock.json (version 2 or "
                     "later) shows that every package is pure JavaScript; a native one would not load on glibc")
        return []
    log.why(f"package-lock.json lists {len(packages) - 1} packages, none with an install script or a build for "
            "one platform: node_modules is pure JavaScript and moves from Alpine (musl) as it is")
    return []


def _reinstall_on_glibc(facts: Facts, version: str, natives: list[str], moved: list[str], out: Plan,
                        log: Log) -> None:
    """node_modules with native code, installed on Alpine: a stage on the glibc node image installs it again
    (``rewrite.musl.node_deps_stage``) and the app is copied from there."""
    named = f"{', '.join(natives[:5])}{' ...' if len(natives) > 5 else ''}"
    if moved:
        raise SkipError("musl", f"{named} carry native code built on Alpine (musl), and the build moves "
                        f"node_modules ({', '.join(moved)}), which dhard does not install again",
                        "build on node:<major>-bookworm-slim")
    installs = [(ins, raw, found) for ins, raw, found in package_commands(facts, "npm", "yarn", "pnpm")
                if found.action in ("install", "ci") and not any(w.value for w in found.operands())]
    if not installs:
        raise SkipError("musl", f"{named} carry native code built on Alpine (musl), and node_modules is not "
                        "installed by an npm or yarn command of the final stage that dhard could repeat",
                        "install the dependencies in the final stage, or build on node:<major>-bookworm-slim")
    ins, raw, found = installs[-1]
    if found.family == "pnpm" or (found.family == "npm" and _context_json(facts, "package-lock.json") is None):
        raise SkipError("musl", f"{named} carry native code built on Alpine (musl); dhard installs them again on "
                        "glibc only with npm and its package-lock.json, or yarn, so the versions stay the same",
                        "commit package-lock.json, or build on node:<major>-bookworm-slim")
    name, text = musl.node_deps_stage(facts, version, ins, raw, facts.cwd_of(ins, raw), out.roots)
    out.stages.append(text)
    out.copy_stage = name
    log.why(f"{named} carry native code, built on Alpine (musl), which does not load on glibc: the stage {name} "
            f"installs node_modules again on node:{version}-bookworm-slim, and the app is copied from there",
            facts.where(ins))
    musl.node_steps_after(facts, ins, raw, log)


def _module_folders(facts: Facts, log: Log) -> list[str]:
    """node_modules folders the app resolves from outside its own folder: moved up (``mv node_modules ..``;
    Node looks in every parent folder) or named by NODE_PATH."""
    from ...semantic.files import operands, run_path

    parents, folder = set(), facts.workdir
    while True:
        parents.add(posixpath.join(folder, "node_modules"))
        if folder == "/":
            break
        folder = posixpath.dirname(folder)
    found: list[str] = []
    for ins, script in facts.runs:
        for raw in script.commands:
            cmd = unwrap(raw)
            if cmd.name != "mv":
                continue
            words = [w for w in operands(cmd, "t", ("--target-directory",)) if w is not None]
            target = cmd.flag_value("-t") or cmd.flag_value("--target-directory")
            sources, dest = (words, target) if target else (words[:-1], words[-1] if len(words) > 1 else None)
            if dest is None or not any(posixpath.basename(s.rstrip("/")) == "node_modules" for s in sources):
                continue
            dest = run_path(facts.build, ins, raw, dest)
            if dest is None:
                continue
            moved = dest if posixpath.basename(dest) == "node_modules" else posixpath.join(dest, "node_modules")
            if moved in parents:
                found.append(moved)
                log.why(f"{moved} is copied too: the build moved node_modules there, and Node looks for "
                        "packages in every parent folder of the app", facts.where(ins))
            else:
                log.warn(f"the build moves node_modules to {moved}, where Node does not look from "
                         f"{facts.workdir}", facts.where(ins))
    for entry in (facts.env_end.get("NODE_PATH") or "").split(":"):
        if entry.startswith("/") and entry not in found:
            found.append(posixpath.normpath(entry))
            log.why(f"{entry} is copied too: NODE_PATH names it")
    return found


def _package_json(facts: Facts) -> dict | None:
    return _context_json(facts, "package.json")


def _context_json(facts: Facts, name: str) -> dict | None:
    """A JSON file of the app's folder (the WORKDIR) in the context, None when absent or not an object."""
    path = facts.context_file(posixpath.join(facts.workdir, name))
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _dependencies(pkg: dict | None) -> set[str]:
    if not pkg:
        return set()
    out: set[str] = set()
    for key in ("dependencies", "optionalDependencies"):
        deps = pkg.get(key)
        if isinstance(deps, dict):
            out.update(deps)
    return out


def _resolve_npm(facts: Facts, ex: Exec, pkg: dict | None, log: Log) -> list[str]:
    """The node argv the image runs: ``npm start`` resolved through package.json."""
    argv = list(ex.argv)
    base = posixpath.basename(argv[0])
    where = facts.where(ex.cmd_ins or ex.entry_ins)
    if base in NODE_NAMES:
        if len(argv) == 1:
            raise SkipError("bare-interpreter", "the image runs a bare node REPL: no app to move",
                            "set the command that starts the app")
        return argv
    if base == "npx":
        raise SkipError("unknown-binary", "the image runs npx, which the shell-less target does not have",
                        "run the package's entry file with node in exec form")
    script = _script_name(argv)
    if script is None:
        raise SkipError("unknown-binary", f"the image runs `{' '.join(argv)}`; the target has no {base}",
                        "run the app with node in exec form")
    if pkg is None:
        raise SkipError(
            "missing-context",
            f"`{' '.join(argv)}` runs a package.json script; dhard needs package.json from the build context "
            "to know what it does",
            "pass --context with the directory the image is built from",
        )
    scripts = pkg.get("scripts") if isinstance(pkg.get("scripts"), dict) else {}
    for hook in (f"pre{script}", f"post{script}"):
        if hook in scripts:
            raise SkipError("shell-form", f"package.json has a {hook} script that `{base} {script}` runs through a shell",
                            "run the app with node in exec form")
    body = scripts.get(script)
    if body is None:
        if script == "start" and facts.context_file(posixpath.join(facts.workdir, "server.js")) is not None:
            body = "node server.js"  # npm's default start script
        else:
            raise SkipError("missing-context", f"package.json has no \"{script}\" script", None)
    parsed = parse_shell(body)
    cmds = parsed.commands
    if not parsed.known or len(cmds) != 1 or cmds[0].assignments or cmds[0].redirects:
        raise SkipError("shell-form", f"the package.json script \"{script}\" ({body}) needs a shell",
                        "make it a plain `node file` command, or CMD node directly")
    cmd = unwrap(cmds[0])
    words = cmd.argv()
    if any(w is None for w in words) or not words or words[0] not in NODE_NAMES:
        raise SkipError("shell-form", f"the package.json script \"{script}\" runs `{body}`, not a plain `node file`",
                        "CMD the node command it should run, in exec form")
    extra = argv[len(_npm_prefix(argv)):]
    log.why(f"`{' '.join(argv)}` resolved to `{body}` from package.json: the target has no {base}", where)
    return [*words, *extra]  # type: ignore[list-item]


def _npm_prefix(argv: list[str]) -> list[str]:
    base = posixpath.basename(argv[0])
    if len(argv) >= 2 and argv[1] in ("start", "run", "run-script"):
        n = 2 if argv[1] == "start" else 3
        prefix = argv[:n]
        if len(argv) > n and argv[n] == "--":
            prefix = argv[: n + 1]
        return prefix
    if base in ("yarn", "pnpm") and len(argv) >= 2:
        return argv[:2]
    return argv[:1]


def _script_name(argv: list[str]) -> str | None:
    if len(argv) < 2:
        return "start" if posixpath.basename(argv[0]) == "yarn" else None
    if argv[1] == "start":
        return "start"
    if argv[1] in ("run", "run-script") and len(argv) >= 3:
        return argv[2]
    if posixpath.basename(argv[0]) in ("yarn", "pnpm") and not argv[1].startswith("-"):
        return argv[1]
    return None


# the flags that make an install leave devDependencies out, per tool
_PROD_FLAGS = {"npm": ("--production", "--only=prod", "--only=production"), "yarn": ("--production", "--prod"),
               "pnpm": ("--prod", "-P", "--production")}


def _prune(facts: Facts, out: Plan, pkg: dict | None, argv: list[str], log: Log) -> None:
    """Add a stage without devDependencies when the build installed them and the app loads none of them."""
    installs = []
    for ins, raw, found in package_commands(facts, "npm", "yarn", "pnpm"):
        tool = found.family
        if found.action not in (("install", "ci") if tool == "npm" else ("install",)):
            continue
        if tool == "npm" and any(w.value for w in found.operands()):
            continue  # npm install <pkg>: adds a package, not the project's install
        env = facts.vars_at(ins)
        prod = (env.get("NODE_ENV") == "production") or any(
            (a.value or "").startswith("NODE_ENV=production") for a in found.cmd.assignments) \
            or found.has(*_PROD_FLAGS[tool])
        if tool == "npm":
            prod = prod or found.value("--omit") == "dev" or found.value("--only") in ("prod", "production")
        installs.append((tool, prod, ins, facts.cwd_of(ins, raw)))
    if not installs:
        return
    manager, prod, ins, cwd = installs[-1]
    if prod:
        log.why("node_modules already holds production dependencies only", facts.where(ins))
        return
    if pkg is not None and not pkg.get("devDependencies"):
        log.why("package.json has no devDependencies: node_modules is copied as built", facts.where(ins))
        return
    needed = _dev_packages_loaded(facts, pkg, argv)
    if needed:
        log.warn(f"devDependencies are kept: {needed}", facts.where(ins))
        return
    if manager == "yarn":
        log.warn("yarn installed devDependencies and dhard adds no prune step for yarn; they are shipped. "
                 "Install with `yarn install --production` in a stage of its own", facts.where(ins))
        return
    prune = "npm prune --omit=dev" if manager == "npm" else "pnpm prune --prod"
    stage = facts.new_alias("prod-deps")
    lines = [f"FROM {out.copy_stage or facts.alias} AS {stage}"]
    if cwd != facts.workdir:
        lines.append(f"WORKDIR {cwd}")
    lines.append(f"RUN {prune}")
    out.stages.append("\n".join(lines))
    out.copy_stage = stage
    log.why(f"added the stage {stage}: `{prune}` removes the devDependencies the build installed, "
            "and the app is copied from there", facts.where(ins))


def _dev_packages_loaded(facts: Facts, pkg: dict | None, argv: list[str]) -> str | None:
    """Why the devDependencies must stay: the app loads one of them, or dhard cannot tell (None: prune)."""
    from ...analysis.node_requires import Unknown, required_packages

    script = next((a for a in argv[1:] if not a.startswith("-")), None) if argv and is_node_command(argv[0]) else None
    entry = facts.context_file(posixpath.join(facts.workdir, script)) if script else None
    if entry is None:
        return f"dhard cannot read the file node starts ({script or ' '.join(argv)}) to see what it loads"
    try:
        loaded = required_packages(facts.context_dir, entry)
    except Unknown as why:
        return f"dhard cannot follow every module the app loads: {why}"
    dev_only = sorted(loaded & set(pkg.get("devDependencies") or {}) - _dependencies(pkg)) if pkg else []
    if dev_only:
        return f"the app loads {', '.join(dev_only)}, listed only under devDependencies"
    return None


def _compose(facts: Facts, ex: Exec, argv: list[str], runtime: Runtime, target: str, log: Log):
    where = facts.where(ex.cmd_ins or ex.entry_ins)
    interp = list(runtime.entrypoint)
    direct = argv == ex.argv  # not resolved from a package.json script
    if direct and len(ex.entry) > 1:
        return interp + ex.entry[1:], (list(ex.cmd) or None)
    args = argv[1:]
    if preset_is_reliable(target):
        log.why(f"CMD holds node's arguments only: {runtime.image} already runs {' '.join(runtime.entrypoint)} "
                "(`node node app.js` would be the result otherwise)", where)
        return None, args
    return interp, args
