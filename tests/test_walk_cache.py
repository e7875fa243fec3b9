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


def test_without_remembering_a_changed_dockerignore_and_a_new_link_are_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "_walks", None)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text("x = 1\n")
    (tmp_path / "app" / "b.py").write_text("y = 2\n")
    assert context.shipped_files(tmp_path, ["app"]) == ["app/a.py", "app/b.py"]
    (tmp_path / ".dockerignore").write_text("app/b.py\n")
    assert context.shipped_files(tmp_path, ["app/*.py"]) == ["app/a.py"]
    (tmp_path / "app" / "b.py").unlink()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "app2").symlink_to(outside, target_is_directory=True)
    (outside / "c.py").write_text("z = 3\n")
    assert context.shipped_files(tmp_path, ["app2/c.py"]) == []  # a link out of the context, seen at once
