"""The shared tables of a (policy, calendar): the integers the rules core reads.

Per day from ``first`` to ``last``: how many school days and term days come before it, and
which row of the parameter table is in force; the school days themselves, ascending; per
calendar year, whether its holidays are estimated. Beside them: the parameter rows (one per
effective date), the action specs and the cause routes as integer rows.

Built once per (policy, calendar) content and process (:func:`shared`), grown by whole years
when a case reaches outside them; a worker that unpickles the same policy reuses them. The
kernel functions below answer the calendar's questions in O(1) or O(log n); a question beyond
``last`` gets :data:`~kongchuo_rules._internal.days.FAR`, and the caller grows the tables and
decides again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import FAR, NO_DAY, civil, from_civil, to_day
from kongchuo_rules._internal.kernel import inline, kernel

if TYPE_CHECKING:
    from kongchuo_rules.calendar import SchoolCalendar
    from kongchuo_rules.policy import Policy
    from kongchuo_rules.rules._rule import ActionSpec

__all__ = [
    "Shared",
    "Tables",
    "add_school_days",
    "add_term_days",
    "is_estimated",
    "last_school_day",
    "param",
    "route",
    "school_day",
    "school_index",
    "shared",
    "spec_field",
]

# spec rows: the columns of Tables.specs
S_KIND = 0
S_AGENCY = 1
S_LEVEL = 2
S_DUE = 3  # a parameter column
S_EVENTS = 4  # a bit per event type that completes the action
S_FIELD = 5  # the field those events must match (F_*, or S_ATTRIBUTED, or NONE)
S_VALUES = 6  # a bit per value of that field that matches
S_AFTER_TRIGGER = 7  # 1: events on or after the trigger; 0: on or after the since day
S_STRICTLY = 8  # 1: strictly after
S_UNTIL_HORIZON = 9  # 1: not after the episode's horizon
S_TAKEN_AFTER_TRIGGER = 10  # 1: action_taken on or after the trigger; 0: the since day
S_KEY = 11  # kind, agency and level in one number: one action per key is kept
S_LATE_REPORT = 12  # 1: overdue, the action is the finding late_report
S_TAKEN_BY = 13  # a bit per agency whose action_taken completes the action
S_ATTRIBUTED = -2  # the field: the level a persuasion attempt is attributed to

# route rows: the columns of Tables.routes
R_CAUSE = 0
R_SPEC = 1
R_BELOW_AGE = 2  # a parameter column, or NONE


class Tables(NamedTuple):
    """The integer tables of one (policy, calendar) over the days ``first``..``last``: one flat
    sequence ``data`` (a list in :func:`~kongchuo_rules.assess.assess`, a numpy array in the
    batch engine, where a small tuple is cheap to pass) and the offsets of its sections."""

    first: int
    last: int
    first_year: int
    sd_before: int  # [i]: school days on first..first+i-1 (n_days + 1 entries)
    sd_days: int  # the school days, ascending (n_sd entries)
    n_sd: int
    term_before: int  # [i]: term days on first..first+i-1 (n_days + 1 entries)
    pidx: int  # [i]: the parameter row in force on first+i (n_days entries)
    eff_days: int  # the day each parameter row takes effect (NO_DAY: always)
    n_rows: int
    params: int  # parameter rows of len(codes.PARAMETER_COLUMNS) columns
    estimated: int  # [y - first_year]: 1 if the year's holidays are estimated
    n_years: int
    specs: int  # action spec rows of SPEC_COLUMNS columns
    routes: int  # cause route rows of ROUTE_COLUMNS columns
    n_routes: int
    data: Sequence[int]


SPEC_COLUMNS = 14
ROUTE_COLUMNS = 3
N_PARAMETERS = len(codes.PARAMETER_COLUMNS)


# -- kernel: the calendar's questions on integer days --------------------------------------------


@inline
def school_day(t: Tables, k: int) -> int:
    """The ``k``-th school day of the tables."""
    return t.data[t.sd_days + k]


@inline
def school_index(t: Tables, day: int) -> int:
    """The index of the first school day on or after ``day``."""
    if day <= t.first:
        return 0
    if day > t.last:
        return t.n_sd
    return t.data[t.sd_before + day - t.first]


@inline
def add_school_days(t: Tables, day: int, n: int) -> int:
    """The ``n``-th school day strictly after ``day`` (``day`` itself when ``n`` is 0);
    :data:`FAR` beyond the tables."""
    if n <= 0:
        return day
    if day < t.first:
        return FAR  # before the tables: grow them
    k = school_index(t, day + 1) + n - 1
    return t.data[t.sd_days + k] if k < t.n_sd else FAR


@inline
def last_school_day(t: Tables, day: int) -> int:
    """The last school day on or before ``day`` (:data:`NO_DAY` if none in the tables)."""
    k = school_index(t, day + 1) - 1
    return t.data[t.sd_days + k] if k >= 0 else NO_DAY


@inline
def _term_before(t: Tables, day: int) -> int:
    if day <= t.first:
        return 0
    if day > t.last:
        return t.data[t.term_before + t.last - t.first + 1]
    return t.data[t.term_before + day - t.first]


@kernel
def add_term_days(t: Tables, day: int, n: int) -> int:
    """The first day M such that ``n`` of the days from ``day`` (included) to M (excluded)
    lie inside a term; :data:`FAR` beyond the tables."""
    if n <= 0:
        return day
    if day < t.first:
        return FAR  # before the tables: grow them
    target = _term_before(t, day) + n
    lo = day - t.first if day > t.first else 0
    hi = t.last - t.first + 1
    if t.data[t.term_before + hi] < target:
        return FAR
    while lo < hi:  # the first i with term_before[i] >= target
        mid = (lo + hi) // 2
        if t.data[t.term_before + mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return t.first + lo


@inline
def param(t: Tables, day: int, column: int) -> int:
    """The value of parameter ``column`` in force on ``day``."""
    if t.first <= day <= t.last:
        row = t.data[t.pidx + day - t.first]
    else:
        row = 0
        for i in range(t.n_rows):
            since = t.data[t.eff_days + i]
            if since == NO_DAY or since <= day:
                row = i
    return t.data[t.params + row * N_PARAMETERS + column]


@inline
def spec_field(t: Tables, i: int, column: int) -> int:
    """Column ``column`` (``S_*``) of action spec ``i``."""
    return t.data[t.specs + i * SPEC_COLUMNS + column]


@inline
def route(t: Tables, r: int, column: int) -> int:
    """Column ``column`` (``R_*``) of cause route ``r``."""
    return t.data[t.routes + r * ROUTE_COLUMNS + column]


@inline
def is_estimated(t: Tables, year: int) -> bool:
    """Whether the PRC holidays of calendar ``year`` are estimated."""
    i = year - t.first_year
    return 0 <= i < t.n_years and t.data[t.estimated + i] == 1


@inline
def school_year_of(t: Tables, day: int) -> int:
    """The school year containing ``day`` (named by the year it starts in)."""
    y, m, d = civil(day)
    start = param(t, day, codes.CALENDAR_SCHOOL_YEAR_START)
    return y if m * 100 + d >= start else y - 1


@inline
def school_year_start(t: Tables, school_year: int) -> int:
    """The first day of ``school_year``."""
    start = param(t, from_civil(school_year, 12, 31), codes.CALENDAR_SCHOOL_YEAR_START)
    return from_civil(school_year, start // 100, start % 100)


# -- building the tables (Python) -----------------------------------------------------------------


class Shared:
    """The tables of one (policy, calendar), grown by whole years on demand (thread-safe)."""

    def __init__(self, policy: Policy, calendar: SchoolCalendar) -> None:
        from kongchuo_rules.rules import all_specs

        self.policy = policy
        self.calendar = calendar
        self.specs: tuple[ActionSpec, ...] = all_specs(policy)
        self._rows = _static_rows(policy, self.specs)
        self._lock = threading.Lock()
        self.tables: Tables | None = None
        self._arrays: Any = None
        self._templates: list[tuple[Any, ...]] | None = None
        self._layouts: list[tuple[Any, ...]] | None = None
        self.traces: dict[Any, Any] = {}  # trace entries by row, for reuse (build.Lazy)

    def action_templates(self) -> list[tuple[Any, ...]]:
        """Per spec, the fields of its :class:`~kongchuo_rules.assessment.Action` that do not
        depend on the child: kind, agency, holder, citations, level, supporting, rule; and the
        middle of its id, ``kind/agency[/level]``."""
        templates = self._templates
        if templates is None:
            cite = self.policy.cite
            templates = self._templates = [
                (
                    s.kind,
                    s.agency,
                    s.holder,
                    cite(s.clauses),
                    s.level,
                    s.supporting,
                    s.rule,
                    "/".join(x.value for x in (s.kind, s.agency, s.level) if x is not None),
                )
                for s in self.specs
            ]
        return templates

    def trace_layouts(self) -> list[tuple[Any, ...]]:
        """Per rule, for a trace row's ``fired`` (0, 1, not applicable): the rule id, its
        citations, the names of its figures and their converters from integers (``None``
        when every figure is an integer)."""
        layouts = self._layouts
        if layouts is None:
            from kongchuo_rules._internal.build import converters
            from kongchuo_rules.rules._rule import RULE_LIST

            cite = self.policy.cite
            layouts = self._layouts = [
                tuple(
                    (r.id, cite(r.clauses), tuple(n for n, _ in figures), converters(figures))
                    for figures in (r.figure_names(False), r.figure_names(True), ())
                )
                for r in RULE_LIST
            ]
        return layouts

    def covering(self, lo: int, hi: int) -> Tables:
        """Tables covering at least the days ``lo``..``hi`` (grown if needed)."""
        t = self.tables
        if t is not None and t.first <= lo and hi <= t.last:
            return t
        with self._lock:
            t = self.tables
            if t is not None and t.first <= lo and hi <= t.last:
                return t
            y0, y1 = civil(lo)[0] - 1, civil(hi)[0] + 2
            if t is not None:
                y0, y1 = min(y0, t.first_year), max(y1, civil(t.last)[0])
            t = self.tables = _build(self.calendar, y0, y1, self._rows)
            self._arrays = None
            return t

    def grown(self, t: Tables) -> Tables:
        """Tables three more years longer than ``t`` at either end."""
        y0, y1 = t.first_year, civil(t.last)[0]
        return self.covering(from_civil(y0 - 2, 1, 1), from_civil(y1 + 1, 12, 31))

    def arrays(self, lo: int, hi: int) -> Tables:
        """:meth:`covering` with ``data`` a numpy array, for the batch engine."""
        t = self.covering(lo, hi)
        found = self._arrays
        if found is not None and found.first == t.first and found.last == t.last:
            return found  # type: ignore[no-any-return]
        with self._lock:
            if self._arrays is None or self._arrays.first != t.first or self._arrays.last != t.last:
                import numpy as np

                self._arrays = t._replace(
                    data=cast(Sequence[int], np.asarray(t.data, dtype=np.int64))
                )
            return self._arrays  # type: ignore[no-any-return]


_CACHE: OrderedDict[tuple[str, str], Shared] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def shared(policy: Policy, calendar: SchoolCalendar) -> Shared:
    """The shared tables of ``policy`` with ``calendar`` (built once per content and process;
    the last 32 are kept)."""
    key = (policy.fingerprint, calendar.fingerprint)
    found = _CACHE.get(key)
    if found is not None:
        return found
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = Shared(policy, calendar)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return found


class _StaticRows(NamedTuple):
    eff_days: list[int]
    params: list[tuple[int, ...]]
    specs: list[tuple[int, ...]]
    routes: list[tuple[int, int, int]]


def _static_rows(policy: Policy, specs: Sequence[ActionSpec]) -> _StaticRows:
    from kongchuo_rules.policy import MonthClock

    eff: list[int] = []
    rows: list[tuple[int, ...]] = []
    for day in policy.effective_days():
        values = policy.at(day)
        row: list[int] = []
        for name in codes.PARAMETER_COLUMNS:
            group, field = name.split(".", 1)
            value = getattr(getattr(values, group), field)
            if isinstance(value, MonthClock):
                value = codes.CLOCK_CALENDAR if value is MonthClock.CALENDAR else 0
            elif not isinstance(value, int):  # a month-day
                value = value.month * 100 + value.day
            row.append(int(value))
        eff.append(NO_DAY if day.year == 1 else to_day(day))
        rows.append(tuple(row))
    spec_rows = [_spec_row(spec) for spec in specs]
    index = {id(spec): i for i, spec in enumerate(specs)}
    routes = [
        (
            codes.code(route.cause),
            index[id(spec)],
            codes.NONE if route.below_age is None else codes.PARAMETER_COLUMN[route.below_age],
        )
        for route, spec in zip(
            policy.routing, specs[len(specs) - len(policy.routing) :], strict=True
        )
    ]
    return _StaticRows(eff, rows, spec_rows, routes)


def _mask(codes_: Sequence[int]) -> int:
    mask = 0
    for c in codes_:
        mask |= 1 << c
    return mask


def _spec_row(spec: ActionSpec) -> tuple[int, ...]:
    from kongchuo_rules.vocabulary import (
        Agency,
        EscalationLevel,
        MarkKind,
        Role,
        WhereaboutsFinding,
    )

    done = spec.done_by
    field = codes.NONE
    values: list[int] = []
    if done.field == "mark":
        field, values = codes.F_MARK, [codes.code(MarkKind(v)) for v in done.values]
    elif done.field == "to":
        field, values = codes.F_TO, [codes.code(Agency(v)) for v in done.values]
    elif done.field == "finding":
        field, values = codes.F_FINDING, [codes.code(WhereaboutsFinding(v)) for v in done.values]
    elif done.field == "by":
        field = codes.F_BY
        for v in done.values:
            if v in Role.__members__.values():
                values.append(codes.actor_code(Role(v)))
            if v in Agency.__members__.values():
                values.append(codes.actor_code(Agency(v)))
    elif done.field == "attributed_level":
        field, values = S_ATTRIBUTED, [codes.code(EscalationLevel(v)) for v in done.values]
    return (
        codes.code(spec.kind),
        codes.code(spec.agency),
        codes.code(spec.level),
        codes.PARAMETER_COLUMN[spec.due_parameter],
        _mask([codes.TYPE_CODE[e] for e in done.events]),
        field,
        _mask(values),
        int(done.after == "trigger"),
        int(done.strictly),
        int(done.until == "horizon"),
        int(done.taken_after == "trigger"),
        (codes.code(spec.kind) * 64 + codes.code(spec.agency)) * 8 + codes.code(spec.level) + 1,
        int(spec.late_report),
        _mask([codes.code(spec.agency), *(codes.code(Agency(a)) for a in done.taken_by)]),
    )


def _build(calendar: SchoolCalendar, y0: int, y1: int, rows: _StaticRows) -> Tables:
    first, last = from_civil(y0, 1, 1), from_civil(y1, 12, 31)
    n = last - first + 1
    school = bytearray(n)
    sd_days: list[int] = []
    for year in range(y0, y1 + 1):
        for ordinal in calendar.school_day_ordinals_of_year(year):
            day = ordinal - _EPOCH_ORDINAL
            school[day - first] = 1
            sd_days.append(day)
    term = bytearray(n)
    for school_year in range(y0 - 1, y1 + 1):
        for info in calendar.term_infos(school_year):
            lo, hi = max(to_day(info.start), first), min(to_day(info.end), last)
            for day in range(lo, hi + 1):
                term[day - first] = 1
    sd_before = [0] * (n + 1)
    term_before = [0] * (n + 1)
    s = tb = 0
    for i in range(n):
        sd_before[i] = s
        term_before[i] = tb
        s += school[i]
        tb += term[i]
    sd_before[n] = s
    term_before[n] = tb
    eff = rows.eff_days
    pidx = [0] * n
    row = 0
    for i in range(n):
        while row + 1 < len(eff) and eff[row + 1] <= first + i:
            row += 1
        pidx[i] = row
    estimated = [int(calendar.is_estimated(y)) for y in range(y0, y1 + 1)]
    sections = [
        sd_before,
        sd_days,
        term_before,
        pidx,
        eff,
        [v for r in rows.params for v in r],
        estimated,
        [v for r in rows.specs for v in r],
        [v for r in rows.routes for v in r],
    ]
    at = [0]
    for section in sections:
        at.append(at[-1] + len(section))
    data = [v for section in sections for v in section]
    return Tables(
        first,
        last,
        y0,
        sd_before=at[0],
        sd_days=at[1],
        n_sd=len(sd_days),
        term_before=at[2],
        pidx=at[3],
        eff_days=at[4],
        n_rows=len(eff),
        params=at[5],
        estimated=at[6],
        n_years=len(estimated),
        specs=at[7],
        routes=at[8],
        n_routes=len(rows.routes),
        data=data,
    )


_EPOCH_ORDINAL = 719163
