"""A ``Report`` for people: a terminal summary, a GitHub job-summary table, an HTML page.

The three share one list of rows (``rows``), so they never disagree. The HTML
page is self-contained: inline CSS and SVG, no script, and a Content Security
Policy that forbids every fetch, so a name read from a hostile image cannot make
the page load anything either.
"""

from __future__ import annotations

import html
import shlex
from dataclasses import dataclass

from .compare import Report
from .facts import ImageFacts

__all__ = ["Row", "rows", "text", "markdown", "html_page", "HEADER_COLOUR", "BEFORE_COLOUR", "AFTER_COLOUR"]

HEADER_COLOUR = "#5b2a86"  # the table's header cells; the browser test looks for it
BEFORE_COLOUR = "#d9822b"
AFTER_COLOUR = "#2f8f5b"
_TOOL_LABELS = {"shells": "shells", "package_managers": "package managers", "network_tools": "network tools"}


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str
    change: str
    worse: bool = False  # the rewritten image has more of it


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n} B"


def _percent(before: int, after: int) -> str:
    return f" ({(after - before) / before * 100:+.0f}%)" if before else ""


def _size_row(label: str, before: int, after: int) -> Row:
    change = "same" if before == after else human_bytes(abs(after - before)) + (" less" if after < before else " more")
    return Row(label, human_bytes(before), human_bytes(after), change + _percent(before, after), after > before)


def _count_row(label: str, before: int, after: int) -> Row:
    change = "same" if before == after else f"{after - before:+d}{_percent(before, after)}"
    return Row(label, str(before), str(after), change, after > before)


def _paths_row(report: Report, label: str, kind: str) -> Row:
    """A count of files, flagged when the rewritten image has one the original had not, whatever the count."""
    row = _count_row(label, len(getattr(report.before, kind)), len(getattr(report.after, kind)))
    added = report.paths_added(kind)
    if not added:
        return row
    change = f"{len(added)} new" if row.change == "same" else f"{row.change}, {len(added)} new"
    return Row(row.label, row.before, row.after, change, True)


def _names_row(report: Report, kind: str) -> Row:
    before, after = report.before.tool_names(kind), report.after.tool_names(kind)
    removed, added = report.tools_removed(kind), report.tools_added(kind)
    change = " ".join([f"-{n}" for n in removed] + [f"+{n}" for n in added]) or "same"
    return Row(_TOOL_LABELS[kind], " ".join(before) or "none", " ".join(after) or "none", change, bool(added))


def _command(facts: ImageFacts) -> str:
    words = list(facts.entrypoint or ()) + list(facts.cmd or ())
    return shlex.join(words) if words else "none"


def rows(report: Report) -> list[Row]:
    b, a = report.before, report.after
    user_change = "same" if b.user == a.user else ("no longer root" if b.runs_as_root and not a.runs_as_root
                                                   else "now root" if a.runs_as_root and not b.runs_as_root
                                                   else "changed")
    ports_b, ports_a = " ".join(b.exposed_ports) or "none", " ".join(a.exposed_ports) or "none"
    command_b, command_a = _command(b), _command(a)
    return [
        _size_row("size (layers)", b.layers_bytes, a.layers_bytes),
        _size_row("file contents", b.content_bytes, a.content_bytes),
        _count_row("files", b.file_count, a.file_count),
        _count_row("OS packages", len(b.packages), len(a.packages)),
        _paths_row(report, "setuid files", "setuid"),
        _paths_row(report, "setgid files", "setgid"),
        _paths_row(report, "file capabilities", "capabilities"),
        *(_names_row(report, kind) for kind in _TOOL_LABELS),
        Row("runs as", b.user_display, a.user_display, user_change, a.runs_as_root and not b.runs_as_root),
        Row("exposed ports", ports_b, ports_a, "same" if ports_b == ports_a else "changed"),
        *([_bound_row(report.bound_ports)] if report.bound_ports is not None else []),
        Row("command", command_b, command_a, "same" if command_b == command_a else "changed"),
    ]


def _bound_row(bound: tuple) -> Row:
    before, after = (" ".join(str(p) for p in sorted(side)) or "none" for side in bound)
    return Row("listening on", before, after, "same" if before == after else "changed")


def _package_names(packages: list, limit: int) -> str:
    names = [p.name for p in packages]
    shown = ", ".join(names[:limit])
    return shown + (f", ... (+{len(names) - limit} more)" if len(names) > limit else "")


def _notes(report: Report) -> list[str]:
    """What the rows do not show: which packages went, what is new, what could not be read."""
    out = []
    if report.packages_removed:
        out.append(f"removed packages ({len(report.packages_removed)}): {_package_names(report.packages_removed, 40)}")
    if report.packages_added:
        out.append(f"added packages ({len(report.packages_added)}): {_package_names(report.packages_added, 40)}")
    for kind in ("setuid", "setgid", "capabilities"):
        added = report.paths_added(kind)
        if added:
            out.append(f"new {kind} files: {' '.join(added)}")
    for label, facts in zip(report.labels, (report.before, report.after)):
        for manager, state in sorted(facts.package_dbs.items()):
            if state != "read":
                out.append(f"{label}: {manager} database {state}")
        if facts.warnings:
            out.append(f"{label}: {len(facts.warnings)} warning(s), in the JSON report")
    return out


# -- the terminal ------------------------------------------------------------------------------


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: max(width - 3, 1)] + "..."


def text(report: Report, width: int = 100) -> str:
    table = [Row("", report.labels[0], report.labels[1], "change")] + rows(report)
    w0 = max(len(r.label) for r in table)
    cell = max(12, (width - w0 - 8) // 3)
    w1 = min(cell, max(len(r.before) for r in table))
    w2 = min(cell, max(len(r.after) for r in table))
    lines = [f"attack surface: {report.before.reference} -> {report.after.reference}"]
    for r in table:
        line = f"  {r.label:<{w0}}  {_cut(r.before, w1):<{w1}}  {_cut(r.after, w2):<{w2}}  {r.change}"
        lines.append(_cut(line.rstrip(), width))
    lines += [_cut("  " + note, width) for note in _notes(report)]
    return "\n".join(lines) + "\n"


# -- GitHub's job summary ------------------------------------------------------------------------


def _md_cell(value: str) -> str:
    return html.escape(" ".join(value.split())).replace("|", "&#124;") or " "


def markdown(report: Report) -> str:
    before, after = report.labels
    lines = [
        f"### dhard: attack surface, {_md_cell(before)} → {_md_cell(after)}",
        "",
        f"| | {_md_cell(before)} | {_md_cell(after)} | change |",
        "|---|---|---|---|",
    ]
    for r in rows(report):
        change = _md_cell(r.change) + (" ⚠️" if r.worse else "")
        lines.append(f"| {_md_cell(r.label)} | {_md_cell(r.before)} | {_md_cell(r.after)} | {change} |")
    notes = _notes(report)
    if notes:
        lines += [""] + [f"- {_md_cell(note)}" for note in notes]
    return "\n".join(lines) + "\n"


# -- the HTML page -----------------------------------------------------------------------------------

_STYLE = f"""
body {{ font-family: sans-serif; margin: 24px; color: #222; background: #fff; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }}
p.refs {{ color: #555; margin: 0 0 16px; font-size: 13px; }}
table.facts {{ border-collapse: collapse; margin-bottom: 20px; }}
table.facts th {{ background: {HEADER_COLOUR}; color: #fff; text-align: left; padding: 6px 12px; }}
table.facts td {{ border-bottom: 1px solid #ddd; padding: 5px 12px; vertical-align: top; max-width: 320px;
  overflow-wrap: anywhere; }}
table.facts td.worse {{ color: #b00020; font-weight: bold; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 12px 28px; margin-bottom: 20px; }}
.charts svg text {{ font-family: sans-serif; font-size: 12px; fill: #222; }}
.charts svg text.title {{ font-weight: bold; font-size: 13px; }}
details {{ margin: 6px 0; }} summary {{ cursor: pointer; }}
ul.names {{ columns: 3; font-family: monospace; font-size: 12px; }}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _chart(title: str, labels: tuple[str, str], before: float, after: float, shown: tuple[str, str]) -> str:
    top = max(before, after) or 1
    bars = []
    for i, (label, value, words, colour) in enumerate(zip(labels, (before, after), shown,
                                                          (BEFORE_COLOUR, AFTER_COLOUR))):
        y = 28 + i * 26
        width = round(220 * value / top)
        bars.append(f'<text x="0" y="{y + 13}">{_e(_cut(label, 12))}</text>'
                    f'<rect x="96" y="{y}" width="{max(width, 1)}" height="18" fill="{colour}"/>'
                    f'<text x="{102 + width}" y="{y + 13}">{_e(words)}</text>')
    return (f'<svg width="400" height="84" viewBox="0 0 400 84" role="img" aria-label="{_e(title)}">'
            f'<title>{_e(title)}</title><text class="title" x="0" y="16">{_e(title)}</text>{"".join(bars)}</svg>')


def _charts(report: Report) -> str:
    b, a = report.before, report.after

    def tools(f: ImageFacts) -> int:
        return sum(len(f.tool_names(kind)) for kind in _TOOL_LABELS)

    charts = [
        ("size (layers)", b.layers_bytes, a.layers_bytes, human_bytes(b.layers_bytes), human_bytes(a.layers_bytes)),
        ("OS packages", len(b.packages), len(a.packages), str(len(b.packages)), str(len(a.packages))),
        ("setuid / setgid files", len(b.setuid) + len(b.setgid), len(a.setuid) + len(a.setgid),
         str(len(b.setuid) + len(b.setgid)), str(len(a.setuid) + len(a.setgid))),
        ("shells, package managers, network tools", tools(b), tools(a), str(tools(b)), str(tools(a))),
    ]
    return "".join(_chart(title, report.labels, x, y, (sx, sy)) for title, x, y, sx, sy in charts)


def _table(report: Report) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in ("", *report.labels, "change"))
    body = "".join(
        f'<tr><td>{_e(r.label)}</td><td>{_e(r.before)}</td><td>{_e(r.after)}</td>'
        f'<td{" class=worse" if r.worse else ""}>{_e(r.change)}</td></tr>'
        for r in rows(report)
    )
    return f'<table class="facts"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _list(title: str, items: list[str]) -> str:
    if not items:
        return ""
    entries = "".join(f"<li>{_e(item)}</li>" for item in items)
    return f'<details><summary>{_e(title)} ({len(items)})</summary><ul class="names">{entries}</ul></details>'


def _lists(report: Report) -> str:
    before, after = report.labels
    parts = [
        _list("removed packages", [f"{p.name} {p.version}" for p in report.packages_removed]),
        _list("added packages", [f"{p.name} {p.version}" for p in report.packages_added]),
        _list("changed packages", [f"{o.name} {o.version} -> {n.version}" for o, n in report.packages_changed]),
    ]
    for label, facts in ((before, report.before), (after, report.after)):
        parts.append(_list(f"{label}: setuid and setgid files", sorted({*facts.setuid, *facts.setgid})))
        parts.append(_list(f"{label}: shells, package managers, network tools",
                           sorted({p for paths in facts.tools.values() for p in paths})))
        parts.append(_list(f"{label}: notes", list(facts.warnings)))
    return "".join(parts)


def html_page(report: Report) -> str:
    before, after = report.labels
    title = f"dhard report: {before} → {after}"
    refs = (f"{_e(before)}: {_e(report.before.reference)} ({_e(report.before.image_id[:19])}) · "
            f"{_e(after)}: {_e(report.after.reference)} ({_e(report.after.image_id[:19])})")
    notes = "".join(f"<li>{_e(note)}</li>" for note in _notes(report))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Attack surface: {_e(before)} → {_e(after)}</h1><p class=\"refs\">{refs}</p>"
        f"{_table(report)}<div class=\"charts\">{_charts(report)}</div>"
        f"{'<ul>' + notes + '</ul>' if notes else ''}{_lists(report)}</body></html>\n"
    )
