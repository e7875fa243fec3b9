"""Adapt a parsed nginx configuration to a non-root, shell-less nginx, or refuse.

The targets: Chainguard's and Docker Hardened Images' nginx (uid 65532,
port 8080) and nginxinc/nginx-unprivileged (uid 101, 8080, /tmp/nginx.pid).
A master process that is not root cannot bind ports below 1024, switch user,
or write root's folders, so:

- ``listen`` below 1024 moves to ``port + 8000`` (80 -> 8080, 443 -> 8443) or
  the caller's map, the address and parameters kept; ``unix:`` is left alone.
  An http ``server`` with no ``listen`` listened on 80 as root (8000 when not
  root): it gets the new port of 80 written out. ``Adapted.ports`` gives
  old -> new for EXPOSE.
- ``user`` at the main level is removed (a non-root master ignores it with a warning).
- ``pid`` goes to a writable path (``/tmp/nginx.pid``); a main config without
  one gets one, since the compiled-in default is root's.
- ``*_temp_path`` in a root-only place moves under ``/tmp`` (its own name, one
  folder per original path); a main config's ``http {}`` states the five
  explicitly, for the same reason (nginx creates the compiled-in ones, root's).
- Logs: ``/var/log/nginx/access.log`` and ``error.log`` become
  ``/dev/stdout`` and ``/dev/stderr``, where the official images link them,
  so the logs go where they went. Any other log file, and ``*_cache_path``, in
  a root-only place is kept and its folder listed in ``Adapted.writable_dirs``:
  the caller must make it the user's. A main config that names no
  ``error_log`` (main level) or ``access_log`` (``http {}``) gets
  ``/dev/stderr`` / ``/dev/stdout``: the compiled-in files are root's.

Refused (a ``Refusal`` naming file:line): an include dhard could not resolve,
``load_module`` (the target's modules differ), a ``listen`` with a variable or
anything else not understood, ``mail {}``, ``user``/``pid`` outside the main
level, TLS files the caller says are absent, a log or certificate path with a
variable, and a new port that collides with one already in use.
"""

from __future__ import annotations

import posixpath

from ...programs import is_privileged_port
from ...record import dataclass, field
from .config import Config, ConfFile, Visit, encode, walk
from .edits import Edit, Overlap, add_first, apply, remove, replace_word
from .listen import DEFAULT_PORT, Address, parse_address, unknown_parameter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .syntax import Directive, Word

PORT_SHIFT = 8000  # 80 -> 8080, 443 -> 8443: the ports the non-root nginx images document
TEMP_PATHS = {  # directive -> the folder name nginx-unprivileged uses under /tmp
    "client_body_temp_path": "client_temp",
    "proxy_temp_path": "proxy_temp",
    "fastcgi_temp_path": "fastcgi_temp",
    "uwsgi_temp_path": "uwsgi_temp",
    "scgi_temp_path": "scgi_temp",
}
CACHE_PATHS = frozenset({"proxy_cache_path", "fastcgi_cache_path", "uwsgi_cache_path", "scgi_cache_path"})
TLS_FILES = frozenset({
    "ssl_certificate", "ssl_certificate_key", "ssl_trusted_certificate", "ssl_client_certificate",
    "ssl_dhparam", "ssl_crl", "ssl_password_file", "ssl_stapling_file",
})
STDIO_LOGS = {"/var/log/nginx/access.log": "/dev/stdout", "/var/log/nginx/error.log": "/dev/stderr"}
_LOG_SINKS = ("stderr", "off", "syslog:", "memory:", "/dev/stdout", "/dev/stderr", "/dev/null", "/proc/self/fd/")


@dataclass(frozen=True)
class Options:
    pid: str = "/tmp/nginx.pid"
    temp_dir: str = "/tmp"
    writable: tuple[str, ...] = ("/tmp",)  # folders the non-root user can write
    prefix: str = "/etc/nginx"  # nginx's -p: relative pid, temp and log paths point here
    port_map: Mapping[int, int] | None = None  # old -> new; None: port + 8000 below 1024
    missing_files: frozenset[str] = frozenset()  # paths the caller knows are absent from the image
    stdio_logs: bool = True
    temp_paths: tuple[str, ...] = tuple(TEMP_PATHS)  # written into a main config's http {}
    source_as_root: bool = True  # the original master ran as root (a server without listen was on 80)


@dataclass(frozen=True)
class Change:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Adapted:
    changed: Mapping[str, str]  # path -> new text, for the files that changed
    changes: tuple[Change, ...]
    ports: Mapping[int, int]  # old -> new listen ports
    writable_dirs: tuple[str, ...] = ()  # folders the nginx user must be able to write

    def data(self, path: str) -> bytes:
        """The new content of ``path`` as bytes, the original's undecodable bytes restored."""
        return encode(self.changed[path])


@dataclass(frozen=True)
class Refusal:
    reason: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.file else self.reason


class _Refused(Exception):
    def __init__(self, reason: str, directive: Directive | None = None):
        super().__init__(reason)
        self.refusal = Refusal(reason, directive.file if directive else None, directive.line if directive else None)


@dataclass(frozen=True)
class _Site:
    """One place a port is listened on: a ``listen`` word, or a server that has none."""

    port: int
    address: Address
    directive: Directive  # the listen, or the server block
    word: Word | None = None  # None: the server's default listen


def adapt(configs: Config | Iterable[Config], options: Options = Options()) -> Adapted | Refusal:
    """The configuration(s) rewritten for a non-root nginx, or why that cannot be done safely.

    Pass every file the image serves with together (nginx.conf and the conf.d
    files it does not include), so ports are judged across all of them.
    """
    configs = (configs,) if isinstance(configs, Config) else tuple(configs)
    work = _Adapter(options, configs)
    try:
        for config in configs:
            work.read(config)
        work.move_ports()
        return work.result()
    except _Refused as refused:
        return refused.refusal


class _Adapter:
    def __init__(self, options: Options, configs: tuple[Config, ...]):
        self.options = options
        self.files: dict[str, ConfFile] = {p: f for c in configs for p, f in c.files.items()}
        self.edits: list[Edit] = []
        self.changes: dict[Change, None] = {}
        self.sites: list[_Site] = []
        self.writable_dirs: set[str] = set()
        self.ports: dict[int, int] = {}
        self.temp_folders: dict[str, object] = {}  # new temp folder -> what claimed it (nginx wants one use per path)

    # -- reading

    def read(self, config: Config):
        if config.unresolved:
            first = config.unresolved[0]
            raise _Refused(f"{first.reason}; dhard cannot see what it adds", first.directive)
        servers: dict[tuple[str, int], list] = {}  # http server block's (file, start) -> [block, has a listen]
        main = _MainLevel()
        for visit in walk(config):
            self.judge(visit, config, servers, main)
        if self.options.source_as_root:
            self.sites += [_Site(DEFAULT_PORT, Address("*", DEFAULT_PORT), s) for s, has in servers.values() if not has]
        if config.context == "main":
            self.complete_main(config, main)

    def judge(self, visit: Visit, config: Config, servers: dict[tuple[str, int], list], main: _MainLevel):
        directive, name = visit.directive, visit.directive.name.value
        at_main = not visit.parents and visit.context == "main"
        if name == "server" and directive.is_block and visit.inside("http"):
            servers.setdefault((directive.file, directive.start), [directive, False])
        elif name == "listen":
            self.listen(visit, servers)
        elif name in ("user", "pid"):
            if not at_main:
                raise _Refused(f'"{name}" is only allowed at the top of nginx.conf (nginx -t would fail)', directive)
            main.seen.add(name)
            if name == "user":
                self.user(directive)
            else:
                self.pid(directive)
        elif name == "error_log" and at_main:
            main.seen.add(name)
            self.log(directive)
        elif name == "load_module":
            raise _Refused(f"load_module {' '.join(directive.values)}: the target image's modules differ", directive)
        elif name == "mail" and directive.is_block:
            raise _Refused("mail {} servers are not adapted", directive)
        elif name == "http" and directive.is_block and at_main:
            main.http = main.http or directive
        elif name in TEMP_PATHS:
            self.temp_path(directive)
            if visit.inside("http") and visit.context == "main":
                main.seen.add(name)
        elif name in ("access_log", "error_log"):
            if name == "access_log" and visit.inside("http") and visit.context == "main":
                main.seen.add(name)
            self.log(directive)
        elif name in TLS_FILES:
            self.tls_file(directive, config)
        elif name in CACHE_PATHS:
            self.cache_path(directive)

    def listen(self, visit: Visit, servers: dict[tuple[str, int], list]):
        directive = visit.directive
        module = "http" if visit.inside("http", "server") else "stream" if visit.inside("stream", "server") else None
        if module is None:
            raise _Refused("listen outside an http or stream server block is not adapted", directive)
        if not directive.args:
            raise _Refused("listen without an address", directive)
        if module == "http":
            server = visit.parents[-1]
            servers[(server.file, server.start)][1] = True
        word = directive.args[0]
        address = parse_address(word.value)
        if isinstance(address, str):
            raise _Refused(f"listen {address}", directive)
        unknown = unknown_parameter(list(directive.values[1:]), module)
        if unknown:
            raise _Refused(f"listen {word.value}: parameter {unknown!r} is not one dhard understands", directive)
        if not address.unix:
            assert address.port is not None
            self.sites.append(_Site(address.port, address, directive, word))

    def user(self, directive: Directive):
        self.edits.append(remove(self.files[directive.file], directive))
        self.note(directive, f"removed `user {' '.join(directive.values)}`: a non-root master cannot switch users")

    def pid(self, directive: Directive):
        path = self.full(directive, 0)
        if not self.writable(path):
            self.replace(directive, 0, self.options.pid, f"pid {path} -> {self.options.pid} (a folder the nginx user can write)")

    def temp_path(self, directive: Directive):
        path = self.full(directive, 0)
        if self.writable(path):
            return
        name = directive.name.value
        new = self.temp_folder(posixpath.basename(path) or TEMP_PATHS[name], (path, directive.values[1:]))
        self.replace(directive, 0, new, f"{name} {path} -> {new} (root's folder; the nginx user cannot write it)")

    def temp_folder(self, name: str, owner: object) -> str:
        """A folder under temp_dir for ``owner`` (the original path and its levels): the same owner gets the
        same folder, another owner another one, since nginx refuses one path with different levels."""
        base = posixpath.join(self.options.temp_dir, name)
        new, n = base, 1
        while self.temp_folders.setdefault(new, owner) != owner:
            n += 1
            new = f"{base}_{n}"
        return new

    def log(self, directive: Directive):
        if not directive.args:
            return
        value = directive.args[0].value
        if value.startswith(_LOG_SINKS):
            return
        path = self.full(directive, 0)
        stdio = STDIO_LOGS.get(path) if self.options.stdio_logs else None
        if stdio:
            self.replace(directive, 0, stdio, f"{directive.name.value} {path} -> {stdio} (the official image links it there)")
        elif not self.writable(path):
            folder = posixpath.dirname(path)
            self.writable_dirs.add(folder)
            self.note(directive, f"{directive.name.value} {path} kept: the nginx user must be able to write {folder}")

    def tls_file(self, directive: Directive, config: Config):
        if not directive.args or directive.args[0].value.startswith(("data:", "engine:")):
            return
        value = directive.args[0].value
        if "$" in value:
            raise _Refused(f"{directive.name.value} {value} uses a variable: dhard cannot tell the file is there", directive)
        path = posixpath.normpath(posixpath.join(config.conf_dir, value))
        if path in self.options.missing_files:
            raise _Refused(f"{directive.name.value} {path} is not in the image", directive)

    def cache_path(self, directive: Directive):
        path = self.full(directive, 0)
        if not self.writable(path):
            self.writable_dirs.add(path)
            self.note(directive, f"{directive.name.value} {path} kept: the nginx user must be able to write it")

    # -- what a main nginx.conf must say for itself

    def complete_main(self, config: Config, main: _MainLevel):
        root = self.files[config.root]
        if "pid" not in main.seen:
            self.add_main(root, f"pid {self.options.pid};", "the compiled-in pid file is in root's folder")
        if "error_log" not in main.seen and self.options.stdio_logs:
            self.add_main(root, "error_log /dev/stderr;", "the compiled-in error log is a file in root's folder")
        if main.http is None:
            return
        http_file = self.files[main.http.file]
        if "access_log" not in main.seen and self.options.stdio_logs:
            self.add_http(http_file, main.http, "access_log /dev/stdout;", "the compiled-in access log is a file in root's folder")
        for name in self.options.temp_paths:
            if name not in main.seen:
                folder = self.temp_folder(TEMP_PATHS[name], ("compiled-in", name))
                self.add_http(http_file, main.http, f"{name} {folder};", "the compiled-in temp folders are root's")

    def add_main(self, root: ConfFile, line: str, why: str):
        self.edits.append(add_first(root, None, line))
        self.note_at(root.path, 1, f"added `{line}`: {why}")

    def add_http(self, conf: ConfFile, http: Directive, line: str, why: str):
        self.edits.append(add_first(conf, http, line))
        self.note(http, f"added `{line}` to http {{}}: {why}")

    # -- ports

    def move_ports(self):
        used = {site.port: site for site in reversed(self.sites)}  # the first site of each port
        for port in sorted(p for p in used if is_privileged_port(p)):
            new = self.new_port(port, used[port])
            if new in used:
                raise _Refused(f"port {port} would move to {new}, which {used[new].directive.where()} already listens on", used[port].directive)
            if new in self.ports.values():
                raise _Refused(f"ports {port} and {_key_of(self.ports, new)} would both move to {new}", used[port].directive)
            self.ports[port] = new
        for site in self.sites:
            if site.port in self.ports:
                self.move(site, self.ports[site.port])

    def new_port(self, port: int, site: _Site) -> int:
        mapped = self.options.port_map
        if mapped is not None and port not in mapped:
            raise _Refused(f"no new port was given for port {port}", site.directive)
        new = mapped[port] if mapped is not None else port + PORT_SHIFT
        if is_privileged_port(new) or not 0 < new < 65536:
            raise _Refused(f"port {port} cannot move to {new}", site.directive)
        return new

    def move(self, site: _Site, new: int):
        if site.word is None:
            line = f"listen {new};"
            self.edits.append(add_first(self.files[site.directive.file], site.directive, line))
            self.note(site.directive, f"server had no listen (port {site.port} as root): added `{line}`")
            return
        self.edits.append(replace_word(site.directive.file, site.word, site.address.with_port(new)))
        self.note(site.directive, f"listen {site.word.value} -> {site.address.with_port(new)}")

    # -- helpers

    def full(self, directive: Directive, index: int) -> str:
        """Argument ``index`` as an absolute path (nginx reads relative ones from its prefix)."""
        if len(directive.args) <= index:
            raise _Refused(f"{directive.name.value} without a path", directive)
        value = directive.args[index].value
        if "$" in value:
            raise _Refused(f"{directive.name.value} {value} uses a variable: dhard cannot tell where it writes", directive)
        return posixpath.normpath(posixpath.join(self.options.prefix, value))

    def writable(self, path: str) -> bool:
        return any(path == w or path.startswith(w.rstrip("/") + "/") for w in self.options.writable)

    def replace(self, directive: Directive, index: int, value: str, message: str):
        self.edits.append(replace_word(directive.file, directive.args[index], value))
        self.note(directive, message)

    def note(self, directive: Directive, message: str):
        self.note_at(directive.file, directive.line, message)

    def note_at(self, file: str, line: int, message: str):
        self.changes[Change(file, line, message)] = None

    def result(self) -> Adapted:
        by_file: dict[str, list[Edit]] = {}
        for edit in self.edits:
            by_file.setdefault(edit.file, []).append(edit)
        try:
            changed = {path: apply(self.files[path].text, edits) for path, edits in by_file.items()}
        except Overlap as overlap:
            raise _Refused(f"two adaptations touch the same text ({overlap})") from None
        changed = {path: text for path, text in changed.items() if text != self.files[path].text}
        order = {path: i for i, path in enumerate(self.files)}
        changes = sorted(self.changes, key=lambda c: (order.get(c.file, len(order)), c.line))
        return Adapted(changed, tuple(changes), dict(self.ports), tuple(sorted(self.writable_dirs)))


@dataclass
class _MainLevel:
    """What a main configuration states for itself (``pid``, temp paths in ``http {}``) and its http block."""

    seen: set[str] = field(default_factory=set)
    http: Directive | None = None


def _key_of(mapping: Mapping[int, int], value: int) -> int:
    return next(k for k, v in mapping.items() if v == value)
