"""The rules of the plan, one small module per group of clauses.

- :mod:`.age` — school age, out of school (义务教育法; plan 四 乡（镇）责任)
- :mod:`.attendance` — runs, the 7-day rule, the one-month mark (plan 四 学校责任)
- :mod:`.persuasion` — failed persuasion, escalation, dropout, return (plan 四 学校责任, 五(一)二)
- :mod:`.special` — completion, exemption, deferral, studying elsewhere, home delivery,
  placement of disabled children (五(一)五)
- :mod:`.whereabouts` — whereabouts checks, missing children (四 县公安局)
- :mod:`.enforcement` — the guardian-enforcement ladder (四 县人民政府, 县法院; 五(二)一)
- :mod:`.routing` — causes to agencies, priority children, the responsibility matrix (四)

``RULES`` maps every rule id to its :class:`~kongchuo_rules.rules._rule.Rule`; a rule's clauses
are keys of the policy's ``[clauses]`` table.
"""

from __future__ import annotations

from kongchuo_rules.rules import (
    age,
    attendance,
    enforcement,
    persuasion,
    routing,
    special,
    whereabouts,
)
from kongchuo_rules.rules._rule import Rule

__all__ = ["RULES", "Rule"]

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        age.SCHOOL_AGE,
        age.OUT_OF_SCHOOL,
        special.COMPLETION,
        special.EXEMPTION,
        special.DEFERRAL,
        special.TRANSFER_OUT,
        special.ENROLLED_ELSEWHERE,
        special.HOME_DELIVERY,
        attendance.CURRENT_RUN,
        attendance.SEVEN_DAY_ALERT,
        attendance.MONTH_MARK,
        persuasion.PERSUASION_FAILED,
        persuasion.ESCALATION,
        persuasion.DROPOUT,
        persuasion.RETURN,
        whereabouts.VERIFY,
        whereabouts.MISSING,
        enforcement.LADDER,
        routing.CAUSE_ROUTING,
        routing.PRIORITY,
        special.PLACEMENT,
    )
}
