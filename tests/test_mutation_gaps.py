"""Tests added where mutation testing (scripts/mutation.sh, docs/testing.md) showed a real gap:
boundaries of the rules that no earlier test pinned down."""

from __future__ import annotations

from kongchuo_rules import ActionKind, Agency

from .test_assess import A, E, P, case, run

K = ActionKind


def kinds(data: dict[str, object], as_of: str) -> dict[ActionKind, object]:
    return {a.kind: a for a in run(data, as_of).actions}


def test_a_missing_finding_on_the_first_day_of_the_run_counts() -> None:
    # whereabouts.missing: a check dated on run_start belongs to the episode
    on_start = kinds(
        case(A("2026-11-02"), E("whereabouts", "2026-11-02", finding="missing")), "2026-11-20"
    )
    action = on_start[K.MISSING_CHILD_RESPONSE]
    assert action.trigger.isoformat() == "2026-11-02"  # type: ignore[attr-defined]
    assert action.agency is Agency.PUBLIC_SECURITY_BUREAU  # type: ignore[attr-defined]
    # … and one the day before the run does not
    before = kinds(
        case(A("2026-11-03"), E("whereabouts", "2026-11-02", finding="missing")), "2026-11-20"
    )
    assert K.MISSING_CHILD_RESPONSE not in before


def test_a_missing_finding_after_as_of_is_not_yet_known() -> None:
    data = case(A("2026-11-02"), E("whereabouts", "2026-11-25", finding="missing"))
    assert K.MISSING_CHILD_RESPONSE not in kinds(data, "2026-11-20")
    assert K.MISSING_CHILD_RESPONSE in kinds(data, "2026-11-25")


def test_an_unreachable_family_triggers_verification_from_that_day() -> None:
    # before the month mark, an attempt that found the family unreachable is the trigger
    data = case(A("2026-11-02"), P("2026-11-16", "unreachable"))
    verify = kinds(data, "2026-11-20")[K.VERIFY_WHEREABOUTS]
    assert verify.trigger.isoformat() == "2026-11-16"  # type: ignore[attr-defined]
    # the earliest such attempt decides
    data = case(A("2026-11-02"), P("2026-11-16", "unreachable"), P("2026-11-18", "unreachable"))
    verify = kinds(data, "2026-11-20")[K.VERIFY_WHEREABOUTS]
    assert verify.trigger.isoformat() == "2026-11-16"  # type: ignore[attr-defined]


def test_an_unreachable_attempt_of_an_earlier_episode_does_not_trigger_verification() -> None:
    data = case(
        A("2026-09-07", "2026-09-30"),
        P("2026-09-21", "unreachable"),
        A("2026-11-02"),
    )
    assert K.VERIFY_WHEREABOUTS not in kinds(data, "2026-11-20")


# -- the school calendar: boundaries checked against a day-by-day walk ---------------------------

from datetime import date, timedelta  # noqa: E402

import pytest  # noqa: E402

from kongchuo_rules import SchoolCalendar  # noqa: E402

CAL = SchoolCalendar()


def walk(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        days.append(day)
        day += timedelta(days=1)
    return days


def test_school_year_boundaries() -> None:
    assert CAL.school_year_of(date(2026, 9, 1)) == 2026
    assert CAL.school_year_of(date(2026, 8, 31)) == 2025
    assert CAL.school_year_of(date(2027, 1, 1)) == 2026


def test_a_day_after_the_last_school_day_of_its_year() -> None:
    # 2028-12-31 is a Sunday, after the year's last school day: not a school day, no error
    assert not CAL.is_school_day(date(2028, 12, 31))
    assert CAL.is_school_day(date(2028, 12, 29))


def test_counting_backwards_is_zero_and_across_years_is_exact() -> None:
    assert CAL.count_school_days(date(2026, 11, 9), date(2026, 11, 2)) == 0
    start, end = date(2026, 12, 1), date(2027, 3, 31)
    expected = [d for d in walk(start, end) if CAL.is_school_day(d)]
    assert CAL.count_school_days(start, end) == len(expected)
    assert CAL.school_day_ordinals(start, end) == [d.toordinal() for d in expected]


@pytest.mark.parametrize("origin", [date(2026, 12, 1), date(2026, 12, 30), date(2027, 1, 14)])
def test_adding_exactly_the_school_days_left_in_a_year(origin: date) -> None:
    left = CAL.count_school_days(origin + timedelta(days=1), date(origin.year, 12, 31))
    for n in (left - 1, left, left + 1):
        if n < 1:
            continue
        expected = [
            d for d in walk(origin + timedelta(days=1), date(2028, 12, 31)) if CAL.is_school_day(d)
        ][n - 1]
        assert CAL.add_school_days(origin, n) == expected


@pytest.mark.parametrize("origin", [date(2026, 12, 20), date(2027, 1, 10), date(2027, 6, 30)])
def test_adding_term_days_up_to_and_over_a_term_end(origin: date) -> None:
    in_term = [d for d in walk(origin, date(2028, 12, 31)) if CAL.term_of(d) is not None]
    left = sum(1 for d in in_term if CAL.term_of(d) == CAL.term_of(in_term[0]))
    for n in (left - 1, left, left + 1):
        if n < 1:
            continue
        # the first date M with n term days in [origin, M): the day after the n-th term day
        assert CAL.add_term_days(origin, n) == in_term[n - 1] + timedelta(days=1)


def test_an_extra_school_day_on_new_years_day() -> None:
    extra = SchoolCalendar(extra_days=frozenset({date(2027, 1, 1)}))
    assert extra.is_school_day(date(2027, 1, 1))
    assert extra.count_school_days(date(2027, 1, 1), date(2027, 1, 1)) == 1


# -- attendance: several runs and several windows in one analysis --------------------------------


def test_the_current_run_after_two_earlier_runs() -> None:
    data = case(
        A("2026-11-02", "2026-11-04"),  # a run of 3, then at school on the 5th
        A("2026-11-06", "2026-11-06"),  # a run of 1, then at school on the 9th
        A("2026-11-10"),  # the current run
    )
    a = run(data, "2026-11-20")
    assert a.run_start is not None
    assert a.run_start.isoformat() == "2026-11-10"
    assert a.unexcused_days == 9


def test_two_deferral_windows_inside_an_absence() -> None:
    data = case(
        A("2026-11-02"),
        E("deferral", "2026-11-04", until="2026-11-06"),
        E("deferral", "2026-11-16", until="2026-11-18"),
    )
    a = run(data, "2026-11-27")
    # each window ends the run: the current run starts when the second window ends
    assert a.run_start is not None
    assert a.run_start.isoformat() == "2026-11-18"


# -- enforcement: a step dated on the day assessed counts -----------------------------------------

REFUSING_PARENT = [
    A("2026-11-02"),
    P("2026-12-03", "refused", "school", causes=["guardian_refusal"]),
]


def test_a_guardian_education_on_the_day_assessed_counts() -> None:
    data = case(*REFUSING_PARENT, E("guardian_education", "2026-12-09"))
    education = kinds(data, "2026-12-09")[K.GUARDIAN_EDUCATION]
    assert education.done  # type: ignore[attr-defined]
    assert K.GUARDIAN_ORDER in kinds(data, "2026-12-09")


def test_each_enforcement_step_is_due_from_the_day_after_the_deadline() -> None:
    data = case(
        *REFUSING_PARENT,
        E("guardian_education", "2026-12-07"),
        E("guardian_order", "2026-12-11", deadline="2026-12-25"),
        E("administrative_penalty", "2027-01-05", deadline="2027-01-12"),
    )
    assert K.ADMINISTRATIVE_PENALTY not in kinds(data, "2026-12-25")
    penalty = kinds(data, "2026-12-26")[K.ADMINISTRATIVE_PENALTY]
    assert penalty.trigger.isoformat() == "2026-12-26"  # type: ignore[attr-defined]
    assert K.COURT_APPLICATION not in kinds(data, "2027-01-12")
    court = kinds(data, "2027-01-13")[K.COURT_APPLICATION]
    assert court.trigger.isoformat() == "2027-01-13"  # type: ignore[attr-defined]


def test_school_age_reports_every_figure() -> None:
    from kongchuo_rules import default_policy
    from kongchuo_rules.rules.age import school_age

    a = school_age(date(2015, 3, 1), date(2026, 11, 20), default_policy())
    assert (a.age, a.of_school_age, a.first_age, a.last_age) == (11, True, 6, 14)
    assert a.cutoff == date(2026, 8, 31)
    assert (a.starts, a.ends) == (date(2021, 9, 1), date(2030, 9, 1))  # ends: the first day after


def test_a_guardian_education_before_the_refusal_completes_step_one() -> None:
    # the steps' events count from the start of the episode (DoneBy after="since"): the township
    # educated the guardian on 12-01, the refusal came on 12-03 (the day the child became a
    # dropout: month mark 12-02, the failed attempt 12-03) — step 1 is done, and step 2 (the
    # order) is required from the later of the education and the start of the ladder, 12-03
    data = case(
        A("2026-11-02"),
        E("guardian_education", "2026-12-01"),
        P("2026-12-03", "refused", "school", causes=["guardian_refusal"]),
    )
    found = kinds(data, "2026-12-09")
    assert found[K.GUARDIAN_EDUCATION].done  # type: ignore[attr-defined]
    order = found[K.GUARDIAN_ORDER]
    assert order.trigger.isoformat() == "2026-12-03"  # type: ignore[attr-defined]


# A child out of school (never registered) whose guardian refuses: the ladder counts every event
# of the child, so a step recorded before the refusal — even as the child's first event — is
# done, and the next step is required (step 3: the day after the order's deadline; step 4: the
# day after the penalty's deadline; both before as_of 2026-11-20).
OUT_OF_SCHOOL_STEPS = {
    "education first": (
        [
            E("guardian_education", "2026-11-02"),
            E("guardian_contact", "2026-11-03", causes=["guardian_refusal"]),
        ],
        {K.GUARDIAN_EDUCATION: "2026-11-03", K.GUARDIAN_ORDER: "2026-11-03"},
    ),
    "order first": (
        [
            E("guardian_order", "2026-11-02", deadline="2026-11-09"),
            E("guardian_education", "2026-11-03"),
            E("guardian_contact", "2026-11-04", causes=["guardian_refusal"]),
        ],
        {
            K.GUARDIAN_EDUCATION: "2026-11-04",
            K.GUARDIAN_ORDER: "2026-11-04",
            K.ADMINISTRATIVE_PENALTY: "2026-11-10",
        },
    ),
    "penalty first": (
        [
            E("administrative_penalty", "2026-11-02", deadline="2026-11-06"),
            E("guardian_education", "2026-11-03"),
            E("guardian_order", "2026-11-04", deadline="2026-11-05"),
            E("guardian_contact", "2026-11-05", causes=["guardian_refusal"]),
        ],
        {
            K.GUARDIAN_EDUCATION: "2026-11-05",
            K.GUARDIAN_ORDER: "2026-11-05",
            K.ADMINISTRATIVE_PENALTY: "2026-11-06",
            K.COURT_APPLICATION: "2026-11-07",
        },
    ),
}


@pytest.mark.parametrize(
    ("events", "triggers"), OUT_OF_SCHOOL_STEPS.values(), ids=list(OUT_OF_SCHOOL_STEPS)
)
def test_a_step_recorded_first_counts_for_a_child_out_of_school(
    events: list[dict[str, object]], triggers: dict[ActionKind, str]
) -> None:
    data = case(*events, registered=False)  # born 2015-05-03: of school age since 2021-09-01
    found = kinds(data, "2026-11-20")
    steps = [K.GUARDIAN_EDUCATION, K.GUARDIAN_ORDER, K.ADMINISTRATIVE_PENALTY, K.COURT_APPLICATION]
    assert [k for k in steps if k in found] == list(triggers)
    for kind, trigger in triggers.items():
        assert found[kind].trigger.isoformat() == trigger  # type: ignore[attr-defined]
    # every step but the last is done by the event recorded for it
    assert all(found[k].done for k in list(triggers)[:-1])  # type: ignore[attr-defined]


# -- attendance: the threshold the 7-day rule cites is the one in force when it applied ----------


def _seven_day_figures(data: dict[str, object], as_of: str) -> dict[str, object]:
    from kongchuo_rules import assess, default_policy

    from .test_assess import CAL as CAL_2027

    # the threshold drops from 7 to 5 unexcused school days on 2027-01-01
    policy = default_policy().with_changes(
        {"absence.alert_unexcused_school_days": [{"value": 7}, {"since": "2027-01-01", "value": 5}]}
    )
    a = assess(data, as_of=date.fromisoformat(as_of), policy=policy, calendar=CAL_2027)
    (trace,) = [r for r in a.trace if r.rule == "attendance.seven_day_alert"]
    return {"fired": trace.fired, **trace.figures}


def test_the_seven_day_rule_cites_the_threshold_of_the_alert_day() -> None:
    # absent from Mon 2026-12-21: school days 12-21..25, 28, 29 — the 7th (threshold 7 then) is
    # 12-29; on 2027-01-05 the threshold in force is 5, but the alert was reached under 7
    figures = _seven_day_figures(case(A("2026-12-21")), "2027-01-05")
    assert figures["fired"] is True
    assert figures["threshold"] == 7
    assert figures["alert_date"] == date(2026, 12, 29)


def test_the_seven_day_rule_not_reached_cites_the_threshold_of_the_day_assessed() -> None:
    # absent from Mon 2027-01-04 (01-01 is a holiday): 01-04, 05, 06 = 3 of the 5 now in force
    figures = _seven_day_figures(case(A("2027-01-04")), "2027-01-06")
    assert figures["fired"] is False
    assert (figures["unexcused_days"], figures["threshold"]) == (3, 5)


def test_a_penalty_without_a_deadline_gives_the_compliance_days() -> None:
    # the penalty of 2027-01-05 names no deadline: enforcement.order_compliance_days (15 days)
    # apply — deadline 01-20, the court application is required from 01-21
    data = case(
        *REFUSING_PARENT,
        E("guardian_education", "2026-12-07"),
        E("guardian_order", "2026-12-11", deadline="2026-12-25"),
        E("administrative_penalty", "2027-01-05"),
    )
    assert K.COURT_APPLICATION not in kinds(data, "2027-01-20")
    court = kinds(data, "2027-01-21")[K.COURT_APPLICATION]
    assert court.trigger.isoformat() == "2027-01-21"  # type: ignore[attr-defined]
