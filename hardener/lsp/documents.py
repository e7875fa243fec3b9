"""Open documents: their text, kept in step with the editor's changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from .positions import UTF16, LineIndex


@dataclass
class Document:
    uri: str
    text: str
    version: int | None = None
    language_id: str = "dockerfile"
    analysis: object | None = field(default=None, repr=False)  # the Analysis of ``text``, when current

    @property
    def path(self) -> str | None:
        return uri_to_path(self.uri)

    def apply_change(self, text: str, range_: tuple[int, int, int, int] | None, encoding: str = UTF16) -> None:
        """Apply one content change: the whole text, or a replacement of (line, char, line, char)."""
        if range_ is None:
            self.text = text
        else:
            index = LineIndex(self.text, encoding)
            start = index.offset(range_[0], range_[1])
            end = max(start, index.offset(range_[2], range_[3]))
            self.text = self.text[:start] + text + self.text[end:]
        self.analysis = None


def uri_to_path(uri: str) -> str | None:
    """The local path of a ``file:`` URI (None for untitled and other schemes)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"  # UNC share
    if len(path) >= 3 and path[0] == "/" and path[2] == ":":  # /C:/x on Windows
        import os

        if os.name == "nt":
            path = path[1:]
    return path
