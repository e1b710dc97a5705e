"""The public names (issue 12 items 10 and 11): strings for enums everywhere, the documented
names exported at the top level, the ``testing`` extra registered with Hypothesis."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import pytest

import kongchuo_rules
from kongchuo_rules import Agency, Cause, KongchuoError, agencies_for, responsibilities


def test_all_is_sorted_and_every_name_exists() -> None:
    assert kongchuo_rules.__all__ == sorted(kongchuo_rules.__all__)
    for name in kongchuo_rules.__all__:
        assert hasattr(kongchuo_rules, name), name


def test_every_public_name_is_imported_on_first_use() -> None:
    # the lazy table and __all__ name the same things, and each name is the module's own
    lazy = kongchuo_rules._EXPORTS  # type: ignore[attr-defined]
    assert set(lazy) | {"__version__"} == set(kongchuo_rules.__all__)
    for name, module in lazy.items():
        found = importlib.import_module(module, "kongchuo_rules")
        assert getattr(kongchuo_rules, name) is getattr(found, name), name
    assert sorted(dir(kongchuo_rules)) == kongchuo_rules.__all__
    with pytest.raises(AttributeError, match="no attribute 'assess_everything'"):
        kongchuo_rules.assess_everything  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_package_builds_no_model() -> None:
    code = (
        "import sys, kongchuo_rules; "
        "print(sorted(m for m in sys.modules if m.startswith(('kongchuo_rules.', 'pydantic', "
        "'holidays'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['kongchuo_rules._version']"


def test_assess_stays_the_function_when_its_module_is_imported_first() -> None:
    # the batch engine and the server import the module kongchuo_rules.assess; the package's
    # name `assess` must still be the function (a fresh process: nothing imported before)
    code = (
        "import kongchuo_rules.batch, kongchuo_rules.assess as m\n"
        "from kongchuo_rules import assess\n"
        "import kongchuo_rules\n"
        "import kongchuo_rules.simulate as s\n"
        "print(callable(assess), assess is kongchuo_rules.assess, type(m).__name__,\n"
        "      type(s).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # the function stays; another submodule (simulate, with a function of its own name) is
    # bound as a module (tests/test_simulate_cli.py: binding it imports nothing of the extra)
    assert out.stdout.split() == ["True", "True", "function", "module"]


@pytest.mark.parametrize(
    "name", ["DateSpan", "townships_missing_targets", "retention_rate_from_snapshots"]
)
def test_documented_names_are_exported(name: str) -> None:
    assert name in kongchuo_rules.__all__


def test_enum_functions_take_the_snake_case_strings() -> None:
    assert agencies_for("economic_hardship") == agencies_for(Cause.ECONOMIC_HARDSHIP)
    assert agencies_for("economic_hardship")  # not the silent () of before
    assert responsibilities("school") == responsibilities(Agency.SCHOOL)
    assert responsibilities("school")


@pytest.mark.parametrize(
    ("function", "value"),
    [
        (agencies_for, "flu"),
        (responsibilities, "police"),
        (agencies_for, 3),
        (responsibilities, None),
    ],
)
def test_enum_functions_reject_unknown_values(function: object, value: object) -> None:
    with pytest.raises(ValueError, match="unknown value") as info:
        function(value)  # type: ignore[operator]
    assert isinstance(info.value, KongchuoError)
    assert info.value.code == "unknown_value"
    assert info.value.zh


def test_hypothesis_entry_point_registers_the_strategies() -> None:
    points = importlib.metadata.entry_points(group="hypothesis")
    assert any(p.value == "kongchuo_rules._hypothesis:register" for p in points)
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kongchuo_rules import Case, Policy, SchoolCalendar, Student

    @settings(max_examples=5, database=None, deadline=None)
    @given(
        st.from_type(Case),
        st.from_type(Student),
        st.from_type(Policy),
        st.from_type(SchoolCalendar),
    )
    def drawn(case: Case, student: Student, policy: Policy, calendar: SchoolCalendar) -> None:
        assert isinstance(case, Case)
        assert isinstance(student, Student)
        assert isinstance(policy, Policy)
        assert isinstance(calendar, SchoolCalendar)

    drawn()


def test_the_testing_extra_declares_hypothesis() -> None:
    requires = importlib.metadata.requires("kongchuo-rules") or []
    testing = [r for r in requires if "testing" in r.split(";", 1)[-1]]
    assert any(r.startswith("hypothesis") for r in testing), requires


def test_every_rule_constant_is_named_as_its_id() -> None:
    """Issue 8: ``attendance.one_month`` is ``rules.attendance.ONE_MONTH`` (its index
    ``R_ONE_MONTH``), so a rule is found from its id in one hop."""
    import importlib
    import pkgutil

    import kongchuo_rules.rules as rules
    from kongchuo_rules.rules._rule import RULE_LIST, Rule

    found = {}
    for info in pkgutil.iter_modules(rules.__path__):
        module = importlib.import_module(f"kongchuo_rules.rules.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Rule) and not name.startswith("_"):
                module_name, rule_name = value.id.split(".", 1)
                assert (info.name, name) == (module_name, rule_name.upper()), value.id
                assert getattr(module, f"R_{name}") == value.index
                found[value.id] = value
    assert set(found) == {r.id for r in RULE_LIST}
