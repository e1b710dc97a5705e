"""``simulate``: every policy variant, every seed, one school year each."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.policy import Policy
from kongchuo_rules.simulate._assumptions import AssumptionError, Interventions
from kongchuo_rules.simulate._engine import run_policy
from kongchuo_rules.simulate._population import Population
from kongchuo_rules.simulate._result import SimulationResult

__all__ = ["simulate"]


def _seeds(seeds: int | Iterable[int]) -> tuple[int, ...]:
    if isinstance(seeds, bool):
        raise AssumptionError("seeds: expected a number of seeds or a list of seeds")
    if isinstance(seeds, int):
        if seeds < 1:
            raise AssumptionError("seeds: expected 1 or more")
        return tuple(range(seeds))
    chosen = tuple(seeds)
    if not chosen or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in chosen):
        raise AssumptionError("seeds: expected whole numbers of 0 or more")
    if len(set(chosen)) != len(chosen):
        raise AssumptionError("seeds: each seed once")
    return chosen


def simulate(
    population: Population,
    policies: Mapping[str, Policy],
    *,
    seeds: int | Iterable[int] = 10,
    interventions: Interventions | None = None,
    calendar: SchoolCalendar | None = None,
    progress: bool | None = None,
) -> SimulationResult:
    """Play the school year of ``population`` forward under each of ``policies`` (names to
    :class:`~kongchuo_rules.Policy`, e.g. ``{"7 days": base, "5 days": base.with_changes(
    {"absence.alert_unexcused_school_days": 5})}``) for each of ``seeds`` (a number: seeds
    0 to n−1; or the seeds themselves).

    Every variant sees the same children and, seed by seed, the same draws, so differences
    between variants are the policies'. ``interventions`` are the assumed effects of the
    actions (default: the ``interventions.*`` assumptions of the population;
    :meth:`Interventions.none` for none). ``calendar`` overrides the school calendar (its
    policy is replaced by each variant's). ``progress`` shows a progress bar (default: when
    standard error is a terminal).

    >>> from kongchuo_rules import default_policy
    >>> from kongchuo_rules.simulate import synthetic_county
    >>> pop = synthetic_county(300, seed=2)
    >>> result = simulate(pop, {"plan": default_policy()}, seeds=2, progress=False)
    >>> result.funnel().columns
    ['policy', 'seed', 'township', 'stage', 'children', 'episodes']
    """
    if not isinstance(population, Population):
        raise TypeError("population: expected a Population (see synthetic_county)")
    if not isinstance(policies, Mapping) or not policies:
        raise AssumptionError("policies: expected a mapping of names to policies")
    for name, policy in policies.items():
        if not isinstance(name, str) or not name.strip():
            raise AssumptionError("policies: every variant needs a non-empty name")
        if not isinstance(policy, Policy):
            raise AssumptionError(f"policies: {name!r} is not a Policy")
    chosen = _seeds(seeds)
    if interventions is None:
        interventions = Interventions.from_assumptions(population.assumptions)
    started = time.perf_counter()
    spells = [population.spells(seed) for seed in chosen]
    bar = _progress(progress, len(policies))
    runs = {}
    try:
        for name, policy in policies.items():
            runs[name] = run_policy(
                population, name, policy, chosen, spells, interventions, calendar, bar.tick
            )
            bar.done()
    finally:
        bar.close()
    return SimulationResult(
        population=population,
        policies=dict(policies),
        seeds=chosen,
        interventions=interventions,
        runs=runs,
        seconds=time.perf_counter() - started,
    )


class _Bar:
    """A progress bar over the policies (tqdm), with the round in play as its postfix."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:  # pragma: no cover - tqdm is part of the sim extra
                return
            self.bar = tqdm(total=total, unit="policy", desc="simulating", leave=False)

    def tick(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=True)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(progress: bool | None, total: int) -> _Bar:
    enabled = sys.stderr.isatty() if progress is None else progress
    return _Bar(total, enabled)
