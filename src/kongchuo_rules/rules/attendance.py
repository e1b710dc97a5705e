"""Attendance (PRODUCT.md §5.3–5.4): runs of absence, the 7-day rule and the one-month mark.

Plan 四 学校责任: 完善学生考勤制度 … 对无故7日未到校学生及时家访或与监护人联系核实情况，对无故一个月
未到校学生及时落实专人做好动员劝返工作.

A school day is *absent* if an absence spell covers it. A *run* is a maximal block of consecutive
school days on which the child was absent; non-school days neither count nor break it, excused
days do not count but do not break it, a day at school ends it — and so does a day of a window
in which the child is not expected at school (an approved deferral, an exemption, home
delivery: :func:`~kongchuo_rules.rules.special.not_expected`).

The core works on school-day indices: ``states[k]`` is the state of the ``k0 + k``-th school day
of the tables, from the first day of absence to the last school day on or before ``as_of``.
"""

from __future__ import annotations

from typing import NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY, add_months
from kongchuo_rules._internal.kernel import inline
from kongchuo_rules._internal.record import Work, ints, note
from kongchuo_rules._internal.tables import (
    Tables,
    add_term_days,
    param,
    school_day,
    school_index,
)
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

__all__ = [
    "CURRENT_RUN",
    "HOME_VISIT",
    "ONE_MONTH",
    "SEVEN_DAY_ALERT",
    "Absences",
    "absences",
    "alert_day",
    "is_current",
    "month_mark",
    "run_at",
    "runs",
]

CURRENT_RUN = Rule(
    id="attendance.current_run",
    title_zh="连续缺勤",
    title_en="Current run of absence",
    clauses=("school_attendance",),
    fired_zh="自{run_start}起连续缺勤，无故缺勤{unexcused_days}个教学日",
    fired_en="absent since {run_start}: {unexcused_days} unexcused school days in the run",
    not_fired_zh="截至{last_school_day}（最近教学日）在校，无连续缺勤",
    not_fired_en="at school on {last_school_day}, the last school day: no current run",
    figures=(("run_start", "day"), ("unexcused_days", "int")),
    figures_not_fired=(("last_school_day", "day"),),
)
SEVEN_DAY_ALERT = Rule(
    id="attendance.seven_day_alert",
    title_zh="无故7日未到校",
    title_en="7-day rule",
    clauses=("school_seven_days",),
    parameters=("absence.alert_unexcused_school_days",),
    fired_zh="无故缺勤{unexcused_days}个教学日，于{alert_date}达到{threshold}日：疑似辍学",
    fired_en=(
        "{unexcused_days} unexcused school days; reached {threshold} on {alert_date}: "
        "suspected dropout"
    ),
    not_fired_zh="无故缺勤{unexcused_days}个教学日，未达到{threshold}日",
    not_fired_en="{unexcused_days} of {threshold} unexcused school days",
    figures=(("unexcused_days", "int"), ("threshold", "int"), ("alert_date", "day")),
)
ONE_MONTH = Rule(
    id="attendance.one_month",
    title_zh="无故一个月未到校",
    title_en="One-month rule",
    clauses=("school_one_month",),
    parameters=("absence.persuasion_after_months", "absence.month_clock"),
    fired_zh="自{run_start}起满一个月（{clock}，{length}日）于{month_mark}：进入动员劝返",
    fired_en=(
        "one month from {run_start} ({clock}, {length} days) reached on {month_mark}: "
        "persuasion stage"
    ),
    not_fired_zh="自{run_start}起满一个月之日为{month_mark}（{clock}，{length}日），尚未到达",
    not_fired_en=(
        "one month from {run_start} ({clock}, {length} days) falls on {month_mark}: not yet"
    ),
    figures=(("run_start", "day"), ("month_mark", "day"), ("length", "int"), ("clock", "clock")),
)
HOME_VISIT = ActionSpec(
    kind=ActionKind.HOME_VISIT,
    agency=Agency.SCHOOL,
    holder=Role.CLASS_TEACHER,
    clauses=("school_seven_days",),
    due_parameter="absence.home_visit_due_school_days",
    rule=SEVEN_DAY_ALERT.id,
    done_by=DoneBy(events=("home_visit", "guardian_contact")),
)
"""家访或与监护人联系核实: done by any home visit or guardian contact in the episode."""

R_CURRENT_RUN = CURRENT_RUN.index
R_SEVEN_DAY_ALERT = SEVEN_DAY_ALERT.index
R_ONE_MONTH = ONE_MONTH.index
I_HOME_VISIT = HOME_VISIT.index

# the state of a school day
PRESENT = 0  # at school (no spell covers it)
EXCUSED = 1  # covered by an excused spell only
UNEXCUSED = 2  # covered by an unexcused spell (3: by both, a conflict)
CONFLICT = 3
NOT_EXPECTED = 4  # inside a window in which the child is not expected at school


class Absences(NamedTuple):
    """The states of the school days from the first day of absence (index ``k0``) to the day
    after the last one (or, with windows, to the last school day on or before ``as_of``); the
    index ``k1`` after the last school day on or before ``as_of``; the first day of absence
    (:data:`NO_DAY`: none)."""

    k0: int
    states: list[int]
    first_spell: int
    k1: int


@inline
def absences(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    windows: list[int],
    n_windows: int,
    w: Work,
) -> Absences:
    """The state of every school day from the first absence to ``as_of``: an open spell counts
    up to ``as_of``; a day covered by an excused and an unexcused spell is a conflict (counted
    as unexcused); a day of a window in which the child is not expected is neither."""
    first = NO_DAY
    for i in range(lo, hi):
        if ev[i][codes.F_TYPE] == codes.T_ABSENCE and (
            first == NO_DAY or ev[i][codes.F_DAY] < first
        ):
            first = ev[i][codes.F_DAY]
    k1 = school_index(t, as_of + 1)
    if first == NO_DAY:
        return Absences(0, ints(w, 0, PRESENT), NO_DAY, k1)
    k0 = school_index(t, first)
    if k1 <= k0:
        return Absences(k0, ints(w, 0, PRESENT), first, k1)
    # the states end a school day after the last absent one (what follows is all at school),
    # or at as_of when a window may close a run later
    k_end = k0
    for i in range(lo, hi):
        row = ev[i]
        if row[codes.F_TYPE] == codes.T_ABSENCE:
            end = row[codes.F_END]
            last = as_of if end == NO_DAY or end > as_of else end
            k_end = max(k_end, school_index(t, last + 1) + 1)
    if n_windows > 0 or k_end > k1:
        k_end = k1
    states = ints(w, k_end - k0, PRESENT)
    for i in range(lo, hi):
        row = ev[i]
        if row[codes.F_TYPE] != codes.T_ABSENCE:
            continue
        end = row[codes.F_END]
        last = as_of if end == NO_DAY or end > as_of else end
        a = school_index(t, row[codes.F_DAY]) - k0
        b = school_index(t, last + 1) - k0
        flag = EXCUSED if row[codes.F_EXCUSED] == 1 else UNEXCUSED
        for k in range(a, b):
            states[k] |= flag
    for i in range(n_windows):
        start, end = windows[2 * i], windows[2 * i + 1]
        a = school_index(t, start) - k0
        b = len(states) if end == NO_DAY else school_index(t, end) - k0
        for k in range(max(a, 0), min(b, len(states))):
            states[k] = NOT_EXPECTED
    return Absences(k0, states, first, k1)


@inline
def runs(states: list[int], w: Work) -> tuple[list[int], int]:
    """The runs of absence as index ranges ``[a, b)`` into ``states``, in order: run ``r`` is
    ``found[2 * r]`` to ``found[2 * r + 1]``; and how many there are."""
    found = ints(w, len(states) + 1, 0)
    n = 0
    a = -1
    for k in range(len(states)):
        absent = PRESENT < states[k] < NOT_EXPECTED
        if absent and a < 0:
            a = k
        elif not absent and a >= 0:
            found[2 * n], found[2 * n + 1] = a, k
            n += 1
            a = -1
    if a >= 0:
        found[2 * n], found[2 * n + 1] = a, len(states)
        n += 1
    return found, n


@inline
def run_at(rs: list[int], r: int) -> tuple[int, int]:
    """Run ``r`` of :func:`runs`: the index range ``[a, b)`` into the states."""
    return rs[2 * r], rs[2 * r + 1]


@inline
def is_current(ab: Absences, rs: list[int], n_runs: int) -> bool:
    """``attendance.current_run``: whether the last run is still going on — it reaches the
    last recorded school day (and the states were not cut short by a window)."""
    return n_runs > 0 and rs[2 * n_runs - 1] == len(ab.states) and ab.k0 + len(ab.states) == ab.k1


class RunFigures(NamedTuple):
    """A run's ``run_start`` (first unexcused day; :data:`NO_DAY` if all excused), its number of
    unexcused days and its last day."""

    run_start: int
    unexcused: int
    last: int


@inline
def run_figures(t: Tables, ab: Absences, run: tuple[int, int]) -> RunFigures:
    """The figures of ``run``."""
    start = NO_DAY
    n = 0
    for k in range(run[0], run[1]):
        if ab.states[k] & UNEXCUSED:
            n += 1
            if start == NO_DAY:
                start = school_day(t, ab.k0 + k)
    return RunFigures(start, n, school_day(t, ab.k0 + run[1] - 1))


@inline
def alert_day(t: Tables, ab: Absences, run: tuple[int, int]) -> int:
    """``attendance.seven_day_alert``: the unexcused day on which the run's count of unexcused
    days reaches ``absence.alert_unexcused_school_days`` (in force on that day), or
    :data:`NO_DAY`."""
    n = 0
    for k in range(run[0], run[1]):
        if ab.states[k] & UNEXCUSED:
            n += 1
            day = school_day(t, ab.k0 + k)
            if n >= param(t, day, codes.ABSENCE_ALERT_UNEXCUSED_SCHOOL_DAYS):
                return day
    return NO_DAY


@inline
def month_mark(t: Tables, run_start: int) -> tuple[int, int]:
    """``attendance.one_month``: the month mark of a run starting on ``run_start`` and the
    month's length L in days (parameters in force on ``run_start``).

    L is the length of the calendar month(s) (``absence.persuasion_after_months``) that start
    at ``run_start`` (from the anchor: Jan 31 → Feb 28/29). With the ``term_time`` clock the
    mark is the first date M such that L of the days from ``run_start`` to M (excluded) lie
    inside a term; with ``calendar``, ``run_start`` plus the months.
    """
    months = param(t, run_start, codes.ABSENCE_PERSUASION_AFTER_MONTHS)
    calendar_mark = add_months(run_start, months)
    length = calendar_mark - run_start
    if param(t, run_start, codes.ABSENCE_MONTH_CLOCK) == codes.CLOCK_CALENDAR:
        return calendar_mark, length
    return add_term_days(t, run_start, length), length


@inline
def trace_run(
    t: Tables,
    w: Work,
    current: bool,
    run_start: int,
    unexcused: int,
    alert: int,
    mark: int,
    length: int,
    persuasion_start: int,
    last_school_day: int,
    as_of: int,
) -> None:
    """Trace the current run, the 7-day rule and the one-month rule."""
    if not current:
        note(w, R_CURRENT_RUN, False, NO_DAY, last_school_day, 0, 0, 0)
        return
    note(w, R_CURRENT_RUN, True, run_start, run_start, unexcused, 0, 0)
    at = alert if alert != NO_DAY else as_of
    threshold = param(t, at, codes.ABSENCE_ALERT_UNEXCUSED_SCHOOL_DAYS)
    note(w, R_SEVEN_DAY_ALERT, alert != NO_DAY, alert, unexcused, threshold, alert, 0)
    if run_start != NO_DAY:
        clock = param(t, run_start, codes.ABSENCE_MONTH_CLOCK)
        reached = persuasion_start != NO_DAY
        note(w, R_ONE_MONTH, reached, persuasion_start, run_start, mark, length, clock)
