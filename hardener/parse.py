"""Text -> Dockerfile model, reading instructions the way BuildKit's parser does.

The scanner walks physical lines like BuildKit (split on "\\n", "\\r" is part
of the line ending), joins continuations, drops comment and blank lines inside
them, reads heredoc bodies after the instruction line, and records for every
piece of the logical line where it came from, so rules can point at, and fixes
can edit, the exact source text.
"""

from __future__ import annotations

import json
import re

from .model import (
    Dockerfile,
    Flag,
    Heredoc,
    ImageRef,
    Instruction,
    ParseError,
    Segment,
    Stage,
)
from .record import replace
from .source import SourceFile, read_directives

# Instructions BuildKit accepts; anything else parses but is unknown.
KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER "
    "ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR".split()
)
_MAYBE_JSON = frozenset("ADD COPY CMD ENTRYPOINT RUN SHELL VOLUME".split())
_HEREDOC_CAPABLE = frozenset(("ADD", "COPY", "RUN"))
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)([^<]*)$")
_WHITESPACE = " \t\v\f\r"


class _Fail(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


def parse(source: SourceFile | str, path: str = "<string>") -> Dockerfile:
    """Parse text into a Dockerfile; a BuildKit parse error is kept in ``.error``."""
    if isinstance(source, str):
        source = SourceFile.from_text(source, path)
    try:
        directives, escape = _directives(source)
    except _Fail as fail:
        return _failed(source, fail, (), "\\")
    scanner = _Scanner(source, escape)
    try:
        instructions = scanner.scan()
        if not instructions:
            raise _Fail(max(1, len(scanner.lines)), "file with no instructions")
    except _Fail as fail:
        return _failed(source, fail, directives, escape)
    stages, global_args = _stages(instructions)
    stages = tuple(_replace_stage_instructions(stage, instructions) for stage in stages)
    return Dockerfile(
        source=source,
        instructions=tuple(instructions),
        stages=stages,
        directives=directives,
        escape=escape,
        global_args=global_args,
        tail=instructions[-1].end,
    )


def _failed(source, fail, directives, escape) -> Dockerfile:
    return Dockerfile(
        source=source,
        instructions=(),
        stages=(),
        directives=tuple(directives),
        escape=escape,
        global_args=(),
        tail=0,
        error=ParseError(fail.line, fail.message),
    )


def _directives(source: SourceFile):
    directives = read_directives(source)
    seen = set()
    escape = "\\"
    for d in directives:
        if d.name in seen:
            raise _Fail(d.line, f"only one {d.name} parser directive can be used")
        seen.add(d.name)
        if d.name == "escape":
            if d.value not in ("\\", "`"):
                raise _Fail(d.line, f"invalid escape token '{d.value}' does not match ` or \\")
            escape = d.value
    return directives, escape


# -- the line scanner ------------------------------------------------------------


class _Scanner:
    def __init__(self, source: SourceFile, escape: str):
        self.source = source
        self.text = source.text
        self.escape = escape
        lines = source.lines
        # BuildKit never sees the empty "line" after a final newline.
        if lines and source.text.endswith("\n") or (len(lines) == 1 and not source.text):
            lines = lines[:-1]
        self.lines = lines

    def raw(self, i: int) -> str:
        line = self.lines[i]
        return self.text[line.start : line.end]

    def scan(self) -> list[Instruction]:
        out: list[Instruction] = []
        i = 0
        n = len(self.lines)
        trivia_start = 0
        stage = None  # index of the current stage: FROMs seen so far
        while i < n:
            raw = self.raw(i)
            token = raw.lstrip()
            if token.startswith("#"):
                token = ""
            first = i
            i += 1
            content, ends = self._trim_continuation(token)
            if ends and content == "":
                continue
            token_start = self.lines[first].start + len(raw) - len(token)
            line = content
            segments = [Segment(0, token_start, len(content))] if content else []
            while not ends and i < n:
                raw = self.raw(i)
                start = self.lines[i].start
                i += 1
                stripped = raw.lstrip()
                if stripped.startswith("#") or stripped == "":
                    continue
                content, ends = self._trim_continuation(raw)
                if content:
                    segments.append(Segment(len(line), start, len(content)))
                line += content
            draft = self._instruction(line, tuple(segments), first + 1)
            if draft.name == "FROM":
                stage = 0 if stage is None else stage + 1
            heredocs, i = self._read_heredocs(draft, line, i, first + 1)
            end = self.lines[i - 1].next
            out.append(
                _build(
                    draft,
                    start=self.lines[first].start,
                    end=end,
                    trivia_start=trivia_start,
                    end_line=i,
                    heredocs=heredocs,
                    index=len(out),
                    stage=stage,
                )
            )
            trivia_start = end
        return out

    def _trim_continuation(self, line: str) -> tuple[str, bool]:
        """Strip a trailing escape char (not itself escaped); report whether the line ends."""
        body = line.rstrip(" \t")
        if body.endswith(self.escape) and not body.endswith(self.escape * 2):
            return body[:-1], False
        return line, True

    def _instruction(self, line: str, segments: tuple[Segment, ...], start_line: int) -> "_Draft":
        try:
            draft = _node_from_line(line, segments, self.escape)
        except _Fail as fail:
            raise _Fail(start_line, fail.message) from None
        draft.start_line = start_line
        if draft.sub is not None:
            draft.sub.start_line = start_line
        return draft

    def _read_heredocs(self, draft: "_Draft", line: str, i: int, start_line: int):
        target = draft.sub or draft
        if not (target.name in _HEREDOC_CAPABLE and not target.json and "<<" in line):
            return (), i
        found = []
        for name, chomp, expand, fd in _heredoc_words(line):
            body_start = self.lines[i].start if i < len(self.lines) else len(self.text)
            parts = []
            while True:
                if i >= len(self.lines):
                    raise _Fail(start_line, "unterminated heredoc")
                raw = self.raw(i)
                i += 1
                candidate = raw.lstrip("\t") if chomp else raw
                if candidate == name:
                    break
                # BuildKit keeps a CRLF body line's "\r" in the heredoc content
                line = self.lines[i - 1]
                carriage_return = "\r" if self.text[line.end : line.next] == "\r\n" else ""
                parts.append(raw + carriage_return + "\n")
            body_end = self.lines[i - 1].start
            found.append(Heredoc(name, "".join(parts), chomp, expand, fd, body_start, body_end))
        return tuple(found), i


class _Draft:
    """An instruction before its span and heredocs are known."""

    __slots__ = ("keyword", "name", "line", "segments", "flags", "args_start", "json", "argv", "sub", "start_line")

    def __init__(self, keyword, line, segments, flags, args_start, json_, argv, sub):
        self.keyword = keyword
        self.name = keyword.upper()
        self.line = line
        self.segments = segments
        self.flags = flags
        self.args_start = args_start
        self.json = json_
        self.argv = argv
        self.sub = sub
        self.start_line = 0


def _build(draft: _Draft, *, start, end, trivia_start, end_line, heredocs, index, stage) -> Instruction:
    sub = None
    top_heredocs = heredocs
    if draft.sub is not None:
        sub = _sub_instruction(draft.sub, start, end, end_line, heredocs, index, stage)
        top_heredocs = ()  # BuildKit reports ONBUILD's heredocs on the inner instruction
    return Instruction(
        keyword=draft.keyword,
        start=start,
        end=end,
        trivia_start=trivia_start,
        start_line=draft.start_line,
        end_line=end_line,
        line=draft.line,
        segments=draft.segments,
        flags=draft.flags,
        args_start=draft.args_start,
        json=draft.json,
        argv=draft.argv,
        heredocs=top_heredocs,
        sub=sub,
        index=index,
        stage=stage,
    )


def _sub_instruction(draft: _Draft, start, end, end_line, heredocs, index, stage) -> Instruction:
    return Instruction(
        keyword=draft.keyword,
        start=start,
        end=end,
        trivia_start=start,
        start_line=draft.start_line,
        end_line=end_line,
        line=draft.line,
        segments=draft.segments,
        flags=draft.flags,
        args_start=draft.args_start,
        json=draft.json,
        argv=draft.argv,
        heredocs=heredocs,
        index=index,
        stage=stage,
    )


# -- one logical line -> instruction ------------------------------------------------


def _node_from_line(line: str, segments, escape: str, offset: int = 0) -> _Draft:
    """Split keyword, builder flags and arguments (BuildKit's newNodeFromLine)."""
    stripped_start = len(line) - len(line.lstrip(_WHITESPACE))
    pos = stripped_start
    while pos < len(line) and line[pos] not in _WHITESPACE:
        pos += 1
    keyword = line[stripped_start:pos]
    while pos < len(line) and line[pos] in _WHITESPACE:
        pos += 1
    flags, args_start = _builder_flags(line, pos, offset)
    name = keyword.upper()
    args = line[args_start:].strip()
    json_form, argv, sub = False, None, None
    if name in _MAYBE_JSON:
        json_form, argv = _maybe_json(args)
    elif name == "HEALTHCHECK":
        rest = args.split(None, 1)
        if len(rest) == 2:
            json_form, argv = _maybe_json(rest[1])
    elif name in ("ENV", "LABEL"):
        _check_name_values(args, name, escape)
    elif name == "ONBUILD" and args:
        inner_start = args_start + (len(line[args_start:]) - len(line[args_start:].lstrip()))
        sub = _node_from_line(line[inner_start:], segments, escape, offset + inner_start)
        sub.line = line
        sub.args_start = inner_start + sub.args_start
    return _Draft(keyword, line, segments, tuple(flags), args_start, json_form, argv, sub)


def _builder_flags(line: str, pos: int, offset: int) -> tuple[list[Flag], int]:
    """Leading ``--flag`` words, quotes removed as BuildKit does; returns (flags, args_start)."""
    flags: list[Flag] = []
    n = len(line)
    while True:
        while pos < n and line[pos].isspace():
            pos += 1
        if pos + 1 >= n or line[pos] != "-" or line[pos + 1] != "-":
            return flags, pos
        start = pos
        word = []
        quote = None
        blank_ok = False
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = None
                elif ch == "\\" and pos + 1 < n:
                    pos += 1
                    word.append(line[pos])
                elif ch != "\\":
                    word.append(ch)
                pos += 1
                continue
            if ch.isspace():
                break
            if ch in "'\"":
                quote, blank_ok = ch, True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word.append(line[pos])
            else:
                word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--" and not blank_ok:
            # "--" ends the flags; what follows is the arguments
            while pos < n and line[pos].isspace():
                pos += 1
            return flags, pos
        if blank_ok or text:
            flags.append(Flag(text, offset + start, offset + pos))


def _maybe_json(args: str) -> tuple[bool, tuple[str, ...] | None]:
    if not args.startswith("["):
        return False, None
    try:
        value = json.loads(args)
    except ValueError:
        return False, None
    if not isinstance(value, list):
        return False, None
    if not all(isinstance(item, str) for item in value):
        raise _Fail(0, "when using JSON array syntax, arrays must be comprised of strings only")
    return True, tuple(value)


def _check_name_values(args: str, keyword: str, escape: str) -> None:
    words = split_words(args, escape)
    if not words:
        return
    if "=" not in words[0]:
        if len(args.split(None, 1)) < 2:
            raise _Fail(0, f"{keyword} must have two arguments")
        return
    for word in words:
        if "=" not in word:
            raise _Fail(0, f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value')


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Whitespace-separated words with quotes kept (BuildKit's parseWords)."""
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
        if ch.isspace():
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


def _heredoc_words(line: str):
    """(name, chomp, expand, fd) for each heredoc word of the line, in order."""
    for raw in _raw_shell_words(line):
        match = _HEREDOC_WORD.match(raw)
        if not match or not match.group(3):
            continue
        rest = match.group(3)
        unquoted = _raw_shell_words(rest)
        if len(unquoted) != 1:
            continue
        name = unquote(unquoted[0])
        expand = not any(q in rest for q in "'\"")
        yield name, match.group(2) == "-", expand, int(match.group(1) or 0)


def _raw_shell_words(line: str) -> list[str]:
    """Split on unquoted whitespace, keeping quotes and backslashes as written."""
    words, word, quote = [], [], None
    in_word = False
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote:
            word.append(ch)
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < n:
                i += 1
                word.append(line[i])
        elif ch.isspace():
            if in_word:
                words.append("".join(word))
            word, in_word = [], False
        else:
            in_word = True
            word.append(ch)
            if ch in "'\"":
                quote = ch
            elif ch == "\\" and i + 1 < n:
                i += 1
                word.append(line[i])
        i += 1
    if in_word:
        words.append("".join(word))
    return words


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


# -- stages, ARGs and image references ------------------------------------------------

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, scope: dict[str, str | None]) -> tuple[str | None, tuple[str, ...]]:
    """Substitute $X, ${X}, ${X:-d}, ${X-d}, ${X:+v}, ${X+v}; (None, names) when a value is unknown."""
    missing: list[str] = []

    def sub(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3)
        known = name in scope
        value = scope.get(name)
        if op is None:
            if value is None:
                missing.append(name)
                return ""
            return value
        if value is None and known:  # declared without a default: the build arg decides
            missing.append(name)
            return ""
        unset = value is None or (op.startswith(":") and value == "")
        if op in ("-", ":-"):
            return _nested(word) if unset else value
        return "" if unset else _nested(word)

    def _nested(word: str) -> str:
        value, names = expand(word, scope)
        missing.extend(names)
        return value or ""

    if "$" not in text:
        return text, ()
    result = _VAR.sub(sub, text)
    if missing:
        return None, tuple(dict.fromkeys(missing))
    return result, ()


def parse_arg_pairs(args: str) -> list[tuple[str, str | None]]:
    """ARG NAME[=default] [NAME2[=default] ...]."""
    pairs = []
    for word in split_words(args):
        name, eq, value = word.partition("=")
        pairs.append((name, unquote(value) if eq else None))
    return pairs


def parse_env_pairs(args: str) -> list[tuple[str, str]]:
    """ENV NAME=value ... or the legacy ENV NAME value."""
    words = split_words(args)
    if not words:
        return []
    if "=" not in words[0]:
        parts = args.split(None, 1)
        return [(parts[0], parts[1].strip() if len(parts) > 1 else "")]
    return [(w.partition("=")[0], unquote(w.partition("=")[2])) for w in words]


def parse_image_ref(written: str, scope: dict[str, str | None] | None = None) -> ImageRef:
    value, missing = expand(written, scope or {})
    if value is None:
        return ImageRef(written=written, value=None, unresolved=missing)
    ref = value
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    registry = None
    first, slash, rest = ref.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag = None
    last_slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > last_slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = None
    if registry is None and ref.startswith("library/"):
        ref = ref[len("library/") :]
    return ImageRef(written=written, value=value, registry=registry, repository=ref, tag=tag, digest=digest)


def _stages(instructions: list[Instruction]):
    global_scope: dict[str, str | None] = {}
    drafts = []  # (index, alias, from_ins, base, platform, parent, scope)
    scope: dict[str, str | None] = {}
    for ins in instructions:
        if ins.name == "FROM":
            words = ins.words
            image = words[0] if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            parent = _find_alias(drafts, expand(image, global_scope)[0])
            platform_flag = ins.flag("platform")
            platform = expand(platform_flag.value or "", global_scope)[0] if platform_flag else None
            if parent is not None:
                base = ImageRef(written=image, value=image, repository=image)
                scope = dict(drafts[parent][6])
            else:
                base = parse_image_ref(image, global_scope)
                scope = {}
            drafts.append([len(drafts), alias, ins, base, platform, parent, scope])
            continue
        if ins.name == "ARG":
            for name, value in parse_arg_pairs(ins.args):
                target = scope if drafts else global_scope
                if value is not None:
                    value = expand(value, {**global_scope, **scope} if drafts else global_scope)[0]
                elif drafts:
                    value = global_scope.get(name)
                target[name] = value
    stages = []
    shipping = set()
    if drafts:
        cursor: int | None = len(drafts) - 1
        while cursor is not None and cursor not in shipping:
            shipping.add(cursor)
            cursor = drafts[cursor][5]
    for index, alias, ins, base, platform, parent, scope in drafts:
        stages.append(
            Stage(
                index=index,
                alias=alias,
                from_=ins,
                base=base,
                platform=platform,
                parent=parent,
                instructions=(),
                ships=index in shipping,
                args=tuple(scope.items()),
            )
        )
    return stages, tuple(global_scope.items())


def _find_alias(drafts, name: str | None) -> int | None:
    if not name:
        return None
    lowered = name.lower()
    for draft in reversed(drafts):
        if draft[1] and draft[1].lower() == lowered:
            return draft[0]
    return None


def _replace(obj, **changes):
    return replace(obj, **changes)


def _replace_stage_instructions(stage: Stage, instructions) -> Stage:
    first = stage.from_.index
    own = [ins for ins in instructions if ins.stage == stage.index]
    return _replace(stage, from_=instructions[first], instructions=tuple(own))
