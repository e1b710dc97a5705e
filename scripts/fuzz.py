"""A long fuzz run over the targets of ``tests/test_fuzz.py``, with figures for docs/testing.md.

    python scripts/fuzz.py [EXAMPLES_PER_PROPERTY]    # default 5000

Each property of the CI fuzz tests runs with ``EXAMPLES_PER_PROPERTY`` Hypothesis examples
(random, no example database); a crash (an exception that is not a ``ValueError``), a hang
(an input over ``tests._fuzz.TIME_LIMIT`` seconds) or a leak (a planted personal marker in an
output, error, warning or log) stops the run with Hypothesis's minimal failing example.
At the end it prints, per area, the inputs tried and how many were rejected.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, settings
from tests import _fuzz, test_fuzz

PROPERTIES = (
    "test_schema_generated_cases",
    "test_mutated_valid_cases",
    "test_mutated_rosters",
    "test_hostile_roster_csv_files",
    "test_hostile_roster_workbooks",
    "test_policy_changes",
)


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    start = time.perf_counter()
    for name in PROPERTIES:
        t = time.perf_counter()
        test = getattr(test_fuzz, name)
        settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(test)()
        print(f"{name}: {time.perf_counter() - t:.0f} s", flush=True)
    test_fuzz.test_threads_give_identical_results()
    print(f"\n{examples} examples per property, {time.perf_counter() - start:.0f} s in all\n")
    print("| area | inputs | rejected (ValueError) | accepted | crashes | hangs | leaks |")
    print("|---|---|---|---|---|---|---|")
    for area, (inputs, rejected) in _fuzz.summary().items():
        print(f"| {area} | {inputs} | {rejected} | {inputs - rejected} | 0 | 0 | 0 |")


if __name__ == "__main__":
    main()
