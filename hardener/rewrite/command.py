"""The program the image really starts, with what a shell-less image cannot run taken away.

Starting from ENTRYPOINT + CMD (plan.Facts.exec), this removes what only
*wraps* the app and has a shell-less equivalent or none is needed:

- an entrypoint script whose only job is ``exec "$@"`` (read from the build
  context) — anything more is a skip, never a guess;
- a base image's pass-through entrypoint (Temurin's ``/__cacert_entrypoint.sh``)
  and the official node image's ``docker-entrypoint.sh`` (which only puts
  ``node`` in front of a script name);
- an init that only starts the command (``tini``, ``dumb-init``, ``catatonit``
  of ``programs.INITS``; a warning: ``docker run --init`` gives the same).

What is left must be a program, not a shell. The ecosystems ask for it:
``known(facts)`` while they detect (None where there is no such command; it
never raises) and ``demand(facts, log)`` when their plan needs it (the Skip
that says why there is none). It is worked out once per file.
"""

from __future__ import annotations

import posixpath

from ..programs import INITS as _ALL_INITS, POSIX_SHELLS
from ..semantic.state import normalize as norm
from .plan import PASSTHROUGH_ENTRYPOINTS, Exec, Facts, passthrough_script
from .result import Log, SkipError

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# PATH that official images set (what a bare program name resolves against).
IMAGE_PATH = {
    "golang": "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH,
    "rust": "/usr/local/cargo/bin:" + DEFAULT_PATH,
    "eclipse-temurin": "/opt/java/openjdk/bin:" + DEFAULT_PATH,
    "maven": "/opt/java/openjdk/bin:" + DEFAULT_PATH,
    "gradle": "/opt/java/openjdk/bin:/opt/gradle/bin:" + DEFAULT_PATH,
}

# init processes that only start the command after their options (a supervisor such as s6's /init runs
# services of its own: dropping it would lose them)
INITS = _ALL_INITS - {"init", "s6-svscan"}
RUNNERS = {"uv", "poetry", "pipenv"}
RUNNER_VALUE_OPTIONS = {"--with", "--python", "-p", "--env-file", "--directory", "--project", "--package",
                        "--group", "--extra", "--index", "--index-url"}


def demand(facts: Facts, log: Log) -> tuple[Exec, list[str]]:
    """The command the image runs, as a shell-less image can run it, and the wrapper scripts dropped from it.

    Raises the Skip that stops the rewrite when there is none (``no-command``) or it needs a shell. Worked
    out once per file, on first use (``known`` may have done it while the ecosystems were detected): the
    notes it makes reach ``log`` when a plan demands it, so a plan that never needs a command logs none.
    """
    ex, dropped, notes, error = _read(facts)
    for note in notes.warnings:
        log.warn(note.message, note.where)
    for note in notes.explain:
        log.why(note.message, note.where)
    if error is not None:
        raise SkipError(error.kind, error.reason, error.hint)
    assert ex is not None
    return ex, dropped


def known(facts: Facts) -> Exec | None:
    """The command ``demand`` gives, or None where it would skip; for ``detect``: logs and raises nothing."""
    return _read(facts)[0]


def _read(facts: Facts) -> tuple[Exec | None, list[str], Log, SkipError | None]:
    def compute():
        notes = Log()
        try:
            ex, dropped = normalize(facts, notes)
            _needs_no_shell(ex)
        except SkipError as err:
            return None, [], notes, err
        return ex, dropped, notes, None

    return facts.build.memo(("rewrite.command",), compute)


def _needs_no_shell(ex: Exec) -> None:
    argv0 = ex.argv[0]
    if posixpath.basename(argv0) in POSIX_SHELLS:
        if len(ex.argv) == 1:
            raise SkipError("bare-interpreter", f"the image runs a bare shell ({argv0}): it is a base or tool image, "
                            "not an app", "set the command that starts the app")
        raise SkipError("shell-form", f"the image runs a shell script through {argv0}", "run the app directly in exec form")


def resolve_program(facts: Facts, word: str) -> list[str]:
    """Absolute candidates for a program word: a path against WORKDIR, a bare name along PATH."""
    if "/" in word:
        if word.startswith("/"):
            return [norm(word)]
        return [norm(posixpath.join(facts.workdir, word))]
    repo = facts.root.base.repository if facts.root.base.resolved else ""
    path = facts.env_end.get("PATH") or IMAGE_PATH.get(repo, DEFAULT_PATH)
    return [norm(posixpath.join(d, word)) for d in path.split(":") if d.startswith("/")]


def _script_text(facts: Facts, word: str) -> tuple[str | None, str | None]:
    """(text, image path) of a script the chain copies from the context, if found."""
    for cand in resolve_program(facts, word):
        found = facts.context_file(cand)
        if found is not None:
            try:
                return found.read_text(encoding="utf-8", errors="replace"), cand
            except OSError:
                return None, cand
    return None, None


def _is_script_name(word: str) -> bool:
    base = posixpath.basename(word)
    return base.endswith(".sh") or base in ("docker-entrypoint", "entrypoint", "start", "run")


def normalize(facts: Facts, log: Log) -> tuple[Exec, list[str]]:
    """(the command, image paths of dropped wrapper scripts)."""
    ex = facts.exec()
    for message, at in facts.notes:
        log.why(message, at)
    dropped: list[str] = []
    where = facts.where(ex.entry_ins or ex.cmd_ins)

    # 1. pass-through entrypoints of base images
    if ex.entry and ex.entry[0] in PASSTHROUGH_ENTRYPOINTS:
        log.why(f"dropped the base image's entrypoint {ex.entry[0]}: it only runs the command", where)
        ex.entry = ex.entry[1:]

    # 2. init wrappers
    for _ in range(2):
        argv = ex.argv
        if argv and posixpath.basename(argv[0]) in INITS:
            n = 1
            while n < len(argv) and argv[n].startswith("-"):
                n += 1
                if argv[n - 1] == "--":
                    break
            log.warn(f"{posixpath.basename(argv[0])} dropped (the shell-less image has none); "
                     "run the container with `docker run --init` if the app needs an init process", where)
            _drop(ex, n)

    # 3. entrypoint scripts
    if ex.entry and (_is_script_name(ex.entry[0]) or facts.context_file(resolve_program(facts, ex.entry[0])[0]) is not None):
        word = ex.entry[0]
        if facts.root_info.entrypoint and posixpath.basename(word) == posixpath.basename(facts.root_info.entrypoint) \
                and facts.root_info.runtime == "node" and word == "docker-entrypoint.sh":
            pass  # the node image's own, handled below
        else:
            text, path = _script_text(facts, word)
            if text is None:
                if _is_script_name(word):
                    raise SkipError(
                        "missing-context" if facts.context_dir is None or path is None else "entrypoint-script",
                        f"the entrypoint {word} is a script dhard cannot read in the build context "
                        "(it may need a shell)",
                        "pass --context with the directory the image is built from",
                    )
            elif text.startswith("\x7fELF"):
                pass
            elif passthrough_script(text):
                log.why(f"dropped the entrypoint script {word}: it only does exec \"$@\"", where)
                dropped.append(path)
                ex.entry = ex.entry[1:]
            else:
                raise SkipError(
                    "entrypoint-script",
                    f"the entrypoint script {word} does more than exec \"$@\"; a shell-less image cannot run it",
                    "move its set-up into the build or the app, or use --level hardened",
                )

    # 4. the node image's docker-entrypoint.sh: prefixes node unless the first word is a command
    if ex.entry and ex.entry[0] == "docker-entrypoint.sh" and facts.root_info.runtime == "node":
        ex.entry = ex.entry[1:]
        first = ex.cmd[0] if ex.cmd else ""
        if not ex.entry and ex.cmd and (first.startswith("-") or first.endswith((".js", ".mjs", ".cjs"))):
            ex.cmd = ["node", *ex.cmd]
        log.why("the node image's docker-entrypoint.sh is not needed: the command is run directly", where)

    # 5. project runners: `uv run X`, `poetry run X`, `pipenv run X` only start X in the project's venv
    argv = ex.argv
    if len(argv) >= 3 and posixpath.basename(argv[0]) in RUNNERS and argv[1] == "run":
        n = 2
        while n < len(argv) and argv[n].startswith("-"):
            n += 2 if argv[n] in RUNNER_VALUE_OPTIONS else 1
        if n < len(argv):
            runner = posixpath.basename(argv[0])
            _drop(ex, n)
            if ex.argv and ex.argv[0].endswith(".py"):
                if ex.entry:
                    ex.entry = ["python", *ex.entry]
                else:
                    ex.cmd = ["python", *ex.cmd]
            log.why(f"`{runner} run` dropped: it only starts the command in the project's virtualenv, whose "
                    "packages the runtime image gets directly", where)

    argv = ex.argv
    if not argv:
        raise SkipError("no-command", "the image's command is empty after its wrappers are removed",
                        "set a CMD that starts the app")
    if _is_script_name(argv[0]) and posixpath.basename(argv[0]).endswith(".sh"):
        raise SkipError(
            "entrypoint-script",
            f"the image runs the shell script {argv[0]}; a shell-less image cannot",
            "run the app directly in exec form, or use --level hardened",
        )
    return ex, dropped


def _drop(ex: Exec, n: int) -> None:
    """Remove the first n words of the command (from ENTRYPOINT first, then CMD)."""
    take = min(n, len(ex.entry))
    ex.entry = ex.entry[take:]
    n -= take
    if n:
        ex.cmd = ex.cmd[n:]
