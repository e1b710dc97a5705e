"""The integer-day arithmetic of the rules core against Python's own calendar."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from kongchuo_rules._internal.days import add_months, age_on, civil, from_civil, to_date, to_day


def test_civil_and_from_civil_agree_with_datetime_on_every_day_of_years_1_to_9999() -> None:
    first, last = to_day(dt.date(1, 1, 1)), to_day(dt.date(9999, 12, 31))
    date, one = dt.date(1, 1, 1), dt.timedelta(days=1)
    wrong = []
    for day in range(first, last + 1):
        ymd = civil(day)
        if ymd != (date.year, date.month, date.day) or from_civil(*ymd) != day:
            wrong.append(day)
        if day < last:
            date += one
    assert wrong == []


@given(st.dates(), st.integers(-1200, 1200))
def test_add_months_is_relativedelta(date: dt.date, months: int) -> None:
    try:
        expected = date + relativedelta(months=months)
    except (OverflowError, ValueError):  # outside years 1..9999
        return
    assert to_date(add_months(to_day(date), months)) == expected


@given(st.dates(), st.dates())
def test_age_on_counts_full_years(birth: dt.date, day: dt.date) -> None:
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    assert age_on(to_day(birth), to_day(day)) == years
