"""Hostile and careless policies (issue 13): bounds, strict types, malformed changes, deep
nesting, overlapping terms; a changed plan parameter is recorded as a departure (issue 12.7)."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kongchuo_rules import PolicyError, assess, default_policy, load_policy
from kongchuo_rules.policy import (
    MAX_DAYS,
    MAX_SCHOOL_DAYS,
    PARAMETER_NAMES,
    Policy,
    parameter_bounds,
)
from kongchuo_rules.vocabulary import Provenance

PACKAGE = Path(str(resources.files("kongchuo_rules")))
ALERT = "absence.alert_unexcused_school_days"


def refused(change: Any) -> str:
    with pytest.raises(PolicyError) as info:
        default_policy().with_changes(change)
    assert isinstance(info.value, ValueError)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (ALERT, 10**9),
        (ALERT, MAX_SCHOOL_DAYS + 1),
        ("age.entry_age", 10**6),
        ("age.entry_age", 2),
        ("age.compulsory_years", 13),
        ("returned.monitoring_days", 10**9),
        ("returned.monitoring_days", MAX_DAYS + 1),
        ("reporting.report_due_school_days", 10**6),
        ("reporting.report_due_school_days", -1),
        ("enforcement.order_compliance_days", 0),
        ("routing.child_labor_age", 40),
        ("absence.persuasion_after_months", 13),
        ("rates.enrollment_target", 1.5),
        ("rates.enrollment_target", float("nan")),
        ("rates.retention_target", float("inf")),
    ],
)
def test_every_numeric_parameter_is_bounded(name: str, value: Any) -> None:
    assert f"parameter '{name}'" in refused({name: value})


def test_every_numeric_parameter_has_documented_bounds() -> None:
    policy = default_policy()
    for name in PARAMETER_NAMES:
        unit = policy.parameters[name].unit
        bounds = parameter_bounds(name)
        if unit in ("years", "months", "school_days", "days", "ratio"):
            assert bounds is not None, name
            low, high = bounds
            value = policy.parameters[name].values[0].value
            assert low <= value <= high, name
            refused_high = high + (1 if unit != "ratio" else 0.5)
            assert f"'{name}'" in refused({name: refused_high})
        else:
            assert bounds is None, name
    text = (Path(__file__).resolve().parents[1] / "docs" / "parameters.md").read_text("utf-8")
    assert "| bounds |" in text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (ALERT, True),
        (ALERT, "7"),
        (ALERT, 7.0),
        (ALERT, "yes"),
        ("returned.monitoring_days", "60"),
        ("rates.exclude_exempt", "yes"),
        ("rates.exclude_exempt", 1),
        ("rates.enrollment_target", True),
        ("rates.enrollment_target", "1.0"),
        ("age.entry_cutoff", 831),
        ("age.entry_cutoff", "０８-３１"),
        ("absence.month_clock", 1),
    ],
)
def test_wrong_types_are_errors_not_coerced(name: str, value: Any) -> None:
    assert f"parameter '{name}'" in refused({name: value})


@pytest.mark.parametrize(
    "change",
    [None, [1], "absence.alert_unexcused_school_days=5", 7, {7: 5}, {(1, 2): 5}, {None: 5}],
)
def test_changes_that_are_not_a_mapping_of_names(change: Any) -> None:
    message = refused(change)
    assert message.startswith("policy changes")


def test_deeply_nested_values_are_errors() -> None:
    deep: Any = 7
    for _ in range(5_000):
        deep = [deep]
    assert f"'{ALERT}'" in refused({ALERT: deep})
    table: Any = 7
    for _ in range(5_000):
        table = {"a": table}
    assert f"'{ALERT}'" in refused({ALERT: table})
    assert "not a plain value" in refused({ALERT: [{"value": table}]})
    assert "no value given" in refused({ALERT: []})
    assert "since" in refused({ALERT: [{"value": 5, "since": 1_700_000_000}]})


def _copy_policy(tmp_path: Path) -> Path:
    folder = PACKAGE / "policies" / "jidong"
    for name in ("policy.toml", "plan.zh.txt"):
        shutil.copy(folder / name, tmp_path / name)
    return tmp_path / "policy.toml"


def test_a_toml_array_nested_5000_deep_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"deep\.toml: cannot read the policy file"):
        load_policy(path)
    path = _copy_policy(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "values = [{ value = 7 }]", "values = [{ value = " + "[" * 50 + "]" * 50 + " }]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=f"{ALERT}.values.0: value: not a plain value"):
        load_policy(path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("values = [{ value = 7 }]", "values = [{ value = 1000000000 }]"),
        ("values = [{ value = 7 }]", "values = [{ value = true }]"),
        ("values = [{ value = 7 }]", "values = [{ value = 7.0 }]"),
        ("values = [{ value = 7 }]", 'values = [{ value = "7" }]'),
        ("values = [{ value = 7 }]", "values = [{ since = 1970-01-01T00:00:00, value = 7 }]"),
    ],
)
def test_bounds_and_types_are_checked_at_load(tmp_path: Path, old: str, new: str) -> None:
    path = _copy_policy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert ALERT in str(info.value)
    assert "policy.toml" in str(info.value)


@pytest.mark.parametrize(
    "terms",
    [
        {"calendar.spring_term": {"start": "09-01", "end": "08-31"}},
        {"calendar.spring_term": {"start": "01-10", "end": "07-10"}},  # overlaps autumn's end
        {"calendar.spring_term": {"start": "03-01", "end": "09-05"}},  # into the next year
        {"calendar.autumn_term": {"start": "09-01", "end": "08-30"}},
    ],
)
def test_overlapping_terms_are_refused(terms: dict[str, Any]) -> None:
    assert "calendar.spring_term" in refused(terms)


def test_reasonable_term_changes_still_work() -> None:
    changed = default_policy().with_changes(
        {
            "calendar.autumn_term": {"start": "08-25", "end": "01-20"},
            "calendar.school_year_start": "08-20",
            "calendar.spring_term": {"start": "02-20", "end": "07-05"},
        }
    )
    assert str(changed.at(date(2026, 9, 1)).calendar.spring_term.start) == "02-20"


# -- a changed plan parameter no longer passes for the plan's (issue 12, item 7) --------------


def test_a_changed_plan_parameter_is_recorded_as_a_departure() -> None:
    base = default_policy()
    assert base.departures == ()
    five = base.with_changes({ALERT: 5})
    [departure] = five.departures
    assert departure.parameter == ALERT
    assert departure.provenance is Provenance.PLAN
    assert [v.value for v in departure.stated] == [7]
    assert departure.quote is not None
    assert "7日" in departure.quote
    assert five.provenance(ALERT) is Provenance.ASSUMPTION
    assert base.provenance(ALERT) is Provenance.PLAN
    assert "changed from 7" in five.describe(ALERT, "en")
    assert "已由7" in five.describe(ALERT, "zh")
    # the file's own record of the parameter is kept; the version says the content changed
    assert five.parameters[ALERT].provenance is Provenance.PLAN
    assert five.version != base.version
    # the assessment of a changed policy carries its version, not the plan's
    case = {
        "student": {"id": "S-1", "birth_date": "2013-05-03", "registered": True},
        "events": [{"type": "absence", "start": "2026-11-02", "excused": False}],
    }
    assert assess(case, as_of=date(2026, 11, 20), policy=five).policy_version == five.version


def test_departures_follow_later_changes() -> None:
    base = default_policy()
    five = base.with_changes({ALERT: 5})
    assert five.with_changes({ALERT: 7}).departures == ()
    assert five.with_changes({ALERT: 6}).departures[0].stated == five.departures[0].stated
    both = five.with_changes({"age.entry_age": 7, "absence.home_visit_due_school_days": 3})
    assert [d.parameter for d in both.departures] == [ALERT, "age.entry_age"]
    assert both.departures[1].provenance is Provenance.LAW
    # an assumption changed is not a departure from the plan
    assert base.with_changes({"absence.home_visit_due_school_days": 3}).departures == ()
    # the same value given again is no departure
    assert base.with_changes({ALERT: 7}).departures == ()
    dated = base.with_changes({ALERT: [{"value": 7}, {"since": "2027-01-01", "value": 5}]})
    assert [d.parameter for d in dated.departures] == [ALERT]


def test_departures_are_history_not_content(policy: Policy) -> None:
    there_and_back = policy.with_changes({ALERT: 5}).with_changes({ALERT: 7})
    assert there_and_back == policy
    assert there_and_back.version == policy.version
