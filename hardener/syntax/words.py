"""Words of an instruction's arguments, read as BuildKit reads them.

``split_words`` is BuildKit's parseWords (quotes kept), ``unquote`` removes
shell quotes from one word, and ``ShellLexer`` is BuildKit's shell word
splitter as its heredoc detection runs it.
"""

from __future__ import annotations

from ..source import GO_SPACE
from .lazyre import compile_lazily

_GO_SPACE_SET = frozenset(GO_SPACE)
_GO_SPACES = compile_lazily(f"[{GO_SPACE}]+")
# Python's str.isspace() set is Go's unicode.IsSpace set plus these four separators
_PYTHON_ONLY_SPACES = "\x1c\x1d\x1e\x1f"


def split_on_go_spaces(text: str) -> list[str]:
    """The non-empty runs of ``text`` between Go spaces: ``str.split()`` unless one of the four characters
    Python alone counts as space is in it (compiling the pattern costs more than most files' splitting)."""
    if any(c in text for c in _PYTHON_ONLY_SPACES):
        return [word for word in _GO_SPACES.split(text) if word]
    return text.split()


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Whitespace-separated words with quotes kept (BuildKit's parseWords)."""
    if escape not in text and "'" not in text and '"' not in text:
        return split_on_go_spaces(text)
    words: list[str] = []
    word: list[str] = []
    in_word = False
    blank_ok = False
    quote = None
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    i += 1
                    continue
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
            i += 1
            continue
        if ch in _GO_SPACE_SET:
            if in_word and (blank_ok or word):
                words.append("".join(word))
            word, in_word, blank_ok = [], False, False
            i += 1
            continue
        in_word = True
        if ch in "'\"":
            quote, blank_ok = ch, True
        elif ch == escape:
            if i + 1 == n:
                i += 1
                continue
            word.append(ch)
            i += 1
            ch = text[i]
        word.append(ch)
        i += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


class LexError(Exception):
    pass


class ShellLexer:
    """BuildKit's shell word splitter, as its heredoc detection runs it.

    No variable is set and unset ones are kept, so ``$x`` and ``${x...}`` stay
    as written (their operand processed); but a malformed one, or an unclosed
    quote, is an error. ``raw`` keeps quotes and escapes in the words,
    ``raw_quotes`` keeps just the quotes.
    """

    def __init__(self, text: str, raw: bool = False, raw_quotes: bool = False):
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0  # Go's text/scanner skips a leading BOM
        self.raw_quotes = raw or raw_quotes
        self.raw_escapes = raw

    def words(self) -> list[str]:
        if not any(c in self.text for c in "$'\"\\\ufeff"):
            return split_on_go_spaces(self.text)
        return self._until(None)[1]

    def _until(self, stop: str | None) -> tuple[str, list[str]]:
        """Read up to ``stop`` (or the end): the text as processed, and its words."""
        text, n = self.text, len(self.text)
        result: list[str] = []
        words: list[str] = []
        word = ""
        in_word = False
        stopped = False
        while self.pos < n:
            ch = text[self.pos]
            if ch == stop:
                self.pos += 1
                stopped = True
                break
            if ch in "'\"":
                piece = self._quoted(ch)
                result.append(piece)
                word, in_word = word + piece, True
                continue
            if ch == "$":
                piece = self._dollar()  # its result is split like unquoted text
            else:
                self.pos += 1
                if ch == "\\":
                    if self.raw_escapes:
                        word, in_word = word + ch, True
                        result.append(ch)
                    if self.pos >= n:
                        break
                    ch = text[self.pos]
                    self.pos += 1
                    word, in_word = word + ch, True
                    result.append(ch)
                    continue
                piece = ch
            result.append(piece)
            for c in piece:
                if c not in _GO_SPACE_SET:
                    word, in_word = word + c, True
                elif in_word and word:
                    words.append(word)
                    word, in_word = "", False
        if stop is not None and not stopped:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append(word)
        return "".join(result), words

    def _quoted(self, quote: str) -> str:
        text, n = self.text, len(self.text)
        self.pos += 1
        out = [quote] if self.raw_quotes else []
        if quote == "'":  # nothing is special inside single quotes
            close = text.find("'", self.pos)
            if close < 0:
                raise LexError("unexpected end of statement while looking for matching single-quote")
            out.append(text[self.pos : close])
            self.pos = close + 1
        else:
            while True:
                if self.pos >= n:
                    raise LexError("unexpected end of statement while looking for matching double-quote")
                ch = text[self.pos]
                if ch == '"':
                    self.pos += 1
                    break
                if ch == "$":
                    out.append(self._dollar())
                    continue
                self.pos += 1
                if ch == "\\":
                    if self.raw_escapes:
                        out.append(ch)
                    if self.pos >= n:
                        continue
                    if text[self.pos] in '"$\\':
                        ch = text[self.pos]
                        self.pos += 1
                out.append(ch)
        if self.raw_quotes:
            out.append(quote)
        return "".join(out)

    def _dollar(self) -> str:
        text, n = self.text, len(self.text)
        self.pos += 1
        if self.pos >= n or text[self.pos] != "{":
            return "$" + self._name()
        self.pos += 1
        if self.pos >= n:
            raise LexError("syntax error: missing '}'")
        if text[self.pos] in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self._name()
        op = text[self.pos] if self.pos < n else ""
        self.pos += 1
        if op == "}":
            return "${" + name + "}"
        if op == ":" and self.pos < n:  # any modifier character is accepted
            op += text[self.pos]
            self.pos += 1
        elif op not in ("+", "-", "?", ":"):
            raise LexError("missing ':' in substitution")
        word = self._until("}")[0]
        return "${" + name + op + word + "}"

    def _name(self) -> str:
        text, n, start = self.text, len(self.text), self.pos
        if start >= n:
            return ""
        end = start
        if text[start].isdecimal():
            while end < n and text[end].isdecimal():
                end += 1
        elif text[start] in "@*#?-$!0":
            end += 1
        else:
            while end < n and (text[end].isalpha() or text[end].isdecimal() or text[end] == "_"):
                end += 1
        self.pos = end
        return text[start:end]


def unquote(word: str) -> str:
    """Remove shell quotes and backslash escapes from one word."""
    out, quote = [], None
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < n and word[i + 1] in '"\\$`':
                i += 1
                out.append(word[i])
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(word[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)
