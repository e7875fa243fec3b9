"""The HTML report in a real browser: Debian's chromium, headless, takes a screenshot of it.

The table's header cells have a colour nothing else on the page uses
(``render.HEADER_COLOUR``): the screenshot of the report must have many pixels
of it, and the same page with the table cut out none, while its charts still
show — so a blank or broken page fails. Needs ``apt-get install chromium``;
without it the test skips, or fails when DHARD_REQUIRE_BROWSER=1 (as CI sets).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from hardener.report import compare, read_archive
from hardener.report.render import BEFORE_COLOUR, HEADER_COLOUR
from report_helpers import config, count_colours, decode_png, docker_archive, dpkg_status, exe, file, layer, symlink

REQUIRE = os.environ.get("DHARD_REQUIRE_BROWSER", "") not in ("", "0")
BROWSERS = ("chromium", "chromium-browser")


def _browser() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found:
        return found
    reason = "no chromium on PATH: `apt-get install chromium` (Debian's package) to run the browser test"
    if REQUIRE:
        pytest.fail(reason + " (DHARD_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def screenshot(browser: str, page, tmp_path) -> bytes:
    out = tmp_path / (page.stem + ".png")
    cmd = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={out}", "--window-size=1000,800",
           page.as_uri()]
    cp = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert cp.returncode == 0 and out.is_file(), f"chromium failed ({cp.returncode}): {cp.stderr[-2000:]}"
    return out.read_bytes()


def test_the_report_table_renders_in_chromium(tmp_path):
    browser = _browser()
    before = read_archive(docker_archive(tmp_path / "a.tar", [layer(
        symlink("bin", "usr/bin"), exe("usr/bin/bash"), exe("usr/bin/su", mode=0o4755), exe("usr/bin/curl"),
        file("var/lib/dpkg/status", dpkg_status(("bash", "5.2", "amd64"), ("curl", "7.88", "amd64"))))]))
    after = read_archive(docker_archive(tmp_path / "b.tar", [layer(exe("app/server"))],
                                        config(user="65532", entrypoint=["/app/server"])))
    page = compare(before, after).to_html()
    with_table = tmp_path / "report.html"
    with_table.write_text(page, encoding="utf-8")
    without, cut = re.subn(r'<table class="facts">.*?</table>', "", page, flags=re.S)
    assert cut == 1
    no_table = tmp_path / "no-table.html"
    no_table.write_text(without, encoding="utf-8")

    colours = _rgb(HEADER_COLOUR), _rgb(BEFORE_COLOUR)
    header, bars = count_colours(screenshot(browser, with_table, tmp_path), *colours)
    assert header > 5000, f"only {header} pixels of the table header's colour"
    assert bars > 1000  # the charts drew too

    header, bars = count_colours(screenshot(browser, no_table, tmp_path), *colours)
    assert header == 0
    assert bars > 1000  # the page itself still rendered


def _encode_png(width: int, rows: list[bytes], filters: list[int]) -> bytes:
    """An RGB PNG whose rows are filtered with the given types (the decoder must undo each)."""
    def paeth(a, b, c):
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

    raw, prev = b"", bytes(width * 3)
    for row, kind in zip(rows, filters):
        out = bytearray()
        for i, x in enumerate(row):
            a, b, c = (row[i - 3] if i >= 3 else 0), prev[i], (prev[i - 3] if i >= 3 else 0)
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            out.append((x - predictor) & 0xFF)
        raw += bytes([kind]) + bytes(out)
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    head = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_png_decoder_undoes_every_filter():
    red, blue = bytes((200, 10, 30)), bytes((20, 40, 250))
    rows = [(red * 3 + blue * 2), (blue * 5), (red * 5), (blue + red * 4), (red * 2 + blue * 3)]
    png = _encode_png(5, rows, [0, 1, 2, 3, 4])
    width, height, decoded, bpp = decode_png(png)
    assert (width, height, bpp) == (5, 5, 3) and decoded == rows
    assert count_colours(png, (200, 10, 30), (20, 40, 250), (0, 0, 0)) == [14, 11, 0]
