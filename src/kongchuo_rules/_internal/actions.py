"""Required actions in the rules core: one generic function that adds an action — its due
date, whether it is done and by which event, whether it is overdue — from its spec row, and
the search for the event that completes it, driven by the spec's :class:`DoneBy` data."""

from __future__ import annotations

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.kernel import inline, kernel
from kongchuo_rules._internal.record import (
    A_SPEC,
    A_TRIGGER,
    Work,
    act,
    action,
    finding,
    ints,
    n_actions,
    reorder_actions,
)
from kongchuo_rules._internal.tables import (
    S_AFTER_TRIGGER,
    S_ATTRIBUTED,
    S_DUE,
    S_EVENTS,
    S_FIELD,
    S_KEY,
    S_KIND,
    S_LATE_REPORT,
    S_STRICTLY,
    S_TAKEN_AFTER_TRIGGER,
    S_TAKEN_BY,
    S_UNTIL_HORIZON,
    S_VALUES,
    Tables,
    add_school_days,
    param,
    spec_field,
)

__all__ = ["completing_event", "first_event", "require"]


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
    mask = spec_field(t, spec, S_EVENTS)
    if mask == 0:
        return -1
    lower = trigger if spec_field(t, spec, S_AFTER_TRIGGER) == 1 else since
    field = spec_field(t, spec, S_FIELD)
    strictly = spec_field(t, spec, S_STRICTLY) == 1
    until_horizon = spec_field(t, spec, S_UNTIL_HORIZON) == 1
    values = spec_field(t, spec, S_VALUES)
    for i in range(lo, hi):
        row = ev[i]
        if (mask >> row[codes.F_TYPE]) & 1 == 0:
            continue
        day = row[codes.F_DAY]
        if day < lower or (strictly and day == lower):
            continue
        if until_horizon and day > horizon:
            continue
        if field != codes.NONE:
            value = attr[i - lo] if field == S_ATTRIBUTED else row[field]
            if value < 0 or (values >> value) & 1 == 0:
                continue
        return i
    return -1


@inline
def _first_taken(ev: Rows, lo: int, hi: int, kind: int, agencies: int, lower: int) -> int:
    """The position of the first ``action_taken`` of ``kind`` (and of one of ``agencies``, a
    bit per agency, when it names one) dated on or after ``lower``, or -1."""
    for i in range(lo, hi):
        row = ev[i]
        if (
            row[codes.F_TYPE] == codes.T_ACTION_TAKEN
            and row[codes.F_KIND] == kind
            and (row[codes.F_AGENCY] == codes.NONE or (agencies >> row[codes.F_AGENCY]) & 1 == 1)
            and row[codes.F_DAY] >= lower
        ):
            return i
    return -1


@kernel
def completing_event(
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
    """The position of the event that completes action ``spec``: the first by its ``DoneBy``
    data, else the first ``action_taken`` of its kind (and agency) — or -1."""
    done = first_event(t, ev, lo, hi, spec, trigger, since, horizon, attr)
    if done < 0:
        lower = trigger if spec_field(t, spec, S_TAKEN_AFTER_TRIGGER) == 1 else since
        kind = spec_field(t, spec, S_KIND)
        done = _first_taken(ev, lo, hi, kind, spec_field(t, spec, S_TAKEN_BY), lower)
    return done


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
    w: Work,
    span: list[int],
) -> None:
    """Require action ``spec`` from ``trigger``: due the spec's parameter (in force on the
    trigger) school days later; done by the first completing event (events counted from
    ``since``); overdue when not done and ``as_of`` is after the due date. An overdue action
    whose spec says ``late_report`` (the registry mark, the report) adds that finding."""
    due = add_school_days(t, trigger, param(t, trigger, spec_field(t, spec, S_DUE)))
    if due > span[1]:
        span[1] = due
    kind = spec_field(t, spec, S_KIND)
    done = completing_event(t, ev, lo, hi, spec, trigger, since, horizon, attr)
    overdue = 1 if done < 0 and as_of > due else 0
    done_by = ev[done][codes.F_INDEX] if done >= 0 else -1
    act(w, spec, trigger, due, done_by, overdue, cause, 1 if done >= 0 else 0)
    if overdue == 1 and spec_field(t, spec, S_LATE_REPORT) == 1:
        finding(w, codes.FC_LATE_REPORT, due, kind, 0)


@inline
def unique_actions(t: Tables, w: Work) -> None:
    """Keep one action per (kind, agency, level) — the earliest triggered, the first on a
    tie — and sort them by trigger, then kind (stable)."""
    n = n_actions(w)
    key = ints(w, n, 0)
    trigger = ints(w, n, 0)
    kind = ints(w, n, 0)
    kept = ints(w, n, 0)
    for i in range(n):
        at = action(w, i, A_SPEC)
        key[i] = spec_field(t, at, S_KEY)
        kind[i] = spec_field(t, at, S_KIND)
        trigger[i] = action(w, i, A_TRIGGER)
    m = 0
    for i in range(n):
        found = -1
        for j in range(m):
            if key[kept[j]] == key[i]:
                found = j
                break
        if found < 0:
            kept[m] = i
            m += 1
        elif trigger[i] < trigger[kept[found]]:
            kept[found] = i
    for a in range(1, m):  # insertion sort, stable
        x = kept[a]
        b = a - 1
        while b >= 0 and (
            trigger[kept[b]] > trigger[x]
            or (trigger[kept[b]] == trigger[x] and kind[kept[b]] > kind[x])
        ):
            kept[b + 1] = kept[b]
            b -= 1
        kept[b + 1] = x
    reorder_actions(w, kept, m)
