"""What each RUN of the shipped stages installs, cleans and mounts, for DH301-DH308.

Commands are recognised by the build model's one package-command reader
(``hardener.semantic.packages``), in the order ``runedit`` reads the RUN: through
``sh -c '...'``, ``$(...)``, compound commands, ``RUN <<EOF`` bodies and
heredocs fed to a shell (``RUN bash <<'EOF'``). Computed once per RUN.
"""

from __future__ import annotations

from ..model import Instruction
from ..semantic.packages import PackageCommand, recognise
from ..shell import Command, Word
from . import runedit

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from .context import RuleContext

# -- paths -----------------------------------------------------------------------------------------


def canon(path: str) -> str:
    """A path with its home written ``~`` and no trailing ``/``, ``/*`` or ``/.``."""
    p = path
    if p.startswith("/root/") or p == "/root":
        p = "~" + p[5:]
    elif p.startswith("/home/"):
        rest = p[6:]
        slash = rest.find("/")
        p = "~" if slash < 0 else "~" + rest[slash:]
    while "//" in p:
        p = p.replace("//", "/")
    while True:
        if p.endswith("/*") or p.endswith("/."):
            p = p[:-2]
        elif len(p) > 1 and p.endswith("/"):
            p = p[:-1]
        else:
            return p


def covers(path: str, target: str) -> bool:
    """Whether removing or mounting ``path`` takes ``target`` out of the layer."""
    p = canon(path)
    t = canon(target)
    if p in ("", "/"):
        return True
    return t == p or t.startswith(p + "/")


def word_path(word: Word) -> str | None:
    """The path a word names: literal, or under ``$HOME``; None when it cannot be known.

    A quoted glob (``"/var/lib/apt/lists/*"``) names a file called ``*``: no path."""
    v = word.value
    raw = word.raw
    if v is None:
        quoted = len(raw) > 1 and raw[0] == raw[-1] and raw[0] in "\"'"
        if quoted:
            raw = raw[1:-1]
        for prefix in ('"${HOME}"', '"$HOME"', "${HOME}", "$HOME"):
            if raw.startswith(prefix):
                rest = raw[len(prefix) :]
                if any(ch in rest for ch in "$`\"'\\"):
                    return None
                if quoted and rest.endswith("*"):
                    return None
                return "~" + rest
        return None
    if v.endswith("*") and not raw.endswith("*"):
        return None
    return v


# -- what one RUN does ------------------------------------------------------------------------------


class RunFacts:
    """Package commands, removals and cache mounts of one RUN."""

    __slots__ = ("ins", "rt", "order", "pkgs", "mounts", "known", "positions")

    def __init__(self, ins: Instruction, rt, order, pkgs, mounts, known):
        self.ins = ins
        self.rt = rt  # runedit.RunText (None: no shell script we read)
        self.order: list[Command] = order
        self.pkgs: list[PackageCommand] = pkgs
        self.mounts: list[tuple[str, str]] = mounts  # (type, target)
        self.known: bool = known

    def of(self, *families: str) -> list[PackageCommand]:
        return [p for p in self.pkgs if p.family in families]

    def mounted(self, *targets: str) -> bool:
        """A cache/tmpfs/bind mount keeps one of ``targets`` out of the layer."""
        for kind, path in self.mounts:
            if kind in ("cache", "tmpfs", "bind") and any(covers(path, t) for t in targets):
                return True
        return False

    def removed(self, targets, after: int = -1) -> bool:
        """An ``rm -r``/``find -delete`` after ``after`` removes one of ``targets``.

        When the script is not fully known, order is not trusted: any removal counts."""
        for p in self.pkgs:
            if p.family != "rm" or p.action == "unlink" or (self.known and p.position <= after):
                continue
            if p.action == "find-delete":
                paths = [w for w in p.cmd.words[1:2]]
            else:
                paths = p.operands()
            for w in paths:
                path = word_path(w)
                if path is not None and any(covers(path, t) for t in targets):
                    return True
        return False

    def after(self, pkg: PackageCommand) -> list[PackageCommand]:
        """Commands that run after ``pkg`` (all of them when order is not trusted)."""
        if not self.known:
            return [p for p in self.pkgs if p is not pkg]
        return [p for p in self.pkgs if p.position > pkg.position]

    def region_of(self, pkg: PackageCommand):
        if self.rt is None:
            return None
        return self.rt.region_of(pkg.raw.start)

    def mentions(self, text: str) -> bool:
        """Whether the RUN's text contains ``text`` (a fallback when the script is not known)."""
        if self.rt is None:
            return False
        return text in self.rt.text


def facts(ctx: "RuleContext", ins: Instruction) -> RunFacts:
    return ctx.build.memo(("dh3-facts", ins.index), lambda: _facts(ctx, ins))


def shipped(ctx: "RuleContext") -> list[RunFacts]:
    """Facts of every RUN (ONBUILD RUN included) of the shipped stages, in file order."""
    return ctx.build.memo(("dh3-shipped",), lambda: [facts(ctx, ins) for ins, _ in ctx.build.runs(shipped=True)])


_NAMES = ("apt", "apk", "dnf", "yum", "zypper", "pip", "uv", "npm", "yarn", "pnpm", "rm", "find", "export", "python", "pypy")


def _facts(ctx: "RuleContext", ins: Instruction) -> RunFacts:
    rt = runedit.build(ctx, ins)
    if rt is None:
        return RunFacts(ins, None, [], [], [], False)
    order = rt.order
    pkgs = []
    haystack = rt.text if rt.kind != "exec" else " ".join(ctx.build.body(ins).argv or ())
    if any(n in haystack for n in _NAMES):
        for position, raw in enumerate(order):
            pkg = recognise(raw, position)
            if pkg is not None:
                pkgs.append(pkg)
    return RunFacts(ins, rt, order, pkgs, _mounts(ctx, ins), rt.script.known)


def _mounts(ctx: "RuleContext", ins: Instruction) -> list[tuple[str, str]]:
    return [(m.kind, m.target) for m in ctx.build.mounts(ins) if m.target]


# -- the build around a RUN -----------------------------------------------------------------------


def stage_chain(ctx: "RuleContext", ins: Instruction) -> set[int]:
    """The RUN's stage and the stages it is built FROM."""
    stage = ctx.df.stage_of(ins)
    return {s.index for s in ctx.build.chain(stage)} if stage is not None else set()


def later_runs(ctx: "RuleContext", ins: Instruction):
    """RUNs that run on top of this RUN's result: later in its stage or in stages built FROM it,
    and ONBUILD RUN triggers of those stages (they run in a child build)."""
    stage = ctx.df.stage_of(ins)
    stages = ctx.build.descendants(stage) if stage is not None else set()
    for other in ctx.df.instructions:
        if other.stage not in stages or other.index == ins.index:
            continue
        body = ctx.build.body(other)
        if body.name != "RUN":
            continue
        if other.index > ins.index or other.sub is not None:
            yield other


def sudo_prefix(pkgs: list[PackageCommand]) -> str:
    return "sudo " if any(p.sudo for p in pkgs) else ""
