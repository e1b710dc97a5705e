"""Where the rules core writes what it decides — the storage primitives.

The rules never touch a container directly: they append a trace row (:func:`note`), a finding
(:func:`finding`) or an action (:func:`act`), read actions back (:func:`action`, for the
deduplication), and take scratch space (:func:`ints`) through these few functions, all on a
:class:`Work`. Here they work on Python lists, for ``assess``; the batch engine gives numba
implementations of the same primitives over preallocated arrays (so that a county is decided
without a single allocation per child). The rules themselves exist once.

- a trace row: ``(rule, fired, on, f0, f1, f2, f3)`` — the figures in the order the rule
  declares them; ``fired`` is 0, 1 or :data:`NOT_APPLICABLE`;
- a finding row: ``(code, on, a, b)`` — ``a`` and ``b`` fill the message;
- an action row: ``(spec, trigger, due, done_by, overdue, cause, done)`` — ``done_by`` is the
  position of the completing event in the case (or -1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from kongchuo_rules._internal.days import NO_DAY

__all__ = [
    "NOT_APPLICABLE",
    "PRIMITIVES",
    "Out",
    "Work",
    "act",
    "action",
    "begin",
    "finding",
    "ints",
    "keep",
    "n_actions",
    "not_applicable",
    "note",
    "set_action",
    "truncate_actions",
]

TraceRow = tuple[int, int, int, int, int, int, int]
FindingRow = tuple[int, int, int, int]
ActionRow = tuple[int, int, int, int, int, int, int]

F = TypeVar("F", bound=Callable[..., object])

PRIMITIVES: list[Callable[..., object]] = []
"""The storage primitives: the batch engine replaces each with a numba implementation."""


def primitive(function: F) -> F:
    """Mark a storage primitive (returns it unchanged)."""
    PRIMITIVES.append(function)
    return function


# action row columns
A_SPEC = 0
A_TRIGGER = 1
A_DUE = 2
A_DONE_BY = 3
A_OVERDUE = 4
A_CAUSE = 5
A_DONE = 6

NOT_APPLICABLE = 2
"""A trace row's ``fired`` when the rule does not apply to the child's status (no figures)."""


class Work:
    """What the decision of one child writes, in ``assess``: lists of rows."""

    __slots__ = ("acts", "finds", "tr")

    def __init__(self) -> None:
        self.acts: list[ActionRow] = []
        self.finds: list[FindingRow] = []
        self.tr: list[TraceRow] = []


class Out:
    """Every child's decision and rows, in ``assess`` (the batch engine keeps arrays)."""

    __slots__ = ("kept",)

    def __init__(self) -> None:
        self.kept: list[tuple[Any, list[ActionRow], list[FindingRow], list[TraceRow]]] = []


@primitive
def begin(w: Work) -> None:
    """Start the decision of the next child."""
    w.acts, w.finds, w.tr = [], [], []


@primitive
def keep(w: Work, out: Out, c: int, decision: Any) -> bool:
    """Keep child ``c``'s decision and rows; ``False`` when ``out`` has no room left (the
    batch engine then grows it and decides again from ``c``)."""
    out.kept.append((decision, w.acts, w.finds, w.tr))
    return True


@primitive
def note(w: Work, rule: int, fired: bool, on: int, f0: int, f1: int, f2: int, f3: int) -> None:
    """Record that ``rule`` was checked: whether it fired, on which day, and its figures."""
    w.tr.append((rule, 1 if fired else 0, on, f0, f1, f2, f3))


@primitive
def not_applicable(w: Work, rule: int) -> None:
    """Record that ``rule`` does not apply to the child's status."""
    w.tr.append((rule, NOT_APPLICABLE, NO_DAY, 0, 0, 0, 0))


@primitive
def finding(w: Work, code: int, on: int, a: int, b: int) -> None:
    """Record a finding."""
    w.finds.append((code, on, a, b))


@primitive
def act(
    w: Work, spec: int, trigger: int, due: int, done_by: int, overdue: int, cause: int, done: int
) -> None:
    """Record a required action."""
    w.acts.append((spec, trigger, due, done_by, overdue, cause, done))


@primitive
def n_actions(w: Work) -> int:
    """How many actions are recorded."""
    return len(w.acts)


@primitive
def action(w: Work, i: int, column: int) -> int:
    """Column ``column`` of the ``i``-th action."""
    return w.acts[i][column]


@primitive
def set_action(w: Work, i: int, j: int) -> None:
    """Make the ``i``-th action a copy of the ``j``-th."""
    w.acts[i] = w.acts[j]


@primitive
def swap_actions(w: Work, i: int, j: int) -> None:
    """Exchange the ``i``-th and ``j``-th actions."""
    w.acts[i], w.acts[j] = w.acts[j], w.acts[i]


@primitive
def truncate_actions(w: Work, n: int) -> None:
    """Keep the first ``n`` actions."""
    del w.acts[n:]


@primitive
def ints(w: Work, n: int, fill: int) -> list[int]:
    """Scratch space: ``n`` integers set to ``fill``, for the current decision."""
    return [fill] * n
