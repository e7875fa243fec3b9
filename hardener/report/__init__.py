"""``dhard``'s before/after attack-surface report (issue 15), measured offline.

    from hardener.report import measure_image, read_archive, compare, sbom

    before = measure_image(engine, original_tag, tmp)   # engine: rewrite.verify.Engine
    after = measure_image(engine, rewritten_tag, tmp)   # (or read_archive(path) on a saved tar)
    report = compare(before, after, labels=("original", "rewritten"))
    Path("report.json").write_text(report.to_json())
    Path("report.html").write_text(report.to_html())
    print(report.to_text())                            # and report.to_markdown() for a job summary
    json.dump(sbom(after), open("rewritten.cdx.json", "w"), indent=2)

``archive`` reads the image's filesystem from the saved archive (layers,
whiteouts, links kept inside the image, bounded reads); ``packages`` decodes
dpkg, apk and rpm databases; ``facts`` turns both and the image config into
``ImageFacts``; ``compare`` makes the ``Report`` and documents its JSON shape
(``dhard-report/1``); ``render`` writes it for people; ``sbom`` writes CycloneDX.
Nothing here runs anything inside an image; only ``measure_image`` runs the
engine, and only its ``save``.
"""

from __future__ import annotations

from .archive import ArchiveError, Limits
from .compare import SCHEMA, Report, compare
from .facts import ImageFacts, measure_image, read_archive, save_command
from .packages import Package
from .sbom import sbom

__all__ = ["ArchiveError", "Limits", "SCHEMA", "Report", "compare", "ImageFacts", "measure_image",
           "read_archive", "save_command", "Package", "sbom"]
