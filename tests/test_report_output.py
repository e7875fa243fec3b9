"""hardener.report.compare and .render: the JSON shape, the terminal summary, Markdown, HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from hardener.report import SCHEMA, Report, compare, read_archive
from hardener.report.render import HEADER_COLOUR
from report_helpers import (config, docker_archive, dpkg_status, exe, file, folder, layer, symlink)


def original_layers():
    return [layer(
        folder("usr/bin"), symlink("bin", "usr/bin"), exe("usr/bin/dash"), symlink("usr/bin/sh", "dash"),
        exe("usr/bin/bash"), exe("usr/bin/su", mode=0o4755), exe("usr/bin/apt-get"), exe("usr/bin/curl"),
        file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
        file("var/lib/dpkg/status", dpkg_status(("bash", "5.2", "amd64"), ("curl", "7.88", "amd64"),
                                                 ("libc6", "2.36-9", "amd64"), ("zlib1g", "1:1.2.13", "amd64")))),
        layer(file("app/main.py", "x" * 5000))]


def hardened_layers(extra=()):
    return [layer(file("var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36-10\nArchitecture: amd64\n"),
                  file("var/lib/dpkg/status.d/libssl3", "Package: libssl3\nVersion: 3.0\nArchitecture: amd64\n"),
                  file("app/main.py", "x" * 5000), *extra)]


@pytest.fixture
def report(tmp_path) -> Report:
    before = read_archive(docker_archive(tmp_path / "a.tar", original_layers(),
                                         config(ports=["8000/tcp"], cmd=["python", "/app/main.py"]),
                                         tags=["localhost/app:original"]))
    after = read_archive(docker_archive(tmp_path / "b.tar", hardened_layers(),
                                        config(user="65532", ports=["8000/tcp"],
                                               entrypoint=["/usr/bin/python3", "/app/main.py"]),
                                        tags=["localhost/app:rewritten"]))
    return compare(before, after)


# -- JSON ---------------------------------------------------------------------------------------


def test_json_shape_top_level_and_changes(report):
    d = json.loads(report.to_json())
    assert d["schema"] == SCHEMA == "dhard-report/1"
    assert list(d) == ["schema", "labels", "before", "after", "changes"]
    assert d["labels"] == {"before": "original", "after": "rewritten"}
    c = d["changes"]
    assert set(c) == {"layers_bytes", "content_bytes", "file_count", "packages", "setuid", "setgid", "capabilities",
                      "shells", "package_managers", "network_tools", "user", "exposed_ports", "bound_ports", "command"}
    assert c["packages"]["before"] == 4 and c["packages"]["after"] == 2 and c["packages"]["delta"] == -2
    assert [p["name"] for p in c["packages"]["removed"]] == ["bash", "curl", "zlib1g"]
    assert c["packages"]["added"] == [{"manager": "dpkg", "name": "libssl3", "version": "3.0", "arch": "amd64"}]
    assert c["packages"]["changed"] == [{"manager": "dpkg", "name": "libc6", "arch": "amd64",
                                         "before": "2.36-9", "after": "2.36-10"}]
    assert c["setuid"] == {"before": 1, "after": 0, "delta": -1, "removed": ["/usr/bin/su"], "added": []}
    assert c["shells"] == {"before": ["bash", "dash", "sh"], "after": [], "removed": ["bash", "dash", "sh"],
                           "added": []}
    assert c["network_tools"]["removed"] == ["curl"]
    assert c["user"] == {"before": "", "after": "65532", "root_before": True, "root_after": False}
    assert c["exposed_ports"] == {"before": ["8000/tcp"], "after": ["8000/tcp"]}
    assert c["bound_ports"] is None  # only --verify sees the running containers
    assert c["command"]["after"] == {"entrypoint": ["/usr/bin/python3", "/app/main.py"], "cmd": None}
    layers = c["layers_bytes"]
    assert layers["delta"] == layers["after"] - layers["before"] < 0


def test_json_image_shape(report):
    image = json.loads(report.to_json())["before"]
    assert set(image) == {"reference", "image_id", "os", "architecture", "os_release", "size", "packages",
                          "package_dbs", "setuid", "setgid", "capabilities", "tools", "user", "runs_as_root",
                          "exposed_ports", "entrypoint", "cmd", "warnings"}
    assert set(image["size"]) == {"layers_bytes", "content_bytes", "layer_count", "file_count"}
    assert set(image["tools"]) == {"shells", "package_managers", "network_tools"}
    assert image["reference"] == "localhost/app:original" and image["runs_as_root"] is True


def test_report_round_trips_through_json(report):
    again = Report.from_dict(json.loads(report.to_json()))
    assert again.to_json() == report.to_json()
    with pytest.raises(ValueError, match="dhard-report/1"):
        Report.from_dict({"schema": "something-else/9"})


def test_new_setuid_files_show_as_added(tmp_path, report):
    worse = read_archive(docker_archive(tmp_path / "w.tar", hardened_layers([exe("usr/bin/sneaky", mode=0o4755)])))
    r = compare(report.before, worse)
    assert r.paths_added("setuid") == ["/usr/bin/sneaky"]
    assert "new setuid files: /usr/bin/sneaky" in r.to_text()
    # the count is the same (su went, sneaky came): the row still says it got worse
    assert "| setuid files | 1 | 1 | 1 new ⚠️ |" in r.to_markdown()
    assert '<td class=worse>1 new</td>' in r.to_html()


# -- text -----------------------------------------------------------------------------------------


def test_text_summary_fits_one_screen(report):
    out = report.to_text(width=100)
    lines = out.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 100 for line in lines)
    assert lines[0] == "attack surface: localhost/app:original -> localhost/app:rewritten"
    assert re.search(r"OS packages\s+4\s+2\s+-2 \(-50%\)", out)
    assert re.search(r"setuid files\s+1\s+0\s+-1", out)
    assert re.search(r"shells\s+bash dash sh\s+none\s+-bash -dash -sh", out)
    assert re.search(r"runs as\s+root \(no USER\)\s+65532\s+no longer root", out)
    assert "removed packages (3): bash, curl, zlib1g" in out
    assert "added packages (1): libssl3" in out


def test_text_summary_cuts_long_cells_and_lists(tmp_path):
    many = dpkg_status(*[(f"package-with-a-long-name-{i}", "1.0", "amd64") for i in range(200)])
    big = read_archive(docker_archive(tmp_path / "big.tar", [layer(file("var/lib/dpkg/status", many))],
                                      config(cmd=["sh", "-c", "x" * 300])))
    small = read_archive(docker_archive(tmp_path / "small.tar", [layer(file("a"))]))
    out = compare(big, small).to_text(width=80)
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "removed packages (200)" in out and out.count("...") >= 2


# -- Markdown -------------------------------------------------------------------------------------


def test_markdown_job_summary_table(report):
    md = report.to_markdown()
    lines = md.splitlines()
    assert lines[0].startswith("### dhard: attack surface")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| | original | rewritten | change |" and table[1] == "|---|---|---|---|"
    assert all(line.count("|") == 5 for line in table)
    assert "| OS packages | 4 | 2 | -2 (-50%) |" in md
    assert "| runs as | root (no USER) | 65532 | no longer root |" in md


def test_markdown_escapes_pipes_and_html_from_the_image(tmp_path, report):
    odd = read_archive(docker_archive(tmp_path / "o.tar", [layer(file("a"))],
                                      config(cmd=["sh", "-c", "a | b <script>"])))
    md = compare(report.before, odd).to_markdown()
    command = next(line for line in md.splitlines() if line.startswith("| command"))
    assert command.count("|") == 5 and "<script>" not in md and "&lt;script&gt;" in command


# -- HTML ------------------------------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.styles, self.in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)


def external_references(page: str) -> list[str]:
    """Everything in a page that could make a browser fetch: the check the HTML tests rely on."""
    parsed = _Collect()
    parsed.feed(page)
    found = [f"<{t}>" for t in parsed.tags if t in ("script", "link", "img", "iframe", "object", "embed", "image",
                                                     "use", "audio", "video", "source", "base", "form")]
    found += [f"{t} {k}={v}" for t, k, v in parsed.attrs if k in ("src", "href", "xlink:href", "srcset", "action",
                                                                   "data", "poster")]
    found += [f"{t} style={v}" for t, k, v in parsed.attrs if k == "style" and "url(" in v]
    found += [s for s in parsed.styles if "url(" in s or "@import" in s or "@font-face" in s]
    found += re.findall(r"(?:https?:)?//[\w.-]+\.\w+", page)
    return found


def test_external_reference_check_can_fail():
    assert external_references('<p><img src="https://x.example/a.png"></p>')
    assert external_references("<style>body { background: url(x.png) }</style>")
    assert external_references('<script src="a.js"></script>')
    assert external_references('<link rel="stylesheet" href="s.css">')
    assert not external_references("<p>plain</p>")


def test_html_is_self_contained(report):
    page = report.to_html()
    assert external_references(page) == []
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page  # the CSP forbids any fetch


def test_html_has_the_table_and_charts(report):
    page = report.to_html()
    assert page.count('<table class="facts">') == 1
    assert HEADER_COLOUR in page
    assert page.count("<svg") == 4
    for label in ("OS packages", "setuid files", "shells", "runs as", "size (layers)"):
        assert f"<td>{label}</td>" in page
    assert "<td>bash dash sh</td>" in page
    assert "removed packages (3)" in page


def test_html_escapes_names_from_the_image(tmp_path, report):
    nasty = read_archive(docker_archive(tmp_path / "n.tar", [layer(file(
        "var/lib/dpkg/status", dpkg_status(('evil"><script>alert(1)</script>', "1", "amd64"))))],
        config(user="<img src=x onerror=alert(1)>"), tags=["<b>tag</b>"]))
    page = compare(nasty, report.after).to_html()
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert external_references(page) == []
    assert "&lt;script&gt;" in page


def test_bound_ports_seen_by_verify_are_reported(report):
    plain = report
    report = compare(plain.before, plain.after, bound_ports=([80], [8080]))
    assert report.to_dict()["changes"]["bound_ports"] == {"before": [80], "after": [8080]}
    assert Report.from_dict(json.loads(report.to_json())).bound_ports == ((80,), (8080,))
    assert "listening on" in report.to_text() and "listening on" not in plain.to_text()
