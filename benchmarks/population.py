"""A large, seeded, vectorised population for the batch benchmarks: a students table and an
events table in the shape of PRODUCT.md §7.1, drawn with numpy in a few seconds for millions of
children.

The mix (share of children with short excused absences, short unexcused ones, a long unexcused
spell with the work that follows, a deferral or transfer) is a benchmark assumption chosen to
exercise every path of the rules, not a model of any county — the simulation's population
(``kongchuo_rules.simulate``) is the documented one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

EPOCH = dt.date(1970, 1, 1)
SHARE_EXCUSED = 0.30  # children with 1-3 short excused spells
SHARE_SHORT = 0.10  # children with 1-2 short unexcused spells
SHARE_EPISODE = 0.02  # children with a long unexcused spell and the work that follows
SHARE_SPECIAL = 0.005  # children with a deferral or a transfer out


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def population(n: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``n`` children and their events, between 2026-09-01 and 2026-12-20."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("S", np.char.zfill(np.arange(n).astype(str), 8))
    birth = rng.integers(_day(dt.date(2011, 9, 1)), _day(dt.date(2020, 8, 31)), n)
    students = pl.DataFrame(
        {
            "id": ids,
            "birth_date": pl.Series(birth, dtype=pl.Int32).cast(pl.Date),
            "registered": rng.random(n) < 0.98,
            "household_low_income": rng.random(n) < 0.08,
            "flag_left_behind": rng.random(n) < 0.05,
            "disability_certified": rng.random(n) < 0.01,
        }
    )
    start, end = _day(dt.date(2026, 9, 1)), _day(dt.date(2026, 12, 20))
    parts: list[pl.DataFrame] = []

    def absences(who: np.ndarray, spells: int, days: int, excused: bool) -> None:
        for _ in range(spells):
            first = rng.integers(start, end, len(who))
            parts.append(
                pl.DataFrame(
                    {
                        "student_id": ids[who],
                        "type": "absence",
                        "start": pl.Series(first, dtype=pl.Int32).cast(pl.Date),
                        "end": pl.Series(
                            first + rng.integers(0, days, len(who)), dtype=pl.Int32
                        ).cast(pl.Date),
                        "excused": excused,
                    }
                )
            )

    def dated(
        who: np.ndarray, kind: str, after: np.ndarray, lo: int, hi: int, **fields: object
    ) -> None:
        day = after + rng.integers(lo, hi, len(who))
        keep = day <= end
        frame = {
            "student_id": ids[who][keep],
            "type": kind,
            "date": pl.Series(day[keep], dtype=pl.Int32).cast(pl.Date),
        }
        for name, values in fields.items():
            frame[name] = values[keep] if isinstance(values, np.ndarray) else values
        parts.append(pl.DataFrame(frame))

    u = rng.random(n)
    excused = np.nonzero(u < SHARE_EXCUSED)[0]
    absences(excused, 2, 3, True)
    short = np.nonzero((u >= SHARE_EXCUSED) & (u < SHARE_EXCUSED + SHARE_SHORT))[0]
    absences(short, 1, 4, False)
    lo = SHARE_EXCUSED + SHARE_SHORT
    episode = np.nonzero((u >= lo) & (u < lo + SHARE_EPISODE))[0]
    first = rng.integers(start, _day(dt.date(2026, 11, 20)), len(episode))
    parts.append(
        pl.DataFrame(
            {
                "student_id": ids[episode],
                "type": "absence",
                "start": pl.Series(first, dtype=pl.Int32).cast(pl.Date),
                "excused": False,
            }
        )
    )
    visited = rng.random(len(episode)) < 0.7
    dated(
        episode[visited],
        "home_visit",
        first[visited],
        8,
        20,
        by="class_teacher",
        causes=pl.Series([["economic_hardship"]] * int(visited.sum()), dtype=pl.List(pl.String)),
    )
    for _ in range(2):
        tried = rng.random(len(episode)) < 0.5
        outcomes = rng.choice(["agreed", "refused", "unreachable", "returned"], int(tried.sum()))
        dated(episode[tried], "persuasion", first[tried], 30, 60, level="school", outcome=outcomes)
    checked = rng.random(len(episode)) < 0.3
    findings = rng.choice(["at_home", "working", "migrated", "unknown"], int(checked.sum()))
    dated(episode[checked], "whereabouts", first[checked], 30, 50, finding=findings)
    special = np.nonzero((u >= lo + SHARE_EPISODE) & (u < lo + SHARE_EPISODE + SHARE_SPECIAL))[0]
    dated(special, "transfer_out", np.full(len(special), start), 0, 100)
    events = pl.concat(parts, how="diagonal_relaxed")
    return students, events
