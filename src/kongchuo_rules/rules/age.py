"""School age (PRODUCT.md §5.1): entry age on the cutoff, nine compulsory years; and the
out-of-school rule (失学) for children without a registration.

Law: 义务教育法 第十一条 (entry at six), 第二条 (nine years); plan 二
(依法保证每位适龄儿童、少年接受九年义务教育); plan 四 乡（镇）责任
(依法督促学生父母或其他法定监护人按时送子女入学). A child's *school-year age* is their age on
the cutoff of the school year containing the day in question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY, age_on, civil, in_year, to_date, to_day
from kongchuo_rules._internal.kernel import inline
from kongchuo_rules._internal.tables import Tables, param, school_year_of, school_year_start
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

if TYPE_CHECKING:
    from kongchuo_rules.calendar import SchoolCalendar
    from kongchuo_rules.policy import Policy

__all__ = [
    "ENROLLMENT_MOBILIZATION",
    "OUT_OF_SCHOOL",
    "SCHOOL_AGE",
    "SchoolAge",
    "age_on",
    "school_age",
]

SCHOOL_AGE = Rule(
    id="age.school_age",
    title_zh="适龄儿童、少年",
    title_en="School age",
    clauses=("nine_years",),
    parameters=("age.entry_age", "age.entry_cutoff", "age.compulsory_years"),
    fired_zh="{cutoff}时满{age}周岁，在{first_age}至{last_age}周岁之间：属义务教育适龄",
    fired_en="aged {age} on {cutoff}, within {first_age}–{last_age}: of compulsory-school age",
    not_fired_zh="{cutoff}时满{age}周岁，不在{first_age}至{last_age}周岁之间：非义务教育适龄",
    not_fired_en="aged {age} on {cutoff}, outside {first_age}–{last_age}: not of school age",
    figures=(("age", "int"), ("cutoff", "day"), ("first_age", "int"), ("last_age", "int")),
)
OUT_OF_SCHOOL = Rule(
    id="age.out_of_school",
    title_zh="适龄未入学：失学",
    title_en="Out of school",
    clauses=("township_mobilization", "county_guardian_duty"),
    fired_zh="适龄（{age}周岁）、无学籍、未免学/缓学/在外就读/完成：自{since}起为失学",
    fired_en=(
        "of school age ({age}), not registered, not exempt, deferred, elsewhere or completed: "
        "out of school since {since}"
    ),
    not_fired_zh="持有学籍或非适龄：不属失学",
    not_fired_en="registered, or not of school age: not out of school",
    figures=(("age", "int"), ("since", "day")),
)
ENROLLMENT_MOBILIZATION = ActionSpec(
    kind=ActionKind.ENROLLMENT_MOBILIZATION,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("township_mobilization",),
    due_parameter="enrollment.mobilization_due_school_days",
    rule=OUT_OF_SCHOOL.id,
    supporting=(Agency.EDUCATION_BUREAU, Agency.VILLAGE_COMMITTEE),
    done_by=DoneBy(
        events=("home_visit", "guardian_contact"),
        field="by",
        values=("township_government", "township_head", "village_committee", "education_bureau"),
        after="trigger",
        taken_after="trigger",
    ),
)
"""督促送子女入学: done by a home visit or guardian contact of the township, the village
committee or the education bureau on or after the trigger."""

R_SCHOOL_AGE = SCHOOL_AGE.index
R_OUT_OF_SCHOOL = OUT_OF_SCHOOL.index
I_ENROLLMENT_MOBILIZATION = ENROLLMENT_MOBILIZATION.index


class Age(NamedTuple):
    """A child's school-year age on a day, and the first days of school age and after it."""

    age: int
    cutoff: int
    of_school_age: int
    first_age: int
    last_age: int
    starts: int  # first day of the first school year of school age
    ends: int  # first day of the school year after the last one


@inline
def school_year_age(t: Tables, birth: int, day: int) -> Age:
    """The school-year age on ``day`` of a child born on ``birth`` (parameters in force on
    ``day``)."""
    year = school_year_of(t, day)
    cutoff_md = param(t, day, codes.AGE_ENTRY_CUTOFF)
    entry_age = param(t, day, codes.AGE_ENTRY_AGE)
    years = param(t, day, codes.AGE_COMPULSORY_YEARS)
    by, bm, bd = civil(birth)
    # born after the cutoff's month-day: a year younger on every cutoff (age_on, unrolled)
    late = 1 if cutoff_md < bm * 100 + bd else 0
    age = year - by - late
    last_age = entry_age + years - 1
    entry_year = by + entry_age + late
    return Age(
        age,
        in_year(cutoff_md, year),
        1 if entry_age <= age <= last_age else 0,
        entry_age,
        last_age,
        school_year_start(t, entry_year),
        school_year_start(t, entry_year + years),
    )


@inline
def out_of_school_since(ev: Rows, lo: int, hi: int, age: Age, special_status: int) -> int:
    """``age.out_of_school``: the day an unregistered child became out of school, or
    :data:`NO_DAY`. Out of school: of school age and no special status; since the first day
    of school age or the end of an expired deferral, whichever is later."""
    if special_status != codes.NONE or age.of_school_age == 0:
        return NO_DAY
    since = age.starts
    for i in range(lo, hi):
        row = ev[i]
        if row[codes.F_TYPE] == codes.T_DEFERRAL and row[codes.F_UNTIL] != NO_DAY:
            since = max(since, row[codes.F_UNTIL])
    return since


# -- for the county ledger (Python) -----------------------------------------------------------


@dataclass(frozen=True)
class SchoolAge:
    """A child's school-year age on a day and the dates their school age starts and ends."""

    age: int
    cutoff: dt.date
    of_school_age: bool
    first_age: int
    last_age: int
    starts: dt.date
    ends: dt.date


def school_age(
    birth: dt.date, day: dt.date, policy: Policy, calendar: SchoolCalendar | None = None
) -> SchoolAge:
    """The school-year age of a child born on ``birth``, on ``day`` — the rule ``assess``
    applies, for callers outside it (the county ledger).

    >>> from kongchuo_rules import default_policy
    >>> a = school_age(dt.date(2020, 8, 31), dt.date(2026, 11, 20), default_policy())
    >>> a.age, a.of_school_age, a.starts
    (6, True, datetime.date(2026, 9, 1))
    >>> school_age(dt.date(2020, 9, 1), dt.date(2026, 11, 20), default_policy()).of_school_age
    False
    """
    from kongchuo_rules._internal.tables import shared

    t = shared(policy, calendar or policy.calendar).covering(to_day(day), to_day(day))
    a = school_year_age(t, to_day(birth), to_day(day))
    return SchoolAge(
        a.age,
        to_date(a.cutoff),
        bool(a.of_school_age),
        a.first_age,
        a.last_age,
        to_date(a.starts),
        to_date(a.ends),
    )
