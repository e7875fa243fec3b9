"""``--level hardened``: the fallback when a shell-less image is out of reach.

Same base, same OS family, same ENTRYPOINT/CMD; the improvements that do not
need the app to change:

- setuid/setgid bits stripped in the final stage
  (``find / -xdev -perm /6000 -type f -exec chmod a-s {} +``) and a non-root
  ``USER`` after the last step that needs root: the base image's own non-root
  user when it has one (``node``), else the numeric ``65532:65532``, which
  needs no passwd entry (``USER nonroot`` would fail outside distroless);
  images whose entrypoint drops privileges itself (postgres, redis) get no USER;
- then the lint rules' fixes, unsafe ones included (``hardener.fixer``):
  package-manager lists and caches removed, ``--no-install-recommends``,
  exec-form CMD/ENTRYPOINT, pins from the configuration.

With ``--build-target`` the file is hardened as if it ended with that stage
(the rules judge the last stage), and the stages after it follow as written.
The stages are edited in place, so when a later stage reads one the rewrite
changes (``FROM app AS dev`` would inherit the USER), it is skipped: the
distroless level keeps the original as a builder and handles that case.
"""

from __future__ import annotations

from ..model import Dockerfile
from ..parse import parse
from ..semantic.users import is_root
from .plan import Facts, shown_name
from .result import Log, SkipError, Success

STRIP_GNU = "find / -xdev -perm /6000 -type f -exec chmod a-s {} +"
STRIP_BUSYBOX = "find / -xdev \\( -perm -4000 -o -perm -2000 \\) -type f -exec chmod a-s {} +"
_TRAILERS = frozenset("CMD ENTRYPOINT HEALTHCHECK EXPOSE LABEL STOPSIGNAL VOLUME MAINTAINER ONBUILD".split())


def rewrite(df: Dockerfile, context_dir, config, log: Log, build_target: str | None = None) -> Success:
    from ..fixer import fix_source

    if build_target is not None:
        from ..semantic.build import target_stage

        stage = target_stage(df, build_target)
        if stage.index < len(df.stages) - 1:
            return _rewrite_head(df, stage, context_dir, config, log)
    facts = Facts(df, context_dir, config)
    info = facts.root_info
    for stage in facts.chain:
        if facts.build.image_of(stage).family == "windows":
            raise SkipError("windows", f"{stage.base.written} is a Windows image; the hardened level covers Linux images", None)
    if not facts.root.base.resolved and df.escape == "`":
        raise SkipError("windows", "the file uses the Windows escape character", None)
    if info.has_shell is False:
        raise SkipError("already-hardened", f"the final stage ({facts.root.base.written}) is already shell-less; "
                        "use the distroless level", None)
    text = _own_edits(facts, log)
    source = df.source.with_text(text)
    result = fix_source(source, config, unsafe=True)
    for finding in result.applied:
        log.why(f"{finding.code} ({finding.name}): {finding.fix.title}", f"{facts.name}:{finding.line}")
    for finding in result.reverted:
        log.warn(f"{finding.code} fix left out: its result would not parse", f"{facts.name}:{finding.line}")
    new_text = result.source.text
    new_df = parse(result.source)
    if new_df.error is not None:  # the fixer never leaves a broken file, but be sure
        new_text = text
    for finding in result.remaining:
        if finding.code[:3] in ("DH1", "DH2", "DH3") and finding.severity >= 2:
            log.warn(f"{finding.code} ({finding.name}) remains: {finding.message}", f"{facts.name}:{finding.line}")
        elif finding.code == "DH404":
            log.warn(f"the base image is not pinned by digest ({finding.message}); dhard cannot look digests up "
                     "offline: run `dhard pin` (network; records dhard.lock), or add a `pins` entry in the configuration",
                     f"{facts.name}:{finding.line}")
    if new_text == df.text:
        raise SkipError("already-hardened", "the hardened level finds nothing to change in this file",
                        "run `dhard check` for what is left")
    return Success(text=new_text, warnings=tuple(log.warnings), explain=tuple(log.explain),
                   base=facts.root.base.written, level="hardened")


def _rewrite_head(df: Dockerfile, stage, context_dir, config, log: Log) -> Success:
    """--build-target with later stages: the file up to ``stage`` is hardened, the rest kept as written."""
    from ..semantic.build import Build

    later = df.stages[stage.index + 1:]
    split = later[0].from_.trivia_start
    head = parse(df.source.with_text(df.text[:split]))
    result = rewrite(head, context_dir, config, log)  # the target is the last stage of the head
    new = parse(df.source.with_text(result.text))
    changed = [s for s in head.stages
               if s.index >= len(new.stages) or _text_of(head, s) != _text_of(new, new.stages[s.index])]
    build = Build(df, config)
    for reader in later:
        read = _reads(build, reader)
        hit = next((s for s in changed if s.index in read), None)
        if hit is not None:
            name = hit.alias or f"at line {hit.from_.start_line}"
            how = "is built on it" if any(c.index == hit.index for c in build.chain(reader)) else "copies from it"
            raise SkipError("unsupported", f"the hardened level changes the stage {name} in place, and "
                            f"{reader.alias or 'a later stage'} ({_where(df, reader.from_)}) {how}: "
                            "it would build differently", "use the distroless level, which keeps the original "
                            "stage as the builder of a new one, or harden without --build-target")
    names = ", ".join(s.alias or f"the one at line {s.from_.start_line}" for s in later)
    log.why(f"the stages after {stage.alias} ({names}) are kept as written: `--target {stage.alias}` does not "
            "build them, and none reads a stage the rewrite changes", _where(df, later[0].from_))
    text = result.text if result.text.endswith("\n") else result.text + df.source.newline
    return Success(text=text + df.text[split:], warnings=tuple(log.warnings), explain=tuple(log.explain),
                   base=result.base, level="hardened")


def _text_of(df: Dockerfile, stage) -> str:
    return df.text[stage.from_.start:stage.instructions[-1].end]


def _reads(build, stage) -> set[int]:
    """The stages ``stage`` reads files or its base from, directly or not."""
    seen: set[int] = set()
    todo = [stage.index]
    while todo:
        for index in build.stage_inputs(build.df.stages[todo.pop()]):
            if index not in seen:
                seen.add(index)
                todo.append(index)
    return seen


def _where(df: Dockerfile, ins) -> str:
    return f"{shown_name(df)}:{ins.start_line}"


def _own_edits(facts: Facts, log: Log) -> str:
    df = facts.df
    text = df.text
    eol = df.source.newline
    info = facts.root_info
    final = facts.final
    own = list(final.instructions)
    # the point after the last step of the final stage that changes files
    anchor = None
    last_work = 0
    for n, ins in enumerate(own):
        if ins.name in ("RUN", "COPY", "ADD", "WORKDIR", "USER", "FROM"):
            last_work = n
    for ins in own[last_work + 1:]:
        if ins.name in _TRAILERS or ins.name in ("ENV", "ARG"):
            anchor = ins
            break
    root_now = is_root(facts.user)  # no USER yet: the build runs as the base image's root
    inserts: list[tuple[int, str]] = []
    lines: list[str] = []
    strip = STRIP_BUSYBOX if (info.family == "alpine" or info.libc == "musl" or info.family == "busybox") else STRIP_GNU
    if info.package_manager in (None,) and info.family is None:
        log.warn("dhard does not know the base image; the setuid strip assumes GNU find", facts.where(final.from_))
    stripped = any(ins.name == "RUN" and "chmod a-s" in ins.args and "find" in ins.args for ins in facts.instructions)
    if stripped:
        pass
    elif root_now:
        lines.append(f"RUN {strip}")
        log.why("setuid/setgid bits stripped from every file of the image: no program in it can gain privileges",
                facts.where(anchor) if anchor is not None else None)
    else:
        # a non-root USER is already in effect: strip before the first USER of the final stage
        first_user = next((i for i in own if i.name == "USER"), None)
        if first_user is not None:
            inserts.append((first_user.trivia_start, f"RUN {strip}{eol}"))
            log.why("setuid/setgid bits stripped before the image switches user", facts.where(first_user))
    if root_now:
        if not _root_flagged(facts):
            log.warn("no USER added: the image's entrypoint starts as root and drops privileges itself "
                     "(gosu / su-exec); a USER would break it", facts.where(final.from_))
        else:
            new_user = _user_for(info)
            lines.append(f"USER {new_user}")
            log.why(f"USER {new_user}: " + ("the base image's own non-root user" if ":" not in new_user else
                    "a numeric uid needs no passwd entry (USER nonroot exists only in distroless images)"),
                    facts.where(anchor) if anchor is not None else None)
            for path, ins in facts.volume_paths():
                log.warn(f"VOLUME {path} is owned by root unless the build gives it to {new_user}; "
                         f"add `RUN mkdir -p {path} && chown {new_user} {path}` before USER if the app writes there",
                         facts.where(ins))
    if lines:
        block = "".join(line + eol for line in lines)
        if anchor is not None:
            inserts.append((anchor.trivia_start, block))
        else:
            end = own[-1].end
            prefix = "" if text[:end].endswith("\n") else eol
            inserts.append((end, prefix + block))
    for at, content in sorted(inserts, reverse=True):
        text = text[:at] + content + text[at:]
    # exec form for simple shell-form CMD/ENTRYPOINT the rules did not convert is left to DH201's fix
    return text


def _root_flagged(facts: Facts) -> bool:
    """Whether the original runs its app as root: the build model's answer, as DH101 reports it."""
    run_as = facts.build.run_as
    return run_as is not None and run_as.as_root


def _user_for(info) -> str:
    if info.nonroot_user and info.family not in ("distroless", "chainguard", "dhi") and info.nonroot_uid not in (None, 0):
        return info.nonroot_user
    return "65532:65532"
