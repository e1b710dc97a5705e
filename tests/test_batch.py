"""The batch engine (PRODUCT.md §7.1): identical to ``assess`` child by child, and strict
about its tables."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kongchuo_rules import Assessment, Case, Policy, SchoolCalendar, assess
from kongchuo_rules.batch import (
    BatchInputError,
    BatchResult,
    _driver,
    assess_batch,
    cases_to_tables,
    tables_to_cases,
)
from kongchuo_rules.batch._frames import encode
from kongchuo_rules.case import national_id_check_char
from kongchuo_rules.testing import TERM_END, TERM_START, calendars, cases, policies
from kongchuo_rules.vocabulary import Flag

D = dt.date.fromisoformat


def _children_row(a: Assessment) -> tuple[Any, ...]:
    level = a.escalation_level.value if a.escalation_level else None
    return (
        a.case_id, a.status.value, a.status_since, a.stage.value, level, a.school_year_age,
        a.priority, a.run_start, a.unexcused_days, a.alert_date, a.month_mark, a.dropout_since,
        a.return_date, [c.value for c in a.causes],
    )  # fmt: skip


CHILD_COLUMNS = [
    "student_id", "status", "status_since", "stage", "escalation_level", "school_year_age",
    "priority", "run_start", "unexcused_days", "alert_date", "month_mark", "dropout_since",
    "return_date", "causes",
]  # fmt: skip
ACTION_COLUMNS = [
    "student_id", "id", "kind", "agency", "holder", "level", "cause", "trigger", "due", "done",
    "overdue", "done_by",
]  # fmt: skip
EPISODE_COLUMNS = [
    "student_id", "run_start", "run_end", "alert_date", "month_mark", "persuasion_start",
    "dropout_since", "return_date", "highest_stage", "highest_level",
]  # fmt: skip


def _action_rows(a: Assessment) -> list[tuple[Any, ...]]:
    return [
        (
            a.case_id,
            x.id,
            x.kind.value,
            x.agency.value,
            x.holder.value,
            x.level.value if x.level else None,
            x.cause.value if x.cause else None,
            x.trigger,
            x.due,
            x.done,
            x.overdue,
            x.done_by,
        )
        for x in a.actions
    ]


def _episode_rows(a: Assessment) -> list[tuple[Any, ...]]:
    return [
        (
            a.case_id,
            e.run_start,
            e.run_end,
            e.alert_date,
            e.month_mark,
            e.persuasion_start,
            e.dropout_since,
            e.return_date,
            e.highest_stage.value,
            e.highest_level.value if e.highest_level else None,
        )
        for e in a.episodes
    ]


def assert_same(
    result: BatchResult,
    found: list[Case],
    as_of: dt.date,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
) -> None:
    """Every row of ``result`` equals what ``assess`` gives each case."""
    expected = {
        c.student.id: assess(c, as_of=as_of, policy=policy, calendar=calendar) for c in found
    }
    assert result.children.height == len(found)
    for row in result.children.select(CHILD_COLUMNS).iter_rows():
        assert tuple(row) == _children_row(expected[row[0]])
    actions: dict[str, list[tuple[Any, ...]]] = {}
    for row in result.actions.select(ACTION_COLUMNS).iter_rows():
        actions.setdefault(row[0], []).append(tuple(row))
    findings: dict[str, list[tuple[Any, ...]]] = {}
    for row in result.findings.select("student_id", "id", "code", "on").iter_rows():
        findings.setdefault(row[0], []).append(tuple(row))
    episodes: dict[str, list[tuple[Any, ...]]] = {}
    for row in result.episodes.select(EPISODE_COLUMNS).iter_rows():
        episodes.setdefault(row[0], []).append(tuple(row))
    for sid, a in expected.items():
        assert actions.get(sid, []) == _action_rows(a), sid
        assert findings.get(sid, []) == [(sid, f.id, f.code.value, f.on) for f in a.findings], sid
        assert episodes.get(sid, []) == _episode_rows(a), sid


def _unique_ids(found: list[Case]) -> list[Case]:
    return [
        c.model_copy(update={"student": c.student.model_copy(update={"id": f"S-{i:05d}"})})
        for i, c in enumerate(found)
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(cases(registered=None, max_events=10), min_size=50, max_size=70),
    policies(),
    st.dates(TERM_START, dt.date(2027, 8, 31)),
    st.none() | calendars(),
)
def test_batch_equals_assess_child_by_child(
    found: list[Case], policy: Policy, as_of: dt.date, calendar: SchoolCalendar | None
) -> None:
    # 40 examples of 50-70 children: at least 2,000 children per run, every event type,
    # changed policies (a threshold changing during the year) and calendars
    found = _unique_ids(found)
    students, events = cases_to_tables(found)
    result = assess_batch(students, events, as_of=as_of, policy=policy, calendar=calendar)
    assert_same(result, found, as_of, policy, calendar.with_policy(policy) if calendar else None)


@settings(max_examples=10, deadline=None)
@given(st.lists(cases(registered=None), min_size=20, max_size=40), st.dates(TERM_START, TERM_END))
def test_the_interpreted_core_equals_the_compiled_one(found: list[Case], as_of: dt.date) -> None:
    from kongchuo_rules import default_policy
    from kongchuo_rules._internal.days import to_day
    from kongchuo_rules._internal.tables import shared

    found = _unique_ids(found)
    enc = encode(*cases_to_tables(found))
    policy = default_policy()
    sh = shared(policy, policy.calendar)
    fast = _driver.decide_all(enc, sh, to_day(as_of))
    slow = _driver.decide_all(enc, sh, to_day(as_of), use_numba=False)
    assert fast.compiled
    assert not slow.compiled
    assert (fast.decisions == slow.decisions).all()
    assert (fast.actions == slow.actions).all()
    assert (fast.findings == slow.findings).all()


@settings(max_examples=15, deadline=None)
@given(st.lists(cases(registered=None), min_size=1, max_size=15))
def test_tables_round_trip(found: list[Case]) -> None:
    # the tables carry no guardians (the rules do not read them, and they are personal data)
    # and hold flags as columns (in the order of Flag)
    def plain(c: Case) -> Case:
        flags = tuple(f for f in Flag if f in c.student.flags)
        student = c.student.model_copy(update={"flags": flags})
        return c.model_copy(update={"guardians": (), "student": student})

    found = [plain(c) for c in _unique_ids(found)]
    back = tables_to_cases(*cases_to_tables(found))
    assert back == found


def test_the_number_of_children_out_equals_the_number_in() -> None:
    found = _unique_ids([Case.model_validate(_case(i)) for i in range(7)])
    students, events = cases_to_tables(found)
    result = assess_batch(students, events, as_of=D("2026-12-20"))
    assert result.children.height == 7
    assert result.children.get_column("student_id").to_list() == sorted(c.student.id for c in found)


def _case(i: int) -> dict[str, Any]:
    return {
        "student": {"id": f"X-{i}", "birth_date": "2015-05-03", "registered": True},
        "events": [{"type": "absence", "start": "2026-11-02", "excused": i % 2 == 0}],
    }


# -- input in other shapes ------------------------------------------------------------------------


def test_pandas_and_arrow_input_give_the_same_result() -> None:
    found = _unique_ids([Case.model_validate(_case(i)) for i in range(5)])
    students, events = cases_to_tables(found)
    base = assess_batch(students, events, as_of=D("2026-12-20"))
    for s, e in (
        (students.to_pandas(), events.to_pandas()),
        (students.to_arrow(), events.to_arrow()),
    ):
        other = assess_batch(s, e, as_of=D("2026-12-20"))
        assert other.children.equals(base.children)
        assert other.actions.equals(base.actions)


# -- bad input ------------------------------------------------------------------------------------

SECRET = "230321201505031230"


def _tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    students = pl.DataFrame(
        {
            "id": ["A", "B"],
            "birth_date": [D("2015-05-03"), D("2016-01-09")],
            "registered": [True, True],
            "name": ["张三", "李四"],
        }
    )
    events = pl.DataFrame(
        {
            "student_id": ["A", "B"],
            "type": ["absence", "home_visit"],
            "start": [D("2026-11-02"), None],
            "date": [None, D("2026-11-05")],
            "excused": [False, None],
        }
    )
    return students, events


def _fails(students: Any, events: Any, *fragments: str) -> None:
    with pytest.raises(BatchInputError) as info:
        assess_batch(students, events, as_of=D("2026-12-01"))
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    for secret in ("张三", "李四", SECRET, "bogus", "2099"):
        assert secret not in message


def test_missing_required_column() -> None:
    s, e = _tables()
    _fails(s.drop("registered"), e, "students", "'registered'")
    _fails(s, e.drop("type"), "events", "'type'")


def test_wrong_dtype() -> None:
    s, e = _tables()
    _fails(
        s.with_columns(pl.lit("bogus").alias("birth_date")), e, "students", "row 0", "'birth_date'"
    )
    _fails(s.with_columns(pl.lit(3).alias("registered")), e, "students", "'registered'")


def test_null_in_a_required_column() -> None:
    s, e = _tables()
    _fails(s.with_columns(pl.Series("registered", [True, None])), e, "row 1", "'registered'")
    _fails(
        s,
        e.with_columns(pl.Series("excused", [None, None], dtype=pl.Boolean)),
        "row 0",
        "'excused'",
    )


def test_duplicated_student_id() -> None:
    s, e = _tables()
    _fails(s.with_columns(pl.Series("id", ["A", "A"])), e, "rows 0, 1", "'id'", "duplicated")


def test_event_of_an_unknown_student() -> None:
    s, e = _tables()
    _fails(s, e.with_columns(pl.Series("student_id", ["A", "bogus"])), "row 1", "'student_id'")


def test_unknown_enum_value() -> None:
    s, e = _tables()
    _fails(s, e.with_columns(pl.Series("type", ["absence", "bogus"])), "row 1", "'type'")
    bad = e.with_columns(pl.Series("by", [None, "bogus"]))
    _fails(s, bad, "row 1", "'by'", "unknown value")
    causes = e.with_columns(pl.Series("causes", [None, ["illness", "bogus"]]))
    _fails(s, causes, "row 1", "'causes'")


def test_a_field_on_a_type_that_has_none() -> None:
    s, e = _tables()
    _fails(s, e.with_columns(pl.Series("level", ["school", None])), "row 0", "'level'")


def test_unknown_column_is_named_by_position_only() -> None:
    s, e = _tables()
    _fails(s.with_columns(pl.lit(SECRET).alias(SECRET)), e, "position(s) 4")


def test_a_bad_national_id_and_dates_out_of_order() -> None:
    s, e = _tables()
    bad_id = s.with_columns(pl.Series("national_id", [SECRET[:-1] + "9", None]))
    _fails(bad_id, e, "row 0", "'national_id'", "checksum")
    backwards = e.with_columns(pl.Series("end", [D("2026-10-01"), None]))
    _fails(s, backwards, "row 0", "'end'")
    early = e.with_columns(pl.Series("date", [None, D("2010-01-01")]))
    _fails(s, early, "row 1", "before the student's birth date")


def test_the_hostile_input_rules_of_case_hold_in_batch_too() -> None:
    """Issue 13's rules for cases, in the batch engine: the supported date range, no national
    id inside a student id, full-width national ids read as ASCII."""
    s, e = _tables()
    far = e.with_columns(pl.Series("date", [None, D("2200-01-01")]))
    _fails(s, far, "row 1", "'date'", "supported range")
    old = s.with_columns(pl.Series("birth_date", [D("1899-12-31"), D("2013-05-03")]))
    _fails(old, e, "row 0", "'birth_date'", "supported range")
    body = "23032120150503123"
    valid = body + national_id_check_char(body)
    _fails(s.with_columns(pl.Series("id", ["A", "G" + valid])), e, "row 1", "national id")
    # nor inside an event's ref (named by the action it completes, done_by)
    refs = e.with_columns(pl.Series("ref", [None, "G" + valid], dtype=pl.String))
    _fails(s, refs, "events: row 1", "'ref'", "national id")
    with pytest.raises(BatchInputError) as refused:
        assess_batch(s, refs, as_of=D("2026-12-01"))
    assert valid not in str(refused.value)
    with pytest.raises(BatchInputError, match="as_of"):
        assess_batch(s, e, as_of=D("2200-01-01"))
    # A is born on 2015-05-03: `valid` (above) is a national id of that birth date
    wide = "".join(chr(ord(c) + 0xFEE0) for c in valid)
    plain = assess_batch(
        s.with_columns(pl.Series("national_id", [valid, None])), e, as_of=D("2026-12-01")
    )
    typed = assess_batch(
        s.with_columns(pl.Series("national_id", [wide, None])), e, as_of=D("2026-12-01")
    )
    assert typed.children.equals(plain.children)


def test_events_may_be_empty() -> None:
    s, _ = _tables()
    result = assess_batch(s, pl.DataFrame(), as_of=D("2026-12-01"))
    assert result.children.get_column("status").to_list() == ["attending", "attending"]


def test_without_numba_the_same_core_runs_and_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    s, e = _tables()
    fast = assess_batch(s, e, as_of=D("2026-12-01"))
    monkeypatch.setitem(_driver._STATE, "run", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slow = assess_batch(s, e, as_of=D("2026-12-01"))
    assert not slow.compiled
    assert slow.children.equals(fast.children)


def test_assess_with_use_numba_but_no_numba_runs_the_core_in_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = {
        "student": {"id": "S-1", "birth_date": "2015-05-03", "registered": True},
        "events": [{"type": "absence", "start": "2026-11-02", "excused": False}],
    }
    fast = assess(case, as_of=D("2026-12-01"), use_numba=True)
    monkeypatch.setitem(_driver._STATE, "run", None)  # as without numba (warned once before)
    called = []
    monkeypatch.setattr(_driver, "decide_case", lambda *a: called.append(a))
    slow = assess(case, as_of=D("2026-12-01"), use_numba=True)
    assert called == []
    assert slow == fast
    assert slow.model_dump_json() == assess(case, as_of=D("2026-12-01")).model_dump_json()


def test_assess_with_use_numba_grows_the_tables_far_from_today() -> None:
    """A case decades from the tables built so far: the compiled core asks beyond them, and
    the tables grow, as in Python."""
    case = {
        "student": {"id": "S-1", "birth_date": "2090-05-03", "registered": True},
        "events": [{"type": "absence", "start": "2099-11-02", "excused": False}],
    }
    for as_of in (D("2099-11-20"), D("2100-03-01")):
        fast = assess(case, as_of=as_of, use_numba=True)
        assert fast.model_dump_json() == assess(case, as_of=as_of).model_dump_json()
        assert fast.alert_date is not None


def test_assess_with_use_numba_in_threads_equals_one_by_one() -> None:
    """Each thread decides on buffers of its own."""
    from concurrent.futures import ThreadPoolExecutor

    found = [
        {
            "student": {"id": f"S-{k}", "birth_date": "2015-05-03", "registered": True},
            "events": [
                {"type": "absence", "start": "2026-10-12", "end": f"2026-10-{13 + k % 5}",
                 "excused": False},
                {"type": "absence", "start": f"2026-11-{2 + k % 20:02d}", "excused": k % 3 == 0},
            ],
        }
        for k in range(60)
    ]  # fmt: skip
    one_by_one = [assess(c, as_of=D("2026-12-18")).model_dump_json() for c in found]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(
            pool.map(
                lambda c: assess(c, as_of=D("2026-12-18"), use_numba=True).model_dump_json(),
                found,
            )
        )
    assert threaded == one_by_one
