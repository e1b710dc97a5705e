"""The batch engine (PRODUCT.md §7.1): a whole county or province from tables, with results
identical to :func:`~kongchuo_rules.assess` for every child — the same rules core, compiled
with numba over columns (``pip install 'kongchuo-rules[batch]'``).

>>> import datetime as dt, polars as pl
>>> students = pl.DataFrame({"id": ["S-1", "S-2"], "registered": [True, True],
...                          "birth_date": [dt.date(2015, 5, 3), dt.date(2016, 1, 9)]})
>>> events = pl.DataFrame({"student_id": ["S-1"], "type": ["absence"],
...                        "start": [dt.date(2026, 11, 2)], "excused": [False]})
>>> result = assess_batch(students, events, as_of=dt.date(2026, 11, 12))
>>> result.children.select("student_id", "status", "alert_date").rows()
[('S-1', 'suspected_dropout', datetime.date(2026, 11, 10)), ('S-2', 'attending', None)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import to_day
from kongchuo_rules._internal.tables import Shared, shared
from kongchuo_rules.assess import resolve
from kongchuo_rules.batch import _driver
from kongchuo_rules.batch._frames import (
    DTYPES,
    ENUMS,
    EVENT_COLUMNS,
    HOUSEHOLD,
    STUDENT_COLUMNS,
    BatchInputError,
    Encoded,
    _dates,
    _enum,
    causes_column,
    encode,
    to_polars,
)
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import MAX_DATE, MIN_DATE, Case
from kongchuo_rules.policy import Policy
from kongchuo_rules.vocabulary import ActionKind, Agency, Cause, EscalationLevel, FindingCode, Role

__all__ = [
    "EVENT_COLUMNS",
    "STUDENT_COLUMNS",
    "BatchInputError",
    "BatchResult",
    "DaskResult",
    "assess_batch",
    "assess_dask",
    "cases_to_tables",
    "partition_by_student",
    "tables_to_cases",
    "warm_kernel",
    "warm_workers",
]


@dataclass(frozen=True)
class BatchResult:
    """The four tables of PRODUCT.md §7.1, as polars DataFrames (enum columns hold the
    snake_case values)."""

    children: pl.DataFrame
    """One row per child: the figures of its assessment."""
    actions: pl.DataFrame
    """One row per required action of every child."""
    findings: pl.DataFrame
    """One row per finding of every child."""
    episodes: pl.DataFrame
    """One row per run of absence that fired the 7-day rule, closed or open."""
    as_of: dt.date
    policy_version: str
    compiled: bool = field(default=False, compare=False)
    """Whether the rules core ran compiled (numba) or interpreted."""
    seconds: float = field(default=0.0, compare=False)
    """Time spent deciding (excluding reading the input and building the tables)."""


def assess_batch(
    students: Any,
    events: Any,
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Assess every child of ``students`` (one row each) with their ``events`` (one long
    table) on ``as_of``: the same answers as :func:`~kongchuo_rules.assess` child by child.

    ``students`` and ``events`` are polars or pandas DataFrames or pyarrow Tables with the
    columns of :data:`STUDENT_COLUMNS` and :data:`EVENT_COLUMNS`. Bad input raises
    :class:`BatchInputError` (a ``ValueError``) naming the table, column and row.
    ``progress(n)`` is called as chunks of ``n`` children are decided.
    """
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise BatchInputError("as_of: expected a date")
    if not MIN_DATE <= as_of <= MAX_DATE:
        raise BatchInputError(f"as_of: date outside the supported range {MIN_DATE}..{MAX_DATE}")
    policy, calendar = resolve(policy, calendar)
    events_table = to_polars(events, "events")
    enc = encode(to_polars(students, "students"), events_table)
    sh = shared(policy, calendar)
    decided = _driver.decide_all(enc, sh, to_day(as_of), progress=progress)
    refs = (
        events_table.get_column("ref").cast(pl.String)
        if "ref" in events_table.columns
        else pl.Series("ref", [None] * events_table.height, dtype=pl.String)
    )
    return BatchResult(
        children=_children(enc, decided.decisions),
        actions=_actions(enc, decided.actions, decided.decisions, sh, refs),
        findings=_findings(enc, decided.findings),
        episodes=_episodes(enc, decided.episodes),
        as_of=as_of,
        policy_version=calendar.version,
        compiled=decided.compiled,
        seconds=decided.seconds,
    )


def _children(enc: Encoded, d: np.ndarray[Any, Any]) -> pl.DataFrame:
    # the columns of assess.Decision
    status, since, stage, level, age, run_start, unexcused = (d[:, i] for i in range(7))
    alert, mark, back, dropout, causes, priority = (d[:, i] for i in range(7, 13))
    return pl.DataFrame(
        {
            "student_id": enc.ids,
            "status": _enum(status, ENUMS["status"]),
            "status_since": _dates(since),
            "stage": _enum(stage, ENUMS["stage"]),
            "escalation_level": _enum(level, EscalationLevel),
            "school_year_age": pl.Series(age, dtype=pl.Int64),
            "priority": pl.Series(priority == 1),
            "run_start": _dates(run_start),
            "unexcused_days": pl.Series(unexcused, dtype=pl.Int64),
            "alert_date": _dates(alert),
            "month_mark": _dates(mark),
            "dropout_since": _dates(dropout),
            "return_date": _dates(back),
            "causes": causes_column(causes),
        }
    )


def _actions(
    enc: Encoded,
    a: np.ndarray[Any, Any],
    d: np.ndarray[Any, Any],
    sh: Shared,
    refs: pl.Series,
) -> pl.DataFrame:
    specs = sh.specs
    kind = np.array([codes.code(s.kind) for s in specs], dtype=np.int64)
    agency = np.array([codes.code(s.agency) for s in specs], dtype=np.int64)
    holder = np.array([codes.code(s.holder) for s in specs], dtype=np.int64)
    level = np.array([codes.code(s.level) for s in specs], dtype=np.int64)
    spec = a[:, 0]
    child = a[:, 7]
    student = enc.ids.gather(child)
    # the completing event: its position among the child's events -> its row in the input
    done_by = a[:, 3]
    row = np.where(done_by >= 0, enc.offsets[child] + done_by, 0)
    position = enc.event_position[row] if len(enc.event_position) else row
    ref = refs.gather(position) if len(refs) else pl.Series([None] * len(a), dtype=pl.String)
    ref = pl.select(pl.when(pl.Series(done_by >= 0)).then(ref)).to_series()
    frame = pl.DataFrame(
        {
            "student_id": student,
            "kind": _enum(kind[spec], ActionKind),
            "agency": _enum(agency[spec], Agency),
            "holder": _enum(holder[spec], Role),
            "level": _enum(level[spec], EscalationLevel),
            "cause": _enum(a[:, 5], Cause),
            "trigger": _dates(a[:, 1]),
            "due": _dates(a[:, 2]),
            "done": pl.Series(a[:, 6] == 1),
            "overdue": pl.Series(a[:, 4] == 1),
            "done_by": ref,
            "_episode": _dates(d[child, 15]),
        }
    )
    ident = pl.concat_str(
        [
            pl.col("student_id"),
            pl.lit("/"),
            pl.col("kind").cast(pl.String),
            pl.lit("/"),
            pl.col("agency").cast(pl.String),
            pl.when(pl.col("level").is_not_null())
            .then(pl.lit("/") + pl.col("level").cast(pl.String))
            .otherwise(pl.lit("")),
            pl.when(pl.col("_episode").is_not_null())
            .then(pl.lit("@") + pl.col("_episode").dt.to_string("%Y-%m-%d"))
            .otherwise(pl.lit("")),
        ]
    )
    return frame.select(
        pl.col("student_id"), ident.alias("id"), pl.exclude("student_id", "_episode")
    )


def _findings(enc: Encoded, f: np.ndarray[Any, Any]) -> pl.DataFrame:
    code = f[:, 0]
    a = f[:, 2]
    kinds = [k.value for k in ActionKind]
    detail = np.full(len(f), "", dtype=object)
    late = code == codes.FC_LATE_REPORT
    detail[late] = ["/" + kinds[k] for k in a[late]]
    year = code == codes.FC_CALENDAR_ESTIMATED
    detail[year] = ["/" + str(y) for y in a[year]]
    incomplete = code == codes.FC_INCOMPLETE_EVENT
    detail[incomplete] = ["/" + codes.EVENT_TYPES[k] for k in a[incomplete]]
    frame = pl.DataFrame(
        {
            "student_id": enc.ids.gather(f[:, 4]),
            "code": _enum(code, FindingCode),
            "on": _dates(f[:, 1]),
            "_detail": pl.Series(detail.tolist(), dtype=pl.String),
        }
    )
    ident = pl.concat_str(
        [
            pl.col("student_id"),
            pl.lit("/"),
            pl.col("code").cast(pl.String),
            pl.when(pl.col("on").is_not_null())
            .then(pl.lit("@") + pl.col("on").dt.to_string("%Y-%m-%d"))
            .otherwise(pl.lit("")),
            pl.col("_detail"),
        ]
    )
    return frame.select(pl.col("student_id"), ident.alias("id"), pl.col("code"), pl.col("on"))


def _episodes(enc: Encoded, e: np.ndarray[Any, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "student_id": enc.ids.gather(e[:, 9]),
            "run_start": _dates(e[:, 0]),
            "run_end": _dates(e[:, 1]),
            "alert_date": _dates(e[:, 2]),
            "month_mark": _dates(e[:, 3]),
            "persuasion_start": _dates(e[:, 4]),
            "dropout_since": _dates(e[:, 5]),
            "return_date": _dates(e[:, 6]),
            "highest_stage": _enum(e[:, 7], ENUMS["stage"]),
            "highest_level": _enum(e[:, 8], EscalationLevel),
        }
    )


# -- cases and tables -----------------------------------------------------------------------------


def cases_to_tables(cases: Iterable[Case | Mapping[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The students and events tables of ``cases`` (case JSON dicts or :class:`Case`)."""
    students: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for item in cases:
        case = item if isinstance(item, Case) else Case.model_validate(item)
        s = case.student
        row: dict[str, Any] = {
            "id": s.id,
            "birth_date": s.birth_date,
            "registered": s.registered,
            "name": s.name,
            "national_id": s.national_id,
            "township": s.township,
            "school_id": s.school_id,
            "grade": s.grade,
        }
        for h in HOUSEHOLD:
            row[f"household_{h}"] = getattr(s.household, h)
        for flag in STUDENT_COLUMNS:
            if flag.startswith("flag_"):
                row[flag] = flag.removeprefix("flag_") in s.flags
        row["disability_certified"] = s.disability.certified if s.disability else None
        row["disability_category"] = s.disability.category if s.disability else None
        row["attendance_through"] = s.attendance_through
        students.append(row)
        for e in case.events:
            data = e.model_dump(mode="python")
            data = {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}
            if "causes" in data:
                data["causes"] = [c.value if hasattr(c, "value") else c for c in data["causes"]]
            events.append({"student_id": s.id, **data})
    schema = {c: DTYPES[kind] for c, (kind, _) in STUDENT_COLUMNS.items()}
    event_schema = {c: DTYPES[kind] for c, (kind, _, _) in EVENT_COLUMNS.items()}
    return (
        pl.DataFrame(students, schema=schema),
        pl.DataFrame([{c: e.get(c) for c in EVENT_COLUMNS} for e in events], schema=event_schema),
    )


def tables_to_cases(students: Any, events: Any) -> list[Case]:
    """The cases of a students and an events table (in the order of ``students``)."""
    s = to_polars(students, "students")
    e = to_polars(events, "events")
    by_child: dict[str, list[dict[str, Any]]] = {}
    for row in e.iter_rows(named=True):
        event = {k: v for k, v in row.items() if k != "student_id" and v is not None}
        if event.get("causes") == []:
            del event["causes"]
        by_child.setdefault(str(row["student_id"]).strip(), []).append(event)
    cases = []
    for row in s.iter_rows(named=True):
        student: dict[str, Any] = {
            k: v for k, v in row.items() if k in STUDENT_COLUMNS and v is not None
        }
        household = {
            h: student.pop(f"household_{h}") for h in HOUSEHOLD if f"household_{h}" in student
        }
        flags = [
            name.removeprefix("flag_")
            for name in list(student)
            if name.startswith("flag_") and student.pop(name)
        ]
        certified = student.pop("disability_certified", None)
        category = student.pop("disability_category", None)
        if household:
            student["household"] = household
        if flags:
            student["flags"] = flags
        if certified is not None or category is not None:
            student["disability"] = {"certified": bool(certified), "category": category}
        sid = str(student["id"]).strip()
        cases.append(Case.model_validate({"student": student, "events": by_child.get(sid, [])}))
    return cases


# the batch engine on Dask (the dask extra; dask itself is imported only when it is used)
from kongchuo_rules.batch._dask import (  # noqa: E402  (it builds on the functions above)
    DaskResult,
    assess_dask,
    partition_by_student,
    warm_kernel,
    warm_workers,
)
