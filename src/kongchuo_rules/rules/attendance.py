"""Attendance (PRODUCT.md §5.3–5.4): runs of absence, the 7-day rule and the one-month mark.

Plan 四 学校责任: 完善学生考勤制度 … 对无故7日未到校学生及时家访或与监护人联系核实情况，对无故一个月
未到校学生及时落实专人做好动员劝返工作.

A school day is *absent* if an absence spell covers it. A *run* is a maximal block of consecutive
school days on which the child was absent; non-school days neither count nor break it, excused
days do not count but do not break it, a day at school ends it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import Absence
from kongchuo_rules.policy import AbsenceParams, MonthClock
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

__all__ = [
    "CURRENT_RUN",
    "HOME_VISIT",
    "MONTH_MARK",
    "SEVEN_DAY_ALERT",
    "AbsentDays",
    "Run",
    "absent_days",
    "month_mark",
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
)
MONTH_MARK = Rule(
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
)


@dataclass(frozen=True)
class AbsentDays:
    """The absent school days up to a day, as ordinals: ``unexcused[o]`` per absent day, and
    the days covered by both an excused and an unexcused spell."""

    unexcused: dict[int, bool]
    conflicts: tuple[dt.date, ...]


def absent_days(spells: Sequence[Absence], as_of: dt.date, calendar: SchoolCalendar) -> AbsentDays:
    """Every absent school day on or before ``as_of``; a day covered by an excused and an
    unexcused spell is unexcused, and listed in ``conflicts``."""
    excused: set[int] = set()
    unexcused: set[int] = set()
    for spell in spells:
        end = as_of if spell.end is None else min(spell.end, as_of)
        (excused if spell.excused else unexcused).update(
            calendar.school_day_ordinals(spell.start, end)
        )
    flags = dict.fromkeys(excused, False)
    flags.update(dict.fromkeys(unexcused, True))
    conflicts = tuple(map(dt.date.fromordinal, sorted(excused & unexcused)))
    return AbsentDays(flags, conflicts)


@dataclass(frozen=True)
class Run:
    """A maximal block of consecutive absent school days (held as ordinals)."""

    days: tuple[int, ...]
    unexcused: tuple[int, ...]

    @property
    def first(self) -> dt.date:
        """The run's first absent school day (excused or not)."""
        return dt.date.fromordinal(self.days[0])

    @property
    def last(self) -> dt.date:
        """The run's last absent school day."""
        return dt.date.fromordinal(self.days[-1])

    @property
    def start(self) -> dt.date | None:
        """``run_start``: the first unexcused day, or ``None`` for an all-excused run."""
        return dt.date.fromordinal(self.unexcused[0]) if self.unexcused else None

    @property
    def unexcused_count(self) -> int:
        """How many unexcused school days the run has."""
        return len(self.unexcused)

    def nth_unexcused(self, n: int) -> dt.date | None:
        """The ``n``-th unexcused day (1-based), or ``None`` if the run has fewer."""
        return dt.date.fromordinal(self.unexcused[n - 1]) if len(self.unexcused) >= n else None


def runs(absent: AbsentDays, calendar: SchoolCalendar) -> list[Run]:
    """The runs of absence, in order: one pass over the school days from the first absent
    day to the last."""
    flags = absent.unexcused
    if not flags:
        return []
    span = calendar.school_day_ordinals(
        dt.date.fromordinal(min(flags)), dt.date.fromordinal(max(flags))
    )
    result: list[Run] = []
    block: list[int] = []
    for day in span:
        if day in flags:
            block.append(day)
        elif block:
            result.append(Run(tuple(block), tuple(d for d in block if flags[d])))
            block = []
    if block:
        result.append(Run(tuple(block), tuple(d for d in block if flags[d])))
    return result


def month_mark(
    run_start: dt.date, params: AbsenceParams, calendar: SchoolCalendar
) -> tuple[dt.date, int]:
    """The one-month mark of a run starting on ``run_start`` and the month's length L in days.

    L is the length of the calendar month (``absence.persuasion_after_months`` months) that
    starts at ``run_start`` (python-dateutil, from the anchor: Jan 31 → Feb 28/29). With the
    ``term_time`` clock the mark is the first date M such that L of the days from
    ``run_start`` to M (excluded) lie inside a term.

    >>> from kongchuo_rules import SchoolCalendar, default_policy
    >>> p = default_policy().at(dt.date(2027, 1, 4)).absence
    >>> month_mark(dt.date(2027, 1, 4), p, SchoolCalendar())
    (datetime.date(2027, 3, 20), 31)
    """
    calendar_mark = run_start + relativedelta(months=+params.persuasion_after_months)
    length = (calendar_mark - run_start).days
    if params.month_clock is MonthClock.CALENDAR:
        return calendar_mark, length
    return calendar.add_term_days(run_start, length), length


HOME_VISIT = ActionSpec(
    kind=ActionKind.HOME_VISIT,
    agency=Agency.SCHOOL,
    holder=Role.CLASS_TEACHER,
    clauses=("school_seven_days",),
    due_parameter="absence.home_visit_due_school_days",
    rule=SEVEN_DAY_ALERT.id,
)
"""家访或与监护人联系核实: done by any home visit or guardian contact in the episode."""
