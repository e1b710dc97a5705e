"""Benchmark: the analyst's question at county scale — a synthetic county of 20,000 children,
a whole school year under two policies (the plan's 7-day trigger and a 5-day variant), 10
seeds each (PRODUCT.md §7.2; issue 10's target: under 10 s on the 2-core machine).

Run: ``python benchmarks/bench_simulate.py [--children N] [--seeds K] [--repeat R]`` (after
``pip install '.[sim]'``). The compiled rules core is loaded (or compiled, once per source
version) before the clock starts. Prints the time of each step and the best of R runs of
``simulate``; figures go into docs/performance.md and docs/simulation.md by hand. Not a test:
nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time

import numba
import polars as pl

from kongchuo_rules import __version__, default_policy
from kongchuo_rules.batch import assess_batch
from kongchuo_rules.simulate import simulate, synthetic_county


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"kongchuo-rules {__version__}, CPython {sys.version.split()[0]}, "
        f"numba {numba.__version__}, polars {pl.__version__}, {platform.machine()}"
    )

    started = time.perf_counter()
    county = synthetic_county(args.children, seed=1)
    county.events  # noqa: B018  (the natural absences of seed 0)
    print(f"synthetic_county({args.children:,}):            {time.perf_counter() - started:6.2f} s")

    started = time.perf_counter()
    assess_batch(county.students.head(10), county.events.head(0), as_of=dt.date(2026, 12, 1))
    print(f"rules core loaded (or compiled):        {time.perf_counter() - started:6.2f} s")

    base = default_policy()
    policies = {
        "7 days": base,
        "5 days": base.with_changes({"absence.alert_unexcused_school_days": 5}),
    }
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = simulate(county, policies, seeds=args.seeds, progress=False)
        times.append(time.perf_counter() - started)
    rounds = {name: run.rounds for name, run in result.runs.items()}
    calls = sum(run.calls for run in result.runs.values())
    print(
        f"simulate (2 policies x {args.seeds} seeds):       {min(times):6.2f} s best of "
        f"{args.repeat} ({', '.join(f'{t:.2f}' for t in times)}); rounds {rounds}, "
        f"{calls} batch assessments"
    )

    started = time.perf_counter()
    weekly, funnel, workload = result.weekly(), result.funnel(), result.workload()
    compare = result.compare(by=("township",))
    print(f"weekly, funnel, workload, compare:      {time.perf_counter() - started:6.2f} s")

    started = time.perf_counter()
    result.rates(seeds=result.seeds[:1])
    print(f"rates (ledger, 2 policies x 1 seed):    {time.perf_counter() - started:6.2f} s")

    episodes = result.episodes().group_by("policy").len().sort("policy")
    print("episodes per policy (all seeds):", dict(episodes.iter_rows()))
    print(
        "rows: weekly",
        weekly.height,
        "funnel",
        funnel.height,
        "workload",
        workload.height,
        "compare",
        compare.height,
    )


if __name__ == "__main__":
    main()
