"""Settings: ``[tool.dhard]`` in pyproject.toml or ``.dhard.yaml``, found by walking up."""

from __future__ import annotations

from .record import dataclass, field, replace
from .cache import lru_cache
import os

from .findings import Severity

CONFIG_NAMES = (".dhard.yaml", ".dhard.yml")
KNOWN_KEYS = {
    "select",
    "ignore",
    "severity",
    "failure-threshold",
    "unsafe-fixes",
    "trusted-registries",
    "images",
    "pins",
    "extend-select",
    "build-target",
}


class ConfigError(Exception):
    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


MAX_CONFIG_BYTES = 1 << 20  # a config is a few lines; past this it is not one


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # codes, prefixes or names; empty = every rule
    ignore: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)  # code -> Severity
    failure_threshold: Severity = Severity.WARNING
    unsafe_fixes: bool = False
    trusted_registries: tuple[str, ...] | None = None  # None: DH405 has nothing to check against
    images: tuple[dict, ...] = ()  # extra base-image knowledge
    pins: dict = field(default_factory=dict)  # image reference -> pinned reference
    build_target: str | None = None  # the stage `dhard harden` hardens (docker build --target); None: the last
    path: str | None = None

    def with_overrides(self, **changes) -> "Config":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def is_enabled(self, code: str, name: str) -> bool:
        if self.select and not any(_matches(s, code, name) for s in self.select):
            return False
        return not any(_matches(s, code, name) for s in self.ignore)


def _matches(selector: str, code: str, name: str) -> bool:
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    return code.startswith(selector.upper()) or selector.lower() == name


def load_config(dockerfile_path: str | None) -> Config:
    """The config that applies to a Dockerfile (nearest one walking up from it)."""
    start = os.path.dirname(os.path.realpath(dockerfile_path)) if dockerfile_path else os.getcwd()
    config = _config_for_dir(start)
    from .pin import find_lock

    lock = find_lock(start)
    if lock is None:
        return config
    from .pin.lockfile import LockError, pins_in  # read without ruamel, cached by mtime

    try:
        locked = pins_in(lock)
    except LockError as exc:
        raise ConfigError(exc.path, exc.message) from None
    if locked:  # the config's own ``pins`` win over the lock file
        config = replace(config, pins={**locked, **config.pins})
    return config


@lru_cache(maxsize=256)
def _config_for_dir(directory: str) -> Config:
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return _from_yaml(candidate)
    pyproject = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(pyproject):
        found = _from_pyproject(pyproject)
        if found is not None:
            return found
    parent = os.path.dirname(directory)
    if parent == directory:
        return Config()
    return _config_for_dir(parent)


def _read(path: str) -> str:
    with open(path, "rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(path, f"too large for a config file (over {MAX_CONFIG_BYTES >> 20} MB)")
    return data.decode("utf-8", errors="replace")


def _from_yaml(path: str) -> Config:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(_read(path))
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(str(path), f"cannot read config: {first}", line) from None
    except RecursionError:  # a document nested thousands deep
        raise ConfigError(str(path), "cannot read config: nested too deeply") from None
    return from_mapping(data or {}, str(path))


def _from_pyproject(path: str) -> Config | None:
    text = _read(path)
    if "[tool.dhard" not in text:
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from None
    section = data.get("tool", {}).get("dhard")
    if section is None:
        return None
    return from_mapping(section, str(path))


MAX_CONFIG_NODES = 100_000  # values counted as if every YAML alias were written out


def _check_size(data, path: str) -> None:
    """Refuse a config that would be huge once its aliases are expanded (the "billion laughs").

    The YAML loader shares aliased nodes, so loading is cheap; whoever later walks the
    value (json.dumps of ``images``, say) would expand it. Count with a budget instead.
    """
    budget = MAX_CONFIG_NODES
    stack = [data]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            raise ConfigError(path, f"config too large: over {MAX_CONFIG_NODES:,} values once its YAML aliases are expanded")
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)


def from_mapping(data, path: str) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(path, "config must be a mapping of options")
    _check_size(data, path)
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(path, f"unknown key '{unknown[0]}' (known: {', '.join(sorted(KNOWN_KEYS))})")
    kwargs: dict = {"path": path}
    select = _str_list(data, "select", path)
    extend = _str_list(data, "extend-select", path)
    if select is not None or extend is not None:
        kwargs["select"] = tuple((select or []) + (extend or [])) if select is not None else ()
    if (ignore := _str_list(data, "ignore", path)) is not None:
        kwargs["ignore"] = tuple(ignore)
    if "severity" in data:
        kwargs["severity"] = _severity_map(data["severity"], path)
    if "failure-threshold" in data:
        kwargs["failure_threshold"] = _severity(data["failure-threshold"], "failure-threshold", path)
    if "unsafe-fixes" in data:
        if not isinstance(data["unsafe-fixes"], bool):
            raise ConfigError(path, "key 'unsafe-fixes' must be true or false")
        kwargs["unsafe_fixes"] = data["unsafe-fixes"]
    if (registries := _str_list(data, "trusted-registries", path)) is not None:
        for entry in registries:
            problem = registry_pattern_problem(entry)
            if problem:
                raise ConfigError(path, f"key 'trusted-registries': invalid entry '{entry}': {problem}")
        kwargs["trusted_registries"] = tuple(registries)
    if "images" in data:
        images = data["images"]
        if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
            raise ConfigError(path, "key 'images' must be a list of image entries")
        kwargs["images"] = tuple(images)
    if "pins" in data:
        pins = data["pins"]
        if not isinstance(pins, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pins.items()):
            raise ConfigError(path, "key 'pins' must map image references to pinned references")
        kwargs["pins"] = dict(pins)
    if "build-target" in data:
        value = data["build-target"]
        if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value.strip()):
            raise ConfigError(path, "key 'build-target' must be a stage name (as `docker build --target` takes)")
        kwargs["build_target"] = value.strip()
    return Config(**kwargs)


def registry_pattern_problem(entry: str) -> str | None:
    """Why a trusted-registries entry is not one DH405 can match (None: it is fine).

    An entry is a registry host (``gcr.io``, ``registry.example.com:5000``), optionally with a
    repository prefix (``docker.io/library``), or a pattern as hadolint's trustedRegistries takes
    them: ``*`` (any registry) or ``*`` opening the host (``*.example.com``: its subdomains)."""
    if not entry or entry != entry.strip() or any(ch.isspace() for ch in entry):
        return "an entry is a registry host such as 'docker.io', with no spaces"
    if "://" in entry:
        return "write the registry host without a scheme ('ghcr.io', not 'https://ghcr.io')"
    if entry == "*":
        return None
    host, _, repo = entry.partition("/")
    if "*" in repo or "*" in host[1:]:
        return "'*' may only open the host name: '*' (any registry) or '*.example.com' (its subdomains)"
    name = host[1:] if host.startswith("*") else host
    name, colon, port = name.partition(":")
    if colon and not port.isdigit():
        return f"the port in '{host}' must be a number"
    if not name or not all(ch.isalnum() or ch in ".-_" for ch in name):
        return f"'{host}' is not a registry host name"
    if repo and not all(ch.isalnum() or ch in "._-/" for ch in repo):
        return f"'{repo}' is not a repository path"
    return None


def _str_list(data: dict, key: str, path: str) -> list[str] | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"key '{key}' must be a list of strings")
    return value


def _severity(value, key: str, path: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(path, f"key '{key}' must be one of error, warning, info, style")
    try:
        return Severity.parse(value)
    except ValueError:
        raise ConfigError(path, f"key '{key}': unknown severity '{value}' (error, warning, info, style)") from None


def _severity_map(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(path, "key 'severity' must map rule codes to severities")
    from .catalogue import lookup

    out = {}
    for code, sev in value.items():
        info = lookup(str(code))
        if info is None:
            raise ConfigError(path, f"key 'severity': unknown rule '{code}'")
        out[info.code] = _severity(sev, f"severity.{code}", path)
    return out
