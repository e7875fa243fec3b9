"""Java apps: the JDK major, the jar or class path, and ``java -jar`` preset by the target.

Distroless java runs ``/usr/bin/java -jar`` as its ENTRYPOINT, so
``CMD ["java", "-jar", "app.jar"]`` becomes ``CMD ["app.jar"]`` (``java -jar java
...`` fails with "Unable to access jarfile java"). Anything else (JVM options,
``-cp ... Main``) gets an explicit ``ENTRYPOINT ["/usr/bin/java", ...]``. Only the
jar, or the class-path entries, are copied, with what other stages put beside them.
"""

from __future__ import annotations

import posixpath
import re

from ...semantic.state import normalize as norm
from .. import command, files
from ..plan import Facts
from ..result import Log, SkipError
from ..targets import describe, elsewhere, preset_is_reliable
from .base import Plan, base_runtime, installed_packages, runs_program

name = "java"

_WITH_VALUE = {"-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules", "--add-opens",
               "--add-exports", "--add-reads", "--patch-module", "--upgrade-module-path", "--limit-modules",
               "--enable-native-access"}
_JDK_PACKAGE = re.compile(r"^(?:openjdk-|temurin-|java-)(\d+)")


def detect(facts: Facts) -> bool:
    """The image runs java; with no command, the base image is a JDK/JRE, the build installs one or
    runs javac, Maven or Gradle."""
    ex = command.known(facts)
    if ex is not None:
        return posixpath.basename(ex.argv[0]) == "java"
    return base_runtime(facts) == "java" or any(_JDK_PACKAGE.match(p.name) for p in installed_packages(facts)) \
        or runs_program(facts, "javac", "mvn", "gradle", "gradlew", "mvnw")


def java_version(facts: Facts) -> str:
    info = facts.root_info
    if info.runtime == "java" and info.runtime_version:
        return info.runtime_version
    for pkg in installed_packages(facts):
        m = _JDK_PACKAGE.match(pkg.name) or re.match(r"^openjdk(\d+)", pkg.written)
        if m:
            return m.group(1)
    versions = set()
    for stage in facts.built_stages:
        if stage.index in facts.chain_indexes or stage.parent is not None:
            continue
        other = facts.build.image_info(stage.base)
        if other.runtime == "java" and other.runtime_version:
            versions.add(other.runtime_version)
    if len(versions) == 1:
        return versions.pop()
    raise SkipError("unknown-runtime", f"dhard cannot tell which Java major the app runs on ({facts.root.base.written})",
                    "build on a tag that names it, such as eclipse-temurin:17-jre")


def plan(facts: Facts, target: str, log: Log) -> Plan:
    from ...images import lookup

    ex, dropped = command.demand(facts, log)
    version = java_version(facts)
    counterparts = lookup(None, "eclipse-temurin", version).counterparts
    counterpart = counterparts.get(target)
    if not counterpart:
        raise SkipError("no-counterpart", f"there is no {target} Java image for Java {version}",
                        elsewhere(counterparts, target, "build for Java 17 or 21 (distroless "
                            "java17/java21-debian12), or use --level hardened"))
    runtime = describe(counterpart, target)
    out = Plan(runtime=runtime, command=ex)
    argv = ex.argv
    if posixpath.basename(argv[0]) != "java":
        raise SkipError("unknown-binary", f"the image runs {argv[0]}, not java; if it is a launcher script it needs a shell",
                        "CMD java with its arguments in exec form")
    args = argv[1:]
    opts: list[str] = []
    jar = None
    classpath: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-jar" and i + 1 < len(args):
            jar = args[i + 1]
            i += 2
            break
        if a in _WITH_VALUE and i + 1 < len(args):
            if a in ("-cp", "-classpath", "--class-path"):
                classpath.extend(args[i + 1].split(":"))
            opts += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith("-"):
            if a.startswith("-javaagent:"):
                classpath.append(a.split(":", 1)[1].split("=", 1)[0])
            opts.append(a)
            i += 1
            continue
        break  # the main class
    main_and_args = args[i:]
    where = facts.where(ex.cmd_ins or ex.entry_ins)
    paths: list[str] = []
    if jar:
        paths.append(_abs(facts, jar))
    if not jar:
        if not classpath:
            cp = facts.env_end.get("CLASSPATH")
            classpath = cp.split(":") if cp else ["."]
        if not main_and_args:
            raise SkipError("bare-interpreter", "the image runs java without a jar or main class", None)
    for entry in classpath:
        entry = re.sub(r"/?\*$", "", entry) or "."
        paths.append(_abs(facts, entry))
    # the command
    interp = "/usr/bin/java" if target == "distroless" else runtime.entrypoint[0]
    if jar and not opts and preset_is_reliable(target) and runtime.entrypoint[1:] == ("-jar",):
        if len(ex.entry) >= 3:  # ENTRYPOINT ["java", "-jar", "app.jar"] + CMD args: keep the split
            out.entrypoint = [interp, "-jar", jar, *ex.entry[3:]]
            out.cmd = list(ex.cmd) or None
        else:
            out.cmd = [jar, *main_and_args]
            log.why(f"CMD names the jar only: {runtime.image} already runs `java -jar` "
                    "(`java -jar java ...` would fail with 'Unable to access jarfile java')", where)
    else:
        if len(ex.entry) > 1:
            out.entrypoint = [interp, *ex.entry[1:]]
            out.cmd = list(ex.cmd) or None
        else:
            out.entrypoint = [interp]
            out.cmd = list(argv[1:])
        log.why(f"ENTRYPOINT names {interp} itself: the image's preset `java -jar` does not fit "
                f"`{' '.join(argv)}`", where)
    exclude = {p for p in dropped if p}
    out.roots = files.outermost(paths + files.asset_roots(facts, exclude, compiled=files.compiles(facts), log=log))
    return out


def _abs(facts: Facts, path: str) -> str:
    return norm(path if path.startswith("/") else posixpath.join(facts.workdir, path))
