"""The policy: the plan's parameters and clauses as validated data, apart from the rules.

A policy file (TOML) holds, for every parameter, its values keyed by effective date, its unit,
its provenance (``plan`` / ``law`` / ``assumption``), its reference and, for ``plan``, a verbatim
quote; and the clauses (section path + verbatim quote) that rules cite. ``Policy.at(day)`` gives
the typed values in force on a day.

>>> policy = default_policy()
>>> policy.at(date(2026, 11, 20)).absence.alert_unexcused_school_days
7
>>> policy.with_changes({"absence.alert_unexcused_school_days": 5}).at(
...     date(2026, 11, 20)).absence.alert_unexcused_school_days
5
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    model_validator,
)

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.case import CaseDate
from kongchuo_rules.citations import Citation, quote_in_text
from kongchuo_rules.errors import PolicyError, error_pairs
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    DutyKind,
    Lang,
    Provenance,
    Role,
    Term,
)

if TYPE_CHECKING:
    from kongchuo_rules.calendar import SchoolCalendar

__all__ = [
    "MAX_DAYS",
    "MAX_SCHOOL_DAYS",
    "AbsenceParams",
    "AgeParams",
    "CalendarParams",
    "Departure",
    "DutyRule",
    "DutySpec",
    "EnforcementParams",
    "MonthClock",
    "MonthDay",
    "Parameter",
    "ParameterSet",
    "PersuasionParams",
    "Policy",
    "PolicyFile",
    "RatesParams",
    "ReportingParams",
    "Responsibility",
    "ReturnedParams",
    "Route",
    "TermSpan",
    "bundled_policy_path",
    "default_policy",
    "load_policy",
    "parameter_bounds",
]

_NON_LEAP_YEAR = 2025

MAX_SCHOOL_DAYS = 200
"""The most school days a threshold or a deadline may be: a school year has about 190 school
days (two terms), so a longer one is no deadline at all, and a day count of 10**6 would send the
calendar thousands of years ahead."""
MAX_DAYS = 1_096
"""The most calendar days a period may be (three years): the longest a monitoring period or a
compliance deadline can sensibly run within nine years of schooling."""

SchoolDays = Annotated[StrictInt, Field(ge=0, le=MAX_SCHOOL_DAYS)]
"""A number of school days, 0..:data:`MAX_SCHOOL_DAYS` (an integer: not ``7.0``, ``"7"`` or
``True``)."""
PositiveSchoolDays = Annotated[StrictInt, Field(ge=1, le=MAX_SCHOOL_DAYS)]
"""A number of school days, 1..:data:`MAX_SCHOOL_DAYS`."""
Days = Annotated[StrictInt, Field(ge=1, le=MAX_DAYS)]
"""A number of calendar days, 1..:data:`MAX_DAYS`."""
Ratio = Annotated[StrictFloat, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share from 0 to 1."""


class MonthDayValue(FrozenModel):
    """A month and day without a year (``"08-31"``); 29 February is not allowed."""

    month: StrictInt = Field(ge=1, le=12)
    day: StrictInt = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_day(self) -> Self:
        try:
            date(_NON_LEAP_YEAR, self.month, self.day)
        except ValueError:
            raise ValueError("not a day of a non-leap year") from None
        return self

    def in_year(self, year: int) -> date:
        """This month-day in ``year``.

        >>> MonthDayValue(month=8, day=31).in_year(2026)
        datetime.date(2026, 8, 31)
        """
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


def _parse_month_day(value: object) -> object:
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) != 2 or not all(re.fullmatch(r"[0-9]{1,2}", p) for p in parts):
            raise ValueError("expected a month-day such as '08-31'")
        return {"month": int(parts[0]), "day": int(parts[1])}
    if isinstance(value, MonthDayValue):
        return value
    raise ValueError("expected a month-day such as '08-31'")


MonthDay = Annotated[
    MonthDayValue,
    BeforeValidator(_parse_month_day),
    PlainSerializer(str, return_type=str),
]
"""A month-day such as ``"08-31"``, read from and written as that string."""


class TermSpan(FrozenModel):
    """A term's first and last day as month-days; an end before the start runs into next year."""

    start: MonthDay
    end: MonthDay

    @property
    def crosses_year(self) -> bool:
        """Whether the term ends in the calendar year after it starts."""
        return (self.end.month, self.end.day) < (self.start.month, self.start.day)


class MonthClock(StrEnum):
    """How the plan's "一个月" is measured (``absence.month_clock``)."""

    TERM_TIME = "term_time"
    CALENDAR = "calendar"


class AgeParams(FrozenModel):
    """``age.*``: who is of compulsory-school age."""

    entry_age: Annotated[StrictInt, Field(ge=3, le=10)]
    """3..10: school entry in China is at 6 (law), 7 in some places; never before 3 (kindergarten
    age) or after 10."""
    entry_cutoff: MonthDay
    compulsory_years: Annotated[StrictInt, Field(ge=1, le=12)]
    """1..12: nine years by law; up to twelve where a county extends free schooling."""


class CalendarParams(FrozenModel):
    """``calendar.*``: the school year and the default term dates within it."""

    school_year_start: MonthDay
    autumn_term: TermSpan
    spring_term: TermSpan

    @model_validator(mode="after")
    def _terms_in_order(self) -> Self:
        """The autumn term, then the spring term, both inside one school year — read the way
        :meth:`~kongchuo_rules.calendar.SchoolCalendar.terms_of` places them (the spring term in
        the next calendar year when it starts before September)."""

        def day(md: MonthDayValue) -> int:
            return (
                md.in_year(_NON_LEAP_YEAR) - self.school_year_start.in_year(_NON_LEAP_YEAR)
            ).days % 365

        def length(term: TermSpan) -> int:
            return (day(term.end) - day(term.start)) % 365

        autumn, spring = self.autumn_term, self.spring_term
        a, c = day(autumn.start), day(spring.start)
        if not a + length(autumn) < c:
            raise ValueError(
                "calendar.spring_term must start after calendar.autumn_term ends, in the same "
                "school year (from calendar.school_year_start)"
            )
        if c + length(spring) > 364:
            raise ValueError("calendar.spring_term must end before the next school year starts")
        next_year = (spring.start.month, spring.start.day) < (
            self.school_year_start.month,
            self.school_year_start.day,
        )
        if next_year != (spring.start.month < _SPRING_NEXT_YEAR_BEFORE_MONTH):
            raise ValueError(
                "calendar.spring_term must start before September in the calendar year after "
                "calendar.school_year_start"
            )
        return self


_SPRING_NEXT_YEAR_BEFORE_MONTH = 9
"""The school calendar puts a spring term that starts before this month in the calendar year
after the school year starts (``SchoolCalendar.terms_of``); the policy check reads it the same
way."""


class AbsenceParams(FrozenModel):
    """``absence.*``: the 7-day and one-month rules."""

    alert_unexcused_school_days: PositiveSchoolDays
    persuasion_after_months: Annotated[StrictInt, Field(ge=1, le=12)]
    """1..12: the plan says one month; a school year has ten months of term."""
    home_visit_due_school_days: SchoolDays
    month_clock: MonthClock


class PersuasionParams(FrozenModel):
    """``persuasion.*``: persuasion and escalation."""

    assign_persuader_due_school_days: SchoolDays
    first_attempt_due_school_days: SchoolDays
    agreed_return_grace_school_days: PositiveSchoolDays
    escalation_due_school_days: SchoolDays


class ReportingParams(FrozenModel):
    """``reporting.*``: registry marks and reports upward."""

    report_due_school_days: SchoolDays


class ReturnedParams(FrozenModel):
    """``returned.*``: after a child comes back."""

    monitoring_days: Days
    individual_plan_due_school_days: SchoolDays


class EnforcementParams(FrozenModel):
    """``enforcement.*``: the guardian-enforcement ladder."""

    step_due_school_days: SchoolDays
    order_compliance_days: Days


class WhereaboutsParams(FrozenModel):
    """``whereabouts.*``: the police's whereabouts checks."""

    verify_due_school_days: SchoolDays
    missing_response_due_school_days: SchoolDays


class RoutingParams(FrozenModel):
    """``routing.*``: causes referred to agencies."""

    referral_due_school_days: SchoolDays
    child_labor_age: Annotated[StrictInt, Field(ge=10, le=18)]
    """10..18: the plan's 16 (童工); never above the age of majority."""


class EnrollmentParams(FrozenModel):
    """``enrollment.*``: out-of-school children."""

    mobilization_due_school_days: SchoolDays


class SpecialEducationParams(FrozenModel):
    """``special_education.*``: placement of disabled children."""

    placement_due_school_days: SchoolDays


class RatesParams(FrozenModel):
    """``rates.*``: what counts in the enrolment and retention rates, and the targets."""

    enrollment_target: Ratio
    retention_target: Ratio
    exclude_exempt: StrictBool
    exclude_deferred: StrictBool
    count_non_local: StrictBool
    suspected_dropout_enrolled: StrictBool
    retention_adjust_transfers: StrictBool
    retention_adjust_deaths: StrictBool


class ParameterSet(FrozenModel):
    """The typed values of every parameter in force on one day, grouped by dotted prefix."""

    age: AgeParams
    calendar: CalendarParams
    absence: AbsenceParams
    persuasion: PersuasionParams
    reporting: ReportingParams
    returned: ReturnedParams
    enforcement: EnforcementParams
    whereabouts: WhereaboutsParams
    routing: RoutingParams
    enrollment: EnrollmentParams
    special_education: SpecialEducationParams
    rates: RatesParams


def _parameter_names() -> tuple[str, ...]:
    names: list[str] = []
    for group, field in ParameterSet.model_fields.items():
        annotation = field.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, FrozenModel)):
            raise TypeError(f"ParameterSet.{group} must be a parameter group model")
        names.extend(f"{group}.{name}" for name in annotation.model_fields)
    return tuple(names)


PARAMETER_NAMES: tuple[str, ...] = _parameter_names()
"""Every parameter name the rules know, in dotted form."""


def parameter_bounds(name: str) -> tuple[float, float] | None:
    """The inclusive bounds of numeric parameter ``name`` (``None`` for a date, a choice or a
    flag); values outside them are refused at load and by :meth:`Policy.with_changes`.

    >>> parameter_bounds("absence.alert_unexcused_school_days")
    (1, 200)
    """
    group, field = name.split(".", 1)
    model = ParameterSet.model_fields[group].annotation
    info = model.model_fields[field]  # type: ignore[union-attr]
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return None if low is None or high is None else (low, high)


Unit = Literal[
    "years", "months", "month_day", "term_span", "school_days", "days", "choice", "flag", "ratio"
]


class DatedValue(FrozenModel):
    """A parameter value and the day it takes effect (``None``: since always)."""

    since: CaseDate | None = None
    value: Any

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not _plain_value(data.get("value")):
            raise ValueError(
                "value: not a plain value (a number, a string, a flag, or a table of those)"
            )
        return data


_MAX_VALUE_DEPTH = 2
"""How deeply a parameter value may nest: a scalar, or a table of scalars (a term span)."""


def _plain_value(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is a scalar, or a table of scalars — nothing deeper (a TOML array
    nested 5,000 deep is refused here, before anything recurses into it)."""
    if value is None or isinstance(value, bool | int | float | str | date):
        return True
    if depth >= _MAX_VALUE_DEPTH - 1:
        return False
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _plain_value(v, depth + 1) for k, v in value.items())
    return False


class Description(FrozenModel):
    """A parameter's description in both languages."""

    zh: str
    en: str


class Parameter(FrozenModel):
    """One parameter: its dated values, unit, provenance and reference."""

    unit: Unit
    provenance: Provenance
    reference: str = Field(min_length=1)
    quote: str | None = None
    description: Description
    values: tuple[DatedValue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.provenance is Provenance.PLAN and not self.quote:
            raise ValueError("a parameter whose provenance is 'plan' needs a verbatim 'quote'")
        sinces = [v.since for v in self.values]
        if any(s is None for s in sinces[1:]):
            raise ValueError("only the first value may omit 'since'")
        dated = [s for s in sinces if s is not None]
        if dated != sorted(set(dated)):
            raise ValueError("values must be in increasing 'since' order, without repeats")
        return self

    def value_on(self, day: date) -> Any:
        """The value in force on ``day`` (``None`` if the first value starts later)."""
        current: Any = None
        for dated in self.values:
            if dated.since is None or dated.since <= day:
                current = dated.value
        return current


class Departure(FrozenModel):
    """A parameter whose value the plan (or the law) states, changed by
    :meth:`Policy.with_changes` to another value.

    The changed value is no longer the plan's: it is the scenario's own assumption. The clauses
    that rules cite still quote the plan (their duty is the plan's), so a quote such as
    「对无故7日未到校学生…」 next to a threshold of 5 is read with this record: the policy says
    which number is the plan's and which is in force.
    """

    parameter: str
    provenance: Provenance
    """What the parameter's value was before the change: ``plan`` or ``law``."""
    stated: tuple[DatedValue, ...]
    """The values the plan (or law) states, as the policy file gives them."""
    reference: str
    quote: str | None = None

    def note(self, lang: Lang = "zh") -> str:
        """One line: the stated value, the source, and that the value in force departs from it.

        >>> default_policy().with_changes({"absence.alert_unexcused_school_days": 5}).departures[
        ...     0].note("en")  # doctest: +ELLIPSIS
        "absence.alert_unexcused_school_days: changed from 7 (the plan: 「对无故7日...」); the ..."
        """
        stated = ", ".join(
            (f"{v.since.isoformat()}: " if v.since else "") + _show(v.value) for v in self.stated
        )
        source = self.provenance.label(lang) + (f": 「{self.quote}」" if self.quote else "")
        if lang == "zh":
            return (
                f"{self.parameter}：已由{stated}（{source}）改为其他值；"
                "现值为本情景的假定，引用条文中的数字仍为原文"
            )
        return (
            f"{self.parameter}: changed from {stated} ({source}); the value in force is this "
            "scenario's assumption, and cited clauses still quote the plan's number"
        )


class Responsibility(FrozenModel):
    """A standing duty of an agency (plan 四) with the clauses that state it."""

    agency: Agency
    duty: Description
    clauses: tuple[str, ...] = Field(min_length=1)
    schedule: str | None = None


class Route(FrozenModel):
    """A cause referred to an agency: the action it must take, by whom, and why (plan 四)."""

    cause: Cause
    action: ActionKind
    agency: Agency
    holder: Role
    clauses: tuple[str, ...] = Field(min_length=1)
    supporting: tuple[Agency, ...] = ()
    below_age: str | None = Field(
        default=None, description="A parameter name: the route applies below that age."
    )


class DutyRule(FrozenModel):
    """When a dated duty falls due: yearly in ``months`` on ``monthday``, or at a term's end."""

    months: tuple[int, ...] = ()
    monthday: int | None = Field(default=None, ge=-31, le=31)
    term: Term | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        by_month = bool(self.months) and self.monthday not in (None, 0)
        if by_month == (self.term is not None):
            raise ValueError("give either months and monthday, or term")
        if any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months are 1-12")
        return self


class DutySpec(FrozenModel):
    """A dated institutional duty of the plan (PRODUCT.md §6.3)."""

    kind: DutyKind
    agency: Agency
    clauses: tuple[str, ...] = Field(min_length=1)
    supporting: tuple[Agency, ...] = ()
    due: DutyRule
    window_months: int = Field(default=0, ge=0, le=11)
    schedule_provenance: Provenance
    schedule_reference: str


class PolicyMeta(FrozenModel):
    """The ``[policy]`` table: identity and source document."""

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str
    jurisdiction: str
    source: str = Field(min_length=1, description="Path of the plan text, relative to the file.")


class PolicyFile(FrozenModel):
    """The shape of a policy file (its JSON Schema is ``kongchuo schema policy``)."""

    policy: PolicyMeta
    clauses: dict[str, Citation]
    parameters: dict[str, Parameter]
    responsibilities: tuple[Responsibility, ...] = ()
    routing: tuple[Route, ...] = ()
    duties: tuple[DutySpec, ...] = ()
    townships: tuple[Township, ...] = ()


class Policy(FrozenModel):
    """A validated policy: parameters, clauses and the text of the plan they quote.

    Build one with :func:`default_policy`, :func:`load_policy` or :meth:`with_changes`.
    """

    meta: PolicyMeta
    clauses: Mapping[str, Citation]
    parameters: Mapping[str, Parameter]
    source_text: str = Field(repr=False)
    responsibilities: tuple[Responsibility, ...] = ()
    routing: tuple[Route, ...] = ()
    duties: tuple[DutySpec, ...] = ()
    townships: tuple[Township, ...] = ()
    """The county's towns and townships with their schools (descriptive data that no rule reads:
    not part of :attr:`fingerprint` nor of the version, but compared by ``==``)."""
    changes: tuple[str, ...] = ()
    """Names of the parameters changed from the file by :meth:`with_changes`."""
    departures: tuple[Departure, ...] = ()
    """The plan and law parameters that :meth:`with_changes` set to a value other than the
    one the plan or law states (history, like ``changes``: not part of the content hash)."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[str] = []
        for name in sorted(set(self.parameters) - set(PARAMETER_NAMES)):
            problems.append(f"parameter {name!r}: unknown parameter{_suggest(name)}")
        for name in PARAMETER_NAMES:
            if name not in self.parameters:
                problems.append(f"parameter {name!r}: missing")
        for name, param in sorted(self.parameters.items()):
            if param.quote and not quote_in_text(param.quote, self.source_text):
                problems.append(f"parameter {name!r}: quote is not verbatim in the plan text")
        for key, clause in sorted(self.clauses.items()):
            if not quote_in_text(clause.quote, self.source_text):
                problems.append(f"clause {key!r}: quote is not verbatim in the plan text")
        cited: list[tuple[str, Sequence[Responsibility | Route | DutySpec]]] = [
            ("responsibilities", self.responsibilities),
            ("routing", self.routing),
            ("duties", self.duties),
        ]
        for table, rows in cited:
            problems += [
                f"{table}.{i}: unknown clause {key!r}"
                for i, row in enumerate(rows)
                for key in row.clauses
                if key not in self.clauses
            ]
        problems += [
            f"routing.{i}: below_age names no parameter"
            for i, route in enumerate(self.routing)
            if route.below_age is not None and route.below_age not in PARAMETER_NAMES
        ]
        if problems:
            raise ValueError("; ".join(problems))
        for day in self._effective_days():
            self._build_set(day)
        return self

    def _effective_days(self) -> list[date]:
        days = {v.since for p in self.parameters.values() for v in p.values if v.since}
        return sorted(days | {date.min})

    def effective_days(self) -> tuple[date, ...]:
        """The days on which some parameter takes a new value (``date.min`` first)."""
        return self._effective_days_cached

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the policy's content (parameters, clauses, tables, plan text): equal
        policies have equal fingerprints, whatever their history."""
        content = {
            "meta": self.meta.model_dump(mode="json"),
            "clauses": {k: c.model_dump(mode="json") for k, c in sorted(self.clauses.items())},
            "parameters": {
                k: p.model_dump(mode="json") for k, p in sorted(self.parameters.items())
            },
            "responsibilities": [r.model_dump(mode="json") for r in self.responsibilities],
            "routing": [r.model_dump(mode="json") for r in self.routing],
            "duties": [d.model_dump(mode="json") for d in self.duties],
            "source_text": self.source_text,
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        # the towns and townships are not part of the rules' content (the fingerprint and the
        # version), but two policies that list different ones are not the same policy
        return self is other or (
            self.fingerprint == other.fingerprint and self.townships == other.townships
        )

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __getstate__(self) -> dict[Any, Any]:
        # only the fields travel: caches are rebuilt (or found in the process's shared tables)
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in self.__dict__.items() if k in type(self).model_fields}
        return state

    def _build_set(self, day: date) -> ParameterSet:
        raw: dict[str, dict[str, Any]] = {}
        for name, param in self.parameters.items():
            group, field = name.split(".", 1)
            value = param.value_on(day)
            if value is not None:
                raw.setdefault(group, {})[field] = value
        try:
            return ParameterSet.model_validate(raw)
        except ValidationError as exc:
            when = "" if day == date.min else f" (value since {day.isoformat()})"
            details = "; ".join(
                f"parameter {'.'.join(path.split('.')[:2])!r}{when}: "
                + (problem if path.count(".") < 2 else f"{path.split('.', 2)[2]}: {problem}")
                for path, problem in error_pairs(exc)
            )
            raise ValueError(details) from None

    @property
    def id(self) -> str:
        """The policy's id, e.g. ``jidong-kongchuo``."""
        return self.meta.id

    @cached_property
    def version(self) -> str:
        """A version id: ``id@version+hash``, the hash of the policy's content — so an edited
        policy file, or a changed parameter, never passes for the version it was edited from.

        >>> default_policy().version  # doctest: +ELLIPSIS
        'jidong-kongchuo@2026.1+...'
        >>> default_policy().version == default_policy().with_changes({}).version
        True
        """
        return f"{self.meta.id}@{self.meta.version}+{self.fingerprint[:8]}"

    def at(self, day: date) -> ParameterSet:
        """The typed parameter values in force on ``day``."""
        # Values change only on effective days: take the latest one on or before ``day``.
        key = max(d for d in self._effective_days_cached if d <= day)
        return self._sets[key]

    @cached_property
    def _effective_days_cached(self) -> tuple[date, ...]:
        return tuple(self._effective_days())

    @cached_property
    def _sets(self) -> dict[date, ParameterSet]:
        return {d: self._build_set(d) for d in self._effective_days_cached}

    @property
    def calendar(self) -> SchoolCalendar:
        """The default school calendar of this policy (one per policy content and process; the
        policy holds no reference to it)."""
        return _default_calendar(self)

    def latest(self) -> ParameterSet:
        """The typed parameter values of the latest effective date (for figures not tied to a
        day, such as a retention rate computed from counts)."""
        return self._sets[self._effective_days_cached[-1]]

    def cite(self, keys: tuple[str, ...]) -> tuple[Citation, ...]:
        """The clauses ``keys`` as citations (memoised per policy; ``KeyError`` if missing)."""
        cached = self._citations.get(keys)
        if cached is None:
            cached = self._citations[keys] = tuple(self.clauses[k] for k in keys)
        return cached

    @cached_property
    def _citations(self) -> dict[tuple[str, ...], tuple[Citation, ...]]:
        return {}

    def clause(self, key: str) -> Citation:
        """The clause ``key`` (a :class:`Citation`); ``KeyError`` if the policy lacks it."""
        return self.clauses[key]

    def with_changes(self, changes: Mapping[str, Any]) -> Policy:
        """A new, validated policy with some parameters replaced.

        Each change maps a dotted name to a value (in force since always) or to a list of
        ``{"since": date, "value": ...}`` entries. Unknown names, wrong types (``True``, ``"7"``
        or ``7.0`` for a number of days) and values outside a parameter's bounds
        (:func:`parameter_bounds`) raise :class:`~kongchuo_rules.errors.PolicyError` naming the
        parameter; so does anything but a mapping of names.

        A parameter whose provenance is ``plan`` or ``law`` and whose new value differs from
        the stated one is listed in :attr:`departures`: the clauses cited still quote the plan,
        and the policy records which number the plan states.

        >>> default_policy().with_changes({"absence.alert_unexcused_days": 5})
        Traceback (most recent call last):
        ...
        kongchuo_rules.errors.PolicyError: ... did you mean 'absence.alert_unexcused_school_days'?
        """
        if not isinstance(changes, Mapping):
            raise PolicyError(
                "policy changes: expected a mapping of parameter names to values, "
                f"not {type(changes).__name__}"
            )
        try:
            return self._with_changes(changes)
        except RecursionError:
            raise PolicyError("policy changes: a value is nested too deeply") from None

    def _with_changes(self, changes: Mapping[str, Any]) -> Policy:
        parameters = dict(self.parameters)
        problems: list[str] = []
        for i, (name, change) in enumerate(changes.items(), 1):
            if not isinstance(name, str):
                problems.append(f"policy changes, key no. {i}: a parameter name is a string")
                continue
            if name not in parameters:
                problems.append(f"parameter {name!r}: unknown parameter{_suggest(name)}")
                continue
            entries = change if isinstance(change, list | tuple) else [{"value": change}]
            if not entries:
                problems.append(f"parameter {name!r}: no value given")
                continue
            try:
                values = tuple(DatedValue.model_validate(e) for e in entries)
                parameters[name] = parameters[name].model_copy(update={"values": values})
                Parameter.model_validate(parameters[name].model_dump())
            except ValidationError as exc:
                problems.append(f"parameter {name!r}: {_describe(exc)}")
        if problems:
            raise PolicyError("; ".join(problems))
        try:
            return self._rebuilt(
                parameters=parameters,
                changes=tuple(sorted({*self.changes, *changes})),
                departures=self._departures(parameters, changes),
            )
        except ValidationError as exc:
            raise PolicyError(_describe(exc)) from None

    def _departures(
        self, parameters: Mapping[str, Parameter], changes: Mapping[str, Any]
    ) -> tuple[Departure, ...]:
        """This policy's departures, updated for ``changes``: a plan or law parameter set to a
        value other than the stated one departs; set back to it, it no longer does."""
        known = {d.parameter: d for d in self.departures}
        for name in changes:
            before = known.get(name)
            if before is None:
                original = self.parameters[name]
                if original.provenance is Provenance.ASSUMPTION:
                    continue
                before = Departure(
                    parameter=name,
                    provenance=original.provenance,
                    stated=original.values,
                    reference=original.reference,
                    quote=original.quote,
                )
            if _same_values(parameters[name].values, before.stated):
                known.pop(name, None)
            else:
                known[name] = before
        return tuple(known[name] for name in sorted(known))

    def provenance(self, name: str) -> Provenance:
        """Where the value in force of ``name`` comes from: the file's provenance, or
        ``assumption`` for a plan or law parameter that :meth:`with_changes` departed from.

        >>> default_policy().with_changes({"absence.alert_unexcused_school_days": 5}).provenance(
        ...     "absence.alert_unexcused_school_days")
        <Provenance.ASSUMPTION: 'assumption'>
        """
        if any(d.parameter == name for d in self.departures):
            return Provenance.ASSUMPTION
        return self.parameters[name].provenance

    def _rebuilt(self, **update: Any) -> Policy:
        """A new, validated policy from this one's fields (never its caches) and ``update``."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return Policy.model_validate({**fields, **update})

    def describe(self, name: str, lang: Lang = "zh") -> str:
        """One line about parameter ``name``: value, unit, provenance and reference."""
        param = self.parameters[name]
        values = ", ".join(
            (f"{v.since.isoformat()}: " if v.since else "") + _show(v.value) for v in param.values
        )
        desc = param.description.zh if lang == "zh" else param.description.en
        departure = next((d for d in self.departures if d.parameter == name), None)
        if departure is not None:
            return (
                f"{name} = {values} [{param.unit}; {self.provenance(name).label(lang)}] "
                f"{desc} — {departure.note(lang)}"
            )
        return (
            f"{name} = {values} [{param.unit}; {param.provenance.label(lang)}] "
            f"{desc} — {param.reference}"
        )

    # -- towns and townships (PRODUCT.md §7.2) -------------------------------------------------

    @model_validator(mode="after")
    def _check_townships(self) -> Self:
        problems: list[str] = []
        names: set[str] = set()
        schools: set[str] = set()
        for i, township in enumerate(self.townships):
            where = f"townships.{i} ({township.id})"
            if not quote_in_text(township.quote, self.source_text):
                problems.append(f"{where}: quote is not verbatim in the plan text")
            for name in (township.id, township.zh, township.pinyin):
                if name in names:
                    problems.append(f"{where}: {name!r} names another township too")
                names.add(name)
            for school in township.schools:
                if school.id in schools:
                    problems.append(f"{where}: school id {school.id!r} is used twice")
                schools.add(school.id)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def township(self, name: str) -> Township:
        """The township called ``name`` (its id, Chinese name or pinyin); ``KeyError`` if the
        policy has none by that name.

        >>> default_policy().township("Yong'an Zhen").zh
        '永安镇'
        """
        for township in self.townships:
            if name in (township.id, township.zh, township.pinyin):
                return township
        raise KeyError(name)


@lru_cache(maxsize=32)
def _default_calendar(policy: Policy) -> SchoolCalendar:
    from kongchuo_rules.calendar import SchoolCalendar

    return SchoolCalendar(policy=policy)


def _describe(exc: ValidationError) -> str:
    """One line for every problem of ``exc``: field paths and problems, never a value or an
    unknown key (a policy is not personal data, but a change may be built from anything)."""
    return "; ".join(
        problem if path == "(root)" else f"{path}: {problem}" for path, problem in error_pairs(exc)
    )


def _same_values(a: Sequence[DatedValue], b: Sequence[DatedValue]) -> bool:
    """Whether two value lists say the same (``7`` and ``7.0`` differ: types matter)."""
    return [(v.since, type(v.value), v.value) for v in a] == [
        (v.since, type(v.value), v.value) for v in b
    ]


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"
    return str(value)


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, PARAMETER_NAMES, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _from_file_data(data: Mapping[str, Any], source_text: str, where: str) -> Policy:
    try:
        file = PolicyFile.model_validate(data)
        return Policy(
            meta=file.policy,
            clauses=file.clauses,
            parameters=file.parameters,
            responsibilities=file.responsibilities,
            routing=file.routing,
            duties=file.duties,
            townships=file.townships,
            source_text=source_text,
        )
    except ValidationError as exc:
        raise PolicyError(f"{where}: {_describe(exc)}") from None


def load_policy(path: str | Path, *, source_text: str | None = None) -> Policy:
    """Load and validate a county's policy file (TOML).

    The plan text is read from the file's ``source`` path (relative to the file) unless
    ``source_text`` is given. Errors name the file, the parameter and the problem.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path.name}: cannot read the policy file ({exc})") from None
    except RecursionError:
        raise PolicyError(f"{path.name}: cannot read the policy file (nested too deeply)") from None
    if source_text is None:
        source = data.get("policy", {}).get("source")
        if not isinstance(source, str):
            raise PolicyError(f"{path.name}: policy.source: missing")
        try:
            source_text = (path.parent / source).read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{path.name}: cannot read the plan text ({exc})") from None
    return _from_file_data(data, source_text, path.name)


def bundled_policy_path() -> Path:
    """The bundled policy file (``policy.toml``; the plan text ``plan.zh.txt`` is beside it): the
    starting point of a county's own file (``kongchuo policy init`` copies it).

    >>> load_policy(bundled_policy_path()) == default_policy()
    True
    """
    return Path(str(resources.files("kongchuo_rules") / "policies" / "jidong" / "policy.toml"))


@cache
def default_policy() -> Policy:
    """The bundled policy of this plan (鸡东县控辍保学工作实施方案), loaded once."""
    folder = resources.files("kongchuo_rules") / "policies" / "jidong"
    data = tomllib.loads((folder / "policy.toml").read_text(encoding="utf-8"))
    source_text = (folder / "plan.zh.txt").read_text(encoding="utf-8")
    return _from_file_data(data, source_text, "policies/jidong/policy.toml")


# -- towns and townships (PRODUCT.md §7.2) ---------------------------------------------------------

SchoolLevel = Literal["primary", "junior", "nine_year"]
"""A school's level: 小学 (grades 1–6), 初级中学 (7–9) or 九年一贯制学校 (1–9)."""

_GRADES: dict[str, tuple[int, int]] = {"primary": (1, 6), "junior": (7, 9), "nine_year": (1, 9)}


class School(FrozenModel):
    """A school of a township: the ``school_id`` that cases, the registry and the presence
    rosters name."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: Description
    level: SchoolLevel

    @property
    def grades(self) -> tuple[int, int]:
        """The first and last grade the school teaches.

        >>> School(id="X-1", name={"zh": "甲小学", "en": "A"}, level="primary").grades
        (1, 6)
        """
        return _GRADES[self.level]


class Township(FrozenModel):
    """A town (镇) or township (乡) of the county, as the plan names it, with its schools.

    ``quote`` is where the plan names it (verbatim; the policy checks it); the school list is
    data of the policy file with its own provenance (``schools_provenance``,
    ``schools_reference``).
    """

    id: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    zh: str = Field(min_length=1)
    pinyin: str = Field(min_length=1)
    kind: Literal["town", "township"]
    section: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    schools: tuple[School, ...] = Field(min_length=1)
    schools_provenance: Provenance
    schools_reference: str = Field(min_length=1)

    def label(self, lang: Lang = "zh") -> str:
        """The township's name in ``lang`` (pinyin for ``en``)."""
        return self.zh if lang == "zh" else self.pinyin


PolicyFile.model_rebuild()
Policy.model_rebuild()
__all__ += ["School", "SchoolLevel", "Township"]
