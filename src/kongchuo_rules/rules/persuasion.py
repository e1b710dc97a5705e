"""Persuasion, escalation, dropout and return (PRODUCT.md §5.4).

Plan 四 学校责任: 劝返后仍不返校的，要求学籍管理员做好相应标注（疑似辍学、辍学）纳入相关台账，并向县
教育局上报; 五(一)二: 县长、局长、乡（镇）长、校长、班主任逐级责任制 … 劝返无效报上一级开展工作;
五(二)二: 一生一策.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import Persuasion
from kongchuo_rules.policy import PersuasionParams
from kongchuo_rules.rules._action import ActionSpec
from kongchuo_rules.rules._rule import Rule
from kongchuo_rules.vocabulary import ActionKind, Agency, EscalationLevel, PersuasionOutcome, Role

__all__ = [
    "ASSIGN_PERSUADER",
    "CLEAR_REGISTRY_MARK",
    "DROPOUT",
    "ESCALATION",
    "INDIVIDUAL_PLAN",
    "MARK_REGISTRY",
    "PERSUADE",
    "PERSUASION_FAILED",
    "REPORT_TO_BUREAU",
    "RETURN",
    "Attempt",
    "PersuasionRecord",
    "next_level",
    "persuasion_record",
]

PERSUASION_FAILED = Rule(
    id="persuasion.failed",
    title_zh="劝返无效",
    title_en="Persuasion failed",
    clauses=("school_registry_mark",),
    parameters=("persuasion.agreed_return_grace_school_days",),
    fired_zh="{level}劝返于{failed_on}无效（{outcome}）",
    fired_en="persuasion at {level} level failed on {failed_on} ({outcome})",
    not_fired_zh="无劝返无效记录（劝返{attempts}次）",
    not_fired_en="no failed persuasion ({attempts} attempts)",
)
ESCALATION = Rule(
    id="persuasion.escalation",
    title_zh="劝返无效报上一级",
    title_en="Escalation",
    clauses=("escalation",),
    parameters=("persuasion.escalation_due_school_days",),
    fired_zh="劝返无效{failures}次，现由{level}负责劝返",
    fired_en="{failures} failed attempt(s): persuasion is now the {level} level's",
    not_fired_zh="尚无劝返无效，劝返责任在{level}",
    not_fired_en="no failed attempt: persuasion rests with the {level} level",
)
DROPOUT = Rule(
    id="persuasion.dropout",
    title_zh="劝返后仍不返校：辍学",
    title_en="Dropout",
    clauses=("school_registry_mark",),
    fired_zh="满一个月（{month_mark}）且劝返无效（{failed_on}）：自{since}起为辍学",
    fired_en=(
        "month mark {month_mark} passed and persuasion failed on {failed_on}: dropout since {since}"
    ),
    not_fired_zh="未同时满足“满一个月”与“劝返无效”（满月日{month_mark}，劝返无效日{failed_on}）",
    not_fired_en=(
        "not both past the month mark ({month_mark}) and failed persuasion ({failed_on})"
    ),
)
RETURN = Rule(
    id="persuasion.returned",
    title_zh="劝返复学",
    title_en="Return",
    clauses=("individual_plan",),
    parameters=("returned.monitoring_days",),
    fired_zh="{return_date}返校（经劝返阶段），跟踪至{monitoring_until}",
    fired_en="back at school on {return_date} after persuasion; monitored until {monitoring_until}",
    not_fired_zh="近期无经劝返阶段后返校的记录",
    not_fired_en="no return after a persuasion stage in the monitoring window",
)

_FAILED = (PersuasionOutcome.REFUSED, PersuasionOutcome.UNREACHABLE)
_LEVELS = tuple(EscalationLevel)


def next_level(level: EscalationLevel) -> EscalationLevel:
    """The level above ``level``, staying at ``county``.

    >>> next_level(EscalationLevel.SCHOOL), next_level(EscalationLevel.COUNTY)
    (<EscalationLevel.TOWNSHIP: 'township'>, <EscalationLevel.COUNTY: 'county'>)
    """
    return _LEVELS[min(_LEVELS.index(level) + 1, len(_LEVELS) - 1)]


@dataclass(frozen=True)
class Attempt:
    """A persuasion attempt with its attributed level and, if it failed, the failure date."""

    event: Persuasion
    level: EscalationLevel
    failed_on: dt.date | None
    responsible_after: EscalationLevel


@dataclass(frozen=True)
class PersuasionRecord:
    """The attempts of one episode, in date order, and what they add up to."""

    attempts: tuple[Attempt, ...]
    level: EscalationLevel  # the level responsible after every failure so far
    conflicts: tuple[dt.date, ...]  # 'returned' outcomes while still absent
    failures: tuple[Attempt, ...]  # the failed attempts, in attempt order
    first_failure: dt.date | None  # the earliest failure date


def persuasion_record(
    attempts: Sequence[Persuasion],
    last_absent: dt.date,
    params: PersuasionParams,
    calendar: SchoolCalendar,
) -> PersuasionRecord:
    """Evaluate an episode's persuasion attempts (sorted by date) against attendance.

    An attempt fails when ``refused`` or ``unreachable`` (on its date), or ``agreed`` on A with
    the child still absent on the ``agreed_return_grace_school_days``-th school day after A
    (on that day). ``last_absent`` is the last absent school day of the run that counts.
    Attempts without a level are attributed to the level responsible on their date.
    """
    level = EscalationLevel.SCHOOL
    result: list[Attempt] = []
    conflicts: list[dt.date] = []
    for event in attempts:
        attributed = event.level or level
        failed_on: dt.date | None = None
        if event.outcome in _FAILED:
            failed_on = event.date
        elif event.outcome is PersuasionOutcome.AGREED:
            check = calendar.add_school_days(event.date, params.agreed_return_grace_school_days)
            if check <= last_absent:
                failed_on = check
        elif event.outcome is PersuasionOutcome.RETURNED and event.date < last_absent:
            conflicts.append(event.date)
        if failed_on is not None:
            level = max(level, next_level(attributed), key=_LEVELS.index)
        result.append(Attempt(event, attributed, failed_on, level))
    failures = tuple(a for a in result if a.failed_on is not None)
    first = min((a.failed_on for a in failures if a.failed_on), default=None)
    return PersuasionRecord(tuple(result), level, tuple(conflicts), failures, first)


ASSIGN_PERSUADER = ActionSpec(
    kind=ActionKind.ASSIGN_PERSUADER,
    agency=Agency.SCHOOL,
    holder=Role.PRINCIPAL,
    clauses=("school_one_month",),
    due_parameter="persuasion.assign_persuader_due_school_days",
    rule="attendance.one_month",
)
PERSUADE: dict[EscalationLevel, ActionSpec] = {
    EscalationLevel.SCHOOL: ActionSpec(
        kind=ActionKind.PERSUADE,
        agency=Agency.SCHOOL,
        holder=Role.PERSUADER,
        clauses=("school_one_month",),
        due_parameter="persuasion.first_attempt_due_school_days",
        rule="attendance.one_month",
        level=EscalationLevel.SCHOOL,
    ),
    EscalationLevel.TOWNSHIP: ActionSpec(
        kind=ActionKind.PERSUADE,
        agency=Agency.TOWNSHIP_GOVERNMENT,
        holder=Role.TOWNSHIP_HEAD,
        clauses=("escalation", "school_joint_return"),
        due_parameter="persuasion.escalation_due_school_days",
        rule=ESCALATION.id,
        level=EscalationLevel.TOWNSHIP,
        supporting=(Agency.VILLAGE_COMMITTEE, Agency.SCHOOL),
    ),
    EscalationLevel.EDUCATION_BUREAU: ActionSpec(
        kind=ActionKind.PERSUADE,
        agency=Agency.EDUCATION_BUREAU,
        holder=Role.BUREAU_CHIEF,
        clauses=("escalation",),
        due_parameter="persuasion.escalation_due_school_days",
        rule=ESCALATION.id,
        level=EscalationLevel.EDUCATION_BUREAU,
    ),
    EscalationLevel.COUNTY: ActionSpec(
        kind=ActionKind.PERSUADE,
        agency=Agency.COUNTY_GOVERNMENT,
        holder=Role.COUNTY_HEAD,
        clauses=("escalation",),
        due_parameter="persuasion.escalation_due_school_days",
        rule=ESCALATION.id,
        level=EscalationLevel.COUNTY,
    ),
}
"""动员劝返 at each level (逐级责任制): the persuader, then 乡（镇）长, 局长, 县长."""
MARK_REGISTRY = ActionSpec(
    kind=ActionKind.MARK_REGISTRY,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("school_registry_mark",),
    due_parameter="reporting.report_due_school_days",
    rule=DROPOUT.id,
)
REPORT_TO_BUREAU = ActionSpec(
    kind=ActionKind.REPORT_TO_BUREAU,
    agency=Agency.SCHOOL,
    holder=Role.PRINCIPAL,
    clauses=("school_registry_mark", "escalation"),
    due_parameter="reporting.report_due_school_days",
    rule=DROPOUT.id,
)
INDIVIDUAL_PLAN = ActionSpec(
    kind=ActionKind.INDIVIDUAL_PLAN,
    agency=Agency.SCHOOL,
    holder=Role.CLASS_TEACHER,
    clauses=("individual_plan",),
    due_parameter="returned.individual_plan_due_school_days",
    rule=RETURN.id,
)
CLEAR_REGISTRY_MARK = ActionSpec(
    kind=ActionKind.CLEAR_REGISTRY_MARK,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("registry_management",),
    due_parameter="reporting.report_due_school_days",
    rule=RETURN.id,
)
