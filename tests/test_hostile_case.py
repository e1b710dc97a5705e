"""Loose and hostile case input (issue 13): strict types, bounded dates, ids that are personal
data, unknown keys and free text kept out of errors and reprs."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from kongchuo_rules import Case, CaseError, assess
from kongchuo_rules.case import MAX_DATE, MIN_DATE, national_id_check_char

NATIONAL_ID = "230321201305031230"
FULL_WIDTH_ID = "".join(chr(ord(c) + 0xFEE0) for c in NATIONAL_ID)  # ２３０３…
X_BODY_SEQ = "006"  # 23032120130503006 has the check character X
ARABIC_INDIC_ID = "".join(chr(0x0660 + int(c)) for c in NATIONAL_ID)  # ٢٣٠٣…


def base() -> dict[str, Any]:
    return {
        "student": {
            "id": "S-1",
            "birth_date": "2013-05-03",
            "registered": True,
            "grade": 7,
            "school_id": "JD-001",
        },
        "guardians": [{"name": "张父", "relation": "父亲", "phone": "13800000000"}],
        "events": [
            {"type": "absence", "start": "2026-11-02", "excused": False, "reason": "病假-张三"},
            {"type": "persuader_assigned", "date": "2026-12-03", "persuader": "李老师"},
            {"type": "transfer_out", "date": "2027-03-01", "destination": "哈尔滨市第一中学"},
        ],
    }


def invalid(data: dict[str, Any]) -> CaseError:
    with pytest.raises(CaseError) as info:
        Case.model_validate(data)
    with pytest.raises(CaseError):
        Case.model_validate_json(json.dumps(data, ensure_ascii=False))
    return info.value


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("registered", "yes", "student.registered"),
        ("registered", 1, "student.registered"),
        ("registered", "true", "student.registered"),
        ("grade", 7.0, "student.grade"),
        ("grade", "7", "student.grade"),
        ("grade", True, "student.grade"),
        ("birth_date", 1367539200, "student.birth_date"),  # 2013-05-03 as a Unix timestamp
        ("birth_date", "1367539200", "student.birth_date"),
        ("birth_date", "20130503", "student.birth_date"),
        ("birth_date", "2013-05-03T00:00:00", "student.birth_date"),
        ("birth_date", "0001-01-01", "student.birth_date"),
        ("birth_date", "1899-12-31", "student.birth_date"),
        ("birth_date", "9990-05-03", "student.birth_date"),
    ],
)
def test_loose_student_values_are_errors(where: str, value: Any, field: str) -> None:
    data = base()
    data["student"][where] = value
    error = invalid(data)
    assert any(p.field == field for p in error.problems), error


@pytest.mark.parametrize(
    ("event", "key", "value"),
    [
        (0, "excused", "no"),
        (0, "excused", 0),
        (0, "start", 1793836800),  # an integer date
        (0, "end", "2200-01-01"),
        (1, "date", "9999-12-31"),
        (1, "date", "２０２６-１２-０３"),
    ],
)
def test_loose_event_values_are_errors(event: int, key: str, value: Any) -> None:
    data = base()
    data["events"][event][key] = value
    error = invalid(data)
    assert any((p.field or "").startswith(f"events.{event}") for p in error.problems), error


def test_the_date_range_is_inclusive() -> None:
    data = base()
    data["student"]["birth_date"] = MIN_DATE.isoformat()
    data["events"] = [{"type": "report", "date": MAX_DATE.isoformat()}]
    case = Case.model_validate(data)
    assert case.events[0].day == MAX_DATE
    assert dt.date(1900, 1, 1) == MIN_DATE
    assert dt.date(2199, 12, 31) == MAX_DATE


def test_python_dates_are_still_accepted_but_not_datetimes() -> None:
    data = base()
    data["student"]["birth_date"] = dt.date(2013, 5, 3)
    assert Case.model_validate(data).student.birth_date == dt.date(2013, 5, 3)
    data["student"]["birth_date"] = dt.datetime(2013, 5, 3)
    invalid_error = pytest.raises(CaseError)
    with invalid_error:
        Case.model_validate(data)


@pytest.mark.parametrize("key", ["张三", NATIONAL_ID, "13800000000", "nickname"])
def test_an_unknown_key_is_never_echoed(key: str) -> None:
    for where in ("top", "student", "guardian", "event"):
        data = base()
        target = {
            "top": data,
            "student": data["student"],
            "guardian": data["guardians"][0],
            "event": data["events"][0],
        }[where]
        target[key] = 1
        error = invalid(data)
        assert key not in str(error), str(error)
        assert key not in repr(error.problems)
        assert "unknown field" in str(error)
    data = base()
    data["student"][key] = 1
    assert "student: unknown field (key no. 6 of 6;" in str(invalid(data))


@pytest.mark.parametrize(
    "sid",
    [
        "G" + NATIONAL_ID,
        NATIONAL_ID,
        "G23032120130503" + X_BODY_SEQ + "x",  # a lower-case check character: still the id
        "S-" + FULL_WIDTH_ID,
        "学籍" + NATIONAL_ID + "-01",
    ],
)
def test_a_student_id_holding_a_national_id_is_refused_without_echo(sid: str) -> None:
    data = base()
    data["student"]["id"] = sid
    error = invalid(data)
    assert error.case_id is None
    assert "student.id: contains a national id" in str(error)
    assert NATIONAL_ID not in str(error)
    assert sid not in str(error)
    assert national_id_check_char("23032120130503" + X_BODY_SEQ) == "X"
    # the same id with a broken checksum is an ordinary vendor id
    data["student"]["id"] = "G" + NATIONAL_ID[:17] + "9"
    assert Case.model_validate(data).student.id == "G" + NATIONAL_ID[:17] + "9"


def test_an_event_ref_holding_a_national_id_is_refused_without_echo() -> None:
    """An event's ref is named by the action it completes (``Action.done_by``), so it may not
    carry a national id any more than the student id may."""
    data = base()
    data["events"] = [{"type": "home_visit", "date": "2026-11-11", "ref": "G" + NATIONAL_ID}]
    error = invalid(data)
    assert "events.0.ref: contains a national id" in str(error)
    assert NATIONAL_ID not in str(error)
    data["events"] = [
        {"type": "absence", "start": "2026-11-02", "excused": False, "ref": NATIONAL_ID}
    ]
    assert "events.0.ref: contains a national id" in str(invalid(data))
    data["events"][0]["ref"] = "V-2026-11-02-17"  # the vendor's own id
    assert Case.model_validate(data).events[0].ref == "V-2026-11-02-17"


def test_a_number_whose_birth_year_no_case_can_have_is_not_a_national_id() -> None:
    """A long number of the vendor's own (a database key as an event ref) is taken for a
    national id only if its birth date could be a case's: the years of MIN_DATE..MAX_DATE."""
    from kongchuo_rules._privacy import BIRTH_YEARS, contains_national_id

    assert (BIRTH_YEARS.start, BIRTH_YEARS.stop - 1) == (MIN_DATE.year, MAX_DATE.year)
    for year, found in ((1899, False), (1900, True), (2199, True), (2200, False)):
        body = f"230321{year}0503123"
        assert contains_national_id("R" + body + national_id_check_char(body)) is found, year


def test_a_valid_id_in_another_error_is_not_echoed_as_the_case_id() -> None:
    data = base()
    data["student"]["id"] = "G" + NATIONAL_ID
    data["student"]["grade"] = 12
    error = invalid(data)
    assert NATIONAL_ID not in str(error)


def test_full_width_national_ids_are_normalised_and_arabic_indic_rejected() -> None:
    data = base()
    data["student"]["national_id"] = FULL_WIDTH_ID
    assert Case.model_validate(data).student.national_id == NATIONAL_ID
    data["student"]["national_id"] = FULL_WIDTH_ID[:17] + "Ｘ"
    error = invalid(data)  # a wrong check character, full-width or not
    assert "checksum" in str(error)
    data["student"]["national_id"] = ARABIC_INDIC_ID
    error = invalid(data)
    assert "student.national_id" in str(error)
    assert ARABIC_INDIC_ID not in str(error)
    data["student"]["national_id"] = "²" + NATIONAL_ID[1:]  # a digit to isdigit(), not to int()
    assert "student.national_id" in str(invalid(data))


def test_repr_shows_no_free_text() -> None:
    data = base()
    data["student"]["name"] = "张三"
    data["student"]["national_id"] = NATIONAL_ID
    data["student"]["disability"] = {"certified": True, "category": "自闭症-张三"}
    case = Case.model_validate(data)
    for text in (repr(case), str(case), repr(case.events), repr(case.guardians)):
        secrets = ("张三", NATIONAL_ID, "13800000000", "张父", "父亲", "李老师", "哈尔滨", "病假")
        for secret in secrets:
            assert secret not in text, (secret, text)


def test_strict_case_still_assesses_the_contract_example() -> None:
    data = copy.deepcopy(base())
    a = assess(data, as_of=dt.date(2026, 12, 15))
    assert a.case_id == "S-1"
