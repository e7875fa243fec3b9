"""An image's OS packages as a CycloneDX 1.6 JSON SBOM, for vulnerability scanners.

    json.dump(sbom(facts), f, indent=2)

Each package is a ``library`` component whose ``purl`` a scanner matches
against its advisories: ``pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12``,
``pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1``,
``pkg:rpm/rhel/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4&epoch=1``. The namespace is
the image's ``/etc/os-release`` ID (debian, ubuntu, alpine, wolfi, rhel, fedora…),
else the manager's usual distribution. The image itself is the metadata's
``container`` component. ``tests/test_report_sbom.py`` validates the output with
cyclonedx-python-lib's strict JSON validator (the published schema).
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import quote

from .. import __version__
from .facts import ImageFacts
from .packages import Package

__all__ = ["SPEC_VERSION", "sbom", "purl"]

SPEC_VERSION = "1.6"
_PURL_TYPES = {"dpkg": "deb", "apk": "apk", "rpm": "rpm"}
_DEFAULT_NAMESPACE = {"dpkg": "debian", "apk": "alpine", "rpm": "redhat"}


def _encode(value: str) -> str:
    return quote(value, safe=".-_~")


def purl(package: Package, os_release: dict[str, str]) -> str:
    """The package URL of an OS package (the purl spec's deb, apk and rpm types)."""
    kind = _PURL_TYPES[package.manager]
    namespace = os_release.get("ID", "").lower() or _DEFAULT_NAMESPACE[package.manager]
    qualifiers = {}
    version = package.version
    if package.manager == "rpm" and ":" in version:  # rpm's purl carries the epoch as a qualifier
        qualifiers["epoch"], version = version.split(":", 1)
    if package.arch:
        qualifiers["arch"] = package.arch
    distro = _distro(package.manager, os_release)
    if distro:
        qualifiers["distro"] = distro
    text = f"pkg:{kind}/{_encode(namespace)}/{_encode(package.name)}"
    if version:
        text += "@" + _encode(version)
    if qualifiers:
        text += "?" + "&".join(f"{k}={_encode(v)}" for k, v in sorted(qualifiers.items()))
    return text


def _distro(manager: str, os_release: dict[str, str]) -> str:
    version = os_release.get("VERSION_ID", "")
    if not version:
        return ""
    # alpine's scanners expect the bare release; the others name the distribution too
    return version if manager == "apk" else f"{os_release.get('ID', '').lower()}-{version}".lstrip("-")


def _component(package: Package, ref: str) -> dict:
    component: dict[str, object] = {"type": "library", "bom-ref": ref, "name": package.name}
    if package.version:
        component["version"] = package.version
    component["purl"] = ref.split("#", 1)[0]
    component["properties"] = [{"name": "dhard:package-manager", "value": package.manager}]
    return component


def _components(facts: ImageFacts) -> list[dict]:
    out, seen = [], set()
    for package in facts.packages:
        ref = purl(package, facts.os_release)
        unique, n = ref, 1
        while unique in seen:  # bom-refs must be unique; a purl need not be
            n += 1
            unique = f"{ref}#{n}"
        seen.add(unique)
        out.append(_component(package, unique))
    return out


def _os_component(facts: ImageFacts) -> list[dict]:
    release = facts.os_release
    if not release.get("ID"):
        return []
    component = {"type": "operating-system", "bom-ref": f"os:{release['ID']}", "name": release["ID"]}
    if release.get("VERSION_ID"):
        component["version"] = release["VERSION_ID"]
    if release.get("PRETTY_NAME"):
        component["description"] = release["PRETTY_NAME"]
    return [component]


def _image_component(facts: ImageFacts) -> dict:
    component: dict[str, object] = {"type": "container", "bom-ref": f"image:{facts.image_id}",
                                    "name": facts.reference or "image"}
    properties = [{"name": "dhard:image-id", "value": facts.image_id}]
    if facts.architecture:
        properties.append({"name": "dhard:architecture", "value": facts.architecture})
    for manager, state in sorted(facts.package_dbs.items()):
        properties.append({"name": f"dhard:package-db:{manager}", "value": state})
    component["properties"] = properties
    return component


def sbom(facts: ImageFacts, *, serial: uuid.UUID | None = None,
         timestamp: datetime.datetime | None = None) -> dict:
    """The CycloneDX document (a dict, ready for ``json.dump``) of the image's OS packages."""
    when = (timestamp or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial or uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "dhard", "version": __version__}]},
            "component": _image_component(facts),
        },
        "components": _os_component(facts) + _components(facts),
    }
