"""The one reader of package-manager commands: which tool, which verb, which packages.

``recognise(command)`` knows apt/apt-get/aptitude/apt-mark/apt-cache, apk,
dnf/dnf5/yum/microdnf/tdnf, zypper, pip/``python -m pip``, ``uv pip``,
npm (and its aliases), yarn, pnpm, dpkg, and the cleanup commands that matter
for leftovers (``rm``, ``find -delete``, ``export``). Each tool's options that
take a separate value are listed once here, so the verb and the packages are
found after them (``apt-get -a amd64 install libpq5``). Each tool's verb aliases
(``dnf in``/``up``/``rei``/``up-min``, ``zypper dup``, ``aptitude safe-upgrade``...)
are resolved to one canonical verb, from that tool's own table; each tool's cache
directories and which ``clean`` empties them (``empties_cache_of``) live here too. Rules read it for
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

def _aliases(table: str) -> dict[str, str]:
    """``"canonical: alias alias; ..."`` -> {alias: canonical} (each canonical name maps to itself)."""
    out: dict[str, str] = {}
    for entry in table.split(";"):
        canonical, _, names = entry.partition(":")
        canonical = canonical.strip()
        if canonical:
            out[canonical] = canonical
            for alias in names.split():
                out[alias] = canonical
    return out


# Verbs and their aliases as each tool's own manual lists them, written to one canonical verb so
# rules and the rewriter compare one name ('install', 'remove', 'upgrade', ...). A verb not listed
# is kept as written.
# apt-get(8) and apt(8) (apt >= 2.7 adds dist-clean/distclean); `apt full-upgrade` is apt-get's
# dist-upgrade under its newer name.
_APT_GET_ALIASES = _aliases(
    "autoclean: auto-clean; autoremove: auto-remove; dist-clean: distclean; dist-upgrade: full-upgrade"
)
_APT_ALIASES = _APT_GET_ALIASES
# aptitude(8): safe-upgrade is also `upgrade`, full-upgrade also `dist-upgrade`
_APTITUDE_ALIASES = _aliases("upgrade: safe-upgrade; dist-upgrade: full-upgrade; build-dep: build-depends")
# dnf(8) (dnf 4) and dnf5(8): the command aliases and the -n/-na/-nevra spellings of install,
# reinstall, remove; yum is dnf on EL 8+/Fedora (its yum3 spellings are listed too).
_DNF_ALIASES = _aliases(
    "install: in install-n install-na install-nevra localinstall; "
    "reinstall: rei; "
    "remove: rm erase remove-n remove-na remove-nevra erase-n erase-na erase-nevra; "
    "upgrade: up update upgrade-to update-to localupdate; "
    "upgrade-minimal: up-min update-minimal; "
    "downgrade: dg; "
    "distro-sync: dsync distrosync distribution-synchronization; "
    "makecache: mc; "
    "check-update: check-upgrade; "
    "repoquery: rq; search: se; info: if; list: ls; provides: prov whatprovides; history: hist; "
    "group: grp groups; builddep: build-dep; autoremove: ; clean: ; swap: ; module: "
)
_YUM_ALIASES = _DNF_ALIASES
# microdnf(8): `update` is upgrade's other name
_MICRODNF_ALIASES = _aliases("upgrade: update; remove: erase")
# tdnf(8)
_TDNF_ALIASES = _aliases("remove: erase; upgrade: update upgrade-to update-to; provides: whatprovides")
# zypper(8): every command's short form
_ZYPPER_ALIASES = _aliases(
    "install: in; remove: rm; verify: ve; source-install: si; install-new-recommends: inr; "
    "update: up; list-updates: lu; patch: ; list-patches: lp; dist-upgrade: dup; patch-check: pchk; "
    "search: se; info: if; patch-info: ; refresh: ref; clean: cc; addrepo: ar; removerepo: rr; "
    "renamerepo: nr; modifyrepo: mr; repos: lr; refresh-services: refs; addservice: as; "
    "removeservice: rs; modifyservice: ms; services: ls; packages: pa; patches: pch; patterns: pt; "
    "products: pd; what-provides: wp; addlock: al; removelock: rl; locks: ll; cleanlocks: cl; "
    "source-download: ; download: ; purge-kernels: "
)
_TOOL_ALIASES = {
    "apt-get": _APT_GET_ALIASES,
    "apt": _APT_ALIASES,
    "aptitude": _APTITUDE_ALIASES,
    "dnf": _DNF_ALIASES,
    "dnf4": _DNF_ALIASES,
    "dnf5": _DNF_ALIASES,
    "yum": _YUM_ALIASES,
    "microdnf": _MICRODNF_ALIASES,
    "tdnf": _TDNF_ALIASES,
}

# -- each tool's own caches, and which `clean` empties them -----------------------------------------

# Where each tool keeps downloaded metadata/packages. yum is dnf on EL 8+/Fedora (/var/cache/dnf),
# yum 3 on EL 7 (/var/cache/yum); dnf5 keeps /var/cache/libdnf5; microdnf keeps its own
# /var/cache/yum tree; tdnf /var/cache/tdnf; zypper /var/cache/zypp.
CACHE_PATHS = {
    "dnf": ("/var/cache/dnf", "/var/cache/libdnf5"),
    "dnf4": ("/var/cache/dnf",),
    "dnf5": ("/var/cache/libdnf5",),
    "yum": ("/var/cache/yum", "/var/cache/dnf"),
    "microdnf": ("/var/cache/yum",),
    "tdnf": ("/var/cache/tdnf",),
    "zypper": ("/var/cache/zypp",),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "apt-get": ("/var/cache/apt",),
    "apt": ("/var/cache/apt",),
    "aptitude": ("/var/cache/apt",),
}
# tools that are one program with one cache: on a given image `yum`, `dnf`, `dnf4`/`dnf5` are the
# same dnf (or yum 3 alone); microdnf and tdnf are separate programs with their own caches.
_CACHE_DOMAIN = {"dnf": "dnf", "dnf4": "dnf", "dnf5": "dnf", "yum": "dnf", "microdnf": "microdnf", "tdnf": "tdnf"}
_RPM_CLEAN_ALL = frozenset(("all", "metadata"))  # packages are not kept by default (keepcache=0)


def cache_domain(tool: str) -> str:
    """Tools with the same domain share one cache (a `clean` by one empties the other's)."""
    return _CACHE_DOMAIN.get(tool, tool)


def cache_paths(tool: str) -> tuple[str, ...]:
    """The directories ``tool`` downloads into (metadata and packages)."""
    return CACHE_PATHS.get(tool, ())


def empties_cache_of(cleaner: "PackageCommand", tool: str) -> bool:
    """Whether ``cleaner`` (a ``clean`` command) empties the cache ``tool`` filled.

    ``dnf clean all`` empties dnf's cache (and yum's: the same program) but not microdnf's or
    tdnf's; ``zypper clean`` without ``--all`` only drops downloaded packages, not the metadata."""
    if cleaner.action != "clean":
        return False
    if cleaner.family == "rpm":
        if cache_domain(cleaner.tool) != cache_domain(tool):
            return False
        return any(w.value in _RPM_CLEAN_ALL for w in cleaner.operands())
    if cleaner.family == "zypper":
        if tool != "zypper":
            return False
        return cleaner.has("-a", "--all") or (
            cleaner.has("-m", "--metadata") and cleaner.has("-M", "--raw-metadata")
        )
    return False


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


def _canonical(tool: str, words, index: int | None) -> str | None:
    """The verb at ``words[index]`` with the tool's aliases resolved."""
    if index is None:
        return None
    verb = words[index].value
    if verb is None:
        return None
    return _TOOL_ALIASES.get(tool, {}).get(verb, verb)


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
        i = _subcommand(words, 1, APT_VALUE)
        return make(name, "apt", i, _canonical(name, words, i), APT_VALUE)
    if name in ("apt-mark", "apt-cache"):
        return make(name, "apt", _subcommand(words, 1, APT_VALUE), value_opts=APT_VALUE)
    if name == "apk":
        return make(name, "apk", _subcommand(words, 1, APK_VALUE), value_opts=APK_VALUE)
    if name in RPM_TOOLS:
        i = _subcommand(words, 1, RPM_VALUE)
        verb = _canonical(name, words, i)
        if verb in ("group", "module"):
            j = _subcommand(words, i + 1, RPM_VALUE)
            if j is not None and _canonical(name, words, j) in ("install", "upgrade", "enable"):
                return make(name, "rpm", j, "install", RPM_VALUE)
        if verb in ("groupinstall", "groupupdate"):
            return make(name, "rpm", i, "install", RPM_VALUE)
        return make(name, "rpm", i, verb, RPM_VALUE)
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
