"""Error codes, bilingual messages and field paths (issue 12, item 3): every bad-input error has a
stable code, a zh and an en message, a precise field path, and never pydantic's own wording or
an input value."""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kongchuo_rules import Case, CaseError, KongchuoError, PolicyError, Student, assess
from kongchuo_rules.errors import CODES, Problem, error_payload

from .test_case import PERSONAL, spec_example

DOCS = Path(__file__).resolve().parents[1] / "docs"

# pydantic's own phrases: none may reach a vendor
PYDANTIC_WORDING = re.compile(
    r"Input should|String should|Field required|Unable to extract tag|Value error|"
    r"Extra inputs|should be a valid|Input tag|errors\.pydantic\.dev|str-enum"
)


def _fails(data: Any) -> CaseError:
    with pytest.raises(CaseError) as info:
        Case.model_validate(data)
    return info.value


def test_one_bad_by_value_is_one_problem_at_the_field() -> None:
    data = spec_example()
    data["events"][2]["by"] = "张三"
    error = _fails(data)
    assert len(error.problems) == 1
    (problem,) = error.problems
    assert problem.code == "unknown_value"
    assert problem.field == "events.2.by"
    # both vocabularies are offered, once each
    assert "class_teacher" in problem.en
    assert "education_bureau" in problem.en
    assert problem.en.count("guardian") == 1
    assert "应为" in problem.zh
    assert not PYDANTIC_WORDING.search(str(error) + error.zh)


def test_before_birth_is_reported_under_the_event_field() -> None:
    data = spec_example()
    data["events"][1]["start"] = "2012-01-01"
    error = _fails(data)
    (problem,) = error.problems
    assert problem.code == "before_birth"
    assert re.fullmatch(r"events\.\d+\.start", problem.field or ""), problem.field
    data = spec_example()
    data["events"][0]["date"] = "2012-01-01"
    (problem,) = _fails(data).problems
    assert re.fullmatch(r"events\.\d+\.date", problem.field or ""), problem.field


def test_event_without_type_and_unknown_type() -> None:
    data = spec_example()
    del data["events"][0]["type"]
    (problem,) = _fails(data).problems
    assert (problem.code, problem.field) == ("missing_event_type", "events.0")
    data["events"][0]["type"] = "张三"
    (problem,) = _fails(data).problems
    assert (problem.code, problem.field) == ("unknown_event_type", "events.0")
    assert "home_visit" in problem.en
    assert "张三" not in problem.en + problem.zh


def test_unknown_field_names_its_object_and_the_allowed_fields_but_not_the_key() -> None:
    data = spec_example()
    data["events"][0]["张三"] = 1
    (problem,) = _fails(data).problems
    assert (problem.code, problem.field) == ("unknown_field", "events.0")
    assert "张三" not in problem.en + problem.zh
    assert "outcome" in problem.en  # the first event is a persuasion: its fields are listed
    data = spec_example()
    data["张三"] = 1
    (problem,) = _fails(data).problems
    assert problem.field is None
    assert "student, guardians, events" in problem.en


def test_json_errors_keep_the_case_id() -> None:
    data = spec_example()
    data["student"]["grade"] = 12
    with pytest.raises(CaseError) as info:
        Case.model_validate_json(json.dumps(data, ensure_ascii=False))
    assert info.value.case_id == "S-0001"
    assert info.value.field == "student.grade"
    assert "'S-0001'" in str(info.value)
    with pytest.raises(CaseError) as info:
        Case.model_validate_json("{not json")
    assert info.value.case_id is None
    assert info.value.code == "invalid_json"


def test_deep_and_huge_json_is_a_case_error() -> None:
    with pytest.raises(CaseError) as info:
        Case.model_validate_json("[" * 100_000 + "]" * 100_000)
    assert info.value.code in CODES
    data = spec_example()
    data["student"]["grade"] = 5
    text = json.dumps(data).replace('"grade": 5', '"grade": 1' + "0" * 5000)
    with pytest.raises(CaseError) as info:
        Case.model_validate_json(text)
    assert info.value.code == "invalid_json"  # the JSON parser refuses numbers this large


def test_zh_and_en_messages() -> None:
    data = spec_example()
    data["student"]["national_id"] = data["student"]["national_id"][:-1] + "1"
    error = _fails(data)
    assert error.code == "invalid_national_id"
    assert "checksum" in error.en
    assert "校验位" in error.zh
    assert error.zh.startswith("案例 'S-0001'：1 个问题：")
    for secret in PERSONAL:
        assert secret not in error.zh + error.en


def test_as_of_before_birth_is_an_error_with_a_code() -> None:
    with pytest.raises(CaseError) as info:
        assess(spec_example(), as_of=date(2000, 1, 1))
    assert info.value.code == "as_of_before_birth"
    assert info.value.field == "as_of"
    assert info.value.case_id == "S-0001"


@pytest.mark.parametrize("as_of", [datetime(2026, 12, 1, 8), "2026-12-01", None, 20261201])
def test_as_of_must_be_a_date(as_of: Any) -> None:
    with pytest.raises(CaseError) as info:
        assess(spec_example(), as_of=as_of)
    assert (info.value.code, info.value.field) == ("wrong_type", "as_of")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"policy": "jidong"}, "policy"),
        ({"policy": {"version": "x"}}, "policy"),
        ({"calendar": "2026"}, "calendar"),
        ({"calendar": "policy"}, "calendar"),  # replaced below by a Policy
    ],
)
def test_a_policy_or_calendar_of_another_type_is_an_argument_error(
    arguments: dict[str, Any], field: str
) -> None:
    from kongchuo_rules import default_policy
    from kongchuo_rules.errors import ArgumentError

    if arguments.get("calendar") == "policy":
        arguments = {"calendar": default_policy()}  # a Policy where a calendar belongs
    with pytest.raises(ArgumentError) as info:
        assess(spec_example(), as_of=date(2026, 12, 1), **arguments)
    assert (info.value.code, info.value.field) == ("wrong_type", field)
    assert isinstance(info.value, ValueError)


def test_error_payload_of_every_kind() -> None:
    data = spec_example()
    data["guardians"][0]["phone"] = "call 13800000000 张三"
    payload = error_payload(_fails(data))
    assert set(payload) == {"code", "zh", "en", "field", "case_id", "problems"}
    assert payload["code"] == "bad_format"
    assert payload["field"] == "guardians.0.phone"
    assert payload["case_id"] == "S-0001"
    text = json.dumps(payload, ensure_ascii=False)
    for secret in (*PERSONAL, "call"):
        assert secret not in text

    with pytest.raises(ValidationError) as raw:
        Student(id="S", birth_date=date(2013, 5, 3), registered=True, national_id="张三-bad")
    payload = error_payload(raw.value)
    assert payload["code"] == "invalid_national_id"
    assert payload["field"] == "national_id"
    assert "张三" not in json.dumps(payload, ensure_ascii=False)

    payload = error_payload(PolicyError("parameter 'x': unknown parameter"))
    assert payload["code"] == "invalid_policy"
    assert payload["zh"].startswith("策略文件或策略修改无效")

    payload = error_payload(RuntimeError("张三 13800000000"))
    assert payload["code"] == "internal_error"
    assert "张三" not in json.dumps(payload, ensure_ascii=False)


def test_error_classes_of_other_modules_have_their_codes() -> None:
    from kongchuo_rules.calendar import CalendarEstimatedError
    from kongchuo_rules.county._csv import RosterError

    assert CalendarEstimatedError("x").code == "calendar_estimated"
    assert RosterError("x").code == "invalid_roster"
    assert KongchuoError("x").code == "invalid_input"
    assert PolicyError("x", code="invalid_policy").problems[0].code == "invalid_policy"


def test_case_error_accepts_field_message_pairs() -> None:
    error = CaseError("S-1", [("student.id", "is bad")])
    assert error.field == "student.id"
    assert error.code == "invalid_value"
    assert error.problems == (Problem("invalid_value", "student.id", "取值无效：is bad", "is bad"),)


def test_every_code_is_documented() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8").split("## The codes", 1)[1]
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, re.M))
    assert documented == set(CODES)


# -- a property: any mutation of a valid case gives a valid case or coded, clean problems ------

JUNK = st.one_of(
    st.just("MARK张三"),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
    st.just(["MARK"]),
    st.just({"MARK": 1}),
    st.sampled_from(["", "   ", "2026-02-30", "9999-12-31", "0001-01-01", "MARK-2026"]),
)


def _leaves(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _leaves(value, (*path, i))
    return found


PATHS = _leaves(spec_example())


@given(st.lists(st.tuples(st.sampled_from(PATHS), JUNK), min_size=1, max_size=3))
def test_mutated_cases_give_coded_problems_without_values(
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    data = copy.deepcopy(spec_example())
    for path, value in changes:
        target: Any = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        Case.model_validate(data)
    except CaseError as exc:
        error = exc
    else:
        return
    assert error.problems
    for problem in error.problems:
        assert problem.code in CODES
        text = f"{problem.en} {problem.zh} {problem.field}"
        assert "MARK" not in text
        assert not PYDANTIC_WORDING.search(text), text
        for secret in PERSONAL:
            assert secret not in text


def test_errors_survive_pickling() -> None:
    import pickle

    data = spec_example()
    data["student"]["grade"] = 0
    error = _fails(data)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is CaseError
    assert (again.code, again.field, again.case_id, again.zh, str(again)) == (
        error.code,
        error.field,
        error.case_id,
        error.zh,
        str(error),
    )
    assert again.problems == error.problems
    policy_error = pickle.loads(pickle.dumps(PolicyError("parameter 'x': unknown")))
    assert policy_error.code == "invalid_policy"
