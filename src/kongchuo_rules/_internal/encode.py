"""A case as the integers the rules core reads: the child's scalars and one row per event.

Rows are tuples ``(day, type, end, code, code2, by, causes, index)`` (see :mod:`.codes`),
sorted by :func:`sort_key` — by date, then type, then the coded fields — which is also the
order of :class:`~kongchuo_rules.case.Case` events and of the batch engine's events table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import NO_DAY, opt_day, to_day

if TYPE_CHECKING:
    from kongchuo_rules.case import Case, Event, Student

__all__ = ["Child", "child_of", "event_row", "event_rows", "sort_key"]

Row = tuple[int, int, int, int, int, int, int, int]


class Child(NamedTuple):
    """The child's scalars the rules read."""

    birth: int
    registered: int  # 1: holds a registration (学籍)
    priority: int  # 1: priority household or special group
    certified_disabled: int  # 1: a certified disability
    attendance_through: int  # the last day whose attendance is recorded (NO_DAY: as_of)


def child_of(student: Student) -> Child:
    """The scalars of ``student``."""
    disability = student.disability
    return Child(
        to_day(student.birth_date),
        int(student.registered),
        int(student.priority),
        int(disability is not None and disability.certified),
        opt_day(student.attendance_through),
    )


def _causes(causes: Sequence[object]) -> int:
    mask = 0
    for cause in causes:
        mask |= 1 << codes.code(cause)  # type: ignore[arg-type]
    return mask


def event_row(event: Event, index: int) -> Row:
    """The row of one event (``index``: its position in the case)."""
    t = event.type
    end = NO_DAY
    c1 = c2 = by = codes.NONE
    causes = 0
    if t == "absence":
        end, c1 = opt_day(event.end), int(event.excused)  # type: ignore[union-attr]
        return (to_day(event.start), codes.T_ABSENCE, end, c1, c2, by, causes, index)  # type: ignore[union-attr]
    e = event
    if t in ("home_visit", "guardian_contact"):
        by, causes = codes.actor_code(e.by), _causes(e.causes)  # type: ignore[union-attr]
    elif t == "persuasion":
        c1, c2, causes = codes.code(e.level), codes.code(e.outcome), _causes(e.causes)  # type: ignore[union-attr]
    elif t == "whereabouts":
        c1, by = codes.code(e.finding), codes.actor_code(e.verified_by)  # type: ignore[union-attr]
    elif t == "registry_mark":
        c1 = codes.code(e.mark)  # type: ignore[union-attr]
    elif t == "report":
        c1 = codes.code(e.to)  # type: ignore[union-attr]
    elif t in ("guardian_education",):
        by = codes.actor_code(e.by)  # type: ignore[union-attr]
    elif t == "guardian_order":
        end, by = opt_day(e.deadline), codes.actor_code(e.by)  # type: ignore[union-attr]
    elif t == "administrative_penalty":
        end = opt_day(e.deadline)  # type: ignore[union-attr]
    elif t == "placement":
        c1 = codes.code(e.mode)  # type: ignore[union-attr]
    elif t == "deferral":
        end = opt_day(e.until)  # type: ignore[union-attr]
    elif t == "action_taken":
        c1, c2 = codes.code(e.kind), codes.code(e.agency)  # type: ignore[union-attr]
    return (to_day(e.date), codes.TYPE_CODE[t], end, c1, c2, by, causes, index)  # type: ignore[union-attr]


_LAST = 2**31


def sort_key(row: Row) -> Row:
    """The order of events: by date, type, then the coded fields, a missing value after any
    present one (as the batch engine sorts, nulls last)."""
    day, t, end, c1, c2, by, causes, index = row
    return (
        day,
        t,
        _LAST if end == NO_DAY else end,
        _LAST if c1 < 0 else c1,
        _LAST if c2 < 0 else c2,
        _LAST if by < 0 else by,
        causes,
        index,
    )


def event_rows(case: Case) -> list[Row]:
    """Every event of ``case`` as a row, in the order of :func:`sort_key` (the rows validation
    made, when the case was validated; read, never change them)."""
    rows: list[Row] | None = getattr(case.events, "rows", None)
    if rows is not None:
        return rows
    return sorted((event_row(e, i) for i, e in enumerate(case.events)), key=sort_key)
