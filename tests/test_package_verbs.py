"""The shared package-command reader: each tool's verbs and aliases, its caches, what its `clean` empties."""

import pytest

from hardener.semantic.packages import cache_paths, empties_cache_of, recognise
from hardener.shell import parse_shell


def read(command: str):
    return recognise(parse_shell(command).commands[0], 0)


@pytest.mark.parametrize(
    "command, action",
    [
        ("dnf in -y a", "install"),
        ("dnf install-n a", "install"),
        ("dnf install-nevra a-1.0-1.x86_64", "install"),
        ("dnf rei a", "reinstall"),
        ("dnf up -y", "upgrade"),
        ("dnf update -y", "upgrade"),
        ("dnf up-min", "upgrade-minimal"),
        ("dnf update-minimal", "upgrade-minimal"),
        ("dnf rm a", "remove"),
        ("dnf erase a", "remove"),
        ("dnf dsync", "distro-sync"),
        ("dnf distrosync", "distro-sync"),
        ("dnf dg a", "downgrade"),
        ("dnf mc", "makecache"),
        ("dnf -y group install 'Development Tools'", "install"),
        ("dnf grp install x", "install"),
        ("yum groupinstall x", "install"),
        ("yum localinstall ./a.rpm", "install"),
        ("yum erase a", "remove"),
        ("dnf5 in a", "install"),
        ("microdnf update", "upgrade"),
        ("tdnf erase a", "remove"),
        ("tdnf update", "upgrade"),
        ("zypper in a", "install"),
        ("zypper rm a", "remove"),
        ("zypper up", "update"),
        ("zypper dup", "dist-upgrade"),
        ("zypper si a", "source-install"),
        ("zypper ref", "refresh"),
        ("zypper cc -a", "clean"),
        ("zypper inr", "install-new-recommends"),
        ("apt-get auto-remove", "autoremove"),
        ("apt-get auto-clean", "autoclean"),
        ("apt full-upgrade", "dist-upgrade"),
        ("apt-get distclean", "dist-clean"),
        ("aptitude safe-upgrade", "upgrade"),
        ("aptitude full-upgrade", "dist-upgrade"),
        ("aptitude build-depends a", "build-dep"),
        ("aptitude update", "update"),
        ("apk add a", "add"),
    ],
)
def test_verbs_and_aliases(command, action):
    assert read(command).action == action


def test_an_alias_of_another_tool_is_not_resolved():
    """microdnf(8) has no `in`: it stays as written (and installs nothing the rules know of)."""
    assert read("microdnf in a").action == "in"


@pytest.mark.parametrize(
    "installer, cleaner, empties",
    [
        ("dnf", "dnf clean all", True),
        ("dnf", "dnf clean metadata", True),
        ("dnf", "dnf clean packages", False),
        ("dnf", "microdnf clean all", False),
        ("microdnf", "dnf clean all", False),
        ("microdnf", "microdnf clean all", True),
        ("yum", "dnf clean all", True),
        ("dnf", "yum clean all", True),
        ("tdnf", "dnf clean all", False),
        ("tdnf", "tdnf clean all", True),
        ("zypper", "zypper clean", False),
        ("zypper", "zypper cc", False),
        ("zypper", "zypper cc -a", True),
        ("zypper", "zypper clean --all", True),
        ("zypper", "zypper clean -m -M", True),
        ("dnf", "zypper clean --all", False),
    ],
)
def test_clean_counts_only_for_the_cache_it_empties(installer, cleaner, empties):
    assert empties_cache_of(read(cleaner), installer) is empties


def test_each_tool_has_its_own_cache_paths():
    assert "/var/cache/dnf" in cache_paths("dnf")
    assert "/var/cache/libdnf5" in cache_paths("dnf5")
    assert cache_paths("microdnf") == ("/var/cache/yum",)
    assert cache_paths("tdnf") == ("/var/cache/tdnf",)
    assert cache_paths("zypper") == ("/var/cache/zypp",)
    assert "/var/cache/apk" in cache_paths("apk")
