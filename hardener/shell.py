"""Reading the shell text of a RUN into simple commands.

``parse_shell`` takes the logical shell-form body of a RUN (or a heredoc body)
and returns a :class:`Script`: every simple command in textual order, nested
ones included (bodies of subshells, brace groups, ``if``/``for``/``while``/
``case``, ``$(...)`` and backticks, and the script strings of ``sh -c``), each
with its words, leading assignments, redirections, source offsets and the
operators around it.

The reader is a small hand-written recursive-descent parser: one pass over
the text, no regex that can backtrack, stdlib only.  It never raises; when it
is not sure what the shell would do it says so (``Script.known`` is False and
``unknown_reasons`` says why) rather than guessing.  Reasons for "unknown":
``eval``, ``source``/``.``, ``alias``, ``trap``, ``coproc``, function
definitions, a command whose name is an expansion (``$PM install``), ``sh -c``
whose script is not a literal, ``env -S``, unbalanced quotes, parentheses,
braces or backticks, unterminated compound commands or heredocs, syntax errors,
a shell fed a heredoc whose body the outer shell expands, and nesting deeper
than the reader follows.

Notes on the model:

* ``Word.value`` keeps globs, brace expansions and ``~`` literally; it is None
  as soon as the word contains ``$X``, ``${..}``, ``$(..)``, ``$((..))``,
  backticks or process substitution.
* ``Command.redirects`` holds ``op + target`` (fd included, whitespace between
  them dropped): ``> /dev/null`` is reported as ``'>/dev/null'``.
* ``sh -c S`` (any of programs.POSIX_SHELLS, any options before S, ``-o pipefail`` noted),
  also behind wrappers (``sudo sh -c``, ``xargs sh -c``) and ``su -c S``: S is
  read as a nested script, origin ``'sh-c'``.  Offsets map into the outer text
  when S is written as one plain quoted literal; otherwise every nested
  command and word gets the span of the S word.
* ``[[ ... ]]`` is one command named ``[[``; ``(( ... ))`` and ``for ((..))``
  headers are skipped (unknown if they hide a command substitution).
* Heredoc bodies inside the text (``cat <<EOF`` ... ``EOF``) are skipped; a
  body fed to a shell (``sh <<EOF``, ``bash -s <<'EOF'``) is read as a nested
  script with origin ``'sh-c'``.
* ``unwrap`` keeps the command's own ``start``/``end`` (the whole command,
  wrappers included); the remaining words keep their offsets.  ``xargs`` is
  unwrapped (its options skipped), so ``xargs rm -f`` reads as ``rm -f``;
  ``command -v X`` is not unwrapped (it only looks X up).
"""

from __future__ import annotations

from .cache import cached_property
from .record import dataclass
from .programs import POSIX_SHELLS, program_name
from .syntax.lazyre import compile_lazily

__all__ = [
    "Word",
    "Command",
    "Script",
    "parse_shell",
    "parse_exec",
    "unwrap",
    "is_wrapper",
    "command_name",
]


@dataclass(frozen=True)
class Word:
    raw: str  # as written, quotes included
    value: str | None  # quotes/escapes removed; None when it holds an expansion
    start: int  # offset of raw in the input string
    end: int


@dataclass(frozen=True)
class Command:
    words: tuple[Word, ...]  # argv words (assignments and redirections excluded)
    assignments: tuple[Word, ...]  # leading VAR=value words
    redirects: tuple[str, ...]  # redirection texts, e.g. ('>/dev/null', '2>&1')
    start: int  # offset of the command's first char (assignments included)
    end: int  # offset just after its last word/redirect
    op_before: str | None  # '&&', '||', ';', '|', '\n', '&' or None (first in its list)
    op_after: str | None
    depth: int  # 0 top level; >0 inside compound bodies, sh -c strings, $(...)
    origin: str  # 'top', 'sh-c', 'subst'

    @cached_property
    def name(self) -> str | None:
        """command_name() of the first word, None if unknown or empty."""
        if not self.words:
            return None
        value = self.words[0].value
        if not value:
            return None
        return command_name(value)

    def argv(self) -> list[str | None]:
        return [w.value for w in self.words]

    def has_flag(self, *flags: str) -> bool:
        """Whether any of ``flags`` is given before ``--``.

        ``--opt`` also matches ``--opt=value``; a short ``-y`` also matches a
        group of short flags such as ``-qy``.
        """
        for w in self.words[1:]:
            v = w.value
            if v is None or len(v) < 2 or v[0] != "-":
                continue
            if v == "--":
                return False
            for f in flags:
                if _flag_match(v, f):
                    return True
        return False

    def flag_value(self, flag: str) -> str | None:
        """The value of the first ``flag``: ``--opt=v``, ``--opt v``, ``-t v``, ``-tv``."""
        words = self.words
        n = len(words)
        long = flag.startswith("--")
        for i in range(1, n):
            v = words[i].value
            if v is None or len(v) < 2 or v[0] != "-":
                continue
            if v == "--":
                return None
            if v == flag:
                return words[i + 1].value if i + 1 < n else None
            if long:
                if v.startswith(flag) and v[len(flag) : len(flag) + 1] == "=":
                    return v[len(flag) + 1 :]
            elif len(flag) == 2 and v[1] != "-":
                if v[1] == flag[1]:
                    return v[2:]
                if v[-1] == flag[1] and _SHORT_GROUP.fullmatch(v):
                    return words[i + 1].value if i + 1 < n else None
        return None

    def positionals(self) -> list[str | None]:
        """Arguments after the name that are not flags (everything after ``--``)."""
        out: list[str | None] = []
        dashed = False
        for w in self.words[1:]:
            v = w.value
            if not dashed:
                if v == "--":
                    dashed = True
                    continue
                if v is None:
                    if w.raw.startswith("-"):
                        continue
                elif len(v) > 1 and v[0] == "-":
                    continue
            out.append(v)
        return out


@dataclass(frozen=True)
class Script:
    commands: tuple[Command, ...]  # every simple command in textual order, nested ones included
    known: bool  # False when the reader cannot be sure
    unknown_reasons: tuple[str, ...]
    has_pipe: bool  # a `|` pipeline anywhere (not `||`)
    sets_pipefail: bool  # `set -o pipefail` in effect for the first pipe


_SHORT_GROUP = compile_lazily(r"-[A-Za-z0-9]+")


def _flag_match(v: str, f: str) -> bool:
    if v == f:
        return True
    if f.startswith("--"):
        return v.startswith(f) and v[len(f) : len(f) + 1] == "="
    if len(f) >= 2 and f[0] == "-" and v[1] != "-" and _SHORT_GROUP.fullmatch(v):
        letters = v[1:]
        return all(ch in letters for ch in f[1:])
    return False


command_name = program_name


# --------------------------------------------------------------------------
# wrappers


class _Wrap:
    __slots__ = ("short_arg", "long_arg", "assigns", "npos", "stop")

    def __init__(self, short_arg="", long_arg=(), assigns=False, npos=0, stop=""):
        self.short_arg = short_arg  # short options that take a value
        self.long_arg = frozenset(long_arg)  # long options that take a value (when no '=')
        self.assigns = assigns  # VAR=x words allowed before the command
        self.npos = npos  # positional operands before the command (timeout DURATION)
        self.stop = stop  # short options meaning "not running a command"


_WRAPPERS = {
    "sudo": _Wrap(
        "ugpChrtDTUR",
        ("--user", "--group", "--prompt", "--close-from", "--host", "--role",
         "--type", "--chdir", "--command-timeout", "--other-user", "--chroot"),
        assigns=True,
        stop="lVvK",
    ),
    "doas": _Wrap("uC"),
    "env": _Wrap("uC", ("--unset", "--chdir"), assigns=True, stop="S"),
    "nice": _Wrap("n", ("--adjustment",)),
    "ionice": _Wrap("cnt", ("--class", "--classdata"), stop="p"),
    "nohup": _Wrap(),
    "time": _Wrap("fo", ("--format", "--output")),
    "exec": _Wrap("a"),
    "command": _Wrap(stop="vV"),
    "builtin": _Wrap(),
    "stdbuf": _Wrap("ioe", ("--input", "--output", "--error")),
    "timeout": _Wrap("sk", ("--signal", "--kill-after"), npos=1),
    "xargs": _Wrap(
        "adEILnPs",
        ("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
         "--max-lines", "--process-slot-var"),
    ),
    "gosu": _Wrap(npos=1),
    "su-exec": _Wrap(npos=1),
    "busybox": _Wrap(),
}

# The init processes of programs.INITS that run the command after their own
# options and ``--``; stripped only by ``unwrap(cmd, inits=True)``.  ``tini -h``/``-l``,
# ``dumb-init -h``/``-V``, ``catatonit -h`` print and exit: not a command.
_INIT_WRAPPERS = {
    "tini": _Wrap("pe", stop="hl"),
    "tini-static": _Wrap("pe", stop="hl"),
    "dumb-init": _Wrap("r", ("--rewrite",), stop="hV"),
    "catatonit": _Wrap(stop="h"),
}
_WRAPPERS_AND_INITS = {**_WRAPPERS, **_INIT_WRAPPERS}


def is_wrapper(name: str) -> bool:
    """Whether ``unwrap`` strips a command of this name (``sudo``, ``env``, ``exec``...; inits not included)."""
    return name in _WRAPPERS


def unwrap(cmd: Command, inits: bool = False) -> Command:
    """Strip leading wrappers (sudo, doas, env, nice, ionice, nohup, time, exec,
    command, builtin, stdbuf, timeout, xargs, gosu, su-exec, busybox) and their
    options.  ``env``/``sudo`` VAR=x words join the assignments.  Offsets are
    kept: words keep theirs and the command keeps its whole span.  A wrapper
    with nothing after it (``env`` alone, ``exec >log``) is left as it is.

    With ``inits=True`` the init processes that start a command (tini,
    tini-static, dumb-init, catatonit: ``tini -s -- gunicorn app:app``) are
    stripped too, in any order with the wrappers; a container's entry command
    is read this way.  The default leaves them: the rules see ``tini`` as the
    program."""
    words = cmd.words
    if not words:
        return cmd
    table = _WRAPPERS_AND_INITS if inits else _WRAPPERS
    v0 = words[0].value
    if v0 is None or command_name(v0) not in table:
        return cmd
    idx = 0
    extra: list[Word] = []
    n = len(words)
    for _ in range(16):
        if idx >= n:
            break
        v = words[idx].value
        if v is None:
            break
        name = command_name(v)
        spec = table.get(name)
        if spec is None:
            break
        j = idx + 1
        stop = False
        found: list[Word] = []
        while j < n:
            w = words[j].value
            if w is None:
                break
            if w == "--":
                j += 1
                break
            if len(w) > 1 and w[0] == "-":
                if w.startswith("--"):
                    opt = w.split("=", 1)[0]
                    if name == "env" and opt == "--split-string":
                        stop = True
                        break
                    j += 2 if ("=" not in w and opt in spec.long_arg) else 1
                    continue
                letters = w[1:]
                if spec.stop and any(ch in spec.stop for ch in letters):
                    stop = True
                    break
                step = 1
                for k, ch in enumerate(letters):
                    if ch in spec.short_arg:
                        if k == len(letters) - 1:
                            step = 2
                        break
                j += step
                continue
            if w == "-" and name == "env":
                j += 1
                continue
            if spec.assigns and _ASSIGN.match(words[j].raw):
                found.append(words[j])
                j += 1
                continue
            break
        if stop:
            break
        j += spec.npos
        if j >= n:
            break
        idx = j
        extra.extend(found)
    if idx == 0:
        return cmd
    return Command(
        words=words[idx:],
        assignments=cmd.assignments + tuple(extra),
        redirects=cmd.redirects,
        start=cmd.start,
        end=cmd.end,
        op_before=cmd.op_before,
        op_after=cmd.op_after,
        depth=cmd.depth,
        origin=cmd.origin,
    )


# --------------------------------------------------------------------------
# the reader

_PLAIN = compile_lazily(r"""[^\s'"\\$`;&|<>()]+""")
_TOKEN = compile_lazily(r"""[ \t]*([^\s'"\\$`;&|<>()#][^\s'"\\$`;&|<>()]*)?""")
_DQ_PLAIN = compile_lazily(r'[^"\\$`]+')
_NAME = compile_lazily(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = compile_lazily(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]'\"]*\])?\+?=")
_ARRAY_PREFIX = compile_lazily(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_WS = " \t\r\v\f"
_BREAK = " \t\r\v\f\n;&|<>)"
_SPECIAL = " \t\r\v\f\n;&|<>()'\"\\$`"
_SPECIAL_PARAMS = "@*#?$!-0123456789"
_SEPARATORS = frozenset((";", "&", "\n"))
_CONNECTORS = frozenset(("&&", "||", "|", "|&"))
_COMPOUND = frozenset("if for select while until case { ! function [[ coproc".split())
_RESERVED = frozenset("then elif else fi do done esac } in ]]".split())
_UNKNOWN_NAMES = {
    "eval": "eval",
    "source": "source",
    ".": "source (.)",
    "alias": "alias",
    "trap": "trap",
}
_ANSI = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
         "v": "\v", "e": "\x1b", "E": "\x1b", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_MAX_NEST = 60

_EOF = ("e", None, None, 0)
_T_IF = frozenset(("then",))
_T_THEN = frozenset(("elif", "else", "fi"))
_T_FI = frozenset(("fi",))
_T_DO = frozenset(("do",))
_T_DONE = frozenset(("done",))
_T_BRACE = frozenset(("}",))
_T_PAREN = frozenset((")",))
_T_CASE = frozenset((";;", ";&", ";;&", "esac"))
_T_NONE: frozenset = frozenset()


def _mk_word(raw, value, start, end, _new=object.__new__, _cls=Word):
    """Word(raw, value, start, end) without the frozen dataclass __init__ cost."""
    w = _new(_cls)
    w.__dict__.update(raw=raw, value=value, start=start, end=end)
    return w


def _mk_command(words, assignments, redirects, start, end, op_before, depth, origin,
                _new=object.__new__, _cls=Command):
    c = _new(_cls)
    c.__dict__.update(
        words=words, assignments=assignments, redirects=redirects, start=start, end=end,
        op_before=op_before, op_after=None, depth=depth, origin=origin,
    )
    return c


class _TooDeep(Exception):
    pass


class _State:
    """What all parsers of one script share."""

    __slots__ = ("commands", "reasons", "events", "pipes", "seq", "scopes", "nest")

    def __init__(self):
        self.commands: list[Command | None] = []
        self.reasons: list[str] = []
        self.events: list[tuple[int, tuple, bool]] = []  # pipefail set/unset
        self.pipes: list[tuple[int, tuple]] = []
        self.seq = 0
        self.scopes = 0
        self.nest = 0

    def scope(self) -> int:
        self.scopes += 1
        return self.scopes

    def event(self, scope: tuple, on: bool) -> None:
        self.events.append((self.seq, scope, on))
        self.seq += 1

    def pipe(self, scope: tuple) -> None:
        self.pipes.append((self.seq, scope))
        self.seq += 1

    def script(self) -> Script:
        reasons = tuple(dict.fromkeys(self.reasons))
        return Script(
            commands=tuple(c for c in self.commands if c is not None),
            known=not reasons,
            unknown_reasons=reasons,
            has_pipe=bool(self.pipes),
            sets_pipefail=self._pipefail(),
        )

    def _pipefail(self) -> bool:
        events = self.events
        if not events:
            return False
        if self.pipes:
            seq, scope = self.pipes[0]
            on = False
            for eseq, escope, eon in events:
                if eseq > seq:
                    break
                if scope[: len(escope)] == escope:
                    on = eon
            return on
        on = False
        for _, escope, eon in events:
            if escope == (0,):
                on = eon
        return on


class _Heredoc:
    __slots__ = ("delim", "strip", "quoted", "stdin", "owner", "body", "ctx")

    def __init__(self, delim, strip, quoted, stdin, ctx):
        self.delim = delim
        self.strip = strip
        self.quoted = quoted
        self.stdin = stdin
        self.owner: Command | None = None
        self.body: tuple[int, int] | None = None  # local offsets
        self.ctx = ctx


class _Parser:
    def __init__(self, text: str, st: _State, base: int = 0, span=None, ctx=(0, "top", (0,))):
        self.t = text
        self.n = len(text)
        self.pos = 0
        self.base = base
        self.span = span  # (start, end) given to everything when offsets cannot be mapped
        self.st = st
        self.la = None
        self.ctx = ctx  # (depth, origin, scope)
        self.pending: list[_Heredoc] = []
        self.heredocs_owned: list[_Heredoc] = []

    # ---------------------------------------------------------------- driver

    def run(self) -> None:
        self._list(_T_NONE)
        if self.pending:
            # heredoc bodies not in this text (BuildKit hands them over apart)
            self.pending = []

    def _bad(self, why: str) -> None:
        self.st.reasons.append(why)

    # ----------------------------------------------------------------- lexer

    def _peek(self):
        la = self.la
        if la is None:
            la = self.la = self._lex()
        return la

    def _next(self):
        la = self.la
        if la is None:
            return self._lex()
        self.la = None
        return la

    def _lex(self):
        t = self.t
        n = self.n
        m = _TOKEN.match(t, self.pos)
        i = m.end()
        if m.lastindex:
            # fast path: a plain word (no quotes, escapes or expansions)
            if i >= n or t[i] in _BREAK:
                s = m.start(1)
                raw = m.group(1)
                if i < n and t[i] in "<>" and raw.isdigit():
                    return self._redirect(s, i)
                self.pos = i
                span = self.span
                if span is None:
                    base = self.base
                    return ("w", _mk_word(raw, raw, base + s, base + i), True, s)
                return ("w", _mk_word(raw, raw, span[0], span[1]), True, s)
            return self._word_token(m.start(1))
        while True:
            while i < n and t[i] in _WS:
                i += 1
            if i >= n:
                self.pos = n
                return _EOF
            c = t[i]
            if c == "\\" and i + 1 < n and t[i + 1] == "\n":
                i += 2
                continue
            if c == "#":
                j = t.find("\n", i)
                i = n if j < 0 else j
                continue
            break
        if c == "\n":
            self.pos = i + 1
            if self.pending:
                self._read_heredocs()
            return ("o", "\n", None, i)
        nxt = t[i + 1] if i + 1 < n else ""
        if c == ";":
            if nxt == ";":
                op = ";;&" if t.startswith(";;&", i) else ";;"
            elif nxt == "&":
                op = ";&"
            else:
                op = ";"
            self.pos = i + len(op)
            return ("o", op, None, i)
        if c == "&":
            if nxt == "&":
                self.pos = i + 2
                return ("o", "&&", None, i)
            if nxt == ">":
                return self._redirect(i, i)
            self.pos = i + 1
            return ("o", "&", None, i)
        if c == "|":
            if nxt == "|" or nxt == "&":
                self.pos = i + 2
                return ("o", c + nxt, None, i)
            self.pos = i + 1
            return ("o", "|", None, i)
        if c == "(" or c == ")":
            self.pos = i + 1
            return ("o", c, None, i)
        if c == "<" or c == ">":
            if nxt != "(":
                return self._redirect(i, i)
        elif "0" <= c <= "9":
            j = i + 1
            while j < n and "0" <= t[j] <= "9":
                j += 1
            if j < n and t[j] in "<>" and t[j + 1 : j + 2] != "(":
                return self._redirect(i, j)
        return self._word_token(i)

    def _word_token(self, i):
        mark = len(self.st.commands)
        raw, value, plain, end = self._word(i)
        self.pos = end
        span = self.span
        if span is None:
            w = _mk_word(raw, value, self.base + i, self.base + end)
        else:
            w = _mk_word(raw, value, span[0], span[1])
        return ("w", w, plain, i, mark)

    def _redirect(self, i, j):
        t = self.t
        n = self.n
        c = t[j]
        if c == "<":
            if t.startswith("<<<", j):
                op = "<<<"
            elif t.startswith("<<-", j):
                op = "<<-"
            elif t.startswith("<<", j):
                op = "<<"
            elif t.startswith("<&", j):
                op = "<&"
            elif t.startswith("<>", j):
                op = "<>"
            else:
                op = "<"
        elif c == ">":
            if t.startswith(">>", j):
                op = ">>"
            elif t.startswith(">&", j):
                op = ">&"
            elif t.startswith(">|", j):
                op = ">|"
            else:
                op = ">"
        else:  # '&>' / '&>>'
            op = "&>>" if t.startswith("&>>", j) else "&>"
        k = j + len(op)
        head = t[i:k]
        mark = len(self.st.commands)
        while True:
            while k < n and t[k] in _WS:
                k += 1
            if k + 1 < n and t[k] == "\\" and t[k + 1] == "\n":
                k += 2
                continue
            break
        span = self.span
        start = span[0] if span else self.base + i
        if k >= n or t[k] in "\n;&|)" or (t[k] in "<>(" and t[k + 1 : k + 2] != "("):
            self._bad("redirection without a target")
            self.pos = k
            return ("r", head, None, i, start, span[1] if span else self.base + j + len(op), mark)
        raw, value, plain, end = self._word(k)
        self.pos = end
        hd = None
        if op == "<<" or op == "<<-":
            quoted = any(ch in raw for ch in "'\"\\")
            delim = raw
            if quoted:
                delim = raw.replace("'", "").replace('"', "").replace("\\", "")
            fd = t[i:j]
            hd = _Heredoc(delim, op == "<<-", quoted, fd in ("", "0"), self.ctx)
            self.pending.append(hd)
        return ("r", head + raw, hd, i, start, span[1] if span else self.base + end, mark)

    def _word(self, i):
        """(raw, value, plain, end) of the word starting at i."""
        t = self.t
        n = self.n
        start = i
        parts: list[str] = []
        dyn = False
        plain = True
        while i < n:
            c = t[i]
            if c not in _SPECIAL:
                m = _PLAIN.match(t, i)
                parts.append(m.group())
                i = m.end()
                continue
            if c in _BREAK:
                if (c == "<" or c == ">") and i == start and t[i + 1 : i + 2] == "(":
                    plain = False
                    dyn = True
                    i = self._subst(i + 2)
                    continue
                break
            was_plain = plain
            plain = False
            if c == "'":
                j = t.find("'", i + 1)
                if j < 0:
                    self._bad("unbalanced single quote")
                    parts.append(t[i + 1 :])
                    i = n
                    break
                parts.append(t[i + 1 : j])
                i = j + 1
            elif c == '"':
                i, d = self._dquote(i + 1, parts)
                dyn = dyn or d
            elif c == "\\":
                if i + 1 >= n:
                    parts.append("\\")
                    i += 1
                elif t[i + 1] == "\n":
                    if i + 2 >= n or t[i + 2] in _BREAK:
                        # the continuation ends the word: leave it out of raw
                        if i == start:
                            i += 2
                        plain = was_plain
                        break
                    i += 2
                else:
                    parts.append(t[i + 1])
                    i += 2
            elif c == "$":
                i, d = self._dollar(i, parts, False)
                dyn = dyn or d
            elif c == "`":
                i = self._backtick(i)
                dyn = True
            elif c == "(":
                if i > start and _ARRAY_PREFIX.fullmatch(t, start, i):
                    j = self._skip_parens(i)
                    self._opaque(i, j)
                    i = j
                    dyn = True
                    continue
                break
        raw = t[start:i]
        if plain:
            return raw, raw, True, i
        return raw, (None if dyn else "".join(parts)), False, i

    def _dquote(self, i, parts):
        """Read a double-quoted string from just after its opening quote."""
        t = self.t
        n = self.n
        dyn = False
        while i < n:
            c = t[i]
            if c == '"':
                return i + 1, dyn
            if c == "\\":
                d = t[i + 1 : i + 2]
                if d == "\n":
                    i += 2
                elif d and d in '$`"\\':
                    parts.append(d)
                    i += 2
                else:
                    parts.append("\\")
                    i += 1
            elif c == "$":
                i, d = self._dollar(i, parts, True)
                dyn = dyn or d
            elif c == "`":
                i = self._backtick(i)
                dyn = True
            else:
                m = _DQ_PLAIN.match(t, i)
                parts.append(m.group())
                i = m.end()
        self._bad("unbalanced double quote")
        return n, dyn

    def _dollar(self, i, parts, in_dq):
        """Read an expansion at t[i] == '$'; (end, is_dynamic)."""
        t = self.t
        n = self.n
        if i + 1 >= n:
            parts.append("$")
            return i + 1, False
        c = t[i + 1]
        if c == "(":
            if t[i + 2 : i + 3] == "(":
                end = self._skip_parens(i + 1)
                if t[end - 2 : end] != "))":
                    self._bad("ambiguous $(( ... )")
                self._opaque(i + 1, end)
                return end, True
            return self._subst(i + 2), True
        if c == "{":
            return self._skip_brace(i + 2), True
        if c == "'" and not in_dq:
            return self._ansi(i + 2, parts)
        if c == '"' and not in_dq:
            return self._dquote(i + 2, parts)
        if c == "_" or c.isalpha():
            m = _NAME.match(t, i + 1)
            if m:
                return m.end(), True
        if c in _SPECIAL_PARAMS:
            return i + 2, True
        parts.append("$")
        return i + 1, False

    def _ansi(self, i, parts):
        """$'...' (bash): decode the simple escapes; (end, value unknown)."""
        t = self.t
        n = self.n
        odd = False
        while i < n:
            c = t[i]
            if c == "'":
                return i + 1, odd
            if c == "\\" and i + 1 < n:
                d = t[i + 1]
                e = _ANSI.get(d)
                if e is None:  # \x41, \u00e9, \0101, \cX: not worth decoding
                    odd = True
                    e = "\\" + d
                parts.append(e)
                i += 2
            else:
                parts.append(c)
                i += 1
        self._bad("unbalanced $' quote")
        return n, odd

    def _skip_brace(self, i):
        """Skip a ${...} from just after '${'."""
        t = self.t
        n = self.n
        scratch: list[str] = []
        while i < n:
            c = t[i]
            if c == "}":
                return i + 1
            if c == "\\":
                i += 2
            elif c == "'":
                j = t.find("'", i + 1)
                if j < 0:
                    break
                i = j + 1
            elif c == '"':
                i, _ = self._dquote(i + 1, scratch)
            elif c == "$":
                i, _ = self._dollar(i, scratch, False)
            elif c == "`":
                i = self._backtick(i)
            else:
                i += 1
        self._bad("unbalanced ${")
        return n

    def _skip_parens(self, i):
        """Skip balanced parentheses from t[i] == '('; return the end."""
        t = self.t
        n = self.n
        depth = 0
        while i < n:
            c = t[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c == "\\":
                i += 1
            elif c == "'" or c == '"':
                j = t.find(c, i + 1)
                if j < 0:
                    break
                i = j
            i += 1
        self._bad("unbalanced parenthesis")
        return n

    def _opaque(self, i, j):
        """A skipped region (arithmetic, array) must not hide commands."""
        t = self.t
        if t.find("`", i, j) >= 0 or t.find("$(", i, j) >= 0 or t.find("<(", i, j) >= 0:
            self._bad("command substitution inside arithmetic or array")

    def _enter(self):
        st = self.st
        st.nest += 1
        if st.nest > _MAX_NEST:
            raise _TooDeep

    def _subst(self, i):
        """Parse a command substitution body from i (just after '$(' or '<(');
        return the offset after its ')'."""
        self._enter()
        saved_la, saved_ctx, saved_pos = self.la, self.ctx, self.pos
        depth, _, scope = saved_ctx
        self.la = None
        self.pos = i
        self.ctx = (depth + 1, "subst", scope + (self.st.scope(),))
        self._list(_T_PAREN)
        tok = self._peek()
        if tok[0] == "o" and tok[1] == ")":
            self.la = None
        else:
            self._bad("unbalanced $(")
            self.la = None
        end = self.pos
        self.ctx = saved_ctx
        self.la = saved_la
        self.pos = saved_pos
        self.st.nest -= 1
        return end

    def _backtick(self, i):
        """Parse a `...` substitution from t[i] == '`'; return the end."""
        t = self.t
        n = self.n
        j = i + 1
        buf: list[str] = []
        escaped = False
        while j < n:
            c = t[j]
            if c == "`":
                break
            if c == "\\" and j + 1 < n and t[j + 1] in "\\`$":
                buf.append(t[j + 1])
                escaped = True
                j += 2
            else:
                buf.append(c)
                j += 1
        else:
            self._bad("unbalanced backtick")
            return n
        inner = "".join(buf)
        depth, _, scope = self.ctx
        span = self.span
        base = 0
        if span is None:
            if escaped:
                span = (self.base + i, self.base + j + 1)
            else:
                base = self.base + i + 1
        self._enter()
        sub = _Parser(inner, self.st, base, span, (depth + 1, "subst", scope + (self.st.scope(),)))
        sub.run()
        self.st.nest -= 1
        return j + 1

    def _read_heredocs(self):
        """Skip the bodies of pending heredocs; self.pos is just after the newline."""
        t = self.t
        n = self.n
        p = self.pos
        pending, self.pending = self.pending, []
        for hd in pending:
            bstart = p
            while True:
                if p >= n:
                    self._bad("unterminated heredoc")
                    self.pos = n
                    return
                q = t.find("\n", p)
                le = n if q < 0 else q
                line = t[p:le]
                if hd.strip:
                    line = line.lstrip("\t")
                if line == hd.delim or (line[-1:] == "\r" and line[:-1] == hd.delim):
                    hd.body = (bstart, p)
                    p = n if q < 0 else q + 1
                    break
                p = n if q < 0 else q + 1
            if hd.owner is not None:
                self._heredoc_script(hd)
        self.pos = p

    # ---------------------------------------------------------------- grammar

    def _list(self, terms):
        op_before = None
        st = self.st
        while True:
            tok = self._peek()
            kind = tok[0]
            if kind == "e":
                return
            if kind == "o":
                op = tok[1]
                if op in terms:
                    return
                if op == "\n":
                    self.la = None
                    continue
                if op != "(":
                    self._bad("unexpected " + repr(op))
                    self.la = None
                    continue
            elif kind == "w" and tok[2] and tok[1].raw in terms:
                return
            cmd = self._command(op_before)
            tok = self._peek()
            kind = tok[0]
            if kind == "o":
                op = tok[1]
                if op in _CONNECTORS:
                    self.la = None
                    if op == "|&":
                        op = "|"
                    if op == "|":
                        st.pipe(self.ctx[2])
                    if cmd is not None:
                        cmd.__dict__["op_after"] = op
                    op_before = op
                    tok = self._peek()
                    while tok[0] == "o" and tok[1] == "\n":
                        self.la = None
                        tok = self._peek()
                    if tok[0] == "e" or (tok[0] == "o" and tok[1] != "(") or (
                        tok[0] == "w" and tok[2] and tok[1].raw in terms
                    ):
                        self._bad("missing command after " + repr(op))
                    continue
                if op in _SEPARATORS:
                    self.la = None
                    if cmd is not None:
                        cmd.__dict__["op_after"] = op
                    op_before = op
                    continue
                if op in terms:
                    return
            elif kind == "e":
                return
            elif kind == "w" and tok[2] and tok[1].raw in terms:
                return
            self._bad("unexpected token")
            self.la = None
            op_before = None

    def _command(self, op_before):
        tok = self._peek()
        kind = tok[0]
        if kind == "w" and tok[2]:
            raw = tok[1].raw
            if raw in _COMPOUND:
                return self._compound(raw, op_before)
            if raw in _RESERVED:
                self._bad("unexpected " + raw)
                self.la = None
                return None
        elif kind == "o" and tok[1] == "(":
            local = tok[3]
            if self.t[local + 1 : local + 2] == "(":
                end = self._skip_parens(local)
                if self.t[end - 2 : end] == "))":
                    self._opaque(local, end)
                    self.la = None
                    self.pos = end
                    self._trailing_redirects()
                    return None
            self.la = None
            self._enter()
            saved = self.ctx
            depth, origin, scope = saved
            self.ctx = (depth + 1, origin, scope + (self.st.scope(),))
            self._list(_T_PAREN)
            self._expect_op(")", "unbalanced parenthesis")
            self.ctx = saved
            self.st.nest -= 1
            self._trailing_redirects()
            return None
        return self._simple(op_before)

    def _expect_op(self, op, why):
        tok = self._peek()
        if tok[0] == "o" and tok[1] == op:
            self.la = None
            return True
        self._bad(why)
        return False

    def _expect_word(self, word):
        tok = self._peek()
        if tok[0] == "w" and tok[2] and tok[1].raw == word:
            self.la = None
            return True
        self._bad("expected " + repr(word))
        return False

    def _skip_newlines(self):
        tok = self._peek()
        while tok[0] == "o" and tok[1] == "\n":
            self.la = None
            tok = self._peek()
        return tok

    def _trailing_redirects(self):
        tok = self._peek()
        while tok[0] == "r":
            self.la = None
            tok = self._peek()

    def _compound(self, kw, op_before):
        if kw == "!":
            self.la = None
            tok = self._peek()
            if tok[0] == "e" or (tok[0] == "o" and tok[1] != "("):
                self._bad("missing command after !")
                return None
            return self._command(op_before)
        if kw == "[[":
            return self._cond(op_before)
        self._enter()
        saved = self.ctx
        depth, origin, scope = saved
        self.ctx = (depth + 1, origin, scope)
        self.la = None
        try:
            if kw == "if":
                self._list(_T_IF)
                if self._expect_word("then"):
                    while True:
                        self._list(_T_THEN)
                        tok = self._peek()
                        if tok[0] == "w" and tok[2] and tok[1].raw == "elif":
                            self.la = None
                            self._list(_T_IF)
                            if not self._expect_word("then"):
                                break
                            continue
                        if tok[0] == "w" and tok[2] and tok[1].raw == "else":
                            self.la = None
                            self._list(_T_FI)
                        self._expect_word("fi")
                        break
            elif kw == "while" or kw == "until":
                self._list(_T_DO)
                if self._expect_word("do"):
                    self._list(_T_DONE)
                    self._expect_word("done")
            elif kw == "for" or kw == "select":
                self._for()
            elif kw == "case":
                self._case()
            elif kw == "{":
                self._list(_T_BRACE)
                self._expect_word("}")
            elif kw == "function":
                self._bad("function definition")
                tok = self._next()
                if tok[0] != "w":
                    self._bad("bad function definition")
                    return None
                tok = self._peek()
                if tok[0] == "o" and tok[1] == "(":
                    self.la = None
                    self._expect_op(")", "bad function definition")
                tok = self._skip_newlines()
                if tok[0] != "e":
                    self._command(None)
                return None
            elif kw == "coproc":
                self._bad("coproc")
                tok = self._peek()
                if tok[0] != "e":
                    self._command(None)
                return None
        finally:
            self.ctx = saved
            self.st.nest -= 1
        self._trailing_redirects()
        return None

    def _for(self):
        tok = self._peek()
        if tok[0] == "o" and tok[1] == "(":
            local = tok[3]
            end = self._skip_parens(local)
            self._opaque(local, end)
            self.la = None
            self.pos = end
        elif tok[0] == "w":
            self.la = None
            tok = self._skip_newlines()
            if tok[0] == "w" and tok[2] and tok[1].raw == "in":
                self.la = None
                tok = self._peek()
                while tok[0] == "w":
                    self.la = None
                    tok = self._peek()
        else:
            self._bad("bad for loop")
            return
        tok = self._peek()
        if tok[0] == "o" and tok[1] in (";", "\n"):
            self.la = None
        tok = self._skip_newlines()
        if tok[0] == "w" and tok[2] and tok[1].raw == "{":
            self._bad("for loop with a brace body")
            self.la = None
            self._list(_T_BRACE)
            self._expect_word("}")
            return
        if self._expect_word("do"):
            self._list(_T_DONE)
            self._expect_word("done")

    def _case(self):
        tok = self._next()
        if tok[0] != "w":
            self._bad("bad case")
            return
        self._skip_newlines()
        if not self._expect_word("in"):
            return
        while True:
            tok = self._skip_newlines()
            if tok[0] == "e":
                self._bad("unterminated case")
                return
            if tok[0] == "w" and tok[2] and tok[1].raw == "esac":
                self.la = None
                return
            if tok[0] == "o" and tok[1] == "(":
                self.la = None
            while True:
                tok = self._next()
                if tok[0] != "w":
                    self._bad("bad case pattern")
                    return
                tok = self._peek()
                if tok[0] == "o" and tok[1] == "|":
                    self.la = None
                    continue
                if tok[0] == "o" and tok[1] == ")":
                    self.la = None
                    break
                self._bad("bad case pattern")
                return
            self._list(_T_CASE)
            tok = self._peek()
            if tok[0] == "o" and tok[1] in _T_CASE:
                self.la = None
                continue
            if tok[0] == "w" and tok[2] and tok[1].raw == "esac":
                self.la = None
                return
            self._bad("unterminated case")
            return

    def _cond(self, op_before):
        """[[ ... ]]: everything up to ]] is a word of one command named '[['."""
        words = []
        tok = self._next()
        words.append(tok[1])
        depth, origin, _ = self.ctx
        span = self.span
        while True:
            tok = self._peek()
            kind = tok[0]
            if kind == "e" or (kind == "o" and tok[1] == "\n"):
                self._bad("unterminated [[")
                break
            self.la = None
            if kind == "w":
                words.append(tok[1])
                if tok[2] and tok[1].raw == "]]":
                    break
            elif kind == "o":
                local = tok[3]
                op = tok[1]
                s = span[0] if span else self.base + local
                e = span[1] if span else self.base + local + len(op)
                words.append(Word(op, op, s, e))
            else:  # a redirect token: '<'/'>' compare strings here
                raw = tok[1] if span else self.t[tok[4] - self.base : tok[5] - self.base]
                words.append(Word(raw, None, tok[4], tok[5]))
        cmd = Command(tuple(words), (), (), words[0].start, words[-1].end,
                      op_before, None, depth, origin)
        self.st.commands.append(cmd)
        return cmd

    def _simple(self, op_before):
        st = self.st
        tok = self._peek()
        # commands nested in the first word were read before this one: go before them
        slot = tok[-1] if (len(tok) == 5 or len(tok) == 7) else len(st.commands)
        st.commands.insert(slot, None)
        words: list[Word] = []
        assigns: list[Word] = []
        redirs: list[str] = []
        heredocs: list[_Heredoc] = []
        start = end = None
        while True:
            tok = self.la
            if tok is None:
                tok = self._lex()
            else:
                self.la = None
            kind = tok[0]
            if kind == "w":
                w = tok[1]
                if words or not _ASSIGN.match(w.raw):
                    words.append(w)
                else:
                    assigns.append(w)
                if start is None:
                    start = w.start
                end = w.end
            elif kind == "r":
                redirs.append(tok[1])
                if tok[2] is not None:
                    heredocs.append(tok[2])
                if start is None:
                    start = tok[4]
                end = tok[5]
            elif kind == "o" and tok[1] == "(" and len(words) == 1 and not assigns and not redirs:
                self._bad("function definition")
                if self._expect_op(")", "unexpected '('"):
                    tok = self._skip_newlines()
                    if tok[0] != "e":
                        depth, origin, scope = self.ctx
                        self.ctx = (depth + 1, origin, scope)
                        self._command(None)
                        self.ctx = (depth, origin, scope)
                st.commands[slot] = None
                return None
            else:
                self.la = tok
                break
        if start is None:
            return None
        depth, origin, scope = self.ctx
        cmd = _mk_command(tuple(words), tuple(assigns), tuple(redirs), start, end,
                          op_before, depth, origin)
        st.commands[slot] = cmd
        self._inspect(cmd)
        for hd in heredocs:
            hd.owner = cmd
            if hd.body is not None:
                self._heredoc_script(hd)
        return cmd

    # ------------------------------------------------------------- semantics

    def _inspect(self, cmd: Command) -> None:
        words = cmd.words
        if not words:
            return
        if words[0].value is None:
            self._bad("command name is an expansion")
            return
        name = command_name(words[0].value)
        if name == "set":
            self._set(cmd)
            return
        u = unwrap(cmd) if name in _WRAPPERS else cmd
        if u is not cmd:
            if u.words[0].value is None:
                self._bad("command name is an expansion")
                return
            name = command_name(u.words[0].value)
        if name == "env" and u.has_flag("-S", "--split-string"):
            self._bad("env -S")
        why = _UNKNOWN_NAMES.get(name)
        if why is not None:
            self._bad(why)
            return
        if name in POSIX_SHELLS:
            has_c, script, pf = _shell_args(u)
            if has_c:
                if script is None:
                    self._bad("sh -c without a script")
                elif script.value is None:
                    self._bad("sh -c with a non-literal script")
                else:
                    self._nested(script, pf)
        elif name == "su" or name == "runuser":
            self._su(u)

    def _su(self, u: Command) -> None:
        """``su USER -c CMD`` / ``su -c CMD USER`` runs CMD with a shell."""
        ws = u.words
        n = len(ws)
        for k in range(1, n):
            v = ws[k].value
            if v is None or v[:1] != "-":
                continue
            if v == "--":
                return
            if v.startswith("--command="):
                w = ws[k]
                self._nested(Word(w.raw, v[10:], w.start, w.end), False)
                return
            if v == "--command" or (v[1:2] != "-" and v[-1] == "c" and _SHORT_GROUP.fullmatch(v)):
                if k + 1 >= n:
                    self._bad("su -c without a command")
                elif ws[k + 1].value is None:
                    self._bad("su -c with a non-literal command")
                else:
                    self._nested(ws[k + 1], False)
                return

    def _set(self, cmd: Command) -> None:
        ws = cmd.words
        n = len(ws)
        scope = self.ctx[2]
        i = 1
        while i < n:
            v = ws[i].value
            if v is None or len(v) < 2 or v[0] not in "-+" or v == "--" or v.startswith("--"):
                break
            on = v[0] == "-"
            count = v.count("o", 1)
            i += 1
            for _ in range(count):
                if i < n:
                    if ws[i].value == "pipefail":
                        self.st.event(scope, on)
                    i += 1

    def _nested(self, word: Word, pipefail: bool) -> None:
        """Read the literal script of ``sh -c`` as a nested script."""
        value = word.value
        span = self.span
        base = 0
        if span is None:
            raw = word.raw
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == value:
                base = word.start + 1
            elif raw == value:
                base = word.start
            else:
                span = (word.start, word.end)
        self._run_nested(value, base, span, pipefail)

    def _run_nested(self, text, base, span, pipefail):
        st = self.st
        scope = (st.scope(),)
        if pipefail:
            st.event(scope, True)
        self._enter()
        sub = _Parser(text, st, base, span, (self.ctx[0] + 1, "sh-c", scope))
        sub.run()
        st.nest -= 1

    def _heredoc_script(self, hd: _Heredoc) -> None:
        """A heredoc on a shell's stdin is a script: read it."""
        cmd = hd.owner
        if not hd.stdin or cmd is None or hd.body is None:
            return
        u = unwrap(cmd)
        name = u.name
        if name not in POSIX_SHELLS:
            return
        has_c, script, pf = _shell_args(u)
        if has_c or (script is not None and script.value != "-"):
            return
        s, e = hd.body
        body = self.t[s:e]
        if hd.strip:
            body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
        if not hd.quoted and any(ch in body for ch in "$`\\"):
            self._bad("shell heredoc expanded by the outer shell")
        span = self.span
        base = 0
        if span is None:
            if hd.strip and body != self.t[s:e]:
                span = (self.base + s, self.base + e)
            else:
                base = self.base + s
        saved = self.ctx
        self.ctx = (cmd.depth, saved[1], saved[2])
        try:
            self._run_nested(body, base, span, pf)
        finally:
            self.ctx = saved


def _shell_args(cmd: Command):
    """(has -c, the script word or first operand, -o pipefail given) of a shell command."""
    words = cmd.words
    n = len(words)
    i = 1
    has_c = False
    pf = False
    while i < n:
        v = words[i].value
        if v is None:
            return has_c, words[i], pf
        if v == "--" or v == "-":
            i += 1
            break
        if len(v) > 1 and v[0] in "-+":
            if v.startswith("--"):
                i += 2 if v in ("--rcfile", "--init-file") else 1
                continue
            letters = v[1:]
            if "c" in letters:
                has_c = True
            takes = letters.count("o") + letters.count("O")
            i += 1
            for _ in range(takes):
                if i < n:
                    if words[i].value == "pipefail" and v[0] == "-":
                        pf = True
                    i += 1
            continue
        break
    if i < n:
        return has_c, words[i], pf
    return has_c, None, pf


# --------------------------------------------------------------------------
# entry points


def _failed(why: str) -> Script:
    return Script((), False, (why,), False, False)


def _parse(text: str, pipefail: bool = False) -> Script:
    st = _State()
    if pipefail:
        st.event((0,), True)
    try:
        _Parser(text, st).run()
    except _TooDeep:
        st.reasons.append("nested too deeply")
    except RecursionError:
        st.reasons.append("nested too deeply")
    return st.script()


def parse_shell(text: str) -> Script:
    """Read shell text (a RUN's shell form or a heredoc body) into commands."""
    try:
        if not isinstance(text, str):
            return _failed("not a string")
        return _parse(text)
    except Exception as exc:  # never raise: the reader is on the linter's hot path
        return _failed("internal error: %s" % type(exc).__name__)


def parse_exec(argv: list[str]) -> Script:
    """Read an exec-form argv.

    ``["sh", "-c", script, ...]`` (any shell, any options before the script,
    ``-o pipefail`` honoured) reads ``script`` as parse_shell would, offsets
    relative to the script string.  Anything else is one command whose words
    all have offsets 0 (plus the nested commands of a wrapped ``sudo sh -c``).
    """
    try:
        argv = [a if isinstance(a, str) else str(a) for a in argv]
        if not argv:
            return _failed("empty exec form")
        words = tuple(Word(a, a, 0, 0) for a in argv)
        cmd = Command(words, (), (), 0, 0, None, None, 0, "top")
        if command_name(argv[0]) in POSIX_SHELLS:
            has_c, script, pf = _shell_args(cmd)
            if has_c and script is not None:
                return _parse(script.value, pf)
        st = _State()
        st.commands.append(cmd)
        parser = _Parser("", st, 0, (0, 0))
        try:
            parser._inspect(cmd)
        except (_TooDeep, RecursionError):
            st.reasons.append("nested too deeply")
        return st.script()
    except Exception as exc:
        return _failed("internal error: %s" % type(exc).__name__)
