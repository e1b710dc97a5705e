"""Whereabouts (PRODUCT.md §5.4): the police verify where a suspected dropout or dropout is,
and respond at once to a missing child.

Plan 四 县公安局责任: 协助做好辍学、疑似辍学学生的去向核查工作; 做好适龄儿童失踪失联核查处置工作.
"""

from __future__ import annotations

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import require
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._internal.kernel import kernel
from kongchuo_rules._internal.record import Work, note
from kongchuo_rules._internal.tables import Tables
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role, WhereaboutsFinding

__all__ = ["MISSING", "MISSING_CHILD_RESPONSE", "VERIFY", "VERIFY_WHEREABOUTS"]

VERIFY = Rule(
    id="whereabouts.verify",
    title_zh="去向核查",
    title_en="Whereabouts check",
    clauses=("police_whereabouts",),
    parameters=("whereabouts.verify_due_school_days",),
    fired_zh="已进入劝返阶段或劝返时无法联系（{trigger}）：须由公安局核查去向",
    fired_en="persuasion stage begun or family unreachable ({trigger}): police verify whereabouts",
    not_fired_zh="尚未进入劝返阶段，且无“无法联系”的劝返记录",
    not_fired_en="no persuasion stage yet and no unreachable family",
    figures=(("trigger", "day"),),
    figures_not_fired=(),
)
MISSING = Rule(
    id="whereabouts.missing",
    title_zh="失踪失联",
    title_en="Missing child",
    clauses=("police_missing",),
    parameters=("whereabouts.missing_response_due_school_days",),
    fired_zh="{trigger}核查为失踪失联：公安局立即核查处置",
    fired_en="found missing on {trigger}: the police respond at once",
    not_fired_zh="无失踪失联记录",
    not_fired_en="not reported missing",
    figures=(("trigger", "day"),),
    figures_not_fired=(),
)
VERIFY_WHEREABOUTS = ActionSpec(
    kind=ActionKind.VERIFY_WHEREABOUTS,
    agency=Agency.PUBLIC_SECURITY_BUREAU,
    holder=Role.AGENCY_STAFF,
    clauses=("police_whereabouts",),
    due_parameter="whereabouts.verify_due_school_days",
    rule=VERIFY.id,
    supporting=(Agency.SCHOOL, Agency.TOWNSHIP_GOVERNMENT),
    done_by=DoneBy(
        events=("whereabouts",),
        field="finding",
        values=tuple(f.value for f in WhereaboutsFinding if f is not WhereaboutsFinding.UNKNOWN),
    ),
)
"""去向核查: done by a whereabouts check in the episode with a finding other than unknown."""
MISSING_CHILD_RESPONSE = ActionSpec(
    kind=ActionKind.MISSING_CHILD_RESPONSE,
    agency=Agency.PUBLIC_SECURITY_BUREAU,
    holder=Role.AGENCY_STAFF,
    clauses=("police_missing",),
    due_parameter="whereabouts.missing_response_due_school_days",
    rule=MISSING.id,
    done_by=DoneBy(
        events=("whereabouts",),
        field="finding",
        values=tuple(
            f.value
            for f in WhereaboutsFinding
            if f not in (WhereaboutsFinding.MISSING, WhereaboutsFinding.UNKNOWN)
        ),
        after="trigger",
        strictly=True,
        taken_after="trigger",
    ),
)
"""失踪失联核查处置: done by a later whereabouts check that finds the child."""

R_VERIFY = VERIFY.index
R_MISSING = MISSING.index
I_VERIFY_WHEREABOUTS = VERIFY_WHEREABOUTS.index
I_MISSING_CHILD_RESPONSE = MISSING_CHILD_RESPONSE.index


@kernel
def whereabouts_actions(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    run_start: int,
    persuasion_start: int,
    horizon: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """``whereabouts.verify``: once the persuasion stage has begun or an attempt found the
    family unreachable, the police verify the whereabouts. ``whereabouts.missing``: a check in
    the episode that found the child missing requires the police's response at once."""
    trigger = persuasion_start
    for i in range(lo, hi):
        row = ev[i]
        if (
            row[codes.F_TYPE] == codes.T_PERSUASION
            and attr[i - lo] != codes.NONE  # an attempt of the episode
            and row[codes.F_OUTCOME] == codes.O_UNREACHABLE
            and row[codes.F_DAY] <= horizon
            and (trigger == NO_DAY or row[codes.F_DAY] < trigger)
        ):
            trigger = row[codes.F_DAY]
    if trigger != NO_DAY:
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            I_VERIFY_WHEREABOUTS,
            trigger,
            run_start,
            horizon,
            codes.NONE,
            attr,
            w,
            span,
        )
        note(w, R_VERIFY, True, trigger, trigger, 0, 0, 0)
    else:
        note(w, R_VERIFY, False, NO_DAY, 0, 0, 0, 0)
    missing = NO_DAY
    for i in range(lo, hi):
        row = ev[i]
        if (
            row[codes.F_TYPE] == codes.T_WHEREABOUTS
            and row[codes.F_FINDING] == codes.W_MISSING
            and run_start <= row[codes.F_DAY] <= horizon
        ):
            missing = row[codes.F_DAY]
            break
    if missing != NO_DAY:
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            I_MISSING_CHILD_RESPONSE,
            missing,
            missing,
            horizon,
            codes.NONE,
            attr,
            w,
            span,
        )
        note(w, R_MISSING, True, missing, missing, 0, 0, 0)
    else:
        note(w, R_MISSING, False, NO_DAY, 0, 0, 0, 0)
