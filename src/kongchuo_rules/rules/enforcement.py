"""Guardian enforcement, 四步法 (PRODUCT.md §5.5): 批评教育 → 责令限期改正 → 教育行政处罚 →
申请人民法院强制执行, while a child whose guardian refuses stays a dropout or out of school.

Plan 四 县人民政府: 对其父母或者监护人批评教育，并采取措施责令送子女或被监护人
入学接受义务教育，必要时可以司法强制; 五(二)一: 对经教育仍不送子女入学或返校就读的
家长或监护人，提请司法部门依法强制其履行义务; 四 县法院责任: 对于行政督促复学无效，
且逾期不履行教育行政处罚决定的，依法申请强制执行. Law: 义务教育法 第五十八条.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from kongchuo_rules.case import (
    AdministrativePenalty,
    CourtApplication,
    GuardianEducation,
    GuardianOrder,
)
from kongchuo_rules.policy import EnforcementParams
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.rules._timeline import Timeline
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

__all__ = [
    "ADMINISTRATIVE_PENALTY",
    "COURT_APPLICATION",
    "GUARDIAN_EDUCATION",
    "GUARDIAN_ORDER",
    "LADDER",
    "Step",
    "ladder",
]

LADDER = Rule(
    id="enforcement.ladder",
    title_zh="依法控辍（四步法）",
    title_en="Guardian enforcement",
    clauses=("county_guardian_duty", "legal_enforcement", "court_enforcement"),
    parameters=("enforcement.step_due_school_days", "enforcement.order_compliance_days"),
    fired_zh="监护人拒不送学且学生为{status}：自{trigger}起依法控辍，已到第{steps}步",
    fired_en=(
        "guardian refuses and the child is {status}: enforcement from {trigger}, "
        "{steps} step(s) reached"
    ),
    not_fired_zh="不适用（无监护人拒不送学，或学生非辍学/失学）",
    not_fired_en=(
        "does not apply (no guardian refusal, or the child is not a dropout/out of school)"
    ),
)
_SUPPORT = (Agency.EDUCATION_BUREAU, Agency.JUSTICE_BUREAU)
GUARDIAN_EDUCATION = ActionSpec(
    kind=ActionKind.GUARDIAN_EDUCATION,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("county_guardian_duty",),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=_SUPPORT,
)
GUARDIAN_ORDER = ActionSpec(
    kind=ActionKind.GUARDIAN_ORDER,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("county_guardian_duty", "legal_enforcement"),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=_SUPPORT,
)
ADMINISTRATIVE_PENALTY = ActionSpec(
    kind=ActionKind.ADMINISTRATIVE_PENALTY,
    agency=Agency.EDUCATION_BUREAU,
    holder=Role.BUREAU_CHIEF,
    clauses=("education_enforcement", "legal_enforcement"),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=(Agency.JUSTICE_BUREAU,),
)
COURT_APPLICATION = ActionSpec(
    kind=ActionKind.COURT_APPLICATION,
    agency=Agency.EDUCATION_BUREAU,
    holder=Role.BUREAU_CHIEF,
    clauses=("court_enforcement",),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=(Agency.COURT, Agency.JUSTICE_BUREAU),
)

Step = tuple[ActionSpec, dt.date, dt.date | None]
"""A ladder step: its spec, its trigger and the date of the event that did it (or None)."""


def ladder(
    events: Timeline, start: dt.date, since: dt.date, horizon: dt.date, params: EnforcementParams
) -> list[Step]:
    """The steps fired by ``horizon`` for a ladder that started on ``start``; events count
    from ``since``. Step 2 fires when step 1 is done; step 3 the day after the order's
    deadline; step 4 the day after the penalty's deadline (a missing deadline is
    ``order_compliance_days`` after the event)."""
    grace = timedelta(days=params.order_compliance_days)
    one_day = timedelta(days=1)

    def first(
        kind: type[GuardianEducation | GuardianOrder | AdministrativePenalty | CourtApplication],
    ) -> dt.date | None:
        return next((e.date for e in events.of(kind) if e.date >= since), None)

    steps: list[Step] = [(GUARDIAN_EDUCATION, start, first(GuardianEducation))]
    educated = steps[0][2]
    if educated is None or educated > horizon:
        return steps
    orders = [e for e in events.of(GuardianOrder) if e.date >= since]
    steps.append((GUARDIAN_ORDER, max(educated, start), orders[0].date if orders else None))
    if not orders:
        return steps
    penalty_trigger = (orders[0].deadline or orders[0].date + grace) + one_day
    if penalty_trigger > horizon:
        return steps
    penalties = [e for e in events.of(AdministrativePenalty) if e.date >= since]
    steps.append(
        (ADMINISTRATIVE_PENALTY, penalty_trigger, penalties[0].date if penalties else None)
    )
    if not penalties:
        return steps
    court_trigger = (penalties[0].deadline or penalties[0].date + grace) + one_day
    if court_trigger <= horizon:
        steps.append((COURT_APPLICATION, court_trigger, first(CourtApplication)))
    return steps
