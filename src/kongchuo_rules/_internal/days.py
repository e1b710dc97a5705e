"""Dates as integers: days since 1970-01-01 (the unit of Arrow and polars ``Date``), and the
calendar arithmetic the rules need on them (civil dates, months, ages) — exact for every
proleptic Gregorian date from year 1 to 9999.

>>> to_day(dt.date(2026, 11, 2)), to_date(20759)
(20759, datetime.date(2026, 11, 2))
>>> civil(to_day(dt.date(2024, 2, 29)))
(2024, 2, 29)
>>> to_date(add_months(to_day(dt.date(2027, 1, 31)), 1))
datetime.date(2027, 2, 28)
"""

from __future__ import annotations

import datetime as dt

from kongchuo_rules._internal.kernel import inline

__all__ = [
    "FAR",
    "NO_DAY",
    "add_months",
    "age_on",
    "civil",
    "from_civil",
    "in_year",
    "month_day",
    "opt_date",
    "opt_day",
    "to_date",
    "to_day",
]

NO_DAY = -(2**31)
"""No date (``None``)."""
FAR = 2**31 - 1
"""A day beyond the end of the tables: the caller extends the tables and decides again."""

_EPOCH = dt.date(1970, 1, 1).toordinal()


def to_day(day: dt.date) -> int:
    """The integer day of ``day``."""
    return day.toordinal() - _EPOCH


def to_date(day: int) -> dt.date:
    """The date of integer day ``day``."""
    return dt.date.fromordinal(day + _EPOCH)


def opt_day(day: dt.date | None) -> int:
    """The integer day of ``day``, or :data:`NO_DAY` for ``None``."""
    return NO_DAY if day is None else day.toordinal() - _EPOCH


def opt_date(day: int) -> dt.date | None:
    """The date of ``day``, or ``None`` for :data:`NO_DAY`."""
    return None if day == NO_DAY else dt.date.fromordinal(day + _EPOCH)


@inline
def civil(day: int) -> tuple[int, int, int]:
    """(year, month, day of month) of integer day ``day`` (H. Hinnant's civil_from_days)."""
    z = day + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


@inline
def from_civil(year: int, month: int, day: int) -> int:
    """The integer day of a civil date (H. Hinnant's days_from_civil)."""
    y = year - 1 if month <= 2 else year
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = month - 3 if month > 2 else month + 9
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@inline
def _month_length(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@inline
def add_months(day: int, months: int) -> int:
    """``day`` plus ``months`` calendar months, the day of month clipped to the month's
    length — what python-dateutil's ``relativedelta(months=+n)`` gives."""
    y, m, d = civil(day)
    total = m - 1 + months
    y += total // 12
    m = total % 12 + 1
    last = _month_length(y, m)
    return from_civil(y, m, d if d <= last else last)


@inline
def age_on(birth: int, day: int) -> int:
    """Full years of age on ``day`` of a child born on ``birth``."""
    by, bm, bd = civil(birth)
    y, m, d = civil(day)
    return y - by - (1 if (m, d) < (bm, bd) else 0)


@inline
def month_day(day: int) -> int:
    """The month-day of ``day`` as ``month * 100 + day`` (``"08-31"`` is 831)."""
    _, m, d = civil(day)
    return m * 100 + d


@inline
def in_year(mmdd: int, year: int) -> int:
    """The integer day of month-day ``mmdd`` (``month * 100 + day``) in ``year``."""
    return from_civil(year, mmdd // 100, mmdd % 100)
