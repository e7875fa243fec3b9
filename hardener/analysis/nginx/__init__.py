"""nginx configuration: a lossless parser and an adapter for a non-root, shell-less nginx.

``syntax`` reads one file as nginx tokenizes it (spans kept, so edits splice
into the original text), ``config`` follows includes through the caller's
files, ``listen`` reads ``listen``'s arguments, ``edits`` splices changes and
``adapt`` rewrites a configuration for a non-root nginx or refuses.
"""

from .adapt import Adapted, Change, Options, Refusal, adapt
from .config import Config, ConfFile, InMemoryFiles, Limits, Unresolved, Visit, parse_config, walk
from .syntax import Directive, ParseError, Token, Word, parse_text, tokenize

__all__ = [
    "Adapted", "Change", "ConfFile", "Config", "Directive", "InMemoryFiles", "Limits", "Options",
    "ParseError", "Refusal", "Token", "Unresolved", "Visit", "Word", "adapt", "parse_config",
    "parse_text", "tokenize", "walk",
]
