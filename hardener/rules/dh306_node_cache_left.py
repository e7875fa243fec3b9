"""DH306 node-cache-left: npm/yarn/pnpm installs whose package cache stays in the layer."""

from __future__ import annotations

from ..findings import Applicability
from . import runedit
from .packages import canon, shipped

CODE = "DH306"

NPM_INSTALLS = frozenset(("install", "ci", "install-test", "install-ci-test"))
YARN_INSTALLS = frozenset(("install", "add", "global-add"))
PNPM_INSTALLS = frozenset(("install", "add", "fetch"))
CACHES = {
    "npm": ("~/.npm",),
    "yarn": ("/usr/local/share/.cache/yarn", "~/.cache/yarn", "~/.yarn/berry/cache", "~/.yarn-cache"),
    "pnpm": ("~/.local/share/pnpm/store", "~/.pnpm-store", "~/.cache/pnpm", "~/Library/pnpm/store"),
}
CLEANUP = {"npm": "npm cache clean --force", "yarn": "yarn cache clean", "pnpm": "pnpm store prune"}
ENV_DIRS = {"npm": ("npm_config_cache", "NPM_CONFIG_CACHE"), "yarn": ("YARN_CACHE_FOLDER",), "pnpm": ("PNPM_STORE_DIR", "npm_config_store_dir")}
FLAG_DIRS = {"npm": "--cache", "yarn": "--cache-folder", "pnpm": "--store-dir"}
# yarn 2+ (berry) cleans its project/global cache with `yarn cache clean`, which Plug'n'Play
# installs load packages from: the fix is only safe where the build is plainly yarn 1.
_YARN1_FLAGS = ("--production", "--prod", "--pure-lockfile", "--network-timeout", "--ignore-engines", "--no-lockfile", "--flat")
_BERRY_HINTS = ("corepack", ".yarnrc.yml", "yarn set version", "yarn dlx", "--immutable", "yarn workspaces focus", "YARN_ENABLE")


def _is_install(p) -> bool:
    return (
        (p.family == "npm" and p.action in NPM_INSTALLS)
        or (p.family == "yarn" and p.action in YARN_INSTALLS)
        or (p.family == "pnpm" and p.action in PNPM_INSTALLS)
    )


def _targets(ctx, ins, pkg) -> tuple[str, ...]:
    tool = pkg.family
    out = list(CACHES[tool])
    state = ctx.build.state(ins)
    for name in ENV_DIRS[tool]:
        value = state.vars.get(name)
        if value:
            out.append(value)
    flag = pkg.value(FLAG_DIRS[tool])
    if flag:
        out.append(flag)
    return tuple(out)


def _mount_ok(f, tool: str, targets) -> bool:
    if f.mounted(*targets):
        return True
    for kind, path in f.mounts:
        if kind not in ("cache", "tmpfs"):
            continue
        parts = canon(path).split("/")
        if tool == "pnpm" and any("pnpm" in part for part in parts):
            return True
        if tool == "yarn" and any("yarn" in part for part in parts):
            return True
        if tool == "npm" and any(part in (".npm", "_cacache") for part in parts):
            return True
    return False


def _cleaned(f, tool: str, pkg) -> bool:
    for p in f.after(pkg):
        if p.family != tool:
            continue
        ops = [w.value for w in p.operands()]
        if tool in ("npm", "yarn") and p.action == "cache" and ops[:1] and ops[0] in ("clean", "clear", "rm"):
            return True
        if tool == "pnpm" and p.action == "store" and ops[:1] == ["prune"]:
            return True
    return False


def leaves_cache(ctx, ins, f, pkg) -> bool:
    tool = pkg.family
    targets = _targets(ctx, ins, pkg)
    if _mount_ok(f, tool, targets) or f.removed(targets, pkg.position) or _cleaned(f, tool, pkg):
        return False
    if not f.known and f.mentions(CLEANUP[tool].split(" --")[0]):
        return False
    return True


def yarn_is_classic(ctx, f) -> bool:
    def whole_file():
        text = ctx.text
        return any(h in text for h in _BERRY_HINTS)

    if ctx.build.memo(("dh306-berry",), whole_file):
        return False
    return any(p.family == "yarn" and (p.action == "global-add" or p.has(*_YARN1_FLAGS)) for p in f.pkgs)


def check(ctx):
    for f in shipped(ctx):
        ins = f.ins
        left = [p for p in f.pkgs if _is_install(p) and leaves_cache(ctx, ins, f, p)]
        if not left:
            continue
        tools = list(dict.fromkeys(p.family for p in left))
        redirected = any(p.value(FLAG_DIRS[p.family]) for p in left)
        prefix = "sudo " if any(p.sudo for p in left) else ""
        command = " && ".join(prefix + CLEANUP[t] for t in tools)
        fix = None
        if f.known and not redirected:
            last = max(left, key=lambda p: p.position)
            region = f.region_of(last)
            edit = runedit.append(ctx, f.rt, region, command) if region else None
            if edit is not None:
                safe = "yarn" not in tools or yarn_is_classic(ctx, f)
                fix = ctx.fix(
                    f"Add `{command}` at the end of the RUN",
                    Applicability.SAFE if safe else Applicability.UNSAFE,
                    edit,
                )
        first = left[0]
        action = "" if first.sub is None else f" {first.sub.value}"
        yield ctx.finding(
            CODE,
            ins,
            f"{first.family}{action} leaves its package cache in the layer; end this RUN with `{command}` or use a cache mount",
            fix=fix,
        )
