"""The school calendar (PRODUCT.md §5.2), with dates worked out by hand.

2026 National Day (国办发明电〔2025〕号 notice): days off Oct 1–7 (Thu–Wed); make-up workdays
Sun Sep 20 and Sat Oct 10. Mid-Autumn Festival Fri Sep 25 is a day off.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongchuo_rules import (
    CalendarEstimatedError,
    OfficialHolidays,
    SchoolCalendar,
    SchoolYearTerms,
)
from kongchuo_rules.calendar import DateSpan
from kongchuo_rules.vocabulary import Term

D = date


def test_national_day_2026(calendar: SchoolCalendar) -> None:
    for day in range(1, 8):
        assert not calendar.is_school_day(D(2026, 10, day)), day
    assert calendar.is_school_day(D(2026, 10, 8))
    assert calendar.is_school_day(D(2026, 10, 9))
    assert calendar.is_school_day(D(2026, 10, 10))  # Saturday make-up school day
    assert not calendar.is_school_day(D(2026, 10, 11))  # Sunday
    assert calendar.is_school_day(D(2026, 9, 20))  # Sunday make-up day
    assert not calendar.is_school_day(D(2026, 9, 25))  # Mid-Autumn Festival
    # Sep 28-30 (Mon-Wed), then Oct 8, 9, 10
    assert calendar.count_school_days(D(2026, 9, 28), D(2026, 10, 10)) == 6
    assert calendar.add_school_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.add_school_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert calendar.add_school_days(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_winter_vacation(calendar: SchoolCalendar) -> None:
    assert calendar.is_school_day(D(2027, 1, 15))  # Friday, last day of the autumn term
    assert calendar.term_of(D(2027, 1, 15)) is not None
    assert calendar.term_of(D(2027, 1, 16)) is None
    assert not calendar.is_school_day(D(2027, 1, 18))  # Monday in the vacation
    assert calendar.count_school_days(D(2027, 1, 16), D(2027, 2, 28)) == 0
    assert calendar.add_school_days(D(2027, 1, 15), 1) == D(2027, 3, 1)  # Monday
    spring = calendar.term_of(D(2027, 3, 1))
    assert spring is not None
    assert (spring.school_year, spring.term) == (2026, Term.SPRING)


def test_summer_vacation_and_terms(calendar: SchoolCalendar) -> None:
    assert calendar.is_school_day(D(2026, 7, 10))  # Friday, last day of the spring term
    assert calendar.term_of(D(2026, 7, 11)) is None
    assert calendar.add_school_days(D(2026, 7, 10), 1) == D(2026, 9, 1)  # Tuesday
    autumn = calendar.term_of(D(2026, 9, 1))
    assert autumn is not None
    assert (autumn.school_year, autumn.term, autumn.end) == (2026, Term.AUTUMN, D(2027, 1, 15))


def test_n_school_days_after_a_non_school_day(calendar: SchoolCalendar) -> None:
    assert calendar.add_school_days(D(2026, 11, 7), 1) == D(2026, 11, 9)  # Saturday -> Monday
    assert calendar.add_school_days(D(2026, 11, 6), 1) == D(2026, 11, 9)  # Friday -> Monday
    assert calendar.add_school_days(D(2026, 11, 6), 0) == D(2026, 11, 6)
    with pytest.raises(ValueError, match="zero or more"):
        calendar.add_school_days(D(2026, 11, 6), -1)


def test_term_days_for_the_month_mark(calendar: SchoolCalendar) -> None:
    # the spec's example: 12 term days Jan 4-15, then 19 from Mar 1
    assert calendar.add_term_days(D(2027, 1, 4), 31) == D(2027, 3, 20)
    assert calendar.count_term_days(D(2027, 1, 4), D(2027, 3, 19)) == 31
    # within a term a month of term time is just calendar days
    assert calendar.add_term_days(D(2026, 11, 2), 30) == D(2026, 12, 2)
    assert calendar.add_term_days(D(2026, 11, 2), 0) == D(2026, 11, 2)
    # starting in a vacation counts from the next term
    assert calendar.add_term_days(D(2026, 8, 10), 1) == D(2026, 9, 2)


def test_estimated_years_are_flagged(calendar: SchoolCalendar) -> None:
    assert not calendar.is_estimated(2026)
    assert calendar.is_estimated(2027)
    assert calendar.estimated_years(D(2026, 9, 1), D(2027, 7, 10)) == (2027,)
    strict = SchoolCalendar(strict=True)
    assert strict.is_school_day(D(2026, 10, 10))
    with pytest.raises(CalendarEstimatedError, match="2027"):
        strict.is_school_day(D(2027, 3, 1))


def test_official_days_supplied_for_an_estimated_year() -> None:
    official = OfficialHolidays(
        days_off=frozenset({D(2027, 1, 1), D(2027, 3, 2)}),
        workdays=frozenset({D(2027, 3, 6)}),
    )
    cal = SchoolCalendar(official={2027: official}, strict=True)
    assert not cal.is_estimated(2027)
    assert not cal.is_school_day(D(2027, 3, 2))  # Tuesday off
    assert cal.is_school_day(D(2027, 3, 6))  # Saturday make-up day
    assert cal.is_school_day(D(2027, 4, 5))  # not in the supplied list: an ordinary Monday


def test_official_holidays_are_validated() -> None:
    with pytest.raises(ValueError, match="both a day off and a make-up workday"):
        OfficialHolidays(days_off=frozenset({D(2027, 1, 1)}), workdays=frozenset({D(2027, 1, 1)}))
    with pytest.raises(ValueError, match="outside 2027"):
        SchoolCalendar(official={2027: OfficialHolidays(days_off=frozenset({D(2028, 1, 1)}))})


def test_closures_and_extra_days() -> None:
    cal = SchoolCalendar(
        closures=frozenset({D(2026, 11, 10)}), extra_days=frozenset({D(2026, 11, 14)})
    )
    assert not cal.is_school_day(D(2026, 11, 10))
    assert cal.is_school_day(D(2026, 11, 14))
    assert cal.count_school_days(D(2026, 11, 9), D(2026, 11, 15)) == 5
    with pytest.raises(ValueError, match="both a closure and an extra school day"):
        SchoolCalendar(
            closures=frozenset({D(2026, 11, 10)}), extra_days=frozenset({D(2026, 11, 10)})
        )


def test_terms_supplied_per_school_year() -> None:
    terms = SchoolYearTerms(
        autumn=DateSpan(start=D(2026, 8, 31), end=D(2027, 1, 22)),
        spring=DateSpan(start=D(2027, 3, 8), end=D(2027, 7, 9)),
    )
    cal = SchoolCalendar(terms={2026: terms})
    assert cal.is_school_day(D(2026, 8, 31))
    assert cal.is_school_day(D(2027, 1, 22))
    assert not cal.is_school_day(D(2027, 3, 1))
    assert cal.add_school_days(D(2027, 1, 22), 1) == D(2027, 3, 8)
    with pytest.raises(ValueError, match="spring term must start after"):
        SchoolYearTerms(
            autumn=DateSpan(start=D(2026, 9, 1), end=D(2027, 3, 10)),
            spring=DateSpan(start=D(2027, 3, 1), end=D(2027, 7, 9)),
        )


def test_terms_follow_the_policy() -> None:
    from kongchuo_rules import default_policy

    policy = default_policy().with_changes(
        {"calendar.spring_term": {"start": "02-20", "end": "07-05"}}
    )
    cal = SchoolCalendar(policy=policy)
    assert cal.is_school_day(D(2026, 2, 24))  # Tuesday
    assert not cal.is_school_day(D(2026, 7, 6))


days = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))


@given(days, st.integers(0, 200), st.integers(0, 200))
def test_counting_is_additive(calendar: SchoolCalendar, a: date, n: int, m: int) -> None:
    b = a + timedelta(days=n)
    c = b + timedelta(days=m + 1)
    assert calendar.count_school_days(a, b) + calendar.count_school_days(
        b + timedelta(days=1), c
    ) == calendar.count_school_days(a, c)


@given(days, st.integers(1, 150))
def test_adding_then_counting_round_trips(calendar: SchoolCalendar, a: date, n: int) -> None:
    later = calendar.add_school_days(a, n)
    assert calendar.is_school_day(later)
    assert calendar.count_school_days(a + timedelta(days=1), later) == n


@given(days)
def test_weekends_are_school_days_only_when_make_up_days(calendar: SchoolCalendar, a: date) -> None:
    if a.weekday() >= 5 and calendar.is_school_day(a):
        assert a in calendar.holidays_of(a.year).workdays
        assert calendar.term_of(a) is not None


@given(days)
def test_school_days_are_in_a_term_and_listed(calendar: SchoolCalendar, a: date) -> None:
    if calendar.is_school_day(a):
        assert calendar.term_of(a) is not None
        assert list(calendar.school_days(a, a)) == [a]
    else:
        assert list(calendar.school_days(a, a)) == []


@given(days, st.integers(0, 300))
def test_term_days_round_trip(calendar: SchoolCalendar, a: date, n: int) -> None:
    mark = calendar.add_term_days(a, n)
    assert calendar.count_term_days(a, mark - timedelta(days=1)) == n
    if n:
        assert calendar.count_term_days(a, mark - timedelta(days=2)) == n - 1


def test_make_up_days_inside_terms_count(calendar: SchoolCalendar) -> None:
    workdays = [
        d
        for year in (2025, 2026)
        for d in calendar.holidays_of(year).workdays
        if calendar.term_of(d) is not None
    ]
    assert D(2026, 10, 10) in workdays
    assert all(calendar.is_school_day(d) for d in workdays)
