"""What start-up defers keeps its meaning: patterns compiled on first use, record __init__s made at the first
instance, image patterns skipped by their literal prefixes."""

from __future__ import annotations

import copy
import importlib
import pickle
import re

import pytest

from hardener import record
from hardener.images import knowledge
from hardener.syntax.lazyre import _Lazy, compile_lazily

# every module that compiles patterns lazily (tests/test_startup.py checks a small check compiles few)
LAZY_MODULES = ("hardener.shell", "hardener.syntax.expand", "hardener.syntax.line", "hardener.syntax.scanner",
                "hardener.semantic.users", "hardener.semantic.files", "hardener.images.knowledge",
                "hardener.analysis.listen", "hardener.analysis.path_expr", "hardener.analysis.writes")


def _lazy_patterns(module) -> list[_Lazy]:
    found = []
    for value in vars(module).values():
        values = [value]
        if isinstance(value, dict):  # writes._PATTERNS: language -> patterns
            values = [v for vs in value.values() if isinstance(vs, list) for v in vs]
        found.extend(v for v in values if isinstance(v, _Lazy))
    return found


@pytest.mark.parametrize("name", LAZY_MODULES)
def test_every_lazy_pattern_compiles(name):
    patterns = _lazy_patterns(importlib.import_module(name))
    assert patterns
    for pattern in patterns:
        assert isinstance(re.compile(*pattern._args), re.Pattern)


def test_a_lazy_pattern_answers_as_the_compiled_one():
    eager = re.compile(r"(?P<word>[a-z]+)(\d*)", re.I)
    lazy = compile_lazily(r"(?P<word>[a-z]+)(\d*)", re.I)
    assert vars(lazy) == {"_args": (r"(?P<word>[a-z]+)(\d*)", re.I)}  # nothing compiled yet
    text = "Abc12 de f3"
    assert lazy.match(text).groups() == eager.match(text).groups()
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert (lazy.pattern, lazy.flags, lazy.groupindex) == (eager.pattern, eager.flags, eager.groupindex)
    assert "match" in vars(lazy)  # kept: the next call does not look it up again


def test_a_lazy_pattern_is_not_a_pattern_to_copy_and_pickle():
    lazy = compile_lazily("a+")
    assert copy.copy(lazy).match("aa").group() == "aa"
    assert pickle.loads(pickle.dumps(lazy)).match("aa").group() == "aa"
    with pytest.raises(AttributeError):
        lazy.__wrapped__  # noqa: B018


def test_a_record_makes_its_init_at_the_first_instance(monkeypatch):
    made = []
    original = record._make_init
    monkeypatch.setattr(record, "_make_init", lambda cls, *args: made.append(cls.__name__) or original(cls, *args))

    @record.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0
        tags: list = record.field(default_factory=list)

    @record.dataclass(frozen=True)
    class Named(Point):
        name: str = ""

    assert made == []
    assert Point(1) == Point(1, 0, []) and Point(1, 2).y == 2
    assert made == ["Point"]
    assert Named(1, name="n") == Named(1, 0, [], "n") and Named(1).tags is not Named(1).tags
    assert made == ["Point", "Named"]
    with pytest.raises(record.FrozenInstanceError):
        Point(1).x = 2
    with pytest.raises(TypeError):
        Point()
    assert list(vars(Named(1, 2, [3], "n"))) == ["x", "y", "tags", "name"]


def test_a_record_subclass_without_its_own_decorator_uses_the_records_init():
    @record.dataclass(frozen=True)
    class Base:
        a: int

    class Plain(Base):
        pass

    assert Plain(3).a == 3 and Base(3).a == 3


@pytest.mark.parametrize("pattern, prefixes", [
    (r"(?:registry\.access\.redhat\.com|registry\.redhat\.io)/ubi(?P<os_version>\d+)",
     ("registry.access.redhat.com/ubi", "registry.redhat.io/ubi")),
    (r"(?:docker\.io/almalinux|quay\.io/almalinuxorg)/(?P<v>\d+)", ("docker.io/almalinux/", "quay.io/almalinuxorg/")),
    (r"(?:a|b)?c", ("",)),  # the group is optional
    (r"(?:a|b)c|d", ("",)),  # an alternation at the top
    (r"(?:a(?:b|c))d", ("",)),  # a group in the group
    (r"(?:a|b\d)c", ("",)),  # an alternative that is not plain text
    (r"(?:a|)x", ("ax", "x")),
    (r"gcr\.io/distroless/nodejs(?P<v>\d+)?", ("gcr.io/distroless/nodejs",)),
])
def test_literal_prefixes(pattern, prefixes):
    assert knowledge._literal_prefixes(pattern, glob=False) == prefixes
    assert knowledge._literal_prefixes("docker.io/bitnami/*", glob=True) == ("docker.io/bitnami/",)


def test_every_name_an_image_pattern_matches_starts_with_one_of_its_prefixes():
    from hardener.images import _builtin_knowledge

    names = ["registry.access.redhat.com/ubi9/ubi", "registry.redhat.io/ubi8-minimal", "docker.io/redhat/ubi9",
             "quay.io/almalinuxorg/9-base", "docker.io/almalinux/8-minimal", "gcr.io/distroless/nodejs22-debian13",
             "registry.access.redhat.com/ubi9/python-311", "mcr.microsoft.com/azurelinux/base/core"]
    patterns = [p for tier in _builtin_knowledge()._tiers for p in tier.patterns if p.is_re]
    matched = 0
    for pattern in patterns:
        for name in names:
            if re.fullmatch(pattern.source, name):
                matched += 1
                assert name.startswith(pattern.prefixes), (pattern.source, name)
    assert matched >= len(names)
