"""Causes → responsible agencies (PRODUCT.md §5.6), priority children, and the standing
responsibility matrix of plan 四 — all read from the policy's ``[[routing]]`` and
``[[responsibilities]]`` tables, so the data stays in one place.

>>> from kongchuo_rules.vocabulary import Cause
>>> [a.value for a in agencies_for(Cause.INTERNET_ADDICTION)]
['culture_tourism_bureau']
"""

from __future__ import annotations

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import require
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY, age_on
from kongchuo_rules._internal.kernel import inline, kernel
from kongchuo_rules._internal.record import Work, note
from kongchuo_rules._internal.tables import R_BELOW_AGE, R_CAUSE, R_SPEC, Tables, param, route
from kongchuo_rules.citations import Citation
from kongchuo_rules.policy import Policy, Route, default_policy
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.rules.enforcement import (
    ADMINISTRATIVE_PENALTY,
    COURT_APPLICATION,
    GUARDIAN_EDUCATION,
    GUARDIAN_ORDER,
)
from kongchuo_rules.vocabulary import ActionKind, Agency, Cause, Role

__all__ = [
    "CAUSES",
    "PRIORITY",
    "PRIORITY_ASSISTANCE",
    "PRIORITY_SUPPORT",
    "StandingDuty",
    "agencies_for",
    "responsibilities",
    "route_spec",
]

CAUSES = Rule(
    id="routing.causes",
    title_zh="按原因联控联保",
    title_en="Cause routing",
    clauses=("county_mechanism",),
    parameters=("routing.referral_due_school_days", "routing.child_labor_age"),
    fired_zh="发现原因：{causes}，转相关部门办理",
    fired_en="causes found: {causes}; referred to the responsible agencies",
    not_fired_zh="本次未发现需转介的原因",
    not_fired_en="no cause to refer",
    figures=(("causes", "causes"),),
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
    figures=(("status", "status"),),
    figures_not_fired=(),
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


def route_spec(
    route: Route, done_by: DoneBy | None = None, late_report: bool = False
) -> ActionSpec:
    """The action a routing row requires, done as ``done_by`` says: by default an
    ``action_taken`` of its kind; :func:`~kongchuo_rules.rules.all_specs` passes the
    :class:`DoneBy` of a rule's own spec of the same kind (a routed ``individual_plan`` is done
    by an ``individual_plan`` event, as the one the return rule requires), and its
    ``late_report``."""
    return ActionSpec(
        kind=route.action,
        agency=route.agency,
        holder=route.holder,
        clauses=route.clauses,
        due_parameter="routing.referral_due_school_days",
        rule=CAUSES.id,
        supporting=route.supporting,
        done_by=done_by or DoneBy(),
        late_report=late_report,
        static=False,
    )


R_CAUSES = CAUSES.index
R_PRIORITY = PRIORITY.index
I_PRIORITY_SUPPORT = PRIORITY_SUPPORT.index
I_PRIORITY_ASSISTANCE = PRIORITY_ASSISTANCE.index
N_CAUSES = len(Cause)


@kernel
def cause_days(ev: Rows, lo: int, hi: int, since: int, until: int, found: list[int]) -> list[int]:
    """Per cause code, the first day it was found from ``since`` to ``until`` (or
    :data:`NO_DAY`): the causes of home visits, guardian contacts and persuasion attempts, and
    whereabouts findings ``working`` (child labour) and ``missing``. Written into ``found``
    (``N_CAUSES`` entries, all :data:`NO_DAY`), which is returned."""
    for i in range(lo, hi):
        row = ev[i]
        day = row[codes.F_DAY]
        if day < since or day > until:
            continue
        t = row[codes.F_TYPE]
        mask = 0
        if t == codes.T_HOME_VISIT or t == codes.T_GUARDIAN_CONTACT or t == codes.T_PERSUASION:
            mask = row[codes.F_CAUSES]
        elif t == codes.T_WHEREABOUTS:
            if row[codes.F_FINDING] == codes.W_WORKING:
                mask = 1 << codes.C_CHILD_LABOR
            elif row[codes.F_FINDING] == codes.W_MISSING:
                mask = 1 << codes.C_MISSING
        c = 0
        while mask != 0:
            if mask & 1 and found[c] == NO_DAY:
                found[c] = day
            mask >>= 1
            c += 1
    return found


@inline
def cause_mask(found: list[int]) -> int:
    """The causes found, as a bit per cause code."""
    mask = 0
    for c in range(len(found)):
        if found[c] != NO_DAY:
            mask |= 1 << c
    return mask


@kernel
def route_causes(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    birth: int,
    found: list[int],
    earliest: int,
    since: int,
    horizon: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """``routing.causes``: each cause found by ``horizon`` requires the actions of the agencies
    the policy's routing table names, from the later of the day it was found and
    ``earliest``; a route with ``below_age`` applies only to a child younger than that
    parameter on ``as_of`` (child labour: under 16)."""
    fired = False
    child_age = age_on(birth, as_of)
    for r in range(t.n_routes):
        cause = route(t, r, R_CAUSE)
        first = found[cause]
        if first == NO_DAY or first > horizon:
            continue
        below = route(t, r, R_BELOW_AGE)
        if below != codes.NONE and child_age >= param(t, as_of, below):
            continue
        trigger = first if first > earliest else earliest
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            route(t, r, R_SPEC),
            trigger,
            since,
            horizon,
            cause,
            attr,
            w,
            span,
        )
        fired = True
    note(w, R_CAUSES, fired, NO_DAY, cause_mask(found), 0, 0, 0)


@kernel
def support_priority(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    priority: int,
    trigger: int,
    since: int,
    status: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """``routing.priority``: a priority child who is a suspected dropout, a dropout or out of
    school gets the township's help and the civil-affairs bureau's assistance."""
    if priority == 0:
        note(w, R_PRIORITY, False, NO_DAY, 0, 0, 0, 0)
        return
    note(w, R_PRIORITY, True, trigger, status, 0, 0, 0)
    require(
        t,
        ev,
        lo,
        hi,
        as_of,
        I_PRIORITY_SUPPORT,
        trigger,
        since,
        as_of,
        codes.NONE,
        attr,
        w,
        span,
    )
    require(
        t,
        ev,
        lo,
        hi,
        as_of,
        I_PRIORITY_ASSISTANCE,
        trigger,
        since,
        as_of,
        codes.NONE,
        attr,
        w,
        span,
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
