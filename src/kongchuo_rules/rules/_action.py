"""Required actions as declarative specs: who (agency, holder) must do what, under which clause,
due how many school days after the rule fires; and the one function that builds an
:class:`~kongchuo_rules.assessment.Action` from a spec, its trigger and the events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import ActionTaken
from kongchuo_rules.policy import ParameterSet, Policy
from kongchuo_rules.rules._timeline import Timeline
from kongchuo_rules.vocabulary import ActionKind, Agency, Cause, EscalationLevel, Role

__all__ = ["ActionSpec", "make_action", "parameter"]


@dataclass(frozen=True)
class ActionSpec:
    """One kind of required action: holder, clauses, deadline parameter, the rule requiring it."""

    kind: ActionKind
    agency: Agency
    holder: Role
    clauses: tuple[str, ...]
    due_parameter: str  # a dotted parameter name: school days after the trigger
    rule: str
    supporting: tuple[Agency, ...] = ()
    level: EscalationLevel | None = None


def parameter(params: ParameterSet, name: str) -> Any:
    """The value of dotted parameter ``name`` in ``params``.

    >>> from kongchuo_rules import default_policy
    >>> parameter(default_policy().at(dt.date(2026, 9, 1)), "absence.home_visit_due_school_days")
    1
    """
    group, field = name.split(".", 1)
    return getattr(getattr(params, group), field)


def make_action(
    spec: ActionSpec,
    trigger: dt.date,
    *,
    done_on: dt.date | None,
    events: Timeline,
    params: ParameterSet,
    policy: Policy,
    calendar: SchoolCalendar,
    since: dt.date | None = None,
    cause: Cause | None = None,
) -> dict[str, Any]:
    """The fields of an Action: due ``due_parameter`` school days after ``trigger``; done when
    ``done_on`` (the completing event's date, found by the caller) is set, or an
    ``action_taken`` of this kind (and agency) is dated on or after ``since`` (default: the
    trigger); overdue when not done and ``events.as_of`` is after the due date."""
    due = calendar.add_school_days(trigger, parameter(params, spec.due_parameter))
    lower = trigger if since is None else since
    if done_on is None:
        done_on = next(
            (
                e.date
                for e in events.of(ActionTaken)
                if e.kind is spec.kind and e.agency in (None, spec.agency) and e.date >= lower
            ),
            None,
        )
    done = done_on is not None
    return {
        "kind": spec.kind,
        "agency": spec.agency,
        "holder": spec.holder,
        "trigger": trigger,
        "due": due,
        "done": done,
        "overdue": not done and events.as_of > due,
        "citations": policy.cite(spec.clauses),
        "level": spec.level,
        "supporting": spec.supporting,
        "rule": spec.rule,
        "cause": cause,
    }
