"""The rules of the plan, one small module per group of clauses: each rule's declaration (its
clauses, parameters, explanation and figures) sits beside the function that decides it.

- :mod:`.age` — school age, out of school (义务教育法; plan 四 乡（镇）责任)
- :mod:`.special` — completion, exemption, deferral, studying elsewhere, home delivery,
  placement of disabled children (五(一)五)
- :mod:`.attendance` — runs, the 7-day rule, the one-month mark (plan 四 学校责任)
- :mod:`.persuasion` — failed persuasion, escalation, dropout, return (plan 四 学校责任, 五(一)二)
- :mod:`.whereabouts` — whereabouts checks, missing children (四 县公安局)
- :mod:`.enforcement` — the guardian-enforcement ladder (四 县人民政府, 县法院; 五(二)一)
- :mod:`.routing` — causes to agencies, priority children, the responsibility matrix (四)

The engine that runs them in order is :func:`kongchuo_rules.assess.decide`. ``RULES`` maps
every rule id to its :class:`~kongchuo_rules.rules._rule.Rule`; a rule's clauses are keys of the
policy's ``[clauses]`` table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kongchuo_rules.rules import (
    age,
    attendance,
    enforcement,
    persuasion,
    routing,
    special,
    whereabouts,
)
from kongchuo_rules.rules._rule import RULE_LIST, SPEC_LIST, ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind

if TYPE_CHECKING:
    from kongchuo_rules.policy import Policy

__all__ = [
    "RULES",
    "ActionSpec",
    "Rule",
    "age",
    "all_specs",
    "attendance",
    "enforcement",
    "persuasion",
    "routing",
    "special",
    "whereabouts",
]

RULES: dict[str, Rule] = {r.id: r for r in RULE_LIST}
"""Every rule, by id, in declaration order."""


def all_specs(policy: Policy) -> tuple[ActionSpec, ...]:
    """Every action spec: the rules' own, then one per cause route of ``policy``. A routed
    action of a kind a rule also requires is completed by the same events as the rule's (one
    meaning of "done" per kind), and is a ``late_report`` when overdue if the rule's is."""
    routed = (
        routing.route_spec(r, _DONE_BY.get(r.action, DoneBy()), r.action in _LATE_REPORT)
        for r in policy.routing
    )
    return (*SPEC_LIST, *routed)


def _done_by_kind() -> dict[ActionKind, DoneBy]:
    """The completing events of each action kind the rules require, when they agree on them."""
    found: dict[ActionKind, set[DoneBy]] = {}
    for spec in SPEC_LIST:
        found.setdefault(spec.kind, set()).add(spec.done_by)
    return {kind: next(iter(d)) for kind, d in found.items() if len(d) == 1}


_DONE_BY = _done_by_kind()
_LATE_REPORT = {spec.kind for spec in SPEC_LIST if spec.late_report}
