"""Package-manager commands in RUN scripts: what each RUN installs, cleans and mounts.

Shared by DH301-DH308 and computed once per RUN (``facts(ctx, ins)``). A
command is recognised through wrappers (``sudo``, ``env X=1``, ``xargs``...),
inside ``sh -c '...'``, ``$(...)``, compound commands, ``RUN <<EOF`` bodies and
heredocs fed to a shell (``RUN bash <<'EOF'``).
"""

from __future__ import annotations

from ..model import Instruction
from ..shell import Command, Word, command_name, unwrap
from . import runedit

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from .context import RuleContext

APT_TOOLS = frozenset(("apt-get", "apt"))
RPM_TOOLS = frozenset(("dnf", "yum", "microdnf", "tdnf", "dnf5", "dnf4"))

# options that take a separate value, per tool (so the subcommand is found after them)
APT_VALUE = frozenset("-o -c -t -a --option --config-file --target-release --default-release --host-architecture".split())
APK_VALUE = frozenset(
    "-X -p -t --repository --root --arch --cache-dir --keys-dir --repositories-file --progress-fd --wait "
    "--timeout --virtual --cache-max-age".split()
)
RPM_VALUE = frozenset(
    "-c -x -d -e -R --config --exclude --installroot --releasever --setopt --enablerepo --disablerepo --repo "
    "--repoid --downloaddir --destdir --forcearch --debuglevel --errorlevel --rpmverbosity --color --comment "
    "--excludepkgs --disableexcludes --disableplugin --enableplugin".split()
)
ZYPPER_VALUE = frozenset(
    "-R -c -D -C --root --config --reposd-dir --cache-dir --raw-cache-dir --solv-cache-dir --pkg-cache-dir "
    "--userdata -r --repo --from -t --type".split()
)
PIP_VALUE = frozenset(
    "--cache-dir --log --log-file --local-log --proxy --retries --timeout --exists-action --trusted-host --cert "
    "--client-cert --python --src --target -t --prefix --root -r --requirement -c --constraint -e --editable "
    "-i --index-url --extra-index-url -f --find-links --upgrade-strategy --platform --python-version "
    "--implementation --abi --no-binary --only-binary --progress-bar --report --config-settings -C "
    "--global-option --use-feature --use-deprecated".split()
)
UV_VALUE = frozenset(
    "--cache-dir --directory --project --config-file --color --python -p --index-url -i --extra-index-url "
    "-f --find-links -r --requirement -c --constraint --target --prefix --index-strategy --keyring-provider "
    "--resolution --prerelease --link-mode --python-version --python-platform".split()
)
NPM_VALUE = frozenset("--prefix -C --cache --userconfig --globalconfig --registry -w --workspace --loglevel --omit --include".split())
YARN_VALUE = frozenset(
    "--cwd --cache-folder --modules-folder --mutex --network-timeout --registry --global-folder --link-folder "
    "--preferred-cache-folder --use-yarnrc --network-concurrency --child-concurrency".split()
)
PNPM_VALUE = frozenset("-C --dir -F --filter --store-dir --reporter --loglevel --virtual-store-dir --modules-dir".split())

_ZYPPER_ALIASES = {
    "in": "install",
    "up": "update",
    "dup": "dist-upgrade",
    "si": "source-install",
    "ref": "refresh",
    "cc": "clean",
    "rm": "remove",
    "inr": "install-new-recommends",
}
_NPM_ALIASES = {
    **{a: "install" for a in "i in ins inst insta instal isnt isnta isntal isntall add".split()},
    **{a: "ci" for a in "ci clean-install ic install-clean isntall-clean".split()},
    **{a: "install-test" for a in "it install-test".split()},
    **{a: "install-ci-test" for a in "cit install-ci-test clean-install-test sit".split()},
}


def _versioned(rest: str) -> bool:
    """'' or a version suffix such as '3', '3.11'."""
    return rest == "" or rest.replace(".", "").isdigit()


def _is_pip(name: str) -> bool:
    return name.startswith("pip") and _versioned(name[3:])


def _is_python(name: str) -> bool:
    if name.startswith("python"):
        return _versioned(name[6:])
    return name.startswith("pypy") and _versioned(name[4:])


_PLAIN_NAMES = (
    APT_TOOLS | RPM_TOOLS | frozenset(("apt-mark", "apt-cache", "apk", "zypper", "uv", "npm", "yarn", "pnpm", "rm", "find", "export"))
)
_WRAPPERS = frozenset(
    "sudo doas env nice ionice nohup time exec command builtin stdbuf timeout xargs gosu su-exec busybox".split()
)


def _candidate(name: str) -> bool:
    return name in _PLAIN_NAMES or name in _WRAPPERS or name.startswith(("pip", "python", "pypy"))


class Pkg:
    """A package-manager (or cleanup) command, recognised."""

    __slots__ = ("tool", "family", "action", "cmd", "raw", "sub", "start", "position", "sudo")

    def __init__(self, tool, family, action, cmd, raw, sub, start, position):
        self.tool: str = tool  # 'apt-get', 'apk', 'dnf', 'pip', 'uv', 'npm', 'rm', ...
        self.family: str = family  # 'apt', 'apk', 'rpm', 'zypper', 'pip', 'uv', 'npm', 'yarn', 'pnpm', 'rm'
        self.action: str | None = action  # the subcommand, aliases resolved ('install', 'update', ...)
        self.cmd: Command = cmd  # wrappers stripped
        self.raw: Command = raw  # as written
        self.sub: Word | None = sub  # the subcommand word (None: bare `yarn`)
        self.start: int = start  # index in cmd.words of the first word after the subcommand
        self.position: int = position  # index in RunFacts.order (execution order)
        self.sudo: bool = _via_sudo(raw, cmd)

    def has(self, *flags: str) -> bool:
        return self.cmd.has_flag(*flags)

    def value(self, flag: str) -> str | None:
        return self.cmd.flag_value(flag)

    def operands(self, value_opts: frozenset = frozenset()) -> list[Word]:
        """Words after the subcommand that are not options (nor option values)."""
        out = []
        words = self.cmd.words
        i = self.start
        dashed = False
        while i < len(words):
            w = words[i]
            v = w.value
            if not dashed and v is not None and len(v) > 1 and v[0] == "-":
                if v == "--":
                    dashed = True
                elif "=" not in v and v in value_opts:
                    i += 1
                i += 1
                continue
            out.append(w)
            i += 1
        return out


def _via_sudo(raw: Command, cmd: Command) -> bool:
    if len(raw.words) == len(cmd.words) or not raw.words:
        return False
    return command_name(raw.words[0].value or "") == "sudo"


def _subcommand(words, start: int, value_opts: frozenset) -> int | None:
    i = start
    n = len(words)
    while i < n:
        v = words[i].value
        if v is None:
            return None
        if v == "--":
            return i + 1 if i + 1 < n and words[i + 1].value is not None else None
        if len(v) > 1 and v[0] == "-":
            i += 2 if ("=" not in v and v in value_opts) else 1
            continue
        return i
    return None


def recognise(raw: Command, position: int) -> Pkg | None:
    """A package-manager or cleanup command, or None."""
    name = raw.name
    if name is None or not _candidate(name):
        return None
    cmd = unwrap(raw) if name in _WRAPPERS else raw
    name = cmd.name
    if name is None:
        return None
    words = cmd.words

    def make(tool, family, index, action=None, value_opts=frozenset()):
        if index is None:
            return Pkg(tool, family, action, cmd, raw, None, 1, position)
        sub = words[index]
        act = action or sub.value
        return Pkg(tool, family, act, cmd, raw, sub, index + 1, position)

    if name in APT_TOOLS:
        return make(name, "apt", _subcommand(words, 1, APT_VALUE))
    if name in ("apt-mark", "apt-cache"):
        return make(name, "apt", _subcommand(words, 1, APT_VALUE))
    if name == "apk":
        return make(name, "apk", _subcommand(words, 1, APK_VALUE))
    if name in RPM_TOOLS:
        i = _subcommand(words, 1, RPM_VALUE)
        if i is not None and words[i].value in ("group", "groups", "module"):
            j = _subcommand(words, i + 1, RPM_VALUE)
            if j is not None and words[j].value in ("install", "update", "upgrade", "enable"):
                return make(name, "rpm", j, "install")
        if i is not None and words[i].value in ("groupinstall", "localinstall"):
            return make(name, "rpm", i, "install")
        return make(name, "rpm", i)
    if name == "zypper":
        i = _subcommand(words, 1, ZYPPER_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "zypper", i, _ZYPPER_ALIASES.get(v, v))
    if _is_pip(name):
        return make(name, "pip", _subcommand(words, 1, PIP_VALUE))
    if _is_python(name):
        at = _module_pip(words)
        if at is None:
            return None
        return make("pip", "pip", _subcommand(words, at + 1, PIP_VALUE))
    if name == "uv":
        i = _subcommand(words, 1, UV_VALUE)
        if i is None or words[i].value != "pip":
            return None
        return make("uv", "uv", _subcommand(words, i + 1, UV_VALUE))
    if name == "npm":
        i = _subcommand(words, 1, NPM_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "npm", i, _NPM_ALIASES.get(v, v))
    if name == "yarn":
        i = _subcommand(words, 1, YARN_VALUE)
        if i is None:
            if cmd.has_flag("-v", "--version", "-h", "--help"):
                return None
            return make(name, "yarn", None, "install")  # bare `yarn` installs
        if words[i].value == "global":
            j = _subcommand(words, i + 1, YARN_VALUE)
            if j is not None and words[j].value == "add":
                return make(name, "yarn", j, "global-add")
            return None
        return make(name, "yarn", i)
    if name == "pnpm":
        i = _subcommand(words, 1, PNPM_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "pnpm", i, {"i": "install"}.get(v, v))
    if name == "rm":
        recursive = cmd.has_flag("-r", "-R", "--recursive")
        return make(name, "rm", None, "remove" if recursive else "unlink")
    if name == "find":
        if any(w.value == "-delete" for w in words):
            return make(name, "rm", None, "find-delete")
        return None
    if name == "export":
        return make(name, "env", None, "export")
    return None


def _module_pip(words) -> int | None:
    """Index of the ``pip`` word of ``python [opts] -m pip``."""
    i = 1
    n = len(words)
    while i < n:
        v = words[i].value
        if v is None:
            return None
        if v == "-m":
            return i + 1 if i + 1 < n and words[i + 1].value == "pip" else None
        if v == "-mpip":
            return i
        if v in ("-W", "-X"):
            i += 2
            continue
        if v.startswith("-") and len(v) > 1 and "c" not in v[1:] and "m" not in v[1:]:
            i += 1
            continue
        return None
    return None


# -- paths -----------------------------------------------------------------------------------------


def canon(path: str) -> str:
    """A path with its home written ``~`` and no trailing ``/``, ``/*`` or ``/.``."""
    p = path
    if p.startswith("/root/") or p == "/root":
        p = "~" + p[5:]
    elif p.startswith("/home/"):
        rest = p[6:]
        slash = rest.find("/")
        p = "~" if slash < 0 else "~" + rest[slash:]
    while "//" in p:
        p = p.replace("//", "/")
    while True:
        if p.endswith("/*") or p.endswith("/."):
            p = p[:-2]
        elif len(p) > 1 and p.endswith("/"):
            p = p[:-1]
        else:
            return p


def covers(path: str, target: str) -> bool:
    """Whether removing or mounting ``path`` takes ``target`` out of the layer."""
    p = canon(path)
    t = canon(target)
    if p in ("", "/"):
        return True
    return t == p or t.startswith(p + "/")


def word_path(word: Word) -> str | None:
    """The path a word names: literal, or under ``$HOME``; None when it cannot be known.

    A quoted glob (``"/var/lib/apt/lists/*"``) names a file called ``*``: no path."""
    v = word.value
    raw = word.raw
    if v is None:
        quoted = len(raw) > 1 and raw[0] == raw[-1] and raw[0] in "\"'"
        if quoted:
            raw = raw[1:-1]
        for prefix in ('"${HOME}"', '"$HOME"', "${HOME}", "$HOME"):
            if raw.startswith(prefix):
                rest = raw[len(prefix) :]
                if any(ch in rest for ch in "$`\"'\\"):
                    return None
                if quoted and rest.endswith("*"):
                    return None
                return "~" + rest
        return None
    if v.endswith("*") and not raw.endswith("*"):
        return None
    return v


# -- what one RUN does ------------------------------------------------------------------------------


class RunFacts:
    """Package commands, removals and cache mounts of one RUN."""

    __slots__ = ("ins", "rt", "order", "pkgs", "mounts", "known", "positions")

    def __init__(self, ins: Instruction, rt, order, pkgs, mounts, known):
        self.ins = ins
        self.rt = rt  # runedit.RunText (None: no shell script we read)
        self.order: list[Command] = order
        self.pkgs: list[Pkg] = pkgs
        self.mounts: list[tuple[str, str]] = mounts  # (type, target)
        self.known: bool = known

    def of(self, *families: str) -> list[Pkg]:
        return [p for p in self.pkgs if p.family in families]

    def mounted(self, *targets: str) -> bool:
        """A cache/tmpfs/bind mount keeps one of ``targets`` out of the layer."""
        for kind, path in self.mounts:
            if kind in ("cache", "tmpfs", "bind") and any(covers(path, t) for t in targets):
                return True
        return False

    def removed(self, targets, after: int = -1) -> bool:
        """An ``rm -r``/``find -delete`` after ``after`` removes one of ``targets``.

        When the script is not fully known, order is not trusted: any removal counts."""
        for p in self.pkgs:
            if p.family != "rm" or p.action == "unlink" or (self.known and p.position <= after):
                continue
            if p.action == "find-delete":
                paths = [w for w in p.cmd.words[1:2]]
            else:
                paths = p.operands()
            for w in paths:
                path = word_path(w)
                if path is not None and any(covers(path, t) for t in targets):
                    return True
        return False

    def after(self, pkg: Pkg) -> list[Pkg]:
        """Commands that run after ``pkg`` (all of them when order is not trusted)."""
        if not self.known:
            return [p for p in self.pkgs if p is not pkg]
        return [p for p in self.pkgs if p.position > pkg.position]

    def region_of(self, pkg: Pkg):
        if self.rt is None:
            return None
        return self.rt.region_of(pkg.raw.start)

    def mentions(self, text: str) -> bool:
        """Whether the RUN's text contains ``text`` (a fallback when the script is not known)."""
        if self.rt is None:
            return False
        return text in self.rt.text


def facts(ctx: "RuleContext", ins: Instruction) -> RunFacts:
    return ctx.memo(("dh3-facts", ins.index), lambda: _facts(ctx, ins))


def shipped(ctx: "RuleContext") -> list[RunFacts]:
    """Facts of every RUN (ONBUILD RUN included) of the shipped stages, in file order."""
    return ctx.memo(("dh3-shipped",), lambda: [facts(ctx, ins) for ins, _ in ctx.runs(shipped=True)])


_NAMES = ("apt", "apk", "dnf", "yum", "zypper", "pip", "uv", "npm", "yarn", "pnpm", "rm", "find", "export", "python", "pypy")


def _facts(ctx: "RuleContext", ins: Instruction) -> RunFacts:
    rt = runedit.build(ctx, ins)
    if rt is None:
        return RunFacts(ins, None, [], [], [], False)
    order = rt.order
    pkgs = []
    haystack = rt.text if rt.kind != "exec" else " ".join(ctx.body(ins).argv or ())
    if any(n in haystack for n in _NAMES):
        for position, raw in enumerate(order):
            pkg = recognise(raw, position)
            if pkg is not None:
                pkgs.append(pkg)
    return RunFacts(ins, rt, order, pkgs, _mounts(ctx, ins), rt.script.known)


def _mounts(ctx: "RuleContext", ins: Instruction) -> list[tuple[str, str]]:
    out = []
    for spec in ctx.body(ins).flag_values("mount"):
        kind = "bind"
        target = None
        for field in spec.split(","):
            key, _, value = field.partition("=")
            key = key.strip().lower()
            if key == "type":
                kind = value.strip().lower()
            elif key in ("target", "dst", "destination"):
                target = value.strip()
        if target and "$" in target:
            target = ctx.resolve(ins, target)
        if target:
            out.append((kind, target))
    return out


# -- the build around a RUN -----------------------------------------------------------------------


def stage_chain(ctx: "RuleContext", ins: Instruction) -> set[int]:
    """The RUN's stage and the stages it is built FROM."""
    stage = ctx.df.stage_of(ins)
    out: set[int] = set()
    while stage is not None and stage.index not in out:
        out.add(stage.index)
        stage = ctx.df.stages[stage.parent] if stage.parent is not None else None
    return out


def descendants(ctx: "RuleContext", ins: Instruction) -> set[int]:
    """The RUN's stage and every stage built FROM it, directly or not."""
    stage = ctx.df.stage_of(ins)
    if stage is None:
        return set()
    out = {stage.index}
    for other in ctx.df.stages:
        if other.parent is not None and other.parent in out:
            out.add(other.index)
    return out


def later_runs(ctx: "RuleContext", ins: Instruction):
    """RUNs that run on top of this RUN's result: later in its stage or in stages built FROM it,
    and ONBUILD RUN triggers of those stages (they run in a child build)."""
    stages = descendants(ctx, ins)
    for other in ctx.df.instructions:
        if other.stage not in stages or other.index == ins.index:
            continue
        body = ctx.body(other)
        if body.name != "RUN":
            continue
        if other.index > ins.index or other.sub is not None:
            yield other


def earlier_runs(ctx: "RuleContext", ins: Instruction):
    """RUNs that ran before this one in its stage and the stages it is built FROM."""
    stages = stage_chain(ctx, ins)
    for other in ctx.df.instructions:
        if other.index >= ins.index:
            break
        if other.stage in stages and other.sub is None and other.name == "RUN":
            yield other


def sudo_prefix(pkgs: list[Pkg]) -> str:
    return "sudo " if any(p.sudo for p in pkgs) else ""
