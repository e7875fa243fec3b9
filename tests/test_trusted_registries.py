"""trusted-registries takes hadolint's trustedRegistries patterns; a bad entry is a one-line config error."""

import subprocess
import sys
from pathlib import Path

import pytest

from hardener.config import ConfigError, from_mapping
from hardener.rules.dh405_untrusted_registry import trusted

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "registry, full, entry, expected",
    [
        ("gcr.io", "gcr.io/a/b", "*", True),
        ("docker.io", "docker.io/library/ubuntu", "*", True),
        ("eu.gcr.io", "eu.gcr.io/a/b", "*.gcr.io", True),
        ("a.b.gcr.io", "a.b.gcr.io/x", "*.gcr.io", True),
        ("gcr.io", "gcr.io/a/b", "*.gcr.io", False),
        ("gcr.io", "gcr.io/a/b", "*gcr.io", True),
        ("eu.gcr.io", "eu.gcr.io/a/b", "*gcr.io", True),
        ("evilgcr.io", "evilgcr.io/a", "*.gcr.io", False),
        ("registry.example.com.evil.io", "registry.example.com.evil.io/a", "*.example.com", False),
        ("my.example.com:5000", "my.example.com:5000/x", "*.example.com", False),
        ("my.example.com:5000", "my.example.com:5000/x", "*.example.com:5000", True),
        ("eu.gcr.io", "eu.gcr.io/team/app", "*.gcr.io/team", True),
        ("eu.gcr.io", "eu.gcr.io/other/app", "*.gcr.io/team", False),
        ("docker.io", "docker.io/library/ubuntu", "docker.io/library", True),
        ("docker.io", "docker.io/bitnami/redis", "docker.io/library", False),
        ("gcr.io", "gcr.io/a/b", "gcr.io", True),
        ("eu.gcr.io", "eu.gcr.io/a/b", "gcr.io", False),
        ("eu.gcr.io", "eu.gcr.io/a/b", "*.GCR.io", True),
    ],
)
def test_patterns(registry, full, entry, expected):
    assert trusted(registry, full, (entry,)) is expected


@pytest.mark.parametrize("entry", ["gc*.io", "*.*.example.com", "docker.io/*", "https://ghcr.io", "", "a b", "**", "host:port"])
def test_invalid_entries_are_config_errors(entry):
    with pytest.raises(ConfigError) as err:
        from_mapping({"trusted-registries": [entry]}, "cfg.yaml")
    assert "trusted-registries" in str(err.value) and len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize("entry", ["*", "*.example.com", "*gcr.io", "registry.example.com:5000", "docker.io/library", "ghcr.io/org/"])
def test_valid_entries(entry):
    assert from_mapping({"trusted-registries": [entry]}, "cfg.yaml").trusted_registries == (entry,)


def test_cli_reports_a_bad_pattern_on_one_line(tmp_path):
    (tmp_path / ".dhard.yaml").write_text('trusted-registries: ["gc*.io"]\n')
    (tmp_path / "Dockerfile").write_text("FROM gcr.io/distroless/static:nonroot\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hardener", "check", str(tmp_path / "Dockerfile")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and ".dhard.yaml" in lines[0] and "gc*.io" in lines[0], proc.stderr
