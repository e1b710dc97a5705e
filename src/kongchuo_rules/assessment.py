"""What ``assess`` returns: the assessment, its actions, findings and the trace of rules.

No model here holds a name, a national id or a phone number: an assessment can be logged.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.citations import Citation
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    LabelledEnum,
    Lang,
    Role,
    Stage,
    Status,
)

__all__ = ["Action", "Assessment", "Finding", "FindingCode", "RuleTrace"]

Figure = dt.date | bool | int | str | None
"""A value that decided a rule: a date, a flag, a count or a code (dates first: validation
of the union is cheapest in this order, and a string never turns into a date)."""


class FindingCode(LabelledEnum):
    """Data-quality and compliance findings."""

    LATE_REPORT = "late_report", "未及时上报辍学情况", "late report"
    CONFLICTING_ABSENCE = (
        "conflicting_absence",
        "同一天既有请假又有无故缺勤记录",
        "a day is both excused and unexcused",
    )
    CALENDAR_ESTIMATED = (
        "calendar_estimated",
        "节假日安排为推定（无国务院通知数据）",
        "PRC holidays of a year are estimated",
    )
    OUTCOME_CONFLICT = (
        "outcome_conflict",
        "劝返结果为已返校，但考勤显示仍缺勤",
        "persuasion says returned but attendance says absent",
    )
    EVENTS_AFTER_TRANSFER = (
        "events_after_transfer",
        "转出后仍有缺勤记录",
        "absence recorded after a transfer out",
    )
    ABSENCE_WITHOUT_REGISTRATION = (
        "absence_without_registration",
        "无学籍学生有缺勤记录",
        "absence recorded for a child without registration",
    )
    INCOMPLETE_EVENT = "incomplete_event", "事件缺少关键字段，已忽略", "an event lacks a key field"
    # county ledger (PRODUCT.md §6.1)
    DUPLICATE_RECORD = "duplicate_record", "同一名册中重复出现", "a roster lists a child twice"
    CONFLICTING_BIRTH_DATE = (
        "conflicting_birth_date",
        "出生日期不一致",
        "birth dates disagree",
    )
    MULTIPLE_SCHOOLS = "multiple_schools", "出现在多所学校", "listed at more than one school"
    SURVEY_CONFLICT = (
        "survey_conflict",
        "入户调查结果与学籍不符",
        "survey disagrees with the registry",
    )


class Finding(FrozenModel):
    """A data-quality or compliance finding; ``message`` never holds personal data."""

    code: FindingCode
    message: str
    on: dt.date | None = None
    national_id: str | None = Field(default=None, repr=False)
    """For ledger findings: the child concerned (a structured field, never in ``message``)."""


class Action(FrozenModel):
    """A required action: who (agency, holder role) must do what by when, and why."""

    kind: ActionKind
    agency: Agency
    holder: Role
    trigger: dt.date
    due: dt.date
    done: bool
    overdue: bool
    citations: tuple[Citation, ...] = Field(min_length=1)
    level: EscalationLevel | None = None
    supporting: tuple[Agency, ...] = ()
    rule: str
    """The rule that requires the action (a key of ``kongchuo_rules.rules.RULES``)."""
    cause: Cause | None = None
    """The cause that routed the action to its agency, for cause-routing actions."""


class RuleTrace(FrozenModel):
    """One rule checked: whether it fired, on which day, the figures that decided, its clause."""

    rule: str
    fired: bool
    on: dt.date | None = None
    figures: dict[str, Figure] = Field(default_factory=dict)
    citations: tuple[Citation, ...] = ()


class Assessment(FrozenModel):
    """A child's status on one day, what must be done, and why (PRODUCT.md §5.8)."""

    case_id: str
    as_of: dt.date
    status: Status
    status_since: dt.date | None = None
    stage: Stage = Stage.NONE
    escalation_level: EscalationLevel | None = None
    run_start: dt.date | None = None
    unexcused_days: int = 0
    alert_date: dt.date | None = None
    month_mark: dt.date | None = None
    return_date: dt.date | None = None
    school_year_age: int | None = None
    priority: bool = False
    causes: tuple[Cause, ...] = ()
    actions: tuple[Action, ...] = ()
    findings: tuple[Finding, ...] = ()
    policy_version: str
    trace: tuple[RuleTrace, ...] = ()

    def explain(self, lang: Lang = "zh") -> str:
        """The assessment as readable text: status, figures, actions, and every rule checked."""
        from kongchuo_rules.explain import render

        return render(self, lang)

    def fired(self, rule: str) -> bool:
        """Whether the rule ``rule`` (e.g. ``"attendance.seven_day_alert"``) fired."""
        return any(t.rule == rule and t.fired for t in self.trace)
