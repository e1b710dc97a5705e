"""The school calendar: terms, PRC holidays, make-up workdays, closures and extra school days.

A *school day* is a date inside a term that is Monday–Friday and not a PRC public holiday, or a
PRC weekend make-up workday (调休上班日) inside a term; plus the caller's extra school days and
minus the caller's closures (PRODUCT.md §5.2). "N school days after X" is the N-th school day
strictly after X.

>>> cal = SchoolCalendar()
>>> cal.is_school_day(date(2026, 10, 10))   # Saturday, make-up workday for National Day
True
>>> cal.add_school_days(date(2026, 9, 30), 1)  # National Day holiday Oct 1-7
datetime.date(2026, 10, 8)
>>> cal.count_school_days(date(2026, 10, 1), date(2026, 10, 10))
3
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from functools import cached_property
from typing import Any, Self

from pydantic import Field, model_validator

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._prc_holidays import prc_year
from kongchuo_rules.errors import KongchuoError
from kongchuo_rules.policy import Policy, default_policy
from kongchuo_rules.vocabulary import Term

__all__ = [
    "CalendarEstimatedError",
    "DateSpan",
    "OfficialHolidays",
    "SchoolCalendar",
    "SchoolYearTerms",
    "TermInfo",
]

_SATURDAY = 5
_MAX_SEARCH_YEARS = 50


class CalendarEstimatedError(KongchuoError):
    """Raised by a strict calendar asked about a year whose PRC holidays are only estimated."""


class DateSpan(FrozenModel):
    """An inclusive span of dates."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class SchoolYearTerms(FrozenModel):
    """A school year's actual term dates (校历), overriding the policy's defaults."""

    autumn: DateSpan
    spring: DateSpan

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.spring.start <= self.autumn.end:
            raise ValueError("the spring term must start after the autumn term ends")
        return self


class OfficialHolidays(FrozenModel):
    """One calendar year's official days off and make-up workdays (国务院办公厅放假安排通知)."""

    days_off: frozenset[date]
    workdays: frozenset[date] = frozenset()

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        if self.days_off & self.workdays:
            raise ValueError("a date cannot be both a day off and a make-up workday")
        years = {d.year for d in self.days_off | self.workdays}
        if len(years) > 1:
            raise ValueError("all dates must be in one calendar year")
        return self


class TermInfo(FrozenModel):
    """The term a date falls in."""

    school_year: int
    term: Term
    start: date
    end: date


class _Year:
    """Precomputed facts of one calendar year (internal)."""

    __slots__ = ("estimated", "school_days", "terms")

    def __init__(self, school_days: list[int], terms: list[TermInfo], estimated: bool) -> None:
        self.school_days = school_days  # sorted ordinals
        self.terms = terms  # clipped to the year, sorted
        self.estimated = estimated


class SchoolCalendar(FrozenModel):
    """A county's (or a school's) calendar of school days.

    ``terms`` overrides the policy's default term dates per school year (keyed by the year the
    school year starts in); ``official`` supplies a year's official PRC days off and make-up
    workdays where the ``holidays`` package only estimates them; ``closures`` and ``extra_days``
    remove and add school days. With ``strict=True``, asking about an estimated year raises
    :class:`CalendarEstimatedError`; otherwise :meth:`is_estimated` tells.
    """

    policy: Policy = Field(default_factory=default_policy, repr=False)
    terms: Mapping[int, SchoolYearTerms] = Field(default_factory=dict)
    official: Mapping[int, OfficialHolidays] = Field(default_factory=dict)
    closures: frozenset[date] = frozenset()
    extra_days: frozenset[date] = frozenset()
    strict: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.closures & self.extra_days:
            raise ValueError("a date cannot be both a closure and an extra school day")
        for year, holidays in self.official.items():
            stray = {d for d in holidays.days_off | holidays.workdays if d.year != year}
            if stray:
                raise ValueError(f"official.{year}: dates outside {year}")
        return self

    # -- school years and terms ----------------------------------------------------------------

    def school_year_of(self, day: date) -> int:
        """The school year containing ``day``, named by the year it starts in.

        >>> SchoolCalendar().school_year_of(date(2027, 3, 1))
        2026
        """
        start = self.policy.at(day).calendar.school_year_start
        return day.year if (day.month, day.day) >= (start.month, start.day) else day.year - 1

    def school_year_start(self, school_year: int) -> date:
        """The first day of ``school_year``."""
        start = date(school_year, 12, 31)
        return self.policy.at(start).calendar.school_year_start.in_year(school_year)

    def terms_of(self, school_year: int) -> SchoolYearTerms:
        """The term dates of ``school_year``: the caller's, or the policy's defaults."""
        if school_year in self.terms:
            return self.terms[school_year]
        params = self.policy.at(self.school_year_start(school_year)).calendar

        def span(start_year: int, term: Any) -> DateSpan:
            end_year = start_year + 1 if term.crosses_year else start_year
            return DateSpan(start=term.start.in_year(start_year), end=term.end.in_year(end_year))

        autumn = span(school_year, params.autumn_term)
        spring_year = school_year + 1 if params.spring_term.start.month < 9 else school_year
        return SchoolYearTerms(autumn=autumn, spring=span(spring_year, params.spring_term))

    def term_infos(self, school_year: int) -> tuple[TermInfo, TermInfo]:
        """The autumn and spring terms of ``school_year``, in order."""
        cached = self._term_infos.get(school_year)
        if cached is None:
            cached = self._term_infos[school_year] = self._build_term_infos(school_year)
        return cached

    def _build_term_infos(self, school_year: int) -> tuple[TermInfo, TermInfo]:
        spans = self.terms_of(school_year)
        return (
            TermInfo(
                school_year=school_year,
                term=Term.AUTUMN,
                start=spans.autumn.start,
                end=spans.autumn.end,
            ),
            TermInfo(
                school_year=school_year,
                term=Term.SPRING,
                start=spans.spring.start,
                end=spans.spring.end,
            ),
        )

    def term_of(self, day: date) -> TermInfo | None:
        """The term ``day`` falls in, or ``None`` in a vacation.

        >>> SchoolCalendar().term_of(date(2027, 1, 15)).term
        <Term.AUTUMN: 'autumn'>
        >>> SchoolCalendar().term_of(date(2027, 1, 16)) is None
        True
        """
        for term in self._year(day.year).terms:
            if term.start <= day <= term.end:
                return term
        return None

    # -- school days --------------------------------------------------------------------------

    def is_school_day(self, day: date) -> bool:
        """Whether ``day`` is a school day."""
        days = self._year(day.year).school_days
        i = bisect_left(days, day.toordinal())
        return i < len(days) and days[i] == day.toordinal()

    def count_school_days(self, start: date, end: date) -> int:
        """The number of school days from ``start`` to ``end``, both included (0 if end < start).

        >>> SchoolCalendar().count_school_days(date(2026, 11, 2), date(2026, 11, 8))
        5
        """
        if end < start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year).school_days
            total += bisect_right(days, end.toordinal()) - bisect_left(days, start.toordinal())
        return total

    def add_school_days(self, day: date, n: int) -> date:
        """The ``n``-th school day strictly after ``day`` (``day`` itself when ``n`` is 0).

        >>> SchoolCalendar().add_school_days(date(2026, 11, 7), 1)  # a Saturday
        datetime.date(2026, 11, 9)
        """
        if n < 0:
            raise ValueError("n must be zero or more")
        if n == 0:
            return day
        remaining = n
        ordinal = day.toordinal()
        for year in range(day.year, day.year + _MAX_SEARCH_YEARS):
            days = self._year(year).school_days
            i = bisect_right(days, ordinal)
            available = len(days) - i
            if available >= remaining:
                return date.fromordinal(days[i + remaining - 1])
            remaining -= available
        raise ValueError(f"fewer than {n} school days in the {_MAX_SEARCH_YEARS} years after day")

    def school_days(self, start: date, end: date) -> Iterator[date]:
        """The school days from ``start`` to ``end``, both included, in order."""
        yield from map(date.fromordinal, self.school_day_ordinals(start, end))

    def school_day_ordinals(self, start: date, end: date) -> list[int]:
        """The school days from ``start`` to ``end`` (both included) as ``date.toordinal()``
        values, in order: the fast form of :meth:`school_days` for rule code."""
        result: list[int] = []
        lo, hi = start.toordinal(), end.toordinal()
        for year in range(start.year, end.year + 1):
            days = self._year(year).school_days
            result += days[bisect_left(days, lo) : bisect_right(days, hi)]
        return result

    def last_school_day_on_or_before(self, day: date) -> date | None:
        """The last school day on or before ``day`` (searching back at most 50 years)."""
        for year in range(day.year, day.year - _MAX_SEARCH_YEARS, -1):
            days = self._year(year).school_days
            i = bisect_right(days, day.toordinal())
            if i:
                return date.fromordinal(days[i - 1])
        return None

    # -- term time (for the one-month rule) ---------------------------------------------------

    def count_term_days(self, start: date, end: date) -> int:
        """Calendar days from ``start`` to ``end`` (both included) that lie inside a term.

        >>> SchoolCalendar().count_term_days(date(2027, 1, 4), date(2027, 3, 1))
        13
        """
        total = 0
        for term in self._terms_from(start):
            if term.start > end:
                break
            lo, hi = max(term.start, start), min(term.end, end)
            if lo <= hi:
                total += (hi - lo).days + 1
        return total

    def add_term_days(self, start: date, n: int) -> date:
        """The first date M such that ``n`` of the days from ``start`` (included) to M
        (excluded) lie inside a term.

        >>> SchoolCalendar().add_term_days(date(2027, 1, 4), 31)  # 12 in January, 19 in March
        datetime.date(2027, 3, 20)
        """
        if n < 0:
            raise ValueError("n must be zero or more")
        remaining = n
        if remaining == 0:
            return start
        for term in self._terms_from(start):
            lo = max(term.start, start)
            if lo > term.end:
                continue
            length = (term.end - lo).days + 1
            if length >= remaining:
                return lo + timedelta(days=remaining)
            remaining -= length
        raise ValueError(f"fewer than {n} term days in the {_MAX_SEARCH_YEARS} years after start")

    def _terms_from(self, day: date) -> Iterator[TermInfo]:
        """Every term of the school year of ``day`` and the following ones, in order."""
        first = self.school_year_of(day)
        for school_year in range(first, first + _MAX_SEARCH_YEARS):
            yield from self.term_infos(school_year)

    # -- estimated years ----------------------------------------------------------------------

    def is_estimated(self, year: int) -> bool:
        """Whether ``year``'s PRC holidays are the package's guess (no official notice held)."""
        return year not in self.official and not prc_year(year).official

    def estimated_years(self, start: date, end: date) -> tuple[int, ...]:
        """The calendar years from ``start`` to ``end`` whose holidays are estimated."""
        return tuple(y for y in range(start.year, end.year + 1) if self.is_estimated(y))

    def holidays_of(self, year: int) -> OfficialHolidays:
        """The days off and make-up workdays used for ``year``."""
        if year in self.official:
            return self.official[year]
        if self.strict and self.is_estimated(year):
            raise CalendarEstimatedError(
                f"PRC holidays of {year} are only estimated: pass that year's official days off "
                "and make-up workdays as SchoolCalendar(official={...})"
            )
        found = prc_year(year)
        return OfficialHolidays(days_off=found.days_off, workdays=found.workdays - found.days_off)

    # -- identity -----------------------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the calendar's content: its policy's fingerprint and its overrides."""
        content = {
            "policy": self.policy.fingerprint,
            "terms": {str(y): t.model_dump(mode="json") for y, t in sorted(self.terms.items())},
            "official": {
                str(y): [sorted(map(str, h.days_off)), sorted(map(str, h.workdays))]
                for y, h in sorted(self.official.items())
            },
            "closures": sorted(map(str, self.closures)),
            "extra_days": sorted(map(str, self.extra_days)),
            "strict": self.strict,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    @property
    def version(self) -> str:
        """The version an assessment on this calendar records: the policy's, plus a hash of
        the calendar's overrides when it has any.

        >>> SchoolCalendar().version == SchoolCalendar().policy.version
        True
        >>> SchoolCalendar(closures=frozenset({date(2026, 11, 2)})).version  # doctest: +ELLIPSIS
        'jidong-kongchuo@2026.1+...+cal...'
        """
        if not self.overridden:
            return self.policy.version
        return f"{self.policy.version}+cal.{self.fingerprint[:8]}"

    @property
    def overridden(self) -> bool:
        """Whether the calendar changes the policy's defaults (terms, holidays, closures or
        extra days)."""
        return bool(self.terms or self.official or self.closures or self.extra_days)

    def with_policy(self, policy: Policy) -> SchoolCalendar:
        """This calendar's overrides over ``policy``'s defaults."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return SchoolCalendar(**{**fields, "policy": policy})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SchoolCalendar):
            return NotImplemented
        return self is other or self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __getstate__(self) -> dict[Any, Any]:
        # only the fields travel: the per-year memo is rebuilt where it is needed
        state = super().__getstate__()
        fields = type(self).model_fields
        state["__dict__"] = {k: v for k, v in self.__dict__.items() if k in fields}
        return state

    def school_day_ordinals_of_year(self, year: int) -> list[int]:
        """The school days of calendar ``year`` as ordinals, ascending (the definition of a
        school day that every table derives from)."""
        return self._year(year).school_days

    # -- internals ----------------------------------------------------------------------------

    @cached_property
    def _years(self) -> dict[int, _Year]:
        # Memo of derived, immutable per-year facts; a cached_property is read at C speed,
        # where a pydantic private attribute goes through BaseModel.__getattr__.
        return {}

    @cached_property
    def _term_infos(self) -> dict[int, tuple[TermInfo, TermInfo]]:
        return {}

    def _year(self, year: int) -> _Year:
        years = self._years
        cached = years.get(year)
        if cached is None:
            cached = years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        first, last = date(year, 1, 1), date(year, 12, 31)
        terms = [
            info
            for school_year in (year - 1, year)
            for info in self.term_infos(school_year)
            if info.start <= last and info.end >= first
        ]
        holidays = self.holidays_of(year)
        days: set[int] = set()
        for info in terms:
            day = max(info.start, first)
            while day <= min(info.end, last):
                weekday_open = day.weekday() < _SATURDAY and day not in holidays.days_off
                if weekday_open or day in holidays.workdays:
                    days.add(day.toordinal())
                day += timedelta(days=1)
        days |= {d.toordinal() for d in self.extra_days if d.year == year}
        days -= {d.toordinal() for d in self.closures if d.year == year}
        return _Year(sorted(days), terms, self.is_estimated(year))
