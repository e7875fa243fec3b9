"""scripts/get_corpus.py, offline: the download is replaced, the files and names are checked."""

from __future__ import annotations

import importlib.util
import urllib.error

import pytest

from conftest import CORPUS, HAVE_CORPUS, ROOT

spec = importlib.util.spec_from_file_location("get_corpus", ROOT / "scripts" / "get_corpus.py")
get_corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(get_corpus)

PYTHON_URL = (
    "https://raw.githubusercontent.com/docker-library/python/4f07059567fa61c80397126e8063dbbde011b794/"
    "3.14/bookworm/Dockerfile"
)
ARGS_URL = (
    "https://raw.githubusercontent.com/moby/buildkit/73ed6825c4b7569379ef89df0aedcdbe64473d31/"
    "frontend/dockerfile/parser/testfiles/args/result"
)


def test_writes_every_manifest_file_under_its_name(tmp_path, monkeypatch, capsys):
    urls = []

    def fake(url):
        urls.append(url)
        return f"from {url}\n".encode()

    monkeypatch.setattr(get_corpus, "download", fake)
    assert get_corpus.main([str(tmp_path / "corpus")]) == 0
    rows = get_corpus.read_manifest()
    written = sorted(str(p.relative_to(tmp_path / "corpus")) for p in (tmp_path / "corpus").rglob("*") if p.is_file())
    assert written == sorted(r["name"] for r in rows)
    assert len(urls) == len(rows) == len(set(urls))
    real = tmp_path / "corpus" / "real" / "docker-library__python__3.14__bookworm.Dockerfile"
    assert real.read_text() == f"from {PYTHON_URL}\n"
    assert (tmp_path / "corpus" / "buildkit-parser" / "args" / "result").read_text() == f"from {ARGS_URL}\n"
    assert "DHARD_CORPUS=" in capsys.readouterr().out


def test_manifest_names_exactly_the_corpus_files():
    """The shipped manifest and the corpus CI reads agree file for file (checked where the corpus is)."""
    if not HAVE_CORPUS:
        pytest.skip("needs the corpus to compare with")
    on_disk = sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md")
    )
    assert on_disk == sorted(r["name"] for r in get_corpus.read_manifest())


def test_network_failure_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    def offline(url):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(get_corpus, "download", offline)
    assert get_corpus.main([str(tmp_path / "corpus")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("get_corpus.py: cannot download https://raw.githubusercontent.com/")
    assert "Temporary failure in name resolution" in err


def test_http_error_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    def missing(url):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(get_corpus, "download", missing)
    assert get_corpus.main([str(tmp_path / "corpus")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_refuses_a_directory_inside_the_repository(monkeypatch, capsys):
    monkeypatch.setattr(get_corpus, "download", lambda url: pytest.fail("must not download"))
    assert get_corpus.main([str(ROOT / "corpus")]) == 2
    assert "inside the repository" in capsys.readouterr().err
