"""Guardian enforcement, 四步法 (PRODUCT.md §5.5): 批评教育 → 责令限期改正 → 教育行政处罚 →
申请人民法院强制执行, while a child whose guardian refuses stays a dropout or out of school.

Plan 四 县人民政府: 对其父母或者监护人批评教育，并采取措施责令送子女或被监护人
入学接受义务教育，必要时可以司法强制; 五(二)一: 对经教育仍不送子女入学或返校就读的
家长或监护人，提请司法部门依法强制其履行义务; 四 县法院责任: 对于行政督促复学无效，
且逾期不履行教育行政处罚决定的，依法申请强制执行. Law: 义务教育法 第五十八条.
"""

from __future__ import annotations

from collections.abc import Sequence

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import completing_event, require
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._internal.kernel import kernel
from kongchuo_rules._internal.record import Work, ints, note
from kongchuo_rules._internal.tables import Tables, param
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

__all__ = [
    "ADMINISTRATIVE_PENALTY",
    "COURT_APPLICATION",
    "GUARDIAN_EDUCATION",
    "GUARDIAN_ORDER",
    "LADDER",
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
    figures=(("status", "status"), ("trigger", "day"), ("steps", "int")),
    figures_not_fired=(),
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
    done_by=DoneBy(events=("guardian_education",), taken_by=("education_bureau",)),
)
GUARDIAN_ORDER = ActionSpec(
    kind=ActionKind.GUARDIAN_ORDER,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("county_guardian_duty", "legal_enforcement"),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=_SUPPORT,
    done_by=DoneBy(events=("guardian_order",), taken_by=("education_bureau",)),
)
ADMINISTRATIVE_PENALTY = ActionSpec(
    kind=ActionKind.ADMINISTRATIVE_PENALTY,
    agency=Agency.EDUCATION_BUREAU,
    holder=Role.BUREAU_CHIEF,
    clauses=("education_enforcement", "legal_enforcement"),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=(Agency.JUSTICE_BUREAU,),
    done_by=DoneBy(events=("administrative_penalty",)),
)
COURT_APPLICATION = ActionSpec(
    kind=ActionKind.COURT_APPLICATION,
    agency=Agency.EDUCATION_BUREAU,
    holder=Role.BUREAU_CHIEF,
    clauses=("court_enforcement",),
    due_parameter="enforcement.step_due_school_days",
    rule=LADDER.id,
    supporting=(Agency.COURT, Agency.JUSTICE_BUREAU),
    done_by=DoneBy(events=("court_application",)),
)

R_LADDER = LADDER.index
I_GUARDIAN_EDUCATION = GUARDIAN_EDUCATION.index
I_GUARDIAN_ORDER = GUARDIAN_ORDER.index
I_ADMINISTRATIVE_PENALTY = ADMINISTRATIVE_PENALTY.index
I_COURT_APPLICATION = COURT_APPLICATION.index


@kernel
def _deadline_passed(t: Tables, row: Sequence[int]) -> int:
    """The day after an order's or a penalty's deadline (without one: the event's date plus
    ``enforcement.order_compliance_days`` in force on it)."""
    deadline = row[codes.F_DEADLINE]
    if deadline == NO_DAY:
        day = row[codes.F_DAY]
        deadline = day + param(t, day, codes.ENFORCEMENT_ORDER_COMPLIANCE_DAYS)
    return deadline + 1


@kernel
def ladder(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    refused: int,
    became: int,
    since: int,
    horizon: int,
    status: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """``enforcement.ladder``: when the guardian refuses (cause found on ``refused``) and the
    child became a dropout or out of school on ``became``, the steps fired by ``horizon``.
    Step 1 from the later of the two; step 2 once step 1 is done; step 3 the day after the
    order's deadline; step 4 the day after the penalty's deadline. A step is done as its
    action is (its own event, or an ``action_taken`` of its kind). Events count from
    ``since``."""
    if refused == NO_DAY:
        note(w, R_LADDER, False, NO_DAY, 0, 0, 0, 0)
        return
    start = became if became > refused else refused
    steps = 1
    step_specs = ints(w, 4, I_GUARDIAN_EDUCATION)
    triggers = ints(w, 4, start)
    educated = completing_event(t, ev, lo, hi, I_GUARDIAN_EDUCATION, start, since, horizon, attr)
    if educated >= 0 and ev[educated][codes.F_DAY] <= horizon:
        day = ev[educated][codes.F_DAY]
        step_specs[1] = I_GUARDIAN_ORDER
        triggers[1] = day if day > start else start
        steps = 2
        order = completing_event(t, ev, lo, hi, I_GUARDIAN_ORDER, start, since, horizon, attr)
        if order >= 0:
            penalty_trigger = _deadline_passed(t, ev[order])
            if penalty_trigger <= horizon:
                step_specs[2] = I_ADMINISTRATIVE_PENALTY
                triggers[2] = penalty_trigger
                steps = 3
                penalty = completing_event(
                    t, ev, lo, hi, I_ADMINISTRATIVE_PENALTY, start, since, horizon, attr
                )
                if penalty >= 0:
                    court_trigger = _deadline_passed(t, ev[penalty])
                    if court_trigger <= horizon:
                        step_specs[3] = I_COURT_APPLICATION
                        triggers[3] = court_trigger
                        steps = 4
    note(w, R_LADDER, True, start, status, start, steps, 0)
    for k in range(steps):
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            step_specs[k],
            triggers[k],
            since,
            horizon,
            codes.NONE,
            attr,
            w,
            span,
        )
