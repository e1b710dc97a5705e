"""Required actions (PRODUCT.md §5.4–5.7): holders, due dates worked out by hand, done/overdue.

Counting reminders: "N school days after X" is the N-th school day strictly after X. November
2026 has no holidays; Sep 20 (Sun) and Oct 10 (Sat) 2026 are make-up school days; Sep 25 and
Oct 1–7 are off; the autumn term ends on Fri 2027-01-15 and the spring term starts on
Mon 2027-03-01; Jan 1 2027 is off.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given

from kongchuo_rules import (
    Action,
    ActionKind,
    Agency,
    Assessment,
    Cause,
    EscalationLevel,
    Role,
    Stage,
    Status,
    agencies_for,
    default_policy,
    responsibilities,
)
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.citations import quote_in_text
from kongchuo_rules.testing import cases

from .test_assess import FULL_ESCALATION, A, D, E, P, case, run
from .test_properties import case_and_day

K = ActionKind


def action(
    a: Assessment,
    kind: ActionKind,
    agency: Agency | None = None,
    level: EscalationLevel | None = None,
) -> Action:
    found = [
        x
        for x in a.actions
        if x.kind is kind
        and (agency is None or x.agency is agency)
        and (level is None or x.level is level)
    ]
    assert len(found) == 1, (kind, [(x.kind, x.agency) for x in a.actions])
    return found[0]


def kinds(a: Assessment) -> set[tuple[ActionKind, Agency]]:
    return {(x.kind, x.agency) for x in a.actions}


def due(x: Action) -> tuple[str, str, bool, bool]:
    return x.trigger.isoformat(), x.due.isoformat(), x.done, x.overdue


# -- the 7-day rule: home visit -------------------------------------------------------------


def test_home_visit_is_due_the_school_day_after_the_alert() -> None:
    a = run(case(A("2026-11-02")), "2026-11-10")
    visit = action(a, K.HOME_VISIT)
    assert (visit.agency, visit.holder) == (Agency.SCHOOL, Role.CLASS_TEACHER)
    assert due(visit) == ("2026-11-10", "2026-11-11", False, False)
    assert due(action(run(case(A("2026-11-02")), "2026-11-12"), K.HOME_VISIT))[3] is True
    done = run(case(A("2026-11-02"), E("guardian_contact", "2026-11-12")), "2026-11-20")
    assert due(action(done, K.HOME_VISIT)) == ("2026-11-10", "2026-11-11", True, False)


def test_home_visit_due_after_a_weekend_and_after_the_holiday() -> None:
    friday = run(case(A("2026-10-29")), "2026-11-06")  # Oct 29, 30, Nov 2-6
    assert due(action(friday, K.HOME_VISIT))[:2] == ("2026-11-06", "2026-11-09")
    holiday = run(case(A("2026-09-28")), "2026-10-12")
    assert due(action(holiday, K.HOME_VISIT))[:2] == ("2026-10-12", "2026-10-13")


def test_no_actions_below_the_threshold_or_when_attending() -> None:
    assert run(case(A("2026-11-02")), "2026-11-09").actions == ()
    priority = case(household={"poverty_alleviated": True}, flags=["orphan"])
    assert run(priority, "2026-11-20").actions == ()


# -- the month mark: persuader and school-level persuasion --------------------------------------


def test_persuader_and_first_persuasion_after_the_month_mark() -> None:
    a = run(case(A("2026-11-02")), "2026-12-02")
    assign = action(a, K.ASSIGN_PERSUADER)
    assert (assign.agency, assign.holder) == (Agency.SCHOOL, Role.PRINCIPAL)
    assert due(assign) == ("2026-12-02", "2026-12-03", False, False)
    persuade = action(a, K.PERSUADE, level=EscalationLevel.SCHOOL)
    assert persuade.holder is Role.PERSUADER
    assert due(persuade)[:2] == ("2026-12-02", "2026-12-09")
    done = run(
        case(A("2026-11-02"), E("persuader_assigned", "2026-12-03"), P("2026-12-04", None)),
        "2026-12-10",
    )
    assert action(done, K.ASSIGN_PERSUADER).done
    assert action(done, K.PERSUADE, level=EscalationLevel.SCHOOL).done
    assert run(case(A("2026-11-02")), "2026-12-01").actions[-1].kind is K.HOME_VISIT


# -- dropout: registry mark, report, escalation -------------------------------------------------


def test_refused_school_persuasion_requires_mark_report_and_township() -> None:
    a = run(case(A("2026-11-02"), P("2026-12-03", "refused")), "2026-12-03")
    mark, report = action(a, K.MARK_REGISTRY), action(a, K.REPORT_TO_BUREAU)
    assert (mark.holder, report.holder) == (Role.REGISTRY_ADMINISTRATOR, Role.PRINCIPAL)
    assert due(mark) == ("2026-12-03", "2026-12-04", False, False)
    assert due(report) == ("2026-12-03", "2026-12-04", False, False)
    township = action(a, K.PERSUADE, level=EscalationLevel.TOWNSHIP)
    assert (township.agency, township.holder) == (Agency.TOWNSHIP_GOVERNMENT, Role.TOWNSHIP_HEAD)
    assert Agency.VILLAGE_COMMITTEE in township.supporting
    assert due(township) == ("2026-12-03", "2026-12-10", False, False)


def test_a_routed_report_is_a_late_report_as_the_rules_own_is() -> None:
    """One meaning per kind: a county that routes a cause to a ``report_to_bureau`` gets the
    finding ``late_report`` when that report is overdue, as for the dropout rule's report."""
    from kongchuo_rules import default_policy
    from kongchuo_rules.policy import Policy

    policy = default_policy()
    hardship = next(r for r in policy.routing if r.cause is Cause.ECONOMIC_HARDSHIP)
    extra = hardship.model_copy(update={"action": K.REPORT_TO_BUREAU})
    fields = {name: getattr(policy, name) for name in type(policy).model_fields}
    routed = Policy.model_validate({**fields, "routing": (*policy.routing, extra)})
    visit = E("home_visit", "2026-11-11", by="class_teacher", causes=["economic_hardship"])
    a = run(case(A("2026-11-02"), visit), "2026-12-04", policy=routed)
    report = action(a, K.REPORT_TO_BUREAU, agency=hardship.agency)
    assert (report.cause, report.overdue) == (Cause.ECONOMIC_HARDSHIP, True)
    assert [(f.code, f.on) for f in a.findings] == [(FindingCode.LATE_REPORT, report.due)]
    # without the route, no report and no finding
    assert not run(case(A("2026-11-02"), visit), "2026-12-04").findings


def test_late_report_finding() -> None:
    late = run(case(A("2026-11-02"), P("2026-12-03", "refused")), "2026-12-07")
    assert action(late, K.MARK_REGISTRY).overdue
    assert [f.code for f in late.findings] == [FindingCode.LATE_REPORT] * 2
    on_time = run(
        case(
            A("2026-11-02"),
            P("2026-12-03", "refused"),
            E("registry_mark", "2026-12-04", mark="dropout"),
            E("report", "2026-12-04"),
        ),
        "2026-12-07",
    )
    assert action(on_time, K.MARK_REGISTRY).done
    assert action(on_time, K.REPORT_TO_BUREAU).done
    assert on_time.findings == ()
    suspected_mark_only = run(
        case(
            A("2026-11-02"),
            P("2026-12-03", "refused"),
            E("registry_mark", "2026-12-04", mark="suspected_dropout"),
        ),
        "2026-12-07",
    )
    assert not action(suspected_mark_only, K.MARK_REGISTRY).done


def test_full_escalation_to_the_county_head() -> None:
    data = case(*FULL_ESCALATION)
    a = run(data, "2026-12-23")
    township = action(a, K.PERSUADE, level=EscalationLevel.TOWNSHIP)
    bureau = action(a, K.PERSUADE, level=EscalationLevel.EDUCATION_BUREAU)
    county = action(a, K.PERSUADE, level=EscalationLevel.COUNTY)
    assert due(township) == ("2026-12-03", "2026-12-10", True, False)
    assert due(bureau) == ("2026-12-10", "2026-12-17", True, False)
    assert due(county) == ("2026-12-15", "2026-12-22", True, False)
    assert (bureau.agency, bureau.holder) == (Agency.EDUCATION_BUREAU, Role.BUREAU_CHIEF)
    assert (county.agency, county.holder) == (Agency.COUNTY_GOVERNMENT, Role.COUNTY_HEAD)
    assert a.escalation_level is EscalationLevel.COUNTY
    no_county = run(case(*data["events"][:4]), "2026-12-23")
    assert due(action(no_county, K.PERSUADE, level=EscalationLevel.COUNTY)) == (
        "2026-12-15",
        "2026-12-22",
        False,
        True,
    )


# -- the guardian-enforcement ladder ------------------------------------------------------------

REFUSING = [A("2026-11-02"), P("2026-12-03", "refused", causes=["guardian_refusal"])]


def test_enforcement_ladder_step_by_step() -> None:
    first = run(case(*REFUSING), "2026-12-04")
    assert first.stage is Stage.ENFORCEMENT
    step1 = action(first, K.GUARDIAN_EDUCATION)
    assert (step1.agency, step1.holder) == (Agency.TOWNSHIP_GOVERNMENT, Role.TOWNSHIP_HEAD)
    assert due(step1) == ("2026-12-03", "2026-12-10", False, False)
    assert K.GUARDIAN_ORDER not in {x.kind for x in first.actions}

    educated = [*REFUSING, E("guardian_education", "2026-12-07")]
    second = run(case(*educated), "2026-12-08")
    assert action(second, K.GUARDIAN_EDUCATION).done
    assert due(action(second, K.GUARDIAN_ORDER)) == ("2026-12-07", "2026-12-14", False, False)

    ordered = [*educated, E("guardian_order", "2026-12-11", deadline="2026-12-25")]
    assert K.ADMINISTRATIVE_PENALTY not in {
        x.kind for x in run(case(*ordered), "2026-12-25").actions
    }
    third = run(case(*ordered), "2026-12-28")
    penalty = action(third, K.ADMINISTRATIVE_PENALTY)
    assert (penalty.agency, penalty.holder) == (Agency.EDUCATION_BUREAU, Role.BUREAU_CHIEF)
    assert due(penalty)[:2] == ("2026-12-26", "2027-01-04")  # over New Year's Day

    penalised = [*ordered, E("administrative_penalty", "2027-01-05", deadline="2027-01-12")]
    assert K.COURT_APPLICATION not in {x.kind for x in run(case(*penalised), "2027-01-12").actions}
    fourth = run(case(*penalised), "2027-01-13")
    court = action(fourth, K.COURT_APPLICATION)
    assert Agency.COURT in court.supporting
    assert due(court) == ("2027-01-13", "2027-03-03", False, False)  # over the winter vacation
    done = run(case(*penalised, E("court_application", "2027-01-20")), "2027-03-10")
    assert all(
        action(done, k).done
        for k in (
            K.GUARDIAN_EDUCATION,
            K.GUARDIAN_ORDER,
            K.ADMINISTRATIVE_PENALTY,
            K.COURT_APPLICATION,
        )
    )


def test_order_without_a_deadline_uses_the_default_compliance_days() -> None:
    data = [*REFUSING, E("guardian_education", "2026-12-07"), E("guardian_order", "2026-12-11")]
    a = run(case(*data), "2026-12-28")  # deadline Dec 26, penalty from Dec 27
    assert action(a, K.ADMINISTRATIVE_PENALTY).trigger == D("2026-12-27")


def test_a_step_done_by_action_taken_moves_the_ladder_on() -> None:
    """An ``action_taken`` completes any action (docs/rules.md, Actions), so a ladder step
    recorded that way is done, and the next step fires from it as from its own event."""

    def taken(kind: str, day: str) -> dict[str, Any]:
        return E("action_taken", day, kind=kind, agency="township_government")

    educated = [*REFUSING, taken("guardian_education", "2026-12-07")]
    a = run(case(*educated), "2026-12-08")
    assert action(a, K.GUARDIAN_EDUCATION).done
    assert due(action(a, K.GUARDIAN_ORDER)) == ("2026-12-07", "2026-12-14", False, False)

    # an order recorded as action_taken has no deadline: the default 15 days (Dec 26),
    # so the penalty fires on Dec 27
    ordered = [*educated, taken("guardian_order", "2026-12-11")]
    assert K.ADMINISTRATIVE_PENALTY not in {
        x.kind for x in run(case(*ordered), "2026-12-26").actions
    }
    penalty = action(run(case(*ordered), "2026-12-28"), K.ADMINISTRATIVE_PENALTY)
    assert penalty.trigger == D("2026-12-27")

    # the plan lets the education bureau educate and order too (PRODUCT.md §5.5); an
    # action_taken by an agency the step does not name leaves it not done, and the ladder waits
    for agency, done in (("education_bureau", True), ("civil_affairs_bureau", False)):
        other = [*REFUSING, E("action_taken", "2026-12-07", kind="guardian_education",
                              agency=agency)]  # fmt: skip
        b = run(case(*other), "2026-12-08")
        assert action(b, K.GUARDIAN_EDUCATION).done is done
        assert (K.GUARDIAN_ORDER in {x.kind for x in b.actions}) is done


def test_the_ladder_stops_when_the_child_returns() -> None:
    data = [
        A("2026-11-02", "2026-12-18"),
        REFUSING[1],
        E("guardian_education", "2026-12-07"),
        E("guardian_order", "2026-12-11", deadline="2026-12-25"),
    ]
    a = run(case(*data), "2027-01-10")
    assert a.status is Status.RETURNED
    assert K.ADMINISTRATIVE_PENALTY not in {x.kind for x in a.actions}
    assert action(a, K.GUARDIAN_ORDER).done  # accumulated from the episode


def test_justice_bureau_supports_a_refusing_guardian() -> None:
    a = run(case(*REFUSING), "2026-12-04")
    legal = action(a, K.LEGAL_SERVICE)
    assert (legal.agency, legal.cause) == (Agency.JUSTICE_BUREAU, Cause.GUARDIAN_REFUSAL)
    assert due(legal)[:2] == ("2026-12-03", "2026-12-17")  # 10 school days


# -- return -------------------------------------------------------------------------------------


def test_return_requires_an_individual_plan_and_clearing_the_mark() -> None:
    data = case(
        A("2026-11-02", "2026-12-11"),
        P("2026-12-03", "refused"),
        E("registry_mark", "2026-12-04", mark="dropout"),
        E("report", "2026-12-04"),
    )
    a = run(data, "2026-12-14")
    plan = action(a, K.INDIVIDUAL_PLAN)
    assert (plan.agency, plan.holder) == (Agency.SCHOOL, Role.CLASS_TEACHER)
    assert due(plan) == ("2026-12-14", "2026-12-28", False, False)
    assert due(action(a, K.CLEAR_REGISTRY_MARK)) == ("2026-12-14", "2026-12-15", False, False)
    assert action(a, K.MARK_REGISTRY).done  # the episode's earlier actions stay listed
    cleared = case(
        *data["events"],
        E("registry_mark", "2026-12-15", mark="cleared"),
        E("individual_plan", "2026-12-22"),
    )
    b = run(cleared, "2026-12-29")
    assert action(b, K.CLEAR_REGISTRY_MARK).done
    assert action(b, K.INDIVIDUAL_PLAN).done
    unmarked = run(case(A("2026-11-02", "2026-12-11")), "2026-12-14")
    assert K.CLEAR_REGISTRY_MARK not in {x.kind for x in unmarked.actions}


# -- whereabouts -------------------------------------------------------------------------------


def test_verify_whereabouts_from_the_month_mark_or_an_unreachable_family() -> None:
    at_mark = run(case(A("2026-11-02")), "2026-12-02")
    verify = action(at_mark, K.VERIFY_WHEREABOUTS)
    assert (verify.agency, due(verify)[:2]) == (
        Agency.PUBLIC_SECURITY_BUREAU,
        ("2026-12-02", "2026-12-09"),
    )
    early = run(case(A("2026-11-02"), P("2026-11-20", "unreachable")), "2026-11-23")
    assert due(action(early, K.VERIFY_WHEREABOUTS))[:2] == ("2026-11-20", "2026-11-27")
    found = run(
        case(A("2026-11-02"), E("whereabouts", "2026-12-04", finding="at_home")), "2026-12-10"
    )
    assert action(found, K.VERIFY_WHEREABOUTS).done
    unknown = run(
        case(A("2026-11-02"), E("whereabouts", "2026-12-04", finding="unknown")), "2026-12-10"
    )
    assert due(action(unknown, K.VERIFY_WHEREABOUTS))[2:] == (False, True)


def test_missing_child_response_is_due_at_once() -> None:
    data = case(A("2026-11-02"), E("whereabouts", "2026-11-20", finding="missing"))
    a = run(data, "2026-11-20")
    response = action(a, K.MISSING_CHILD_RESPONSE)
    assert due(response) == ("2026-11-20", "2026-11-20", False, False)
    assert Cause.MISSING in a.causes
    assert action(run(data, "2026-11-23"), K.MISSING_CHILD_RESPONSE).overdue
    located = case(*data["events"], E("whereabouts", "2026-11-24", finding="at_home"))
    assert action(run(located, "2026-11-25"), K.MISSING_CHILD_RESPONSE).done


def test_registry_transfer_when_found_enrolled_elsewhere() -> None:
    a = run(
        case(A("2026-11-02"), E("whereabouts", "2026-11-20", finding="enrolled_elsewhere")),
        "2026-11-25",
    )
    transfer = action(a, K.REGISTRY_TRANSFER)
    assert transfer.holder is Role.REGISTRY_ADMINISTRATOR
    assert due(transfer) == ("2026-11-20", "2026-11-23", False, True)


# -- cause routing -----------------------------------------------------------------------------

ROUTES = [
    (
        "economic_hardship",
        {
            (K.SOCIAL_ASSISTANCE, Agency.CIVIL_AFFAIRS_BUREAU),
            (K.STUDENT_AID, Agency.EDUCATION_BUREAU),
            (K.STUDENT_AID, Agency.FINANCE_BUREAU),
        },
    ),
    (
        "child_labor",
        {
            (K.CHILD_LABOR_INVESTIGATION, Agency.HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU),
            (K.EMPLOYER_SUPERVISION, Agency.MARKET_SUPERVISION_BUREAU),
            (K.CHILD_LABOR_ENFORCEMENT, Agency.PUBLIC_SECURITY_BUREAU),
        },
    ),
    ("internet_addiction", {(K.INTERNET_CAFE_INSPECTION, Agency.CULTURE_TOURISM_BUREAU)}),
    (
        "disability",
        {
            (K.DISABILITY_CERTIFICATION, Agency.DISABLED_PERSONS_FEDERATION),
            (K.MEDICAL_ASSESSMENT, Agency.HEALTH_COMMISSION),
            (K.PLACEMENT_ASSESSMENT, Agency.SPECIAL_EDUCATION_COMMITTEE),
        },
    ),
    (
        "learning_difficulty",
        {
            (K.LEARNING_SUPPORT, Agency.SCHOOL),
            (K.PSYCHOLOGICAL_COUNSELING, Agency.SCHOOL),
            (K.INDIVIDUAL_PLAN, Agency.SCHOOL),
        },
    ),
    (
        "school_aversion",
        {
            (K.LEARNING_SUPPORT, Agency.SCHOOL),
            (K.PSYCHOLOGICAL_COUNSELING, Agency.SCHOOL),
            (K.INDIVIDUAL_PLAN, Agency.SCHOOL),
        },
    ),
    ("family_education", {(K.FAMILY_EDUCATION_GUIDANCE, Agency.WOMENS_FEDERATION)}),
    ("guardian_refusal", {(K.LEGAL_SERVICE, Agency.JUSTICE_BUREAU)}),
    ("illness", {(K.HEALTH_SUPPORT, Agency.HEALTH_COMMISSION)}),
    ("missing", {(K.MISSING_CHILD_RESPONSE, Agency.PUBLIC_SECURITY_BUREAU)}),
    (
        "safety",
        {
            (K.SCHOOL_SAFETY, Agency.EDUCATION_BUREAU),
            (K.CAMPUS_SECURITY, Agency.PUBLIC_SECURITY_BUREAU),
        },
    ),
    ("migration", set()),
    ("other", set()),
]


@pytest.mark.parametrize(("cause", "expected"), ROUTES)
def test_each_cause_routes_to_its_agencies(
    cause: str, expected: set[tuple[ActionKind, Agency]]
) -> None:
    a = run(case(A("2026-11-02"), E("home_visit", "2026-11-12", causes=[cause])), "2026-11-13")
    routed = {(x.kind, x.agency) for x in a.actions if x.rule == "routing.causes"}
    assert routed == expected
    for x in a.actions:
        if x.rule == "routing.causes":
            assert x.cause is Cause(cause)
            assert due(x)[:2] == ("2026-11-12", "2026-11-26")  # 10 school days
    assert {agency for _, agency in expected} <= set(agencies_for(Cause(cause)))


def test_a_cause_found_before_the_alert_is_routed_from_the_alert() -> None:
    a = run(case(A("2026-11-02"), E("home_visit", "2026-11-05", causes=["illness"])), "2026-11-13")
    assert action(a, K.HEALTH_SUPPORT).trigger == D("2026-11-10")


def test_child_labour_only_under_sixteen() -> None:
    working = [A("2026-11-02"), E("whereabouts", "2026-11-12", finding="working")]
    young = run(case(*working), "2026-11-13")
    assert Cause.CHILD_LABOR in young.causes
    assert (K.CHILD_LABOR_INVESTIGATION, Agency.HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU) in kinds(
        young
    )
    old = run(case(*working, birth="2010-09-01", grade=9), "2026-11-13")  # 16 on Sep 1
    assert Cause.CHILD_LABOR in old.causes
    assert not {k for k, _ in kinds(old)} & {K.CHILD_LABOR_INVESTIGATION, K.EMPLOYER_SUPERVISION}


def test_a_routed_action_is_done_by_the_events_that_do_the_rules_own_of_its_kind() -> None:
    """A learning difficulty routes an individual plan to the school (plan 四); recording the
    plan (an ``individual_plan`` event) does it, as it does the plan the return rule requires.
    A child a home visit finds missing is routed to the police; the response is done once the
    child is found, as the whereabouts rule's own is."""
    data = [A("2026-11-02"), E("home_visit", "2026-11-12", causes=["learning_difficulty"])]
    routed = [x for x in run(case(*data), "2026-11-30").actions if x.rule == "routing.causes"]
    plan = next(x for x in routed if x.kind is K.INDIVIDUAL_PLAN)
    assert (plan.done, plan.overdue) == (False, True)  # due 2026-11-26 (10 school days)
    made = run(case(*data, E("individual_plan", "2026-11-20")), "2026-11-30")
    plan = next(
        x for x in made.actions if x.rule == "routing.causes" and x.kind is K.INDIVIDUAL_PLAN
    )
    assert (plan.done, plan.overdue) == (True, False)
    taken = E("action_taken", "2026-11-20", kind="individual_plan", agency="school")
    plan = next(
        x
        for x in run(case(*data, taken), "2026-11-30").actions
        if x.rule == "routing.causes" and x.kind is K.INDIVIDUAL_PLAN
    )
    assert plan.done  # an action_taken of the kind still does it
    missing = [A("2026-11-02"), E("home_visit", "2026-11-12", causes=["missing"])]
    found = E("whereabouts", "2026-11-24", finding="at_home")
    for events, done in ((missing, False), ([*missing, found], True)):
        police = [
            x
            for x in run(case(*events), "2026-11-25").actions
            if x.rule == "routing.causes" and x.kind is K.MISSING_CHILD_RESPONSE
        ]
        assert [x.done for x in police] == [done]


def test_action_taken_completes_an_agency_action() -> None:
    data = [A("2026-11-02"), E("home_visit", "2026-11-12", causes=["economic_hardship"])]
    open_ = run(case(*data), "2026-11-30")
    assert action(open_, K.SOCIAL_ASSISTANCE).overdue
    done = run(
        case(
            *data,
            E(
                "action_taken",
                "2026-11-20",
                kind="social_assistance",
                agency="civil_affairs_bureau",
            ),
        ),
        "2026-11-30",
    )
    assert action(done, K.SOCIAL_ASSISTANCE).done
    assert not action(done, K.STUDENT_AID, Agency.FINANCE_BUREAU).done


# -- priority, out of school, special education ---------------------------------------------------


def test_priority_support_once_suspected() -> None:
    a = run(case(A("2026-11-02"), flags=["left_behind"]), "2026-11-10")
    assert due(action(a, K.PRIORITY_SUPPORT))[:2] == ("2026-11-10", "2026-11-24")
    assert action(a, K.SOCIAL_ASSISTANCE).agency is Agency.CIVIL_AFFAIRS_BUREAU


def test_out_of_school_mobilization_and_enforcement() -> None:
    data = case(registered=False, birth="2020-05-01")
    a = run(data, "2026-11-20")
    mobilize = action(a, K.ENROLLMENT_MOBILIZATION)
    assert (mobilize.agency, mobilize.holder) == (Agency.TOWNSHIP_GOVERNMENT, Role.TOWNSHIP_HEAD)
    assert Agency.EDUCATION_BUREAU in mobilize.supporting
    assert due(mobilize) == ("2026-09-01", "2026-09-15", False, True)
    visited = case(
        E("home_visit", "2026-09-10", by="village_committee", causes=["guardian_refusal"]),
        registered=False,
        birth="2020-05-01",
    )
    b = run(visited, "2026-11-20")
    assert action(b, K.ENROLLMENT_MOBILIZATION).done
    assert b.stage is Stage.ENFORCEMENT
    assert due(action(b, K.GUARDIAN_EDUCATION))[:2] == ("2026-09-10", "2026-09-17")


def test_placement_assessment_for_a_certified_disabled_child() -> None:
    disabled = {"disability": {"certified": True, "category": "physical"}}
    a = run(case(**disabled), "2026-11-20")
    placement = action(a, K.PLACEMENT_ASSESSMENT)
    assert placement.agency is Agency.SPECIAL_EDUCATION_COMMITTEE
    assert Agency.HEALTH_COMMISSION in placement.supporting
    assert due(placement) == ("2026-09-01", "2026-09-29", False, True)
    placed = run(case(E("placement", "2026-09-10", mode="regular_class"), **disabled), "2026-11-20")
    assert placed.actions == ()
    uncertified = run(case(disability={"certified": False}), "2026-11-20")
    assert uncertified.actions == ()


# -- the responsibility matrix ------------------------------------------------------------------


def test_every_agency_has_standing_duties_with_verbatim_citations() -> None:
    plan = default_policy().source_text
    for agency in Agency:
        duties = responsibilities(agency)
        assert duties, agency
        for duty in duties:
            assert duty.duty
            assert duty.duty_en
            assert duty.citations
            assert all(quote_in_text(c.quote, plan) for c in duty.citations)
    dated = {d.schedule for a in Agency for d in responsibilities(a) if d.schedule}
    assert {"quarterly", "every August"} <= dated


def test_agencies_for_answers_the_routing_question() -> None:
    assert agencies_for(Cause.INTERNET_ADDICTION) == (Agency.CULTURE_TOURISM_BUREAU,)
    refusal = agencies_for(Cause.GUARDIAN_REFUSAL)
    assert {
        Agency.JUSTICE_BUREAU,
        Agency.TOWNSHIP_GOVERNMENT,
        Agency.EDUCATION_BUREAU,
        Agency.COURT,
    } <= set(refusal)
    assert agencies_for(Cause.OTHER) == ()


# -- properties -------------------------------------------------------------------------------


@given(case_and_day(registered=None))
def test_every_action_is_complete_and_cited(drawn: tuple[Any, date]) -> None:
    c, as_of = drawn
    plan = default_policy().source_text
    a = run(c.model_dump(), as_of.isoformat())
    for x in a.actions:
        assert x.due >= x.trigger
        assert x.trigger <= as_of
        assert x.citations
        assert all(quote_in_text(cite.quote, plan) for cite in x.citations)
        assert not (x.done and x.overdue)
        assert x.overdue == (not x.done and as_of > x.due)


@given(case_and_day())
def test_a_matching_event_marks_exactly_that_action_done(drawn: tuple[Any, date]) -> None:
    c, as_of = drawn
    before = run(c.model_dump(), as_of.isoformat())
    pending = [x for x in before.actions if not x.done]
    if not pending:
        return
    target = pending[0]
    data = c.model_dump(mode="json")
    data["events"].append(
        {
            "type": "action_taken",
            "date": as_of.isoformat(),
            "kind": target.kind.value,
            "agency": target.agency.value,
        }
    )
    after = run(data, as_of.isoformat())
    assert (after.status, after.stage, after.status_since) == (
        before.status,
        before.stage,
        before.status_since,
    )
    assert len(after.actions) == len(before.actions)
    for old, new in zip(before.actions, after.actions, strict=True):
        assert (old.kind, old.agency, old.level) == (new.kind, new.agency, new.level)
        same_target = (old.kind, old.agency) == (target.kind, target.agency)
        assert new.done == (True if same_target else old.done)


def test_the_strategies_reach_the_action_rules() -> None:
    """Guard against vacuous properties: the strategies must produce cases with actions."""
    from hypothesis import settings

    counts: list[int] = []

    # 300, not 100: Hypothesis mixes constants found in the package's own source into its
    # draws, so code added anywhere in src/ shifts these derandomized examples; at 100 the
    # count fell to 2 once the HTTP service landed (47 of 300 reach three actions today).
    @settings(max_examples=300, database=None, deadline=None, derandomize=True)
    @given(case_and_day())
    def tally(drawn: tuple[Any, date]) -> None:
        counts.append(len(run(drawn[0].model_dump(), drawn[1].isoformat()).actions))

    tally()
    assert sum(1 for n in counts if n >= 3) >= 3, counts
    assert cases  # the public strategy is importable from kongchuo_rules.testing
