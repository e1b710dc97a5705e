"""The synthetic county: children, their households and schools, the county's rosters, and the
absence processes of a school year — all drawn with numpy from the named assumptions
(``assumptions.toml``), seeded and reproducible.

>>> pop = synthetic_county(500, seed=1)
>>> pop.students.height + pop.unregistered.height
500
>>> pop.students.get_column("township").n_unique()
11
>>> synthetic_county(500, seed=1).students.equals(pop.students)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from kongchuo_rules._internal.days import to_day
from kongchuo_rules.batch import EVENT_COLUMNS, STUDENT_COLUMNS
from kongchuo_rules.batch._frames import DTYPES, HOUSEHOLD
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import ID_CHECK, ID_WEIGHTS
from kongchuo_rules.policy import Policy, default_policy
from kongchuo_rules.simulate._assumptions import AssumptionError, Assumptions
from kongchuo_rules.vocabulary import Cause, Flag

if TYPE_CHECKING:
    from kongchuo_rules.county import Ledger

__all__ = ["Population", "Spells", "synthetic_county"]

Array = np.ndarray[Any, Any]

# The kinds of a child (one each).
REGISTERED, ELSEWHERE, OUT_OF_SCHOOL, EXEMPT, UNREGISTERED = range(5)
# The kinds of a spell.
EXCUSED, UNEXCUSED, WITHDRAWAL = range(3)
NO_END = 1 << 30
"""The length of a spell with no natural end (a withdrawal), in school days."""
_CAUSE_BIT = {c.value: 1 << i for i, c in enumerate(Cause)}
_PLACEMENTS = ("regular_class", "special_school", "home_delivery")
_ELSEWHERE_PLACE = "县外"


def _epoch(day: dt.date) -> int:
    return to_day(day)


def _dates(days: Array) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int64)).cast(pl.Int32).cast(pl.Date)


def _categorical(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> Array:
    """``n`` draws of the positions of ``weights``'s keys, in proportion to the weights."""
    p = np.array(list(weights.values()), dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


@dataclass(frozen=True)
class Spells:
    """The absence spells of one simulation seed, sorted by child then start (one row each):
    ``child`` (row of ``Population.students``), ``start`` (index into the school days of the
    year), ``length`` (school days; :data:`NO_END` for a withdrawal), ``kind`` (excused,
    unexcused, withdrawal), ``causes`` (bit mask over :class:`Cause`), ``number`` (the spell's
    place among its child's spells)."""

    seed: int
    child: Array
    start: Array
    length: Array
    kind: Array
    causes: Array
    number: Array


@dataclass(frozen=True, eq=False)
class Population:
    """A synthetic county (PRODUCT.md §7.2): build one with :func:`synthetic_county`.

    ``students`` and ``events`` are the tables of the batch engine (PRODUCT.md §7.1):
    ``events`` holds the static decisions (placements, deferrals, transfers) and the absences
    of simulation seed 0 in their natural course — what happens if nobody acts.
    ``household``, ``registry``, ``disabled``, ``decisions``, ``elsewhere`` and ``surveys``
    are the county's rosters for :func:`~kongchuo_rules.reconcile`; ``unregistered`` lists the
    children counted at a county school without a registration (they are on the presence
    roster and, if local, the household roster, but not in ``students``). No roster holds a
    name.
    """

    seed: int
    school_year: int
    assumptions: Assumptions
    policy: Policy
    students: pl.DataFrame
    static_events: pl.DataFrame
    household: pl.DataFrame
    registry: pl.DataFrame
    disabled: pl.DataFrame
    decisions: pl.DataFrame
    elsewhere: pl.DataFrame
    surveys: pl.DataFrame
    unregistered: pl.DataFrame
    school_days: Array = field(repr=False)
    """The school days of the school year (integer days since 1970-01-01), in order."""
    _kind: Array = field(repr=False)
    _eligible: Array = field(repr=False)
    _priority: Array = field(repr=False)
    _township: Array = field(repr=False)
    _pending: Array = field(repr=False)
    """Certified-disabled children without a placement decision (students rows)."""

    @property
    def first_day(self) -> dt.date:
        """The first day of the school year."""
        return SchoolCalendar(policy=self.policy).school_year_start(self.school_year)

    @property
    def last_day(self) -> dt.date:
        """The last day of the school year (the day before the next one starts)."""
        calendar = SchoolCalendar(policy=self.policy)
        return calendar.school_year_start(self.school_year + 1) - dt.timedelta(days=1)

    @property
    def townships(self) -> tuple[str, ...]:
        """The towns and townships, in the order of the policy file."""
        return tuple(t.zh for t in self.policy.townships)

    @property
    def n_children(self) -> int:
        """Every child of the county: the students table and the unregistered ones."""
        return self.students.height + self.unregistered.height

    @cached_property
    def events(self) -> pl.DataFrame:
        """The events table (PRODUCT.md §7.1): static decisions and the natural absences of
        simulation seed 0."""
        return pl.concat([self.static_events, self.absence_events(self.spells(0))])

    def spells(self, seed: int) -> Spells:
        """The absence spells of simulation seed ``seed`` (the same for every policy)."""
        return _draw_spells(self, seed)

    def absence_events(self, spells: Spells, rows: Array | None = None) -> pl.DataFrame:
        """The absence events of ``spells`` (or of the spells at ``rows``) in their natural
        course: a withdrawal has no end; a spell that outlasts the year ends on its last
        school day."""
        pick = slice(None) if rows is None else rows
        child, start, length = spells.child[pick], spells.start[pick], spells.length[pick]
        kind = spells.kind[pick]
        sd = self.school_days
        last = np.minimum(start + np.minimum(length, len(sd)) - 1, len(sd) - 1)
        end = pl.Series(sd[last]).cast(pl.Int32).cast(pl.Date)
        end = pl.select(
            pl.when(pl.Series(kind == WITHDRAWAL)).then(None).otherwise(end)
        ).to_series()
        return _events(
            {
                "student_id": self.students.get_column("id").gather(child),
                "type": "absence",
                "start": _dates(sd[start]),
                "end": end,
                "excused": pl.Series(kind == EXCUSED),
            },
            len(child),
        )

    def presence(self, day: dt.date, events: pl.DataFrame | None = None) -> pl.DataFrame:
        """The school headcount on ``day`` (``national_id``, ``school_id``): every registered,
        not suspended child not absent that day (by ``events``, default :attr:`events`) and not
        transferred out by then, and the unregistered children at a county school."""
        events = self.events if events is None else events
        absent = events.filter(
            (pl.col("type") == "absence")
            & (pl.col("start") <= day)
            & (pl.col("end").is_null() | (pl.col("end") >= day))
        ).get_column("student_id")
        gone = events.filter(
            (pl.col("type") == "transfer_out") & (pl.col("date") <= day)
        ).get_column("student_id")
        suspended = self.registry.filter(pl.col("status") == "suspended").get_column("student_id")
        present = self.registry.filter(
            ~pl.col("student_id").is_in(pl.concat([absent, gone, suspended]).implode())
        ).select("national_id", "school_id")
        return pl.concat([present, self.unregistered.select("national_id", "school_id")])

    def ledger(
        self,
        as_of: dt.date | None = None,
        events: pl.DataFrame | None = None,
        *,
        policy: Policy | None = None,
    ) -> Ledger:
        """The county ledger (:func:`~kongchuo_rules.reconcile`) on ``as_of`` (default: the
        last school day of the year) from the rosters, the registry marks and transfers of
        ``events`` (default: :attr:`events`) and the presence roster of that day."""
        from kongchuo_rules.county import reconcile
        from kongchuo_rules.simulate._ledger import registry_on

        as_of = as_of or self.last_school_day
        events = self.events if events is None else events
        return reconcile(
            as_of=as_of,
            household=_rows(self.household),
            registry=_rows(registry_on(self, events, as_of)),
            presence=_rows(self.presence(as_of, events)),
            disabled=_rows(self.disabled),
            decisions=_rows(self.decisions),
            elsewhere=_rows(self.elsewhere),
            surveys=_rows(self.surveys),
            policy=policy or self.policy,
        )

    @property
    def last_school_day(self) -> dt.date:
        """The last school day of the year."""
        return dt.date(1970, 1, 1) + dt.timedelta(days=int(self.school_days[-1]))


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if v is not None} for row in frame.iter_rows(named=True)]


def _events(columns: Mapping[str, Any], n: int) -> pl.DataFrame:
    """An events table with every column of :data:`EVENT_COLUMNS` (nulls where not given)."""
    data: dict[str, pl.Series] = {}
    for name, (kind, _, _) in EVENT_COLUMNS.items():
        dtype = DTYPES[kind]
        value = columns.get(name)
        if value is None:
            data[name] = pl.Series(name, [None] * n, dtype=dtype)
        elif isinstance(value, pl.Series):
            data[name] = value.alias(name).cast(dtype)
        else:
            data[name] = pl.Series(name, [value] * n, dtype=dtype)
    return pl.DataFrame(data)


# -- drawing the county ----------------------------------------------------------------------------


def synthetic_county(
    n_children: int = 20_000,
    *,
    seed: int,
    school_year: int = 2026,
    assumptions: Assumptions | Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> Population:
    """A synthetic 鸡东县 of ``n_children`` children for ``school_year``, drawn with ``seed``.

    ``assumptions`` are the rates it draws from (default: the bundled file; a mapping is a
    set of changes to it). ``policy`` (default: the bundled plan) gives the towns and
    townships with their schools, the ages of compulsory schooling and the school calendar.
    """
    if isinstance(n_children, bool) or not isinstance(n_children, int) or n_children < 1:
        raise AssumptionError("n_children: expected a whole number of children, 1 or more")
    if isinstance(assumptions, Assumptions):
        a = assumptions
    else:
        a = Assumptions.default().with_changes(assumptions or {})
    policy = policy or default_policy()
    if not policy.townships:
        raise AssumptionError("policy: has no [[townships]] to place the children in")
    rng = np.random.default_rng([seed, 20260901])
    n = n_children
    calendar = SchoolCalendar(policy=policy)
    first = calendar.school_year_start(school_year)
    last = calendar.school_year_start(school_year + 1) - dt.timedelta(days=1)
    ordinal0 = dt.date(1970, 1, 1).toordinal()
    school_days = np.array(calendar.school_day_ordinals(first, last), dtype=np.int64) - ordinal0
    if not len(school_days):
        raise AssumptionError(f"school year {school_year}: no school days in the calendar")

    # where each child lives, which grade they are of age for, when they were born
    weights = a["population.township_weights"]
    names = [t.zh for t in policy.townships]
    if set(weights) != set(names):
        raise AssumptionError(
            "assumption 'population.township_weights': its towns and townships must be those "
            f"of the policy ({', '.join(names)})"
        )
    township = _categorical(rng, {k: weights[k] for k in names}, n)
    grade_weights = a["population.grade_weights"]
    if set(grade_weights) != {str(g) for g in range(1, 10)}:
        raise AssumptionError("assumption 'population.grade_weights': expected grades 1 to 9")
    grade = _categorical(rng, {str(g): grade_weights[str(g)] for g in range(1, 10)}, n) + 1
    params = policy.at(first).age
    cutoff = params.entry_cutoff
    age = params.entry_age + grade - 1
    newest = np.array([_epoch(cutoff.in_year(school_year - int(x))) for x in range(20)])
    hi = newest[age]  # born on the cutoff day `age` years before
    lo = newest[age + 1] + 1
    birth = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)

    # what kind of child: registered here, elsewhere, out of school, exempt, unregistered
    u = rng.random(n)
    shares = np.cumsum(
        [
            a["population.studying_elsewhere_share"],
            a["population.out_of_school_share"],
            a["population.exempt_share"],
            a["population.unregistered_in_county_share"],
        ]
    )
    kind = np.full(n, REGISTERED)
    for k, upper in zip((ELSEWHERE, OUT_OF_SCHOOL, EXEMPT, UNREGISTERED), shares, strict=True):
        kind[(u < upper) & (kind == REGISTERED)] = k
    registered = kind == REGISTERED
    non_local = registered & (rng.random(n) < a["population.non_local_share"])
    deferred = registered & (rng.random(n) < a["population.deferred_share"])

    # households and special groups
    household = {h: rng.random(n) < a["population.household_shares"][h] for h in HOUSEHOLD}
    flag_shares = a["population.flag_shares"]
    certified = rng.random(n) < a["population.disability_certified_share"]
    flags = {
        f.value: certified if f is Flag.DISABLED else rng.random(n) < flag_shares[f.value]
        for f in Flag
    }
    priority = np.zeros(n, dtype=bool)
    for values in (*household.values(), *flags.values()):
        priority |= values
    pending = certified & (rng.random(n) < a["population.placement_pending_share"])
    placement = _categorical(rng, a["population.placement_weights"], n)
    home_delivery = certified & ~pending & (placement == _PLACEMENTS.index("home_delivery"))

    # schools: one of the township's schools that teaches the child's grade
    school = np.empty(n, dtype=object)
    for t, info in enumerate(policy.townships):
        for g in range(1, 10):
            options = [s.id for s in info.schools if s.grades[0] <= g <= s.grades[1]]
            who = np.nonzero((township == t) & (grade == g))[0]
            if not len(who):
                continue
            if not options:
                raise AssumptionError(f"township {info.zh}: no school teaches grade {g}")
            school[who] = np.array(options, dtype=object)[rng.integers(0, len(options), len(who))]

    nid = _national_ids(a["population.region_code"], birth)
    ids = np.char.add("JD", np.char.zfill(np.arange(n).astype(str), 6))
    labels = np.array(names, dtype=object)

    s = ~(kind == UNREGISTERED)  # the children in the students table
    students = pl.DataFrame(
        {
            "id": ids[s],
            "birth_date": _dates(birth[s]),
            "registered": registered[s],
            "national_id": nid[s],
            "township": pl.Series(labels[township[s]].tolist(), dtype=pl.String),
            "school_id": pl.Series(school[s].tolist(), dtype=pl.String).set(
                pl.Series(~registered[s]), None
            ),
            "grade": pl.Series(grade[s], dtype=pl.Int64).set(pl.Series(~registered[s]), None),
            **{f"household_{h}": household[h][s] for h in HOUSEHOLD},
            **{f"flag_{f}": flags[f][s] for f in flags},
            "disability_certified": certified[s],
        },
        schema_overrides={c: DTYPES[k] for c, (k, _) in STUDENT_COLUMNS.items()},
    )

    # static events: placements, deferrals (休学), transfers out (studying elsewhere)
    before = _epoch(first) - 1
    placed = certified & ~pending & s
    mode = np.array(_PLACEMENTS, dtype=object)[placement]
    static = pl.concat(
        [
            _events(
                {
                    "student_id": pl.Series(ids[placed | (kind == EXEMPT)]),
                    "type": "placement",
                    "date": _dates(np.full(int((placed | (kind == EXEMPT)).sum()), before)),
                    "mode": pl.Series(
                        np.where(kind == EXEMPT, "exempt", mode)[
                            placed | (kind == EXEMPT)
                        ].tolist(),
                        dtype=pl.String,
                    ),
                },
                int((placed | (kind == EXEMPT)).sum()),
            ),
            _events(
                {
                    "student_id": pl.Series(ids[deferred]),
                    "type": "deferral",
                    "date": _dates(np.full(int(deferred.sum()), _epoch(first))),
                },
                int(deferred.sum()),
            ),
            _events(
                {
                    "student_id": pl.Series(ids[kind == ELSEWHERE]),
                    "type": "transfer_out",
                    "date": _dates(np.full(int((kind == ELSEWHERE).sum()), before)),
                    "destination": _ELSEWHERE_PLACE,
                },
                int((kind == ELSEWHERE).sum()),
            ),
        ]
    )

    # the rosters
    local = ~non_local
    found = (kind == OUT_OF_SCHOOL) & (rng.random(n) < a["population.survey_finds_out_of_school"])
    rosters = {
        "household": pl.DataFrame(
            {
                "national_id": nid[local],
                "birth_date": _dates(birth[local]),
                "township": pl.Series(labels[township[local]].tolist(), dtype=pl.String),
            }
        ),
        "registry": pl.DataFrame(
            {
                "national_id": nid[registered],
                "student_id": ids[registered],
                "school_id": pl.Series(school[registered].tolist(), dtype=pl.String),
                "grade": grade[registered].astype(np.int64),
                "status": np.where(deferred, "suspended", "enrolled")[registered],
                "township": pl.Series(labels[township[registered]].tolist(), dtype=pl.String),
            }
        ),
        "disabled": pl.DataFrame(
            {"national_id": nid[certified], "birth_date": _dates(birth[certified])}
        ),
        "decisions": pl.DataFrame(
            {
                "national_id": nid[(kind == EXEMPT) | deferred],
                "kind": np.where(kind == EXEMPT, "exempt", "deferred")[(kind == EXEMPT) | deferred],
            }
        ),
        "elsewhere": pl.DataFrame(
            {"national_id": nid[kind == ELSEWHERE], "place": _ELSEWHERE_PLACE}
        ),
        "surveys": pl.DataFrame({"national_id": nid[found], "finding": "not_in_school"}),
        "unregistered": pl.DataFrame(
            {
                "national_id": nid[kind == UNREGISTERED],
                "school_id": pl.Series(school[kind == UNREGISTERED].tolist(), dtype=pl.String),
                "township": pl.Series(
                    labels[township[kind == UNREGISTERED]].tolist(), dtype=pl.String
                ),
            }
        ),
    }
    eligible = (registered & ~deferred & ~home_delivery)[s]
    return Population(
        seed=seed,
        school_year=school_year,
        assumptions=a,
        policy=policy,
        students=students,
        static_events=static,
        school_days=school_days,
        _kind=kind[s],
        _eligible=eligible,
        _priority=priority[s],
        _township=township[s],
        _pending=pending[s],
        **rosters,
    )


def _national_ids(region: str, birth: Array) -> Array:
    """Valid 18-character national ids: ``region``, the birth date, a sequence number that
    differs among children born on the same day, and the ISO 7064 check character."""
    if len(region) != 6 or not region.isdigit():
        raise AssumptionError("assumption 'population.region_code': expected six digits")
    order = np.argsort(birth, kind="stable")
    sorted_birth = birth[order]
    first = np.r_[0, np.nonzero(np.diff(sorted_birth))[0] + 1]
    starts = np.repeat(first, np.diff(np.r_[first, len(birth)]))
    seq = np.empty(len(birth), dtype=np.int64)
    seq[order] = np.arange(len(birth)) - starts
    if len(seq) and seq.max() > 999:
        raise AssumptionError("n_children: too many children born on one day for one region code")
    ymd = np.array(_dates(birth).dt.strftime("%Y%m%d").to_list(), dtype="U8")
    body = np.char.add(np.char.add(region, ymd), np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 17)
    total = ((digits.astype(np.int64) - 48) * np.array(ID_WEIGHTS, dtype=np.int64)).sum(axis=1)
    check = np.array(list(ID_CHECK), dtype="U1")[total % 11]
    return np.char.add(body, check)


# -- drawing a year's absences ---------------------------------------------------------------------


def _draw_spells(pop: Population, seed: int) -> Spells:
    """The spells of simulation seed ``seed``: unexcused and excused spells placed at random
    school days without touching (at least one school day at school between two spells), and
    at most one withdrawal (an unexcused spell with no end) after them."""
    a = pop.assumptions
    rng = np.random.default_rng([pop.seed, seed, 17])
    n_days = len(pop.school_days)
    who = np.nonzero(pop._eligible)[0]
    risk = np.where(pop._priority[who], a["absence.priority_risk_ratio"], 1.0)
    n_unexcused = rng.poisson(a["absence.unexcused_spells_per_child"] * risk)
    n_excused = rng.poisson(a["absence.excused_spells_per_child"], len(who))
    child = np.concatenate([np.repeat(who, n_unexcused), np.repeat(who, n_excused)])
    kind = np.concatenate(
        [np.full(n_unexcused.sum(), UNEXCUSED), np.full(n_excused.sum(), EXCUSED)]
    )
    m = len(child)
    start = rng.integers(0, n_days, m)
    median, sigma = a["absence.spell_median_school_days"], a["absence.spell_dispersion"]
    unexcused_length = np.maximum(1, np.rint(median * np.exp(sigma * rng.standard_normal(m))))
    excused_length = rng.integers(1, a["absence.excused_max_school_days"] + 1, m)
    length = np.where(kind == UNEXCUSED, unexcused_length, excused_length).astype(np.int64)
    cause = _categorical(rng, a["absence.cause_weights"], m)
    bits = np.array([_CAUSE_BIT[c] for c in a["absence.cause_weights"]], dtype=np.int64)
    causes = np.where(kind == UNEXCUSED, bits[cause], 0)

    # place the spells one after another: a spell starts at its drawn day or one school day
    # after the previous spell of the child ends, whichever is later
    order = np.lexsort((start, child))
    child, kind, start, length, causes = (x[order] for x in (child, kind, start, length, causes))
    group_start = np.r_[True, child[1:] != child[:-1]] if m else np.zeros(0, dtype=bool)
    step = length + 1
    before = np.cumsum(step) - step  # sum of (length + 1) of the earlier spells, over all
    offset = np.maximum.accumulate(np.where(group_start, before, 0))
    before -= offset  # within the child
    c = start - before
    span = n_days * 4 + int(step.sum()) + 1
    group = np.cumsum(group_start) - 1
    c = np.maximum.accumulate(c + group * span) - group * span
    start = c + before

    # a withdrawal: from a drawn school day, after the child's earlier spells
    p_withdraw = np.minimum(1.0, a["absence.withdrawal_probability"] * risk)
    withdrawing = rng.random(len(who)) < p_withdraw
    w_child = who[withdrawing]
    w_start = rng.integers(0, n_days, len(w_child))
    refusal = rng.random(len(w_child)) < a["absence.withdrawal_guardian_refusal_share"]
    w_cause = bits[_categorical(rng, a["absence.cause_weights"], len(w_child))]
    w_causes = w_cause | np.where(refusal, _CAUSE_BIT["guardian_refusal"], 0)
    limit = np.full(len(pop.students), NO_END, dtype=np.int64)
    limit[w_child] = w_start
    keep = (start < n_days) & (start + length - 1 <= limit[child] - 2)
    child, kind, start, length, causes = (x[keep] for x in (child, kind, start, length, causes))
    child = np.concatenate([child, w_child])
    kind = np.concatenate([kind, np.full(len(w_child), WITHDRAWAL)])
    start = np.concatenate([start, w_start])
    length = np.concatenate([length, np.full(len(w_child), NO_END)])
    causes = np.concatenate([causes, w_causes])
    order = np.lexsort((start, child))
    child, kind, start, length, causes = (x[order] for x in (child, kind, start, length, causes))
    first = np.r_[True, child[1:] != child[:-1]] if len(child) else np.zeros(0, dtype=bool)
    number = np.arange(len(child)) - np.maximum.accumulate(
        np.where(first, np.arange(len(child)), 0)
    )
    return Spells(
        seed=seed,
        child=child.astype(np.int64),
        start=start.astype(np.int64),
        length=length.astype(np.int64),
        kind=kind.astype(np.int64),
        causes=causes.astype(np.int64),
        number=number.astype(np.int64),
    )
