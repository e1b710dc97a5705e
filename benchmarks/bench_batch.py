"""Benchmark: the batch engine against the loop of ``assess`` and ``Case.model_validate``,
measured in the same run on the same population (``benchmarks/population.py``).

Run: ``python benchmarks/bench_batch.py [--sizes 10000,100000,1000000,3000000]`` (after
``pip install '.[batch]'``). Prints, per size: the compiled core alone on one thread
(children per second per core, actions and findings included), the end-to-end call on every
core (tables in, four tables out), and for comparison the per-child cost of ``assess`` and of
``Case.model_validate`` on a sample of the same children; then the Jidong-sized end-to-end run
from Parquet files, and the peak memory of the largest run (measured in a child process). Not a
test: nothing here asserts a speed. Figures go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from population import population

from kongchuo_rules import Case, __version__, assess, default_policy
from kongchuo_rules._internal.days import to_day
from kongchuo_rules._internal.tables import shared
from kongchuo_rules.batch import (
    _driver,
    assess_batch,
    tables_to_cases,
)
from kongchuo_rules.batch._frames import encode

AS_OF = dt.date(2026, 12, 20)


def best(function, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def core_rate(students: pl.DataFrame, events: pl.DataFrame) -> tuple[float, int, int]:
    """Children per second of the compiled core on one thread (encoding excluded)."""
    enc = encode(students, events)
    policy = default_policy()
    sh = shared(policy, policy.calendar)
    found: list[_driver.Decided] = []

    def run() -> None:
        # keep only the last result, as a real run does: results kept alive across repeats
        # make every repeat write to memory the virtual machine has never touched, and on this
        # machine a first touch costs as much as deciding the child (docs/performance.md)
        found[:] = [_driver.decide_all(enc, sh, to_day(AS_OF), threads=1)]

    seconds = best(run)
    last = found[-1]
    return len(students) / seconds, len(last.actions), len(last.findings)


def per_child_assess(students: pl.DataFrame, events: pl.DataFrame, n: int) -> tuple[float, float]:
    """Seconds per child of assess (on Case objects) and of Case.model_validate (on dicts)."""
    sample = students.head(n)
    cases = tables_to_cases(sample, events.filter(pl.col("student_id").is_in(sample["id"])))
    dicts = [json.loads(c.model_dump_json()) for c in cases]
    t_assess = best(lambda: [assess(c, as_of=AS_OF) for c in cases]) / len(cases)
    t_validate = best(lambda: [Case.model_validate(d) for d in dicts]) / len(cases)
    return t_assess, t_validate


def peak_memory(n: int) -> tuple[float, float]:
    """Seconds and peak resident memory (GiB) of an end-to-end run of ``n`` children, in a
    fresh process."""
    code = f"""
import sys, time, datetime as dt, resource
sys.path.insert(0, {str(Path(__file__).parent)!r})
from population import population
from kongchuo_rules.batch import assess_batch
s, e = population({n})
assess_batch(s.head(1000), e.head(0), as_of=dt.date(2026, 12, 20))  # compiled core loaded
started = time.perf_counter()
r = assess_batch(s, e, as_of=dt.date(2026, 12, 20))
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, kib = out.stdout.split()
    return float(seconds), int(kib) / 2**20


def jidong_end_to_end() -> float:
    """Seconds for 20,000 children from Parquet files to the four tables written."""
    students, events = population(20_000, seed=7)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        students.write_parquet(base / "students.parquet")
        events.write_parquet(base / "events.parquet")

        def run() -> None:
            r = assess_batch(
                pl.read_parquet(base / "students.parquet"),
                pl.read_parquet(base / "events.parquet"),
                as_of=AS_OF,
            )
            for name in ("children", "actions", "findings", "episodes"):
                getattr(r, name).write_parquet(base / f"{name}.parquet")

        run()  # warm-up
        return best(run, repeat=5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000,3000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    students, events = population(1000)
    assess_batch(students, events, as_of=AS_OF)
    print(
        f"kongchuo-rules {__version__}, Python {sys.version.split()[0]}, {platform.machine()}, "
        f"{os.cpu_count()} cores; rules core ready in {time.perf_counter() - started:.1f} s "
        f"(first use: {_driver.compile_seconds():.1f} s)"
    )
    t_assess, t_validate = per_child_assess(*population(2000, seed=3), 2000)
    print(
        f"per child: assess {t_assess * 1e6:.0f} us ({1 / t_assess:,.0f}/s), "
        f"Case.model_validate {t_validate * 1e6:.0f} us ({1 / t_validate:,.0f}/s)"
    )
    print(f"{'children':>10} {'core 1 thread':>16} {'x assess':>9} {'end to end':>14} "
          f"{'actions':>9} {'findings':>9}")  # fmt: skip
    for n in sizes:
        students, events = population(n, seed=1)
        rate, n_actions, n_findings = core_rate(students, events)
        total = best(lambda s=students, e=events: assess_batch(s, e, as_of=AS_OF), repeat=2)
        print(
            f"{n:>10,} {rate / 1e6:>12.2f} M/s {rate * t_assess:>8.0f}x "
            f"{total:>12.2f} s {n_actions:>9,} {n_findings:>9,}"
        )
    print(f"Jidong-sized (20,000) Parquet in, four tables out: {jidong_end_to_end():.3f} s")
    largest = max(sizes)
    seconds, gib = peak_memory(largest)
    print(
        f"{largest:,} children end to end in a fresh process: {seconds:.1f} s, peak {gib:.2f} GiB"
    )


if __name__ == "__main__":
    main()
