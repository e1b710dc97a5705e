"""Integer codes for the rules core: event types, the fields of an event row, every enum, and
the columns of the parameter table. The kernel reads them as module constants (numba freezes
them at compile time); :mod:`.encode` and :mod:`.build` translate to and from the models.

An enum's code is its position in declaration order; event types are numbered in alphabetical
order of their ``type`` value, so rows sorted by (day, type code) are in the order of
:class:`~kongchuo_rules.case.Case`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeVar

from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    FindingCode,
    LabelledEnum,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    Stage,
    Status,
    WhereaboutsFinding,
)

__all__ = ["NONE", "Rows", "code", "member"]

Rows = Sequence[Sequence[int]]
"""Event rows (a list of tuples in ``assess``, a 2-D array in the batch engine)."""

E = TypeVar("E", bound=LabelledEnum)

NONE: Final = -1
"""No value (a null field)."""


def code(member: LabelledEnum | None) -> int:
    """The code of an enum member (:data:`NONE` for ``None``)."""
    if member is None:
        return NONE
    return _INDEX[type(member)][member]


def member(enum: type[E], value: int) -> E | None:
    """The member of ``enum`` with code ``value`` (``None`` for :data:`NONE`)."""
    return None if value == NONE else _MEMBERS[enum][value]  # type: ignore[return-value]


_ENUMS: tuple[type[LabelledEnum], ...] = (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    FindingCode,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    Stage,
    Status,
    WhereaboutsFinding,
)
_MEMBERS: dict[type[LabelledEnum], tuple[LabelledEnum, ...]] = {e: tuple(e) for e in _ENUMS}
_INDEX: dict[type[LabelledEnum], dict[LabelledEnum, int]] = {
    e: {m: i for i, m in enumerate(ms)} for e, ms in _MEMBERS.items()
}

# -- event types (alphabetical by value) ----------------------------------------------------------

EVENT_TYPES: Final = (
    "absence",
    "action_taken",
    "administrative_penalty",
    "completion",
    "court_application",
    "deferral",
    "guardian_contact",
    "guardian_education",
    "guardian_order",
    "home_visit",
    "individual_plan",
    "persuader_assigned",
    "persuasion",
    "placement",
    "registry_mark",
    "report",
    "transfer_out",
    "whereabouts",
)
T_ABSENCE: Final = 0
T_ACTION_TAKEN: Final = 1
T_ADMINISTRATIVE_PENALTY: Final = 2
T_COMPLETION: Final = 3
T_COURT_APPLICATION: Final = 4
T_DEFERRAL: Final = 5
T_GUARDIAN_CONTACT: Final = 6
T_GUARDIAN_EDUCATION: Final = 7
T_GUARDIAN_ORDER: Final = 8
T_HOME_VISIT: Final = 9
T_INDIVIDUAL_PLAN: Final = 10
T_PERSUADER_ASSIGNED: Final = 11
T_PERSUASION: Final = 12
T_PLACEMENT: Final = 13
T_REGISTRY_MARK: Final = 14
T_REPORT: Final = 15
T_TRANSFER_OUT: Final = 16
T_WHEREABOUTS: Final = 17
TYPE_CODE: Final = {name: i for i, name in enumerate(EVENT_TYPES)}

# -- the fields of an event row --------------------------------------------------------------
# A row is a tuple of ints: (day, type, end, code, code2, by, causes, index). ``end`` holds the
# second date of the types that have one; ``code`` and ``code2`` the type's enum fields.

F_DAY: Final = 0  # date; an absence's start
F_TYPE: Final = 1
F_END: Final = 2  # absence end / order and penalty deadline / deferral until
F_CODE: Final = 3  # see the aliases below
F_CODE2: Final = 4
F_BY: Final = 5  # an actor code (a Role, or ACTOR_AGENCY + an Agency)
F_CAUSES: Final = 6  # a bit per Cause code
F_INDEX: Final = 7  # the event's position in the case (or the events table)
N_FIELDS: Final = 8

F_EXCUSED: Final = F_CODE  # absence: 1 excused, 0 not
F_LEVEL: Final = F_CODE  # persuasion: EscalationLevel
F_OUTCOME: Final = F_CODE2  # persuasion: PersuasionOutcome
F_FINDING: Final = F_CODE  # whereabouts: WhereaboutsFinding
F_MARK: Final = F_CODE  # registry_mark: MarkKind
F_TO: Final = F_CODE  # report: Agency
F_MODE: Final = F_CODE  # placement: PlacementMode
F_KIND: Final = F_CODE  # action_taken: ActionKind
F_AGENCY: Final = F_CODE2  # action_taken: Agency
F_DEADLINE: Final = F_END  # guardian_order, administrative_penalty
F_UNTIL: Final = F_END  # deferral

ACTOR_AGENCY: Final = 16
"""Actor codes: a Role's code, or ``ACTOR_AGENCY`` plus an Agency's code."""

# -- enum codes the rules name ---------------------------------------------------------------------

S_ATTENDING: Final = code(Status.ATTENDING)
S_SUSPECTED_DROPOUT: Final = code(Status.SUSPECTED_DROPOUT)
S_DROPOUT: Final = code(Status.DROPOUT)
S_RETURNED: Final = code(Status.RETURNED)
S_OUT_OF_SCHOOL: Final = code(Status.OUT_OF_SCHOOL)
S_EXEMPT: Final = code(Status.EXEMPT)
S_DEFERRED: Final = code(Status.DEFERRED)
S_STUDYING_ELSEWHERE: Final = code(Status.STUDYING_ELSEWHERE)
S_COMPLETED: Final = code(Status.COMPLETED)
S_NOT_SCHOOL_AGE: Final = code(Status.NOT_SCHOOL_AGE)

G_NONE: Final = code(Stage.NONE)
G_HOME_VISIT: Final = code(Stage.HOME_VISIT)
G_PERSUASION: Final = code(Stage.PERSUASION)
G_ESCALATION: Final = code(Stage.ESCALATION)
G_ENFORCEMENT: Final = code(Stage.ENFORCEMENT)
G_MONITORING: Final = code(Stage.MONITORING)

L_SCHOOL: Final = code(EscalationLevel.SCHOOL)
L_COUNTY: Final = code(EscalationLevel.COUNTY)

O_RETURNED: Final = code(PersuasionOutcome.RETURNED)
O_AGREED: Final = code(PersuasionOutcome.AGREED)
O_REFUSED: Final = code(PersuasionOutcome.REFUSED)
O_UNREACHABLE: Final = code(PersuasionOutcome.UNREACHABLE)

W_WORKING: Final = code(WhereaboutsFinding.WORKING)
W_ENROLLED_ELSEWHERE: Final = code(WhereaboutsFinding.ENROLLED_ELSEWHERE)
W_MISSING: Final = code(WhereaboutsFinding.MISSING)
W_UNKNOWN: Final = code(WhereaboutsFinding.UNKNOWN)

M_DROPOUT: Final = code(MarkKind.DROPOUT)
M_CLEARED: Final = code(MarkKind.CLEARED)

P_HOME_DELIVERY: Final = code(PlacementMode.HOME_DELIVERY)
P_EXEMPT: Final = code(PlacementMode.EXEMPT)

C_CHILD_LABOR: Final = code(Cause.CHILD_LABOR)
C_GUARDIAN_REFUSAL: Final = code(Cause.GUARDIAN_REFUSAL)
C_MISSING: Final = code(Cause.MISSING)

K_MARK_REGISTRY: Final = code(ActionKind.MARK_REGISTRY)
K_REPORT_TO_BUREAU: Final = code(ActionKind.REPORT_TO_BUREAU)

A_EDUCATION_BUREAU: Final = code(Agency.EDUCATION_BUREAU)

FC_LATE_REPORT: Final = code(FindingCode.LATE_REPORT)
FC_CONFLICTING_ABSENCE: Final = code(FindingCode.CONFLICTING_ABSENCE)
FC_CALENDAR_ESTIMATED: Final = code(FindingCode.CALENDAR_ESTIMATED)
FC_OUTCOME_CONFLICT: Final = code(FindingCode.OUTCOME_CONFLICT)
FC_EVENTS_AFTER_TRANSFER: Final = code(FindingCode.EVENTS_AFTER_TRANSFER)
FC_ABSENCE_WITHOUT_REGISTRATION: Final = code(FindingCode.ABSENCE_WITHOUT_REGISTRATION)
FC_INCOMPLETE_EVENT: Final = code(FindingCode.INCOMPLETE_EVENT)
FC_ATTENDANCE_NOT_RECORDED: Final = code(FindingCode.ATTENDANCE_NOT_RECORDED)


def actor_code(actor: Role | Agency | None) -> int:
    """The actor code of a ``by`` value."""
    if actor is None:
        return NONE
    if isinstance(actor, Role):
        return code(actor)
    return ACTOR_AGENCY + code(actor)


# -- the parameter table ---------------------------------------------------------------------
# One column per integer parameter, in this order; month-days are ``month * 100 + day`` and
# ``absence.month_clock`` is 0 for term time, 1 for calendar months.

PARAMETER_COLUMNS: Final = (
    "age.entry_age",
    "age.entry_cutoff",
    "age.compulsory_years",
    "calendar.school_year_start",
    "absence.alert_unexcused_school_days",
    "absence.persuasion_after_months",
    "absence.home_visit_due_school_days",
    "absence.month_clock",
    "persuasion.assign_persuader_due_school_days",
    "persuasion.first_attempt_due_school_days",
    "persuasion.agreed_return_grace_school_days",
    "persuasion.escalation_due_school_days",
    "reporting.report_due_school_days",
    "returned.monitoring_days",
    "returned.individual_plan_due_school_days",
    "enforcement.step_due_school_days",
    "enforcement.order_compliance_days",
    "whereabouts.verify_due_school_days",
    "whereabouts.missing_response_due_school_days",
    "routing.referral_due_school_days",
    "routing.child_labor_age",
    "enrollment.mobilization_due_school_days",
    "special_education.placement_due_school_days",
)
AGE_ENTRY_AGE: Final = 0
AGE_ENTRY_CUTOFF: Final = 1
AGE_COMPULSORY_YEARS: Final = 2
CALENDAR_SCHOOL_YEAR_START: Final = 3
ABSENCE_ALERT_UNEXCUSED_SCHOOL_DAYS: Final = 4
ABSENCE_PERSUASION_AFTER_MONTHS: Final = 5
ABSENCE_HOME_VISIT_DUE_SCHOOL_DAYS: Final = 6
ABSENCE_MONTH_CLOCK: Final = 7
PERSUASION_ASSIGN_PERSUADER_DUE_SCHOOL_DAYS: Final = 8
PERSUASION_FIRST_ATTEMPT_DUE_SCHOOL_DAYS: Final = 9
PERSUASION_AGREED_RETURN_GRACE_SCHOOL_DAYS: Final = 10
PERSUASION_ESCALATION_DUE_SCHOOL_DAYS: Final = 11
REPORTING_REPORT_DUE_SCHOOL_DAYS: Final = 12
RETURNED_MONITORING_DAYS: Final = 13
RETURNED_INDIVIDUAL_PLAN_DUE_SCHOOL_DAYS: Final = 14
ENFORCEMENT_STEP_DUE_SCHOOL_DAYS: Final = 15
ENFORCEMENT_ORDER_COMPLIANCE_DAYS: Final = 16
WHEREABOUTS_VERIFY_DUE_SCHOOL_DAYS: Final = 17
WHEREABOUTS_MISSING_RESPONSE_DUE_SCHOOL_DAYS: Final = 18
ROUTING_REFERRAL_DUE_SCHOOL_DAYS: Final = 19
ROUTING_CHILD_LABOR_AGE: Final = 20
ENROLLMENT_MOBILIZATION_DUE_SCHOOL_DAYS: Final = 21
SPECIAL_EDUCATION_PLACEMENT_DUE_SCHOOL_DAYS: Final = 22
CLOCK_CALENDAR: Final = 1

PARAMETER_COLUMN: Final = {name: i for i, name in enumerate(PARAMETER_COLUMNS)}
