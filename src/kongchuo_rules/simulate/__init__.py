"""Policy simulation for analysts (PRODUCT.md §7.2; ``pip install 'kongchuo-rules[sim]'``).

A synthetic county, its school year played forward under policy variants on the batch kernel,
and the answers as tidy polars tables and plots:

>>> import polars as pl
>>> from kongchuo_rules import default_policy
>>> from kongchuo_rules.simulate import simulate, synthetic_county
>>> county = synthetic_county(2_000, seed=1)
>>> base = default_policy()
>>> five = base.with_changes({"absence.alert_unexcused_school_days": 5})
>>> result = simulate(county, {"7 days": base, "5 days": five}, seeds=3, progress=False)
>>> diff = result.compare(baseline="7 days").filter(pl.col("metric") == "alert")
>>> diff.select("policy", "metric").row(0)
('5 days', 'alert')
>>> bool(diff.get_column("diff").item() >= 0)
True

Every rate the county and the year draw from is a named assumption (``assumptions.toml``,
:class:`Assumptions`); the effects of the actions are :class:`Interventions`.

The names are loaded on first use, so that importing the package (as the ``kongchuo`` command
does) needs none of the ``sim`` extra's libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kongchuo_rules.simulate._assumptions import (
        Assumption,
        AssumptionError,
        Assumptions,
        Interventions,
        load_assumptions,
    )
    from kongchuo_rules.simulate._population import Population, synthetic_county
    from kongchuo_rules.simulate._result import MILESTONES, STAGES, SimulationResult
    from kongchuo_rules.simulate._simulate import simulate

__all__ = [
    "MILESTONES",
    "STAGES",
    "Assumption",
    "AssumptionError",
    "Assumptions",
    "Interventions",
    "Population",
    "SimulationResult",
    "load_assumptions",
    "simulate",
    "synthetic_county",
]

_HOME = {
    "Assumption": "_assumptions",
    "AssumptionError": "_assumptions",
    "Assumptions": "_assumptions",
    "Interventions": "_assumptions",
    "load_assumptions": "_assumptions",
    "Population": "_population",
    "synthetic_county": "_population",
    "MILESTONES": "_result",
    "STAGES": "_result",
    "SimulationResult": "_result",
    "simulate": "_simulate",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(import_module(f"kongchuo_rules.simulate.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kongchuo_rules.simulate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
