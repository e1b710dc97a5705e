"""The sensitivity note of docs/simulation.md: how the answers move when each assumption moves.

Run: ``python benchmarks/sensitivity.py [--children N] [--seeds K]`` (after ``pip install
'.[sim]'``). For every number-valued assumption (and every table of probabilities, scaled as a
whole) it simulates the county with the value at half and at one and a half times the default
(probabilities capped at 1), under the plan's 7-day trigger and the 5-day variant, with the
same seeds, and prints a markdown table of the outputs at each end. Tables of relative weights
are left out (scaling them changes nothing; they shape the mix). Not a test.
"""

from __future__ import annotations

import argparse
from typing import Any

import polars as pl

from kongchuo_rules import default_policy
from kongchuo_rules.simulate import Assumptions, simulate, synthetic_county

OUTPUTS = {
    "alerts": ("7 days", "alert"),
    "extra alerts (5 d)": ("5 days", "alert"),
    "persuasion": ("7 days", "children_persuasion"),
    "dropouts": ("7 days", "children_dropout"),
    "dropouts at year end": ("7 days", "children_dropout_at_year_end"),
    "actions": ("7 days", "actions"),
}


def outputs(assumptions: Assumptions, children: int, seeds: int) -> dict[str, float]:
    base = default_policy()
    county = synthetic_county(children, seed=1, assumptions=assumptions)
    policies = {
        "7 days": base,
        "5 days": base.with_changes({"absence.alert_unexcused_school_days": 5}),
    }
    result = simulate(county, policies, seeds=seeds, progress=False)
    n = len(result.seeds)
    weekly = result.weekly().group_by("policy", "kind").agg(pl.col("n").sum() / n)
    w = {(p, k): v for p, k, v in weekly.iter_rows()}
    funnel = result.funnel().group_by("policy", "stage").agg(pl.col("children").sum() / n)
    f = {(p, f"children_{s}"): v for p, s, v in funnel.iter_rows()}
    actions = result.actions().group_by("policy").len()
    a = {p: v / n for p, v in actions.iter_rows()}
    return {
        "alerts": w.get(("7 days", "alert"), 0.0),
        "extra alerts (5 d)": w.get(("5 days", "alert"), 0.0) - w.get(("7 days", "alert"), 0.0),
        "persuasion": f.get(("7 days", "children_persuasion"), 0.0),
        "dropouts": f.get(("7 days", "children_dropout"), 0.0),
        "dropouts at year end": f.get(("7 days", "children_dropout_at_year_end"), 0.0),
        "actions": a.get("7 days", 0.0),
    }


def scaled(name: str, value: Any, kind: str, factor: float, cap: float = 1.0) -> Any:
    def one(v: float) -> Any:
        x = v * factor
        if kind in ("probability", "probabilities"):
            return min(cap, x)
        if kind == "school_days":
            return max(1, round(x))
        return x

    if isinstance(value, dict):
        return {k: one(v) for k, v in value.items()}
    return one(value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="these assumptions only")
    args = parser.parse_args()
    default = Assumptions.default()
    ref = outputs(default, args.children, args.seeds)
    head = " | ".join(OUTPUTS)
    print(f"| assumption (×0.5 / ×1.5) | {head} |")
    print("|---|" + "---:|" * len(OUTPUTS))
    print("| *defaults* | " + " | ".join(f"{ref[k]:.1f}" for k in OUTPUTS) + " |")
    for name in default.names():
        item = default.items[name]
        if item.kind in ("weights", "code"):
            continue
        if args.only and name not in args.only:
            continue
        # on time + late may not exceed 1: the on-time shares are capped at 1 − late share
        cap = 1 - default["response.late_share"] if name == "response.on_time_share" else 1.0
        cells = []
        lows, highs = [], []
        for factor in (0.5, 1.5):
            try:
                value = scaled(name, item.value, item.kind, factor, cap)
                changed = default.with_changes({name: value})
                found = outputs(changed, args.children, args.seeds)
            except ValueError as exc:
                found = {k: float("nan") for k in OUTPUTS}
                print(f"<!-- {name} ×{factor}: {exc} -->")
            (lows if factor == 0.5 else highs).append(found)
        for k in OUTPUTS:
            cells.append(f"{lows[0][k]:.1f} / {highs[0][k]:.1f}")
        print(f"| `{name}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
