"""Policy simulation (PRODUCT.md §7.2): the synthetic county, the simulated year against
``assess`` (differential), monotonicity, the tables, the ledger, the plots."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kongchuo_rules import assess, default_policy
from kongchuo_rules.batch import assess_batch, tables_to_cases
from kongchuo_rules.policy import Policy
from kongchuo_rules.simulate import (
    STAGES,
    AssumptionError,
    Assumptions,
    Interventions,
    Population,
    SimulationResult,
    simulate,
    synthetic_county,
)

BASE = default_policy()
FIVE = BASE.with_changes({"absence.alert_unexcused_school_days": 5})
POLICIES = {"7 days": BASE, "5 days": FIVE}
SIM = Path(__file__).resolve().parents[1] / "src" / "kongchuo_rules" / "simulate"


@pytest.fixture(scope="module")
def county() -> Population:
    return synthetic_county(3000, seed=5)


@pytest.fixture(scope="module")
def result(county: Population) -> SimulationResult:
    return simulate(county, POLICIES, seeds=[0, 1], progress=False)


# -- the synthetic county -----------------------------------------------------------------------


def test_the_county_is_reproducible_and_seeded() -> None:
    a = synthetic_county(800, seed=3)
    b = synthetic_county(800, seed=3)
    c = synthetic_county(800, seed=4)
    assert a.students.equals(b.students)
    assert a.events.equals(b.events)
    assert a.household.equals(b.household)
    assert a.registry.equals(b.registry)
    assert not a.students.equals(c.students)
    assert a.spells(2).start.tolist() == b.spells(2).start.tolist()
    assert a.spells(2).start.tolist() != a.spells(3).start.tolist()


def test_twenty_thousand_children_take_well_under_a_second() -> None:
    started = time.perf_counter()
    county = synthetic_county(20_000, seed=1)
    county.events  # noqa: B018  (the natural absences of seed 0)
    assert time.perf_counter() - started < 2.0  # about 0.1 s on the 2-core CI machine
    assert county.n_children == 20_000


def test_the_tables_are_the_batch_engines_and_every_national_id_is_valid(
    county: Population,
) -> None:
    nid = county.students.get_column("national_id")
    assert nid.n_unique() == county.students.height
    assert nid.str.slice(0, 6).unique().to_list() == ["230321"]
    # the batch engine checks every national id (checksum, birth date) and every column
    found = assess_batch(county.students, county.events, as_of=county.first_day)
    assert found.children.height == county.students.height
    towns = {t.zh for t in default_policy().townships}
    assert set(county.students.get_column("township").unique().to_list()) == towns
    schools = {s.id for t in default_policy().townships for s in t.schools}
    registered = county.students.filter(pl.col("registered"))
    assert set(registered.get_column("school_id").unique().to_list()) <= schools
    assert registered.get_column("grade").is_between(1, 9).all()
    assert "name" not in county.students.columns


def test_the_ledger_puts_every_child_of_the_rosters_in_one_category(county: Population) -> None:
    ledger = county.ledger(county.first_day, county.static_events)
    ids = [e.national_id for e in ledger.entries]
    assert len(ids) == len(set(ids)) == county.n_children
    totals = ledger.totals
    assert totals["in_school"] > 0.9 * county.n_children
    assert totals["studying_elsewhere"] > 0
    assert sum(totals.values()) == county.n_children


def test_no_rate_is_a_literal_in_the_code() -> None:
    """Every assumption of the file is read somewhere, and the code has no probability-like
    literal (a float strictly between 0 and 1)."""
    names = Assumptions.default().names()
    source = "\n".join(p.read_text(encoding="utf-8") for p in SIM.glob("*.py"))
    for name in names:
        assert f'"{name}"' in source, f"assumption {name} is read nowhere"
    for path in SIM.glob("*.py"):
        code = re.sub(r'""".*?"""', "", path.read_text(encoding="utf-8"), flags=re.S)
        code = re.sub(r"#.*", "", code)
        code = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", code)  # text, e.g. help with examples
        rates = re.findall(r"(?<![\w.])0\.\d*[1-9]", code)
        if path.name == "_plots.py":  # the drawing style's two named constants
            assert rates == ["0.15", "0.8"], rates
            continue
        assert not rates, (path.name, rates)


def test_assumptions_can_be_changed_and_bad_ones_are_named() -> None:
    a = Assumptions.default().with_changes({"absence.cause_weights": {"illness": 1.0}})
    assert a["absence.cause_weights"]["illness"] == 1.0
    assert a["absence.cause_weights"]["economic_hardship"] == 0.15
    assert a.changes == ("absence.cause_weights",)
    with pytest.raises(AssumptionError, match=r"did you mean 'absence\.withdrawal_probability'"):
        Assumptions.default().with_changes({"absence.withdrawal_probabilty": 0.1})
    with pytest.raises(AssumptionError, match="expected a probability from 0 to 1"):
        Assumptions.default().with_changes({"absence.withdrawal_probability": 1.5})
    with pytest.raises(AssumptionError, match="unknown key"):
        Assumptions.default().with_changes({"absence.cause_weights": {"boredom": 1}})
    with pytest.raises(AssumptionError, match="whole number"):
        Assumptions.default().with_changes({"absence.excused_max_school_days": 0})
    with pytest.raises(AssumptionError, match="n_children"):
        synthetic_county(0, seed=1)
    line = Assumptions.default().describe("absence.withdrawal_probability", "en")
    assert "0.005" in line
    assert "project assumption" in line


def test_interventions_are_named_overridable_assumptions() -> None:
    default = Interventions()
    assert default.persuasion_success == {
        "school": 0.6, "township": 0.5, "education_bureau": 0.4, "county": 0.3,
    }  # fmt: skip
    changed = Interventions(persuasion_success={"school": 0.9})
    assert changed.persuasion_success["school"] == 0.9
    assert changed.persuasion_success["county"] == 0.3
    assert Interventions.none().home_visit_return_probability == 0
    with pytest.raises(ValueError, match="unknown key"):
        Interventions(guardian_compliance={"fine": 0.5})
    with pytest.raises(ValueError, match="probability"):
        Interventions(persuasion_success={"school": 2})


# -- the simulated year against assess (differential) ------------------------------------------


def _check_statuses(
    result: SimulationResult, policy: str, seed: int, rng: random.Random, days: int = 10
) -> int:
    """``assess`` on every simulated child with an episode (and some others) on random days
    gives the status the simulation recorded; returns the number of checks."""
    county = result.population
    events = result.events(policy, seed)
    episodes = result.episodes().filter((pl.col("policy") == policy) & (pl.col("seed") == seed))
    kids = set(episodes.get_column("student_id").to_list())
    kids |= set(rng.sample(county.students.get_column("id").to_list(), 25))
    chosen = sorted(kids)
    pick = pl.col("student_id").is_in(pl.Series(chosen).implode())
    cases = {
        c.student.id: c
        for c in tables_to_cases(
            county.students.filter(pl.col("id").is_in(pl.Series(chosen).implode())),
            events.filter(pick),
        )
    }
    span = (county.last_day - county.first_day).days
    checks = 0
    for _ in range(days):
        day = county.first_day + dt.timedelta(days=rng.randrange(span + 1))
        recorded = dict(result.status(policy, seed, day).filter(pick).iter_rows())
        for kid in chosen:
            found = assess(cases[kid], as_of=day, policy=result.policies[policy]).status.value
            assert found == recorded[kid], (policy, seed, kid, day)
            checks += 1
    return checks


def test_assess_gives_the_status_the_simulation_recorded(result: SimulationResult) -> None:
    rng = random.Random(7)
    checks = sum(_check_statuses(result, p, s, rng) for p in result.policies for s in result.seeds)
    assert checks > 1000


def test_the_same_with_enforcement_transfers_and_no_interventions() -> None:
    """A county where many children withdraw and guardians refuse (the enforcement ladder,
    whereabouts checks, transfers out), with default interventions and with none."""
    county = synthetic_county(
        1500,
        seed=11,
        assumptions={
            "absence.withdrawal_probability": 0.05,
            "absence.withdrawal_guardian_refusal_share": 0.8,
            "response.whereabouts_weights": {"enrolled_elsewhere": 1.0, "missing": 0.5},
        },
    )
    rng = random.Random(3)
    for interventions in (Interventions(), Interventions.none()):
        result = simulate(county, POLICIES, seeds=[4], interventions=interventions, progress=False)
        stages = set(result.episodes().get_column("highest_stage").to_list())
        assert {"enforcement", "escalation"} <= stages
        assert result.episodes().get_column("left_on").is_not_null().any()
        for policy in result.policies:
            _check_statuses(result, policy, 4, rng, days=6)


def test_actions_done_by_the_simulation_are_done_for_assess(result: SimulationResult) -> None:
    county = result.population
    policy, seed = "7 days", result.seeds[0]
    actions = result.actions().filter(
        (pl.col("policy") == policy) & (pl.col("seed") == seed) & (pl.col("episode") > 0)
    )
    events = result.events(policy, seed)
    rng = random.Random(5)
    kids = rng.sample(sorted(set(actions.get_column("student_id").to_list())), 25)
    cases = {
        c.student.id: c
        for c in tables_to_cases(
            county.students.filter(pl.col("id").is_in(pl.Series(kids).implode())),
            events.filter(pl.col("student_id").is_in(pl.Series(kids).implode())),
        )
    }
    compared = 0
    for kid in kids:
        mine = actions.filter(pl.col("student_id") == kid)
        for row in mine.iter_rows(named=True):
            day = row["listed_until"]
            found = {
                (a.kind.value, a.agency.value, a.trigger): a.done
                for a in assess(cases[kid], as_of=day, policy=BASE).actions
            }
            key = (row["kind"], row["agency"], row["trigger"])
            if key in found:
                done = row["done_on"] is not None and row["done_on"] <= day
                assert found[key] == done, (kid, key, row["done_on"], day)
                compared += 1
    assert compared > 50


# -- monotonicity ---------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    county_seed=st.integers(0, 50),
    thresholds=st.lists(st.integers(1, 12), min_size=2, max_size=2, unique=True).map(sorted),
    rate=st.sampled_from([0.2, 0.6, 1.5]),
)
def test_with_no_interventions_a_lower_threshold_never_gives_fewer_alerts(
    seed: int, county_seed: int, thresholds: list[int], rate: float
) -> None:
    county = _small_county(county_seed, rate)
    low, high = thresholds
    policies = {
        "low": BASE.with_changes({"absence.alert_unexcused_school_days": low}),
        "high": BASE.with_changes({"absence.alert_unexcused_school_days": high}),
    }
    result = simulate(
        county, policies, seeds=[seed], interventions=Interventions.none(), progress=False
    )
    alerts = result.episodes().group_by("policy").len()
    count = dict(alerts.iter_rows())
    assert count.get("low", 0) >= count.get("high", 0)


_COUNTIES: dict[tuple[int, float], Population] = {}


def _small_county(seed: int, rate: float) -> Population:
    key = (seed, rate)
    if key not in _COUNTIES:
        _COUNTIES[key] = synthetic_county(
            400, seed=seed, assumptions={"absence.unexcused_spells_per_child": rate}
        )
    return _COUNTIES[key]


def test_common_random_numbers_make_identical_policies_identical(county: Population) -> None:
    twins = {"a": BASE, "b": BASE.with_changes({})}
    result = simulate(county, twins, seeds=[3], progress=False)
    diff = result.compare(baseline="a")
    assert (diff.get_column("diff") == 0).all()


# -- the tables --------------------------------------------------------------------------------


def test_weekly_has_the_contract_columns(result: SimulationResult) -> None:
    weekly = result.weekly()
    assert weekly.columns == ["policy", "seed", "township", "agency", "kind", "week", "n"]
    assert (weekly.get_column("n") > 0).all()
    kinds = set(weekly.get_column("kind").to_list())
    assert {"alert", "home_visit", "persuasion", "returned"} <= kinds
    milestones = weekly.filter(pl.col("kind").is_in(["alert", "persuasion"]))
    assert milestones.get_column("agency").is_null().all()
    # one home visit is required per alert
    totals = weekly.group_by("policy", "kind").agg(pl.col("n").sum())
    t = {(p, k): n for p, k, n in totals.iter_rows()}
    for policy in result.policies:
        assert t[(policy, "home_visit")] >= t[(policy, "alert")]
    assert weekly.get_column("week").is_between(1, result.weeks().height).all()


def test_funnel_stages_in_order_and_narrowing(result: SimulationResult) -> None:
    funnel = result.funnel()
    assert funnel.columns == ["policy", "seed", "township", "stage", "children", "episodes"]
    assert funnel.height == len(result.policies) * len(result.seeds) * 11 * len(STAGES)
    totals = funnel.group_by("policy", "stage").agg(pl.col("children").sum())
    t = {(p, s): n for p, s, n in totals.iter_rows()}
    for p in result.policies:
        assert t[(p, "alert")] >= t[(p, "persuasion")] >= t[(p, "dropout")]
        assert t[(p, "dropout")] >= t[(p, "dropout_at_year_end")]
    assert t[("5 days", "alert")] > t[("7 days", "alert")]


def test_workload_flows_and_stocks(result: SimulationResult) -> None:
    work = result.workload()
    assert work.columns[:4] == ["policy", "seed", "agency", "week"]
    sums = work.group_by("policy").agg(pl.col("required", "done", "overdue").sum())
    actions = (
        result.actions()
        .group_by("policy")
        .agg(required=pl.len(), done=pl.col("done_on").is_not_null().sum())
    )
    joined = sums.join(actions, on="policy", suffix="_actions")
    for row in joined.iter_rows(named=True):
        assert row["required"] == row["required_actions"]
        assert row["done"] == row["done_actions"]
        assert row["overdue"] <= row["required"]
    assert (work.get_column("open_overdue") <= work.get_column("open")).all()


def test_compare_pairs_seeds_and_fills_zeros(result: SimulationResult) -> None:
    diff = result.compare(baseline="7 days", by=("township",))
    assert set(diff.get_column("policy").unique().to_list()) == {"5 days"}
    alerts = diff.filter(pl.col("metric") == "alert")
    assert alerts.height == 11
    assert (alerts.get_column("diff_min") <= alerts.get_column("diff")).all()
    assert (alerts.get_column("diff") <= alerts.get_column("diff_max")).all()
    county = result.compare().filter(pl.col("metric") == "alert").row(0, named=True)
    assert county["diff"] == pytest.approx(alerts.get_column("diff").sum())
    assert county["diff_per_week"] == pytest.approx(county["diff"] / result.school_weeks)
    assert {"children_persuasion", "children_dropout"} <= set(
        result.compare().get_column("metric").to_list()
    )
    with pytest.raises(ValueError, match="baseline"):
        result.compare(baseline="8 days")


def test_events_are_a_valid_batch_table_without_personal_data(result: SimulationResult) -> None:
    events = result.events("5 days", 1)
    found = assess_batch(result.population.students, events, as_of=result.population.last_day)
    assert found.children.height == result.population.students.height
    national_id = re.compile(r"(?<![\d.])230321\d{11}[\dX]")
    text = events.with_columns(pl.col("causes").list.join(";")).write_csv()
    assert not national_id.search(text)
    for frame in (result.weekly(), result.funnel(), result.workload(), result.compare()):
        assert not national_id.search(frame.write_csv())
    with pytest.raises(ValueError, match="seed"):
        result.events("5 days", 99)


# -- rates through the ledger ---------------------------------------------------------------


def test_rates_per_township_through_the_ledger(result: SimulationResult) -> None:
    rates = result.rates(seeds=result.seeds[:1])
    assert rates.columns == [
        "policy", "seed", "township", "enrolled", "school_age", "rate", "target", "meets_target",
    ]  # fmt: skip
    assert rates.height == 2 * 11
    assert rates.get_column("rate").is_between(0.9, 1.0).all()


def test_the_patched_ledger_equals_reconciling_the_whole_county(result: SimulationResult) -> None:
    county = result.population
    policy, seed = "7 days", result.seeds[1]
    events = result.events(policy, seed)
    day = county.first_day + dt.timedelta(days=120)
    fast = result.ledger(policy, seed, day)
    full = county.ledger(day, events, policy=BASE)
    assert fast.totals == full.totals
    assert fast.by_township == full.by_township
    assert {(e.national_id, e.category) for e in fast.entries} == {
        (e.national_id, e.category) for e in full.entries
    }


# -- plots ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plots_render_chinese_without_missing_glyphs(result: SimulationResult, lang: Any) -> None:
    from matplotlib import font_manager

    from kongchuo_rules.simulate._plots import FONT_FAMILY, font_path

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        figures = [
            result.plot_weekly(lang=lang),
            result.plot_weekly(("alert",), lang=lang, by="township"),
            result.plot_funnel(lang=lang),
            result.plot_workload(lang=lang),
        ]
        for figure in figures:
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=40)
            assert buffer.getvalue().startswith(b"\x89PNG")
    found = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY))
    assert Path(found) == Path(font_path())
    title = figures[2].axes[0].get_title()
    assert title == ("控辍保学漏斗" if lang == "zh" else "Dropout-control funnel")


def test_the_shipped_font_covers_every_label() -> None:
    from fontTools.ttLib import TTFont

    from kongchuo_rules.simulate._plots import _TEXT, font_path
    from kongchuo_rules.vocabulary import ActionKind, Agency, Status

    cmap = TTFont(font_path())["cmap"].getBestCmap()
    texts = [zh for zh, _ in _TEXT.values()]
    texts += [m.zh for e in (ActionKind, Agency, Status) for m in e]
    texts += [t.zh for t in default_policy().townships]
    missing = {c for text in texts for c in text if not c.isascii() and ord(c) not in cmap}
    assert not missing


# -- progress -------------------------------------------------------------------------------


def test_no_progress_bar_when_not_a_terminal(
    county: Population, capsys: pytest.CaptureFixture[str]
) -> None:
    simulate(county, {"plan": BASE}, seeds=1)
    assert capsys.readouterr().err == ""


def test_bad_arguments_to_simulate(county: Population) -> None:
    with pytest.raises(AssumptionError, match="seeds"):
        simulate(county, POLICIES, seeds=0)
    with pytest.raises(AssumptionError, match="seeds"):
        simulate(county, POLICIES, seeds=[1, 1])
    with pytest.raises(AssumptionError, match="policies"):
        simulate(county, {}, seeds=1)
    with pytest.raises(AssumptionError, match="not a Policy"):
        simulate(county, {"x": "7 days"}, seeds=1)  # type: ignore[dict-item]
    assert isinstance(BASE, Policy)
    assert np.isfinite(county.school_days).all()


def test_the_docs_list_every_assumption() -> None:
    from kongchuo_rules.simulate._docs import END, START, assumptions_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "simulation.md").read_text("utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == assumptions_markdown(), (
        "docs/simulation.md is stale: run `python -m kongchuo_rules.simulate._docs`"
    )


@pytest.mark.parametrize("n", [1, 30])
def test_tiny_counties_work_end_to_end(n: int) -> None:
    county = synthetic_county(n, seed=2)
    result = simulate(county, POLICIES, seeds=2, progress=False)
    assert result.funnel().height == 2 * 2 * 11 * len(STAGES)
    assert result.events("7 days", 1).height >= county.static_events.height
    result.weekly()
    result.workload()
    result.compare()
    result.rates(seeds=[0])
