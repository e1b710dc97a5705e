"""kongchuo-rules: a county's compulsory-education dropout-control plan (控辍保学) as executable,
cited, tested rules.

>>> from kongchuo_rules import default_policy
>>> default_policy().version
'jidong-kongchuo@2026.1'
"""

from kongchuo_rules.assess import assess
from kongchuo_rules.assessment import Action, Assessment, Finding, FindingCode, RuleTrace
from kongchuo_rules.calendar import (
    CalendarEstimatedError,
    OfficialHolidays,
    SchoolCalendar,
    SchoolYearTerms,
)
from kongchuo_rules.case import (
    Absence,
    ActionTaken,
    AdministrativePenalty,
    Case,
    Completion,
    CourtApplication,
    Deferral,
    Event,
    Guardian,
    GuardianContact,
    GuardianEducation,
    GuardianOrder,
    HomeVisit,
    IndividualPlan,
    PersuaderAssigned,
    Persuasion,
    Placement,
    RegistryMark,
    Report,
    Student,
    TransferOut,
    Whereabouts,
)
from kongchuo_rules.citations import Citation
from kongchuo_rules.errors import CaseError, KongchuoError, PolicyError
from kongchuo_rules.policy import Policy, default_policy, load_policy
from kongchuo_rules.rules.routing import StandingDuty, agencies_for, responsibilities
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    Role,
    Stage,
    Status,
)

__version__ = "0.1.0"

__all__ = [
    "Absence",
    "Action",
    "ActionKind",
    "ActionTaken",
    "AdministrativePenalty",
    "Agency",
    "Assessment",
    "CalendarEstimatedError",
    "Case",
    "CaseError",
    "Cause",
    "Citation",
    "Completion",
    "CourtApplication",
    "Deferral",
    "EscalationLevel",
    "Event",
    "Finding",
    "FindingCode",
    "Guardian",
    "GuardianContact",
    "GuardianEducation",
    "GuardianOrder",
    "HomeVisit",
    "IndividualPlan",
    "KongchuoError",
    "OfficialHolidays",
    "PersuaderAssigned",
    "Persuasion",
    "Placement",
    "Policy",
    "PolicyError",
    "RegistryMark",
    "Report",
    "Role",
    "RuleTrace",
    "SchoolCalendar",
    "SchoolYearTerms",
    "Stage",
    "StandingDuty",
    "Status",
    "Student",
    "TransferOut",
    "Whereabouts",
    "__version__",
    "agencies_for",
    "assess",
    "default_policy",
    "load_policy",
    "responsibilities",
]
