"""The county's rosters (PRODUCT.md §6.1), one frozen record model each.

Each is matched by the 18-character national id. ``name`` fields are personal data: kept for
the county's own export when asked for, never logged, never in a finding.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.case import NationalId, NonEmptyStr

__all__ = [
    "Decision",
    "DecisionKind",
    "DisabilityRecord",
    "ElsewhereRecord",
    "HouseholdRecord",
    "PresenceRecord",
    "RegistryRecord",
    "RegistryStatus",
    "SurveyFinding",
    "SurveyRecord",
]


class RegistryStatus(StrEnum):
    """A student's status in the registry (学籍状态)."""

    ENROLLED = "enrolled"
    SUSPECTED_DROPOUT = "suspected_dropout"
    DROPOUT = "dropout"
    SUSPENDED = "suspended"
    TRANSFERRED_OUT = "transferred_out"


class DecisionKind(StrEnum):
    """An approved decision about a child: exemption (免予入学) or deferral (缓学)."""

    EXEMPT = "exempt"
    DEFERRED = "deferred"


class SurveyFinding(StrEnum):
    """What a township household survey (入户调查) found."""

    NOT_IN_SCHOOL = "not_in_school"
    STUDYING_ELSEWHERE = "studying_elsewhere"
    MOVED_OUT = "moved_out"
    DECEASED = "deceased"
    NOT_FOUND = "not_found"


class HouseholdRecord(FrozenModel):
    """户籍: a child with a household record in the county (from the police each August)."""

    national_id: NationalId
    birth_date: dt.date
    township: NonEmptyStr
    name: str | None = Field(default=None, repr=False, max_length=100)


class RegistryRecord(FrozenModel):
    """学籍: a registration at a school of the county."""

    national_id: NationalId
    student_id: NonEmptyStr
    school_id: NonEmptyStr
    grade: int = Field(ge=1, le=9)
    status: RegistryStatus = RegistryStatus.ENROLLED
    township: NonEmptyStr | None = None


class PresenceRecord(FrozenModel):
    """A child counted at school (school headcount), with or without a registration."""

    national_id: NationalId
    school_id: NonEmptyStr


class DisabilityRecord(FrozenModel):
    """残联: a disabled child on the federation's list."""

    national_id: NationalId
    birth_date: dt.date
    certified: bool = True


class Decision(FrozenModel):
    """An approved exemption or deferral; a deferral ``until`` a day ends on it."""

    national_id: NationalId
    kind: DecisionKind
    until: dt.date | None = None


class ElsewhereRecord(FrozenModel):
    """Verified schooling outside the county."""

    national_id: NationalId
    place: NonEmptyStr


class SurveyRecord(FrozenModel):
    """A township household-survey result."""

    national_id: NationalId
    finding: SurveyFinding
