"""Benchmark: the compiled rules core per kind of child, one thread — children without events,
with short absences only, in an episode (persuasion, whereabouts, home visits), and the mix.

Run: ``python benchmarks/bench_kinds.py [--children 200000]`` (after ``pip install '.[batch]'``).
Not a test: nothing here asserts a speed. Figures go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from population import population

from kongchuo_rules import default_policy
from kongchuo_rules._internal.days import to_day
from kongchuo_rules._internal.tables import shared
from kongchuo_rules.batch import _driver, assess_batch
from kongchuo_rules.batch._frames import encode

AS_OF = dt.date(2026, 12, 20)
EPISODE_EVENTS = ["persuasion", "home_visit", "whereabouts"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    students, events = population(args.children, seed=1)
    assess_batch(students.head(100), events.head(0), as_of=AS_OF)  # the core, compiled
    policy = default_policy()
    sh = shared(policy, policy.calendar)
    per_child = events.group_by("student_id").agg(
        pl.col("type").is_in(EPISODE_EVENTS).any().alias("episode"),
        (pl.col("type") == "transfer_out").any().alias("transfer"),
    )
    kinds = students.join(per_child, left_on="id", right_on="student_id", how="left")
    groups = {
        "no events": kinds.filter(pl.col("episode").is_null()),
        "short absences": kinds.filter(~pl.col("episode") & ~pl.col("transfer")),
        "episode": kinds.filter(pl.col("episode").fill_null(False)),
        "mixed": kinds,
    }
    print(f"{'kind':>15} {'children':>9} {'ns/child':>9} {'children/s':>11}")
    for name, group in groups.items():
        chosen = group.select(students.columns).sort("id")
        enc = encode(chosen, events.filter(pl.col("student_id").is_in(chosen["id"])))
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            _driver.decide_all(enc, sh, to_day(AS_OF), threads=1)
            times.append(time.perf_counter() - started)
        ns = min(times) / len(chosen) * 1e9
        print(f"{name:>15} {len(chosen):>9,} {ns:>9.0f} {1e3 / ns:>9.2f} M")


if __name__ == "__main__":
    main()
