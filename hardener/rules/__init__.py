"""The rule registry: one module per rule, listed here explicitly.

A rule module has ``CODE`` (its catalogue entry in ``rules/DHnnn.yml``, and the
upper-cased start of its module name) and ``check(ctx) -> Iterable[Finding]``, a
pure function of the RuleContext.

``lint`` imports a rule only when it can report: enabled, and, for a rule in
``INSPECTS``, the file has one of the instructions it reads. ``RULES`` (every
rule, imported) is there for the tools that want them all.
"""

from __future__ import annotations

import sys

# The registry, in reporting order: one module per rule.
_MODULES = (
    "dh101_root_user",
    "dh102_sudo",
    "dh103_world_writable",
    "dh201_shell_form_entrypoint",
    "dh202_pipe_to_shell",
    "dh203_shell_in_final_image",
    "dh204_missing_pipefail",
    "dh205_shell_wrapper_entrypoint",
    "dh301_apt_lists_left",
    "dh302_apt_recommends",
    "dh303_apk_cache_left",
    "dh304_rpm_cache_left",
    "dh305_pip_cache_left",
    "dh306_node_cache_left",
    "dh307_build_tools_in_final_image",
    "dh308_package_manager_in_final_image",
    "dh401_untagged_image",
    "dh402_latest_tag",
    "dh403_floating_tag",
    "dh404_unpinned_digest",
    "dh405_untrusted_registry",
    "dh501_add_url_without_checksum",
    "dh502_secret_in_arg_or_env",
)


# Instructions (ONBUILD triggers count as their inner instruction) a rule's
# ``check`` reads its findings from: in a file with none of them the rule reports
# nothing, so it is not imported. Generated from the rules' sources and checked
# against them by tests/test_rule_index.py: a rule is listed only when ``check``
# is nothing but loops over those instructions. A rule not listed always runs.
INSPECTS: dict[str, frozenset[str]] = {
    "dh102_sudo": frozenset({"RUN"}),
    "dh103_world_writable": frozenset({"ADD", "COPY", "RUN"}),
    "dh201_shell_form_entrypoint": frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"}),
    "dh202_pipe_to_shell": frozenset({"RUN"}),
    "dh205_shell_wrapper_entrypoint": frozenset({"CMD", "ENTRYPOINT"}),
    "dh301_apt_lists_left": frozenset({"RUN"}),
    "dh302_apt_recommends": frozenset({"RUN"}),
    "dh303_apk_cache_left": frozenset({"RUN"}),
    "dh304_rpm_cache_left": frozenset({"RUN"}),
    "dh305_pip_cache_left": frozenset({"RUN"}),
    "dh306_node_cache_left": frozenset({"RUN"}),
    "dh307_build_tools_in_final_image": frozenset({"RUN"}),
    "dh501_add_url_without_checksum": frozenset({"ADD"}),
    "dh502_secret_in_arg_or_env": frozenset({"ARG", "ENV"}),
}


def code_of(module: str) -> str:
    """The rule code a registry entry is for: ``dh101_root_user`` -> ``DH101``."""
    return module.partition("_")[0].upper()


def load(module: str):
    """The rule module of a registry entry, imported on first use (``__import__``: importlib's
    ``import_module`` brings ``importlib`` and ``warnings`` onto the start-up path)."""
    name = f"{__name__}.{module}"
    loaded = sys.modules.get(name)
    if loaded is None:
        __import__(name)
        loaded = sys.modules[name]
    return loaded


def __getattr__(name: str):
    if name == "RULES":  # every rule, in registry order
        rules = tuple(load(module) for module in _MODULES)
        globals()["RULES"] = rules
        return rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
