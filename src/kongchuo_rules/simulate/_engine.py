"""Playing a school year forward on the batch kernel, by first-crossing times.

A child matters to the simulation only while the rules require something of somebody: from
the alert of an absence spell long enough to fire the 7-day rule (or from the start of the
year for a child out of school or awaiting placement). Those children ("units": one child in
one seed) are played forward in *rounds*; the others keep their natural absences, which no rule
acts on.

In a round, every unit's events so far — its current spell left open, as if the child stayed
away — are assessed with :func:`~kongchuo_rules.batch.assess_batch` on the last day of the
school year. The kernel then lists every action that would fall due if nobody acted, each with
its trigger and due date: the first crossing of every threshold. Taking them in trigger order,
the simulation lets the responsible agency act (on time, late or never, as the ``response.*``
assumptions say) and lets the action work (the :class:`Interventions`): a home visit or a
persuasion attempt may bring the child back, an enforcement step may make the guardian comply.
An action triggered on or after the day the child is back never fires; the events written so
far are facts, and the next round assesses them again to find the actions they trigger in
turn. A unit with no pending action before its return day is finished with that spell: the
spell is closed on the day before the return, and the actions of the return itself (一生一策,
clearing a registry mark) are found by assessing the unit within its monitoring period. Then
its next long spell, if any, is opened.

Every draw is a counter-based uniform of (seed, child, spell, purpose), so every policy
variant sees the same dice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from kongchuo_rules._internal.days import to_day
from kongchuo_rules.batch import assess_batch
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.policy import Policy
from kongchuo_rules.simulate._assumptions import ENFORCEMENT_STEPS, Interventions
from kongchuo_rules.simulate._population import (
    EXCUSED,
    NO_END,
    OUT_OF_SCHOOL,
    UNEXCUSED,
    WITHDRAWAL,
    Population,
    Spells,
    _events,
)
from kongchuo_rules.simulate._random import uniform
from kongchuo_rules.vocabulary import ActionKind, Agency, Cause, EscalationLevel, Role

__all__ = ["PolicyRun", "run_policy"]

Array = np.ndarray[Any, Any]
INF = 1 << 40
_KINDS = [k.value for k in ActionKind]
_AGENCIES = [a.value for a in Agency]
_LEVELS = [lv.value for lv in EscalationLevel]
_CAUSES = [c.value for c in Cause]
K = {k: i for i, k in enumerate(_KINDS)}
STATIC_SPELL = 1 << 20
"""The spell number of a unit's draws before its first spell (static actions)."""

# purposes of the draws (salts)
_RESPOND, _DELAY, _VISIT, _VISIT_DAYS, _PERSUADE, _OUTCOME, _COMPLY, _WHERE, _PLACE = range(9)

# Actions an agency takes only while the child is away: once the child is back, the agency
# drops them (the rules keep listing them, undone, for the episode).
DURING_ABSENCE = frozenset(
    K[k]
    for k in (
        "home_visit",
        "assign_persuader",
        "persuade",
        "mark_registry",
        "report_to_bureau",
        "verify_whereabouts",
        "missing_child_response",
        "registry_transfer",
        *ENFORCEMENT_STEPS,
    )
)


@dataclass
class PolicyRun:
    """What one policy's run recorded: the action log, the episodes, the units and their
    events (all seeds)."""

    name: str
    policy: Policy
    seeds: tuple[int, ...]
    units: pl.DataFrame
    """One row per unit: ``unit``, ``seed``, ``child`` (row of the students table)."""
    actions: pl.DataFrame
    """Every action the rules required of a unit, with the day it was done (if it was)."""
    episodes: pl.DataFrame
    """Every spell of a unit that fired the 7-day rule, with its milestones."""
    events: pl.DataFrame
    """The events of the units (``unit`` instead of ``student_id``)."""
    rounds: int
    calls: int


@dataclass
class _Units:
    seed_index: Array
    child: Array
    spell_lo: Array  # first row of the child's spells
    spell_hi: Array
    fire: list[Array]  # the rows of the child's firing spells, in order
    cur: Array  # current firing spell row (-1: none)
    fire_at: Array  # position of `cur` in `fire`
    added: Array  # next spell row not yet written as an event
    back: Array  # the day the child is back at school (INF: not yet known)
    left: Array  # transferred out
    elsewhere: Array  # day a whereabouts check found the child enrolled elsewhere (INF: none)
    episode: Array
    phase: Array  # 0 open, 1 closed (awaiting the return's actions), 2 done
    ids: pl.Series = field(repr=False)


_OPEN, _CLOSED, _DONE = 0, 1, 2


class _Run:
    def __init__(
        self,
        population: Population,
        name: str,
        policy: Policy,
        seeds: Sequence[int],
        spells: Sequence[Spells],
        interventions: Interventions,
        calendar: SchoolCalendar | None,
        tick: Callable[[str], None],
    ) -> None:
        self.pop = population
        self.name = name
        self.policy = policy
        self.calendar = calendar.with_policy(policy) if calendar else policy.calendar
        self.seeds = tuple(seeds)
        self.spells = spells
        self.iv = interventions
        self.tick = tick
        self.horizon_date = population.last_day
        self.horizon = to_day(self.horizon_date)
        ordinal0 = dt.date(1970, 1, 1).toordinal()
        days = self.calendar.school_day_ordinals(
            population.first_day, self.horizon_date + dt.timedelta(days=400)
        )
        self.sd = np.array(days, dtype=np.int64) - ordinal0
        self.pop_sd = population.school_days
        a = population.assumptions
        on_time = a["response.on_time_share"]
        self.on_time = np.array([on_time.get(ag, on_time["default"]) for ag in _AGENCIES])
        self.late = float(a["response.late_share"])
        if (self.on_time + self.late > 1).any():
            raise ValueError(
                "assumptions 'response.on_time_share' and 'response.late_share' add up to more "
                "than 1 for some agency"
            )
        self.late_max = int(a["response.late_max_school_days"])
        self.failure = list(a["response.persuasion_failure_weights"].items())
        self.where = list(a["response.whereabouts_weights"].items())
        self.placements = list(a["population.placement_weights"].items())
        self.students = population.students
        self.frames: list[pl.DataFrame] = []
        self.queued: list[tuple[Array, Array]] = []
        self.closed_spells: list[tuple[int, int, int]] = []
        self.log: list[pl.DataFrame] = []
        self.episode_rows: list[dict[str, Any]] = []
        self.handled = np.zeros(0, dtype=np.int64)
        self.rounds = 0
        self.calls = 0
        values = [v.value for v in policy.parameters["absence.alert_unexcused_school_days"].values]
        self.threshold = min(int(v) for v in values)
        months = [v.value for v in policy.parameters["returned.monitoring_days"].values]
        self.monitoring = min(int(v) for v in months)

    # -- school days -------------------------------------------------------------------------

    def idx(self, day: Array) -> Array:
        """Position of the first school day on or after ``day``."""
        return np.searchsorted(self.sd, day, side="left")

    def sday(self, i: Array) -> Array:
        """The school day at position ``i`` (INF past the table)."""
        i = np.asarray(i)
        out = np.full(i.shape, INF, dtype=np.int64)
        ok = (i >= 0) & (i < len(self.sd))
        out[ok] = self.sd[i[ok]]
        return out

    # -- setting up ----------------------------------------------------------------------------

    def units(self) -> _Units:
        kinds = self.pop._kind
        static = (kinds == OUT_OF_SCHOOL) | self.pop._pending
        seed_index, child, lo, hi, fire = [], [], [], [], []
        for k, sp in enumerate(self.spells):
            firing = (sp.kind == WITHDRAWAL) | (
                (sp.kind == UNEXCUSED) & (sp.length >= self.threshold)
            )
            who = np.union1d(sp.child[firing], np.nonzero(static)[0])
            first = np.searchsorted(sp.child, who, side="left")
            last = np.searchsorted(sp.child, who, side="right")
            rows = np.nonzero(firing)[0]
            owner = np.searchsorted(who, sp.child[rows])
            split = np.split(rows, np.searchsorted(owner, np.arange(1, len(who))))
            seed_index.append(np.full(len(who), k))
            child.append(who)
            lo.append(first)
            hi.append(last)
            fire.extend(split if len(who) else [])
        n = sum(len(c) for c in child)
        u = _Units(
            seed_index=np.concatenate(seed_index).astype(np.int64) if n else np.zeros(0, int),
            child=np.concatenate(child).astype(np.int64) if n else np.zeros(0, int),
            spell_lo=np.concatenate(lo).astype(np.int64) if n else np.zeros(0, int),
            spell_hi=np.concatenate(hi).astype(np.int64) if n else np.zeros(0, int),
            fire=fire,
            cur=np.full(n, -1, dtype=np.int64),
            fire_at=np.zeros(n, dtype=np.int64),
            added=np.zeros(n, dtype=np.int64),
            back=np.full(n, INF, dtype=np.int64),
            left=np.zeros(n, dtype=bool),
            elsewhere=np.full(n, INF, dtype=np.int64),
            episode=np.zeros(n, dtype=np.int64),
            phase=np.full(n, _OPEN, dtype=np.int64),
            ids=pl.Series(dtype=pl.String),
        )
        seeds = np.array(self.seeds, dtype=np.int64)[u.seed_index]
        child_ids = self.students.get_column("id").gather(u.child)
        u.ids = pl.Series(
            np.char.add(np.char.add(seeds.astype(str), "|"), child_ids.to_numpy().astype(str))
        )
        u.added[:] = u.spell_lo
        has = np.array([len(f) > 0 for f in u.fire], dtype=bool)
        for i in np.nonzero(has)[0]:
            self._open(u, int(i), 0)
        return u

    def _open(self, u: _Units, i: int, at: int) -> None:
        """Open unit ``i``'s firing spell number ``at``: its earlier spells become events."""
        row = int(u.fire[i][at])
        sp = self.spells[u.seed_index[i]]
        if u.added[i] < row:
            self._spell_events(u, i, np.arange(u.added[i], row))
        u.cur[i] = row
        u.fire_at[i] = at
        u.added[i] = row + 1
        u.phase[i] = _OPEN
        u.episode[i] += 1
        u.elsewhere[i] = INF
        end = sp.start[row] + sp.length[row]
        u.back[i] = (
            self.pop_sd[end] if sp.kind[row] != WITHDRAWAL and end < len(self.pop_sd) else INF
        )

    def _spell_events(self, u: _Units, i: int, rows: Array) -> None:
        """Queue spells ``rows`` of unit ``i`` (in their natural course) as events."""
        if len(rows):
            self.queued.append((np.full(len(rows), i, dtype=np.int64), np.asarray(rows)))

    def _closed_spell(self, i: int, start: int, end: int) -> None:
        """Queue unit ``i``'s current spell, closed on ``end``."""
        self.closed_spells.append((i, start, end))

    def _flush(self, u: _Units) -> None:
        """Write the queued spells as events (one table for all)."""
        if self.queued:
            unit = np.concatenate([q[0] for q in self.queued])
            rows = np.concatenate([q[1] for q in self.queued])
            self.queued = []
            sd = self.pop_sd
            seed_index = u.seed_index[unit]
            start = np.empty(len(unit), dtype=np.int64)
            length = np.empty(len(unit), dtype=np.int64)
            kind = np.empty(len(unit), dtype=np.int64)
            for k, sp in enumerate(self.spells):
                at = seed_index == k
                start[at], length[at], kind[at] = (
                    sp.start[rows[at]],
                    sp.length[rows[at]],
                    sp.kind[rows[at]],
                )
            last = np.minimum(start + np.minimum(length, len(sd)) - 1, len(sd) - 1)
            ends = _dates(sd[last])
            open_ = pl.Series(kind == WITHDRAWAL)
            self._add(
                unit,
                {
                    "type": "absence",
                    "start": _dates(sd[start]),
                    "end": pl.select(pl.when(open_).then(None).otherwise(ends)).to_series(),
                    "excused": pl.Series(kind == EXCUSED),
                },
            )
        if self.closed_spells:
            unit, start, end = (
                np.array(x, dtype=np.int64) for x in zip(*self.closed_spells, strict=True)
            )
            self.closed_spells = []
            self._add(
                unit,
                {"type": "absence", "start": _dates(start), "end": _dates(end), "excused": False},
            )
        if len(self.frames) > 1:
            self.frames = [pl.concat(self.frames)]

    def _add(self, unit: Array, columns: dict[str, Any]) -> None:
        n = len(unit)
        if not n:
            return
        frame = _events({"student_id": "", **columns}, n).drop("student_id")
        self.frames.append(frame.with_columns(unit=pl.Series(np.asarray(unit, dtype=np.int64))))

    # -- assessing -----------------------------------------------------------------------------

    def _assess(self, u: _Units, which: Array, as_of: int, open_spell: bool) -> Any:
        """Assess units ``which`` on ``as_of`` (their current spell open if ``open_spell``)."""
        self.calls += 1
        self._flush(u)
        which = np.sort(which)
        keep = pl.Series(np.isin(np.arange(len(u.child)), which))
        students = self.students[u.child[which]].with_columns(id=u.ids.filter(keep))
        events = pl.concat(self.frames) if self.frames else _no_events()
        events = events.filter(pl.col("unit").is_in(pl.Series(which).implode()))
        if open_spell:
            cur = which[u.cur[which] >= 0]
            if len(cur):
                starts = np.array(
                    [self.spells[u.seed_index[i]].start[u.cur[i]] for i in cur], dtype=np.int64
                )
                frame = _events(
                    {
                        "student_id": "",
                        "type": "absence",
                        "start": _dates(self.pop_sd[starts]),
                        "excused": False,
                    },
                    len(cur),
                ).drop("student_id")
                events = pl.concat([events, frame.with_columns(unit=pl.Series(cur))])
        ids = pl.DataFrame({"unit": np.arange(len(u.child), dtype=np.int64), "student_id": u.ids})
        events = events.join(ids, on="unit", how="left").drop("unit")
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(as_of))
        return assess_batch(students, events, as_of=day, policy=self.policy, calendar=self.calendar)

    # -- acting on the actions -----------------------------------------------------------------

    def _act(self, u: _Units, result: Any, back_before: bool) -> tuple[Array, pl.DataFrame]:
        """Respond to the pending actions of ``result``; returns the units that had one and the
        children table with a ``unit`` column."""
        ids = pl.DataFrame({"student_id": u.ids, "unit": np.arange(len(u.child), dtype=np.int64)})
        children = result.children.join(ids, on="student_id", how="left")
        acts = result.actions.join(ids, on="student_id", how="left")
        if acts.is_empty():
            return np.zeros(0, dtype=np.int64), children
        unit = acts.get_column("unit").to_numpy()
        kind = acts.get_column("kind").to_physical().to_numpy().astype(np.int64)
        agency = acts.get_column("agency").to_physical().to_numpy().astype(np.int64)
        level = acts.get_column("level").to_physical().fill_null(-1).to_numpy().astype(np.int64)
        cause = acts.get_column("cause").to_physical().fill_null(-1).to_numpy().astype(np.int64)
        acts.get_column("cause").to_physical().fill_null(-1).to_numpy().astype(np.int64)
        trigger = acts.get_column("trigger").cast(pl.Int32).to_numpy().astype(np.int64)
        due = acts.get_column("due").cast(pl.Int32).to_numpy().astype(np.int64)
        done = acts.get_column("done").to_numpy()
        key = self._key(unit, kind, agency, level, trigger)
        handled = np.isin(key, self.handled)
        back0 = u.back[unit]
        pending = ~done & ~handled & ((trigger < back0) if back_before else (trigger >= 0))
        # done by an event of another action: logged as done on its trigger
        other = done & ~handled
        rows = np.nonzero(pending)[0]
        order = np.lexsort((kind[rows], trigger[rows], unit[rows]))
        rows = rows[order]
        if len(rows) == 0 and not other.any():
            return np.zeros(0, dtype=np.int64), children
        unit_r, kind_r, agency_r, level_r = unit[rows], kind[rows], agency[rows], level[rows]
        routed = cause[rows] >= 0  # a cause's route: done by an action_taken of its kind
        trig_r, due_r = trigger[rows], due[rows]
        seed = np.array(self.seeds, dtype=np.int64)[u.seed_index[unit_r]]
        child = u.child[unit_r]
        spell = self._spell_numbers(u, unit_r)
        base = (child, spell, kind_r, level_r + 1)

        def draw(purpose: int, extra: Any = 0) -> Array:
            return _draws(seed, *base, purpose, extra)

        # the response: on time, late or never
        u1, u2 = draw(_RESPOND), draw(_DELAY)
        p_on = self.on_time[agency_r]
        lo = self.idx(trig_r)
        hi = self.idx(due_r + 1) - 1
        span = np.maximum(hi - lo + 1, 1)
        on_idx = lo + np.floor(u2 * span).astype(np.int64)
        on_day = np.where(hi >= lo, self.sday(on_idx), due_r)
        late_day = self.sday(self.idx(due_r + 1) + np.floor(u2 * self.late_max).astype(np.int64))
        day = np.where(u1 < p_on, on_day, np.where(u1 < p_on + self.late, late_day, INF))
        day = np.where(day <= self.horizon, day, INF)
        responds = day < INF

        # what the action does (the day the child is back, INF: nothing)
        effect = np.full(len(rows), INF, dtype=np.int64)
        outcome = np.full(len(rows), "", dtype=object)
        iv = self.iv
        after = self.idx(day)  # the response's school day
        visit = responds & (kind_r == K["home_visit"])
        ok = visit & (draw(_VISIT) < iv.home_visit_return_probability)
        k = iv.home_visit_return_within_school_days
        ahead = 1 + np.floor(draw(_VISIT_DAYS) * k).astype(np.int64)
        effect = np.where(ok, self.sday(after + ahead), effect)
        persuade = responds & (kind_r == K["persuade"])
        q = np.array([iv.persuasion_success[lv] for lv in _LEVELS] + [0.0])[level_r]
        success = persuade & (_draws(seed, child, spell, 0, level_r + 1, _PERSUADE, 0) < q)
        effect = np.where(success, self.sday(after + 1), effect)
        fail = _pick(_draws(seed, child, spell, 0, level_r + 1, _OUTCOME, 0), self.failure)
        outcome[persuade] = np.where(success, "returned", fail)[persuade]
        for step in ENFORCEMENT_STEPS:
            is_step = responds & (kind_r == K[step])
            p = iv.guardian_compliance[step]
            comply = is_step & (_draws(seed, child, spell, K[step], 0, _COMPLY, 0) < p)
            effect = np.where(comply, self.sday(after + 1), effect)
        transfer = responds & (kind_r == K["registry_transfer"])
        effect = np.where(transfer, day, effect)

        # responses and effects in trigger order: the child back on day B makes every action
        # triggered from B on moot, and the agencies drop those of their actions they would take
        # from B on while the child was away
        start = np.r_[True, unit_r[1:] != unit_r[:-1]] if len(rows) else np.zeros(0, bool)
        before = _exclusive_group_cummin(effect, start, back0[rows] if back_before else INF)
        kept = trig_r < before if back_before else np.ones(len(rows), dtype=bool)
        during = np.isin(kind_r, list(DURING_ABSENCE))
        valid = kept & responds & ~(during & (day >= before))
        if not back_before:
            valid &= ~during
        effect = np.where(valid, effect, INF)
        new_back = _group_min(unit_r, np.where(kept, effect, INF), len(u.child))
        u.back[:] = np.minimum(u.back, new_back)
        u.left[unit_r[valid & transfer]] = True
        found = _pick(_draws(seed, child, spell, 0, 0, _WHERE, 0), self.where)
        checked = valid & (kind_r == K["verify_whereabouts"]) & (found == "enrolled_elsewhere")
        np.minimum.at(u.elsewhere, unit_r[checked], day[checked])

        self._respond(
            unit_r[valid],
            np.where(routed, -1, kind_r)[valid],
            kind_r[valid],
            agency_r[valid],
            level_r[valid],
            day[valid],
            outcome[valid],
            seed[valid],
            child[valid],
            spell[valid],
        )
        kept_rows = rows[kept]
        done_on = np.where(valid, day, -1)[kept]
        self._log(u, acts, kept_rows, done_on)
        self.handled = np.union1d(self.handled, key[kept_rows])
        other_rows = np.nonzero(other)[0]
        if len(other_rows):
            self._log(u, acts, other_rows, trigger[other_rows])
            self.handled = np.union1d(self.handled, key[other_rows])
        return np.unique(unit_r[kept]), children

    def _spell_numbers(self, u: _Units, unit: Array) -> Array:
        out = np.full(len(unit), STATIC_SPELL, dtype=np.int64)
        for j, i in enumerate(unit):
            if u.cur[i] >= 0:
                out[j] = self.spells[u.seed_index[i]].number[u.cur[i]]
        return out

    @staticmethod
    def _key(unit: Array, kind: Array, agency: Array, level: Array, trigger: Array) -> Array:
        return ((((unit * 64 + kind) * 32 + agency) * 8 + level + 1) << 20) + (trigger & 0xFFFFF)

    def _log(self, u: _Units, acts: pl.DataFrame, rows: Array, done_on: Array) -> None:
        picked = acts[rows].select(
            "unit", "kind", "agency", "holder", "level", "cause", "trigger", "due"
        )
        done = pl.Series(np.asarray(done_on, dtype=np.int64))
        self.log.append(
            picked.with_columns(
                done_on=pl.when(done >= 0).then(done).otherwise(None).cast(pl.Int32).cast(pl.Date),
                episode=pl.Series(u.episode[picked.get_column("unit").to_numpy()]),
            )
        )

    def _respond(
        self,
        unit: Array,
        specific_kind: Array,
        kind: Array,
        agency: Array,
        level: Array,
        day: Array,
        outcome: Array,
        seed: Array,
        child: Array,
        spell: Array,
    ) -> None:
        """Write the events that do the actions."""
        if not len(unit):
            return
        dates = _dates(day)
        causes = self._causes(unit, seed)

        def part(mask: Array, columns: dict[str, Any]) -> None:
            if mask.any():
                cols = {
                    k: (v.filter(pl.Series(mask)) if isinstance(v, pl.Series) else v)
                    for k, v in columns.items()
                }
                self._add(unit[mask], {"date": dates.filter(pl.Series(mask)), **cols})

        is_ = {name: specific_kind == K[name] for name in _KINDS}
        part(
            is_["home_visit"],
            {"type": "home_visit", "by": Role.CLASS_TEACHER.value, "causes": causes},
        )
        part(is_["enrollment_mobilization"], {"type": "home_visit", "by": Role.TOWNSHIP_HEAD.value})
        part(
            is_["assign_persuader"],
            {"type": "persuader_assigned", "persuader": Role.PERSUADER.value},
        )
        levels = pl.Series(
            np.array([*_LEVELS, None], dtype=object)[level].tolist(), dtype=pl.String
        )
        part(
            is_["persuade"],
            {
                "type": "persuasion",
                "level": levels,
                "outcome": pl.Series(outcome.tolist(), dtype=pl.String),
                "causes": causes,
            },
        )
        part(is_["mark_registry"], {"type": "registry_mark", "mark": "dropout"})
        part(is_["clear_registry_mark"], {"type": "registry_mark", "mark": "cleared"})
        part(is_["report_to_bureau"], {"type": "report", "to": Agency.EDUCATION_BUREAU.value})
        found = _pick(_draws(seed, child, spell, 0, 0, _WHERE, 0), self.where)
        part(
            is_["verify_whereabouts"],
            {
                "type": "whereabouts",
                "finding": pl.Series(found.tolist(), dtype=pl.String),
                "verified_by": Agency.PUBLIC_SECURITY_BUREAU.value,
            },
        )
        part(
            is_["missing_child_response"],
            {
                "type": "whereabouts",
                "finding": "at_home",
                "verified_by": Agency.PUBLIC_SECURITY_BUREAU.value,
            },
        )
        part(is_["individual_plan"], {"type": "individual_plan"})
        part(is_["registry_transfer"], {"type": "transfer_out", "destination": "县外"})
        by = Role.TOWNSHIP_HEAD.value
        part(is_["guardian_education"], {"type": "guardian_education", "by": by})
        deadline = self._deadlines(day)
        part(is_["guardian_order"], {"type": "guardian_order", "by": by, "deadline": deadline})
        part(
            is_["administrative_penalty"], {"type": "administrative_penalty", "deadline": deadline}
        )
        part(is_["court_application"], {"type": "court_application"})
        mode = _pick(_draws(seed, child, spell, 0, 0, _PLACE, 0), self.placements)
        part(
            is_["placement_assessment"],
            {"type": "placement", "mode": pl.Series(mode.tolist(), dtype=pl.String)},
        )
        specific = np.zeros(len(unit), dtype=bool)
        for name in (
            "home_visit", "enrollment_mobilization", "assign_persuader", "persuade",
            "mark_registry", "clear_registry_mark", "report_to_bureau", "verify_whereabouts",
            "missing_child_response", "individual_plan", "registry_transfer",
            *ENFORCEMENT_STEPS, "placement_assessment",
        ):  # fmt: skip
            specific |= is_[name]
        part(
            ~specific,
            {
                "type": "action_taken",
                "kind": pl.Series(np.array(_KINDS, dtype=object)[kind].tolist(), dtype=pl.String),
                "agency": pl.Series(
                    np.array(_AGENCIES, dtype=object)[agency].tolist(), dtype=pl.String
                ),
            },
        )

    def _deadlines(self, day: Array) -> pl.Series:
        out = []
        for d in day.tolist():
            when = dt.date(1970, 1, 1) + dt.timedelta(days=int(d))
            days = self.policy.at(when).enforcement.order_compliance_days
            out.append(when + dt.timedelta(days=days))
        return pl.Series(out, dtype=pl.Date)

    def _causes(self, unit: Array, seed: Array) -> pl.Series:
        masks = np.zeros(len(unit), dtype=np.int64)
        for j, i in enumerate(unit):
            if self._u.cur[i] >= 0:
                masks[j] = self.spells[self._u.seed_index[i]].causes[self._u.cur[i]]
        return pl.Series(
            [[c for b, c in enumerate(_CAUSES) if (m >> b) & 1] for m in masks.tolist()],
            dtype=pl.List(pl.String),
        )

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> PolicyRun:
        u = self._u = self.units()
        while (u.phase != _DONE).any():
            opened = np.nonzero(u.phase == _OPEN)[0]
            while len(opened):
                self.rounds += 1
                self.tick(f"{self.name}: round {self.rounds}, {len(opened)} children")
                result = self._assess(u, opened, self.horizon, open_spell=True)
                acted, children = self._act(u, result, back_before=True)
                idle = np.setdiff1d(opened, acted)
                self._close(u, idle, children)
                opened = np.nonzero(u.phase == _OPEN)[0]
            closed = np.nonzero(u.phase == _CLOSED)[0]
            if len(closed):
                self._returns(u, closed)
        return self._finish(u)

    def _close(self, u: _Units, idle: Array, children: pl.DataFrame) -> None:
        """Units with no pending action before their return: close the spell (or keep it open
        to the end of the year) and record the episode."""
        if not len(idle):
            return
        rows = children.filter(pl.col("unit").is_in(pl.Series(idle).implode()))
        info = {r["unit"]: r for r in rows.iter_rows(named=True)}
        for i in idle.tolist():
            if u.cur[i] < 0:
                u.phase[i] = _DONE
                self._spell_events(u, i, np.arange(u.added[i], u.spell_hi[i]))
                u.added[i] = u.spell_hi[i]
                continue
            sp = self.spells[u.seed_index[i]]
            row = u.cur[i]
            back = int(u.back[i])
            start = int(self.pop_sd[sp.start[row]])
            returned = back <= self.horizon
            if returned:
                end = int(self.sd[self.idx(np.array([back]))[0] - 1])
                self._closed_spell(i, start, end)
            else:
                self._spell_events(u, i, np.array([row]))
            self._episode(u, i, info.get(i), back if returned else None)
            if u.left[i] or not returned:
                u.phase[i] = _DONE
            else:
                u.phase[i] = _CLOSED

    def _episode(self, u: _Units, i: int, child: dict[str, Any] | None, back: int | None) -> None:
        if child is None:
            return
        limit = dt.date.max if back is None else _date(back)
        alert = child["alert_date"]
        if alert is None or alert >= limit:
            return  # the spell did not fire the 7-day rule
        dropout = child["dropout_since"]
        elsewhere = int(u.elsewhere[i])
        self.episode_rows.append(
            {
                "unit": i,
                "episode": int(u.episode[i]),
                "run_start": child["run_start"],
                "alert_date": alert,
                "month_mark": child["month_mark"],
                "dropout_since": dropout if dropout is not None and dropout < limit else None,
                "return_date": None if back is None else _date(back),
                "left": bool(u.left[i]),
                "elsewhere_since": _date(elsewhere)
                if elsewhere < INF and elsewhere < (back or INF)
                else None,
                "status_at_end": None if back is not None else str(child["status"]),
            }
        )

    def _returns(self, u: _Units, closed: Array) -> None:
        """The actions of each return (assessed within its monitoring period); then the next
        spell."""
        order = closed[np.argsort(u.back[closed], kind="stable")]
        while len(order):
            first = int(u.back[order[0]])
            as_of = min(first + self.monitoring - 1, self.horizon)
            group = order[u.back[order] <= as_of]
            order = order[len(group) :]
            result = self._assess(u, group, as_of, open_spell=False)
            _, children = self._act(u, result, back_before=False)
            status = dict(
                zip(
                    children.get_column("unit").to_list(),
                    children.get_column("status").cast(pl.String).to_list(),
                    strict=True,
                )
            )
            for row in self.episode_rows:
                if row["unit"] in status and row["episode"] == u.episode[row["unit"]]:
                    row.setdefault("status_after_return", status[row["unit"]])
            for i in group.tolist():
                nxt = int(u.fire_at[i]) + 1
                if nxt < len(u.fire[i]):
                    self._open(u, i, nxt)
                else:
                    u.phase[i] = _DONE
                    self._spell_events(u, i, np.arange(u.added[i], u.spell_hi[i]))
                    u.added[i] = u.spell_hi[i]

    def _finish(self, u: _Units) -> PolicyRun:
        units = pl.DataFrame(
            {
                "unit": np.arange(len(u.child), dtype=np.int64),
                "seed": np.array(self.seeds, dtype=np.int64)[u.seed_index],
                "child": u.child,
                "student_id": u.ids,
            }
        )
        actions = (
            pl.concat(self.log)
            if self.log
            else pl.DataFrame(schema={"unit": pl.Int64, "kind": pl.String, "episode": pl.Int64})
        )
        schema = {
            "unit": pl.Int64,
            "episode": pl.Int64,
            "run_start": pl.Date,
            "alert_date": pl.Date,
            "month_mark": pl.Date,
            "dropout_since": pl.Date,
            "return_date": pl.Date,
            "left": pl.Boolean,
            "elsewhere_since": pl.Date,
            "status_at_end": pl.String,
            "status_after_return": pl.String,
        }
        episodes = pl.DataFrame(
            [{k: r.get(k) for k in schema} for r in self.episode_rows], schema=schema
        )
        self._flush(u)
        events = pl.concat(self.frames) if self.frames else _no_events()
        return PolicyRun(
            name=self.name,
            policy=self.policy,
            seeds=self.seeds,
            units=units,
            actions=actions,
            episodes=episodes,
            events=events,
            rounds=self.rounds,
            calls=self.calls,
        )


def _no_events() -> pl.DataFrame:
    """An empty events table of the units (``unit`` instead of ``student_id``)."""
    return _events({}, 0).drop("student_id").with_columns(unit=pl.Series([], dtype=pl.Int64))


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _dates(days: Array) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int64)).cast(pl.Int32).cast(pl.Date)


def _draws(seed: Array, *keys: Any) -> Array:
    """Per-row uniforms (each row its own seed)."""
    return uniform(0x5EED, seed, *keys)


def _pick(u: Array, weights: list[tuple[str, float]]) -> Array:
    """The key of ``weights`` each uniform in ``u`` falls on."""
    names = np.array([k for k, _ in weights], dtype=object)
    p = np.array([w for _, w in weights], dtype=np.float64)
    found: Array = names[
        np.searchsorted(np.cumsum(p / p.sum()), u, side="right").clip(0, len(p) - 1)
    ]
    return found


def _exclusive_group_cummin(values: Array, group_start: Array, initial: Any) -> Array:
    """For each row, the minimum of ``initial`` (per row) and the values of the earlier rows
    of its group (groups are runs starting where ``group_start`` is true)."""
    n = len(values)
    out = np.empty(n, dtype=np.int64)
    init = np.broadcast_to(np.asarray(initial, dtype=np.int64), (n,))
    current = 0
    for j in range(n):
        if group_start[j]:
            current = int(init[j])
        out[j] = current
        if values[j] < current:
            current = int(values[j])
    return out


def _group_min(group: Array, values: Array, size: int) -> Array:
    out = np.full(size, INF, dtype=np.int64)
    np.minimum.at(out, group, values)
    return out


def run_policy(
    population: Population,
    name: str,
    policy: Policy,
    seeds: Sequence[int],
    spells: Sequence[Spells],
    interventions: Interventions,
    calendar: SchoolCalendar | None = None,
    tick: Callable[[str], None] = lambda _: None,
) -> PolicyRun:
    """Play the school year of ``population`` forward under ``policy`` for every seed."""
    return _Run(population, name, policy, seeds, spells, interventions, calendar, tick).run()


__all__ += ["INF", "NO_END"]
