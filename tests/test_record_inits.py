"""hardener/record_inits.py: every record's ``__init__``, compiled with the package instead of at run time."""

from __future__ import annotations

from hardener import record
from hardener.config import Config
from hardener.findings import Finding, Severity
from hardener.record_inits import INITS

from conftest import ROOT


def test_record_inits_is_current():
    written = (ROOT / "hardener" / "record_inits.py").read_text(encoding="utf-8")
    assert written == record.render_inits(), "a record changed: run `python -m hardener.record`"


def _function_code(source: str):
    module = compile(source, "<record>", "exec", dont_inherit=True)
    return next(c for c in module.co_consts if hasattr(c, "co_code"))


def test_each_precompiled_init_is_its_source_compiled():
    assert INITS
    for source, code in INITS.items():
        compiled = _function_code(source)
        for attribute in ("co_code", "co_varnames", "co_argcount", "co_names", "co_consts", "co_flags"):
            assert getattr(code, attribute) == getattr(compiled, attribute), (attribute, source)


def test_a_package_record_runs_the_precompiled_init_with_its_own_defaults():
    finding = Finding("DH101", "root-user", Severity.ERROR, "m", 0, 1)
    init = type(finding).__init__
    assert init.__code__.co_filename.endswith("record_inits.py") and init.__qualname__ == "Finding.__init__"
    assert finding.fix is None and finding.line == 0 and finding.extra == {} and finding.extra is not Finding(
        "DH101", "root-user", Severity.ERROR, "m", 0, 1).extra
    one, two = Config(), Config()
    assert one.severity == {} and one.severity is not two.severity  # a default_factory runs per instance
    assert Config(unsafe_fixes=True).unsafe_fixes is True and Config().failure_threshold == Severity.WARNING
