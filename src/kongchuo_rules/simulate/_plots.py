"""Plots of a simulation, labelled in Chinese or English.

Chinese text renders with the font shipped in ``fonts/`` (Kongchuo Sans SC, a subset of Noto
Sans CJK SC under the SIL Open Font License), whatever fonts the machine has: the figures ask
for DejaVu Sans (matplotlib's own) and fall back, glyph by glyph, to the shipped font.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

import polars as pl
from matplotlib.figure import Figure

from kongchuo_rules.vocabulary import ActionKind, Agency, Lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kongchuo_rules.simulate._result import SimulationResult

__all__ = [
    "FONT_FAMILY",
    "SimulationFigure",
    "font_path",
    "label",
    "plot_funnel",
    "plot_weekly",
    "plot_workload",
]

FONT_FAMILY = "Kongchuo Sans SC"
"""The family name of the shipped CJK font."""

# drawing style (not rates): the opacity of the seed range, the width of a group of bars
SHADE = 0.15
GROUP_WIDTH = 0.8

_TEXT: dict[str, tuple[str, str]] = {
    # milestones and funnel stages
    "alert": ("疑似辍学预警", "7-day alert"),
    "persuasion": ("进入动员劝返", "persuasion starts"),
    "dropout": ("辍学", "dropout"),
    "returned": ("劝返复学", "returned"),
    "dropout_at_year_end": ("学年末仍辍学", "dropout at year end"),
    # workload measures
    "required": ("新增行动", "actions required"),
    "due": ("到期行动", "actions due"),
    "done": ("完成行动", "actions done"),
    "overdue": ("新增逾期", "newly overdue"),
    "open": ("待办行动", "open actions"),
    "open_overdue": ("逾期未办", "open and overdue"),
    # axes and titles
    "week": ("周（学年第几周）", "week of the school year"),
    "per_week": ("每周数量（各种子均值，阴影为范围）", "per week (mean over seeds, range shaded)"),
    "children": ("儿童数（各种子均值，误差线为范围）", "children (mean over seeds, bars: range)"),
    "funnel": ("控辍保学漏斗", "Dropout-control funnel"),
    "weekly": ("每周数量", "Weekly counts"),
    "workload": ("各部门每周工作量", "Weekly workload by agency"),
}


def label(key: str, lang: Lang) -> str:
    """The label of a milestone, stage, measure, action kind, agency or axis in ``lang``."""
    if key in _TEXT:
        zh, en = _TEXT[key]
        return zh if lang == "zh" else en
    for enum in (ActionKind, Agency):
        if key in enum.__members__.values():
            return enum(key).label(lang)
    return key


def font_path() -> str:
    """The path of the shipped CJK font."""
    return str(resources.files("kongchuo_rules.simulate") / "fonts" / "KongchuoSansSC-Regular.otf")


_REGISTERED: list[bool] = []


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib as mpl
    from matplotlib import font_manager

    if not _REGISTERED:
        font_manager.fontManager.addfont(font_path())
        _REGISTERED.append(True)
    with mpl.rc_context({"font.family": ["DejaVu Sans", FONT_FAMILY], "axes.unicode_minus": False}):
        yield


class SimulationFigure(Figure):
    """A matplotlib figure that shows itself in a notebook without pyplot (``_repr_png_``)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def _figure(rows: int, cols: int, width: float = 6.0, height: float = 3.2) -> tuple[Figure, Any]:
    fig = SimulationFigure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _township(name: str, result: SimulationResult, lang: Lang) -> str:
    if lang == "zh":
        return name
    try:
        return result.population.policy.township(name).pinyin
    except KeyError:
        return name


def _series(frame: pl.DataFrame, weeks: int, seeds: Sequence[int]) -> tuple[Any, Any, Any, Any]:
    """Week numbers, mean, min and max over the seeds of a frame of ``seed, week, n``."""
    import numpy as np

    table = np.zeros((len(seeds), weeks))
    where = {s: i for i, s in enumerate(seeds)}
    for seed, week, n in frame.select("seed", "week", "n").iter_rows():
        if 1 <= week <= weeks:
            table[where[seed], week - 1] += n
    x = np.arange(1, weeks + 1)
    return x, table.mean(axis=0), table.min(axis=0), table.max(axis=0)


def plot_weekly(
    result: SimulationResult, kinds: Sequence[str], *, lang: Lang = "zh", by: str | None = None
) -> Figure:
    """Weekly counts of ``kinds`` per policy (mean over the seeds, the range shaded)."""
    if by not in (None, "township"):
        raise ValueError("by: expected None or 'township'")
    kinds = list(kinds)
    weekly = result.weekly().filter(pl.col("kind").is_in(kinds))
    weeks = result.weeks().height
    panels: list[tuple[str, pl.DataFrame, list[str]]]
    if by == "township":
        panels = [
            (_township(t, result, lang), weekly.filter(pl.col("township") == t), kinds)
            for t in result.population.townships
        ]
    else:
        panels = [(label(k, lang), weekly.filter(pl.col("kind") == k), [k]) for k in kinds]
    cols = 1 if len(panels) == 1 else (2 if len(panels) <= 4 else 3)
    rows = -(-len(panels) // cols)
    with _style():
        fig, axes = _figure(rows, cols)
        for n, (title, frame, shown) in enumerate(panels):
            ax: Axes = axes[n // cols][n % cols]
            for policy in result.policies:
                for kind in shown:
                    part = frame.filter((pl.col("policy") == policy) & (pl.col("kind") == kind))
                    x, mean, lo, hi = _series(part, weeks, result.seeds)
                    name = policy if len(shown) == 1 else f"{policy} · {label(kind, lang)}"
                    (line,) = ax.plot(x, mean, label=name, linewidth=1.4)
                    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=SHADE, linewidth=0)
            ax.set_title(title)
            ax.set_xlabel(label("week", lang))
            ax.set_ylabel(label("per_week", lang), fontsize=8)
            ax.legend(fontsize=8)
        for n in range(len(panels), rows * cols):
            axes[n // cols][n % cols].set_visible(False)
        title = label("weekly", lang)
        if by == "township":
            title += ("：" if lang == "zh" else ": ") + ", ".join(label(k, lang) for k in kinds)
        fig.suptitle(title)
    return fig


def plot_funnel(result: SimulationResult, *, lang: Lang = "zh") -> Figure:
    """Children reaching each stage, per policy (county totals: mean over seeds, range)."""
    import numpy as np

    from kongchuo_rules.simulate._result import STAGES

    totals = result.funnel().group_by("policy", "seed", "stage").agg(pl.col("children").sum())
    policies = list(result.policies)
    width = GROUP_WIDTH / max(len(policies), 1)
    with _style():
        fig, axes = _figure(1, 1, width=7.5, height=4.0)
        ax: Axes = axes[0][0]
        x = np.arange(len(STAGES))
        for i, policy in enumerate(policies):
            stats = [
                totals.filter((pl.col("policy") == policy) & (pl.col("stage") == s)).get_column(
                    "children"
                )
                for s in STAGES
            ]
            mean = np.array([s.mean() if len(s) else 0.0 for s in stats], dtype=float)
            lo = np.array([s.min() if len(s) else 0 for s in stats], dtype=float)
            hi = np.array([s.max() if len(s) else 0 for s in stats], dtype=float)
            ax.bar(
                x + (i - (len(policies) - 1) / 2) * width,
                mean,
                width,
                yerr=[mean - lo, hi - mean],
                capsize=3,
                label=policy,
            )
        ax.set_xticks(x, [label(s, lang) for s in STAGES])
        ax.set_ylabel(label("children", lang))
        ax.set_yscale("symlog", linthresh=10)
        ax.legend()
        ax.set_title(label("funnel", lang))
    return fig


def plot_workload(
    result: SimulationResult,
    agencies: Sequence[str] | None = None,
    *,
    lang: Lang = "zh",
    measure: str = "required",
) -> Figure:
    """Weekly ``measure`` of :meth:`SimulationResult.workload` per agency (the six busiest
    unless ``agencies`` is given) and policy."""
    work = result.workload()
    if measure not in work.columns[4:]:
        raise ValueError(f"measure: expected one of {', '.join(work.columns[4:])}")
    if agencies is None:
        busiest = (
            work.group_by("agency")
            .agg(pl.col(measure).sum())
            .sort(measure, "agency", descending=[True, False])
        )
        agencies = busiest.get_column("agency").head(6).to_list()
    frame = work.select("policy", "seed", "agency", "week", pl.col(measure).alias("n"))
    weeks = result.weeks().height
    cols = 1 if len(agencies) == 1 else 2
    rows = max(1, -(-len(agencies) // cols))
    with _style():
        fig, axes = _figure(rows, cols)
        for n, agency in enumerate(agencies):
            ax: Axes = axes[n // cols][n % cols]
            for policy in result.policies:
                part = frame.filter((pl.col("policy") == policy) & (pl.col("agency") == agency))
                x, mean, lo, hi = _series(part, weeks, result.seeds)
                (line,) = ax.plot(x, mean, label=policy, linewidth=1.4)
                ax.fill_between(x, lo, hi, color=line.get_color(), alpha=SHADE, linewidth=0)
            ax.set_title(label(agency, lang))
            ax.set_xlabel(label("week", lang))
            ax.set_ylabel(label(measure, lang))
            ax.legend(fontsize=8)
        for n in range(len(agencies), rows * cols):
            axes[n // cols][n % cols].set_visible(False)
        fig.suptitle(label("workload", lang))
    return fig
