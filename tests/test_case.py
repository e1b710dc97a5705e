"""The case model (PRODUCT.md §4): the contract's JSON, validation, and privacy of errors."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from kongchuo_rules import Absence, Case, CaseError, Student
from kongchuo_rules.vocabulary import Agency, Role

NAME = "张三"
NATIONAL_ID = "230321201305031230"
PHONE = "13800000000"
PERSONAL = (NAME, NATIONAL_ID, PHONE, "张父")


def spec_example() -> dict[str, Any]:
    return {
        "student": {
            "id": "S-0001",
            "name": NAME,
            "national_id": NATIONAL_ID,
            "birth_date": "2013-05-03",
            "township": "鸡东镇",
            "school_id": "JD-001",
            "grade": 5,
            "registered": True,
            "household": {
                "poverty_alleviated": False,
                "low_income": False,
                "extreme_poverty_support": False,
                "rural_disabled_poor": False,
                "economic_hardship": False,
            },
            "flags": ["left_behind"],
            "disability": {"certified": True, "category": "intellectual"},
        },
        "guardians": [
            {"name": "张父", "relation": "father", "phone": PHONE, "migrant_worker": True}
        ],
        "events": [
            {
                "type": "persuasion",
                "date": "2026-12-10",
                "level": "school",
                "outcome": "refused",
                "causes": ["guardian_refusal"],
            },
            {"type": "absence", "start": "2026-11-02", "end": None, "excused": False},
            {
                "type": "home_visit",
                "date": "2026-11-12",
                "by": "class_teacher",
                "causes": ["economic_hardship"],
            },
            {
                "type": "whereabouts",
                "date": "2026-11-20",
                "finding": "working",
                "verified_by": "public_security_bureau",
            },
            {"type": "report", "date": "2026-12-11"},
            {
                "type": "guardian_order",
                "date": "2026-12-20",
                "by": "township_government",
                "deadline": "2027-01-04",
            },
            {"type": "placement", "date": "2026-10-01", "mode": "regular_class"},
            {"type": "deferral", "date": "2026-10-01", "until": "2027-09-01"},
            {"type": "transfer_out", "date": "2026-10-01", "destination": "外县"},
            {"type": "completion", "date": "2026-10-01"},
            {"type": "registry_mark", "date": "2026-12-11", "mark": "dropout"},
            {"type": "persuader_assigned", "date": "2026-12-03", "persuader": "李老师"},
            {"type": "guardian_contact", "date": "2026-11-12"},
            {"type": "guardian_education", "date": "2026-12-15"},
            {"type": "administrative_penalty", "date": "2027-01-10", "deadline": "2027-01-25"},
            {"type": "court_application", "date": "2027-02-01"},
            {"type": "individual_plan", "date": "2027-03-01"},
        ],
    }


def test_the_spec_example_validates_and_sorts_events() -> None:
    case = Case.model_validate(spec_example())
    assert case.student.id == "S-0001"
    assert case.student.national_id == NATIONAL_ID
    assert len(case.events) == 17
    assert [e.day for e in case.events] == sorted(e.day for e in case.events)
    assert case.events[-1].type == "individual_plan"
    visit = next(e for e in case.events if e.type == "home_visit")
    assert visit.by is Role.CLASS_TEACHER  # type: ignore[union-attr]
    report = next(e for e in case.events if e.type == "report")
    assert report.to is Agency.EDUCATION_BUREAU  # type: ignore[union-attr]


def test_minimal_case_and_defaults() -> None:
    case = Case.model_validate(
        {"student": {"id": "S-9", "birth_date": "2015-01-01", "registered": False}}
    )
    assert case.guardians == ()
    assert case.events == ()
    assert case.student.flags == ()
    assert case.student.household.priority is False
    assert case.student.school_id is None
    assert case.student.grade is None


def test_event_order_does_not_matter() -> None:
    data = spec_example()
    reversed_data = copy.deepcopy(data)
    reversed_data["events"].reverse()
    assert Case.model_validate(data) == Case.model_validate(reversed_data)


def test_models_are_frozen() -> None:
    case = Case.model_validate(spec_example())
    with pytest.raises(ValueError, match="frozen"):
        case.student.grade = 6  # type: ignore[misc]


def test_json_round_trip() -> None:
    case = Case.model_validate(spec_example())
    assert Case.model_validate_json(case.model_dump_json()) == case


def test_personal_data_is_not_in_repr() -> None:
    text = repr(Case.model_validate(spec_example()))
    for secret in (*PERSONAL, "李老师"):
        assert secret not in text


def _with(path: str, value: Any) -> dict[str, Any]:
    data = spec_example()
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


INVALID = [
    ("student.national_id", "230321201305031231", "student.national_id", "checksum"),
    ("student.national_id", "23032120130503123", "student.national_id", "18-character"),
    ("student.national_id", "230321201302301230", "student.national_id", "18-character"),
    ("student.birth_date", "2013-05-04", "student", "does not match"),
    ("student.birth_date", "张三", "student.birth_date", "valid date"),
    ("student.birth_date", KeyError, "student.birth_date", "Field required"),
    ("student.registered", KeyError, "student.registered", "Field required"),
    ("student.id", "   ", "student.id", "at least 1 character"),
    ("student.id", KeyError, "student.id", "Field required"),
    ("student.grade", 0, "student.grade", "greater than or equal to 1"),
    ("student.grade", 10, "student.grade", "less than or equal to 9"),
    ("student.flags", ["张三"], "student.flags.0", "unknown value"),
    ("student.nickname", "张三", "student: unknown field (key no. 12 of 12)", "unknown field"),
    ("guardians.0.phone", "call 张三", "guardians.0.phone", "should match pattern"),
    ("events.1.end", "2026-10-01", "events.1", "end is before start"),
    ("events.1.excused", KeyError, "events.1.excused", "Field required"),
    ("events.1.start", "2012-01-01", "events.", "before the student's birth date"),
    ("events.0.outcome", "张三", "events.0.outcome", "unknown value"),
    ("events.0.level", "province", "events.0.level", "unknown value"),
    ("events.0.causes", ["张三"], "events.0.causes.0", "unknown value"),
    ("events.0.type", "张三", "events.0", "unknown value"),
    ("events.0.date", KeyError, "events.0.date", "Field required"),
    ("events.5.deadline", "2026-12-01", "events.5", "deadline is before"),
    ("events.7.until", "2026-01-01", "events.7", "until is before"),
    ("events.2.by", "张三", "events.2.by", "unknown value"),
    ("events.3.finding", "张三", "events.3.finding", "unknown value"),
]


@pytest.mark.parametrize(("path", "value", "field", "problem"), INVALID)
def test_invalid_input_names_field_and_hides_personal_data(
    path: str, value: Any, field: str, problem: str
) -> None:
    data = _with(path, value)
    with pytest.raises(CaseError) as info:
        Case.model_validate(data)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert field in message, message
    assert problem in message, message
    if path != "student.id":
        assert "'S-0001'" in message  # the vendor's case id, which is not personal data
    for secret in PERSONAL:
        assert secret not in message, message
    # the structured problems carry no input either
    assert all(secret not in repr(info.value.problems) for secret in PERSONAL)


def test_json_text_errors_hide_personal_data() -> None:
    data = _with("student.national_id", "230321201305031231")
    with pytest.raises(CaseError) as info:
        Case.model_validate_json(json.dumps(data, ensure_ascii=False))
    assert "checksum" in str(info.value)
    assert NATIONAL_ID[:10] not in str(info.value)


def test_direct_construction_hides_input_in_errors() -> None:
    with pytest.raises(ValueError, match="national_id") as info:
        Student(id="S", birth_date=date(2013, 5, 3), registered=True, national_id="张三-bad")
    assert "张三" not in str(info.value)


def test_absence_defaults() -> None:
    spell = Absence(start=date(2026, 11, 2), excused=False)
    assert spell.end is None
    assert spell.day == date(2026, 11, 2)


def test_json_schema_export() -> None:
    schema = Case.model_json_schema()
    assert schema["properties"]["events"]["items"]["discriminator"]["propertyName"] == "type"
    required = set(schema["$defs"]["Student"]["required"])
    assert required == {"id", "birth_date", "registered"}
    assert set(schema["$defs"]["Absence"]["required"]) == {"start", "excused"}
