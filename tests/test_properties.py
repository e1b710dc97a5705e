"""Invariants of ``assess``, property-tested with the library's own strategies."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from kongchuo_rules import Absence, Case, Persuasion, Status, assess, default_policy
from kongchuo_rules.citations import quote_in_text
from kongchuo_rules.rules import RULES
from kongchuo_rules.testing import TERM_END, TERM_START, absences, cases, events, policies

AS_OF = st.dates(TERM_START, TERM_END + timedelta(days=30))
# Statuses on the attendance ladder, ranked; more absence never moves a child down it.
RANK = {Status.ATTENDING: 0, Status.RETURNED: 0, Status.SUSPECTED_DROPOUT: 1, Status.DROPOUT: 2}


@st.composite
def case_and_day(draw: st.DrawFn, **kw: Any) -> tuple[Case, date]:
    """A case and an assessment day that usually falls during or after its first events."""
    case = draw(cases(**kw))
    first = case.events[0].day if case.events else TERM_START
    return case, first + timedelta(days=draw(st.integers(-5, 120)))


def _with_events(case: Case, *extra: Any) -> Case:
    return Case.model_validate(
        {**case.model_dump(), "events": [*case.model_dump()["events"], *extra]}
    )


@given(case_and_day(special=False), absences(excused=False))
def test_more_unexcused_absence_never_lowers_the_status(
    drawn: tuple[Case, date], extra: Absence
) -> None:
    case, as_of = drawn
    assume(not any(e.type in ("whereabouts", "transfer_out") for e in case.events))
    before = assess(case, as_of=as_of)
    after = assess(_with_events(case, extra.model_dump()), as_of=as_of)
    assert RANK[after.status] >= RANK[before.status]
    assert after.unexcused_days >= before.unexcused_days or after.run_start != before.run_start


@given(case_and_day(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_event_order(drawn: tuple[Case, date], rnd: Any) -> None:
    case, as_of = drawn
    data = case.model_dump(mode="json")
    shuffled = dict(data, events=list(data["events"]))
    rnd.shuffle(shuffled["events"])
    assert assess(data, as_of=as_of) == assess(shuffled, as_of=as_of)


@given(case_and_day(), st.data())
def test_events_after_as_of_change_nothing(drawn: tuple[Case, date], data: st.DataObject) -> None:
    case, as_of = drawn
    window = (as_of + timedelta(days=1), as_of + timedelta(days=120))
    later = data.draw(st.lists(events(window), max_size=4))
    assert assess(case, as_of=as_of) == assess(
        _with_events(case, *(e.model_dump() for e in later)), as_of=as_of
    )


@given(case_and_day(special=False))
def test_no_jump_back_from_dropout_without_a_return(drawn: tuple[Case, date]) -> None:
    case, start = drawn
    previous = None
    for offset in range(30):
        status = assess(case, as_of=start + timedelta(days=offset)).status
        if previous is Status.DROPOUT:
            assert status is not Status.SUSPECTED_DROPOUT
        previous = status


@given(case_and_day(registered=None))
def test_status_since_is_never_after_as_of(drawn: tuple[Case, date]) -> None:
    case, as_of = drawn
    a = assess(case, as_of=as_of)
    assert a.status_since is None or a.status_since <= as_of
    if a.alert_date is not None:
        assert a.run_start is not None
        assert a.run_start <= a.alert_date <= as_of


@given(case_and_day(registered=None))
def test_no_personal_data_in_any_output(drawn: tuple[Case, date]) -> None:
    case, as_of = drawn
    a = assess(case, as_of=as_of)
    secrets = [case.student.name, case.student.national_id]
    secrets += [g.name for g in case.guardians] + [g.phone for g in case.guardians]
    outputs = [
        a.model_dump_json(),
        json.dumps(a.model_dump(mode="json"), ensure_ascii=False),
        a.explain("zh"),
        a.explain("en"),
        repr(a),
    ]
    for secret in filter(None, secrets):
        for text in outputs:
            assert secret not in text


@given(case_and_day(registered=None))
def test_every_fired_rule_cites_the_plan_verbatim(drawn: tuple[Case, date]) -> None:
    case, as_of = drawn
    plan = default_policy().source_text
    a = assess(case, as_of=as_of)
    for entry in a.trace:
        assert entry.rule in RULES
        if entry.fired:
            assert entry.citations
        for citation in entry.citations:
            assert quote_in_text(citation.quote, plan), citation


@given(case_and_day(registered=None), policies())
def test_assess_is_deterministic_and_total(drawn: tuple[Case, date], policy: Any) -> None:
    case, as_of = drawn
    first = assess(case, as_of=as_of, policy=policy)
    assert first == assess(case, as_of=as_of, policy=policy)
    assert first.policy_version == policy.version
    json.loads(first.model_dump_json())


@given(case_and_day(special=False))
def test_stage_and_status_agree(drawn: tuple[Case, date]) -> None:
    case, as_of = drawn
    a = assess(case, as_of=as_of)
    if a.status is Status.DROPOUT:
        assert a.escalation_level is not None
        assert a.stage.value in ("escalation", "enforcement")
    if a.status is Status.RETURNED:
        assert a.stage.value == "monitoring"
        assert a.return_date is not None
    if a.status is Status.ATTENDING:
        assert a.stage.value == "none"


@given(st.dates(TERM_START, TERM_END), st.integers(1, 40), AS_OF)
def test_a_failed_persuasion_never_lowers_the_status(start: date, days: int, as_of: date) -> None:
    base = Case.model_validate(
        {
            "student": {"id": "S-1", "birth_date": "2015-01-01", "registered": True},
            "events": [{"type": "absence", "start": start.isoformat(), "excused": False}],
        }
    )
    refused = Persuasion(date=start + timedelta(days=days), outcome="refused")  # type: ignore[arg-type]
    before, after = (
        assess(base, as_of=as_of),
        assess(_with_events(base, refused.model_dump()), as_of=as_of),
    )
    assert RANK[after.status] >= RANK[before.status]
