"""Differential fuzzing: dhard's parser against the official BuildKit parser.

A fixed seed generates a few thousand Dockerfiles, by mutating and recombining
the corpus and from a grammar of the constructs parsers get wrong (escapes and
continuations, comment and blank lines inside them, line endings, BOM,
directives, heredocs, JSON forms, builder flags, ENV/LABEL/ARG forms,
HEALTHCHECK, ONBUILD, odd Unicode whitespace, very long lines, inputs deeper
than Python's limits). For every one, dhard must agree with the ``dockerfile``
binding (BuildKit's own Go parser) on each instruction's keyword, start and end
line, flags and heredocs, and on whether the file is rejected; it must never
raise, and an accepted file must come back byte for byte from its spans.

Run as a script to print every disagreement, shrunk to a minimal input:

    python tests/test_parser_fuzz.py [grammar_cases] [mutation_cases] [seed]
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import dockerfile
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import corpus_files  # noqa: E402
from hardener.parse import parse  # noqa: E402
from hardener.source import SourceFile, read_directives  # noqa: E402

SEED = 20240917
GRAMMAR_CASES = 2600
MUTATION_CASES = 1400
BATCHES = 8

# -- the two readings --------------------------------------------------------------


def buildkit_view(text: str):
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return None, str(exc)
    # The binding turns an empty keyword (a line that is just a continuation) into None.
    return [
        (c.cmd or "", c.start_line, c.end_line, list(c.flags), [(h.name, h.content) for h in c.heredocs])
        for c in commands
    ], None


def dhard_view(df):
    if df.error is not None:
        return None, f"line {df.error.line}: {df.error.message}"
    return [
        (i.keyword, i.start_line, i.end_line, [f.text for f in i.flags], [(h.name, h.content) for h in i.heredocs])
        for i in df.instructions
    ], None


def deliberate_difference(text: str) -> str | None:
    """Why a disagreement on ``text`` is expected, or None."""
    directives = read_directives(SourceFile.from_text(text))
    if any(d.name == "check" for d in directives):
        # dhard reads `# check=` as a parser directive, as BuildKit has since
        # v0.14; the binding wraps v0.12, where it is a comment that ends the
        # directive block (so a later `# escape=` is ignored, duplicates pass).
        return "check directive"
    return None


def disagreement(text: str) -> str | None:
    """How dhard and BuildKit read ``text`` differently; None when they agree (or the binding cannot tell)."""
    try:
        df = parse(text)
    except Exception as exc:  # parse must never raise
        return f"dhard raised {type(exc).__name__}: {exc}"
    try:
        theirs, their_error = buildkit_view(text)
    except UnicodeDecodeError:
        # BuildKit reads builder flags byte by byte and can cut a character in
        # half (bytes 0x85 and 0xA0 are spaces to it); the binding then fails to
        # turn the arguments BuildKit returns into a str. Only the round trip is checked.
        return round_trip_problem(df) if df.error is None else None
    ours, our_error = dhard_view(df)
    if (their_error is None) != (our_error is None):
        return f"BuildKit error: {their_error}; dhard error: {our_error}"
    if our_error is not None:
        return None if df.error.line >= 1 else f"dhard error without a line: {our_error}"
    if theirs != ours:
        for index, (a, b) in enumerate(zip(theirs, ours)):
            if a != b:
                return f"instruction {index}: BuildKit {a!r} dhard {b!r}"
        return f"BuildKit has {len(theirs)} instructions, dhard {len(ours)}"
    return round_trip_problem(df)


def round_trip_problem(df) -> str | None:
    cursor = 0
    for ins in df.instructions:
        if ins.trivia_start != cursor or not ins.trivia_start <= ins.start < ins.end:
            return f"spans do not tile the file at instruction {ins.index}"
        cursor = ins.end
    if df.tail != cursor:
        return "tail does not follow the last instruction"
    rebuilt = "".join(df.text[i.trivia_start : i.end] for i in df.instructions) + df.text[df.tail :]
    return None if rebuilt == df.text else "round trip lost text"


def physical_lines(text: str) -> list[str]:
    """Lines as BuildKit splits them (on "\\n" only), each with its line ending."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def minimize(text: str) -> str:
    """Shrink ``text`` while it still disagrees (lines first, then characters)."""

    def fails(candidate: str) -> bool:
        return deliberate_difference(candidate) is None and disagreement(candidate) is not None

    for split in (physical_lines, list):
        changed = True
        while changed:
            changed = False
            pieces = split(text)
            size = max(1, len(pieces) // 2)
            while size >= 1:
                i = 0
                while i < len(pieces):
                    shorter = pieces[:i] + pieces[i + size :]
                    if fails("".join(shorter)):
                        text, pieces, changed = "".join(shorter), shorter, True
                    else:
                        i += size
                size //= 2
    return text


# -- the grammar -----------------------------------------------------------------------

# Go's unicode.IsSpace is Python's str.isspace() without \x1c-\x1f; BuildKit reads
# some fields byte by byte, where 0x85 and 0xA0 are spaces, also inside a character
# ("à", "你", U+0800, U+2160, U+1F170 hold one of those bytes). Dotted I and the
# Kelvin sign fold to ASCII in Go.
ODD = [
    "\v", "\f", "\r", "\xa0", "\x85", "\u2028", "\u2029", "\u3000", "\u1680", "\x1c", "\x1f", "\u200b", "\ufeff",
    "\x7f", "à", "é", "😀", "\u0100", "\u0800", "\u2160", "你", "\U0001f170", "\u0130", "\u212a",
]
SPACE = [" ", " ", " ", "  ", "\t", " \t"]

KEYWORDS = (
    "FROM RUN COPY ADD ENV LABEL ARG CMD ENTRYPOINT SHELL VOLUME HEALTHCHECK ONBUILD EXPOSE USER "
    "WORKDIR STOPSIGNAL MAINTAINER"
).split()
EXOTIC_KEYWORDS = [
    "FOO", "foo", "RUNX", "R\x1fUN", "\x1fRUN", "RUN\xa0x", "copy", "Run", "\ufeffRUN", "RUN\u2028",
    # case-folded differently by Go and Python: long s, dotless i, dotted I, Kelvin sign
    "\u017fHELL", "ONBU\u0131LD", "ONBU\u0130LD", "WOR\u212aDIR", "HEALTHCHEC\u212a", "ENTRYPO\u0130NT",
]

FLAGS = [
    "--mount=type=cache,target=/root/.cache", '--mount=type=bind,source="a b",target=/x',
    "--mount=type=secret,id=a\\ b", "--mount='type=tmpfs,target=/t'", "--mount=type=cache,target=/x\\,y",
    "--chmod=755", "--chown=1000:1000", "--from=build", "--link", "--link=false", "--platform=$BUILDPLATFORM",
    "--network=none", "--security=insecure", "--unknown", '--a="b c"', "--a='b'", '--a=\\"', '--a="\\"q\\""',
    "--x=é", "--x=😀", "--x=a\xa0b", "--x=à", "--x=\u2028", "--x=你好", '--""', "--''", "--=", "---x", "--",
    "--a=b\\", '--a="unterminated', "--a='x\\'",
]

WORDS = [
    "echo hi", "apt-get install -y curl", "a && b", "'single q'", '"double q"', "$HOME", "${X:-y}", "a\\ b",
    "\\$x", "é", "😀", "--not-a-flag", "--flag=after-args", "x=y", "a=b c=d", "<", "<<", "<<<EOF", "'<<EOF'",
    '"<<EOF"', "x<<EOF", "[", "]", "#", "# not a comment", "\\\\", "`", "'", '"', "${", "${x#y}", "${x:?}",
    "$(cmd)", "a\rb", "\u2028x", "😀=😀", "a\xa0b",
]

JSON_ARGS = [
    '["a"]', '["a", "b"]', "[]", "[ ]", '[ "a" , "b" ]', '["a",\t"b"]', '["\\u00e9", "\\ud83d\\ude00"]',
    '["\\u0000"]', '["a\\nb"]', '["a\\"b"]', '["a", 1]', "[1]", '["a", ["b"]]', '["a", null]', '["a", true]',
    '["a", {"b": 1}]', "[1e400]", "[-1e400]", "[1e-400]", '["a", NaN]', "[Infinity]", "[-Infinity]",
    '["a"] trailing', '["a"]]', '["a",]', "['a']", '["a"', '["a\\x"]', '["a\\u12"]', '["\t"]', '[\xa0"a"]',
    '["a"]\xa0', '["a"]\x1f', '["a"]\v', "[1]\x1f", "[1]\u2028", "[1] x", '["a" "b"]', "[[]]", '[""]', "[0x1]",
    "[01]", "[.5]", "[-0]", "[1E2, 2]", "[" + "9" * 400 + "]",
]

ENV_FORMS = [
    "a b", "a=b", "a=b c=d", "a", "", "a=b c", '"a b"=c', 'a="b c"', "a\\ b=c", "a`  b=c", "a=", "=a", "a b=c",
    "a\xa0b", "a\u2028b", "a\x1fb", "à=1", "à b", "a='b c' d", "a=b\\", "a=b`", "'a'", "a\\=b", "a\tb", "a\vb",
    "a= b", "a =b", '"" b', "a=b\\ c",
]

HEALTHCHECKS = [
    "NONE", "CMD curl -f http://x/", 'CMD ["curl", "x"]', "CMD [1]", "--interval=5s CMD true",
    '--interval=5s --timeout=3s CMD ["a"]', "", "CMD", "CMD\t[1]", "CMD\u2028[1]", "CMD \u2028[1]", "CMD\xa0[1]",
    "CMD\x85[1]", "CMDà[1]", "CMD你[1]", "CMD  [1]", "CMD\x1f[1]", 'CMD ["a"] x', "NONE x", "NONE [1]",
]

DIRECTIVE_NAMES = ["escape", "syntax", "check", "Escape", "SYNTAX", "escap", "foo", "1escape"]
DIRECTIVE_VALUES = ["`", "\\", "docker/dockerfile:1", "skip=all", "x", "", "``", "`\f", "` ", "\\ "]

HEREDOC_NAMES = ["EOF", "END", "x", "_", "EOF2", "a-b", "é", "E0F", "$x", "${x}", "-", "1"]
HEREDOC_KINDS = ["RUN", "RUN", "COPY", "ADD", "run", "CMD", "ONBUILD RUN", "ONBUILD COPY", "ONBUILD ONBUILD RUN"]
HEREDOC_LINE_ENDS = ["; echo done", "> /out", "&& cat", "'unclosed", '"<<EOF"', "${x#y}", "\\", '["x"]']

TINY_FILES = ["", "\n", "   \n\t\n", "# only\n# comments\n", "\ufeff", "\ufeff# c", "\\\n", "#", "FROM", " \v\f\n"]
TRIVIA = ["# comment", "", "  ", "\t", "  # indented", "#", "\v", "\x1f", "\xa0 \t", "\f"]


def pick(r: random.Random, items):
    return items[r.randrange(len(items))]


class Grammar:
    """Random Dockerfiles; ``wild`` is how often odd characters replace plain blanks."""

    def __init__(self, r: random.Random):
        self.r = r
        self.wild = r.choice([0.0, 0.02, 0.08, 0.2])
        self.escape = "\\"

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, items):
        return pick(self.r, items)

    def file(self) -> str:
        special = self.r.random()
        if special < 0.02:
            return self.pick(TINY_FILES)
        if special < 0.03:
            return self.long_line()
        if special < 0.04:
            return self.too_deep_for_python()
        lines: list[str] = []
        if self.chance(0.3):
            lines += [self.directive() for _ in range(self.r.randint(1, 3))]
        if self.chance(0.1):  # a blank or comment line above the directives ends them
            lines.insert(0, self.pick(["", "# c", " "]))
        if self.chance(0.9):
            lines.append(self.keyword("FROM") + " " + self.pick(["alpine", "alpine AS b", "--platform=$P x"]))
        for _ in range(self.r.randint(1, 7)):
            roll = self.r.random()
            if roll < 0.3:
                lines += self.heredoc_instruction()
            elif roll < 0.55:
                lines += self.continued_instruction()
            elif roll < 0.65:
                lines.append(self.pick(TRIVIA))
            elif roll < 0.68:
                lines.append(self.directive())
            else:
                lines.append(self.instruction())
        return self.join(lines)

    def long_line(self) -> str:
        """A line around bufio.Scanner's 64 KiB limit."""
        size = self.r.choice([65530, 65535, 65536, 65540, 70000])
        char = self.pick(["a", "é", "😀"])
        long = "RUN " + char * ((size - 4) // len(char.encode())) + "a" * self.r.choice([0, 1, 2])
        return "FROM x\n" + long + self.pick(["\n", "\r\n", ""]) + self.pick(["", "RUN y\n"])

    def too_deep_for_python(self) -> str:
        """Nesting and numbers beyond Python's limits, but not all beyond Go's."""
        depth = self.r.choice([900, 1500, 9999, 10000, 10001])
        line = self.pick([
            "CMD " + "[" * depth + "]" * depth,
            "CMD [" + "[" * depth + '"a"' + "]" * depth + ', "b"]',
            "ONBUILD " * (depth // 2) + self.pick(["RUN x", "CMD [1]", "ENV a", "RUN <<EOF\nEOF"]),
            "RUN " + "9" * depth + "<<EOF\nhi\nEOF",
            "CMD [" + "9" * depth + "]",
        ])
        return "FROM x\n" + line + "\n"

    def directive(self) -> str:
        name, value = self.pick(DIRECTIVE_NAMES), self.pick(DIRECTIVE_VALUES)
        if name.lower() == "escape" and value in ("`", "\\") and self.chance(0.8):
            self.escape = value
        lead = self.pick(["", "", "", " ", "\t", "\v", "\xa0", "\x1f"])
        around = ["", " ", "\t", "\f"]
        end = ["", "", " ", "\t", "\f", "\v", "\r"]
        spaced = self.pick(around) + name + self.pick(around) + "=" + self.pick(around) + value
        return lead + "#" + spaced + self.pick(end)

    def keyword(self, name: str) -> str:
        roll = self.r.random()
        if roll < 0.8:
            return name
        if roll < 0.88:
            return name.lower()
        if roll < 0.95:
            return "".join(c.lower() if self.chance(0.5) else c for c in name)
        return self.pick(EXOTIC_KEYWORDS)

    def space(self) -> str:
        return self.pick(ODD) if self.chance(self.wild) else self.pick(SPACE)

    def words(self) -> str:
        return " ".join(self.pick(WORDS) for _ in range(self.r.randint(1, 4)))

    def flags(self) -> str:
        if self.chance(0.55):
            return ""
        return "".join(self.pick(FLAGS) + self.space() for _ in range(self.r.randint(1, 3)))

    def args(self, name: str, depth: int) -> str:
        if name in ("CMD", "ENTRYPOINT", "SHELL", "VOLUME", "RUN", "COPY", "ADD") and self.chance(0.4):
            return self.pick(JSON_ARGS)
        if name in ("ENV", "LABEL", "ARG"):
            return self.pick(ENV_FORMS)
        if name == "HEALTHCHECK":
            return self.pick(HEALTHCHECKS)
        if name == "ONBUILD":
            return self.instruction(depth + 1) if self.chance(0.9) else self.pick(["", " ", "ONBUILD RUN x"])
        if name == "FROM":
            return self.pick(["alpine", "alpine AS build", "--platform=$X img", "scratch", "$IMG", ""])
        return self.words()

    def instruction(self, depth: int = 0) -> str:
        name = self.pick(KEYWORDS if depth == 0 else [k for k in KEYWORDS if k not in ("FROM", "MAINTAINER")])
        line = self.keyword(name)
        if self.chance(0.97):
            line += self.space() + self.flags() + self.args(name, depth)
        if self.chance(0.1):
            line += self.pick([" ", "\t", "\v", "\xa0", "\x1f", "\u2028"])
        return line

    def heredoc_word(self, name: str) -> str:
        word = ("-" if self.chance(0.25) else "") + name
        style = self.r.random()
        if style < 0.15:
            word = word.replace(name, "'" + name + "'")
        elif style < 0.3:
            word = word.replace(name, '"' + name + '"')
        elif style < 0.35 and len(name) > 1:
            word = word.replace(name, name[0] + '"' + name[1:] + '"')
        elif style < 0.4:
            word = word.replace(name, "\\" + name)
        return self.pick(["", "", "", "", "2", "10", "x", "9" * 30]) + "<<" + word

    def heredoc_instruction(self) -> list[str]:
        """A RUN/COPY/ADD with heredocs: the instruction line(s), the bodies and terminators."""
        names = [self.pick(HEREDOC_NAMES) for _ in range(self.r.choice([1, 1, 1, 2, 3]))]
        words = [self.heredoc_word(n) for n in names]
        kind = self.pick(HEREDOC_KINDS)
        parts = [kind]
        if self.chance(0.3):
            parts.append(self.pick(FLAGS))
        for word in words:
            if self.chance(0.3):
                parts.append(self.pick(WORDS))
            parts.append(word)
        if kind.endswith(("COPY", "ADD")):
            parts.append("/dest")
        elif self.chance(0.3):
            parts.append(self.pick(HEREDOC_LINE_ENDS))
        if self.chance(0.15):
            cut = self.r.randrange(1, len(parts))
            lines = [" ".join(parts[:cut]) + " " + self.escape, " ".join(parts[cut:])]
        else:
            lines = [self.space().join(parts)]
        for name, word in zip(names, words):
            body = [
                "echo hi", "\techo tab", "", "# comment", "  # indented", name + " ", " " + name, "\t" + name + "x",
                "line " + self.escape, self.escape, "EOF\r", "$x ${y}", "\xa0", "\ufeff" + name, name + "\r",
                "😀 \u2028",
            ]
            lines += [self.pick(body) for _ in range(self.r.randint(0, 3))]
            if self.chance(0.92):  # else unterminated
                lines.append(("\t" * self.r.randint(1, 2) if "<<-" in word and self.chance(0.5) else "") + name)
        return lines

    def continued_instruction(self) -> list[str]:
        """One instruction spread over several lines, with the trivia BuildKit drops."""
        escape = self.escape
        trivia = [
            "# comment", "  # indented", "\t# tab", "", "   ", "\t", escape, " " + escape, escape + " \t", "#", "\v",
            "\x1f", "\xa0", "# escape=`", "\t \t", "#" + escape,
        ]
        lines = [self.instruction()]
        for _ in range(self.r.randint(1, 4)):
            ending = self.pick(["", "", "", " ", "\t", "  \t", "\r", "\r\r", escape, escape * 2, "\v", "\xa0", "\f"])
            lines[-1] += self.pick([" ", "", "\t"]) + escape + ending
            lines += [self.pick(trivia) for _ in range(self.r.choice([0, 0, 0, 1, 2]))]
            lines.append(self.pick(["", "  ", "\t"]) + self.words())
        return lines

    def join(self, lines: list[str]) -> str:
        style = self.r.random()
        if style < 0.7:
            endings = ["\n"]
        elif style < 0.85:
            endings = ["\r\n"]
        else:
            endings = ["\n", "\r\n", "\r\r\n", "\r"]
        text = "".join(line + self.pick(endings) for line in lines)
        if self.chance(0.15):
            text = text.rstrip("\r\n")
        if self.chance(0.05):
            text = "\ufeff" + text
        return text


# -- mutating the corpus ------------------------------------------------------------

TOKENS = [
    "\\", "`", " ", "\t", "\r", "\n", "\r\n", "#", "<<", "<<EOF\n", "EOF", '"', "'", "[", "]", "--", "=", "$", "{",
    "}", "\\\n", "\\ \n", "\\\\",
] + ODD
CONTINUATIONS = ["\\ \n", "\\\t\n", "\\\r\n", "\\\n\n", "\\\n  # c\n", "\\\n\t\n", "\\\n\\\n", "\\ \r\r\n"]
PREFIXES = ["\ufeff", "# escape=`\n", "# syntax=docker/dockerfile:1\n", "#escape=\\\n", "\n"]


def corpus_texts() -> list[str]:
    return [p.read_bytes().decode("utf-8") for p in corpus_files()]


def mutate(r: random.Random, texts: list[str]) -> str:
    text = pick(r, texts)
    for _ in range(r.randint(1, 3)):
        lines = physical_lines(text) or [""]
        roll = r.random()
        if roll < 0.15:  # recombine: the head of one file, the tail of another
            other = physical_lines(pick(r, texts)) or [""]
            lines = lines[: r.randrange(len(lines) + 1)] + other[r.randrange(len(other) + 1) :]
        elif roll < 0.3:  # a grammar construct spliced in between two lines
            grammar = Grammar(r)
            snippet = grammar.heredoc_instruction() if r.random() < 0.5 else grammar.continued_instruction()
            i = r.randrange(len(lines) + 1)
            lines[i:i] = [s + "\n" for s in snippet]
        elif roll < 0.4:  # a line duplicated, a line dropped
            i = r.randrange(len(lines))
            lines[i:i] = [lines[r.randrange(len(lines))]] if r.random() < 0.5 else []
            del lines[r.randrange(len(lines))]
        elif roll < 0.6:  # a token dropped in anywhere
            pos = r.randrange(len(text) + 1)
            text = text[:pos] + pick(r, TOKENS) + text[pos:]
            continue
        elif roll < 0.68:
            pos = r.randrange(len(text) + 1)
            text = text[:pos] + text[pos + r.randint(1, 20) :]
            continue
        elif roll < 0.76:  # blanks after continuation escapes, blank and comment lines inside continuations
            text = text.replace("\\\n", pick(r, CONTINUATIONS), r.randint(1, 5))
            continue
        elif roll < 0.84:
            text = text.replace("\n", pick(r, ["\r\n", "\r\r\n", "\r"]), r.randint(1, 40))
            continue
        elif roll < 0.88:
            text = pick(r, PREFIXES) + text
            continue
        elif roll < 0.94:  # a line in another case
            i = r.randrange(len(lines))
            lines[i] = lines[i].lower() if r.random() < 0.5 else lines[i].upper()
        else:  # cut short
            text = text[: r.randrange(len(text) + 1)]
            continue
        text = "".join(lines)
    return text


def generate_cases(seed: int = SEED) -> list[str]:
    r = random.Random(seed)
    cases = [Grammar(r).file() for _ in range(GRAMMAR_CASES)]
    texts = corpus_texts()
    cases += [mutate(r, texts) for _ in range(MUTATION_CASES)]
    return cases


_CASES: list[str] = []


def cases() -> list[str]:
    if not _CASES:
        _CASES.extend(generate_cases())
    return _CASES


@pytest.mark.parametrize("batch", range(BATCHES))
def test_dhard_reads_like_buildkit(batch, corpus_available):
    failures = []
    for text in cases()[batch::BATCHES]:
        if deliberate_difference(text) is None:
            problem = disagreement(text)
            if problem is not None:
                failures.append(text)
    if failures:
        small = minimize(failures[0])
        raise AssertionError(
            f"{len(failures)} disagreements in this batch; the first, minimized: {small!r}\n"
            f"  {disagreement(small)}\n  original: {failures[0][:300]!r}"
        )


def main(argv: list[str]) -> int:
    global GRAMMAR_CASES, MUTATION_CASES
    if len(argv) > 1:
        GRAMMAR_CASES = int(argv[1])
    if len(argv) > 2:
        MUTATION_CASES = int(argv[2])
    seen: dict[str, str | None] = {}
    for text in generate_cases(int(argv[3]) if len(argv) > 3 else SEED):
        if deliberate_difference(text) is None and disagreement(text) is not None:
            small = minimize(text)
            seen.setdefault(small, disagreement(small))
    for small, problem in seen.items():
        print(repr(small), "\n   ", problem)
    print(f"{len(seen)} distinct minimized disagreements")
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
