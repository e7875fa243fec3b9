"""The rule registry: one module per rule, listed here explicitly.

A rule module has ``CODE`` (its catalogue entry in ``rules/DHnnn.yml``) and
``check(ctx) -> Iterable[Finding]``, a pure function of the RuleContext.
"""

from __future__ import annotations

from importlib import import_module

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

RULES: tuple = tuple(import_module(f"{__name__}.{name}") for name in _MODULES)
