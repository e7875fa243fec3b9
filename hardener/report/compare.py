"""Before / after: what hardening removed from an image's attack surface.

    report = compare(read_archive(a), read_archive(b), labels=("original", "rewritten"))
    report.to_json(); report.to_text(); report.to_markdown(); report.to_html()

The JSON shape, ``"schema": "dhard-report/1"`` (fields are only ever added
under this name; a removal or a change of meaning gets a new name)::

    {
      "schema": "dhard-report/1",
      "labels": {"before": "original", "after": "rewritten"},
      "before": IMAGE,
      "after": IMAGE,
      "changes": {
        "layers_bytes":  COUNT,          # the layers as stored in the saved archive
        "content_bytes": COUNT,          # regular files of the merged filesystem
        "file_count":    COUNT,
        "packages": COUNT + {"removed": [PACKAGE], "added": [PACKAGE],
                             "changed": [{"manager", "name", "arch", "before", "after"}]},
        "setuid":       COUNT + {"removed": [PATH], "added": [PATH]},
        "setgid":       (the same),
        "capabilities": (the same),      # files with a security.capability xattr
        "shells":           {"before": [NAME], "after": [NAME], "removed": [NAME], "added": [NAME]},
        "package_managers": (the same),
        "network_tools":    (the same),
        "user": {"before": str, "after": str, "root_before": bool, "root_after": bool},
        "exposed_ports": {"before": ["8000/tcp"], "after": [...]},
        "bound_ports": {"before": [8000], "after": [...]} | null,   # TCP ports the started container
                                                                      # listened on (--verify); null: not seen
        "command": {"before": {"entrypoint": [str] | null, "cmd": [str] | null}, "after": {...}}
      }
    }

    COUNT   = {"before": int, "after": int, "delta": int}      # delta = after - before
    PACKAGE = {"manager": "dpkg" | "apk" | "rpm", "name": str, "version": str, "arch": str}
    PATH    = an absolute path in the image, "/usr/bin/passwd"
    NAME    = a program's name, "sh"
    IMAGE   = {
      "reference": str, "image_id": "sha256:...", "os": str, "architecture": str,
      "os_release": {"ID"?, "VERSION_ID"?, "PRETTY_NAME"?},
      "size": {"layers_bytes": int, "content_bytes": int, "layer_count": int, "file_count": int},
      "packages": [PACKAGE],                   # sorted
      "package_dbs": {"dpkg": "read", "rpm": "present, not read (why)", ...},
      "setuid": [PATH], "setgid": [PATH], "capabilities": [PATH],
      "tools": {"shells": [PATH], "package_managers": [PATH], "network_tools": [PATH]},
      "user": str,                             # Config.User as written, "" when unset
      "runs_as_root": bool,
      "exposed_ports": [str],
      "entrypoint": [str] | null, "cmd": [str] | null,
      "warnings": [str]                        # what could not be read, and why
    }

Lists are sorted; paths and names are those found in the image. ``Report.from_dict``
reads the shape back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from .facts import ImageFacts
from .packages import Package
from .tools import TOOL_KINDS

__all__ = ["SCHEMA", "Report", "compare"]

SCHEMA = "dhard-report/1"


def _count(before: int, after: int) -> dict:
    return {"before": before, "after": after, "delta": after - before}


def _package(p: Package) -> dict:
    return {"manager": p.manager, "name": p.name, "version": p.version, "arch": p.arch}


def _by_key(packages: tuple[Package, ...]) -> dict[tuple[str, str, str], Package]:
    return {(p.manager, p.name, p.arch): p for p in packages}


@dataclass(frozen=True)
class Report:
    before: ImageFacts
    after: ImageFacts
    labels: tuple[str, str] = ("original", "rewritten")
    bound_ports: tuple | None = None  # (before, after): TCP ports the running containers listened on, if seen

    # -- the differences -------------------------------------------------------------------

    @cached_property
    def packages_removed(self) -> list[Package]:
        after = _by_key(self.after.packages)
        return [p for key, p in sorted(_by_key(self.before.packages).items()) if key not in after]

    @cached_property
    def packages_added(self) -> list[Package]:
        before = _by_key(self.before.packages)
        return [p for key, p in sorted(_by_key(self.after.packages).items()) if key not in before]

    @cached_property
    def packages_changed(self) -> list[tuple[Package, Package]]:
        before = _by_key(self.before.packages)
        return [(before[key], p) for key, p in sorted(_by_key(self.after.packages).items())
                if key in before and before[key].version != p.version]

    def paths_added(self, kind: str) -> list[str]:
        """Paths in ``after`` and not ``before``: kind is setuid, setgid or capabilities."""
        return sorted(set(getattr(self.after, kind)) - set(getattr(self.before, kind)))

    def paths_removed(self, kind: str) -> list[str]:
        return sorted(set(getattr(self.before, kind)) - set(getattr(self.after, kind)))

    def tools_removed(self, kind: str) -> list[str]:
        return sorted(set(self.before.tool_names(kind)) - set(self.after.tool_names(kind)))

    def tools_added(self, kind: str) -> list[str]:
        return sorted(set(self.after.tool_names(kind)) - set(self.before.tool_names(kind)))

    # -- the stable shape --------------------------------------------------------------------

    def to_dict(self) -> dict:
        b, a = self.before, self.after
        changes: dict = {
            "layers_bytes": _count(b.layers_bytes, a.layers_bytes),
            "content_bytes": _count(b.content_bytes, a.content_bytes),
            "file_count": _count(b.file_count, a.file_count),
            "packages": _count(len(b.packages), len(a.packages)) | {
                "removed": [_package(p) for p in self.packages_removed],
                "added": [_package(p) for p in self.packages_added],
                "changed": [{"manager": o.manager, "name": o.name, "arch": o.arch, "before": o.version,
                             "after": n.version} for o, n in self.packages_changed],
            },
        }
        for kind in ("setuid", "setgid", "capabilities"):
            changes[kind] = _count(len(getattr(b, kind)), len(getattr(a, kind))) | {
                "removed": self.paths_removed(kind), "added": self.paths_added(kind)}
        for kind in TOOL_KINDS:
            changes[kind] = {"before": b.tool_names(kind), "after": a.tool_names(kind),
                             "removed": self.tools_removed(kind), "added": self.tools_added(kind)}
        changes["user"] = {"before": b.user, "after": a.user, "root_before": b.runs_as_root,
                           "root_after": a.runs_as_root}
        changes["exposed_ports"] = {"before": list(b.exposed_ports), "after": list(a.exposed_ports)}
        changes["bound_ports"] = (None if self.bound_ports is None else
                                  {"before": list(self.bound_ports[0]), "after": list(self.bound_ports[1])})
        changes["command"] = {side: {"entrypoint": None if f.entrypoint is None else list(f.entrypoint),
                                     "cmd": None if f.cmd is None else list(f.cmd)}
                              for side, f in (("before", b), ("after", a))}
        return {"schema": SCHEMA, "labels": {"before": self.labels[0], "after": self.labels[1]},
                "before": b.to_dict(), "after": a.to_dict(), "changes": changes}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        if d.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report (schema {d.get('schema')!r})")
        labels = d.get("labels") or {}
        bound = (d.get("changes") or {}).get("bound_ports")
        return cls(ImageFacts.from_dict(d["before"]), ImageFacts.from_dict(d["after"]),
                   (labels.get("before", "original"), labels.get("after", "rewritten")),
                   None if bound is None else (tuple(bound["before"]), tuple(bound["after"])))

    # -- for people ----------------------------------------------------------------------------

    def to_text(self, width: int = 100) -> str:
        from .render import text

        return text(self, width)

    def to_markdown(self) -> str:
        from .render import markdown

        return markdown(self)

    def to_html(self) -> str:
        from .render import html_page

        return html_page(self)


def compare(before: ImageFacts, after: ImageFacts, labels: tuple[str, str] = ("original", "rewritten"),
            bound_ports: tuple | None = None) -> Report:
    return Report(before, after, labels, bound_ports)
