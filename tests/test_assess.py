"""``assess``: worked examples with dates computed by hand (PRODUCT.md §5.1–5.4, §5.7, §5.8).

Calendar facts used below (default terms: autumn 09-01–01-15, spring 03-01–07-10):
- 2026: Mid-Autumn Fri 09-25 off; National Day Oct 1–7 off; make-up school days Sun 09-20 and
  Sat 10-10. November 2026 has no holidays (11-02 is a Monday).
- 2027: the ``CAL`` calendar below fixes the days off (as ``holidays`` estimates them today), so
  these tests do not move when the package adds the official 2027 notice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kongchuo_rules import (
    Assessment,
    Case,
    CaseError,
    EscalationLevel,
    OfficialHolidays,
    SchoolCalendar,
    Stage,
    Status,
    assess,
    default_policy,
)
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.vocabulary import Cause

D = date.fromisoformat
DAYS_OFF_2027 = [
    "2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
    "2027-02-10", "2027-04-05", "2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04",
    "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04",
    "2027-10-05",
]  # fmt: skip
CAL = SchoolCalendar(official={2027: OfficialHolidays(days_off=frozenset(map(D, DAYS_OFF_2027)))})


def A(start: str, end: str | None = None, *, excused: bool = False) -> dict[str, Any]:
    return {"type": "absence", "start": start, "end": end, "excused": excused}


def P(day: str, outcome: str | None, level: str | None = "school", **kw: Any) -> dict[str, Any]:
    return {"type": "persuasion", "date": day, "outcome": outcome, "level": level, **kw}


def E(event_type: str, day: str, /, **kw: Any) -> dict[str, Any]:
    return {"type": event_type, "date": day, **kw}


def case(
    *events: dict[str, Any], registered: bool = True, birth: str = "2015-05-03", **student: Any
) -> dict[str, Any]:
    return {
        "student": {"id": "S-1", "birth_date": birth, "registered": registered, **student},
        "events": list(events),
    }


def run(data: dict[str, Any], as_of: str, **kw: Any) -> Assessment:
    kw.setdefault("calendar", CAL)
    return assess(data, as_of=D(as_of), **kw)


# -- 7-day rule -------------------------------------------------------------------------------


def test_six_versus_seven_unexcused_days() -> None:
    data = case(A("2026-11-02"))
    six = run(data, "2026-11-09")  # Nov 2-6, 9
    assert (six.status, six.unexcused_days, six.alert_date) == (Status.ATTENDING, 6, None)
    assert six.run_start == D("2026-11-02")
    assert six.month_mark == D("2026-12-02")  # reported even before it is reached
    assert not six.fired("attendance.seven_day_alert")
    seven = run(data, "2026-11-10")
    assert seven.status is Status.SUSPECTED_DROPOUT
    assert (seven.status_since, seven.alert_date, seven.unexcused_days) == (
        D("2026-11-10"),
        D("2026-11-10"),
        7,
    )
    assert seven.stage is Stage.HOME_VISIT
    assert seven.escalation_level is None
    assert seven.fired("attendance.seven_day_alert")


def test_run_that_ended_after_six_days_is_not_an_alert() -> None:
    a = run(case(A("2026-11-02", "2026-11-09")), "2026-11-10")
    assert a.status is Status.ATTENDING
    assert a.run_start is None
    assert a.status_since == D("2026-11-10")


def test_run_across_national_day_and_the_make_up_day() -> None:
    data = case(A("2026-09-28"))
    # Sep 28, 29, 30; Oct 1-7 off; Oct 8, 9 and Sat Oct 10 (make-up) = 6
    assert run(data, "2026-10-10").unexcused_days == 6
    sunday = run(data, "2026-10-11")
    assert (sunday.status, sunday.unexcused_days) == (Status.ATTENDING, 6)
    monday = run(data, "2026-10-12")
    assert (monday.status, monday.alert_date) == (Status.SUSPECTED_DROPOUT, D("2026-10-12"))
    assert monday.month_mark == D("2026-10-28")  # Oct 28 - Sep 28 = 30 days, all in term
    assert run(case(A("2026-09-30", "2026-10-10")), "2026-10-10").unexcused_days == 4


def test_excused_days_neither_count_nor_break_the_run() -> None:
    before = case(A("2026-11-02", "2026-11-04", excused=True), A("2026-11-05"))
    assert run(before, "2026-11-12").status is Status.ATTENDING  # Nov 5, 6, 9-12 = 6
    a = run(before, "2026-11-13")
    assert (a.run_start, a.alert_date, a.unexcused_days) == (D("2026-11-05"), D("2026-11-13"), 7)
    assert a.month_mark == D("2026-12-05")
    middle = case(
        A("2026-11-02", "2026-11-04"), A("2026-11-05", "2026-11-06", excused=True), A("2026-11-09")
    )
    b = run(middle, "2026-11-12")  # Nov 2, 3, 4, 9, 10, 11, 12
    assert (b.run_start, b.alert_date, b.unexcused_days) == (D("2026-11-02"), D("2026-11-12"), 7)


def test_a_day_at_school_breaks_the_run() -> None:
    data = case(A("2026-11-02", "2026-11-06"), A("2026-11-10"))  # at school Mon Nov 9
    a = run(data, "2026-11-17")  # Nov 10-13, 16, 17 = 6
    assert (a.status, a.run_start, a.unexcused_days) == (Status.ATTENDING, D("2026-11-10"), 6)
    b = run(data, "2026-11-18")
    assert (b.status, b.alert_date) == (Status.SUSPECTED_DROPOUT, D("2026-11-18"))
    unbroken = run(case(A("2026-11-02")), "2026-11-18")
    assert unbroken.alert_date == D("2026-11-10")


def test_conflicting_spells_count_as_unexcused_with_a_finding() -> None:
    a = run(case(A("2026-11-02", "2026-11-06", excused=True), A("2026-11-04")), "2026-11-12")
    # unexcused Nov 4, 5, 6, 9, 10, 11, 12
    assert (a.run_start, a.alert_date, a.status) == (
        D("2026-11-04"),
        D("2026-11-12"),
        Status.SUSPECTED_DROPOUT,
    )
    conflict = [f for f in a.findings if f.code is FindingCode.CONFLICTING_ABSENCE]
    assert len(conflict) == 1
    assert "2026-11-04, 2026-11-05, 2026-11-06" in conflict[0].message


def test_lowering_the_threshold_moves_the_alert_date() -> None:
    policy = default_policy().with_changes({"absence.alert_unexcused_school_days": 5})
    cal = SchoolCalendar(policy=policy)
    a = assess(case(A("2026-11-02")), as_of=D("2026-11-20"), policy=policy, calendar=cal)
    assert a.alert_date == D("2026-11-06")
    assert a.policy_version == policy.version != default_policy().version
    b = assess(case(A("2026-11-02")), as_of=D("2026-11-20"), policy=policy)
    assert b.alert_date == D("2026-11-06")


# -- one-month rule ---------------------------------------------------------------------------


def test_month_mark_in_term() -> None:
    data = case(A("2026-11-02"))
    before = run(data, "2026-12-01")
    assert (before.stage, before.escalation_level) == (Stage.HOME_VISIT, None)
    at = run(data, "2026-12-02")
    assert at.status is Status.SUSPECTED_DROPOUT
    assert (at.stage, at.escalation_level) == (Stage.PERSUASION, EscalationLevel.SCHOOL)
    assert at.fired("attendance.one_month")


def test_month_mark_across_the_winter_vacation() -> None:
    data = case(A("2027-01-04"))
    # the spec's example: 12 term days Jan 4-15, then 19 from Mar 1
    vacation = run(data, "2027-02-10")
    assert vacation.status is Status.SUSPECTED_DROPOUT  # the run is still current
    assert (vacation.alert_date, vacation.unexcused_days) == (D("2027-01-12"), 10)
    assert vacation.month_mark == D("2027-03-20")
    assert run(data, "2027-03-19").stage is Stage.HOME_VISIT
    assert run(data, "2027-03-20").stage is Stage.PERSUASION
    # Dec 21 -> Jan 21 is 31 days: 11 in December, 15 in January, 5 from Mar 1
    assert run(case(A("2026-12-21")), "2027-01-10").month_mark == D("2027-03-06")


def test_month_mark_with_the_calendar_clock() -> None:
    policy = default_policy().with_changes({"absence.month_clock": "calendar"})
    cal = SchoolCalendar(policy=policy, official=CAL.official)
    a = assess(case(A("2027-01-04")), as_of=D("2027-02-10"), calendar=cal)
    assert a.month_mark == D("2027-02-04")
    assert a.stage is Stage.PERSUASION


def test_month_end_clipping() -> None:
    # Mar 31 -> Apr 30: a 30-day month, all in term
    a = run(case(A("2027-03-31")), "2027-04-30")
    assert a.month_mark == D("2027-04-30")
    assert a.alert_date == D("2027-04-09")  # Mar 31, Apr 1, 2, (5 off) 6, 7, 8, 9
    assert a.stage is Stage.PERSUASION
    assert run(case(A("2027-03-31")), "2027-04-29").stage is Stage.HOME_VISIT
    # May 31 -> Jun 30: 30 days
    assert run(case(A("2027-05-31")), "2027-06-10").month_mark == D("2027-06-30")
    # Jan 15 -> Feb 15 is 31 days: Jan 15, then 30 from Mar 1
    assert run(case(A("2027-01-15")), "2027-03-01").month_mark == D("2027-03-31")


def test_month_mark_function_clips_to_the_month_end() -> None:
    from kongchuo_rules._internal.days import to_date, to_day
    from kongchuo_rules._internal.tables import shared
    from kongchuo_rules.rules.attendance import month_mark

    calendar_clock = default_policy().with_changes({"absence.month_clock": "calendar"})
    t = shared(calendar_clock, CAL.with_policy(calendar_clock)).covering(
        to_day(D("2027-01-01")), to_day(D("2028-12-31"))
    )

    def mark(day: str) -> tuple[date, int]:
        found, length = month_mark(t, to_day(D(day)))
        return to_date(found), length

    assert mark("2027-01-31") == (D("2027-02-28"), 28)
    assert mark("2028-01-31") == (D("2028-02-29"), 29)
    assert mark("2027-03-31") == (D("2027-04-30"), 30)


# -- persuasion, dropout, escalation --------------------------------------------------------


def test_refused_after_the_month_mark_is_a_dropout() -> None:
    a = run(case(A("2026-11-02"), P("2026-12-03", "refused")), "2026-12-03")
    assert (a.status, a.status_since) == (Status.DROPOUT, D("2026-12-03"))
    assert (a.stage, a.escalation_level) == (Stage.ESCALATION, EscalationLevel.TOWNSHIP)
    assert a.fired("persuasion.dropout")


def test_refused_before_the_month_mark_makes_a_dropout_at_the_mark() -> None:
    data = case(A("2026-11-02"), P("2026-11-20", "refused"))
    before = run(data, "2026-12-01")
    assert (before.status, before.stage) == (Status.SUSPECTED_DROPOUT, Stage.HOME_VISIT)
    at = run(data, "2026-12-02")
    assert (at.status, at.status_since) == (Status.DROPOUT, D("2026-12-02"))
    assert at.escalation_level is EscalationLevel.TOWNSHIP


def test_unreachable_is_a_failure() -> None:
    a = run(case(A("2026-11-02"), P("2026-12-04", "unreachable")), "2026-12-04")
    assert a.status is Status.DROPOUT


def test_agreed_then_not_back_after_the_grace_days() -> None:
    data = case(A("2026-11-02"), P("2026-12-03", "agreed"))
    # 3 school days after Thu Dec 3: Dec 4, 7, 8
    waiting = run(data, "2026-12-07")
    assert (waiting.status, waiting.stage) == (Status.SUSPECTED_DROPOUT, Stage.PERSUASION)
    failed = run(data, "2026-12-08")
    assert (failed.status, failed.status_since) == (Status.DROPOUT, D("2026-12-08"))
    trace = next(t for t in failed.trace if t.rule == "persuasion.failed")
    assert trace.fired
    assert trace.on == D("2026-12-08")


def test_agreed_and_back_in_time_is_a_return() -> None:
    data = case(A("2026-11-02", "2026-12-07"), P("2026-12-03", "agreed"))
    a = run(data, "2026-12-08")
    assert (a.status, a.status_since, a.stage) == (
        Status.RETURNED,
        D("2026-12-08"),
        Stage.MONITORING,
    )
    assert a.return_date == D("2026-12-08")


def test_pending_outcome_is_not_a_failure() -> None:
    a = run(case(A("2026-11-02"), P("2026-12-03", None)), "2026-12-20")
    assert a.status is Status.SUSPECTED_DROPOUT


# A failed attempt at every level, up to the county head (also used by test_actions.py).
FULL_ESCALATION = [
    A("2026-11-02"),
    P("2026-12-03", "refused", "school"),
    P("2026-12-10", "refused", "township"),
    P("2026-12-15", "unreachable", "education_bureau"),
    P("2026-12-18", "refused", "county"),
]


def test_full_escalation_to_the_county_head() -> None:
    data = case(*FULL_ESCALATION)
    levels = {
        day: run(data, day).escalation_level
        for day in ("2026-12-02", "2026-12-09", "2026-12-10", "2026-12-15", "2026-12-18")
    }
    assert levels == {
        "2026-12-02": EscalationLevel.SCHOOL,
        "2026-12-09": EscalationLevel.TOWNSHIP,
        "2026-12-10": EscalationLevel.EDUCATION_BUREAU,
        "2026-12-15": EscalationLevel.COUNTY,
        "2026-12-18": EscalationLevel.COUNTY,
    }
    assert run(data, "2026-12-18").status_since == D("2026-12-03")


def test_attempts_without_a_level_belong_to_the_responsible_level() -> None:
    data = case(A("2026-11-02"), P("2026-12-03", "refused", None), P("2026-12-10", "refused", None))
    assert run(data, "2026-12-10").escalation_level is EscalationLevel.EDUCATION_BUREAU


def test_events_after_as_of_are_ignored() -> None:
    data = case(A("2026-11-02"), P("2026-12-20", "refused"))
    assert run(data, "2026-12-10").status is Status.SUSPECTED_DROPOUT
    spell_later = case(A("2026-11-02", "2026-11-20"), A("2026-12-01"))
    assert run(spell_later, "2026-11-25").status is Status.ATTENDING


def test_returned_outcome_while_still_absent_is_flagged() -> None:
    a = run(case(A("2026-11-02"), P("2026-11-20", "returned")), "2026-11-25")
    assert a.status is Status.SUSPECTED_DROPOUT
    assert [f.code for f in a.findings] == [FindingCode.OUTCOME_CONFLICT]


# -- return ----------------------------------------------------------------------------------


def test_return_and_the_monitoring_window() -> None:
    data = case(A("2026-11-02", "2026-12-11"))  # back on Monday Dec 14
    first = run(data, "2026-12-14")
    assert (first.status, first.status_since, first.return_date) == (
        Status.RETURNED,
        D("2026-12-14"),
        D("2026-12-14"),
    )
    assert first.run_start is None  # no current run
    assert run(data, "2027-02-11").status is Status.RETURNED  # day 60
    after = run(data, "2027-02-12")
    assert (after.status, after.status_since, after.stage) == (
        Status.ATTENDING,
        D("2027-02-12"),
        Stage.NONE,
    )


def test_a_run_that_only_fired_the_seven_day_rule_returns_to_attending() -> None:
    a = run(case(A("2026-11-02", "2026-11-12")), "2026-11-20")
    assert (a.status, a.status_since) == (Status.ATTENDING, D("2026-11-13"))
    assert not a.fired("persuasion.returned")


def test_a_short_absence_during_monitoring_keeps_the_return() -> None:
    data = case(A("2026-11-02", "2026-12-11"), A("2026-12-21", "2026-12-23"))
    a = run(data, "2026-12-23")
    assert (a.status, a.return_date, a.unexcused_days) == (Status.RETURNED, D("2026-12-14"), 3)


def test_a_new_long_run_after_return_is_a_new_episode() -> None:
    data = case(A("2026-11-02", "2026-12-11"), A("2026-12-21"))
    a = run(data, "2026-12-29")  # Dec 21-25, 28, 29 = 7
    assert (a.status, a.run_start, a.alert_date) == (
        Status.SUSPECTED_DROPOUT,
        D("2026-12-21"),
        D("2026-12-29"),
    )


# -- studying elsewhere, special statuses, precedence -----------------------------------------


def test_whereabouts_enrolled_elsewhere() -> None:
    data = case(A("2026-11-02"), E("whereabouts", "2026-11-20", finding="enrolled_elsewhere"))
    a = run(data, "2026-11-25")
    assert (a.status, a.status_since) == (Status.STUDYING_ELSEWHERE, D("2026-11-20"))
    assert a.fired("special.enrolled_elsewhere")
    later = case(*data["events"], E("whereabouts", "2026-11-27", finding="at_home"))
    assert run(later, "2026-11-30").status is Status.SUSPECTED_DROPOUT


SPECIALS = [
    E("deferral", "2026-11-03", until="2027-09-01"),
    E("placement", "2026-11-04", mode="exempt"),
    E("completion", "2026-11-05"),
    E("transfer_out", "2026-11-06"),
]


@pytest.mark.parametrize(
    ("drop", "status", "since"),
    [
        ((), Status.COMPLETED, "2026-11-05"),
        (("completion",), Status.EXEMPT, "2026-11-04"),
        (("completion", "placement"), Status.DEFERRED, "2026-11-03"),
        (("completion", "placement", "deferral"), Status.STUDYING_ELSEWHERE, "2026-11-06"),
        (
            ("completion", "placement", "deferral", "transfer_out"),
            Status.SUSPECTED_DROPOUT,
            "2026-11-10",
        ),
    ],
)
def test_precedence_of_special_statuses(drop: tuple[str, ...], status: Status, since: str) -> None:
    events = [e for e in SPECIALS if e["type"] not in drop]
    a = run(case(A("2026-11-02"), *events), "2026-11-30")
    assert (a.status, a.status_since) == (status, D(since))
    # The run figures are reported whatever the status — but the deferral (from 11-03) is a
    # window in which the child is not expected at school: it ends the run of 11-02.
    window = "deferral" not in drop
    assert (a.unexcused_days, a.run_start) == ((0, None) if window else (21, D("2026-11-02")))


def test_expired_deferral_no_longer_applies() -> None:
    data = case(A("2026-11-02"), E("deferral", "2026-09-01", until="2026-11-01"))
    assert run(data, "2026-11-30").status is Status.SUSPECTED_DROPOUT
    assert run(case(E("deferral", "2026-09-01", until="2026-12-01")), "2026-11-30").status is (
        Status.DEFERRED
    )
    assert run(case(E("deferral", "2026-09-01", until="2026-12-01")), "2026-12-01").status is (
        Status.ATTENDING
    )


def test_transfer_then_absence_is_flagged() -> None:
    a = run(case(E("transfer_out", "2026-10-01"), A("2026-11-02")), "2026-11-30")
    assert a.status is Status.STUDYING_ELSEWHERE
    assert [f.code for f in a.findings] == [FindingCode.EVENTS_AFTER_TRANSFER]


def test_home_delivery_keeps_registration_and_skips_attendance() -> None:
    data = case(E("placement", "2026-10-01", mode="home_delivery"), A("2026-11-02"))
    a = run(data, "2026-12-20")
    assert (a.status, a.status_since, a.alert_date) == (Status.ATTENDING, D("2026-10-01"), None)
    assert a.fired("special.home_delivery")


# -- school age and out of school -----------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "as_of", "status", "since", "age"),
    [
        ("2020-08-31", "2026-11-20", Status.OUT_OF_SCHOOL, "2026-09-01", 6),  # six on the cutoff
        ("2020-09-01", "2026-11-20", Status.NOT_SCHOOL_AGE, "2020-09-01", 5),  # a day too young
        ("2011-09-01", "2026-11-20", Status.OUT_OF_SCHOOL, "2018-09-01", 14),  # last year
        ("2011-08-31", "2026-11-20", Status.NOT_SCHOOL_AGE, "2026-09-01", 15),  # aged out
        ("2020-08-31", "2026-08-31", Status.NOT_SCHOOL_AGE, "2020-08-31", 5),  # school year 2025
        ("2020-08-31", "2026-09-01", Status.OUT_OF_SCHOOL, "2026-09-01", 6),
    ],
)
def test_school_age_boundaries(
    birth: str, as_of: str, status: Status, since: str, age: int
) -> None:
    a = run(case(registered=False, birth=birth), as_of)
    assert (a.status, a.status_since, a.school_year_age) == (status, D(since), age)


def test_out_of_school_with_a_refusing_guardian_is_in_enforcement() -> None:
    data = case(
        E("home_visit", "2026-10-10", causes=["guardian_refusal"]),
        registered=False,
        birth="2018-01-01",
    )
    a = run(data, "2026-11-20")
    assert (a.status, a.stage, a.causes) == (
        Status.OUT_OF_SCHOOL,
        Stage.ENFORCEMENT,
        (Cause.GUARDIAN_REFUSAL,),
    )


def test_unregistered_special_statuses_and_expired_deferral() -> None:
    deferred = case(
        E("deferral", "2026-09-01", until="2027-09-01"), registered=False, birth="2019-03-01"
    )
    assert run(deferred, "2026-11-20").status is Status.DEFERRED
    expired = case(
        E("deferral", "2026-09-01", until="2026-10-15"), registered=False, birth="2019-03-01"
    )
    a = run(expired, "2026-11-20")
    assert (a.status, a.status_since) == (Status.OUT_OF_SCHOOL, D("2026-10-15"))


def test_absence_for_an_unregistered_child_is_flagged() -> None:
    a = run(case(A("2026-11-02"), registered=False, birth="2018-01-01"), "2026-11-20")
    assert a.status is Status.OUT_OF_SCHOOL
    assert [f.code for f in a.findings] == [FindingCode.ABSENCE_WITHOUT_REGISTRATION]


def test_registered_children_follow_attendance_whatever_their_age() -> None:
    a = run(case(A("2026-11-02"), birth="2010-01-01", grade=9), "2026-11-20")
    assert a.status is Status.SUSPECTED_DROPOUT
    assert a.school_year_age == 16


# -- causes, priority, findings, input -------------------------------------------------------


def test_causes_come_from_the_current_episode() -> None:
    data = case(
        E("home_visit", "2026-10-01", causes=["illness"]),  # before the run: not counted
        A("2026-11-02"),
        E("home_visit", "2026-11-11", causes=["economic_hardship"]),
        E("guardian_contact", "2026-11-12", causes=["family_education"]),
        E("whereabouts", "2026-11-20", finding="working"),
        P("2026-12-03", "refused", causes=["school_aversion"]),
    )
    a = run(data, "2026-12-04")
    assert a.causes == (
        Cause.ECONOMIC_HARDSHIP,
        Cause.CHILD_LABOR,
        Cause.SCHOOL_AVERSION,
        Cause.FAMILY_EDUCATION,
    )
    assert run(data, "2026-10-20").causes == ()  # attending: no episode


@pytest.mark.parametrize(
    ("student", "priority"),
    [
        ({}, False),
        ({"household": {"poverty_alleviated": True}}, True),
        ({"household": {"low_income": True}}, True),
        ({"flags": ["orphan"]}, True),
        ({"flags": ["left_behind"]}, True),
    ],
)
def test_priority_comes_from_household_and_flags(student: dict[str, Any], priority: bool) -> None:
    assert run(case(**student), "2026-11-20").priority is priority


def test_calendar_estimated_finding() -> None:
    data = case(A("2027-01-04"))
    a = assess(data, as_of=D("2027-01-20"))  # the default calendar estimates 2027
    estimated = [f for f in a.findings if f.code is FindingCode.CALENDAR_ESTIMATED]
    assert len(estimated) == 1
    assert "2027" in estimated[0].message
    assert not [
        f for f in run(data, "2027-01-20").findings if f.code is FindingCode.CALENDAR_ESTIMATED
    ]
    assert not assess(case(A("2026-11-02")), as_of=D("2026-11-20")).findings


def test_strict_calendar_raises_for_an_estimated_year() -> None:
    from kongchuo_rules import CalendarEstimatedError

    with pytest.raises(CalendarEstimatedError):
        assess(case(A("2027-01-04")), as_of=D("2027-01-20"), calendar=SchoolCalendar(strict=True))


def test_incomplete_events_are_flagged_not_used() -> None:
    a = run(case(E("registry_mark", "2026-11-05"), E("placement", "2026-11-06")), "2026-11-20")
    assert [f.code for f in a.findings] == [FindingCode.INCOMPLETE_EVENT] * 2
    assert a.status is Status.ATTENDING


def test_accepts_a_case_or_its_json_dict() -> None:
    data = case(A("2026-11-02"))
    assert run(data, "2026-11-20") == run(Case.model_validate(data), "2026-11-20")
    with pytest.raises(CaseError, match=r"student\.birth_date"):
        assess({"student": {"id": "S-1", "registered": True}}, as_of=D("2026-11-20"))


def test_explanations_in_both_languages() -> None:
    a = run(case(A("2026-11-02"), P("2026-12-03", "refused")), "2026-12-10")
    zh, en = a.explain("zh"), a.explain("en")
    assert "状态：辍学（自 2026-12-03 起）" in zh
    assert "学校劝返于2026-12-03无效（拒绝返校）" in zh
    assert "Status: dropout (since 2026-12-03)" in en
    assert "7 unexcused school days" not in en  # figures are the real ones
    assert "reached 7 on 2026-11-10" in en
    assert "对无故7日未到校学生及时家访或与监护人联系核实情况" in en  # the clause, verbatim
    not_fired = run(case(A("2026-11-02")), "2026-11-06").explain("en")
    assert "5 of 7 unexcused school days" in not_fired


def test_the_month_length_is_a_parameter() -> None:
    policy = default_policy().with_changes({"absence.persuasion_after_months": 2})
    cal = SchoolCalendar(policy=policy, official=CAL.official)
    # Nov 2 -> Jan 2 is 61 days, all inside the autumn term
    a = assess(case(A("2026-11-02")), as_of=D("2026-12-10"), calendar=cal)
    assert a.month_mark == D("2027-01-02")
    assert a.stage is Stage.HOME_VISIT
