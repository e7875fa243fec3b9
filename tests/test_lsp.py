"""The language server, driven over stdio like an editor drives it (pytest-lsp).

Every test starts the real ``python -m hardener lsp`` subprocess. Expected
diagnostics are derived from the in-process linter where the rule set may grow
(other rules land concurrently), and spelled out where the exact value is the
point (ranges, UTF-16 columns, BOM, CRLF, pins).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from hardener.config import load_config
from hardener.findings import Applicability
from hardener.fixer import apply_edits, fix_source
from hardener.lint import lint
from hardener.lsp.positions import LineIndex, code_units
from hardener.parse import parse
from hardener.source import SourceFile

SERVER = [sys.executable, "-m", "hardener", "lsp"]
DIGEST = "sha256:" + "cd" * 32
NODE_PIN = f"node:22.11.0-bookworm-slim@{DIGEST}"
TIMEOUT = 20


# -- the client --------------------------------------------------------------------------


def _published(client: LanguageClient, params: lsp.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]


def _register(client: LanguageClient, params: lsp.RegistrationParams):
    client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also recording every publishDiagnostics (with its version) and registration."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _published
    features[lsp.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


async def _start(client: LanguageClient, root: Path, capabilities: lsp.ClientCapabilities, options=None):
    client.init_result = await client.initialize_session(  # type: ignore[attr-defined]
        lsp.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=options if options is not None else {"debounce": 0},
        )
    )


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path):
    await _start(lsp_client, tmp_path, client_capabilities("visual-studio-code"))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def debounced_client(lsp_client: LanguageClient, tmp_path):
    await _start(lsp_client, tmp_path, client_capabilities("visual-studio-code"), options={"dhard": {"debounce": 1000}})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def utf8_client(lsp_client: LanguageClient, tmp_path):
    caps = client_capabilities("neovim")
    caps.general = lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf8, lsp.PositionEncodingKind.Utf16])
    await _start(lsp_client, tmp_path, caps)
    yield
    await lsp_client.shutdown_session()


# -- helpers -----------------------------------------------------------------------------


async def _until(predicate, what: str):
    async def poll():
        while True:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.005)

    try:
        return await asyncio.wait_for(poll(), TIMEOUT)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def published(client, uri: str, version: int | None = None, after: int = 0) -> lsp.PublishDiagnosticsParams:
    def find():
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params
        return None

    return await _until(find, f"diagnostics for {uri} (version {version})")


async def open_doc(client, path: Path, text: str, version: int = 1) -> list[lsp.Diagnostic]:
    after = len(client.published)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=path.as_uri(), language_id="dockerfile", version=version, text=text)
        )
    )
    return list((await published(client, path.as_uri(), version, after)).diagnostics)


async def change_doc(client, path: Path, version: int, *changes) -> list[lsp.Diagnostic]:
    after = len(client.published)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=list(changes),
        )
    )
    return list((await published(client, path.as_uri(), version, after)).diagnostics)


def full(text: str):
    return lsp.TextDocumentContentChangeWholeDocument(text=text)


def partial(l1: int, c1: int, l2: int, c2: int, text: str):
    return lsp.TextDocumentContentChangePartial(range=rng(l1, c1, l2, c2), text=text)


def rng(l1: int, c1: int, l2: int, c2: int) -> lsp.Range:
    return lsp.Range(start=lsp.Position(line=l1, character=c1), end=lsp.Position(line=l2, character=c2))


def as_tuple(r: lsp.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


async def actions(client, path: Path, r: lsp.Range, only=None) -> list[lsp.CodeAction]:
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
            range=r,
            context=lsp.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [a for a in (result or []) if isinstance(a, lsp.CodeAction)]


def edits_of(action: lsp.CodeAction, uri: str) -> list[lsp.TextEdit]:
    """The text edits a WorkspaceEdit makes to ``uri`` (documentChanges or changes)."""
    edit = action.edit
    assert edit is not None
    out = []
    for change in edit.document_changes or []:
        assert isinstance(change, lsp.TextDocumentEdit)
        if change.text_document.uri == uri:
            out.extend(change.edits)
    out.extend((edit.changes or {}).get(uri, []))
    return out


def _lsp_offset(text: str, position: lsp.Position, utf8: bool = False) -> int:
    """An independent LSP position -> code point offset (lines at \\n, \\r\\n, \\r)."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)(?<!\r\n)|(?<=\r)(?!\n)", text)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    content = line.rstrip("\r\n")
    units = 0
    for i, ch in enumerate(content):
        if units >= position.character:
            return start + i
        units += len(ch.encode("utf-8")) if utf8 else len(ch.encode("utf-16-le")) // 2
    return start + len(content)


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    spans = sorted(((_lsp_offset(text, e.range.start), _lsp_offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def expected_diagnostics(path: Path, text: str):
    """(code, range, severity) the in-process linter gives, for ASCII text without BOM."""
    severity = {"error": 1, "warning": 2, "info": 3, "style": 4}
    findings = lint(parse(SourceFile.from_text(text, str(path))), load_config(str(path)))
    return sorted(
        (f.code, (f.line - 1, f.column - 1, f.end_line - 1, f.end_column - 1), severity[f.severity.label]) for f in findings
    )


def got_diagnostics(diagnostics):
    return sorted((d.code, as_tuple(d.range), int(d.severity)) for d in diagnostics)


def write_pins(directory: Path, *, unsafe: bool, select: str | None = "DH4") -> None:
    lines = [f"pins:\n  node:latest: {NODE_PIN}\n"]
    if unsafe:
        lines.append("unsafe-fixes: true\n")
    if select:
        lines.append(f"select: [{select}]\n")
    (directory / ".dhard.yaml").write_text("".join(lines), encoding="utf-8")


# -- initialize --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_capabilities_and_config_file_watchers(client: LanguageClient):
    caps = client.init_result.capabilities
    assert caps.position_encoding == lsp.PositionEncodingKind.Utf16
    assert caps.hover_provider
    assert isinstance(caps.code_action_provider, lsp.CodeActionOptions)
    assert "source.fixAll.dhard" in caps.code_action_provider.code_action_kinds
    assert lsp.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    sync = caps.text_document_sync
    assert sync.change == lsp.TextDocumentSyncKind.Incremental and sync.open_close and sync.save
    assert client.init_result.server_info.name == "dhard"
    registrations = await _until(lambda: client.registrations, "the config file watchers")
    (registration,) = registrations
    assert registration.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = {w["globPattern"] for w in registration.register_options["watchers"]}
    assert globs == {"**/.dhard.yaml", "**/.dhard.yml", "**/pyproject.toml"}


# -- diagnostics -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_diagnostics_on_open(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    text = "FROM node:latest\n  FROM   ubuntu AS base\nCMD [\"node\"]\n"
    diagnostics = await open_doc(client, path, text)
    assert got_diagnostics(diagnostics) == expected_diagnostics(path, text)
    by_code = {d.code: d for d in diagnostics if d.range.start.line == 0}
    latest = by_code["DH402"]
    assert as_tuple(latest.range) == (0, 5, 0, 16)
    assert latest.severity == lsp.DiagnosticSeverity.Warning
    assert latest.source == "dhard"
    assert latest.code_description.href.endswith("/DH402")
    assert "latest" in latest.message
    assert latest.data == {"name": "latest-tag", "fix": None}
    assert by_code["DH404"].severity == lsp.DiagnosticSeverity.Information
    untagged = next(d for d in diagnostics if d.code == "DH401")
    assert as_tuple(untagged.range) == (1, 9, 1, 15)


@pytest.mark.asyncio
async def test_fix_data_on_diagnostics(client: LanguageClient, tmp_path):
    write_pins(tmp_path, unsafe=False)
    path = tmp_path / "Dockerfile"
    diagnostics = await open_doc(client, path, "FROM node:latest\n")
    latest = next(d for d in diagnostics if d.code == "DH402")
    fix = latest.data["fix"]
    assert fix["applicability"] == "unsafe"
    assert fix["title"] == f"Pin node:latest to {NODE_PIN}"
    assert fix["edits"] == [
        {"range": {"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 16}}, "newText": NODE_PIN}
    ]


@pytest.mark.asyncio
async def test_utf16_columns_and_bom(client: LanguageClient, tmp_path):
    # U+1F600 takes two UTF-16 code units: every column after it moves by one
    path = tmp_path / "a.Dockerfile"
    diagnostics = await open_doc(client, path, "FROM scratch\nCOPY --chown=😀 --from=node:latest /a /b\n")
    latest = next(d for d in diagnostics if d.code == "DH402")
    assert as_tuple(latest.range) == (1, 23, 1, 34)
    # a BOM is one character of the editor's text; dhard's offsets skip it
    bom = tmp_path / "b.Dockerfile"
    diagnostics = await open_doc(client, bom, "\ufeffFROM node:latest\n")
    latest = next(d for d in diagnostics if d.code == "DH402")
    assert as_tuple(latest.range) == (0, 6, 0, 17)


@pytest.mark.asyncio
async def test_utf8_position_encoding_when_the_client_prefers_it(utf8_client: LanguageClient, tmp_path):
    assert utf8_client.init_result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf8
    path = tmp_path / "Dockerfile"
    diagnostics = await open_doc(utf8_client, path, "FROM scratch\nCOPY --chown=😀 --from=node:latest /a /b\n")
    latest = next(d for d in diagnostics if d.code == "DH402")
    assert as_tuple(latest.range) == (1, 25, 1, 36)  # the emoji is 4 UTF-8 bytes
    diagnostics = await change_doc(utf8_client, path, 2, partial(1, 30, 1, 36, "22"))  # "latest" -> "22"
    assert any(d.code == "DH403" and as_tuple(d.range) == (1, 25, 1, 32) for d in diagnostics)


@pytest.mark.asyncio
async def test_parse_error_is_a_diagnostic_and_the_server_keeps_serving(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    text = "FROM alpine:3.20\nRUN echo 😀 <<EOF\n"
    diagnostics = await open_doc(client, path, text)
    (error,) = diagnostics
    assert error.code == "DH900" and error.severity == lsp.DiagnosticSeverity.Error
    df = parse(SourceFile.from_text(text))
    assert df.error is not None and df.error.line == 2
    assert as_tuple(error.range) == (1, 0, 1, code_units("RUN echo 😀 <<EOF")) == (1, 0, 1, 17)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=lsp.Position(line=1, character=2))
    )
    assert "DH900" in hover.contents.value
    assert await actions(client, path, rng(0, 0, 2, 0), only=["source.fixAll"]) == []
    fixed = "FROM alpine:3.20\nRUN <<EOF\necho 😀\nEOF\n"
    diagnostics = await change_doc(client, path, 2, full(fixed))
    assert all(d.code != "DH900" for d in diagnostics)


@pytest.mark.asyncio
async def test_incremental_changes_relint(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    text = "FROM alpine:3.20.3@" + DIGEST + "\nRUN true\n"
    assert got_diagnostics(await open_doc(client, path, text)) == expected_diagnostics(path, text)
    # replace the whole reference on line 0 with node:latest
    end = len(text.splitlines()[0])
    diagnostics = await change_doc(client, path, 2, partial(0, 5, 0, end, "node:latest"))
    text = "FROM node:latest\nRUN true\n"
    assert got_diagnostics(diagnostics) == expected_diagnostics(path, text)
    assert any(d.code == "DH402" and as_tuple(d.range) == (0, 5, 0, 16) for d in diagnostics)
    # two changes in one notification, applied in order
    diagnostics = await change_doc(client, path, 3, partial(0, 10, 0, 16, "22"), partial(2, 0, 2, 0, "FROM ubuntu\n"))
    text = "FROM node:22\nRUN true\nFROM ubuntu\n"
    assert got_diagnostics(diagnostics) == expected_diagnostics(path, text)


@pytest.mark.asyncio
async def test_line_breaks_are_the_lsp_ones(client: LanguageClient, tmp_path):
    # form feed and U+2028 are not LSP line breaks (str.splitlines thinks they are)
    path = tmp_path / "Dockerfile"
    text = "# a\u2028b\x0c\nFROM node:latest\n"
    diagnostics = await open_doc(client, path, text)
    assert any(d.code == "DH402" and as_tuple(d.range) == (1, 5, 1, 16) for d in diagnostics)
    diagnostics = await change_doc(client, path, 2, partial(1, 10, 1, 16, "22"))
    assert any(d.code == "DH403" and as_tuple(d.range) == (1, 5, 1, 12) for d in diagnostics)


@pytest.mark.asyncio
async def test_changes_are_debounced_and_save_lints_at_once(debounced_client: LanguageClient, tmp_path):
    client = debounced_client
    path = tmp_path / "Dockerfile"
    await open_doc(client, path, "FROM scratch\n")
    after = len(client.published)
    for version, image in ((2, "ubuntu"), (3, "node:latest"), (4, "node:22")):
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
                content_changes=[full(f"FROM {image}\n")],
            )
        )
    last = await published(client, path.as_uri(), 4, after)
    assert [p.version for p in client.published[after:]] == [4]  # one lint for the burst
    assert got_diagnostics(last.diagnostics) == expected_diagnostics(path, "FROM node:22\n")
    # a save publishes without waiting for the debounce
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=5),
            content_changes=[full("FROM node:latest\n")],
        )
    )
    after = len(client.published)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri())))
    saved = await published(client, path.as_uri(), 5, after)
    assert any(d.code == "DH402" for d in saved.diagnostics)


# -- config --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_config_file_change_relints(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    diagnostics = await open_doc(client, path, "FROM node:latest\n")
    assert any(d.code == "DH402" for d in diagnostics)
    config = tmp_path / ".dhard.yaml"
    config.write_text("ignore: [DH402]\n", encoding="utf-8")
    after = len(client.published)
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Created)])
    )
    diagnostics = (await published(client, path.as_uri(), after=after)).diagnostics
    assert not any(d.code == "DH402" for d in diagnostics)
    assert any(d.code == "DH404" for d in diagnostics)
    # settings changes also clear the cache and re-lint
    config.write_text("ignore: [DH404]\n", encoding="utf-8")
    after = len(client.published)
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"dhard": {"debounce": 0}}))
    diagnostics = (await published(client, path.as_uri(), after=after)).diagnostics
    assert any(d.code == "DH402" for d in diagnostics)
    assert not any(d.code == "DH404" for d in diagnostics)


@pytest.mark.asyncio
async def test_bad_config_is_reported_and_defaults_apply(client: LanguageClient, tmp_path):
    (tmp_path / ".dhard.yaml").write_text("no-such-option: 1\n", encoding="utf-8")
    path = tmp_path / "Dockerfile"
    diagnostics = await open_doc(client, path, "FROM node:latest\n")
    assert any(d.code == "DH402" for d in diagnostics)
    message = await _until(lambda: client.messages, "a showMessage about the config")
    assert "no-such-option" in message[0].message


# -- code actions ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_fix_all_applies_what_dhard_fix_would(client: LanguageClient, tmp_path):
    write_pins(tmp_path, unsafe=True)  # the config turns unsafe fixes on, as for `dhard fix`
    path = tmp_path / "Dockerfile"
    text = "# build\r\nFROM node:latest AS build\r\nRUN true\r\nFROM scratch\r\nCOPY --from=build /a /a\r\n"
    await open_doc(client, path, text)
    found = await actions(client, path, rng(0, 0, 0, 0), only=["source.fixAll"])
    (fix_all,) = found
    assert fix_all.kind == "source.fixAll.dhard"
    (edit,) = edits_of(fix_all, path.as_uri())
    assert as_tuple(edit.range) == (1, 0, 2, 0)  # only the changed line is replaced
    fixed = apply(text, [edit])
    assert fixed == text.replace("node:latest", NODE_PIN)
    assert fixed.encode() == fix_source(SourceFile.from_text(text, str(path)), load_config(str(path))).source.to_bytes()
    # after applying it, nothing is left to fix
    await change_doc(client, path, 2, full(fixed))
    assert await actions(client, path, rng(0, 0, 0, 0), only=["source.fixAll.dhard"]) == []


@pytest.mark.asyncio
async def test_fix_all_is_safe_only_by_default(client: LanguageClient, tmp_path):
    write_pins(tmp_path, unsafe=False, select=None)
    path = tmp_path / "Dockerfile"
    text = "FROM node:latest\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\nRUN apk add curl\n"
    await open_doc(client, path, text)
    found = await actions(client, path, rng(0, 0, 0, 0), only=["source.fixAll.dhard"])
    expected = fix_source(SourceFile.from_text(text, str(path)), load_config(str(path))).source.text
    if expected == text:
        assert found == []
    else:
        (fix_all,) = found
        assert apply(text, edits_of(fix_all, path.as_uri())) == expected
    assert NODE_PIN not in expected  # the unsafe pin is not applied


@pytest.mark.asyncio
async def test_quick_fixes_follow_the_findings(client: LanguageClient, tmp_path):
    """Every fixable finding under the cursor is offered; unsafe ones say so; display-only and unproven ones are not."""
    write_pins(tmp_path, unsafe=False, select=None)
    path = tmp_path / "Dockerfile"
    text = "FROM node:latest\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\nADD https://example.com/x.tgz /x\n"
    await open_doc(client, path, text)
    source = SourceFile.from_text(text, str(path))
    findings = lint(parse(source), load_config(str(path)))
    for number, line in enumerate(text.splitlines()):
        offered = await actions(client, path, rng(number, 0, number, len(line)), only=[lsp.CodeActionKind.QuickFix])
        titles = [a.title for a in offered if not a.title.startswith("Ignore ")]
        line_start = source.lines[number].start
        line_end = source.lines[number].end
        expected = []
        for f in findings:
            touches = f.start <= line_end and max(f.end, f.start) >= line_start
            if touches and f.fix and f.fix.edits and f.fix.applicability in (Applicability.SAFE, Applicability.UNSAFE):
                expected.append(("(unsafe) " if f.fix.applicability is Applicability.UNSAFE else "") + f.fix.title)
        assert sorted(titles) == sorted(expected), f"line {number + 1}"
        for action in offered:
            assert action.kind == lsp.CodeActionKind.QuickFix
            assert action.diagnostics and action.diagnostics[0].source == "dhard"
            if not action.title.startswith("Ignore "):
                assert action.is_preferred == (not action.title.startswith("(unsafe) "))
    # the pin (unsafe) fix, applied; asked for the way Neovim asks: the cursor, plus the line's diagnostics
    diagnostics = [d for d in client.diagnostics[path.as_uri()] if d.code == "DH402"]
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
            range=rng(0, 0, 0, 0),
            context=lsp.CodeActionContext(diagnostics=diagnostics),
        )
    )
    (pin,) = [a for a in result if a.title.startswith("(unsafe) Pin")]
    assert pin.title == f"(unsafe) Pin node:latest to {NODE_PIN}"
    assert not pin.is_preferred
    fixed = apply(text, edits_of(pin, path.as_uri()))
    assert fixed.splitlines()[0] == f"FROM {NODE_PIN}"
    assert fixed.splitlines()[1:] == text.splitlines()[1:]


@pytest.mark.asyncio
async def test_safe_quick_fix_applies_the_rules_edit(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    text = "FROM debian:12.7\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\nRUN apk add curl\n"
    await open_doc(client, path, text)
    source = SourceFile.from_text(text, str(path))
    safe = [f for f in lint(parse(source), load_config(str(path))) if f.fix and f.fix.edits and f.fix.applicability is Applicability.SAFE]
    assert safe, "no rule offers a safe fix on apt/pip/apk leftovers"
    for finding in safe:
        r = rng(finding.line - 1, finding.column - 1, finding.end_line - 1, finding.end_column - 1)
        (action,) = [a for a in await actions(client, path, r, only=[lsp.CodeActionKind.QuickFix]) if a.title == finding.fix.title]
        assert action.is_preferred
        assert action.diagnostics[0].code == finding.code
        assert apply(text, edits_of(action, path.as_uri())) == apply_edits(text, list(finding.fix.edits))


@pytest.mark.asyncio
async def test_ignore_action_inserts_and_extends_a_pragma(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    text = "FROM scratch\r\n\tCOPY --from=node:latest /a /b\r\n"
    await open_doc(client, path, text)
    found = await actions(client, path, rng(1, 15, 1, 15), only=[lsp.CodeActionKind.QuickFix])
    ignore = next(a for a in found if a.title == "Ignore DH402 for this instruction")
    (edit,) = edits_of(ignore, path.as_uri())
    assert as_tuple(edit.range) == (1, 0, 1, 0)
    assert edit.new_text == "\t# dhard: ignore=DH402\r\n"  # the instruction's indent and the file's EOL
    text = apply(text, [edit])
    diagnostics = await change_doc(client, path, 2, full(text))
    assert not any(d.code == "DH402" for d in diagnostics)
    assert any(d.code == "DH404" for d in diagnostics)
    # a second code joins the pragma already there
    found = await actions(client, path, rng(2, 15, 2, 15), only=[lsp.CodeActionKind.QuickFix])
    ignore = next(a for a in found if a.title == "Ignore DH404 for this instruction")
    text = apply(text, edits_of(ignore, path.as_uri()))
    assert text == "FROM scratch\r\n\t# dhard: ignore=DH402,DH404\r\n\tCOPY --from=node:latest /a /b\r\n"
    diagnostics = await change_doc(client, path, 3, full(text))
    assert not any(d.code in ("DH402", "DH404", "DH902") for d in diagnostics)


# -- hover --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hover_shows_the_rule_docs(client: LanguageClient, tmp_path):
    path = tmp_path / "Dockerfile"
    await open_doc(client, path, "FROM node:latest\nRUN true\n")
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=lsp.Position(line=0, character=9))
    )
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    value = hover.contents.value
    assert "**DH402**" in value and "latest-tag" in value
    assert "## Why is this bad?" in value and "DL3007" in value
    assert "DH404" in value  # both findings on the reference
    assert as_tuple(hover.range) == (0, 5, 0, 16)
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=lsp.Position(line=1, character=1))
    )
    assert nothing is None


# -- robustness -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_odd_requests_do_not_crash_the_server(client: LanguageClient, tmp_path):
    unknown = tmp_path / "never-opened"
    assert await actions(client, unknown, rng(0, 0, 0, 0)) == []
    assert (
        await client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=unknown.as_uri()), position=lsp.Position(line=0, character=0))
        )
        is None
    )
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=unknown.as_uri(), version=9),
            content_changes=[partial(5, 0, 6, 0, "x")],
        )
    )
    path = tmp_path / "Dockerfile"
    await open_doc(client, path, "FROM node:latest\n")
    # ranges far outside the text are clamped, as LSP says
    await change_doc(client, path, 2, partial(40, 3, 99, 99, "RUN true\n"))
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=lsp.Position(line=500, character=500))
    )
    assert hover is None  # clamped to the empty last line, where nothing is flagged
    await actions(client, path, rng(500, 0, 400, 0))
    # binary-ish and unusual text
    for version, text in enumerate(["\x00\x01FROM", "FROM \\\n", "ONBUILD ONBUILD RUN x\n", "\r\r\n\rFROM a\r", "# escape=`\nFROM a `\n"], start=3):
        await change_doc(client, path, version, full(text))
        await actions(client, path, rng(0, 0, 3, 0))
    diagnostics = await change_doc(client, path, 20, full("FROM node:latest\n"))
    assert any(d.code == "DH402" for d in diagnostics)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri())))
    after = len(client.published)
    cleared = await published(client, path.as_uri(), after=after)
    assert len(cleared.diagnostics) == 0


# -- positions, without a server ------------------------------------------------------------------


def test_line_index_round_trips_utf16_and_utf8():
    text = "a😀b\r\nß\rc\n\u2028x"
    for encoding in ("utf-16", "utf-8", "utf-32"):
        index = LineIndex(text, encoding)
        assert index.line_count == 4
        for offset in range(len(text) + 1):
            line, character = index.position(offset)
            back = index.offset(line, character)
            assert back == offset or text[back : offset] in ("\r", "\n", "\r\n") or (text[back:offset] == "\r" and offset < len(text))
    index = LineIndex(text, "utf-16")
    assert index.position(2) == (0, 3)  # after the emoji
    assert index.offset(0, 2) == 1  # inside the surrogate pair: before the emoji
    assert index.position(len(text)) == (3, 2)
    assert index.offset(99, 0) == len(text)
    assert index.offset(0, 99) == 3
