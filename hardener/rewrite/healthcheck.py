"""HEALTHCHECK on a shell-less image: curl/wget become the runtime's own HTTP client.

Distroless has neither curl nor wget (nor a shell for ``|| exit 1``). Where the
target has an interpreter, ``curl -f http://localhost:8000/health`` becomes an
exec-form one-liner (Python's urllib, Node's http); without ``-f``, curl
succeeds on any HTTP answer, and the one-liner does too. Anything dhard cannot
translate is dropped with a warning, never kept broken.
"""

from __future__ import annotations

import json
import posixpath

from ..model import Instruction
from ..programs import POSIX_SHELLS
from ..semantic.files import operands
from ..shell import parse_exec, parse_shell, unwrap
from .plan import Facts
from .result import Log
from .targets import Runtime

_CURL_VALUE = ("-H", "-X", "-o", "-m", "-u", "-A", "-d", "-w", "-e", "-b", "-c", "-T", "-x", "-r", "-F", "-E", "-K", "-U", "-y", "-Y", "-z")
_CURL_LONG = ("--header", "--request", "--output", "--max-time", "--user", "--user-agent", "--data", "--write-out",
              "--referer", "--cookie", "--cookie-jar", "--connect-timeout", "--retry", "--retry-delay",
              "--retry-max-time", "--cacert", "--resolve", "--proxy", "--range", "--form", "--cert", "--config",
              "--unix-socket", "--interface", "--data-raw", "--data-binary", "--url")
_WGET_VALUE = ("-O", "-T", "-t", "-U", "-o", "-a", "-e", "-P", "-w")
_WGET_LONG = ("--output-document", "--timeout", "--tries", "--user-agent", "--header", "--output-file",
              "--append-output", "--execute", "--directory-prefix", "--wait")


def translate(facts: Facts, ins: Instruction, runtime: Runtime, program: str | None, log: Log) -> str | None:
    """The HEALTHCHECK line for the new final stage, or None (dropped, with a warning)."""
    where = facts.where(ins)
    args = ins.args
    if args.strip().upper() == "NONE":
        return "HEALTHCHECK NONE"
    flags = " ".join(f.text for f in ins.flags)
    prefix = f"HEALTHCHECK {flags} CMD " if flags else "HEALTHCHECK CMD "
    rest = args.split(None, 1)
    if len(rest) < 2 or rest[0].upper() != "CMD":
        log.warn("HEALTHCHECK dropped: dhard cannot read it", where)
        return None
    if ins.json and ins.argv is not None:
        argv = list(ins.argv)
        script = parse_exec(argv)
        shell = posixpath.basename(argv[0]) in POSIX_SHELLS if argv else False
    else:
        script = parse_shell(rest[1])
        shell = True
    if not script.known:
        log.warn("HEALTHCHECK dropped: it needs a shell, which the target does not have", where)
        return None
    commands = [unwrap(c) for c in script.commands]
    main = [c for c in commands if c.name not in ("exit", "true", "false")]
    if len(main) == 1 and main[0].name in ("curl", "wget"):
        check = _http(main[0], runtime)
        if check is None:
            log.warn(f"HEALTHCHECK dropped: the target has no {main[0].name}, and dhard has no equivalent for "
                     f"this check on {runtime.image}", where)
            return None
        log.why(f"HEALTHCHECK: {main[0].name} replaced by the runtime's own HTTP client (the target has no "
                f"{main[0].name} and no shell)", where)
        return prefix + _json(check)
    if len(commands) == 1 and not shell or (len(commands) == 1 and commands[0].words and not commands[0].redirects
                                            and not commands[0].assignments):
        argv = commands[0].argv()
        if argv and all(a is not None for a in argv):
            converted = _own(argv, runtime, program, facts)
            if converted is not None:
                log.why("HEALTHCHECK kept, in exec form with the target's paths", where)
                return prefix + _json(converted)
    log.warn("HEALTHCHECK dropped: it runs a program the shell-less target does not have; "
             "add a check the app can answer itself", where)
    return None


def _json(argv: list[str]) -> str:
    return "[" + ", ".join(json.dumps(a) for a in argv) + "]"


def _own(argv: list[str], runtime: Runtime, program: str | None, facts: Facts) -> list[str] | None:
    base = posixpath.basename(argv[0])
    if runtime.variant == "python3" and base.startswith("python") and runtime.interpreter:
        return [runtime.interpreter, *argv[1:]]
    if runtime.variant == "nodejs" and base in ("node", "nodejs") and runtime.interpreter:
        return [runtime.interpreter, *argv[1:]]
    if program and (argv[0] == program or base == posixpath.basename(program)):
        return [program, *argv[1:]]
    return None


def _http(cmd, runtime: Runtime) -> list[str] | None:
    name = cmd.name
    if name == "curl":
        pos = operands(cmd, "".join(v[1] for v in _CURL_VALUE), _CURL_LONG)
        url = cmd.flag_value("--url") or (pos[0] if len(pos) == 1 else None)
        strict = cmd.has_flag("-f", "--fail", "--fail-with-body")
        insecure = cmd.has_flag("-k", "--insecure")
        if cmd.has_flag("-H", "--header", "-d", "--data", "-X", "--request", "-u", "--user", "--unix-socket"):
            return None
    else:
        pos = operands(cmd, "".join(v[1] for v in _WGET_VALUE), _WGET_LONG)
        url = pos[0] if len(pos) == 1 else None
        strict = True  # wget exits non-zero on an HTTP error
        insecure = cmd.has_flag("--no-check-certificate")
        if cmd.has_flag("--header", "--post-data", "--user", "--password"):
            return None
    if not url or any(ch in url for ch in "'\"\\\n"):
        return None
    if "://" not in url:
        url = "http://" + url
    if not url.startswith(("http://", "https://")):
        return None
    if runtime.variant == "python3" and runtime.interpreter:
        ctx = ", context=ssl._create_unverified_context()" if insecure and url.startswith("https") else ""
        imports = "import urllib.request" + (", ssl" if ctx else "")
        if strict:
            code = f"{imports}; urllib.request.urlopen('{url}'{ctx})"
        else:
            code = (f"{imports}, urllib.error\ntry:\n    urllib.request.urlopen('{url}'{ctx})\n"
                    "except urllib.error.HTTPError:\n    pass")
        return [runtime.interpreter, "-c", code]
    if runtime.variant == "nodejs" and runtime.interpreter:
        mod = "https" if url.startswith("https") else "http"
        opts = ", {rejectUnauthorized: false}" if insecure and mod == "https" else ""
        ok = "r.statusCode < 400 ? 0 : 1" if strict else "0"
        code = (f"require('{mod}').get('{url}'{opts}, (r) => process.exit({ok}))"
                ".on('error', () => process.exit(1))")
        return [runtime.interpreter, "-e", code]
    return None
