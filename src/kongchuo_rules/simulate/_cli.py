"""The ``kongchuo demo`` and ``kongchuo simulate`` commands (PRODUCT.md §7.2).

:func:`add_commands` adds both to the ``kongchuo`` parser; this module imports nothing of the
``sim`` extra until a command runs, so ``kongchuo --help`` works without it. Bad input — an
unknown parameter or a bad value in ``--change``, zero or negative children or seeds, a policy
variant that fails validation — is one error line naming the option, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from kongchuo_rules.errors import KongchuoError
from kongchuo_rules.vocabulary import Lang

if TYPE_CHECKING:
    import polars as pl

    from kongchuo_rules.policy import Policy
    from kongchuo_rules.simulate._population import Population
    from kongchuo_rules.simulate._result import SimulationResult

__all__ = ["SimulationInputError", "add_commands", "parse_change"]

DEMO_DIR = "kongchuo-demo"
DEMO_CHANGE = ("absence.alert_unexcused_school_days", 5)


class SimulationInputError(KongchuoError):
    """A command-line option of ``demo`` or ``simulate`` is not valid; the message names it."""


def _one_line_error(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` report its errors as one line (no usage block), exit status 2."""

    def error(message: str) -> NoReturn:
        parser.exit(2, f"{parser.prog}: error: {message}\n")

    known = parser.parse_known_args

    def strict(args: Any = None, namespace: Any = None) -> Any:
        found, extras = known(args, namespace)
        if extras:
            error(f"unrecognized arguments: {' '.join(extras)}")
        return found, extras

    parser.error = error  # type: ignore[method-assign]
    parser.parse_known_args = strict  # type: ignore[method-assign]


def add_commands(sub: Any) -> None:
    """Add ``demo`` and ``simulate`` to the ``kongchuo`` subcommands ``sub``."""
    p = sub.add_parser(
        "demo",
        help="the synthetic Jidong county end to end: ledger, batch assessment, 7 vs 5 days",
        description=(
            "Build the synthetic 鸡东县, reconcile its ledger, assess it with the batch engine, "
            "simulate a school year under the plan's 7-day trigger and a 5-day variant, print "
            f"a summary and write CSVs and plots into ./{DEMO_DIR}/."
        ),
    )
    _common(p, default_children="20000", default_seeds="10", default_out=DEMO_DIR)
    p.set_defaults(run=run_demo)
    _one_line_error(p)

    p = sub.add_parser(
        "simulate",
        help="simulate a school year under the policy and a variant (--change NAME=VALUE)",
        description=(
            "Simulate a school year of the synthetic county under the policy and a variant of "
            "it, and write the comparison, tables and plots into --out."
        ),
    )
    p.add_argument(
        "--change",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the variant (repeatable), e.g. absence.alert_unexcused_school_days=5",
    )
    p.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change an assumption of the simulation (repeatable), e.g. "
        "interventions.home_visit_return_probability=0.7",
    )
    _common(p, default_children="20000", default_seeds="10", default_out=None)
    p.set_defaults(run=run_simulate)
    _one_line_error(p)


def _common(
    p: argparse.ArgumentParser,
    *,
    default_children: str,
    default_seeds: str,
    default_out: str | None,
) -> None:
    p.add_argument(
        "--children", default=default_children, metavar="N", help="children in the county"
    )
    p.add_argument("--seeds", default=default_seeds, metavar="K", help="seeds (simulated years)")
    p.add_argument("--seed", default="1", metavar="S", help="the county's seed")
    p.add_argument(
        "--out",
        default=default_out,
        required=default_out is None,
        metavar="DIR",
        help="folder for the CSVs and plots"
        + (f" (default: ./{default_out})" if default_out else ""),
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--no-plots", action="store_true", help="write the CSVs only")


def _whole(option: str, text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum or str(text).strip().lstrip("+") != str(value):
        raise SimulationInputError(
            f"{option}: expected a whole number of {minimum} or more, got {text!r}"
        )
    return value


def parse_change(option: str, text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of ``--change`` / ``--assume``: the value read as a TOML value (``5``,
    ``0.7``, ``true``, ``"08-31"``, ``{school = 0.8}``), or as text when it is none.

    >>> parse_change("--change", "absence.alert_unexcused_school_days=5")
    ('absence.alert_unexcused_school_days', 5)
    >>> parse_change("--change", "absence.month_clock=calendar")
    ('absence.month_clock', 'calendar')
    """
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise SimulationInputError(f"{option} {text!r}: expected NAME=VALUE")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return name, value


def _sim_imports() -> None:
    try:
        import matplotlib  # noqa: F401
        import polars  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        raise SimulationInputError(
            "this command needs the sim extra: pip install 'kongchuo-rules[sim]'"
        ) from None


def _base_policy(args: argparse.Namespace) -> Policy:
    from kongchuo_rules.policy import default_policy, load_policy

    path = getattr(args, "policy", None)
    return load_policy(path) if path else default_policy()


def _variant(base: Policy, changes: Sequence[str]) -> tuple[str, Policy]:
    parsed = dict(parse_change("--change", c) for c in changes)
    if not parsed:
        raise SimulationInputError("--change: give at least one NAME=VALUE for the variant")
    try:
        policy = base.with_changes(parsed)
    except KongchuoError as exc:
        raise SimulationInputError(f"--change: {exc}") from None
    name = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in parsed.items())
    return name, policy


def _county(args: argparse.Namespace, assume: Sequence[str] = ()) -> Population:
    from kongchuo_rules.simulate._assumptions import AssumptionError, Assumptions
    from kongchuo_rules.simulate._population import synthetic_county

    children = _whole("--children", args.children, 1)
    seed = _whole("--seed", args.seed, 0)
    changes = dict(parse_change("--assume", a) for a in assume)
    try:
        assumptions = Assumptions.default().with_changes(changes)
        return synthetic_county(
            children, seed=seed, assumptions=assumptions, policy=_base_policy(args)
        )
    except AssumptionError as exc:
        raise SimulationInputError(f"--assume: {exc}" if assume else str(exc)) from None


def _out(args: argparse.Namespace) -> Path:
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimulationInputError(f"--out {args.out}: cannot create ({exc.strerror})") from None
    return out


# -- printing ----------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in head], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(head))]
    lines = []
    for n, row in enumerate(cells):
        parts = [
            c + " " * (w - _width(c)) if i == 0 else " " * (w - _width(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:+.2f}" if value < 0 else f"{value:.2f}"
    return str(value)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


# -- the commands ------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace) -> int:
    """``kongchuo demo``."""
    _sim_imports()
    import datetime as dt
    import time

    import polars as pl

    from kongchuo_rules.batch import assess_batch
    from kongchuo_rules.county import enrollment_rate
    from kongchuo_rules.simulate._simulate import simulate

    started = time.perf_counter()
    lang = args.lang
    seeds = _whole("--seeds", args.seeds, 1)
    county = _county(args)
    out = _out(args)
    base = _base_policy(args)
    name, value = DEMO_CHANGE
    names = (
        _t(lang, "7个教学日", "7 school days"),
        _t(lang, f"{value}个教学日", f"{value} school days"),
    )
    policies = {names[0]: base, names[1]: base.with_changes({name: value})}
    schools = sum(len(t.schools) for t in county.policy.townships)
    print(
        _t(
            lang,
            f"合成鸡东县：{county.n_children:,} 名儿童，{len(county.townships)} 个乡（镇），"
            f"{schools} 所学校，{county.school_year}–{county.school_year + 1} 学年",
            f"Synthetic Jidong county: {county.n_children:,} children, "
            f"{len(county.townships)} towns and townships, {schools} schools, school year "
            f"{county.school_year}–{county.school_year + 1}",
        )
    )

    if not _core_cached():
        print(
            _t(
                lang,
                "（首次运行：批量引擎的规则核心正在编译，约一至两分钟，之后缓存）",
                "(first run: compiling the batch engine's rules core, one to two minutes, "
                "then cached)",
            ),
            flush=True,
        )

    # 1. the ledger at the start of the year and at its end (each variant, first seed)
    first = county.first_day
    ledger = county.ledger(first, county.static_events, policy=base)
    rates = enrollment_rate(ledger, "township", base)
    county_rate = enrollment_rate(ledger, policy=base)
    result = simulate(county, policies, seeds=seeds)
    end_rates = result.rates(seeds=result.seeds[:1])
    last = county.last_school_day
    print()
    print(
        _t(
            lang,
            f"1. 台账与入学率：学年初（{first}）{county_rate.value:.2%}"
            f"（{county_rate.numerator:,}/{county_rate.denominator:,}）；学年末（{last}，种子 "
            f"{result.seeds[0]}）各方案如下",
            f"1. Ledger and enrolment rate (入学率): start of the year ({first}) "
            f"{county_rate.value:.2%} ({county_rate.numerator:,}/{county_rate.denominator:,}); "
            f"end of the year ({last}, seed {result.seeds[0]}) per variant below",
        )
    )
    ledger_rows = []
    for t in county.townships:
        r = rates.get(t)
        cells: list[Any] = [_township(t, county, lang)]
        cells += [r.numerator, r.denominator, f"{r.value:.2%}"] if r else ["-", "-", "-"]
        for variant in policies:
            found = end_rates.filter((pl.col("policy") == variant) & (pl.col("township") == t))
            cells.append(f"{found.get_column('rate').item():.2%}" if found.height else "-")
        ledger_rows.append(cells)
    print(
        _table(
            [_t(lang, "乡（镇）", "township"), _t(lang, "在学", "enrolled"),
             _t(lang, "适龄", "school-age"), _t(lang, "学年初", "at start"),
             *(_t(lang, f"学年末·{v}", f"at end · {v}") for v in policies)],
            ledger_rows,
        )
    )  # fmt: skip
    totals = pl.DataFrame(
        [{"category": k, "children": v} for k, v in ledger.totals.items() if v],
        schema={"category": pl.String, "children": pl.Int64},
    )

    # 3. the batch engine on the simulated year of the plan, seed 0
    as_of = dt.date(county.school_year + 1, 1, 15)
    events = result.events(names[0], result.seeds[0])
    batch = assess_batch(county.students, events, as_of=as_of, policy=base)
    statuses = batch.children.group_by("status").len().sort("len", descending=True)
    open_actions = batch.actions.filter(~pl.col("done"))
    print()
    print(
        _t(
            lang,
            f"2. 批量评估 {batch.children.height:,} 名儿童"
            f"（{as_of}，{names[0]}，种子 {result.seeds[0]}）",
            f"2. Batch assessment of {batch.children.height:,} children on {as_of} "
            f"({names[0]}, seed {result.seeds[0]})",
        )
    )
    status_text = ", ".join(
        f"{_status(s, lang)} {n:,}" for s, n in statuses.iter_rows() if s != "attending"
    )
    attending = statuses.filter(pl.col("status") == "attending").get_column("len").sum()
    print(f"   {_status('attending', lang)} {attending:,}; {status_text}")
    print(
        _t(lang, "   未完成行动 ", "   open actions ")
        + f"{open_actions.height:,}"
        + _t(lang, "，其中逾期 ", ", overdue ")
        + f"{open_actions.filter(pl.col('overdue')).height:,}"
    )

    # 4. the comparison
    per_township = result.compare(baseline=names[0], by=("township",))
    county_diff = result.compare(baseline=names[0])
    print()
    print(
        _t(
            lang,
            f"3. {names[1]} 对比 {names[0]}（{len(result.seeds)} 个种子，每周数为全年 "
            f"{result.school_weeks} 个教学周的平均）",
            f"3. {names[1]} against {names[0]} ({len(result.seeds)} seeds; per week: over the "
            f"{result.school_weeks} school weeks)",
        )
    )
    print(_comparison(per_township, county_diff, county, lang, result.school_weeks))

    # 5. files
    written = _write(
        result,
        out,
        lang,
        not args.no_plots,
        extra={"ledger_start_of_year": totals, "rates_end_of_year": end_rates},
    )
    pl.DataFrame(
        [{"township": t, "enrolled": r.numerator, "school_age": r.denominator, "rate": r.value}
         for t, r in rates.items()]
    ).write_csv(out / "rates_start_of_year.csv")  # fmt: skip
    written.append("rates_start_of_year.csv")
    statuses.with_columns(pl.col("status").cast(pl.String)).write_csv(out / "batch_statuses.csv")
    written.append("batch_statuses.csv")
    print()
    print(_t(lang, f"已写出 {out}/：", f"Written to {out}/: ") + ", ".join(sorted(written)))
    print(
        _t(
            lang,
            f"用时 {time.perf_counter() - started:.1f} 秒",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    """``kongchuo simulate``."""
    _sim_imports()
    import time

    from kongchuo_rules.simulate._simulate import simulate

    started = time.perf_counter()
    lang = args.lang
    base = _base_policy(args)
    name, variant = _variant(base, args.change)
    seeds = _whole("--seeds", args.seeds, 1)
    county = _county(args, args.assume)
    out = _out(args)
    baseline = _t(lang, "现行方案", "policy")
    result = simulate(county, {baseline: base, name: variant}, seeds=seeds)
    per_township = result.compare(baseline=baseline, by=("township",))
    county_diff = result.compare(baseline=baseline)
    print(
        _t(
            lang,
            f"{name} 对比现行方案：{county.n_children:,} 名儿童，{len(result.seeds)} 个种子",
            f"{name} against the policy: {county.n_children:,} children, {len(result.seeds)} seeds",
        )
    )
    print(_comparison(per_township, county_diff, county, lang, result.school_weeks))
    written = _write(result, out, lang, not args.no_plots)
    print(_t(lang, f"已写出 {out}/：", f"Written to {out}/: ") + ", ".join(sorted(written)))
    print(
        _t(
            lang,
            f"用时 {time.perf_counter() - started:.1f} 秒",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    return 0


def _core_cached() -> bool:
    """Whether the compiled rules core is in its cache (best effort: ``True`` when unsure)."""
    try:
        from kongchuo_rules.batch import _compiled

        return any(_compiled.cache_dir().rglob("*.nbi"))
    except Exception:  # pragma: no cover - numba missing or the cache layout changed
        return True


def _township(name: str, county: Population, lang: str) -> str:
    if lang == "zh":
        return name
    try:
        return county.policy.township(name).pinyin
    except KeyError:
        return name


def _status(value: str, lang: str) -> str:
    from kongchuo_rules.vocabulary import Status

    return Status(value).label("zh" if lang == "zh" else "en")


def _comparison(
    per_township: pl.DataFrame, county: pl.DataFrame, pop: Population, lang: str, weeks: int
) -> str:
    """Per township and for the county: baseline → variant (difference), for alerts and home
    visits per school week and for the children reaching persuasion and dropping out."""
    import polars as pl

    metrics = {
        "alert": _t(lang, "预警/周", "alerts/week"),
        "home_visit": _t(lang, "家访/周", "home visits/week"),
        "children_persuasion": _t(lang, "进入劝返（人）", "children reaching persuasion"),
        "children_dropout": _t(lang, "辍学（人）", "children dropping out"),
    }
    head = [_t(lang, "乡（镇）", "township"), *metrics.values()]

    def row(label: str, frame: pl.DataFrame) -> list[Any]:
        cells: list[Any] = [label]
        for metric in metrics:
            part = frame.filter(pl.col("metric") == metric)
            base = float(part.get_column("baseline").sum()) if part.height else 0.0
            value = float(part.get_column("value").sum()) if part.height else 0.0
            if metric in ("alert", "home_visit"):
                base, value = base / max(weeks, 1), value / max(weeks, 1)
            cells.append(f"{base:.2f} → {value:.2f} ({value - base:+.2f})")
        return cells

    rows = [
        row(_township(t, pop, lang), per_township.filter(pl.col("township") == t))
        for t in pop.townships
    ]
    rows.append(row(_t(lang, "全县", "county"), county))
    return _table(head, rows)


def _write(
    result: SimulationResult,
    out: Path,
    lang: str,
    plots: bool,
    extra: dict[str, pl.DataFrame] | None = None,
) -> list[str]:
    """The tables as CSV (no personal data: counts only) and the plots as PNG."""
    written = []
    tables = {
        "weekly": result.weekly(),
        "funnel": result.funnel(),
        "workload": result.workload(),
        "compare": result.compare(),
        "compare_by_township": result.compare(by=("township",)),
        "weeks": result.weeks(),
        **(extra or {}),
    }
    for stem, frame in tables.items():
        frame.write_csv(out / f"{stem}.csv")
        written.append(f"{stem}.csv")
    if plots:
        code: Lang = "zh" if lang == "zh" else "en"
        figures = {
            "weekly": result.plot_weekly(("alert", "home_visit", "persuasion"), lang=code),
            "weekly_by_township": result.plot_weekly(("alert",), lang=code, by="township"),
            "funnel": result.plot_funnel(lang=code),
            "workload": result.plot_workload(lang=code),
        }
        for stem, figure in figures.items():
            figure.savefig(out / f"{stem}.png", dpi=110)
            written.append(f"{stem}.png")
    return written


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - used by cli.main
    """Run ``demo`` or ``simulate`` alone (the ``kongchuo`` command adds them itself)."""
    parser = argparse.ArgumentParser(prog="kongchuo")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KongchuoError as exc:
        print(f"kongchuo: error: {exc}", file=sys.stderr)
        return 2
