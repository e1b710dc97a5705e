"""The long differential run: ``assess_batch`` against ``assess`` child by child on a large
seeded population (every event type of the golden corpus's generator, several policies and
days), in worker processes. The CI test (``tests/test_batch.py``) does the same on a few
thousand children per run.

Run: ``python benchmarks/differential_batch.py --children 1000000 [--workers 2]``. Prints the
number of children compared and of differences (and the first few, by student id).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DAYS = [dt.date(2026, 10, 15), dt.date(2026, 12, 20), dt.date(2027, 4, 20), dt.date(2027, 7, 1)]
CHANGES: list[dict[str, Any]] = [
    {},
    {"absence.alert_unexcused_school_days": 5},
    {"absence.month_clock": "calendar", "persuasion.agreed_return_grace_school_days": 2},
    {
        "absence.alert_unexcused_school_days": [
            {"since": None, "value": 7},
            {"since": "2026-11-20", "value": 4},
        ],
        "returned.monitoring_days": 30,
    },
]


def _rows(a: Any) -> tuple[Any, ...]:
    level = a.escalation_level.value if a.escalation_level else None
    return (
        a.status.value, a.status_since, a.stage.value, level, a.school_year_age, a.priority,
        a.run_start, a.unexcused_days, a.alert_date, a.month_mark, a.dropout_since,
        a.return_date, [c.value for c in a.causes],
        [(x.id, x.kind.value, x.agency.value, x.trigger, x.due, x.done, x.overdue, x.done_by)
         for x in a.actions],
        [(f.id, f.code.value, f.on) for f in a.findings],
        [(e.run_start, e.run_end, e.alert_date, e.return_date, e.highest_stage.value)
         for e in a.episodes],
    )  # fmt: skip


def _batch_rows(result: Any) -> dict[str, tuple[Any, ...]]:
    import polars as pl

    def grouped(frame: pl.DataFrame, columns: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for row in frame.select(["student_id", *columns]).iter_rows():
            found.setdefault(row[0], []).append(tuple(row[1:]))
        return found

    actions = grouped(
        result.actions, ["id", "kind", "agency", "trigger", "due", "done", "overdue", "done_by"]
    )
    findings = grouped(result.findings, ["id", "code", "on"])
    episodes = grouped(
        result.episodes, ["run_start", "run_end", "alert_date", "return_date", "highest_stage"]
    )
    columns = [
        "status", "status_since", "stage", "escalation_level", "school_year_age", "priority",
        "run_start", "unexcused_days", "alert_date", "month_mark", "dropout_since",
        "return_date", "causes",
    ]  # fmt: skip
    found = {}
    for row in result.children.select(["student_id", *columns]).iter_rows():
        sid = row[0]
        found[sid] = (
            *row[1:],
            actions.get(sid, []),
            findings.get(sid, []),
            episodes.get(sid, []),
        )
    return found


def chunk(args: tuple[int, int, int]) -> tuple[int, list[str]]:
    """Compare ``size`` children of seed ``seed`` on one (policy, day); return the count and
    the ids of the children that differ."""
    seed, size, variant = args
    warnings.simplefilter("ignore")
    from tests.golden import make_corpus as gen

    from kongchuo_rules import Case, assess, default_policy
    from kongchuo_rules.batch import assess_batch, cases_to_tables

    r = random.Random(seed)
    cases = []
    for i in range(size):
        events = gen.episode(r) if r.random() < 0.5 else []
        events += [gen.other(r) for _ in range(r.choice([0, 1, 2, 4, 6]))]
        data = {"student": gen.student(r, i), "events": events}
        data["student"]["id"] = f"D{seed}-{i}"
        try:
            cases.append(Case.model_validate(data))
        except ValueError:
            continue
    policy = default_policy().with_changes(CHANGES[variant % len(CHANGES)])
    as_of = DAYS[variant % len(DAYS) if variant < len(DAYS) else r.randrange(len(DAYS))]
    result = assess_batch(*cases_to_tables(cases), as_of=as_of, policy=policy)
    got = _batch_rows(result)
    differ = [
        c.student.id
        for c in cases
        if got[c.student.id] != _rows(assess(c, as_of=as_of, policy=policy))
    ]
    return len(cases), differ


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(seed, args.chunk, seed) for seed in range(-(-args.children // args.chunk))]
    started = time.perf_counter()
    compared, differ = 0, []
    with ProcessPoolExecutor(args.workers) as pool:
        for n, bad in pool.map(chunk, jobs):
            compared += n
            differ += bad
            print(f"\r{compared:,} compared, {len(differ)} differ", end="", flush=True)
    print(f"\n{compared:,} children compared in {time.perf_counter() - started:.0f} s; "
          f"{len(differ)} differences {differ[:10]}")  # fmt: skip


if __name__ == "__main__":
    main()
