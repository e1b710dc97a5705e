"""Whereabouts (PRODUCT.md §5.4): the police verify where a suspected dropout or dropout is,
and respond at once to a missing child.

Plan 四 县公安局责任: 协助做好辍学、疑似辍学学生的去向核查工作; 做好适龄儿童失踪失联核查处置工作.
"""

from __future__ import annotations

from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

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
)
VERIFY_WHEREABOUTS = ActionSpec(
    kind=ActionKind.VERIFY_WHEREABOUTS,
    agency=Agency.PUBLIC_SECURITY_BUREAU,
    holder=Role.AGENCY_STAFF,
    clauses=("police_whereabouts",),
    due_parameter="whereabouts.verify_due_school_days",
    rule=VERIFY.id,
    supporting=(Agency.SCHOOL, Agency.TOWNSHIP_GOVERNMENT),
)
"""去向核查: done by a whereabouts check in the episode with a finding other than unknown."""
MISSING_CHILD_RESPONSE = ActionSpec(
    kind=ActionKind.MISSING_CHILD_RESPONSE,
    agency=Agency.PUBLIC_SECURITY_BUREAU,
    holder=Role.AGENCY_STAFF,
    clauses=("police_missing",),
    due_parameter="whereabouts.missing_response_due_school_days",
    rule=MISSING.id,
)
"""失踪失联核查处置: done by a later whereabouts check that finds the child."""
