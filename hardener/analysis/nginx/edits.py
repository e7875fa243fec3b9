"""Edits spliced into a configuration file's original text: replace a word, remove a directive, add one."""

from __future__ import annotations

from ...record import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config import ConfFile
    from .syntax import Directive, Word


@dataclass(frozen=True)
class Edit:
    file: str
    start: int
    end: int
    text: str


class Overlap(Exception):
    pass


def replace_word(path: str, word: Word, value: str) -> Edit:
    """``word`` with a new value, written in the word's own quotes (values here never need escaping)."""
    return Edit(path, word.start, word.end, f"{word.quote}{value}{word.quote}")


def remove(conf: ConfFile, directive: Directive) -> Edit:
    """The directive; its whole line when nothing else is on it."""
    text = conf.text
    line_start = text.rfind("\n", 0, directive.start) + 1
    newline = text.find("\n", directive.end)
    line_end = len(text) if newline == -1 else newline + 1
    if not text[line_start : directive.start].strip(" \t") and not text[directive.end : line_end].strip(" \t\r\n"):
        return Edit(conf.path, line_start, line_end, "")
    end = directive.end
    while end < len(text) and text[end] in " \t":
        end += 1
    return Edit(conf.path, directive.start, end, "")


def add_first(conf: ConfFile, block: Directive | None, line: str) -> Edit:
    """``line`` (one directive) as the first entry of ``block``, or of the file's top level when None,
    indented as its neighbours are."""
    text = conf.text
    children = conf.directives if block is None else block.children or ()
    if children:
        first = children[0].start
        line_start = text.rfind("\n", 0, first) + 1
        if not text[line_start:first].strip(" \t"):
            return Edit(conf.path, line_start, line_start, text[line_start:first] + line + conf.newline)
        return Edit(conf.path, first, first, line + " ")
    if block is None:
        lead = conf.newline if text and not text.endswith("\n") else ""
        return Edit(conf.path, len(text), len(text), lead + line + conf.newline)
    return _into_empty_block(conf, block, line)


def _into_empty_block(conf: ConfFile, block: Directive, line: str) -> Edit:
    text = conf.text
    assert block.body is not None
    body_start, body_end = block.body
    if "\n" not in text[body_start:body_end]:
        return Edit(conf.path, body_start, body_start, f" {line} ")
    line_start = text.rfind("\n", 0, block.start) + 1
    indent = text[line_start : block.start]
    indent = indent if indent.strip(" \t") == "" else ""
    step = "\t" if "\t" in indent else "    "
    return Edit(conf.path, body_start, body_start, conf.newline + indent + step + line)


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (one file's) spliced in; Overlap when two touch the same characters."""
    out, at = [], 0
    for edit in sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end)):  # stable: insertions keep their order
        if edit.start < at:
            raise Overlap(f"two changes overlap at offset {edit.start}")
        out.append(text[at : edit.start])
        out.append(edit.text)
        at = edit.end
    out.append(text[at:])
    return "".join(out)
