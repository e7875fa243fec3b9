"""The one reader of package-manager commands: which tool, which verb, which packages.

``recognise(command)`` knows apt/apt-get/apt-mark/apt-cache, apk, dnf/yum/
microdnf/tdnf, zypper (and its short verbs), pip/``python -m pip``, ``uv pip``,
npm (and its aliases), yarn, pnpm, dpkg, and the cleanup commands that matter
for leftovers (``rm``, ``find -delete``, ``export``). Each tool's options that
take a separate value are listed once here, so the verb and the packages are
found after them (``apt-get -a amd64 install libpq5``). Rules read it for
leftovers, the rewriter for the packages an image needs at run time.
"""

from __future__ import annotations

from ..shell import Command, Word, command_name, is_wrapper, unwrap

APT_TOOLS = frozenset(("apt-get", "apt", "aptitude"))
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

DPKG_VALUE = frozenset("--admindir --instdir --root --force --refuse --path-include --path-exclude --status-fd".split())

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
    APT_TOOLS | RPM_TOOLS | frozenset(("apt-mark", "apt-cache", "apk", "zypper", "uv", "npm", "yarn", "pnpm", "dpkg", "rm", "find", "export"))
)
def _candidate(name: str) -> bool:
    return name in _PLAIN_NAMES or is_wrapper(name) or name.startswith(("pip", "python", "pypy"))


class PackageCommand:
    """A package-manager (or cleanup) command, recognised."""

    __slots__ = ("tool", "family", "action", "cmd", "raw", "sub", "start", "position", "sudo", "value_opts")

    def __init__(self, tool, family, action, cmd, raw, sub, start, position, value_opts=frozenset()):
        self.tool: str = tool  # 'apt-get', 'apk', 'dnf', 'pip', 'uv', 'npm', 'rm', ...
        self.family: str = family  # 'apt', 'apk', 'rpm', 'zypper', 'pip', 'uv', 'npm', 'yarn', 'pnpm', 'rm'
        self.action: str | None = action  # the subcommand, aliases resolved ('install', 'update', ...)
        self.cmd: Command = cmd  # wrappers stripped
        self.raw: Command = raw  # as written
        self.sub: Word | None = sub  # the subcommand word (None: bare `yarn`)
        self.start: int = start  # index in cmd.words of the first word after the subcommand
        self.position: int = position  # index in RunFacts.order (execution order)
        self.sudo: bool = _via_sudo(raw, cmd)
        self.value_opts: frozenset = value_opts  # the tool's options that take a separate value

    def has(self, *flags: str) -> bool:
        return self.cmd.has_flag(*flags)

    def value(self, flag: str) -> str | None:
        return self.cmd.flag_value(flag)

    def operands(self, value_opts: frozenset | None = None) -> list[Word]:
        """Words after the subcommand that are not options (nor option values)."""
        if value_opts is None:
            value_opts = self.value_opts
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


def recognise(raw: Command, position: int) -> PackageCommand | None:
    """A package-manager or cleanup command, or None."""
    name = raw.name
    if name is None or not _candidate(name):
        return None
    cmd = unwrap(raw) if is_wrapper(name) else raw
    name = cmd.name
    if name is None:
        return None
    words = cmd.words

    def make(tool, family, index, action=None, value_opts=frozenset()):
        if index is None:
            return PackageCommand(tool, family, action, cmd, raw, None, 1, position, value_opts)
        sub = words[index]
        act = action or sub.value
        return PackageCommand(tool, family, act, cmd, raw, sub, index + 1, position, value_opts)

    if name in APT_TOOLS:
        return make(name, "apt", _subcommand(words, 1, APT_VALUE), value_opts=APT_VALUE)
    if name in ("apt-mark", "apt-cache"):
        return make(name, "apt", _subcommand(words, 1, APT_VALUE), value_opts=APT_VALUE)
    if name == "apk":
        return make(name, "apk", _subcommand(words, 1, APK_VALUE), value_opts=APK_VALUE)
    if name in RPM_TOOLS:
        i = _subcommand(words, 1, RPM_VALUE)
        if i is not None and words[i].value in ("group", "groups", "module"):
            j = _subcommand(words, i + 1, RPM_VALUE)
            if j is not None and words[j].value in ("install", "update", "upgrade", "enable"):
                return make(name, "rpm", j, "install", RPM_VALUE)
        if i is not None and words[i].value in ("groupinstall", "localinstall"):
            return make(name, "rpm", i, "install", RPM_VALUE)
        return make(name, "rpm", i, value_opts=RPM_VALUE)
    if name == "zypper":
        i = _subcommand(words, 1, ZYPPER_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "zypper", i, _ZYPPER_ALIASES.get(v, v), ZYPPER_VALUE)
    if _is_pip(name):
        return make(name, "pip", _subcommand(words, 1, PIP_VALUE), value_opts=PIP_VALUE)
    if _is_python(name):
        at = _module_pip(words)
        if at is None:
            return None
        return make("pip", "pip", _subcommand(words, at + 1, PIP_VALUE), value_opts=PIP_VALUE)
    if name == "uv":
        i = _subcommand(words, 1, UV_VALUE)
        if i is None or words[i].value != "pip":
            return None
        return make("uv", "uv", _subcommand(words, i + 1, UV_VALUE), value_opts=UV_VALUE)
    if name == "npm":
        i = _subcommand(words, 1, NPM_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "npm", i, _NPM_ALIASES.get(v, v), NPM_VALUE)
    if name == "yarn":
        i = _subcommand(words, 1, YARN_VALUE)
        if i is None:
            if cmd.has_flag("-v", "--version", "-h", "--help"):
                return None
            return make(name, "yarn", None, "install")  # bare `yarn` installs
        if words[i].value == "global":
            j = _subcommand(words, i + 1, YARN_VALUE)
            if j is not None and words[j].value == "add":
                return make(name, "yarn", j, "global-add", YARN_VALUE)
            return None
        return make(name, "yarn", i, value_opts=YARN_VALUE)
    if name == "pnpm":
        i = _subcommand(words, 1, PNPM_VALUE)
        if i is None:
            return None
        v = words[i].value or ""
        return make(name, "pnpm", i, {"i": "install"}.get(v, v), PNPM_VALUE)
    if name == "dpkg":
        if cmd.has_flag("-i", "--install"):
            return make(name, "dpkg", None, "install", DPKG_VALUE)
        return None
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




def written_packages(pkg: PackageCommand) -> list[str | None]:
    """The packages an install or removal names, as written (None: a word only the shell can expand)."""
    return [w.value for w in pkg.operands()]
