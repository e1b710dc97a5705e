"""County level (PRODUCT.md §6): the reconciliation ledger (台账), rates against the plan's
targets, and the calendar of institutional duties."""

from kongchuo_rules.county._csv import RosterError, read_records
from kongchuo_rules.county.duties import Duty, duties
from kongchuo_rules.county.ledger import FollowUp, Ledger, LedgerEntry, reconcile
from kongchuo_rules.county.rates import (
    Rate,
    enrollment_rate,
    retention_rate,
    retention_rate_from_snapshots,
    townships_missing_targets,
)
from kongchuo_rules.county.records import (
    Decision,
    DisabilityRecord,
    ElsewhereRecord,
    HouseholdRecord,
    PresenceRecord,
    RegistryRecord,
    SurveyRecord,
)

__all__ = [
    "Decision",
    "DisabilityRecord",
    "Duty",
    "ElsewhereRecord",
    "FollowUp",
    "HouseholdRecord",
    "Ledger",
    "LedgerEntry",
    "PresenceRecord",
    "Rate",
    "RegistryRecord",
    "RosterError",
    "SurveyRecord",
    "duties",
    "enrollment_rate",
    "read_records",
    "reconcile",
    "retention_rate",
    "retention_rate_from_snapshots",
    "townships_missing_targets",
]
