"""The rules core's guarantees (the rules-core issue): windows in which a child is not expected
at school, parameters in force on the day a rule applies, policies and calendars that travel
(pickle, compare, version), and the engine's narrow surface.

Dates computed by hand on the default calendar: November 2026 has no holidays, 11-02 is a
Monday; 2026-11-30 is a Monday.
"""

from __future__ import annotations

import copy
import pickle
from datetime import date
from typing import Any

import pytest

from kongchuo_rules import SchoolCalendar, Stage, Status, assess, default_policy
from kongchuo_rules.assessment import FindingCode

D = date.fromisoformat


def case(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "student": {"id": "S-1", "birth_date": "2015-05-03", "registered": True},
        "events": list(events),
    }


OPEN = {"type": "absence", "start": "2026-11-02", "excused": False}


# -- a window in which the child is not expected at school ends inside an open spell --------------


def test_a_deferral_window_is_not_counted_as_unexcused_absence() -> None:
    # absent from Mon 11-02 (open); a deferral approved on Wed 11-04 until Mon 11-30
    data = case(OPEN, {"type": "deferral", "date": "2026-11-04", "until": "2026-11-30"})
    during = assess(data, as_of=D("2026-11-20"))
    assert during.status is Status.DEFERRED
    assert during.run_start is None  # the window ended the run of 11-02..11-03
    # on 12-02 the child is expected again and still absent: a new run from 11-30 —
    # 11-30, 12-01, 12-02: three school days, no back-dated alert from November
    after = assess(data, as_of=D("2026-12-02"))
    assert (after.status, after.run_start, after.unexcused_days) == (
        Status.ATTENDING,
        D("2026-11-30"),
        3,
    )
    assert after.alert_date is None
    assert not any(a.overdue for a in after.actions)
    # the 7th unexcused school day after the window is Tue 12-08
    alert = assess(data, as_of=D("2026-12-08"))
    assert (alert.status, alert.status_since, alert.alert_date) == (
        Status.SUSPECTED_DROPOUT,
        D("2026-12-08"),
        D("2026-12-08"),
    )
    assert alert.month_mark == D("2026-12-30")  # one month from 11-30, in term time


def test_before_the_fix_the_window_days_counted_back() -> None:
    # the same spell without the deferral: alert on 11-10 (the 7th school day of November)
    plain = assess(case(OPEN), as_of=D("2026-12-08"))
    assert plain.alert_date == D("2026-11-10")
    assert plain.stage is Stage.PERSUASION


def test_an_exemption_replaced_by_regular_class_is_a_window() -> None:
    data = case(
        OPEN,
        {"type": "placement", "date": "2026-11-04", "mode": "exempt"},
        {"type": "placement", "date": "2026-11-30", "mode": "regular_class"},
    )
    assert assess(data, as_of=D("2026-11-20")).status is Status.EXEMPT
    after = assess(data, as_of=D("2026-12-04"))  # 11-30 .. 12-04: five school days
    assert (after.status, after.run_start, after.unexcused_days) == (
        Status.ATTENDING,
        D("2026-11-30"),
        5,
    )


def test_a_run_ended_by_a_window_is_not_a_return() -> None:
    # a run that reached persuasion (mark 12-02) and a deferral from 12-07 until 12-14: no
    # return on 12-07 (the child did not come back), no individual plan
    data = case(OPEN, {"type": "deferral", "date": "2026-12-07", "until": "2026-12-14"})
    a = assess(data, as_of=D("2026-12-15"))
    assert a.status is not Status.RETURNED
    assert a.return_date is None
    assert a.episodes[0].return_date is None
    assert a.episodes[0].run_end == D("2026-12-04")


# -- parameters in force on the day a rule applies ------------------------------------------------


def test_a_threshold_changed_mid_year_does_not_move_an_earlier_alert() -> None:
    # 7 school days until 11-19, 5 from 11-20
    policy = default_policy().with_changes(
        {
            "absence.alert_unexcused_school_days": [
                {"since": None, "value": 7},
                {"since": "2026-11-20", "value": 5},
            ]
        }
    )
    first = assess(case(OPEN), as_of=D("2026-11-25"), policy=policy)
    assert first.alert_date == D("2026-11-10")  # not moved back to 11-06
    # a spell starting on Mon 11-16: 4 days by 11-19 (< 7); on 11-20 the count is 5 and the
    # threshold in force that day is 5
    later = {"type": "absence", "start": "2026-11-16", "excused": False}
    second = assess(case(later), as_of=D("2026-11-25"), policy=policy)
    assert second.alert_date == D("2026-11-20")


def test_a_due_date_reads_the_parameter_in_force_on_the_trigger() -> None:
    policy = default_policy().with_changes(
        {
            "absence.home_visit_due_school_days": [
                {"since": None, "value": 1},
                {"since": "2026-11-11", "value": 3},
            ]
        }
    )
    a = assess(case(OPEN), as_of=D("2026-11-25"), policy=policy)
    visit = next(x for x in a.actions if x.kind.value == "home_visit")
    assert (visit.trigger, visit.due) == (D("2026-11-10"), D("2026-11-11"))  # 1 on 11-10


# -- policies and calendars travel ----------------------------------------------------------------


def test_policy_and_calendar_pickle_and_compare_equal_after_use() -> None:
    policy = default_policy()
    calendar = policy.calendar
    assess(case(OPEN), as_of=D("2026-12-08"))  # caches built
    for obj in (policy, calendar, SchoolCalendar(closures=frozenset({D("2026-11-03")}))):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj
        assert hash(back) == hash(obj)
    assert pickle.loads(pickle.dumps(policy)).version == policy.version


def test_the_policy_holds_no_reference_to_its_calendar() -> None:
    policy = default_policy()
    _ = policy.calendar
    assert not any(isinstance(v, SchoolCalendar) for v in vars(policy).values())


def test_the_version_changes_with_the_content_and_the_calendar() -> None:
    policy = default_policy()
    changed = policy.with_changes({"absence.alert_unexcused_school_days": 5})
    assert changed.version != policy.version
    same = policy.with_changes({"absence.alert_unexcused_school_days": 7})
    assert same.version == policy.version
    assert same == policy
    closed = SchoolCalendar(closures=frozenset({D("2026-11-03")}))
    a = assess(case(OPEN), as_of=D("2026-11-20"), calendar=closed)
    b = assess(case(OPEN), as_of=D("2026-11-20"))
    assert a.policy_version != b.policy_version
    assert a.policy_version.startswith(b.policy_version)


def test_a_calendar_made_for_another_policy_is_used_with_the_given_one() -> None:
    # a policy whose autumn term starts on 09-05 and a calendar of the bundled policy
    policy = default_policy().with_changes(
        {"calendar.autumn_term": {"start": "09-05", "end": "01-15"}}
    )
    calendar = SchoolCalendar(closures=frozenset({D("2026-11-03")}))
    a = assess(case(OPEN), as_of=D("2026-11-20"), policy=policy, calendar=calendar)
    b = assess(case(OPEN), as_of=D("2026-11-20"), calendar=calendar.with_policy(policy))
    assert a.model_dump_json() == b.model_dump_json()
    assert a.policy_version == calendar.with_policy(policy).version


# -- the decision, then the output ----------------------------------------------------------------


def test_actions_and_trace_are_built_on_first_read_and_survive_json() -> None:
    from kongchuo_rules import Assessment
    from kongchuo_rules.assessment import PENDING

    a = assess(case(OPEN), as_of=D("2026-12-08"))
    assert vars(a)["actions"] is PENDING
    assert vars(a)["trace"] is PENDING
    text = a.model_dump_json()
    assert vars(a)["actions"] is not PENDING
    assert vars(a)["trace"] is not PENDING
    assert Assessment.model_validate_json(text) == a
    # every other way in also builds them first
    b = assess(case(OPEN), as_of=D("2026-12-08"))
    assert dict(b)["actions"] == a.actions
    assert dict(b)["trace"] == a.trace
    assert list(dict(b)) == list(Assessment.model_fields)


def test_trace_figures_are_read_only_and_copy_as_plain_dicts() -> None:
    """Trace entries are shared between assessments (equal rows, one entry): their figures
    cannot be changed, and copies are plain dicts."""
    a = assess(case(OPEN), as_of=D("2026-12-08"))
    b = assess(case(OPEN), as_of=D("2026-12-08"))
    assert a.trace[0] is b.trace[0]
    figures = next(t.figures for t in a.trace if t.figures)
    with pytest.raises(TypeError, match="cannot be changed"):
        figures["age"] = 1
    with pytest.raises(TypeError):
        figures.update({"x": 1})
    with pytest.raises(TypeError):
        figures |= {"x": 1}
    for copied in (dict(figures), figures.copy(), pickle.loads(pickle.dumps(figures)),
                   copy.deepcopy(figures), a.trace[0].model_dump()["figures"]):  # fmt: skip
        assert type(copied) is dict
    assert copy.deepcopy(figures) == figures


def test_built_actions_and_trace_behave_as_validated_models() -> None:
    """The actions and trace are built without validation: they must still look, compare and
    copy as the same models validated from their JSON do."""
    from kongchuo_rules import Action
    from kongchuo_rules.assessment import RuleTrace

    a = assess(case(OPEN), as_of=D("2026-12-08"))
    for item, model in [(x, Action) for x in a.actions] + [(x, RuleTrace) for x in a.trace]:
        again = model.model_validate_json(item.model_dump_json())
        assert item == again
        assert item.model_fields_set == again.model_fields_set == set(model.model_fields)
        assert repr(item) == repr(again)
        assert item.model_dump() == again.model_dump()
        assert pickle.loads(pickle.dumps(item)) == item
    assert [hash(x) for x in a.actions] == [
        hash(Action.model_validate_json(x.model_dump_json())) for x in a.actions
    ]
    # the built models share one set of field names: a copy with an update gets its own
    first, second = a.actions[0], a.actions[1]
    changed = first.model_copy(update={"done": not first.done})
    assert changed.done is not first.done
    assert changed.model_fields_set is not first.model_fields_set
    assert first.model_fields_set == second.model_fields_set == set(Action.model_fields)


def test_special_status_traces_survive_json() -> None:
    from kongchuo_rules import Assessment

    data = case(
        {"type": "deferral", "date": "2026-11-04"}, {"type": "transfer_out", "date": "2026-11-05"}
    )
    for day in ("2026-11-04", "2026-11-20"):
        a = assess(data, as_of=D(day))
        assert Assessment.model_validate_json(a.model_dump_json()) == a


def test_findings_have_stable_ids() -> None:
    data = case(
        OPEN, {"type": "absence", "start": "2026-11-02", "end": "2026-11-03", "excused": True}
    )
    a = assess(data, as_of=D("2026-11-20"))
    conflict = next(f for f in a.findings if f.code is FindingCode.CONFLICTING_ABSENCE)
    assert conflict.id == "S-1/conflicting_absence@2026-11-02"
    assert assess(data, as_of=D("2026-11-25")).findings[0].id == conflict.id


# -- recorded-through attendance ------------------------------------------------------------------


def test_days_after_the_recorded_attendance_are_unknown() -> None:
    # absent Mon 11-02 .. Fri 11-13 (the vendor's marks so far); assessed Monday 11-16 morning
    spell = {"type": "absence", "start": "2026-11-02", "end": "2026-11-13", "excused": False}
    through = case(spell)
    through["student"]["attendance_through"] = "2026-11-13"
    a = assess(through, as_of=D("2026-11-16"))
    assert (a.status, a.alert_date, a.unexcused_days) == (
        Status.SUSPECTED_DROPOUT,
        D("2026-11-10"),
        10,
    )
    unknown = [f for f in a.findings if f.code is FindingCode.ATTENDANCE_NOT_RECORDED]
    assert [(f.on, "1 school day(s)" in f.message) for f in unknown] == [(D("2026-11-13"), True)]
    # without it, Monday counts as a day at school: the run ended on Friday
    b = assess(case(spell), as_of=D("2026-11-16"))
    assert b.status is Status.ATTENDING
    assert not any(f.code is FindingCode.ATTENDANCE_NOT_RECORDED for f in b.findings)


def test_an_open_spell_counts_only_up_to_the_recorded_day() -> None:
    data = case(OPEN)
    data["student"]["attendance_through"] = "2026-11-06"
    a = assess(data, as_of=D("2026-11-20"))
    assert (a.unexcused_days, a.alert_date) == (5, None)  # 11-02..11-06 only


def test_the_conflict_message_lists_the_days_counted_up_to_the_recorded_day() -> None:
    # an open unexcused spell and an excused one over the same two weeks; attendance is
    # recorded up to Fri 11-06: the conflict covers 11-02..11-06 (5 school days), not the
    # days up to as_of that nobody has recorded yet
    data = case(
        OPEN, {"type": "absence", "start": "2026-11-02", "end": "2026-11-13", "excused": True}
    )
    data["student"]["attendance_through"] = "2026-11-06"
    a = assess(data, as_of=D("2026-11-20"))
    conflict = next(f for f in a.findings if f.code is FindingCode.CONFLICTING_ABSENCE)
    listed = conflict.message.split(": ")[1].split(", ")
    assert conflict.message.startswith("5 school day(s)")
    assert listed == [f"2026-11-0{d}" for d in range(2, 7)]


def test_a_subclass_of_assessment_keeps_the_defaults_of_actions_and_trace() -> None:
    """``actions`` and ``trace`` are descriptors on ``Assessment``: read on the class they are
    no attribute (as pydantic's fields are not), so a subclass keeps their defaults."""
    from kongchuo_rules import Assessment

    class Noted(Assessment):
        note: str = ""

    assert Noted.model_fields["actions"].default == ()
    assert Noted.model_fields["trace"].default == ()
    a = assess(case(OPEN), as_of=D("2026-12-08"))
    fields = {k: v for k, v in a.model_dump().items() if k not in ("actions", "trace")}
    noted = Noted(**fields, note="n")
    assert noted.actions == ()
    assert noted.trace == ()
    assert '"actions":[]' in noted.model_dump_json()
    with pytest.raises(AttributeError):
        Assessment.actions  # noqa: B018
