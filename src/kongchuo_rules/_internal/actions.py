"""Required actions in the rules core: one generic function that adds an action — its due
date, whether it is done and by which event, whether it is overdue — from its spec row, and
the search for the event that completes it, driven by the spec's :class:`DoneBy` data."""

from __future__ import annotations

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.kernel import kernel
from kongchuo_rules._internal.record import ActionRow, FindingRow, finding
from kongchuo_rules._internal.tables import (
    S_AFTER_TRIGGER,
    S_AGENCY,
    S_ATTRIBUTED,
    S_DUE,
    S_EVENTS,
    S_FIELD,
    S_KIND,
    S_LEVEL,
    S_STRICTLY,
    S_TAKEN_AFTER_TRIGGER,
    S_UNTIL_HORIZON,
    S_VALUES,
    Tables,
    add_school_days,
    param,
)

__all__ = ["first_event", "require"]


@kernel
def first_event(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    spec: int,
    trigger: int,
    since: int,
    horizon: int,
    attr: list[int],
) -> int:
    """The position of the first event that completes action ``spec`` (by its ``DoneBy``
    data, ``action_taken`` aside), or -1."""
    s = t.specs[spec]
    mask = s[S_EVENTS]
    if mask == 0:
        return -1
    lower = trigger if s[S_AFTER_TRIGGER] == 1 else since
    field = s[S_FIELD]
    for i in range(lo, hi):
        row = ev[i]
        if (mask >> row[codes.F_TYPE]) & 1 == 0:
            continue
        day = row[codes.F_DAY]
        if day < lower or (s[S_STRICTLY] == 1 and day == lower):
            continue
        if s[S_UNTIL_HORIZON] == 1 and day > horizon:
            continue
        if field != codes.NONE:
            value = attr[i - lo] if field == S_ATTRIBUTED else row[field]
            if value < 0 or (s[S_VALUES] >> value) & 1 == 0:
                continue
        return i
    return -1


@kernel
def _first_taken(ev: Rows, lo: int, hi: int, kind: int, agency: int, lower: int) -> int:
    """The position of the first ``action_taken`` of ``kind`` (and ``agency``, when it names
    one) dated on or after ``lower``, or -1."""
    for i in range(lo, hi):
        row = ev[i]
        if (
            row[codes.F_TYPE] == codes.T_ACTION_TAKEN
            and row[codes.F_KIND] == kind
            and (row[codes.F_AGENCY] == codes.NONE or row[codes.F_AGENCY] == agency)
            and row[codes.F_DAY] >= lower
        ):
            return i
    return -1


@kernel
def require(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    spec: int,
    trigger: int,
    since: int,
    horizon: int,
    cause: int,
    attr: list[int],
    acts: list[ActionRow],
    finds: list[FindingRow],
    span: list[int],
) -> None:
    """Require action ``spec`` from ``trigger``: due the spec's parameter (in force on the
    trigger) school days later; done by the first completing event (events counted from
    ``since``); overdue when not done and ``as_of`` is after the due date. An overdue registry
    mark or report adds the finding ``late_report``."""
    s = t.specs[spec]
    due = add_school_days(t, trigger, param(t, trigger, s[S_DUE]))
    if due > span[1]:
        span[1] = due
    done = first_event(t, ev, lo, hi, spec, trigger, since, horizon, attr)
    if done < 0:
        lower = trigger if s[S_TAKEN_AFTER_TRIGGER] == 1 else since
        done = _first_taken(ev, lo, hi, s[S_KIND], s[S_AGENCY], lower)
    overdue = 1 if done < 0 and as_of > due else 0
    done_by = ev[done][codes.F_INDEX] if done >= 0 else -1
    acts.append((spec, trigger, due, done_by, overdue, cause, 1 if done >= 0 else 0))
    if overdue == 1 and (
        s[S_KIND] == codes.K_MARK_REGISTRY or s[S_KIND] == codes.K_REPORT_TO_BUREAU
    ):
        finding(finds, codes.FC_LATE_REPORT, due, s[S_KIND], 0)


@kernel
def unique_actions(acts: list[ActionRow], t: Tables) -> list[ActionRow]:
    """One action per (kind, agency, level) — the earliest triggered, the first on a tie —
    sorted by trigger, then kind (stable)."""
    kept = acts[:0]
    for a in acts:
        sa = t.specs[a[0]]
        found = -1
        for j in range(len(kept)):
            sk = t.specs[kept[j][0]]
            if (
                sk[S_KIND] == sa[S_KIND]
                and sk[S_AGENCY] == sa[S_AGENCY]
                and sk[S_LEVEL] == sa[S_LEVEL]
            ):
                found = j
                break
        if found < 0:
            kept.append(a)
        elif a[1] < kept[found][1]:
            kept[found] = a
    # stable insertion sort by (trigger, kind)
    for i in range(1, len(kept)):
        x = kept[i]
        kx = t.specs[x[0]][S_KIND]
        j = i - 1
        while j >= 0 and (
            kept[j][1] > x[1] or (kept[j][1] == x[1] and t.specs[kept[j][0]][S_KIND] > kx)
        ):
            kept[j + 1] = kept[j]
            j -= 1
        kept[j + 1] = x
    return kept
