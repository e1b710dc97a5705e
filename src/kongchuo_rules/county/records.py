"""The county's rosters (PRODUCT.md §6.1), one frozen record model each.

Each is matched by the 18-character national id (full-width digits normalised to ASCII, as in a
case). Dates are ``YYYY-MM-DD`` within the case range (1900-01-01..2199-12-31). ``name`` fields
are personal data: kept for the county's own export when asked for, never logged, never in a
finding; ``place`` is free text and kept out of ``repr``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.case import CaseDate, NationalId, NonEmptyStr

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

    national_id: NationalId = Field(repr=False)
    birth_date: CaseDate
    township: NonEmptyStr
    name: str | None = Field(default=None, repr=False, max_length=100)


class RegistryRecord(FrozenModel):
    """学籍: a registration at a school of the county."""

    national_id: NationalId = Field(repr=False)
    student_id: NonEmptyStr = Field(repr=False)
    school_id: NonEmptyStr
    grade: int = Field(ge=1, le=9)
    status: RegistryStatus = RegistryStatus.ENROLLED
    township: NonEmptyStr | None = None


class PresenceRecord(FrozenModel):
    """A child counted at school (school headcount), with or without a registration."""

    national_id: NationalId = Field(repr=False)
    school_id: NonEmptyStr


class DisabilityRecord(FrozenModel):
    """残联: a disabled child on the federation's list."""

    national_id: NationalId = Field(repr=False)
    birth_date: CaseDate
    certified: bool = True


class Decision(FrozenModel):
    """An approved exemption or deferral; a deferral ``until`` a day ends on it."""

    national_id: NationalId = Field(repr=False)
    kind: DecisionKind
    until: CaseDate | None = None


class ElsewhereRecord(FrozenModel):
    """Verified schooling outside the county."""

    national_id: NationalId = Field(repr=False)
    place: NonEmptyStr = Field(repr=False)


class SurveyRecord(FrozenModel):
    """A township household-survey result."""

    national_id: NationalId = Field(repr=False)
    finding: SurveyFinding
