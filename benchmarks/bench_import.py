"""Benchmark: start-up. ``import kongchuo_rules`` side by side with ``import pydantic``, and
what the first real use costs in a fresh process (pydantic's first model class; our first
``assess``), alternating fresh interpreters and reporting medians.

Run: ``python benchmarks/bench_import.py [--rounds 15]``. Not a test: nothing here asserts a
speed. Figures go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SUBJECTS = {
    "import pydantic": "import pydantic",
    "import kongchuo_rules": "import kongchuo_rules",
    "pydantic + first model class": (
        "import pydantic\nclass M(pydantic.BaseModel):\n    a: int\nM(a=1)"
    ),
    "kongchuo_rules + first assess": (
        "import datetime as dt\nfrom kongchuo_rules import assess\n"
        "assess({'student': {'id': 'S-1', 'birth_date': '2015-05-03', 'registered': True}, "
        "'events': []}, as_of=dt.date(2026, 11, 12))"
    ),
}
TIMED = "import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    for _ in range(args.rounds):
        for name, code in SUBJECTS.items():
            out = subprocess.run(
                [sys.executable, "-c", TIMED.format(code=code)],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds[name].append(float(out.stdout))
    base = statistics.median(seconds["import pydantic"])
    first = statistics.median(seconds["pydantic + first model class"])
    for name, values in seconds.items():
        m = statistics.median(values)
        print(
            f"{name:>32}: {m * 1e3:6.1f} ms  {m / base:4.1f}x import pydantic  "
            f"{m / first:4.1f}x pydantic's first model"
        )


if __name__ == "__main__":
    main()
