"""The dhard language server (``dhard lsp``).

``positions`` and ``analysis`` are plain Python and import no LSP library;
``server`` wires them to pygls and is imported only by ``dhard lsp``.
"""
