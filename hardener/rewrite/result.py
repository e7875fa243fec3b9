"""What ``dhard harden`` returns: Success(text, warnings) | Skip(reason) | Failure(error).

A Skip names its *kind* (a stable, kebab-case id the corpus table and the
fixtures count by) and a reason a person can act on. Warnings and explain
notes carry an optional ``where`` (``path:line``) so a message can point at
the source of the concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Skip kinds (stable ids; docs/harden-corpus.md counts by them).
SKIP_KINDS = {
    "already-hardened": "the final stage is already shell-less and non-root",
    "windows": "Windows images have no distroless counterpart",
    "unresolved-base": "the final base image depends on a build argument without a default",
    "no-command": "the image has no CMD/ENTRYPOINT of its own (a base image, not an app)",
    "bare-interpreter": "the command is a bare interpreter or shell (a base or tool image, not an app)",
    "shell-form": "a command needs a shell (expansions, operators, sh -c scripts)",
    "entrypoint-script": "an entrypoint script does more than exec \"$@\"",
    "drops-privileges": "the base image's entrypoint starts as root and drops privileges itself",
    "runtime-packages": "OS packages the app needs at run time are missing from the target",
    "heredoc": "a heredoc in the final stage cannot be read",
    "python-shell": "the Python sources need a shell or tools the target lacks",
    "no-counterpart": "the target has no shell-less image for this runtime or version",
    "unknown-runtime": "dhard cannot tell which runtime the app needs",
    "unknown-binary": "dhard cannot tell where the program the image runs comes from",
    "musl": "the app was built against musl (Alpine); the target is glibc",
    "privileged-port": "the app binds a port below 1024, which a non-root user cannot where podman or Kubernetes run it",
    "missing-context": "a file dhard needs to read is not in the build context",
    "unsupported": "a construct dhard does not translate",
}


@dataclass(frozen=True)
class Note:
    """A warning or an explain line: what, why, and where in the sources."""

    message: str
    where: str | None = None  # "path:line" or "Dockerfile:12"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class Success:
    text: str
    warnings: tuple[Note, ...] = ()
    explain: tuple[Note, ...] = ()
    base: str | None = None  # the new final base image
    level: str = "distroless"
    # why the rewrite may break the app, from what dhard could not read or place (where it writes ...):
    # not written unless --verify proves it by building and running both images
    unproven: tuple[str, ...] = ()
    # new files of the build context the rewritten Dockerfile copies (path relative to the context -> text):
    # written with the Dockerfile (nginx's adapted configuration)
    files: tuple[tuple[str, str], ...] = ()
    ports: tuple[tuple[int, int], ...] = ()  # (old, new): ports the rewritten image listens on instead

    ok = True


@dataclass(frozen=True)
class Skip:
    kind: str
    reason: str
    hint: str | None = None  # what a person can do (e.g. try --level hardened)
    warnings: tuple[Note, ...] = ()
    explain: tuple[Note, ...] = ()

    ok = False

    def __post_init__(self):
        if self.kind not in SKIP_KINDS:
            raise ValueError(f"unknown skip kind {self.kind!r}")

    def __str__(self) -> str:
        text = f"skipped ({self.kind}): {self.reason}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Failure:
    error: str

    ok = False

    def __str__(self) -> str:
        return f"failed: {self.error}"


Result = Success | Skip | Failure


class SkipError(Exception):
    """Raised inside the planner to stop with a Skip; carries its fields."""

    def __init__(self, kind: str, reason: str, hint: str | None = None):
        super().__init__(reason)
        if kind not in SKIP_KINDS:
            raise ValueError(f"unknown skip kind {kind!r}")
        self.kind = kind
        self.reason = reason
        self.hint = hint


@dataclass
class Log:
    """Warnings and explain notes collected while planning."""

    warnings: list[Note] = field(default_factory=list)
    explain: list[Note] = field(default_factory=list)
    unproven_reasons: list[str] = field(default_factory=list)

    def warn(self, message: str, where: str | None = None) -> None:
        note = Note(message, where)
        if note not in self.warnings:
            self.warnings.append(note)

    def unproven(self, reason: str) -> None:
        if reason not in self.unproven_reasons:
            self.unproven_reasons.append(reason)

    def why(self, message: str, where: str | None = None) -> None:
        note = Note(message, where)
        if note not in self.explain:
            self.explain.append(note)
