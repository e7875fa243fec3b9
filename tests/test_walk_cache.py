"""`dhard check` of many files walks a shared build context once (analysis.context.remember_walks)."""

from __future__ import annotations

from hardener.analysis import context


def test_walks_are_remembered_only_once_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "_walks", None)
    (tmp_path / "a.py").write_text("x = 1\n")
    assert context.shipped_files(tmp_path, ["."]) == ["a.py"]
    (tmp_path / "b.py").write_text("y = 2\n")
    assert context.shipped_files(tmp_path, ["."]) == ["a.py", "b.py"]  # the language server sees new files
    context.remember_walks()
    assert context.shipped_files(tmp_path, ["."]) == ["a.py", "b.py"]
    (tmp_path / "c.py").write_text("z = 3\n")
    walked = []
    monkeypatch.setattr(context, "_shipped_files", lambda *a: walked.append(a) or [])
    assert context.shipped_files(tmp_path, ["."]) == ["a.py", "b.py"]  # remembered: not walked again
    assert walked == []
    context.shipped_files(tmp_path, ["a.py"])  # other sources: walked
    assert len(walked) == 1


def test_a_remembered_answer_cannot_be_changed_by_its_caller(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "_walks", None)
    (tmp_path / "a.py").write_text("x = 1\n")
    context.remember_walks()
    context.shipped_files(tmp_path, ["."]).append("evil.py")
    assert context.shipped_files(tmp_path, ["."]) == ["a.py"]
