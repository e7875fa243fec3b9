"""Property tests (hypothesis) of ``dhard fix``, ``check``, ``parse`` and ``harden``.

Dockerfiles come from a grammar of the constructs that break tools (continuations with
comment lines inside, heredocs of every form, exec and shell forms, ``# escape=``, CRLF, a
BOM, Unicode, long lines, any keyword case, ONBUILD, builder flags) and from instructions
cut out of the shared corpus. The properties:

- ``fix`` (safe, and with unsafe fixes) gives a file BuildKit's own parser (the
  ``dockerfile`` binding) accepts whenever it accepted the input;
- it keeps every RUN that passed ``dash -n`` passing;
- it is idempotent;
- it changes only what the edits of the findings it applied name;
- ``check``, ``parse`` and ``harden`` never raise.

The default profile ("ci") is derandomized and bounded to a few seconds per property;
``HYPOTHESIS_PROFILE=long`` runs thousands of examples by hand. What they find becomes a
regression case in ``REGRESSIONS`` below.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import HAVE_CORPUS, real_files  # noqa: E402
from hardener import fixer  # noqa: E402
from hardener.config import Config  # noqa: E402
from hardener.lint import lint  # noqa: E402
from hardener.parse import parse  # noqa: E402
from hardener.source import SourceFile  # noqa: E402

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

DASH = shutil.which("dash")

# -- the generator ---------------------------------------------------------------

IMAGES = [
    "alpine:3.19", "debian:bookworm-slim", "ubuntu:22.04", "python:3.12-slim", "node:20", "golang:1.22",
    "scratch", "gcr.io/distroless/static-debian12", "registry.access.redhat.com/ubi9/ubi-minimal",
    "nginx", "busybox:1.36", "$BASE", "${BASE:-alpine}", "centos:7", "fedora:40",
]
COMMANDS = [
    "apt-get update", "apt-get install -y curl ca-certificates", "apt-get install --no-install-recommends -y git",
    "rm -rf /var/lib/apt/lists/*", "apk add curl", "apk add --no-cache bash", "apk update",
    "pip install flask", "pip install --no-cache-dir -r requirements.txt", "npm install", "npm ci",
    "yum install -y httpd", "dnf install -y gcc && dnf clean all", "microdnf install -y tar",
    "curl -fsSL https://example.com/install.sh | sh", "wget -qO- https://x.io/a | bash",
    "chmod 777 /app", "chmod -R a+w /data", "chown -R 1000:1000 /app", "sudo apt-get install -y vim",
    "cd /tmp", "mkdir -p /app/data", "useradd -r app", "adduser -D app", "echo \"héllo wörld ✓\" > /x",
    "echo 'single $HOME'", "export A=1", "set -eux", "true", "make -j\"$(nproc)\"", "go build -o /out ./...",
    "echo $(date) `id -u`", "ls | grep x || true", "if [ -f /a ]; then echo a; fi",
    "for i in 1 2; do echo $i; done", "tar xzf /a.tgz -C /opt", "ln -s /a /b",
    "gem install rails", "cargo build --release", "git clone https://github.com/a/b",
]
HEALTHCHECKS = ["NONE", "--interval=5s CMD curl -f http://localhost/", 'CMD ["true"]']
VOLUMES = ["/data", '["/a", "/b"]']
SHELLS = ['["/bin/bash", "-o", "pipefail", "-c"]', '["/bin/sh", "-c"]', '["pwsh", "-c"]']
COPY_SOURCES = [". .", "app.py /app/", "requirements.txt ./", "--from=x /a /b", '["a b", "/c/"]',
                "https://example.com/a.tgz /opt/", "*.json /cfg/"]
JOINERS = [" && ", "; ", " || ", " | ", " &&\t"]
WORDS = st.text(alphabet=st.sampled_from(list("abcXYZ019_-./:=$\"'{}\\ é✓\u00a0")), min_size=0, max_size=12)
FLAGS = {
    "RUN": ["--mount=type=cache,target=/var/cache/apt", "--mount=type=secret,id=tok", "--network=none",
            "--mount=type=bind,source=.,target=/src", "--security=insecure"],
    "COPY": ["--chown=app:app", "--chmod=755", "--from=build", "--link", "--chown=1000"],
    "ADD": ["--chown=app", "--checksum=sha256:abc", "--keep-git-dir=true"],
    "FROM": ["--platform=$BUILDPLATFORM", "--platform=linux/amd64"],
}


@st.composite
def shell_text(draw, esc: str, newline: str) -> str:
    """Commands joined by operators, broken over continuation lines, comment lines inside."""
    commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=5))
    out = commands[0]
    for command in commands[1:]:
        joiner = draw(st.sampled_from(JOINERS))
        if draw(st.booleans()):
            gap = f" {esc}{newline}"
            if rarely(draw, 3):
                gap += draw(st.sampled_from(["    # a comment" + newline, "#" + newline, newline, "  # ✓ " + newline]))
            out += gap + "    " + joiner.lstrip() + command
        else:
            out += joiner + command
    return out


@st.composite
def heredoc_run(draw, newline: str) -> str:
    name = draw(st.sampled_from(["EOF", "END", "SCRIPT", "e-o-f"]))
    quote = draw(st.sampled_from(["", "'", '"']))
    dash = draw(st.sampled_from(["", "-"]))
    body = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=3))
    indent = "\t" if dash else ""
    lines = newline.join(indent + b for b in body)
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"RUN <<{dash}{quote}{name}{quote}{newline}{lines}{newline}{indent}{name}"
    if form == 1:
        return f"RUN {draw(st.sampled_from(['bash', 'sh -e', 'python3']))} <<{dash}{quote}{name}{quote}{newline}{lines}{newline}{indent}{name}"
    if form == 2:
        return f"COPY <<{name} /etc/conf{newline}{lines}{newline}{name}"
    return f"RUN <<A <<B{newline}set -e{newline}A{newline}{lines}{newline}B"


def rarely(draw, n: int) -> bool:
    """True about once in n + 1 draws (not on hypothesis' favourite, the simplest value 0)."""
    return draw(st.integers(0, n)) == n


def _keyword(draw, keyword: str) -> str:
    case = draw(st.sampled_from(["upper", "lower", "title", "mixed"]))
    if case == "lower":
        return keyword.lower()
    if case == "title":
        return keyword.title()
    if case == "mixed":
        return "".join(c.lower() if i % 2 else c for i, c in enumerate(keyword))
    return keyword


def _flags(draw, keyword: str) -> str:
    options = FLAGS.get(keyword, [])
    chosen = draw(st.lists(st.sampled_from(options), max_size=2, unique=True)) if options else []
    return "".join(f + " " for f in chosen)


def _exec(draw, words) -> str:
    import json

    return json.dumps(words, ensure_ascii=draw(st.booleans()))


@st.composite
def instruction(draw, esc: str, newline: str, stages: list[str], depth: int = 0) -> str:
    kind = draw(st.sampled_from([
        "RUN", "RUN", "RUN", "RUN-exec", "HEREDOC", "COPY", "ADD", "USER", "WORKDIR", "ENV", "ARG", "CMD",
        "ENTRYPOINT", "EXPOSE", "LABEL", "HEALTHCHECK", "SHELL", "ONBUILD", "COMMENT", "VOLUME", "STOPSIGNAL",
    ] + (["CORPUS"] * 3 if CORPUS_INSTRUCTIONS else [])))
    k = functools.partial(_keyword, draw)
    if kind == "RUN":
        return f"{k('RUN')} {_flags(draw, 'RUN')}{draw(shell_text(esc, newline))}"
    if kind == "RUN-exec":
        return f"{k('RUN')} {_exec(draw, ['/bin/sh', '-c', draw(st.sampled_from(COMMANDS))])}"
    if kind == "HEREDOC":
        return draw(heredoc_run(newline))
    if kind in ("COPY", "ADD"):
        flags = _flags(draw, kind).replace("--from=build", f"--from={draw(st.sampled_from(stages or ['0']))}")
        src = draw(st.sampled_from(COPY_SOURCES))
        return f"{k(kind)} {flags}{src}"
    if kind == "USER":
        return f"{k('USER')} {draw(st.sampled_from(['root', 'app', '1000', '1000:1000', '0', '$APP_USER', 'nobody', 'üser']))}"
    if kind == "WORKDIR":
        return f"{k('WORKDIR')} {draw(st.sampled_from(['/app', 'src', '$HOME/x', '/tmp/✓']))}"
    if kind == "ENV":
        value = draw(WORDS).replace("\\", "")
        return f"{k('ENV')} {draw(st.sampled_from(['A', 'PATH', 'DEBIAN_FRONTEND', 'API_TOKEN']))}={_quote(value)}"
    if kind == "ARG":
        return f"{k('ARG')} {draw(st.sampled_from(['BASE', 'VERSION', 'PASSWORD', 'X']))}{draw(st.sampled_from(['', '=1', '=alpine:3.19']))}"
    if kind in ("CMD", "ENTRYPOINT"):
        if draw(st.booleans()):
            return f"{k(kind)} {_exec(draw, draw(st.lists(st.sampled_from(['python', 'app.py', '-c', 'é', '--port=80', 'sh']), min_size=1, max_size=4)))}"
        return f"{k(kind)} {draw(st.sampled_from(COMMANDS))}"
    if kind == "EXPOSE":
        return f"{k('EXPOSE')} {draw(st.sampled_from(['80', '8080/tcp', '22', '443 53/udp']))}"
    if kind == "LABEL":
        label = _quote(draw(WORDS).replace(chr(92), ""))
        return k("LABEL") + f" a={label} b=" + '"multi ' + esc + newline + '  line"'
    if kind == "HEALTHCHECK":
        return f"{k('HEALTHCHECK')} {draw(st.sampled_from(HEALTHCHECKS))}"
    if kind == "SHELL":
        return f"{k('SHELL')} {draw(st.sampled_from(SHELLS))}"
    if kind == "ONBUILD" and depth == 0:
        inner = draw(instruction(esc, newline, stages, depth=1))
        if inner.lstrip().startswith("#") or "<<" in inner or inner.split()[0].upper() in ("ONBUILD", "FROM", "MAINTAINER"):
            inner = "RUN true"
        return f"{k('ONBUILD')} {inner}"
    if kind == "VOLUME":
        return k("VOLUME") + " " + draw(st.sampled_from(VOLUMES))
    if kind == "STOPSIGNAL":
        return f"{k('STOPSIGNAL')} SIGTERM"
    if kind == "CORPUS" and esc == "\\" and depth == 0:
        text = draw(st.sampled_from(CORPUS_INSTRUCTIONS))
        return text.replace("\n", newline)
    return "# " + draw(WORDS).replace("\\", "").replace("\r", "")


def _quote(value: str) -> str:
    if not value or any(c in value for c in " \"'$\u00a0"):
        return '"' + value.replace('"', '\\"').replace("$", "\\$") + '"'
    return value


@st.composite
def dockerfiles(draw) -> str:
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    esc = draw(st.sampled_from(["\\", "\\", "`"]))
    head = []
    if draw(st.booleans()):
        head.append("# syntax=docker/dockerfile:1")
    if esc == "`":
        head.append("# escape=`")
    elif rarely(draw, 4):
        head.append("# escape=\\")
    lines = list(head)
    if draw(st.booleans()):
        lines.append(f"ARG BASE={draw(st.sampled_from(IMAGES[:6]))}")
    stages: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        flags = _flags(draw, "FROM")
        image = draw(st.sampled_from(IMAGES + stages))
        alias = draw(st.sampled_from(["", f" AS s{index}", f" as build{index}"]))
        lines.append(f"{_keyword(draw, 'FROM')} {flags}{image}{alias}")
        if alias:
            stages.append(alias.split()[-1])
        for _ in range(draw(st.integers(0, 6))):
            lines.append(draw(instruction(esc, newline, stages)))
            if rarely(draw, 8):
                lines.append(draw(st.sampled_from(["", "   ", "# note ✓", "\t"])))
    text = newline.join(lines)
    if not rarely(draw, 5):
        text += newline
    if rarely(draw, 8):
        text += ("" if text.endswith(newline) else newline) + "RUN echo " + "x" * draw(st.integers(1000, 70000)) + newline  # long lines, past BuildKit's limit too
    if rarely(draw, 6):
        text = "\ufeff" + text
    return text


def _corpus_instructions() -> list[str]:
    if not HAVE_CORPUS:
        return []
    out = []
    for path in real_files():
        try:
            df = parse(SourceFile.read(path))
        except Exception:
            continue
        if df.error is not None or df.escape != "\\":
            continue
        for ins in df.instructions:
            if ins.name != "FROM":
                out.append(df.text[ins.start : ins.content_end])
    return sorted(set(out))


CORPUS_INSTRUCTIONS = _corpus_instructions()
CORPUS_FILES = [] if not HAVE_CORPUS else sorted(p.read_text(encoding="utf-8", errors="replace") for p in real_files())
# what breaks readers, spliced into generated or corpus files at random places
HOSTILE = ["\\", "\\\n", "\r\n", "\r", '"', "'", "`", "$(", ")", "${", "}", "<<EOF\n", "\nEOF\n", "#", "\n# c\n",
           "\t", "\u00a0", "\u2028", "&&", "|", ";", "\n", "\nRUN ", "\nONBUILD ", " --mount=type=cache,target=/x ",
           "[", "]", '["a", "b"]', "\ufeff", "é", "\x1c"]


@st.composite
def mutated(draw, base) -> str:
    """A generated or corpus file with a few hostile fragments spliced in."""
    text = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(HOSTILE)) + text[at + cut :]
    return text


def any_dockerfile():
    sources = [dockerfiles(), mutated(dockerfiles())]
    if CORPUS_FILES:
        sources += [st.sampled_from(CORPUS_FILES), mutated(st.sampled_from(CORPUS_FILES))]
    return st.one_of(*sources)


# -- the judges ------------------------------------------------------------------


def buildkit_accepts(text: str) -> bool:
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def dash_ok(script: str) -> bool:
    proc = subprocess.run([DASH, "-n"], input=script.encode(), capture_output=True, timeout=10)
    return proc.returncode == 0


def run_scripts(text: str) -> list[str]:
    """The shell text of each shell-form RUN (ONBUILD RUN too) that dash can judge alone."""
    df = parse(SourceFile.from_text(text))
    if df.error is not None:
        return []
    out = []
    for ins in df.instructions:
        body = ins.sub if ins.name == "ONBUILD" and ins.sub is not None else ins
        if body.name != "RUN" or body.json:
            continue
        if body.heredocs:
            if body.args.lstrip().startswith("<<") and len(body.heredocs) == 1 and body.args.strip().count("<<") == 1:
                out.append(body.heredocs[0].content)
            continue
        out.append(body.args)
    return out


def failing_runs(text: str) -> int:
    return sum(1 for script in run_scripts(text) if not dash_ok(script))


class RecordedFix:
    """``fix_source`` with every splice it made recorded: (text before, edits, text after)."""

    def __init__(self, monkeypatch):
        self.splices: dict[str, tuple[str, list]] = {}
        real = fixer.apply_edits

        def recording(text, edits):
            out = real(text, edits)
            self.splices.setdefault(out, (text, list(edits)))
            return out

        monkeypatch.setattr(fixer, "apply_edits", recording)

    def run(self, text: str, unsafe: bool):
        self.splices.clear()
        return fixer.fix_source(SourceFile.from_text(text), Config(), unsafe=unsafe)


def _splice(text: str, edits) -> str:
    """The edits applied by hand: everything outside them is the original text."""
    out, cursor = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        assert cursor <= edit.start <= edit.end <= len(text), "edits overlap or leave the text"
        out += (text[cursor : edit.start], edit.content)
        cursor = edit.end
    return "".join(out) + text[cursor:]


def assert_changes_only_named_edits(original: str, result, splices) -> None:
    """Walk back from the output to the input: each step splices only applied findings' edits."""
    applied = {id(e) for f in result.applied for e in f.fix.edits}
    text, steps = result.source.text, 0
    while text != original:
        assert text in splices, "the output was not made by splicing edits"
        before, edits = splices[text]
        assert all(id(e) in applied for e in edits), "an edit of a finding that was not reported as applied"
        assert _splice(before, edits) == text
        text, steps = before, steps + 1
        assert steps <= fixer.MAX_PASSES * 8
    assert result.applied or result.source.text == original


# -- regressions found by the properties ----------------------------------------

REGRESSIONS: list[str] = [
    # (cases hypothesis found are added here, each with a note)
]


def _with_regressions(test):
    for case in REGRESSIONS:
        test = example(case)(test)
    return test


# -- the properties --------------------------------------------------------------


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_fix_keeps_buildkit_and_dash_happy_is_idempotent_and_only_splices_edits(unsafe, monkeypatch):
    recorder = RecordedFix(monkeypatch)

    @settings(settings.get_profile(PROFILE))
    @given(any_dockerfile())
    @_with_regressions
    def check(text: str):
        result = recorder.run(text, unsafe)
        splices = dict(recorder.splices)
        original = SourceFile.from_text(text).text  # without its BOM, as the fixer sees it
        out = result.source.text
        if buildkit_accepts(text):
            assert buildkit_accepts(result.source.to_bytes().decode()), "fix broke a file BuildKit accepted"
        if DASH and out != original:
            assert failing_runs(out) <= failing_runs(original), "fix broke a RUN that passed dash -n"
        again = recorder.run(out, unsafe)
        assert again.source.text == out, "fix is not idempotent"
        assert_changes_only_named_edits(original, result, splices)
        assert result.source.bom == SourceFile.from_text(text).bom

    check()


@settings(settings.get_profile(PROFILE))
@given(any_dockerfile())
@_with_regressions
def test_check_parse_and_harden_never_raise(text):
    source = SourceFile.from_text(text)
    df = parse(source)
    assert "".join(df.text[i.trivia_start : i.end] for i in df.instructions) + df.text[df.tail :] == df.text or df.error
    lint(df, Config())
    from hardener.rewrite import harden

    harden(source)


@settings(settings.get_profile(PROFILE))
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_reading_any_bytes_is_a_source_error_or_a_file(data):
    from hardener.source import SourceError

    try:
        source = SourceFile.from_bytes(data)
    except SourceError as exc:
        assert "\n" not in str(exc)
        return
    assert source.to_bytes() == data
    lint(parse(source), Config())
