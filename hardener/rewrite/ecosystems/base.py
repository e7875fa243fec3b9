"""What every ecosystem provides, and the one Plan they all return.

An ecosystem is a module with three members (``Ecosystem`` below spells them
out for type checkers; at run time a module, a class or an instance will do):

``name``
    a short id: ``python``, ``node``, ``java``, ``native``. It is also the key
    ``rewrite/packages.py`` reads to tell that an OS package *is* the runtime
    the target already has (``python3`` for python).
``detect(facts) -> bool``
    whether the build is one of this ecosystem's, from the build's facts: the
    base image's runtime (``facts.root_info``, ``facts.build.image_of``), what
    the RUNs install or build, and the command the image runs when there is
    one (``rewrite.command.known(facts)``, which never raises). It must not
    log nor raise a Skip: it only claims the build.
``plan(facts, target, log) -> Plan``
    the target image and what goes into the final stage. A plan that needs the
    command asks for it with ``rewrite.command.demand(facts, log)`` first thing
    (that is where ``no-command``, ``shell-form``, ``entrypoint-script`` ... are
    raised, in the same order for every ecosystem); one whose program is
    configured by files may never ask.

The main flow (``rewrite/distroless.py``) takes the first registered
ecosystem whose ``detect`` is true, calls its ``plan``, and does the rest the
same way for all: the runtime-package check, ``Plan.source_check``, the port
warnings, ``--chown`` where the app writes, HEALTHCHECK, the text.
"""

from __future__ import annotations

from ...record import dataclass, field
from ...semantic.packages import recognise
from ..result import SkipError

TYPE_CHECKING = False  # importing typing would cost start-up time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Protocol

    from ...model import Instruction
    from ...semantic.packages import PackageCommand
    from ...shell import Command
    from ..files import CopySpec
    from ..plan import Exec, Facts, Package
    from ..result import Log
    from ..targets import Runtime

    class Ecosystem(Protocol):
        """The interface: a module of ``rewrite/ecosystems/`` satisfies it."""

        name: str

        def detect(self, facts: Facts) -> bool: ...

        def plan(self, facts: Facts, target: str, log: Log) -> Plan: ...


INTERFACE = ("name", "detect", "plan")


@dataclass
class Plan:
    """An ecosystem's decisions, in the terms the final stage is written in."""

    runtime: Runtime  # the target image and what it runs by itself
    roots: list[str] = field(default_factory=list)  # app paths copied from copy_stage (same path; --chown decided later)
    copies: list[CopySpec] = field(default_factory=list)  # copies the ecosystem places itself (site-packages ...)
    env: list[tuple[str, str]] = field(default_factory=list)  # ENV lines of the final stage
    entrypoint: list[str] | None = None  # None: the target's own ENTRYPOINT
    cmd: list[str] | None = None
    stages: list[str] = field(default_factory=list)  # extra builder stages (instruction lines), before the final one
    copy_stage: str | None = None  # the stage the roots are copied from (None: the original final stage)
    program: str | None = None  # a compiled program's path (a HEALTHCHECK may run it)
    command: Exec | None = None  # the command the plan is for (None: the program is configured by files)
    provided: frozenset[str] = frozenset()  # OS packages (Debian names) the target stands for: its runtime itself
    # the checks the main flow runs for every plan, switched per ecosystem:
    source_check: Callable[[Log], None] | None = None  # reads the app's sources (after the runtime packages)
    command_ports: bool = True  # warn about ports below 1024 the command names (--port 80, -b :80)
    # a program configured by files (nginx) says itself what the main flow otherwise reads from the app:
    files: dict[str, str] = field(default_factory=dict)  # new build-context files (path -> text) the copies read
    expose: list[str] | None = None  # the ports EXPOSE names (None: the original's EXPOSE lines, as written)
    ports: dict[int, int] = field(default_factory=dict)  # old -> new: ports the program moved to
    writes: list[str] | None = None  # folders the program writes (None: analysis.writes reads the app's sources)


# -- facts several ecosystems read -----------------------------------------------------------------------


def installed_packages(facts: Facts) -> list[Package]:
    """The OS packages the chain installs, or none when they cannot be read (the main flow says why later)."""
    try:
        return facts.packages()
    except SkipError:
        return []


def package_commands(facts: Facts, *families: str) -> Iterator[tuple[Instruction, Command, PackageCommand]]:
    """(RUN, command as written, what ``semantic.packages.recognise`` read) for the chain's package commands."""
    for ins, script in facts.runs:
        for position, raw in enumerate(script.commands):
            pkg = recognise(raw, position)
            if pkg is not None and (not families or pkg.family in families):
                yield ins, raw, pkg


def installs_with(facts: Facts, *families: str) -> bool:
    """Whether a RUN of the chain installs packages with one of ``families`` (``pip``, ``npm`` ...)."""
    return any(pkg.action in ("install", "add", "ci", "sync") for _, _, pkg in package_commands(facts, *families))


def runs_program(facts: Facts, *names: str) -> bool:
    """Whether a RUN of the chain runs one of ``names`` (``javac``, ``go`` ...), wrappers stripped."""
    from ...shell import unwrap

    wanted = set(names)
    return any(unwrap(raw).name in wanted for _, script in facts.runs for raw in script.commands)


def base_runtime(facts: Facts) -> str | None:
    """The runtime the final stage's base image carries (``python``, ``node``, ``java`` ...), if it is known."""
    return facts.root_info.runtime
