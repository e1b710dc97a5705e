"""Benchmark: one ``assess`` call, against the baseline of ``Case.model_validate`` on the same
JSON, measured in the same run — on the benchmark case (one term, ten events, a dropout at the
bureau level) and on a typical one-term child (two short absences, attending).

Then every child of a synthetic county of 2,000, one by one: distinct children, so the trace
entries ``assess`` shares between equal rows are shared only as often as a county shares them.
Each row is run as ``assess`` runs by default, and with ``use_numba=True`` (the compiled core,
from the ``batch`` extra; compiled or loaded from the cache before timing).

Run: ``python benchmarks/bench_assess.py`` (after ``pip install '.[batch]'``). Prints medians
and the median per-round ratio to the baseline; figures go into docs/performance.md by hand.
Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import importlib
import json
import platform
import statistics
import sys
import timeit
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pydantic

from kongchuo_rules import Case, __version__, assess

CASE = {
    "student": {
        "id": "S-0001",
        "birth_date": "2015-05-03",
        "registered": True,
        "grade": 5,
        "township": "鸡东镇",
        "school_id": "JD-001",
    },
    "events": [
        {"type": "absence", "start": "2026-09-14", "end": "2026-09-16", "excused": True},
        {"type": "absence", "start": "2026-10-12", "end": "2026-10-13", "excused": False},
        {"type": "absence", "start": "2026-11-02", "end": None, "excused": False},
        {
            "type": "home_visit",
            "date": "2026-11-11",
            "by": "class_teacher",
            "causes": ["economic_hardship"],
        },
        {"type": "guardian_contact", "date": "2026-11-12"},
        {"type": "persuader_assigned", "date": "2026-12-03"},
        {"type": "persuasion", "date": "2026-12-03", "level": "school", "outcome": "agreed"},
        {"type": "persuasion", "date": "2026-12-10", "level": "township", "outcome": "refused"},
        {"type": "whereabouts", "date": "2026-12-11", "finding": "at_home"},
        {"type": "report", "date": "2026-12-14"},
    ],
}
TYPICAL = {
    "student": {
        "id": "S-0002",
        "birth_date": "2017-03-21",
        "registered": True,
        "grade": 3,
        "township": "鸡东镇",
        "school_id": "JD-001",
    },
    "events": [
        {"type": "absence", "start": "2026-10-09", "end": "2026-10-09", "excused": True},
        {"type": "absence", "start": "2026-11-18", "end": "2026-11-19", "excused": False},
    ],
}
AS_OF = date(2026, 12, 20)


def interleaved(
    baseline: Callable[[], object], subject: Callable[[], object], number: int, rounds: int
) -> tuple[float, float, float]:
    """Median µs per call of ``baseline`` and ``subject`` and the median of their per-round
    ratio. Batches alternate, so a noisy neighbour slows both sides alike."""
    base_times, subject_times, ratios = [], [], []
    for _ in range(rounds):
        b = timeit.timeit(baseline, number=number) / number
        s = timeit.timeit(subject, number=number) / number
        base_times.append(b)
        subject_times.append(s)
        ratios.append(s / b)
    return (
        statistics.median(base_times) * 1e6,
        statistics.median(subject_times) * 1e6,
        statistics.median(ratios),
    )


def bench(label: str, raw: Mapping[str, object], number: int, rounds: int) -> None:
    text = json.dumps(raw, ensure_ascii=False)
    data = json.loads(text)
    case = Case.model_validate(data)
    assessed = assess(case, as_of=AS_OF)  # also warms the calendar's per-year tables
    assess(case, as_of=AS_OF, use_numba=True)  # compiles the core, or loads it

    def baseline() -> object:
        return Case.model_validate(data)

    def assess_and_read() -> object:
        a = assess(case, as_of=AS_OF)
        return a.actions, a.trace

    # what the output models alone cost: the Assessment built from the rows the rules core
    # recorded for this case (captured from one assess call), with actions and trace read
    engine: Any = importlib.import_module("kongchuo_rules.assess")
    build = engine.build_assessment
    captured: list[tuple[object, ...]] = []

    def capture(*args: object) -> object:
        captured.append(args)
        return build(*args)

    engine.build_assessment = capture
    try:
        assess(case, as_of=AS_OF)
    finally:
        engine.build_assessment = build

    def output_only() -> object:
        a = build(*captured[0])
        return a.actions, a.trace

    def compiled_and_read() -> object:
        a = assess(case, as_of=AS_OF, use_numba=True)
        return a.actions, a.trace

    subjects: dict[str, Callable[[], object]] = {
        "assess(Case)": lambda: assess(case, as_of=AS_OF),
        "assess(Case) + read actions, trace": assess_and_read,
        "  the same, use_numba=True": compiled_and_read,
        "assess(dict) (validate + assess)": lambda: assess(data, as_of=AS_OF),
        "output models only (build + read)": output_only,
        "Assessment.model_dump_json()": assessed.model_dump_json,
        "Assessment.explain('zh')": lambda: assessed.explain("zh"),
    }
    print(
        f"\n{label}: {len(assessed.actions)} actions, {len(assessed.trace)} trace entries, "
        f"status {assessed.status.value}"
    )
    print(f"{'operation':36} {'median µs':>10} {'baseline µs':>12} {'ratio':>7}")
    for name, subject in subjects.items():
        base_us, subject_us, ratio = interleaved(baseline, subject, number, rounds)
        print(f"{name:36} {subject_us:10.1f} {base_us:12.1f} {ratio:7.2f}")


def bench_population(n: int, rounds: int) -> None:
    """Every child of a synthetic population (distinct children: the trace entries shared
    between equal rows are shared as often as a county shares them), assessed one by one."""
    sys.path.insert(0, str(Path(__file__).parent))
    from population import population

    from kongchuo_rules.batch import tables_to_cases

    cases = tables_to_cases(*population(n, seed=7))
    data = [json.loads(c.model_dump_json()) for c in cases]
    cases = [Case.model_validate(d) for d in data]

    def baseline() -> object:
        return [Case.model_validate(d) for d in data]

    def subject(use_numba: bool) -> Callable[[], object]:
        def run() -> object:
            for c in cases:
                a = assess(c, as_of=AS_OF, use_numba=use_numba)
                a.actions, a.trace  # noqa: B018
            return None

        return run

    print(f"\n{n} distinct children of a synthetic county (benchmarks/population.py), per child")
    print(f"{'operation':36} {'median µs':>10} {'baseline µs':>12} {'ratio':>7}")
    for name, run in (
        ("assess(Case) + read actions, trace", subject(False)),
        ("  the same, use_numba=True", subject(True)),
    ):
        base_us, subject_us, ratio = interleaved(baseline, run, 1, rounds)
        print(f"{name:36} {subject_us / n:10.1f} {base_us / n:12.1f} {ratio:7.2f}")


def main() -> None:
    number, rounds = 500, 41
    print(
        f"kongchuo-rules {__version__}, pydantic {pydantic.VERSION}, "
        f"Python {sys.version.split()[0]}, {platform.machine()}; "
        f"{rounds} interleaved rounds of {number} calls"
    )
    bench("the benchmark case", CASE, number, rounds)
    bench("a typical one-term child", TYPICAL, number, rounds)
    bench_population(2000, 15)


if __name__ == "__main__":
    main()
