"""What the rules core writes as it decides: trace rows, findings and actions, as integer
tuples (the batch engine collects the same rows into columns).

- a trace row: ``(rule, fired, on, f0, f1, f2, f3)`` — the figures in the order the rule
  declares them;
- a finding row: ``(code, on, a, b)`` — ``a`` and ``b`` fill the message;
- an action row: ``(spec, trigger, due, done_by, overdue, cause, done)`` — ``done_by`` is the
  index of the completing event in the case (or -1).
"""

from __future__ import annotations

from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._internal.kernel import kernel

__all__ = ["TraceRow", "note"]

TraceRow = tuple[int, int, int, int, int, int, int]
FindingRow = tuple[int, int, int, int]
ActionRow = tuple[int, int, int, int, int, int, int]

A_SPEC = 0
A_TRIGGER = 1
A_DUE = 2
A_DONE_BY = 3
A_OVERDUE = 4
A_CAUSE = 5
A_DONE = 6


@kernel
def note(
    tr: list[TraceRow], rule: int, fired: bool, on: int, f0: int, f1: int, f2: int, f3: int
) -> None:
    """Record that ``rule`` was checked: whether it fired, on which day, and its figures."""
    tr.append((rule, 1 if fired else 0, on, f0, f1, f2, f3))


NOT_APPLICABLE = 2
"""A trace row's ``fired`` when the rule does not apply to the child's status (no figures)."""


@kernel
def not_applicable(tr: list[TraceRow], rule: int) -> None:
    """Record that ``rule`` does not apply to the child's status."""
    tr.append((rule, NOT_APPLICABLE, NO_DAY, 0, 0, 0, 0))


@kernel
def finding(finds: list[FindingRow], code: int, on: int, a: int, b: int) -> None:
    """Record a finding."""
    finds.append((code, on, a, b))


@kernel
def later(a: int, b: int) -> int:
    """The later of two days, either of which may be :data:`NO_DAY`."""
    if a == NO_DAY:
        return b
    if b == NO_DAY:
        return a
    return a if a > b else b
