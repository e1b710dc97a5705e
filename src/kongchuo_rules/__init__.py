"""kongchuo-rules: a county's compulsory-education dropout-control plan (控辍保学) as executable,
cited, tested rules.

>>> from kongchuo_rules import default_policy
>>> default_policy().version  # id@version+hash of the content  # doctest: +ELLIPSIS
'jidong-kongchuo@2026.1+...'
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from kongchuo_rules._version import __version__

if TYPE_CHECKING:
    from kongchuo_rules.assess import assess
    from kongchuo_rules.assessment import (
        Action,
        Assessment,
        Finding,
        FindingCode,
        RuleTrace,
    )
    from kongchuo_rules.calendar import (
        CalendarEstimatedError,
        DateSpan,
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
    from kongchuo_rules.county import (
        Decision,
        DisabilityRecord,
        Duty,
        ElsewhereRecord,
        HouseholdRecord,
        Ledger,
        LedgerEntry,
        PresenceRecord,
        Rate,
        RegistryRecord,
        SurveyRecord,
        duties,
        enrollment_rate,
        reconcile,
        retention_rate,
        retention_rate_from_snapshots,
        townships_missing_targets,
    )
    from kongchuo_rules.errors import (
        ArgumentError,
        CaseError,
        KongchuoError,
        PolicyError,
        error_payload,
    )
    from kongchuo_rules.policy import (
        Policy,
        bundled_policy_path,
        default_policy,
        load_policy,
    )
    from kongchuo_rules.routing import (
        StandingDuty,
        agencies_for,
        responsibilities,
    )
    from kongchuo_rules.vocabulary import (
        ActionKind,
        Agency,
        Cause,
        EscalationLevel,
        LedgerCategory,
        MarkKind,
        PersuasionOutcome,
        PlacementMode,
        Role,
        Stage,
        Status,
        WhereaboutsFinding,
    )

# The public names and the module each lives in, imported on first use (PEP 562, as pydantic
# does): `import kongchuo_rules` costs milliseconds, and a process that uses only part of the
# library (the batch engine, the command line's help) does not build every model class.
_EXPORTS: dict[str, str] = {
    "Absence": ".case",
    "Action": ".assessment",
    "ActionKind": ".vocabulary",
    "ActionTaken": ".case",
    "AdministrativePenalty": ".case",
    "Agency": ".vocabulary",
    "ArgumentError": ".errors",
    "Assessment": ".assessment",
    "CalendarEstimatedError": ".calendar",
    "Case": ".case",
    "CaseError": ".errors",
    "Cause": ".vocabulary",
    "Citation": ".citations",
    "Completion": ".case",
    "CourtApplication": ".case",
    "DateSpan": ".calendar",
    "Decision": ".county",
    "Deferral": ".case",
    "DisabilityRecord": ".county",
    "Duty": ".county",
    "ElsewhereRecord": ".county",
    "EscalationLevel": ".vocabulary",
    "Event": ".case",
    "Finding": ".assessment",
    "FindingCode": ".assessment",
    "Guardian": ".case",
    "GuardianContact": ".case",
    "GuardianEducation": ".case",
    "GuardianOrder": ".case",
    "HomeVisit": ".case",
    "HouseholdRecord": ".county",
    "IndividualPlan": ".case",
    "KongchuoError": ".errors",
    "Ledger": ".county",
    "LedgerCategory": ".vocabulary",
    "LedgerEntry": ".county",
    "MarkKind": ".vocabulary",
    "OfficialHolidays": ".calendar",
    "PersuaderAssigned": ".case",
    "Persuasion": ".case",
    "PersuasionOutcome": ".vocabulary",
    "Placement": ".case",
    "PlacementMode": ".vocabulary",
    "Policy": ".policy",
    "PolicyError": ".errors",
    "PresenceRecord": ".county",
    "Rate": ".county",
    "RegistryMark": ".case",
    "RegistryRecord": ".county",
    "Report": ".case",
    "Role": ".vocabulary",
    "RuleTrace": ".assessment",
    "SchoolCalendar": ".calendar",
    "SchoolYearTerms": ".calendar",
    "Stage": ".vocabulary",
    "StandingDuty": ".routing",
    "Status": ".vocabulary",
    "Student": ".case",
    "SurveyRecord": ".county",
    "TransferOut": ".case",
    "Whereabouts": ".case",
    "WhereaboutsFinding": ".vocabulary",
    "agencies_for": ".routing",
    "assess": ".assess",
    "bundled_policy_path": ".policy",
    "default_policy": ".policy",
    "duties": ".county",
    "enrollment_rate": ".county",
    "error_payload": ".errors",
    "load_policy": ".policy",
    "reconcile": ".county",
    "responsibilities": ".routing",
    "retention_rate": ".county",
    "retention_rate_from_snapshots": ".county",
    "townships_missing_targets": ".county",
}

__all__ = [
    "Absence",
    "Action",
    "ActionKind",
    "ActionTaken",
    "AdministrativePenalty",
    "Agency",
    "ArgumentError",
    "Assessment",
    "CalendarEstimatedError",
    "Case",
    "CaseError",
    "Cause",
    "Citation",
    "Completion",
    "CourtApplication",
    "DateSpan",
    "Decision",
    "Deferral",
    "DisabilityRecord",
    "Duty",
    "ElsewhereRecord",
    "EscalationLevel",
    "Event",
    "Finding",
    "FindingCode",
    "Guardian",
    "GuardianContact",
    "GuardianEducation",
    "GuardianOrder",
    "HomeVisit",
    "HouseholdRecord",
    "IndividualPlan",
    "KongchuoError",
    "Ledger",
    "LedgerCategory",
    "LedgerEntry",
    "MarkKind",
    "OfficialHolidays",
    "PersuaderAssigned",
    "Persuasion",
    "PersuasionOutcome",
    "Placement",
    "PlacementMode",
    "Policy",
    "PolicyError",
    "PresenceRecord",
    "Rate",
    "RegistryMark",
    "RegistryRecord",
    "Report",
    "Role",
    "RuleTrace",
    "SchoolCalendar",
    "SchoolYearTerms",
    "Stage",
    "StandingDuty",
    "Status",
    "Student",
    "SurveyRecord",
    "TransferOut",
    "Whereabouts",
    "WhereaboutsFinding",
    "__version__",
    "agencies_for",
    "assess",
    "bundled_policy_path",
    "default_policy",
    "duties",
    "enrollment_rate",
    "error_payload",
    "load_policy",
    "reconcile",
    "responsibilities",
    "retention_rate",
    "retention_rate_from_snapshots",
    "townships_missing_targets",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)


class _Package(types.ModuleType):
    """The package keeps a public name that is also a submodule's (``assess``): the import
    system binds each submodule it loads on its package, which would replace the function.
    Other submodules (``batch``, ``simulate`` …) are bound as usual."""

    def __setattr__(self, name: str, value: object) -> None:
        if (
            name in _EXPORTS
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
