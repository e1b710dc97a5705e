"""Rates against the plan's targets (plan 二: 确保义务教育入学率达到100%，义务教育巩固率达到100%;
六(二): 加大对乡（镇）适龄儿童少年入学率、巩固率指标的监控力度).

Enrolment rate (入学率) = enrolled school-age children / school-age children, over the ledger's
entries of school age. Which categories count is fixed here and tuned by the ``rates.*``
parameters (see docs/ledger.md):

- numerator: in school, in school without registration (县域内就读无学籍), studying elsewhere,
  and suspected dropouts (``rates.suspected_dropout_enrolled``);
- denominator: the numerator's categories plus dropout, out of school and to verify (a child not
  found is not assumed to be at school); exempt and deferred children are left out of both
  unless ``rates.exclude_exempt`` / ``rates.exclude_deferred`` are false (then they count as not
  enrolled); registered children whose household is elsewhere count only with
  ``rates.count_non_local``; household-record issues and children not of school age never count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

from pydantic import Field

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._privacy import normalise_national_id
from kongchuo_rules.county.ledger import Ledger, LedgerEntry
from kongchuo_rules.county.records import RegistryRecord, RegistryStatus
from kongchuo_rules.policy import Policy, RatesParams, default_policy
from kongchuo_rules.vocabulary import LedgerCategory

__all__ = [
    "Rate",
    "enrollment_rate",
    "retention_rate",
    "retention_rate_from_snapshots",
    "townships_missing_targets",
]

C = LedgerCategory
By = Literal["county", "township"]


class Rate(FrozenModel):
    """A rate: ``numerator / denominator`` (1.0 when nobody is counted), in [0, 1]."""

    value: float = Field(ge=0, le=1)
    numerator: int = Field(ge=0)
    denominator: int = Field(ge=0)

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Rate:
        """The rate ``numerator / denominator``; an empty denominator gives 1.0.

        >>> Rate.of(3, 4).value
        0.75
        """
        if numerator > denominator:
            raise ValueError("a rate's numerator cannot exceed its denominator")
        return cls(
            value=numerator / denominator if denominator else 1.0,
            numerator=numerator,
            denominator=denominator,
        )


def _counted(entry: LedgerEntry, p: RatesParams) -> tuple[bool, bool]:
    """(in the denominator, in the numerator) for one entry."""
    if not entry.school_age:
        return False, False
    category = entry.category
    enrolled = {C.IN_SCHOOL, C.UNREGISTERED_IN_COUNTY, C.STUDYING_ELSEWHERE}
    if p.suspected_dropout_enrolled:
        enrolled.add(C.SUSPECTED_DROPOUT)
    not_enrolled = {C.DROPOUT, C.OUT_OF_SCHOOL, C.TO_VERIFY}
    if not p.suspected_dropout_enrolled:
        not_enrolled.add(C.SUSPECTED_DROPOUT)
    if not p.exclude_exempt:
        not_enrolled.add(C.EXEMPT)
    if not p.exclude_deferred:
        not_enrolled.add(C.DEFERRED)
    if p.count_non_local:
        enrolled.add(C.NON_LOCAL_IN_SCHOOL)
    return category in enrolled | not_enrolled, category in enrolled


@overload
def enrollment_rate(
    ledger: Ledger, by: Literal["county"] = ..., policy: Policy | None = ...
) -> Rate: ...
@overload
def enrollment_rate(
    ledger: Ledger, by: Literal["township"], policy: Policy | None = ...
) -> dict[str, Rate]: ...
def enrollment_rate(
    ledger: Ledger, by: By = "county", policy: Policy | None = None
) -> Rate | dict[str, Rate]:
    """The enrolment rate (入学率) of the county, or of each township (``by="township"``)."""
    params = (policy or default_policy()).at(ledger.as_of).rates
    tallies: dict[str, list[int]] = {}
    for entry in ledger.entries:
        counted, enrolled = _counted(entry, params)
        if counted:
            key = "county" if by == "county" else entry.township or "(unknown)"
            tally = tallies.setdefault(key, [0, 0])
            tally[0] += enrolled
            tally[1] += 1
    if by == "county":
        numerator, denominator = tallies.get("county", [0, 0])
        return Rate.of(numerator, denominator)
    return {k: Rate.of(n, d) for k, (n, d) in sorted(tallies.items())}


def retention_rate(
    *,
    graduates: int,
    grade1_enrolment: int,
    transfers_in: int = 0,
    transfers_out: int = 0,
    deaths: int = 0,
    policy: Policy | None = None,
    as_of: dt.date | None = None,
) -> Rate:
    """九年义务教育巩固率 from cohort counts: graduates of grade 9 / the same cohort's grade-1
    enrolment, adjusted for transfers and deaths as the ``rates.retention_adjust_*``
    parameters (in force on ``as_of``, else the latest) say.

    >>> rate = retention_rate(graduates=95, grade1_enrolment=100, transfers_out=3, deaths=1)
    >>> rate.numerator, rate.denominator, round(rate.value, 4)
    (95, 96, 0.9896)
    """
    policy = policy or default_policy()
    params = (policy.at(as_of) if as_of else policy.latest()).rates
    base = grade1_enrolment
    if params.retention_adjust_transfers:
        base += transfers_in - transfers_out
    if params.retention_adjust_deaths:
        base -= deaths
    return Rate.of(min(graduates, max(base, 0)), max(base, 0))


def retention_rate_from_snapshots(
    first: Iterable[RegistryRecord | Mapping[str, Any]],
    last: Iterable[RegistryRecord | Mapping[str, Any]],
    *,
    deceased: Iterable[str] = (),
    by: By = "county",
    policy: Policy | None = None,
) -> Rate | dict[str, Rate]:
    """巩固率 from two registry snapshots matched by national id: ``first`` holds the cohort in
    grade 1, ``last`` the same cohort nine years on. Retained: enrolled in the final grade
    (``age.compulsory_years``: 9) in ``last``.
    Transfers out: ``transferred_out`` in ``last``; transfers in: in ``last`` in grade 9 but not
    in ``first``. By township, each child counts where the ``last`` (else ``first``) record says.
    """

    def coerce(items: Iterable[Any]) -> dict[str, RegistryRecord]:
        out: dict[str, RegistryRecord] = {}
        for item in items:
            record = (
                item if isinstance(item, RegistryRecord) else RegistryRecord.model_validate(item)
            )
            out[record.national_id] = record
        return out

    final_grade = (policy or default_policy()).latest().age.compulsory_years
    cohort = {k: r for k, r in coerce(first).items() if r.grade == 1}
    later = coerce(last)
    dead = {normalise_national_id(d) for d in deceased}
    groups: dict[str, dict[str, int]] = {}

    def bump(key: str, field: str) -> None:
        groups.setdefault(key, {"n": 0, "g1": 0, "in": 0, "out": 0, "dead": 0})[field] += 1

    def where(nid: str) -> str:
        if by == "county":
            return "county"
        record = later.get(nid) or cohort.get(nid)
        return record.township if record and record.township else "(unknown)"

    for nid in cohort:
        bump(where(nid), "g1")
        record = later.get(nid)
        if nid in dead:
            bump(where(nid), "dead")
        elif record and record.status is RegistryStatus.TRANSFERRED_OUT:
            bump(where(nid), "out")
        elif record and record.grade == final_grade and record.status is RegistryStatus.ENROLLED:
            bump(where(nid), "n")
    for nid, record in later.items():
        if (
            nid not in cohort
            and record.grade == final_grade
            and record.status is RegistryStatus.ENROLLED
        ):
            bump(where(nid), "in")
            bump(where(nid), "n")
    rates = {
        key: retention_rate(
            graduates=g["n"],
            grade1_enrolment=g["g1"],
            transfers_in=g["in"],
            transfers_out=g["out"],
            deaths=g["dead"],
            policy=policy,
        )
        for key, g in sorted(groups.items())
    }
    if by == "county":
        return rates.get("county", Rate.of(0, 0))
    return rates


def townships_missing_targets(ledger: Ledger, policy: Policy | None = None) -> dict[str, Rate]:
    """The townships whose enrolment rate misses the plan's target (plan 六(二))."""
    policy = policy or default_policy()
    target = policy.at(ledger.as_of).rates.enrollment_target
    return {
        k: r for k, r in enrollment_rate(ledger, "township", policy).items() if r.value < target
    }
