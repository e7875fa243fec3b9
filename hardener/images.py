"""What we know about base images: family, default user, shell, package manager, runtime.

The knowledge lives in ``hardener/data/images.yaml`` (schema at the top of that
file); users add entries from config (``images:``), which win over ours.

    >>> info = lookup(None, "python", "3.11-slim")
    >>> info.family, info.default_user, info.runtime_version
    ('debian', 'root', '3.11')

An image we know nothing about comes back with ``known=False`` and every fact
``None``: unknown is never treated as safe.

Speed: ``lookup`` is on the linter's hot path. Results are memoised per
(registry, repository, tag); the data is parsed once per process. Parsing YAML
with the pure-Python ruamel loader costs tens of milliseconds, so the parsed data
is read from a JSON copy when one matches the YAML byte for byte: first
``hardener/data/images.json`` (``python -m hardener.images --write-json``), then
a per-user cache (``$DHARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/dhard``, else
``~/.cache/dhard``; ``DHARD_NO_CACHE=1`` turns it off). ruamel.yaml is imported
only when neither exists.
"""

from __future__ import annotations

import os
import re
import zlib
from functools import lru_cache

from .record import dataclass, fields

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Mapping, Sequence

__all__ = ["ImageInfo", "Knowledge", "lookup", "load_knowledge", "UNKNOWN", "FIELDS", "validate_entries"]

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
_YAML = os.path.join(_DATA_DIR, "images.yaml")
_JSON = os.path.join(_DATA_DIR, "images.json")


def __getattr__(name: str):
    """DATA_DIR, YAML_PATH and JSON_PATH as Paths, without importing pathlib at start-up."""
    paths = {"DATA_DIR": _DATA_DIR, "YAML_PATH": _YAML, "JSON_PATH": _JSON}
    if name in paths:
        from pathlib import Path

        return Path(paths[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read_bytes(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()

HUB = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class _FrozenDict(dict):
    """A dict that refuses changes (results are shared through the cache) and can be hashed."""

    __slots__ = ()

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("ImageInfo.counterparts is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __ior__(self, other: Any) -> "_FrozenDict":  # type: ignore[override]
        raise TypeError("ImageInfo.counterparts is read-only")

    def __reduce__(self) -> Any:
        return (_FrozenDict, (dict(self),))


_EMPTY = _FrozenDict()


@dataclass(frozen=True)
class ImageInfo:
    key: str  # which entry matched, e.g. "python", "distroless/python3"; "unknown" when none did
    known: bool
    family: str | None  # 'debian','ubuntu','alpine','busybox','rhel','fedora','suse','distroless','chainguard','dhi','scratch','windows', ...
    os_version: str | None  # '12', '3.19', '22.04', ...
    default_user: str | None  # 'root', 'nonroot', '1001', ...; None if unknown
    default_uid: int | None  # 0, 65532, 1654, ...
    nonroot_user: str | None  # an existing non-root user a fix may switch to ('node', 'nonroot', 'app'), else None
    nonroot_uid: int | None
    has_shell: bool | None
    package_manager: str | None  # 'apt','apk','dnf','microdnf','yum','zypper','tdnf','none'; None = unknown
    libc: str | None  # 'glibc','musl','none'
    runtime: str | None  # 'python','node','go','java','ruby','php','rust','dotnet', None
    runtime_version: str | None  # from the tag when it says it: '3.11', '22', '17', '1.22'
    drops_privileges: bool  # official entrypoint starts as root and drops via gosu/su-exec
    hardened: bool  # shell-less / minimal hardened image (distroless, chainguard/dhi runtime, chiseled, scratch)
    counterparts: dict[str, str]  # target ('distroless','chainguard','dhi', ...) -> suggested image reference
    # Additions beyond the agreed fields (defaults keep positional construction working):
    entrypoint: str | None = None  # the official entrypoint script, e.g. "docker-entrypoint.sh"
    note: str | None = None  # one line a message may quote

    @property
    def runs_as_root(self) -> bool | None:
        """True/False when the default user is known, else None."""
        if self.default_uid is not None:
            return self.default_uid == 0
        if self.default_user is None:
            return None
        if self.default_user in ("root", "0", "ContainerAdministrator"):
            return True
        return False


UNKNOWN = ImageInfo(
    key="unknown",
    known=False,
    family=None,
    os_version=None,
    default_user=None,
    default_uid=None,
    nonroot_user=None,
    nonroot_uid=None,
    has_shell=None,
    package_manager=None,
    libc=None,
    runtime=None,
    runtime_version=None,
    drops_privileges=False,
    hardened=False,
    counterparts=_EMPTY,
)

# Fields an entry (or a variant's `set`) may give, with their types.
_STR_FIELDS = ("family", "os_version", "default_user", "nonroot_user", "package_manager", "libc", "runtime",
               "runtime_version", "entrypoint", "note")
_INT_FIELDS = ("default_uid", "nonroot_uid")
_OPT_BOOL_FIELDS = ("has_shell",)
_BOOL_FIELDS = ("drops_privileges", "hardened")
FIELDS = _STR_FIELDS + _INT_FIELDS + _OPT_BOOL_FIELDS + _BOOL_FIELDS
_ENTRY_KEYS = frozenset(FIELDS) | {
    "key", "match", "extends", "abstract", "os_tags", "version_re", "os_version_re", "version_aliases",
    "variants", "counterparts",
}
_VARIANT_KEYS = frozenset({"tag", "tag_re", "repo_re", "when", "set"})
_SET_KEYS = frozenset(FIELDS) | {"counterparts"}
_GROUP_FIELDS = frozenset({"os_version", "runtime_version"})
_DEFAULTS: dict[str, Any] = {name: None for name in FIELDS}
_DEFAULTS.update(drops_privileges=False, hardened=False)


# ----------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------


def _cache_dir() -> "Path | None":
    from pathlib import Path

    if os.environ.get("DHARD_NO_CACHE"):
        return None
    explicit = os.environ.get("DHARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "dhard"
    home = os.environ.get("HOME") or os.environ.get("USERPROFILE")
    return Path(home) / ".cache" / "dhard" if home else None


def _fingerprint(raw: bytes) -> str:
    return f"{zlib.crc32(raw):08x}-{len(raw)}"


def parse_yaml(text: str) -> dict:
    """Parse the knowledge YAML (slow path: imports ruamel.yaml)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(text)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError(f"{_YAML}: expected a mapping with an 'entries' list")
    return data


def build_json(raw: bytes | None = None) -> str:
    """The JSON copy of images.yaml that the loader reads instead of parsing YAML."""
    import json

    if raw is None:
        raw = _read_bytes(_YAML)
    data = parse_yaml(raw.decode("utf-8"))
    return json.dumps({"source": _fingerprint(raw), "data": data}, sort_keys=True, ensure_ascii=False) + "\n"


def _read_json(path, fingerprint: str) -> dict | None:
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            blob = json.load(handle)
    except (OSError, ValueError):
        return None
    if isinstance(blob, dict) and blob.get("source") == fingerprint and isinstance(blob.get("data"), dict):
        return blob["data"]
    return None


def _write_cache(path: "Path", text: str) -> None:
    """Best effort: a read-only or missing home just means the slow path next time too."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        for old in path.parent.glob("images-*.json"):  # copies of earlier versions of the YAML
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def _load_data(yaml_path=_YAML, json_path=_JSON, cache_dir: "Path | None | bool" = True) -> dict:
    """The parsed knowledge data, from the freshest JSON copy or the YAML itself."""
    import json

    raw = _read_bytes(yaml_path)
    fingerprint = _fingerprint(raw)
    if json_path is not None:
        data = _read_json(json_path, fingerprint)
        if data is not None:
            return data
    directory = _cache_dir() if cache_dir is True else (cache_dir or None)
    cache_file = directory / f"images-{fingerprint}.json" if directory else None
    if cache_file is not None:
        data = _read_json(cache_file, fingerprint)
        if data is not None:
            return data
    text = build_json(raw)
    if cache_file is not None:
        _write_cache(cache_file, text)
    return json.loads(text)["data"]


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------


def _check_fields(where: str, values: Mapping[str, Any], allowed: frozenset) -> None:
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"{where}: unknown key {name!r}")
        if name in _INT_FIELDS and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{where}: {name} must be an integer or null")
        if name in _OPT_BOOL_FIELDS and value is not None and not isinstance(value, bool):
            raise ValueError(f"{where}: {name} must be true, false or null")
        if name in _BOOL_FIELDS and not isinstance(value, bool):
            raise ValueError(f"{where}: {name} must be true or false")
        if name in _STR_FIELDS and value is not None and not isinstance(value, (str, int, float)):
            raise ValueError(f"{where}: {name} must be a string or null")
        if name == "counterparts" and value is not None and not isinstance(value, dict):
            raise ValueError(f"{where}: counterparts must be a mapping of target -> image")


def _check_regex(where: str, pattern: Any, compile_it: bool = True) -> None:
    if pattern is None:
        return
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: expected a regular expression string")
    if not compile_it:
        return
    try:
        re.compile(pattern)
    except re.error as err:
        raise ValueError(f"{where}: bad regular expression {pattern!r}: {err}") from None


def validate_entries(entries: Sequence[Mapping[str, Any]], what: str = "images", compile_regexes: bool = True) -> None:
    """Raise ValueError (with a readable location) if an entry does not follow the schema."""
    if not isinstance(entries, (list, tuple)):
        raise ValueError(f"{what}: expected a list of image entries")
    for index, entry in enumerate(entries):
        where = f"{what}[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        if "key" in entry:
            where = f"{what}[{index}] ({entry['key']})"
        _check_fields(where, entry, _ENTRY_KEYS)
        if not isinstance(entry.get("key"), str) or not entry["key"]:
            raise ValueError(f"{where}: 'key' (a non-empty string) is required")
        match = entry.get("match")
        if not entry.get("abstract"):
            if isinstance(match, str):
                match = [match]
            if not match or not all(isinstance(m, str) and m for m in match):
                raise ValueError(f"{where}: 'match' must list image names (or set abstract: true)")
            for pattern in match:
                if pattern.startswith("re:"):
                    _check_regex(f"{where}.match", pattern[3:], compile_regexes)
        extends = entry.get("extends")
        if extends is not None and not (isinstance(extends, str) or
                                        (isinstance(extends, list) and all(isinstance(e, str) for e in extends))):
            raise ValueError(f"{where}: 'extends' must be an entry key or a list of keys")
        _check_regex(f"{where}.version_re", entry.get("version_re"), compile_regexes)
        _check_regex(f"{where}.os_version_re", entry.get("os_version_re"), compile_regexes)
        aliases = entry.get("version_aliases")
        if aliases is not None and not isinstance(aliases, dict):
            raise ValueError(f"{where}: version_aliases must be a mapping")
        variants = entry.get("variants")
        if variants is not None:
            if not isinstance(variants, list):
                raise ValueError(f"{where}: variants must be a list")
            for vindex, variant in enumerate(variants):
                vwhere = f"{where}.variants[{vindex}]"
                if not isinstance(variant, dict):
                    raise ValueError(f"{vwhere}: expected a mapping")
                for name in variant:
                    if name not in _VARIANT_KEYS:
                        raise ValueError(f"{vwhere}: unknown key {name!r}")
                _check_regex(f"{vwhere}.tag_re", variant.get("tag_re"), compile_regexes)
                _check_regex(f"{vwhere}.repo_re", variant.get("repo_re"), compile_regexes)
                if not isinstance(variant.get("set") or {}, dict):
                    raise ValueError(f"{vwhere}: set must be a mapping")
                _check_fields(f"{vwhere}.set", variant.get("set") or {}, _SET_KEYS)
                when = variant.get("when")
                if when is not None and not isinstance(when, dict):
                    raise ValueError(f"{vwhere}: when must be a mapping of field -> value(s)")
                for name in when or {}:
                    if name not in FIELDS:
                        raise ValueError(f"{vwhere}.when: unknown field {name!r}")


# ----------------------------------------------------------------------------
# Compiled knowledge
# ----------------------------------------------------------------------------

_TOKEN_FMT = r"(?:^|-)(?:{})(?=-|$)"
_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^}]*))?\}")
_TAGV = re.compile(r"^v?(\d+(?:\.\d+)?)")
_DEV_SUFFIX = re.compile(r"-(?:sfw-(?:ent-)?)?dev$|^dev$")
_SDK_TOKEN = re.compile(r"(?:^|-)sdk(?=-|$)")


def _norm_value(name: str, value: Any) -> Any:
    if value is not None and name in _STR_FIELDS and not isinstance(value, str):
        return str(value)
    return value


def _glob_regex(pattern: str) -> re.Pattern:
    import fnmatch

    return re.compile(fnmatch.translate(pattern))


def _split_registry(name: str) -> tuple[str, str]:
    """'gcr.io/distroless/static' -> ('gcr.io', 'distroless/static'); 'python' -> ('docker.io', 'python')."""
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first.lower(), rest
    return HUB, name


def normalize(registry: str | None, repository: str) -> str:
    """The name entries match against: 'registry/path', Docker Hub as docker.io without library/."""
    repository = repository.strip().strip("/")
    if registry is None:
        registry, repository = _split_registry(repository)
    registry = registry.lower()
    if registry in _HUB_ALIASES:
        registry = HUB
    elif registry == "mirror.gcr.io":  # Google's pull-through cache of Docker Hub
        registry = HUB
    elif registry == "public.ecr.aws" and repository.startswith("docker/library/"):  # ECR's copy of official images
        registry, repository = HUB, repository[len("docker/"):]
    if registry == HUB and repository.startswith("library/"):
        repository = repository[len("library/"):]
    return f"{registry}/{repository}"


def _pattern_name(pattern: str) -> str:
    registry, repository = _split_registry(pattern)
    return normalize(registry, repository)


class _Variant:
    __slots__ = ("tags", "tag_re", "repo_re", "when", "set")

    def __init__(self, raw: Mapping[str, Any]):
        tags = raw.get("tag")
        if isinstance(tags, str):
            tags = [tags]
        self.tags = tuple(_glob_regex(t) for t in tags) if tags else ()
        self.tag_re = re.compile(raw["tag_re"]) if raw.get("tag_re") else None
        self.repo_re = re.compile(raw["repo_re"]) if raw.get("repo_re") else None
        when = raw.get("when") or {}
        self.when = tuple(
            (name, tuple(_norm_value(name, v) for v in value) if isinstance(value, list) else (_norm_value(name, value),))
            for name, value in when.items()
        )
        self.set = dict(raw.get("set") or {})


class _Entry:
    """One resolved (extends applied) entry; regexes compiled on first use."""

    def __init__(self, key: str, raw: Mapping[str, Any], resolver: "_Resolver"):
        self.key = key
        self.raw = raw
        self.resolver = resolver
        self._ready = False

    def _compile(self) -> None:
        spec = self.resolver.spec(self.raw)
        self.base = {name: _norm_value(name, spec.get(name, _DEFAULTS[name])) for name in FIELDS}
        self.os_tags = spec.get("os_tags", True) is not False
        self.version_re = re.compile(spec["version_re"]) if spec.get("version_re") else None
        self.os_version_re = re.compile(spec["os_version_re"]) if spec.get("os_version_re") else None
        self.aliases = {str(k): str(v) for k, v in (spec.get("version_aliases") or {}).items()}
        self.variants = tuple(_Variant(v) for v in spec.get("variants") or ())
        self.counterparts = dict(spec.get("counterparts") or {})
        self._ready = True

    def resolve(self, knowledge: "Knowledge", name: str, tag: str | None, groups: dict | None) -> ImageInfo:
        if not self._ready:
            self._compile()
        facts = dict(self.base)
        tag_text = tag if tag else "latest"
        if groups:
            for group, value in groups.items():
                if value is not None:
                    facts[group] = self.aliases.get(value, value)
        if self.os_version_re is not None and tag:
            found = self.os_version_re.search(tag)
            if found and found.groupdict().get("os_version"):
                facts["os_version"] = found.group("os_version")
        if facts["runtime_version"] is None and tag:
            facts["runtime_version"] = self._runtime_version(tag)
        counterparts = dict(self.counterparts)
        if self.os_tags and tag:
            for trait in knowledge.traits:
                found = trait.search(tag)
                if found:
                    counterparts = _apply(facts, counterparts, trait.values, found.groupdict())
        for variant in self.variants:
            if variant.tags and not any(t.match(tag_text) for t in variant.tags):
                continue
            found_groups: dict = {}
            if variant.tag_re is not None:
                found = variant.tag_re.search(tag_text)
                if not found:
                    continue
                found_groups.update(found.groupdict())
            if variant.repo_re is not None:
                found = variant.repo_re.search(name)
                if not found:
                    continue
                found_groups.update(found.groupdict())
            if variant.when and not all(facts.get(f) in values for f, values in variant.when):
                continue
            counterparts = _apply(facts, counterparts, variant.set, found_groups)
        if facts["default_user"] == "root" and facts["default_uid"] is None:
            facts["default_uid"] = 0
        rendered = _render_counterparts(counterparts, facts, name, tag)
        return ImageInfo(key=self.key, known=True, counterparts=rendered, **facts)

    def _runtime_version(self, tag: str) -> str | None:
        if self.version_re is not None:
            found = self.version_re.search(tag)
            if found:
                value = found.groupdict().get("runtime_version") or (found.group(1) if found.groups() else None)
                if value:
                    return self.aliases.get(value, value)
        if self.aliases:
            word = tag.split("-", 1)[0]
            return self.aliases.get(word)
        return None


def _apply(facts: dict, counterparts: dict, values: Mapping[str, Any], groups: Mapping[str, Any]) -> dict:
    for name, value in values.items():
        if name == "counterparts":
            if value is None:
                counterparts = {}
            else:
                counterparts = dict(counterparts)
                for target, ref in value.items():
                    if ref is None:
                        counterparts.pop(target, None)
                    else:
                        counterparts[target] = ref
        else:
            facts[name] = _norm_value(name, value)
    for group, value in groups.items():
        if group in _GROUP_FIELDS:
            facts[group] = value
    return counterparts


def _render_counterparts(specs: dict, facts: dict, name: str, tag: str | None) -> _FrozenDict:
    if not specs:
        return _EMPTY
    version = facts.get("runtime_version")
    registry, _, repository = name.partition("/")
    tagv = None
    if tag:
        found = _TAGV.match(tag)
        tagv = found.group(1) if found else None
    tag_nodev = "latest"
    if tag:
        tag_nodev = _SDK_TOKEN.sub("", _DEV_SUFFIX.sub("", tag)).strip("-") or "latest"
    values = {
        "v": version,
        "major": version.split(".", 1)[0] if version else None,
        "tagv": tagv,
        "tag": tag,
        "tag_nodev": tag_nodev,
        "registry": registry,
        "repository": repository,
        "repo_name": repository.rsplit("/", 1)[-1],
        "image": repository if registry == HUB else name,  # the name as usually written
    }
    out = {}
    for target, spec in specs.items():
        template = spec
        if isinstance(spec, dict):
            table = spec.get("by_version") or {}
            if version is None:
                template = spec.get("default")
            else:
                template = table.get(version)
        if not isinstance(template, str):
            continue
        rendered = _fill(template, values)
        if rendered:
            out[target] = rendered
    return _FrozenDict(out) if out else _EMPTY


def _fill(template: str, values: Mapping[str, str | None]) -> str | None:
    missing = False

    def sub(found: re.Match) -> str:
        nonlocal missing
        value = values.get(found.group(1))
        if value is None:
            value = found.group(2)
        if value is None:
            missing = True
            return ""
        return value

    text = _PLACEHOLDER.sub(sub, template)
    return None if missing else text


class _Resolver:
    """Applies ``extends`` on demand (most entries are never looked at in a run)."""

    def __init__(self, raw_entries: Sequence[Mapping[str, Any]], fallback: "_Resolver | None" = None,
                 what: str = "images"):
        self.what = what
        self.fallback = fallback
        self.by_key: dict[str, Mapping[str, Any]] = {}
        for entry in raw_entries:
            self.by_key.setdefault(entry["key"], entry)
        self._done: dict[int, dict] = {}

    def has(self, key: str) -> bool:
        return key in self.by_key or (self.fallback is not None and self.fallback.has(key))

    def spec(self, entry: Mapping[str, Any], stack: tuple = ()) -> dict:
        done = self._done.get(id(entry))
        if done is not None:
            return done
        if id(entry) in stack:
            raise ValueError(f"{self.what}: entry {entry['key']!r} extends itself")
        stack = stack + (id(entry),)
        parents = entry.get("extends") or []
        if isinstance(parents, str):
            parents = [parents]
        spec: dict = {}
        variants: list = []
        counterparts: dict = {}
        for parent in parents:
            base = self._parent(parent, entry, stack)
            variants.extend(base.get("variants") or ())
            counterparts.update(base.get("counterparts") or {})
            spec.update({k: v for k, v in base.items() if k not in ("variants", "counterparts")})
        spec.update({k: v for k, v in entry.items() if k not in _NOT_INHERITED})
        variants.extend(entry.get("variants") or ())
        if "counterparts" in entry:
            if entry["counterparts"] is None:
                counterparts = {}
            else:
                for target, ref in entry["counterparts"].items():
                    if ref is None:
                        counterparts.pop(target, None)
                    else:
                        counterparts[target] = ref
        spec["variants"] = variants
        spec["counterparts"] = counterparts
        self._done[id(entry)] = spec
        return spec

    def _parent(self, parent: str, child: Mapping[str, Any], stack: tuple) -> dict:
        candidate = self.by_key.get(parent)
        if candidate is not None and candidate is not child:
            return self.spec(candidate, stack)
        if self.fallback is not None and parent in self.fallback.by_key:
            return self.fallback.spec(self.fallback.by_key[parent])
        raise ValueError(f"{self.what}: entry {child['key']!r} extends unknown entry {parent!r}")

    def check_all(self) -> None:
        """Resolve every entry now (validation)."""
        for entry in self.by_key.values():
            self.spec(entry)


_NOT_INHERITED = frozenset({"variants", "counterparts", "extends", "abstract", "match", "key"})


def _literal_prefix(pattern: str, glob: bool) -> str:
    """Leading text every match of the pattern starts with ('' when unsure)."""
    if glob:
        cut = min((i for i in (pattern.find(c) for c in "*?[") if i >= 0), default=len(pattern))
        return pattern[:cut]
    depth = 0
    escaped = False
    for ch in pattern:  # a top-level alternation has no common prefix
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "./-:_@":
            out.append(pattern[i + 1])
            i += 2
            continue
        if ch in "()[]{}*+?|^$.\\":
            break
        out.append(ch)
        i += 1
    if i < len(pattern) and pattern[i] in "*?{" and out:
        out.pop()  # the last literal is optional
    return "".join(out)


class _Pattern:
    __slots__ = ("prefix", "source", "is_re", "entry", "_regex")

    def __init__(self, source: str, is_re: bool, entry: "_Entry"):
        self.source = source
        self.is_re = is_re
        self.entry = entry
        self.prefix = _literal_prefix(source, glob=not is_re)
        self._regex: re.Pattern | None = None

    def match(self, name: str) -> re.Match | None:
        if not name.startswith(self.prefix):
            return None
        if self._regex is None:
            self._regex = re.compile(self.source) if self.is_re else _glob_regex(self.source)
        return self._regex.fullmatch(name)


class _Tier:
    """Entries of one precedence level: exact names in a dict, patterns in order."""

    def __init__(self, raw_entries: Sequence[Mapping[str, Any]], resolver: _Resolver):
        self.exact: dict[str, _Entry] = {}
        self.patterns: list[_Pattern] = []
        for raw in raw_entries:
            if raw.get("abstract"):
                continue
            entry = _Entry(raw["key"], raw, resolver)
            match = raw.get("match") or []
            if isinstance(match, str):
                match = [match]
            for pattern in match:
                if pattern.startswith("re:"):
                    self.patterns.append(_Pattern(pattern[3:], True, entry))
                elif any(ch in pattern for ch in "*?["):
                    self.patterns.append(_Pattern(_pattern_name(pattern), False, entry))
                else:
                    self.exact.setdefault(_pattern_name(pattern), entry)

    def find(self, name: str) -> tuple["_Entry", dict | None] | None:
        entry = self.exact.get(name)
        if entry is not None:
            return entry, None
        for pattern in self.patterns:
            found = pattern.match(name)
            if found:
                return pattern.entry, (found.groupdict() if pattern.is_re else None)
        return None


class _Trait:
    __slots__ = ("needle", "source", "values", "_regex")

    def __init__(self, raw: Mapping[str, Any]):
        self.source = _TOKEN_FMT.format(raw["token"])
        self.needle = _literal_prefix(raw["token"], glob=False)
        self.values = dict(raw.get("set") or {})
        self._regex: re.Pattern | None = None

    def search(self, tag: str) -> re.Match | None:
        if self.needle not in tag:
            return None
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex.search(tag)


class Knowledge:
    """Compiled image knowledge: built-in entries plus (higher precedence) user entries."""

    def __init__(self, data: Mapping[str, Any], extra: Sequence[Mapping[str, Any]] | None = None,
                 validate: bool = False):
        builtin = list(data.get("entries") or ())
        if validate:
            validate_entries(builtin, "images.yaml")
        self.traits = tuple(_Trait(t) for t in data.get("tag_traits") or ())
        builtin_resolver = _Resolver(builtin, what="images.yaml")
        if validate:
            builtin_resolver.check_all()
        self.builtin_keys = tuple(e["key"] for e in builtin if not e.get("abstract"))
        tiers = []
        if extra:
            extra = list(extra)
            validate_entries(extra, "images")
            extra_resolver = _Resolver(extra, fallback=builtin_resolver, what="images")
            extra_resolver.check_all()
            tiers.append(_Tier(extra, extra_resolver))
        tiers.append(_Tier(builtin, builtin_resolver))
        self._tiers = tuple(tiers)
        self._memo: dict[tuple, ImageInfo] = {}

    def lookup(self, registry: str | None, repository: str, tag: str | None = None) -> ImageInfo:
        memo_key = (registry, repository, tag)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        info = self._lookup(registry, repository, tag)
        if len(self._memo) > 4096:
            self._memo.clear()
        self._memo[memo_key] = info
        return info

    def _lookup(self, registry: str | None, repository: str, tag: str | None) -> ImageInfo:
        if not repository or "$" in repository or "<" in repository:
            return UNKNOWN
        name = normalize(registry, repository)
        if tag is not None:
            tag = tag.strip() or None
        for tier in self._tiers:
            hit = tier.find(name)
            if hit is not None:
                entry, groups = hit
                return entry.resolve(self, name, tag, groups)
        return UNKNOWN


# ----------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_data() -> dict:
    return _load_data()


@lru_cache(maxsize=1)
def _builtin_knowledge() -> Knowledge:
    return Knowledge(_builtin_data())


@lru_cache(maxsize=32)
def _knowledge_for(frozen_extra: str) -> Knowledge:
    import json

    return Knowledge(_builtin_data(), json.loads(frozen_extra))


_BY_IDENTITY: dict[int, tuple[object, Knowledge]] = {}


def load_knowledge(extra: Sequence[Mapping[str, Any]] | None = None) -> Knowledge:
    """The knowledge base (cached). ``extra`` are user entries (same schema as the YAML), which win.

    Raises ValueError when an entry of ``extra`` does not follow the schema.
    """
    if not extra:
        return _builtin_knowledge()
    hit = _BY_IDENTITY.get(id(extra))
    if hit is not None and hit[0] is extra:
        return hit[1]
    import json

    try:
        frozen = json.dumps(list(extra), sort_keys=True, default=str)
    except (TypeError, ValueError) as err:
        raise ValueError(f"images: entries must be plain data: {err}") from None
    knowledge = _knowledge_for(frozen)
    if len(_BY_IDENTITY) > 64:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[id(extra)] = (extra, knowledge)  # keeps `extra` alive, so its id stays unique
    return knowledge


def lookup(registry: str | None, repository: str, tag: str | None, extra: Sequence[Mapping[str, Any]] | None = None) -> ImageInfo:
    """What we know about ``[registry/]repository[:tag]``; ``known=False`` when nothing matches.

    ``registry`` is None for Docker Hub (docker.io, index.docker.io and registry-1.docker.io
    are accepted too); ``repository`` is the path without registry ('python',
    'library/python', 'distroless/static-debian12'); ``tag`` None means latest.
    """
    return load_knowledge(extra).lookup(registry, repository, tag)


def _parse_reference(text: str) -> tuple[str | None, str, str | None]:
    """'gcr.io/distroless/static:nonroot' -> ('gcr.io', 'distroless/static', 'nonroot') (CLI helper)."""
    text = text.split("@", 1)[0]
    registry, rest = _split_registry(text)
    tag = None
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        rest, tag = rest.rsplit(":", 1)
    return (None if registry == HUB else registry), rest, tag


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(prog="python -m hardener.images", description=__doc__.split("\n\n")[0])
    parser.add_argument("refs", nargs="*", help="image references to look up, e.g. python:3.11-slim")
    parser.add_argument("--write-json", action="store_true", help="write hardener/data/images.json from images.yaml")
    args = parser.parse_args(argv)
    if args.write_json:
        with open(_JSON, "w", encoding="utf-8") as handle:
            handle.write(build_json())
        print(f"wrote {_JSON}", file=sys.stderr)
    for ref in args.refs:
        info = lookup(*_parse_reference(ref))
        print(json.dumps({"ref": ref, **{f.name: getattr(info, f.name) for f in fields(info)}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
