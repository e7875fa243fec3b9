"""Compiled image knowledge: entries matched by name, then refined by tag.

``Knowledge`` holds the entries in tiers (user entries win over ours): exact
names in a dict, glob and regex patterns tried in order. An entry's
``extends`` is applied on demand (``_Resolver``) and its regexes are compiled
on first use, as most entries are never looked at in a run.
"""

from __future__ import annotations


from ..syntax.imageref import HUB, HUB_ALIASES, split_domain
from ..syntax.lazyre import compile_glob, compile_lazily, compile_pattern
from .info import EMPTY, FIELDS, STR_FIELDS, UNKNOWN, FrozenDict, ImageInfo

TYPE_CHECKING = False  # importing typing costs start-up time; annotations are strings here
if TYPE_CHECKING:
    import re
    from typing import Any, Mapping, Sequence

_GROUP_FIELDS = frozenset({"os_version", "runtime_version"})
_DEFAULTS: dict[str, Any] = {name: None for name in FIELDS}
_DEFAULTS.update(drops_privileges=False, hardened=False)

_TOKEN_FMT = r"(?:^|-)(?:{})(?=-|$)"
_PLACEHOLDER = compile_lazily(r"\{(\w+)(?:\|([^}]*))?\}")
_TAGV = compile_lazily(r"^v?(\d+(?:\.\d+)?)")
_DEV_SUFFIX = compile_lazily(r"-(?:sfw-(?:ent-)?)?dev$|^dev$")
_SDK_TOKEN = compile_lazily(r"(?:^|-)sdk(?=-|$)")


def _norm_value(name: str, value: Any) -> Any:
    if value is not None and name in STR_FIELDS and not isinstance(value, str):
        return str(value)
    return value


def _glob_regex(pattern: str) -> re.Pattern:
    return compile_glob(pattern)


def _split_registry(name: str) -> tuple[str, str]:
    """'gcr.io/distroless/static' -> ('gcr.io', 'distroless/static'); 'python' -> ('docker.io', 'python')."""
    registry, rest = split_domain(name)
    return (HUB, name) if registry is None else (registry.lower(), rest)


def normalize(registry: str | None, repository: str) -> str:
    """The name entries match against: 'registry/path', Docker Hub as docker.io without library/."""
    repository = repository.strip().strip("/")
    if registry is None:
        registry, repository = _split_registry(repository)
    registry = registry.lower()
    if registry in HUB_ALIASES:
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
        self.tag_re = compile_pattern(raw["tag_re"]) if raw.get("tag_re") else None
        self.repo_re = compile_pattern(raw["repo_re"]) if raw.get("repo_re") else None
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
        self.version_re = compile_pattern(spec["version_re"]) if spec.get("version_re") else None
        self.os_version_re = compile_pattern(spec["os_version_re"]) if spec.get("os_version_re") else None
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


def _render_counterparts(specs: dict, facts: dict, name: str, tag: str | None) -> FrozenDict:
    if not specs:
        return EMPTY
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
    return FrozenDict(out) if out else EMPTY


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
    if _alternation_at_top(pattern):
        return ""  # a top-level alternation has no common prefix
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in _LITERAL_ESCAPES:
            out.append(pattern[i + 1])
            i += 2
            continue
        if ch in _REGEX_SPECIALS:
            break
        out.append(ch)
        i += 1
    if i < len(pattern) and pattern[i] in "*?{" and out:
        out.pop()  # the last literal is optional
    return "".join(out)


_LITERAL_ESCAPES = "./-:_@"
_REGEX_SPECIALS = "()[]{}*+?|^$.\\"


def _alternation_at_top(pattern: str) -> bool:
    if "|" not in pattern:
        return False
    depth = 0
    escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def _literal_prefixes(pattern: str, glob: bool) -> tuple[str, ...]:
    """Leading texts one of which every match starts with (('',) when unsure). A regex that opens with a
    group of literal alternatives, as registries are written (``(?:quay\\.io|docker\\.io)/...``), has one per
    alternative: a name that starts with none of them is not even compiled for."""
    if glob or not pattern.startswith("(?:") or _alternation_at_top(pattern):
        return (_literal_prefix(pattern, glob),)
    end = pattern.find(")")
    alternatives = [_literal(a) for a in pattern[3:end].split("|")]
    rest = pattern[end + 1:]
    tail = _literal_prefix(rest, glob=False)
    prefixes = tuple(a + tail for a in alternatives if a is not None)
    if len(prefixes) < len(alternatives) or rest[:1] in ("*", "+", "?", "{"):
        return ("",)  # an alternative that is not plain text, or an optional or repeated group
    return prefixes


def _literal(fragment: str) -> str | None:
    """The one text a regex fragment matches when it is plain text, else None."""
    out = []
    i = 0
    while i < len(fragment):
        ch = fragment[i]
        if ch == "\\" and fragment[i + 1:i + 2] and fragment[i + 1] in _LITERAL_ESCAPES:
            out.append(fragment[i + 1])
            i += 2
        elif ch in _REGEX_SPECIALS:
            return None
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Pattern:
    __slots__ = ("prefixes", "source", "is_re", "entry", "_regex")

    def __init__(self, source: str, is_re: bool, entry: "_Entry"):
        self.source = source
        self.is_re = is_re
        self.entry = entry
        self.prefixes = _literal_prefixes(source, glob=not is_re)
        self._regex: re.Pattern | None = None

    def match(self, name: str) -> re.Match | None:
        if not name.startswith(self.prefixes):
            return None
        if self._regex is None:
            self._regex = compile_pattern(self.source) if self.is_re else _glob_regex(self.source)
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
            self._regex = compile_pattern(self.source)
        return self._regex.search(tag)


def _validate(entries: Sequence[Mapping[str, Any]], what: str) -> None:
    from .schema import validate_entries  # imported here: a plain run never checks the schema

    validate_entries(entries, what)


class Knowledge:
    """Compiled image knowledge: built-in entries plus (higher precedence) user entries."""

    def __init__(self, data: Mapping[str, Any], extra: Sequence[Mapping[str, Any]] | None = None,
                 validate: bool = False):
        builtin = list(data.get("entries") or ())
        if validate:
            _validate(builtin, "images.yaml")
        self.traits = tuple(_Trait(t) for t in data.get("tag_traits") or ())
        builtin_resolver = _Resolver(builtin, what="images.yaml")
        if validate:
            builtin_resolver.check_all()
        self.builtin_keys = tuple(e["key"] for e in builtin if not e.get("abstract"))
        tiers = []
        if extra:
            extra = list(extra)
            _validate(extra, "images")
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
