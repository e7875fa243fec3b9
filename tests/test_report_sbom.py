"""hardener.report.sbom: CycloneDX 1.6 JSON, validated against the published schema.

The schema comes from cyclonedx-python-lib's wheel (the `test` extra); its
validator resolves the schema's spdx and jsf references from the same wheel, so
this runs offline. A broken document must fail, so the validator really runs.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hardener.report import Package, read_archive, sbom
from hardener.report.sbom import purl
from report_helpers import apk_installed, config, docker_archive, dpkg_status, file, layer, rpmdb_sqlite

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def errors(doc: dict) -> list[str]:
    found = VALIDATOR.validate_str(json.dumps(doc), all_errors=True)
    return [str(e) for e in found] if found else []


@pytest.fixture
def images(tmp_path):
    debian = read_archive(docker_archive(tmp_path / "deb.tar", [layer(
        file("etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
        file("var/lib/dpkg/status", dpkg_status(("libc6", "2.36-9+deb12u4", "amd64"), ("zlib1g", "1:1.2.13.dfsg-1",
                                                                                       "amd64"),
                                                 ("libc6", "2.36-9+deb12u4", "i386"))))]))
    alpine = read_archive(docker_archive(tmp_path / "apk.tar", [layer(
        file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
        file("lib/apk/db/installed", apk_installed(("musl", "1.2.4-r2", "x86_64"))))]))
    rpm = read_archive(docker_archive(tmp_path / "rpm.tar", [layer(
        file("var/lib/rpm/rpmdb.sqlite", rpmdb_sqlite(tmp_path, [("openssl", "3.0.7", "27.el9", "x86_64", 1)])))]))
    bare = read_archive(docker_archive(tmp_path / "bare.tar", [layer(file("app/server"))], config(user="1")))
    return {"debian": debian, "alpine": alpine, "rpm": rpm, "bare": bare}


def test_every_sbom_validates_against_the_cyclonedx_schema(images):
    for name, facts in images.items():
        assert errors(sbom(facts)) == [], name


def test_sbom_components_and_purls(images):
    doc = sbom(images["debian"], serial=uuid.UUID(int=1), timestamp=datetime.datetime(2025, 1, 2, 3, 4, 5,
                                                                                        tzinfo=datetime.timezone.utc))
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    assert doc["serialNumber"] == "urn:uuid:00000000-0000-0000-0000-000000000001"
    assert doc["metadata"]["timestamp"] == "2025-01-02T03:04:05Z"
    assert doc["metadata"]["component"]["type"] == "container"
    os_component, *packages = doc["components"]
    assert os_component == {"type": "operating-system", "bom-ref": "os:debian", "name": "debian", "version": "12",
                            "description": "Debian GNU/Linux 12 (bookworm)"}
    assert [c["purl"] for c in packages] == [
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=i386&distro=debian-12",
        "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12",
    ]
    assert len({c["bom-ref"] for c in doc["components"]}) == len(doc["components"])


def test_purls_for_apk_and_rpm():
    assert purl(Package("apk", "musl", "1.2.4-r2", "x86_64"), {"ID": "alpine", "VERSION_ID": "3.19.1"}) == \
        "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.19.1"
    assert purl(Package("rpm", "openssl", "1:3.0.7-27.el9", "x86_64"), {"ID": "rhel", "VERSION_ID": "9.4"}) == \
        "pkg:rpm/rhel/openssl@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
    assert purl(Package("rpm", "bash", "5.1-1", ""), {}) == "pkg:rpm/redhat/bash@5.1-1"


def test_same_purl_twice_gets_distinct_bom_refs(images):
    facts = images["alpine"]
    twice = type(facts).from_dict(facts.to_dict() | {"packages": [
        {"manager": "apk", "name": "musl", "version": "1", "arch": "x86_64"},
        {"manager": "apk", "name": "musl", "version": "1", "arch": "x86_64"}]})
    doc = sbom(twice)
    refs = [c["bom-ref"] for c in doc["components"]]
    assert len(set(refs)) == len(refs) == 3
    assert errors(doc) == []


def test_a_broken_sbom_fails_validation(images):
    good = sbom(images["debian"])
    assert errors(good) == []
    broken = []
    no_name = copy.deepcopy(good)
    del no_name["components"][1]["name"]
    broken.append(no_name)
    wrong_type = copy.deepcopy(good)
    wrong_type["components"][1]["type"] = "not-a-type"
    broken.append(wrong_type)
    extra_field = copy.deepcopy(good)
    extra_field["metadata"]["component"]["dhard"] = True  # strict: no unknown properties
    broken.append(extra_field)
    bad_serial = copy.deepcopy(good)
    bad_serial["serialNumber"] = "not-a-urn"
    broken.append(bad_serial)
    for doc in broken:
        assert errors(doc), doc


def test_references_to_the_spdx_schema_resolve_offline(images):
    # a licence id is checked against spdx.schema.json, which the bom schema only references
    doc = sbom(images["alpine"])
    doc["components"][1]["licenses"] = [{"license": {"id": "MIT"}}]
    assert errors(doc) == []
    doc["components"][1]["licenses"] = [{"license": {"id": "NOT-A-LICENCE-ID"}}]
    assert errors(doc)
