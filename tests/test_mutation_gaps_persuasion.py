"""Tests added where mutation testing of the persuasion, routing, special-status and rule
declaration modules (scripts/mutation.sh, docs/testing.md) showed a real gap.

Default policy figures used: returned.monitoring_days 60 calendar days; the month mark of a run
starting Mon 2026-11-02 is 12-02 (term time), its 7th school day 11-10 (see test_assess).
"""

from __future__ import annotations

from datetime import date

import pytest

from kongchuo_rules import (
    Action,
    ActionKind,
    Agency,
    Assessment,
    EscalationLevel,
    Stage,
    Status,
)
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.rules.routing import agencies_for, responsibilities
from kongchuo_rules.vocabulary import Cause

from .test_assess import A, E, P, case, run

D = date.fromisoformat


# -- attending since: the latest return, or the end of a monitoring window ----------------------


def test_attending_since_the_end_of_an_earlier_runs_monitoring() -> None:
    # run 1: absent 11-02..12-04 (past the month mark 12-02: the persuasion stage), back Mon
    # 12-07, monitored for 60 days, to 2027-02-04; run 2, during the monitoring: absent
    # 12-14..12-15, back 12-16 (no alert). On 2027-03-01 the child is attending since the end
    # of run 1's monitoring, 2027-02-05 — later than run 2's return
    data = case(A("2026-11-02", "2026-12-04"), A("2026-12-14", "2026-12-15"))
    a = run(data, "2027-03-01")
    assert a.status is Status.ATTENDING
    assert a.status_since == D("2027-02-05")
    # the same when the run that reached persuasion is the latest, after a short one in
    # September (absent 09-07..09-08, back 09-09)
    data = case(A("2026-09-07", "2026-09-08"), A("2026-11-02", "2026-12-04"))
    a = run(data, "2027-03-01")
    assert (a.status, a.status_since) == (Status.ATTENDING, D("2027-02-05"))


def test_attending_since_the_latest_return_when_earlier_runs_are_long_past() -> None:
    # run 1: absent Mon 09-07..Tue 09-08, back 09-09 (within 60 days of it: to 11-07); run 2:
    # absent 11-16..11-17, back 11-18. Neither fired the 7-day rule: attending since 11-18
    data = case(A("2026-09-07", "2026-09-08"), A("2026-11-16", "2026-11-17"))
    a = run(data, "2026-11-20")
    assert a.status is Status.ATTENDING
    assert a.status_since == D("2026-11-18")


def test_a_run_that_reached_the_month_mark_on_its_last_day_is_monitored() -> None:
    # absent 11-02..12-02: the month mark 12-02 is the run's last day, so the persuasion stage
    # began (on 12-02); back Thu 12-03, monitored 60 days: returned until 2027-01-31, attending
    # from 2027-02-01
    data = case(A("2026-11-02", "2026-12-02"))
    returned = run(data, "2027-01-31")
    assert (returned.status, returned.status_since) == (Status.RETURNED, D("2026-12-03"))
    attending = run(data, "2027-03-01")
    assert (attending.status, attending.status_since) == (Status.ATTENDING, D("2027-02-01"))


def test_attending_since_the_end_of_a_deferral_that_ended_a_run() -> None:
    # absent 11-02..11-13 (the 7-day rule fired on 11-10), deferred 11-16 until Thu 11-19:
    # expected back at school on 11-19, and at school since — not since the last absent day
    data = case(A("2026-11-02", "2026-11-13"), E("deferral", "2026-11-16", until="2026-11-19"))
    a = run(data, "2026-11-27")
    assert a.status is Status.ATTENDING
    assert a.status_since == D("2026-11-19")


# -- the first day of a run belongs to its episode ----------------------------------------------


def test_a_registry_mark_on_the_first_day_of_the_run_must_be_cleared_after_the_return() -> None:
    data = case(
        A("2026-11-02", "2026-12-04"),  # past the month mark 12-02; back Mon 12-07
        E("registry_mark", "2026-11-02", mark="suspected_dropout"),
    )
    a = run(data, "2026-12-10")
    assert a.status is Status.RETURNED
    clear = [x for x in a.actions if x.kind is ActionKind.CLEAR_REGISTRY_MARK]
    assert [x.trigger for x in clear] == [D("2026-12-07")]


def test_found_enrolled_elsewhere_on_the_first_day_of_the_run() -> None:
    data = case(A("2026-11-02"), E("whereabouts", "2026-11-02", finding="enrolled_elsewhere"))
    a = run(data, "2026-11-20")  # the 7-day rule fired on 11-10
    assert (a.status, a.status_since) == (Status.STUDYING_ELSEWHERE, D("2026-11-02"))
    transfer = [x for x in a.actions if x.kind is ActionKind.REGISTRY_TRANSFER]
    assert [x.trigger for x in transfer] == [D("2026-11-02")]


# -- titles and explanations in the language asked for ------------------------------------------


def test_rules_explain_themselves_in_the_language_asked_for() -> None:
    a = run(case(A("2026-11-02")), "2026-11-20")
    zh, en = a.explain("zh"), a.explain("en")
    # persuasion.failed, not fired: its title and not-fired template in each language
    assert "· 劝返无效: 无劝返无效记录（劝返0次）" in zh
    assert "· Persuasion failed: no failed persuasion (0 attempts)" in en
    assert "Persuasion failed" not in zh
    assert "劝返无效:" not in en


# -- routing: who answers for a cause, and an agency's standing duties ---------------------------


def test_agencies_for_a_refusing_guardian_the_routing_table_first() -> None:
    # the routing table names the justice bureau (legal service); the enforcement ladder adds
    # the township (steps 1-2), the education bureau (supports, steps 3-4) and the court
    assert agencies_for(Cause.GUARDIAN_REFUSAL) == (
        Agency.JUSTICE_BUREAU,
        Agency.TOWNSHIP_GOVERNMENT,
        Agency.EDUCATION_BUREAU,
        Agency.COURT,
    )


def test_responsibilities_are_the_agencys_own() -> None:
    duties = responsibilities(Agency.DISABLED_PERSONS_FEDERATION)
    assert [d.agency for d in duties] == [Agency.DISABLED_PERSONS_FEDERATION] * 2
    assert [d.duty_en for d in duties] == [
        "Issues disability certificates, waiving fees",
        "Sends the list of certified disabled school-age children each August",
    ]
    assert [d.schedule for d in duties] == [None, "every August"]
    assert responsibilities(Agency.YOUTH_LEAGUE)[0].duty == "配合做好校园宣传"


# -- persuade at each level: which attempts complete it (declared in _persuade, at import) -------
# (mutmut cannot mutate code that runs at import: these were checked by hand in a fresh process)


def _persuade(a: Assessment, level: EscalationLevel) -> Action:
    (found,) = [x for x in a.actions if x.kind is ActionKind.PERSUADE and x.level is level]
    return found


def test_persuasion_at_school_counts_any_attempt_of_the_episode_and_above_only_later_ones() -> None:
    from kongchuo_rules import assess, default_policy

    from .test_assess import CAL

    # first attempt due 3 school days after the persuasion stage begins; escalation stays 5
    policy = default_policy().with_changes({"persuasion.first_attempt_due_school_days": 3})
    early = [A("2026-11-02"), P("2026-11-20", None, "school")]  # before the stage (12-02)
    a = assess(case(*early), as_of=D("2026-12-10"), policy=policy, calendar=CAL)
    school = _persuade(a, EscalationLevel.SCHOOL)
    # from 12-02, 3 school days: 12-03, 12-04, 12-07; done by the attempt of 11-20
    assert (school.trigger, school.due, school.done) == (D("2026-12-02"), D("2026-12-07"), True)

    data = case(
        *early,
        P("2026-11-25", None, "township"),  # before the escalation: not the township's
        P("2026-12-03", "refused", "school"),  # fails: the township is responsible from 12-03
    )
    a = assess(data, as_of=D("2026-12-10"), policy=policy, calendar=CAL)
    township = _persuade(a, EscalationLevel.TOWNSHIP)
    # from 12-03, 5 school days: 12-04, 12-07, 12-08, 12-09, 12-10
    assert (township.trigger, township.due) == (D("2026-12-03"), D("2026-12-10"))
    assert not township.done


def test_an_action_taken_for_persuasion_counts_from_the_stage() -> None:
    def taken(day: str) -> Assessment:
        data = case(A("2026-11-02"), E("action_taken", day, kind="persuade", agency="school"))
        return run(data, "2026-12-10")

    assert not _persuade(taken("2026-11-20"), EscalationLevel.SCHOOL).done  # before 12-02
    assert _persuade(taken("2026-12-02"), EscalationLevel.SCHOOL).done


# -- the persuasion stage, returns and runs ended by a window ------------------------------------


def test_the_persuasion_stage_begins_at_the_alert_when_that_is_after_the_month_mark() -> None:
    # unexcused 11-02, 11-03; excused (a sick note) 11-04..12-04, which neither counts nor
    # breaks the run; unexcused again from Mon 12-07: the 7th unexcused day is 12-11, after
    # the month mark 12-02 — the persuasion stage (and the persuader's work) begins on 12-11
    data = case(
        A("2026-11-02", "2026-11-03"),
        A("2026-11-04", "2026-12-04", excused=True),
        A("2026-12-07"),
    )
    a = run(data, "2026-12-14")
    assert (a.run_start, a.alert_date, a.month_mark) == (
        D("2026-11-02"),
        D("2026-12-11"),
        D("2026-12-02"),
    )
    assert _persuade(a, EscalationLevel.SCHOOL).trigger == D("2026-12-11")
    (assign,) = [x for x in a.actions if x.kind is ActionKind.ASSIGN_PERSUADER]
    assert assign.trigger == D("2026-12-11")


def test_returned_from_an_earlier_run_still_monitored_after_a_later_short_run() -> None:
    # run 1 reached persuasion (absent 11-02..12-04), back Mon 12-07, monitored to 2027-02-04;
    # run 2 (12-14..12-15) fired nothing. On 12-21 the child is still 'returned' from run 1
    data = case(A("2026-11-02", "2026-12-04"), A("2026-12-14", "2026-12-15"))
    a = run(data, "2026-12-21")
    assert (a.status, a.status_since) == (Status.RETURNED, D("2026-12-07"))
    # … and when the run that reached persuasion is the later one, after a short one
    data = case(A("2026-10-12", "2026-10-13"), A("2026-11-02", "2026-12-04"))
    a = run(data, "2026-12-21")
    assert (a.status, a.status_since) == (Status.RETURNED, D("2026-12-07"))


def test_a_run_that_reached_persuasion_and_ended_with_a_deferral_is_not_a_return() -> None:
    # absent 11-02..Fri 12-04 (alert 11-10, month mark 12-02), then deferred from Mon 12-07 until
    # Wed 12-09: the run ended with a window, not with the child back at school — no return
    # (and no monitoring); at school since the deferral ended
    data = case(A("2026-11-02", "2026-12-04"), E("deferral", "2026-12-07", until="2026-12-09"))
    a = run(data, "2026-12-14")
    assert (a.status, a.status_since) == (Status.ATTENDING, D("2026-12-09"))
    (episode,) = a.episodes
    assert (episode.run_start, episode.run_end) == (D("2026-11-02"), D("2026-12-04"))
    assert (episode.alert_date, episode.month_mark) == (D("2026-11-10"), D("2026-12-02"))
    assert episode.persuasion_start == D("2026-12-02")  # the month mark, within the run
    assert episode.return_date is None
    assert episode.highest_stage is Stage.PERSUASION


def test_an_exemption_ended_by_a_later_placement_ends_its_window() -> None:
    # deferred on 09-01 until 09-02 (a first window); absent 09-02..09-11 (8 school days: the
    # 7-day rule fired on 09-10); exempt from Mon 09-14, placed in a regular class on Mon 11-02:
    # the exemption's window is [09-14, 11-02). Absent again from 10-19: the days in the window
    # neither count nor belong to the run, which starts on 11-02 — 7 unexcused days on 11-10
    data = case(
        E("deferral", "2026-09-01", until="2026-09-02"),
        A("2026-09-02", "2026-09-11"),
        E("placement", "2026-09-14", mode="exempt"),
        A("2026-10-19"),
        E("placement", "2026-11-02", mode="regular_class"),
    )
    a = run(data, "2026-11-10")
    assert a.status is Status.SUSPECTED_DROPOUT
    assert (a.run_start, a.unexcused_days, a.alert_date) == (D("2026-11-02"), 7, D("2026-11-10"))
    assert [(e.run_start, e.run_end, e.alert_date) for e in a.episodes] == [
        (D("2026-09-02"), D("2026-09-11"), D("2026-09-10")),
        (D("2026-11-02"), None, D("2026-11-10")),
    ]


def test_returned_reported_on_the_last_day_of_absence_is_no_conflict() -> None:
    # absent from 11-02, still absent on 11-20 (as_of): an attempt on 11-20 reporting the child
    # back is not contradicted by a later absence; one on 11-19 is (absent on 11-20)
    def conflicts(day: str) -> list[date]:
        a = run(case(A("2026-11-02"), P(day, "returned", "school")), "2026-11-20")
        return [f.on for f in a.findings if f.code is FindingCode.OUTCOME_CONFLICT]

    assert conflicts("2026-11-20") == []
    assert conflicts("2026-11-19") == [D("2026-11-19")]


@pytest.mark.parametrize("until", ["2026-11-20", None], ids=["until 11-20", "open"])
def test_a_later_deferral_replaces_an_earlier_one_from_its_date(until: str | None) -> None:
    # absent from Mon 10-26: 10-26..10-30, 11-02, 11-03 — the 7-day rule fires on 11-03; deferred
    # from 11-04 (until 11-20, or open), replaced on 11-09 by a deferral until 11-11: the windows
    # are [11-04, 11-09) and [11-09, 11-11); the first run ends on 11-03, a new one starts on
    # 11-11 (11-11..13, 16..19: the 7th school day is 11-19)
    deferral: dict[str, object] = {"until": until} if until else {}
    data = case(
        A("2026-10-26"),
        E("deferral", "2026-11-04", **deferral),
        E("deferral", "2026-11-09", until="2026-11-11"),
    )
    a = run(data, "2026-11-20")
    assert a.status is Status.SUSPECTED_DROPOUT
    assert (a.run_start, a.unexcused_days, a.alert_date) == (D("2026-11-11"), 8, D("2026-11-19"))
    assert [(e.run_start, e.run_end, e.alert_date) for e in a.episodes] == [
        (D("2026-10-26"), D("2026-11-03"), D("2026-11-03")),
        (D("2026-11-11"), None, D("2026-11-19")),
    ]


def test_an_exemption_in_force_after_an_earlier_closed_one() -> None:
    # as in the test above, then exempt again from Mon 11-16: the windows are [09-01, 09-02),
    # [09-14, 11-02) and [11-16, …); the November run is 11-02..11-13 (10 school days, the 7th
    # on 11-10), ended by the exemption
    data = case(
        E("deferral", "2026-09-01", until="2026-09-02"),
        A("2026-09-02", "2026-09-11"),
        E("placement", "2026-09-14", mode="exempt"),
        A("2026-10-19"),
        E("placement", "2026-11-02", mode="regular_class"),
        E("placement", "2026-11-16", mode="exempt"),
    )
    a = run(data, "2026-11-20")
    assert (a.status, a.status_since) == (Status.EXEMPT, D("2026-11-16"))
    assert [(e.run_start, e.run_end, e.alert_date) for e in a.episodes] == [
        (D("2026-09-02"), D("2026-09-11"), D("2026-09-10")),
        (D("2026-11-02"), D("2026-11-13"), D("2026-11-10")),
    ]


def test_the_first_transfer_out_decides_even_as_the_first_event() -> None:
    data = case(E("transfer_out", "2026-10-12"), E("transfer_out", "2026-11-02"))
    a = run(data, "2026-11-20")
    assert (a.status, a.status_since) == (Status.STUDYING_ELSEWHERE, D("2026-10-12"))


# -- routing -------------------------------------------------------------------------------------


def test_a_child_past_the_child_labour_age_still_gets_the_other_causes_routed() -> None:
    # born 2010-05-03: 16 on 2026-11-20, past routing.child_labor_age (16) — the child-labour
    # routes do not apply, the internet-addiction route (after them in the table) does
    data = case(
        A("2026-11-02"),
        E("home_visit", "2026-11-12", causes=["child_labor", "internet_addiction"]),
        birth="2010-05-03",
    )
    a = run(data, "2026-11-20")
    agencies = {x.agency for x in a.actions if x.cause is not None}
    assert agencies == {Agency.CULTURE_TOURISM_BUREAU}


def test_priority_help_given_after_the_run_began_counts() -> None:
    # a left-behind child absent from 11-02 (suspected on 11-10): the township's support and the
    # civil-affairs assistance recorded as taken on 11-05 and 11-06 — in the episode, before the
    # alert — are done
    data = case(
        A("2026-11-02"),
        E("action_taken", "2026-11-05", kind="priority_support", agency="township_government"),
        E("action_taken", "2026-11-06", kind="social_assistance", agency="civil_affairs_bureau"),
        flags=["left_behind"],
    )
    a = run(data, "2026-11-20")
    support = [x for x in a.actions if x.kind is ActionKind.PRIORITY_SUPPORT]
    assistance = [
        x
        for x in a.actions
        if x.kind is ActionKind.SOCIAL_ASSISTANCE and x.agency is Agency.CIVIL_AFFAIRS_BUREAU
    ]
    assert [(x.trigger, x.done) for x in support] == [(D("2026-11-10"), True)]
    assert [(x.trigger, x.done) for x in assistance] == [(D("2026-11-10"), True)]
