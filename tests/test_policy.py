"""The policy file: every parameter present, typed, sourced; quotes verbatim; overrides."""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from kongchuo_rules import PolicyError, default_policy, load_policy
from kongchuo_rules.citations import quote_in_text
from kongchuo_rules.policy import PARAMETER_NAMES, ParameterSet, Policy
from kongchuo_rules.vocabulary import Provenance

SPEC_NAMES = {
    "age.entry_age",
    "age.entry_cutoff",
    "age.compulsory_years",
    "calendar.autumn_term",
    "calendar.spring_term",
    "absence.alert_unexcused_school_days",
    "absence.home_visit_due_school_days",
    "absence.month_clock",
    "persuasion.assign_persuader_due_school_days",
    "persuasion.agreed_return_grace_school_days",
    "persuasion.escalation_due_school_days",
    "reporting.report_due_school_days",
    "returned.monitoring_days",
    "returned.individual_plan_due_school_days",
    "enforcement.step_due_school_days",
    "enforcement.order_compliance_days",
}
PACKAGE = Path(str(resources.files("kongchuo_rules")))
SHARED_PLAN = (
    Path(__file__).resolve().parents[2] / "shared" / "policy" / "jidong-kongchuo-plan.zh.txt"
)


def test_every_spec_parameter_is_in_the_file(policy: Policy) -> None:
    assert set(policy.parameters) >= SPEC_NAMES
    assert set(policy.parameters) == set(PARAMETER_NAMES)


def test_parameters_are_typed_with_the_spec_defaults(policy: Policy) -> None:
    p = policy.at(date(2026, 11, 20))
    assert isinstance(p, ParameterSet)
    assert (p.age.entry_age, str(p.age.entry_cutoff), p.age.compulsory_years) == (6, "08-31", 9)
    assert (str(p.calendar.autumn_term.start), str(p.calendar.autumn_term.end)) == (
        "09-01",
        "01-15",
    )
    assert (str(p.calendar.spring_term.start), str(p.calendar.spring_term.end)) == (
        "03-01",
        "07-10",
    )
    assert p.absence.alert_unexcused_school_days == 7
    assert p.absence.home_visit_due_school_days == 1
    assert p.absence.month_clock == "term_time"
    assert p.persuasion.assign_persuader_due_school_days == 1
    assert p.persuasion.agreed_return_grace_school_days == 3
    assert p.persuasion.escalation_due_school_days == 5
    assert p.reporting.report_due_school_days == 1
    assert p.returned.monitoring_days == 60
    assert p.returned.individual_plan_due_school_days == 10
    assert p.enforcement.step_due_school_days == 5
    assert p.enforcement.order_compliance_days == 15


def test_provenance_and_references(policy: Policy) -> None:
    for name, param in policy.parameters.items():
        assert param.reference.strip(), name
        assert param.description.zh, name
        assert param.description.en, name
        if param.provenance is Provenance.PLAN:
            assert param.quote, name
    assert policy.parameters["absence.alert_unexcused_school_days"].provenance is Provenance.PLAN
    assert policy.parameters["age.entry_age"].provenance is Provenance.LAW
    assert policy.parameters["absence.month_clock"].provenance is Provenance.ASSUMPTION


def test_bundled_plan_is_the_shared_plan_verbatim() -> None:
    bundled = (PACKAGE / "policies" / "jidong" / "plan.zh.txt").read_text(encoding="utf-8")
    if SHARED_PLAN.exists():
        assert bundled == SHARED_PLAN.read_text(encoding="utf-8")
    assert "鸡东县控辍保学工作实施方案" in bundled


def test_every_quote_in_the_policy_is_verbatim_in_the_plan(policy: Policy) -> None:
    plan = policy.source_text
    for key, clause in policy.clauses.items():
        assert quote_in_text(clause.quote, plan), key
    for name, param in policy.parameters.items():
        if param.quote:
            assert quote_in_text(param.quote, plan), name


def test_every_clause_named_in_code_exists_and_literal_quotes_are_verbatim(
    policy: Policy,
) -> None:
    named: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"clause\(\s*\"([a-z_]+)\"", text))
        for quote in re.findall(r"quote=\"([^\"]+)\"", text):
            assert quote_in_text(quote, policy.source_text), (path.name, quote)
    assert named <= set(policy.clauses), named - set(policy.clauses)


def test_quote_check_is_whitespace_insensitive_but_not_lenient() -> None:
    assert quote_in_text("组长：朱松岩", "组  长：朱松岩 县政府县长")
    assert not quote_in_text("对无故8日未到校学生", "对无故7日未到校学生")
    assert not quote_in_text("", "anything")


def test_with_changes_returns_a_new_validated_policy(policy: Policy) -> None:
    changed = policy.with_changes({"absence.alert_unexcused_school_days": 5})
    day = date(2026, 11, 20)
    assert changed.at(day).absence.alert_unexcused_school_days == 5
    assert policy.at(day).absence.alert_unexcused_school_days == 7
    assert changed.version != policy.version
    assert changed.version.startswith("jidong-kongchuo@2026.1+")
    assert policy.with_changes({"absence.alert_unexcused_school_days": 7}).version == (
        policy.version  # the same content, the same version
    )
    assert changed.changes == ("absence.alert_unexcused_school_days",)
    # the same change twice gives the same version id
    assert (
        changed.version == policy.with_changes({"absence.alert_unexcused_school_days": 5}).version
    )


def test_with_changes_dated_values(policy: Policy) -> None:
    changed = policy.with_changes(
        {"absence.alert_unexcused_school_days": [{"value": 7}, {"since": "2027-01-01", "value": 5}]}
    )
    assert changed.at(date(2026, 12, 31)).absence.alert_unexcused_school_days == 7
    assert changed.at(date(2027, 1, 1)).absence.alert_unexcused_school_days == 5


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"absence.alert_unexcused_days": 5}, "did you mean 'absence.alert_unexcused_school_days'"),
        ({"nonsense": 5}, "'nonsense': unknown parameter"),
        ({"absence.alert_unexcused_school_days": "seven"}, "expected an integer"),
        ({"absence.alert_unexcused_school_days": 0}, "must be at least 1"),
        ({"absence.month_clock": "weekly"}, "expected one of term_time, calendar"),
        ({"age.entry_cutoff": "02-29"}, "not a day of a non-leap year"),
        ({"age.entry_cutoff": "Aug 31"}, "month-day"),
        ({"calendar.autumn_term": {"start": "09-01"}}, "end: required field is missing"),
        (
            {"returned.monitoring_days": [{"since": "2027-01-01", "value": 5}, {"value": 6}]},
            "only the first value may omit 'since'",
        ),
    ],
)
def test_with_changes_errors_name_the_parameter(
    policy: Policy, change: dict[str, object], expected: str
) -> None:
    with pytest.raises(PolicyError) as info:
        policy.with_changes(change)
    name = next(iter(change))
    assert f"'{name}'" in str(info.value)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def _copy_policy(tmp_path: Path) -> Path:
    folder = PACKAGE / "policies" / "jidong"
    for name in ("policy.toml", "plan.zh.txt"):
        shutil.copy(folder / name, tmp_path / name)
    return tmp_path / "policy.toml"


def test_load_policy_reads_a_county_file(tmp_path: Path) -> None:
    path = _copy_policy(tmp_path)
    loaded = load_policy(path)
    assert loaded.version == default_policy().version
    assert loaded.at(date(2026, 9, 1)) == default_policy().at(date(2026, 9, 1))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "values = [{ value = 7 }]",
            'values = [{ value = "x" }]',
            "parameter 'absence.alert_unexcused_school_days'",
        ),
        (
            'quote = "对无故7日未到校学生及时家访或与监护人联系核实情况"\ndescription',
            'quote = "对无故5日未到校学生"\ndescription',
            "parameter 'absence.alert_unexcused_school_days': quote is not verbatim",
        ),
        ('provenance = "plan"', 'provenance = "guess"', "provenance"),
        (
            '[parameters."returned.monitoring_days"]',
            '[parameters."returned.monitoring_dayz"]',
            "'returned.monitoring_dayz': unknown parameter",
        ),
        (
            'quote = "每年春季、秋季学期内"',
            'quote = "每年冬季学期内"',
            "clause 'school_terms': quote is not verbatim",
        ),
    ],
)
def test_bad_policy_files_name_the_problem(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _copy_policy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert expected in str(info.value)
    assert "policy.toml" in str(info.value)


def test_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nope.toml")


def test_docs_parameters_table_matches_the_policy(policy: Policy) -> None:
    from kongchuo_rules._docs import parameters_markdown

    docs = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
    assert docs.read_text(encoding="utf-8") == parameters_markdown(policy), (
        "docs/parameters.md is stale: run `python -m kongchuo_rules._docs`"
    )


def test_docs_assumptions_list_every_assumption(policy: Policy) -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "assumptions.md"
    text = docs.read_text(encoding="utf-8")
    for name, param in policy.parameters.items():
        if param.provenance is Provenance.ASSUMPTION:
            assert f"`{name}`" in text, name
