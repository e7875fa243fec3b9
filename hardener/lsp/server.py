"""The dhard language server on pygls: diagnostics, quick fixes, fix-all, hover.

- Diagnostics are pushed on open, on save and, debounced, on change
  (``debounce`` in milliseconds, from ``initializationOptions`` or the
  ``dhard`` settings section; 0 lints on every change at once).
- Code actions: each finding's fix (``(unsafe) `` in front of unsafe titles,
  display-only fixes are not offered), "Ignore DHnnn for this instruction",
  and ``source.fixAll.dhard``: what ``dhard fix`` would do with the document's
  config, as one edit of the changed lines.
- Hover over a finding shows its rule's docs.
- Config: a change of settings, or of a ``.dhard.yaml`` / ``pyproject.toml``
  the client watches, clears the config cache and re-lints open documents.

Every handler is guarded: an exception is logged (stderr and window/logMessage)
and the request answers nothing; the server keeps serving.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import traceback
from typing import Any, Callable

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..catalogue import catalogue
from ..config import CONFIG_NAMES, Config, ConfigError, load_config
from ..findings import Applicability, Finding, Severity
from .analysis import Analysis, analyse, fix_all_text, ignore_edit, minimal_edit
from .documents import Document
from .positions import UTF8, UTF16, UTF32

logger = logging.getLogger("hardener.lsp")

NAME = "dhard"
DOCS_URL = "https://dhard.invalid/rules/{code}"  # the same rule link `dhard check --format sarif` gives
FIX_ALL = "source.fixAll.dhard"
DEFAULT_DEBOUNCE_MS = 150
CONFIG_FILES = (*CONFIG_NAMES, "pyproject.toml")

SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.STYLE: lsp.DiagnosticSeverity.Hint,
}
_ENCODINGS = {
    lsp.PositionEncodingKind.Utf8: UTF8,
    lsp.PositionEncodingKind.Utf16: UTF16,
    lsp.PositionEncodingKind.Utf32: UTF32,
}


class DhardProtocol(LanguageServerProtocol):
    """pygls' protocol, minus its own copy of open documents.

    pygls' workspace splits lines with ``str.splitlines``, which also breaks at
    form feeds, U+2028 and others that are not LSP line breaks, so its copy of
    a document can drift from the editor's. dhard keeps its own (``Document``)
    and only forwards these notifications to the handlers below.
    """

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class DhardServer(LanguageServer):
    def __init__(self, debounce_ms: int | None = None):
        super().__init__(NAME, __version__, protocol_cls=DhardProtocol)
        self.documents: dict[str, Document] = {}
        self.debounce_ms = DEFAULT_DEBOUNCE_MS if debounce_ms is None else debounce_ms
        self._debounce_forced = debounce_ms is not None  # from the command line: settings do not override it
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._reported_config_errors: set[str] = set()
        self._reported_crashes: set[tuple[str, str]] = set()
        self.root_path: str | None = None

    # -- settings ----------------------------------------------------------------

    def apply_settings(self, settings: Any) -> None:
        if not isinstance(settings, dict):
            return
        if isinstance(settings.get(NAME), dict):
            settings = settings[NAME]
        value = settings.get("debounce")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 and not self._debounce_forced:
            self.debounce_ms = value

    @property
    def encoding(self) -> str:
        try:
            kind = self.server_capabilities.position_encoding
        except Exception:  # before initialize
            return UTF16
        return _ENCODINGS.get(kind, UTF16)

    # -- analysis ----------------------------------------------------------------

    def config_for(self, doc: Document) -> Config:
        path = doc.path
        try:
            if path is not None:
                return load_config(path)
            if self.root_path:
                return load_config(os.path.join(self.root_path, "Dockerfile"))
            return Config()
        except ConfigError as exc:
            message = f"dhard: {exc}; using the default settings"
            if message not in self._reported_config_errors:
                self._reported_config_errors.add(message)
                self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=message))
            logger.warning("%s", message)
            return Config()

    def analysis(self, doc: Document) -> Analysis:
        current = doc.analysis
        if isinstance(current, Analysis) and current.text is doc.text and current.encoding == self.encoding:
            return current
        result = analyse(doc.text, doc.path or doc.uri, self.config_for(doc), self.encoding)
        for code, trace in result.crashed:
            if (code, trace) in self._reported_crashes:  # once, not on every keystroke
                continue
            self._reported_crashes.add((code, trace))
            logger.error("dhard: rule %s failed on %s:\n%s", code, doc.uri, trace)
            self.window_log_message(
                lsp.LogMessageParams(type=lsp.MessageType.Error, message=f"dhard: rule {code} failed on {doc.uri}; its findings are missing:\n{trace}")
            )
        doc.analysis = result
        return result

    def publish(self, uri: str) -> None:
        self.cancel_pending(uri)
        doc = self.documents.get(uri)
        if doc is None:
            return
        try:
            result = self.analysis(doc)
        except Exception as exc:  # a bug in a rule: say so, keep serving
            self.report_crash(f"linting {uri}", exc)
            return
        diagnostics = [diagnostic(result, f, uri) for f in result.findings]
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=doc.version)
        )

    def schedule(self, uri: str) -> None:
        self.cancel_pending(uri)
        if self.debounce_ms <= 0:
            self.publish(uri)
            return
        loop = asyncio.get_running_loop()
        self._timers[uri] = loop.call_later(self.debounce_ms / 1000, self._fire, uri)

    def _fire(self, uri: str) -> None:
        self._timers.pop(uri, None)
        try:
            self.publish(uri)
        except Exception as exc:
            self.report_crash(f"linting {uri}", exc)

    def cancel_pending(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def relint_all(self) -> None:
        from ..config import _config_for_dir

        _config_for_dir.cache_clear()
        self._reported_config_errors.clear()
        for doc in self.documents.values():
            doc.analysis = None
        for uri in list(self.documents):
            self.publish(uri)

    def report_crash(self, where: str, exc: BaseException) -> None:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        logger.error("dhard: error while %s:\n%s", where, text)
        try:
            self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error, message=f"dhard: error while {where}: {text}"))
        except Exception:
            pass


# -- conversions -------------------------------------------------------------------


def lsp_range(analysis: Analysis, start: int, end: int) -> lsp.Range:
    (l1, c1), (l2, c2) = analysis.span(start, end)
    return lsp.Range(start=lsp.Position(line=l1, character=c1), end=lsp.Position(line=l2, character=c2))


def text_edits(analysis: Analysis, edits) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(range=lsp_range(analysis, e.start, e.end), new_text=e.content) for e in edits]


def diagnostic(analysis: Analysis, finding: Finding, uri: str) -> lsp.Diagnostic:
    fix = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.title,
            "applicability": finding.fix.applicability.value,
            "edits": [
                {"range": _range_json(lsp_range(analysis, e.start, e.end)), "newText": e.content}
                for e in finding.fix.edits
            ],
        }
    return lsp.Diagnostic(
        range=lsp_range(analysis, finding.start, finding.end),
        message=finding.message,
        severity=SEVERITY.get(Severity(finding.severity), lsp.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=lsp.CodeDescription(href=DOCS_URL.format(code=finding.code)),
        source=NAME,
        data={"name": finding.name, "fix": fix},
    )


def _range_json(r: lsp.Range) -> dict:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def workspace_edit(server: DhardServer, doc: Document, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    caps = server.client_capabilities
    workspace = caps.workspace if caps else None
    we = workspace.workspace_edit if workspace else None
    if we is not None and we.document_changes:
        identifier = lsp.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version)
        return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=identifier, edits=edits)])
    return lsp.WorkspaceEdit(changes={doc.uri: edits})


def _wants(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def code_actions(server: DhardServer, doc: Document, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    analysis = server.analysis(doc)
    only = list(params.context.only) if params.context and params.context.only else None
    actions: list[lsp.CodeAction] = []
    if _wants(only, lsp.CodeActionKind.QuickFix):
        start = analysis.source_offset(params.range.start.line, params.range.start.character)
        end = analysis.source_offset(params.range.end.line, params.range.end.character)
        ignores: list[lsp.CodeAction] = []
        seen_ignores: set[tuple[str, int]] = set()
        for finding in _selected(analysis, start, max(start, end), params.context.diagnostics if params.context else None):
            diag = diagnostic(analysis, finding, doc.uri)
            fix = finding.fix
            if fix is not None and fix.edits and fix.applicability in (Applicability.SAFE, Applicability.UNSAFE):
                unsafe = fix.applicability is Applicability.UNSAFE
                actions.append(
                    lsp.CodeAction(
                        title=("(unsafe) " if unsafe else "") + fix.title,
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        is_preferred=not unsafe,
                        edit=workspace_edit(server, doc, text_edits(analysis, fix.edits)),
                    )
                )
            key = (finding.code, finding.instruction if finding.instruction is not None else -1)
            if key in seen_ignores:
                continue
            edit = ignore_edit(analysis, finding)
            if edit is not None:
                seen_ignores.add(key)
                ignores.append(
                    lsp.CodeAction(
                        title=f"Ignore {finding.code} for this instruction",
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=workspace_edit(server, doc, text_edits(analysis, [edit])),
                    )
                )
        actions.extend(ignores)
    if _wants(only, FIX_ALL):
        try:
            action = fix_all_action(server, doc, analysis)
        except Exception as exc:  # keep the quick fixes even when the fix loop fails
            server.report_crash(f"computing fix-all for {doc.uri}", exc)
            action = None
        if action is not None:
            actions.append(action)
    return actions


def _selected(analysis: Analysis, start: int, end: int, diagnostics) -> list[Finding]:
    """Findings the request is about: those touching its range, and those the client sent as context."""
    sent = set()
    for d in diagnostics or ():
        if d.source == NAME and isinstance(d.code, str):
            sent.add((d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character))
    touching = {id(f) for f in analysis.findings_between(start, end)}
    out = []
    for f in analysis.findings:
        if id(f) in touching:
            out.append(f)
        elif sent:
            (l1, c1), (l2, c2) = analysis.span(f.start, f.end)
            if (f.code, l1, c1, l2, c2) in sent:
                out.append(f)
    return out


def fix_all_action(server: DhardServer, doc: Document, analysis: Analysis) -> lsp.CodeAction | None:
    new_text = fix_all_text(analysis)
    if new_text is None:
        return None
    change = minimal_edit(doc.text, new_text)
    if change is None:
        return None
    start, end, content = change
    (l1, c1), (l2, c2) = analysis.index.position(start), analysis.index.position(end)
    edit = lsp.TextEdit(
        range=lsp.Range(start=lsp.Position(line=l1, character=c1), end=lsp.Position(line=l2, character=c2)),
        new_text=content,
    )
    return lsp.CodeAction(
        title="dhard: fix all auto-fixable problems",
        kind=FIX_ALL,
        edit=workspace_edit(server, doc, [edit]),
    )


def hover(server: DhardServer, doc: Document, position: lsp.Position) -> lsp.Hover | None:
    from ..cli.rules_cmd import render

    analysis = server.analysis(doc)
    at = analysis.source_offset(position.line, position.character)
    found = analysis.findings_between(at, at)
    if not found:
        return None
    found.sort(key=lambda f: (max(f.end, f.start) - f.start, f.start, f.code))  # the narrowest first
    cat = catalogue()
    parts = []
    for finding in found:
        head = f"**{finding.code}** `{finding.name}`: {finding.message}"
        if finding.fix is not None and finding.fix.edits:
            head += f"\n\nFix ({finding.fix.applicability.value}): {finding.fix.title}"
        info = cat.get(finding.code)
        parts.append(head + ("\n\n" + render(info) if info is not None else ""))
    first = found[0]
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=lsp_range(analysis, first.start, first.end),
    )


# -- wiring --------------------------------------------------------------------------


def _guarded(fn: Callable) -> Callable:
    """Run a handler; on any exception log it and answer None."""

    @functools.wraps(fn)
    def wrapper(ls: DhardServer, params):
        try:
            return fn(ls, params)
        except Exception as exc:
            ls.report_crash(f"handling {fn.__name__}", exc)
            return None

    return wrapper


def create_server(debounce_ms: int | None = None) -> DhardServer:
    server = DhardServer(debounce_ms)

    @server.feature(lsp.INITIALIZE)
    @_guarded
    def initialize(ls: DhardServer, params: lsp.InitializeParams):
        ls.apply_settings(params.initialization_options)
        if params.root_uri:
            from .documents import uri_to_path

            ls.root_path = uri_to_path(params.root_uri)
        elif params.root_path:
            ls.root_path = params.root_path

    @server.feature(lsp.INITIALIZED)
    @_guarded
    def initialized(ls: DhardServer, params):
        caps = ls.client_capabilities
        watched = caps.workspace.did_change_watched_files if caps and caps.workspace else None
        if watched is not None and watched.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]
            )
            ls.client_register_capability(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(id="dhard-config-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
                    ]
                )
            )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @_guarded
    def did_open(ls: DhardServer, params: lsp.DidOpenTextDocumentParams):
        item = params.text_document
        ls.documents[item.uri] = Document(item.uri, item.text, item.version, item.language_id)
        ls.publish(item.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @_guarded
    def did_change(ls: DhardServer, params: lsp.DidChangeTextDocumentParams):
        uri = params.text_document.uri
        doc = ls.documents.get(uri)
        for change in params.content_changes:
            rng = getattr(change, "range", None)
            if doc is None:
                if rng is not None:
                    return  # a change to a document we never saw: nothing to apply it to
                doc = ls.documents[uri] = Document(uri, change.text)
                continue
            span = None if rng is None else (rng.start.line, rng.start.character, rng.end.line, rng.end.character)
            doc.apply_change(change.text, span, ls.encoding)
        if doc is None:
            return
        doc.version = params.text_document.version
        ls.schedule(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    @_guarded
    def did_save(ls: DhardServer, params: lsp.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        doc = ls.documents.get(uri)
        if doc is not None and params.text is not None and params.text != doc.text:
            doc.text = params.text
            doc.analysis = None
        ls.publish(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @_guarded
    def did_close(ls: DhardServer, params: lsp.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.cancel_pending(uri)
        if ls.documents.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll, FIX_ALL]),
    )
    @_guarded
    def code_action(ls: DhardServer, params: lsp.CodeActionParams):
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        return code_actions(ls, doc, params) or None

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @_guarded
    def on_hover(ls: DhardServer, params: lsp.HoverParams):
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        return hover(ls, doc, params.position)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @_guarded
    def did_change_configuration(ls: DhardServer, params: lsp.DidChangeConfigurationParams):
        ls.apply_settings(params.settings)
        ls.relint_all()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_guarded
    def did_change_watched_files(ls: DhardServer, params: lsp.DidChangeWatchedFilesParams):
        names = {change.uri.rstrip("/").rsplit("/", 1)[-1] for change in params.changes}
        if names & set(CONFIG_FILES):
            ls.relint_all()

    return server
