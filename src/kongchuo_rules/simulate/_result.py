"""What a simulation gives the analyst: tidy polars tables (weekly counts, the funnel, the
agencies' workload, enrolment rates through the ledger, a comparison of variants) and plots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from kongchuo_rules.policy import Policy
from kongchuo_rules.simulate._assumptions import Interventions
from kongchuo_rules.simulate._engine import PolicyRun
from kongchuo_rules.simulate._population import Population
from kongchuo_rules.vocabulary import EscalationLevel, Lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kongchuo_rules.county import Ledger

__all__ = ["MILESTONES", "STAGES", "SimulationResult"]

MILESTONES = ("alert", "persuasion", "dropout", "returned")
"""The milestones of an episode counted in :meth:`SimulationResult.weekly` (agency null):
the 7-day alert (疑似辍学), the start of the persuasion stage, becoming a dropout (辍学), and
the return of a child who reached the persuasion stage (劝返复学)."""

STAGES = ("alert", "persuasion", "dropout", "returned", "dropout_at_year_end")
"""The stages of :meth:`SimulationResult.funnel`, in order."""

_LEVEL_ORDER = {lv.value: i for i, lv in enumerate(EscalationLevel)}
_EPOCH = dt.date(1970, 1, 1)


def _date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The simulated school year of every policy variant and seed (PRODUCT.md §7.2).

    Tables (polars): :meth:`weekly`, :meth:`funnel`, :meth:`workload`, :meth:`rates`,
    :meth:`compare`, and the raw :meth:`episodes`, :meth:`actions` and :meth:`events`; plots:
    :meth:`plot_weekly`, :meth:`plot_funnel`, :meth:`plot_workload`. Weeks are numbered from 1,
    the week (Monday to Sunday) holding the first day of the school year.
    """

    population: Population
    policies: Mapping[str, Policy]
    seeds: tuple[int, ...]
    interventions: Interventions
    runs: Mapping[str, PolicyRun] = field(repr=False)
    seconds: float = 0.0
    """Time the simulation took (the tables are built when first asked for)."""

    # -- calendar ------------------------------------------------------------------------------

    @cached_property
    def _monday(self) -> int:
        first = self.population.first_day
        return (first - _EPOCH).days - first.weekday()

    def week_of(self, day: dt.date) -> int:
        """The week number of ``day``."""
        return ((day - _EPOCH).days - self._monday) // 7 + 1

    def weeks(self) -> pl.DataFrame:
        """Every week of the school year: ``week``, ``start`` (Monday), ``end`` (Sunday),
        ``school_days``."""
        last = (self.population.last_day - _EPOCH).days
        n = (last - self._monday) // 7 + 1
        start = self._monday + 7 * np.arange(n)
        sd = self.population.school_days
        counts = np.searchsorted(sd, start + 7) - np.searchsorted(sd, start)
        return pl.DataFrame(
            {
                "week": np.arange(1, n + 1, dtype=np.int64),
                "start": pl.Series(start).cast(pl.Int32).cast(pl.Date),
                "end": pl.Series(start + 6).cast(pl.Int32).cast(pl.Date),
                "school_days": counts.astype(np.int64),
            }
        )

    @cached_property
    def school_weeks(self) -> int:
        """The number of weeks with at least one school day."""
        return int((self.weeks().get_column("school_days") > 0).sum())

    def _week(self, column: str) -> pl.Expr:
        return ((pl.col(column).cast(pl.Int32) - self._monday) // 7 + 1).cast(pl.Int64)

    # -- raw tables ----------------------------------------------------------------------------

    @cached_property
    def _students(self) -> pl.DataFrame:
        return self.population.students.select(
            pl.col("id").alias("student_id"), "township"
        ).with_row_index("child")

    def _units(self, run: PolicyRun) -> pl.DataFrame:
        return run.units.join(
            self._students.select(pl.col("child").cast(pl.Int64), "township"),
            on="child",
            how="left",
        ).select(
            "unit",
            "seed",
            self._students.get_column("student_id")
            .gather(run.units.get_column("child"))
            .alias("student_id"),
            "township",
        )

    @cached_property
    def _actions(self) -> pl.DataFrame:
        parts = []
        for name, run in self.runs.items():
            if run.actions.is_empty():
                continue
            parts.append(
                run.actions.join(self._units(run), on="unit", how="left")
                .with_columns(policy=pl.lit(name))
                .drop("unit")
            )
        if not parts:
            return pl.DataFrame(
                schema={
                    "policy": pl.String, "seed": pl.Int64, "student_id": pl.String,
                    "township": pl.String, "episode": pl.Int64, "kind": pl.String,
                    "agency": pl.String, "holder": pl.String, "level": pl.String,
                    "cause": pl.String, "trigger": pl.Date, "due": pl.Date, "done_on": pl.Date,
                }
            )  # fmt: skip
        frame = pl.concat(parts, how="diagonal_relaxed")
        enums = ("kind", "agency", "holder", "level", "cause")
        return frame.with_columns(pl.col(c).cast(pl.String) for c in enums).select(
            "policy", "seed", "student_id", "township", "episode", "kind", "agency", "holder",
            "level", "cause", "trigger", "due", "done_on",
        )  # fmt: skip

    def actions(self) -> pl.DataFrame:
        """Every action the rules required, one row each: ``policy, seed, student_id,
        township, episode`` (0: not tied to an absence, e.g. an out-of-school child), the
        action's ``kind, agency, holder, level, cause, trigger, due``, ``done_on`` (null: never
        done) and ``listed_until`` (the last day the rules list it: the day before the return
        of an episode that did not reach the persuasion stage, the end of the monitoring period
        of one that did, else the end of the year)."""
        ends = self.episodes().select("policy", "seed", "student_id", "episode", "listed_until")
        last = self.population.last_day
        return (
            self._actions.join(ends, on=["policy", "seed", "student_id", "episode"], how="left")
            .with_columns(pl.col("listed_until").fill_null(last))
            .sort("policy", "seed", "student_id", "trigger", "kind")
        )

    @cached_property
    def _episodes(self) -> pl.DataFrame:
        parts = []
        acts = self._actions
        for name, run in self.runs.items():
            if run.episodes.is_empty():
                continue
            parts.append(
                run.episodes.join(self._units(run), on="unit", how="left")
                .with_columns(policy=pl.lit(name))
                .drop("unit")
            )
        schema_frame = pl.DataFrame(
            schema={
                "policy": pl.String, "seed": pl.Int64, "student_id": pl.String,
                "township": pl.String, "episode": pl.Int64, "run_start": pl.Date,
                "alert_date": pl.Date, "month_mark": pl.Date, "dropout_since": pl.Date,
                "return_date": pl.Date, "left": pl.Boolean, "status_at_end": pl.String,
                "status_after_return": pl.String, "elsewhere_since": pl.Date,
            }
        )  # fmt: skip
        episodes = (
            pl.concat([schema_frame, *parts], how="diagonal_relaxed") if parts else schema_frame
        )
        keys = ["policy", "seed", "student_id", "episode"]
        stage = acts.group_by(keys).agg(
            persuasion_start=pl.col("trigger").filter(pl.col("kind") == "assign_persuader").min(),
            highest_level=pl.col("level")
            .filter(pl.col("kind") == "persuade")
            .replace_strict(_LEVEL_ORDER, default=None, return_dtype=pl.Int64)
            .max(),
            enforcement=(pl.col("kind") == "guardian_education").any(),
        )
        levels = list(_LEVEL_ORDER)
        return episodes.join(stage, on=keys, how="left").with_columns(
            highest_level=pl.col("highest_level").replace_strict(
                dict(enumerate(levels)), default=None, return_dtype=pl.String
            ),
            enforcement=pl.col("enforcement").fill_null(False),
        )

    def episodes(self) -> pl.DataFrame:
        """Every absence spell that fired the 7-day rule (PRODUCT.md §7.1 ``episodes``):
        ``policy, seed, student_id, township, episode, run_start, run_end, alert_date,
        month_mark, persuasion_start, dropout_since, return_date`` (null: not back by the end
        of the year), ``left_on`` (transferred out), ``highest_stage, highest_level``,
        ``status_after_return`` (``returned`` or ``attending``), ``status_at_end`` (for a
        child still away at the end of the year), ``listed_until``."""
        e = self._episodes
        monitoring = [
            self.policies[p].at(self.population.last_day).returned.monitoring_days
            for p in self.policies
        ]
        mon = pl.DataFrame({"policy": list(self.policies), "_mon": monitoring})
        last = self.population.last_day
        return (
            e.join(mon, on="policy", how="left")
            .with_columns(
                left_on=pl.when(pl.col("left")).then(pl.col("return_date")),
                return_date=pl.when(~pl.col("left")).then(pl.col("return_date")),
            )
            .with_columns(
                highest_stage=pl.when(pl.col("enforcement"))
                .then(pl.lit("enforcement"))
                .when(pl.col("highest_level").is_in(["township", "education_bureau", "county"]))
                .then(pl.lit("escalation"))
                .when(pl.col("persuasion_start").is_not_null())
                .then(pl.lit("persuasion"))
                .otherwise(pl.lit("home_visit")),
                listed_until=pl.when(pl.col("return_date").is_null())
                .then(pl.lit(last))
                .when(pl.col("status_after_return") == "returned")
                .then(
                    pl.col("return_date") + pl.duration(days=pl.col("_mon")) - pl.duration(days=1)
                )
                .otherwise(pl.col("return_date") - pl.duration(days=1)),
            )
            .select(
                "policy",
                "seed",
                "student_id",
                "township",
                "episode",
                "run_start",
                "alert_date",
                "month_mark",
                "persuasion_start",
                "dropout_since",
                "elsewhere_since",
                "return_date",
                "left_on",
                "highest_stage",
                "highest_level",
                "status_after_return",
                "status_at_end",
                "listed_until",
            )
            .sort("policy", "seed", "student_id", "episode")
        )

    # -- the analyst's tables ------------------------------------------------------------------

    def weekly(self) -> pl.DataFrame:
        """Counts per week: ``policy, seed, township, agency, kind, week, n``. ``kind`` is an
        action kind (``n``: actions the rules required that week, by ``agency``) or a
        milestone of :data:`MILESTONES` (``agency`` null). Rows with ``n`` = 0 are left out
        (:meth:`compare` counts them as 0)."""
        acts = self._actions.select(
            "policy", "seed", "township", "agency", "kind", self._week("trigger").alias("week")
        )
        e = self.episodes()
        milestones = [
            e.filter(pl.col(column).is_not_null()).select(
                "policy",
                "seed",
                "township",
                pl.lit(None, dtype=pl.String).alias("agency"),
                pl.lit(kind).alias("kind"),
                self._week(column).alias("week"),
            )
            for kind, column in (
                ("alert", "alert_date"),
                ("persuasion", "persuasion_start"),
                ("dropout", "dropout_since"),
            )
        ]
        milestones.append(
            e.filter(pl.col("status_after_return") == "returned").select(
                "policy",
                "seed",
                "township",
                pl.lit(None, dtype=pl.String).alias("agency"),
                pl.lit("returned").alias("kind"),
                self._week("return_date").alias("week"),
            )
        )
        return (
            pl.concat([acts, *milestones])
            .group_by("policy", "seed", "township", "agency", "kind", "week")
            .agg(n=pl.len().cast(pl.Int64))
            .sort("policy", "seed", "township", "agency", "kind", "week", nulls_last=True)
        )

    def funnel(self) -> pl.DataFrame:
        """Children reaching each stage of :data:`STAGES` in the year: ``policy, seed,
        township, stage, children, episodes`` — alert (疑似辍学), persuasion (the one-month
        mark), dropout (辍学), returned (back after reaching persuasion: 劝返复学),
        dropout_at_year_end (a dropout not back by the end of the year)."""
        e = self.episodes()
        flags = {
            "alert": pl.col("alert_date").is_not_null(),
            "persuasion": pl.col("persuasion_start").is_not_null(),
            "dropout": pl.col("dropout_since").is_not_null(),
            "returned": pl.col("status_after_return") == "returned",
            "dropout_at_year_end": pl.col("return_date").is_null()
            & pl.col("left_on").is_null()
            & pl.col("dropout_since").is_not_null(),
        }
        parts = [
            e.filter(flag)
            .group_by("policy", "seed", "township")
            .agg(
                children=pl.col("student_id").n_unique().cast(pl.Int64),
                episodes=pl.len().cast(pl.Int64),
            )
            .with_columns(stage=pl.lit(stage))
            for stage, flag in flags.items()
        ]
        grid = (
            pl.DataFrame({"policy": list(self.policies)})
            .join(pl.DataFrame({"seed": list(self.seeds)}, schema={"seed": pl.Int64}), how="cross")
            .join(pl.DataFrame({"township": list(self.population.townships)}), how="cross")
            .join(pl.DataFrame({"stage": list(STAGES)}), how="cross")
        )
        counts = pl.concat(parts).select(
            "policy", "seed", "township", "stage", "children", "episodes"
        )
        order = {s: i for i, s in enumerate(STAGES)}
        return (
            grid.join(counts, on=["policy", "seed", "township", "stage"], how="left")
            .with_columns(pl.col("children", "episodes").fill_null(0))
            .with_columns(_order=pl.col("stage").replace_strict(order, return_dtype=pl.Int64))
            .sort("policy", "seed", "township", "_order")
            .drop("_order")
        )

    def workload(self) -> pl.DataFrame:
        """The agencies' work per week: ``policy, seed, agency, week``, ``required`` (actions
        the rules required that week), ``due`` (falling due that week), ``done`` (done that
        week), ``overdue`` (became overdue that week: not done by the due date while still
        required), ``open`` and ``open_overdue`` (required, not done and still listed at the
        week's end; of those, past due)."""
        a = self.actions()
        weeks = self.weeks().select("week", "end")
        keys = ["policy", "seed", "agency", "week"]
        flows = []
        for name, expr, mask in (
            ("required", self._week("trigger"), pl.lit(True)),
            ("due", self._week("due"), pl.col("due") <= pl.col("listed_until")),
            ("done", self._week("done_on"), pl.col("done_on").is_not_null()),
            (
                "overdue",
                ((pl.col("due").cast(pl.Int32) + 1 - self._monday) // 7 + 1).cast(pl.Int64),
                (pl.col("done_on").is_null() | (pl.col("done_on") > pl.col("due")))
                & (pl.col("due") < pl.col("listed_until")),
            ),
        ):
            flows.append(
                a.filter(mask)
                .select("policy", "seed", "agency", expr.alias("week"))
                .group_by(keys)
                .agg(pl.len().cast(pl.Int64).alias(name))
            )
        stock = (
            a.join(weeks, how="cross")
            .filter(
                (pl.col("trigger") <= pl.col("end"))
                & (pl.col("listed_until") >= pl.col("end"))
                & (pl.col("done_on").is_null() | (pl.col("done_on") > pl.col("end")))
            )
            .group_by(keys)
            .agg(
                open=pl.len().cast(pl.Int64),
                open_overdue=(pl.col("due") < pl.col("end")).sum().cast(pl.Int64),
            )
        )
        grid = (
            pl.concat([f.select(keys) for f in [*flows, stock.select(keys)]])
            .unique()
            .filter(pl.col("week").is_between(1, weeks.height))
        )
        out = grid
        for frame in [*flows, stock]:
            out = out.join(frame, on=keys, how="left")
        columns = ["required", "due", "done", "overdue", "open", "open_overdue"]
        return out.with_columns(pl.col(columns).fill_null(0)).select(*keys, *columns).sort(keys)

    def compare(self, baseline: str | None = None, *, by: Sequence[str] = ()) -> pl.DataFrame:
        """Each variant against ``baseline`` (default: the first policy), over the year:
        ``policy, metric, *by``, ``baseline`` and ``value`` (means over the seeds), ``diff``
        (mean of the per-seed differences: every variant sees the same dice, so the
        differences are paired), ``diff_sd``, ``diff_min``, ``diff_max`` (the seed spread) and
        ``diff_per_week`` (``diff`` over the weeks with school days).

        Metrics: every ``kind`` of :meth:`weekly` (counts), and ``children_<stage>`` for each
        stage of :meth:`funnel`. ``by`` may hold ``township`` and, for counts, ``agency``.
        """
        names = list(self.policies)
        base = names[0] if baseline is None else baseline
        if base not in self.policies:
            raise ValueError(f"baseline: no policy named {base!r} (have {', '.join(names)})")
        by = list(by)
        unknown = set(by) - {"township", "agency"}
        if unknown:
            raise ValueError(f"by: expected 'township' and/or 'agency', not {sorted(unknown)}")
        counts = (
            self.weekly()
            .rename({"kind": "metric"})
            .group_by("policy", "seed", "metric", *by)
            .agg(value=pl.col("n").sum())
        )
        fby = [c for c in by if c != "agency"]
        children = (
            self.funnel()
            .with_columns(metric=pl.lit("children_") + pl.col("stage"))
            .group_by("policy", "seed", "metric", *fby)
            .agg(value=pl.col("children").sum())
        )
        if "agency" in by:
            children = children.with_columns(agency=pl.lit(None, dtype=pl.String))
        table = pl.concat([counts, children.select(counts.columns)])
        keys = ["metric", *by]
        seeds = pl.DataFrame({"seed": list(self.seeds)}, schema={"seed": pl.Int64})
        cells = table.select(keys).unique()
        full = (
            pl.DataFrame({"policy": names})
            .join(seeds, how="cross")
            .join(cells, how="cross")
            .join(table, on=["policy", "seed", *keys], how="left", nulls_equal=True)
            .with_columns(pl.col("value").fill_null(0))
        )
        reference = full.filter(pl.col("policy") == base).select(
            "seed", *keys, pl.col("value").alias("baseline")
        )
        paired = full.join(
            reference, on=["seed", *keys], how="left", nulls_equal=True
        ).with_columns(diff=pl.col("value") - pl.col("baseline"))
        weeks = max(self.school_weeks, 1)
        return (
            paired.filter(pl.col("policy") != base)
            .group_by("policy", *keys)
            .agg(
                baseline=pl.col("baseline").mean(),
                value=pl.col("value").mean(),
                diff=pl.col("diff").mean(),
                diff_sd=pl.col("diff").std().fill_null(0.0),
                diff_min=pl.col("diff").min(),
                diff_max=pl.col("diff").max(),
            )
            .with_columns(diff_per_week=pl.col("diff") / weeks)
            .sort("policy", *keys, nulls_last=True)
        )

    # -- events and statuses -------------------------------------------------------------------

    def events(self, policy: str, seed: int) -> pl.DataFrame:
        """The events table (PRODUCT.md §7.1) of one simulated year: what happened to every
        child, and what every agency did, under ``policy`` with ``seed``."""
        run = self._run(policy)
        if seed not in self.seeds:
            raise ValueError(f"seed: {seed} was not simulated (seeds: {list(self.seeds)})")
        pop = self.population
        units = run.units.filter(pl.col("seed") == seed)
        unit_children = units.get_column("child").to_numpy()
        spells = pop.spells(seed)
        natural = np.nonzero(~np.isin(spells.child, unit_children))[0]
        ids = units.select(
            "unit",
            student_id=pop.students.get_column("id").gather(units.get_column("child")),
        )
        unit_events = (
            run.events.join(ids, on="unit", how="inner")
            .drop("unit")
            .select(pop.static_events.columns)
        )
        return pl.concat([pop.static_events, pop.absence_events(spells, natural), unit_events])

    def status(self, policy: str, seed: int, day: dt.date) -> pl.DataFrame:
        """The status the simulation recorded for every child on ``day``: ``student_id,
        status``. From the start-of-year status of each child and the milestones of its
        episodes (a differential test checks it against :func:`~kongchuo_rules.assess`)."""
        self._run(policy)
        base = self._base_status(policy)
        e = self.episodes().filter(
            (pl.col("policy") == policy) & (pl.col("seed") == seed) & (pl.col("alert_date") <= day)
        )
        mon = self.policies[policy]
        rows: dict[str, str] = {}
        for r in e.sort("episode").iter_rows(named=True):
            rows[r["student_id"]] = _status_in_episode(r, day, mon)
        changed = pl.DataFrame(
            {"student_id": list(rows), "_s": list(rows.values())},
            schema={"student_id": pl.String, "_s": pl.String},
        )
        return base.join(changed, on="student_id", how="left").select(
            "student_id", pl.coalesce("_s", "status").alias("status")
        )

    @cached_property
    def _base_statuses(self) -> dict[str, pl.DataFrame]:
        return {}

    def _base_status(self, policy: str) -> pl.DataFrame:
        if policy not in self._base_statuses:
            from kongchuo_rules.batch import assess_batch

            pop = self.population
            result = assess_batch(
                pop.students, pop.static_events, as_of=pop.first_day, policy=self.policies[policy]
            )
            self._base_statuses[policy] = result.children.select(
                "student_id", pl.col("status").cast(pl.String)
            )
        return self._base_statuses[policy]

    def _run(self, policy: str) -> PolicyRun:
        if policy not in self.runs:
            raise ValueError(f"policy: no variant named {policy!r} (have {', '.join(self.runs)})")
        return self.runs[policy]

    # -- rates through the ledger --------------------------------------------------------------

    def ledger(self, policy: str, seed: int, as_of: dt.date | None = None) -> Ledger:
        """The county ledger (:func:`~kongchuo_rules.reconcile`) of one simulated year on
        ``as_of`` (default: the last school day): the registry with the marks the schools set
        (辍学 marks not cleared, transfers out) and the presence roster of that day."""
        from kongchuo_rules.simulate._ledger import simulated_ledger

        return simulated_ledger(
            self.population, self.events(policy, seed), self.policies[policy], as_of
        )

    def rates(
        self, as_of: dt.date | None = None, *, seeds: Iterable[int] | None = None
    ) -> pl.DataFrame:
        """The enrolment rate (入学率) of each township through the ledger of each simulated
        year on ``as_of`` (default: the last school day): ``policy, seed, township, enrolled,
        school_age, rate, target, meets_target``. ``seeds`` limits the seeds (each ledger
        reconciles the whole county)."""
        from kongchuo_rules.county import enrollment_rate

        rows = []
        chosen = list(self.seeds if seeds is None else seeds)
        for name, policy in self.policies.items():
            for seed in chosen:
                ledger = self.ledger(name, seed, as_of)
                target = policy.at(ledger.as_of).rates.enrollment_target
                for township, rate in enrollment_rate(ledger, "township", policy).items():
                    rows.append(
                        {
                            "policy": name,
                            "seed": seed,
                            "township": township,
                            "enrolled": rate.numerator,
                            "school_age": rate.denominator,
                            "rate": rate.value,
                            "target": target,
                            "meets_target": rate.value >= target,
                        }
                    )
        return pl.DataFrame(
            rows,
            schema={
                "policy": pl.String, "seed": pl.Int64, "township": pl.String,
                "enrolled": pl.Int64, "school_age": pl.Int64, "rate": pl.Float64,
                "target": pl.Float64, "meets_target": pl.Boolean,
            },
        )  # fmt: skip

    # -- plots ---------------------------------------------------------------------------------

    def plot_weekly(
        self,
        kinds: Sequence[str] = ("alert", "home_visit"),
        *,
        lang: Lang = "zh",
        by: str | None = None,
    ) -> Figure:
        """Weekly counts of ``kinds`` (milestones or action kinds) for each policy: the mean
        over the seeds with the seed range shaded; ``by="township"`` gives one panel per
        township."""
        from kongchuo_rules.simulate._plots import plot_weekly

        return plot_weekly(self, kinds, lang=lang, by=by)

    def plot_funnel(self, *, lang: Lang = "zh") -> Figure:
        """Children reaching each stage of the funnel, per policy (mean over the seeds, with
        the seed range)."""
        from kongchuo_rules.simulate._plots import plot_funnel

        return plot_funnel(self, lang=lang)

    def plot_workload(
        self, agencies: Sequence[str] | None = None, *, lang: Lang = "zh", measure: str = "required"
    ) -> Figure:
        """Weekly ``measure`` (a column of :meth:`workload`) per agency and policy."""
        from kongchuo_rules.simulate._plots import plot_workload

        return plot_workload(self, agencies, lang=lang, measure=measure)


def _status_in_episode(r: Mapping[str, Any], day: dt.date, policy: Policy) -> str:
    """The status on ``day`` of a child whose latest episode by then is ``r``."""
    back = r["return_date"]
    left = r["left_on"]
    elsewhere = r["elsewhere_since"]
    if left is not None and day >= left:
        return "studying_elsewhere"
    if back is not None and day >= back:
        if r["status_after_return"] == "returned":
            monitoring = policy.at(back).returned.monitoring_days
            if day < back + dt.timedelta(days=monitoring):
                return "returned"
        return "attending"
    if elsewhere is not None and day >= elsewhere:
        return "studying_elsewhere"
    if r["dropout_since"] is not None and day >= r["dropout_since"]:
        return "dropout"
    return "suspected_dropout"
