"""The ledger of a simulated year, through :func:`~kongchuo_rules.reconcile` as it is.

Reconciling a county of 20,000 children takes a couple of seconds, and a simulation has many
years (policies × seeds) that differ only in a few hundred children. So the county is
reconciled once per day and policy with no absence at all (the *base*), and each simulated
year reconciles again only the children whose registry record or presence differs from the
base; their entries replace the base's. Reconciliation is per child — apart from which
schools supplied a presence roster, which the partial reconciliation is given by one
placeholder record per school, dropped afterwards — so the result is the ledger that
reconciling the whole county would give (a test checks it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache
from typing import Any

import polars as pl

from kongchuo_rules.case import ID_CHECK, ID_WEIGHTS
from kongchuo_rules.county import Ledger, reconcile
from kongchuo_rules.county.records import (
    Decision,
    DisabilityRecord,
    ElsewhereRecord,
    HouseholdRecord,
    PresenceRecord,
    RegistryRecord,
    SurveyRecord,
)
from kongchuo_rules.policy import Policy
from kongchuo_rules.simulate._population import Population
from kongchuo_rules.vocabulary import LedgerCategory

__all__ = ["registry_on", "simulated_ledger"]

_MODELS = {
    "household": HouseholdRecord,
    "registry": RegistryRecord,
    "disabled": DisabilityRecord,
    "decisions": Decision,
    "elsewhere": ElsewhereRecord,
    "surveys": SurveyRecord,
    "presence": PresenceRecord,
}


def _placeholder_id() -> str:
    """A valid national id nobody in a synthetic county has (born 1900-01-01)."""
    body = "99000019000101999"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


PLACEHOLDER = _placeholder_id()


def registry_on(population: Population, events: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The registry roster on ``day``: each registered child's status from the latest
    registry mark set by then (辍学 / 疑似辍学; a cleared mark: enrolled) and transfers out."""
    marks = (
        events.filter((pl.col("type") == "registry_mark") & (pl.col("date") <= day))
        .sort("date")
        .group_by("student_id")
        .agg(pl.col("mark").last())
    )
    gone = (
        events.filter((pl.col("type") == "transfer_out") & (pl.col("date") <= day))
        .select("student_id")
        .unique()
        .with_columns(_gone=pl.lit(True))
    )
    return (
        population.registry.join(marks, on="student_id", how="left")
        .join(gone, on="student_id", how="left")
        .with_columns(
            status=pl.when(pl.col("_gone"))
            .then(pl.lit("transferred_out"))
            .when(pl.col("mark").is_in(["dropout", "suspected_dropout"]))
            .then(pl.col("mark"))
            .otherwise(pl.col("status"))
        )
        .drop("mark", "_gone")
    )


def _records(frame: pl.DataFrame, model: Any) -> list[Any]:
    return [
        model.model_validate({k: v for k, v in row.items() if v is not None})
        for row in frame.iter_rows(named=True)
    ]


@lru_cache(maxsize=8)
def _base(
    population: Population, policy: Policy, as_of: dt.date
) -> tuple[Ledger, dict[str, list[Any]]]:
    rosters = {
        "household": population.household,
        "registry": population.registry,
        "disabled": population.disabled,
        "decisions": population.decisions,
        "elsewhere": population.elsewhere,
        "surveys": population.surveys,
        "presence": population.presence(as_of, population.static_events),
    }
    records = {name: _records(frame, _MODELS[name]) for name, frame in rosters.items()}
    return _reconcile(as_of, policy, records), records


def _reconcile(as_of: dt.date, policy: Policy, r: dict[str, list[Any]]) -> Ledger:
    return reconcile(
        as_of=as_of,
        policy=policy,
        household=r["household"],
        registry=r["registry"],
        presence=r["presence"],
        disabled=r["disabled"],
        decisions=r["decisions"],
        elsewhere=r["elsewhere"],
        surveys=r["surveys"],
    )


def simulated_ledger(
    population: Population, events: pl.DataFrame, policy: Policy, as_of: dt.date | None = None
) -> Ledger:
    """The ledger of a simulated year (``events``) on ``as_of`` (default: the last school
    day of the year)."""
    as_of = as_of or population.last_school_day
    base, records = _base(population, policy, as_of)
    registry = registry_on(population, events, as_of)
    presence = population.presence(as_of, events)
    base_presence = {r.national_id for r in records["presence"]}
    now_present = set(presence.get_column("national_id").to_list())
    changed_registry = registry.join(
        population.registry.select("student_id", pl.col("status").alias("_was")), on="student_id"
    ).filter(pl.col("status") != pl.col("_was"))
    changed = set(changed_registry.get_column("national_id").to_list()) | (
        base_presence ^ now_present
    )
    if not changed:
        return base
    pick = pl.col("national_id").is_in(pl.Series(sorted(changed)).implode())
    part = {
        name: [r for r in rs if r.national_id in changed]
        for name, rs in records.items()
        if name not in ("registry", "presence")
    }
    part["registry"] = _records(registry.filter(pick), RegistryRecord)
    part["presence"] = _records(presence.filter(pick), PresenceRecord)
    supplied = {r.school_id for r in records["presence"]}
    part["presence"] += [
        PresenceRecord(national_id=PLACEHOLDER, school_id=school)
        for school in sorted({r.school_id for r in part["registry"]} & supplied)
    ]
    small = _reconcile(as_of, policy, part)
    entries = [e for e in base.entries if e.national_id not in changed] + [
        e for e in small.entries if e.national_id != PLACEHOLDER
    ]
    entries.sort(key=lambda e: e.national_id)
    findings = [f for f in base.findings if f.national_id not in changed] + [
        f for f in small.findings if f.national_id != PLACEHOLDER
    ]

    def count(key: Any) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for e in entries:
            table.setdefault(key(e), Counter())[e.category.value] += 1
        return {k: {c.value: table[k][c.value] for c in LedgerCategory} for k in sorted(table)}

    return Ledger.model_construct(
        as_of=as_of,
        policy_version=base.policy_version,
        entries=tuple(entries),
        totals={c.value: sum(1 for e in entries if e.category is c) for c in LedgerCategory},
        by_township=count(lambda e: e.township or "(unknown)"),
        by_school=count(lambda e: e.school_id or "(none)"),
        findings=tuple(findings),
    )
