"""DH502 secret-in-arg-or-env: ARG/ENV whose name or value looks like a credential."""

from __future__ import annotations


from ..syntax.expand import parse_arg_pairs, parse_env_pairs
from ..syntax.lazyre import IGNORECASE, compile_pattern

CODE = "DH502"

_NAME = compile_pattern(
    r"(^|_)(PASSWORD|PASSWD|PASS|SECRET|SECRETS|TOKEN|APIKEY|API_KEY|ACCESS_KEY|SECRET_KEY|PRIVATE_KEY|"
    r"CREDENTIALS?|AUTH_TOKEN|CLIENT_SECRET|ACCESS_KEY_ID)($|_)",
    IGNORECASE,
)
# Names that mention a secret but hold something else: a path to a mounted
# secret, a public key or fingerprint used to verify downloads, a URL.
_HARMLESS_SUFFIX = compile_pattern(r"_(FILE|PATH|DIR|URL|URI|ENDPOINT|NAME|ID_FILE|HEADER|LENGTH|TTL|EXPIRY)$", IGNORECASE)
_HARMLESS = compile_pattern(r"^(GPG_KEYS?|PUBLIC_KEY|.*_PUBLIC_KEY)$", IGNORECASE)
_VALUE = compile_pattern(
    r"(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|xox[baprs]-[A-Za-z0-9-]{10,}|"
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|glpat-[A-Za-z0-9_-]{20,}|sk_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35})"
)
_PLACEHOLDER = compile_pattern(r"^(\$\{?\w+\}?|changeme|<.*>|x+|\*+|)$", IGNORECASE)


def looks_secret_name(name: str) -> bool:
    return bool(_NAME.search(name)) and not _HARMLESS_SUFFIX.search(name) and not _HARMLESS.match(name)


def check(ctx):
    for ins in ctx.build.instructions("ARG", "ENV"):
        body = ctx.build.body(ins)
        try:
            pairs = parse_arg_pairs(body.args) if body.name == "ARG" else parse_env_pairs(body.args)
        except ValueError:
            continue
        for name, value in pairs:
            if value and _VALUE.search(value):
                yield ctx.finding(CODE, ins, f"{body.name} {name} holds what looks like a credential; it is stored in the image. Use RUN --mount=type=secret")
            elif looks_secret_name(name) and (body.name == "ARG" or not _PLACEHOLDER.match(value or "")):
                kind = "build history" if body.name == "ARG" else "image config"
                yield ctx.finding(CODE, ins, f"{body.name} {name} looks like a credential and ends up in the {kind}; use RUN --mount=type=secret,id={name.lower()}")
