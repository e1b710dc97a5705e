"""Causes → responsible agencies (PRODUCT.md §5.6), priority children, and the standing
responsibility matrix of plan 四 — all read from the policy's ``[[routing]]`` and
``[[responsibilities]]`` tables, so the data stays in one place.

>>> from kongchuo_rules.vocabulary import Cause
>>> [a.value for a in agencies_for(Cause.INTERNET_ADDICTION)]
['culture_tourism_bureau']
"""

from __future__ import annotations

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.citations import Citation
from kongchuo_rules.policy import Policy, Route, default_policy
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.rules.enforcement import (
    ADMINISTRATIVE_PENALTY,
    COURT_APPLICATION,
    GUARDIAN_EDUCATION,
    GUARDIAN_ORDER,
)
from kongchuo_rules.vocabulary import ActionKind, Agency, Cause, Role

__all__ = [
    "CAUSE_ROUTING",
    "PRIORITY",
    "PRIORITY_ASSISTANCE",
    "PRIORITY_SUPPORT",
    "StandingDuty",
    "agencies_for",
    "responsibilities",
    "route_spec",
]

CAUSE_ROUTING = Rule(
    id="routing.causes",
    title_zh="按原因联控联保",
    title_en="Cause routing",
    clauses=("county_mechanism",),
    parameters=("routing.referral_due_school_days", "routing.child_labor_age"),
    fired_zh="发现原因：{causes}，转相关部门办理",
    fired_en="causes found: {causes}; referred to the responsible agencies",
    not_fired_zh="本次未发现需转介的原因",
    not_fired_en="no cause to refer",
)
PRIORITY = Rule(
    id="routing.priority",
    title_zh="重点帮助对象",
    title_en="Priority child",
    clauses=("priority_households", "township_special_groups"),
    fired_zh="脱贫家庭或特殊群体子女，且为{status}：乡（镇）重点帮助、民政救助",
    fired_en="priority household or special group, and {status}: township and civil-affairs help",
    not_fired_zh="非重点对象，或学生在校就读（无须额外帮扶事项）",
    not_fired_en="not a priority child, or attending (no support actions)",
)
PRIORITY_SUPPORT = ActionSpec(
    kind=ActionKind.PRIORITY_SUPPORT,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("township_special_groups",),
    due_parameter="routing.referral_due_school_days",
    rule=PRIORITY.id,
)
PRIORITY_ASSISTANCE = ActionSpec(
    kind=ActionKind.SOCIAL_ASSISTANCE,
    agency=Agency.CIVIL_AFFAIRS_BUREAU,
    holder=Role.AGENCY_STAFF,
    clauses=("civil_affairs_assistance", "priority_households"),
    due_parameter="routing.referral_due_school_days",
    rule=PRIORITY.id,
)

# The enforcement ladder answers for a refusing guardian beside the routing table (§5.5).
_LADDER_AGENCIES = tuple(
    dict.fromkeys(
        agency
        for spec in (GUARDIAN_EDUCATION, GUARDIAN_ORDER, ADMINISTRATIVE_PENALTY, COURT_APPLICATION)
        for agency in (spec.agency, *spec.supporting)
    )
)


def route_spec(route: Route) -> ActionSpec:
    """The action a routing row requires."""
    return ActionSpec(
        kind=route.action,
        agency=route.agency,
        holder=route.holder,
        clauses=route.clauses,
        due_parameter="routing.referral_due_school_days",
        rule=CAUSE_ROUTING.id,
        supporting=route.supporting,
    )


def agencies_for(cause: Cause, policy: Policy | None = None) -> tuple[Agency, ...]:
    """The agencies the plan makes responsible for ``cause``, in the policy's order.

    >>> [a.value for a in agencies_for(Cause.ECONOMIC_HARDSHIP)]
    ['civil_affairs_bureau', 'education_bureau', 'finance_bureau']
    >>> Agency.COURT in agencies_for(Cause.GUARDIAN_REFUSAL)
    True
    """
    policy = policy or default_policy()
    found = [r.agency for r in policy.routing if r.cause is cause]
    if cause is Cause.GUARDIAN_REFUSAL:
        found += _LADDER_AGENCIES
    return tuple(dict.fromkeys(found))


class StandingDuty(FrozenModel):
    """A standing duty of an agency: the duty in both languages, its clauses and schedule."""

    agency: Agency
    duty: str
    duty_en: str
    citations: tuple[Citation, ...]
    schedule: str | None = None


def responsibilities(agency: Agency, policy: Policy | None = None) -> tuple[StandingDuty, ...]:
    """The standing duties of ``agency`` under the plan, each with its citations.

    >>> [d.schedule for d in responsibilities(Agency.DISABLED_PERSONS_FEDERATION)]
    [None, 'every August']
    """
    policy = policy or default_policy()
    return tuple(
        StandingDuty(
            agency=r.agency,
            duty=r.duty.zh,
            duty_en=r.duty.en,
            citations=policy.cite(r.clauses),
            schedule=r.schedule,
        )
        for r in policy.responsibilities
        if r.agency is agency
    )
