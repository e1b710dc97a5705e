"""School age (PRODUCT.md §5.1): entry age on the cutoff, nine compulsory years.

Law: 义务教育法 第十一条 (entry at six), 第二条 (nine years); plan 二
(依法保证每位适龄儿童、少年接受九年义务教育). A child's *school-year age* is their age
on the cutoff of the school year containing the day in question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.policy import AgeParams
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, Role

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
)


@dataclass(frozen=True)
class SchoolAge:
    """A child's school-year age on a day and the dates their school age starts and ends."""

    age: int
    cutoff: dt.date
    of_school_age: bool
    first_age: int
    last_age: int
    starts: dt.date  # first day of the first school year of school age
    ends: dt.date  # first day of the school year after the last one


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (what ``relativedelta(day, birth).years`` gives).

    >>> age_on(dt.date(2020, 8, 31), dt.date(2026, 8, 31))
    6
    >>> age_on(dt.date(2020, 9, 1), dt.date(2026, 8, 31))
    5
    >>> age_on(dt.date(2012, 2, 29), dt.date(2026, 2, 28))
    13
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def school_age(
    birth: dt.date, day: dt.date, params: AgeParams, calendar: SchoolCalendar
) -> SchoolAge:
    """The school-year age of a child born on ``birth``, on ``day``.

    >>> from kongchuo_rules import SchoolCalendar, default_policy
    >>> cal = SchoolCalendar(); p = default_policy().at(dt.date(2026, 11, 20)).age
    >>> a = school_age(dt.date(2020, 8, 31), dt.date(2026, 11, 20), p, cal)
    >>> a.age, a.of_school_age, a.starts
    (6, True, datetime.date(2026, 9, 1))
    >>> school_age(dt.date(2020, 9, 1), dt.date(2026, 11, 20), p, cal).of_school_age
    False
    """
    year = calendar.school_year_of(day)
    cutoff = params.entry_cutoff.in_year(year)
    age = age_on(birth, cutoff)
    first_age = params.entry_age
    last_age = params.entry_age + params.compulsory_years - 1
    entry_year = birth.year + params.entry_age
    if age_on(birth, params.entry_cutoff.in_year(entry_year)) < params.entry_age:
        entry_year += 1
    return SchoolAge(
        age=age,
        cutoff=cutoff,
        of_school_age=first_age <= age <= last_age,
        first_age=first_age,
        last_age=last_age,
        starts=calendar.school_year_start(entry_year),
        ends=calendar.school_year_start(entry_year + params.compulsory_years),
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
)


ENROLLMENT_MOBILIZATION = ActionSpec(
    kind=ActionKind.ENROLLMENT_MOBILIZATION,
    agency=Agency.TOWNSHIP_GOVERNMENT,
    holder=Role.TOWNSHIP_HEAD,
    clauses=("township_mobilization",),
    due_parameter="enrollment.mobilization_due_school_days",
    rule=OUT_OF_SCHOOL.id,
    supporting=(Agency.EDUCATION_BUREAU, Agency.VILLAGE_COMMITTEE),
)
"""督促送子女入学: done by a home visit or guardian contact by the township, village committee
or education bureau on or after the trigger."""
