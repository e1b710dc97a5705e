"""The institutional duty calendar (PRODUCT.md §6.3): every dated duty of the plan, with its
agency, window, due date and clause, generated with python-dateutil ``rrule`` from the
policy's ``[[duties]]`` table.

>>> august = duties(dt.date(2026, 8, 1), dt.date(2026, 8, 31))
>>> [(d.kind.value, d.due.isoformat()) for d in august][:2]
[('household_data', '2026-08-31'), ('disabled_children_list', '2026-08-31')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta
from dateutil.rrule import YEARLY, rrule

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.citations import Citation
from kongchuo_rules.policy import DutySpec, Policy, default_policy
from kongchuo_rules.vocabulary import Agency, DutyKind, Provenance

__all__ = ["Duty", "duties"]


class Duty(FrozenModel):
    """One dated duty: what, by whom, from when (``window_start``), by when (``due``), why."""

    kind: DutyKind
    agency: Agency
    due: dt.date
    window_start: dt.date | None = None
    citations: tuple[Citation, ...]
    supporting: tuple[Agency, ...] = ()
    schedule_provenance: Provenance


def _occurrences(
    spec: DutySpec, start: dt.date, end: dt.date, calendar: SchoolCalendar
) -> Iterator[tuple[dt.date, dt.date | None]]:
    """(due, window start) of every occurrence of ``spec`` due within [start, end]."""
    rule = spec.due
    if rule.term is not None:
        for school_year in range(calendar.school_year_of(start) - 1, end.year + 1):
            for term in calendar.term_infos(school_year):
                if term.term is rule.term and start <= term.end <= end:
                    yield term.end, term.start
        return
    dates = rrule(
        YEARLY,
        dtstart=dt.datetime.combine(start, dt.time()),
        until=dt.datetime.combine(end, dt.time()),
        bymonth=rule.months,
        bymonthday=rule.monthday,
    )
    for moment in dates:
        due = moment.date()
        window = (due - relativedelta(months=spec.window_months)).replace(day=1)
        yield due, window


def duties(start: dt.date, end: dt.date, policy: Policy | None = None) -> tuple[Duty, ...]:
    """Every dated duty due from ``start`` to ``end`` (both included), sorted by due date."""
    policy = policy or default_policy()
    calendar = policy.calendar
    found = [
        Duty(
            kind=spec.kind,
            agency=spec.agency,
            due=due,
            window_start=window,
            citations=policy.cite(spec.clauses),
            supporting=spec.supporting,
            schedule_provenance=spec.schedule_provenance,
        )
        for spec in policy.duties
        for due, window in _occurrences(spec, start, end, calendar)
    ]
    order = {kind: i for i, kind in enumerate(DutyKind)}
    return tuple(sorted(found, key=lambda d: (d.due, order[d.kind], d.agency.value)))
