"""``kongchuo batch``: assess a whole students table and events table (Parquet or CSV) and write
the four tables (Parquet, or CSV with ``--csv``) into a folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kongchuo_rules.errors import KongchuoError

__all__ = ["add_command"]

_LIST_SEPARATOR = ";"  # a list cell (causes) in CSV: values separated by semicolons
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell beginning so is a formula to a spreadsheet


class BatchCommandError(KongchuoError):
    """A file of ``kongchuo batch`` cannot be used; the message names the file."""


def add_command(sub: Any, iso_date: Callable[[str], Any]) -> None:
    """Add ``kongchuo batch`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "batch",
        help="assess a whole table of children (Parquet or CSV) into four tables",
        description=(
            "Assess every child of STUDENTS with EVENTS on a day (PRODUCT.md §7.1 tables) and "
            "write children, actions, findings and episodes into DIR. CSV: UTF-8 with a "
            "header row; dates YYYY-MM-DD; true/false; causes separated by ';'."
        ),
    )
    p.add_argument("--students", required=True, metavar="STUDENTS.parquet|.csv")
    p.add_argument("--events", required=True, metavar="EVENTS.parquet|.csv")
    p.add_argument("--as-of", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--csv", action="store_true", help="write CSV instead of Parquet")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        import polars  # noqa: F401
    except ImportError:
        raise BatchCommandError(
            "the batch command needs the batch extra: pip install 'kongchuo-rules[batch]'"
        ) from None
    from kongchuo_rules.batch import EVENT_COLUMNS, STUDENT_COLUMNS, assess_batch
    from kongchuo_rules.policy import default_policy, load_policy

    students = _read(args.students, {c: k for c, (k, _) in STUDENT_COLUMNS.items()})
    events = _read(args.events, {c: k for c, (k, _, _) in EVENT_COLUMNS.items()})
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchCommandError(f"{out}: cannot create the folder ({exc.strerror})") from None
    policy = load_policy(args.policy) if args.policy else default_policy()
    with _progress(len(students)) as advance:
        result = assess_batch(students, events, as_of=args.as_of, policy=policy, progress=advance)
    tables = {
        "children": result.children,
        "actions": result.actions,
        "findings": result.findings,
        "episodes": result.episodes,
    }
    for name, frame in tables.items():
        path = out / f"{name}.{'csv' if args.csv else 'parquet'}"
        try:
            if args.csv:
                _csv_ready(frame).write_csv(path)
            else:
                frame.write_parquet(path)
        except OSError as exc:
            raise BatchCommandError(f"{path}: cannot write ({exc.strerror})") from None
    counts = result.children.group_by("status").len().sort("len", descending=True)
    print(f"{len(result.children)} children assessed on {args.as_of} ({result.policy_version})")
    for status, n in counts.iter_rows():
        print(f"  {status:20} {n:>10}")
    print(f"{len(result.actions)} actions, {len(result.findings)} findings -> {out}")
    return 0


def _read(path: str, kinds: Mapping[str, str]) -> Any:
    """A table from a Parquet or CSV file; errors name the file, never a value."""
    import polars as pl

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise BatchCommandError(f"{path}: expected a .parquet or .csv file")
    if not p.is_file():
        raise BatchCommandError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            return pl.read_parquet(p)
        frame = pl.read_csv(p, infer_schema=False, encoding="utf8")
    except Exception as exc:  # the reader's message may quote the file's content
        raise BatchCommandError(f"{path}: cannot read ({type(exc).__name__})") from None
    return frame.with_columns(
        [_from_text(frame.get_column(c), kinds[c]) for c in frame.columns if c in kinds]
    )


def _from_text(series: Any, kind: str) -> Any:
    """A CSV column (text) as the kind the batch engine checks (bad cells stay for it to name)."""
    import polars as pl

    text = series.str.strip_chars()
    text = pl.select(pl.when(text.str.len_chars() > 0).then(text)).to_series().alias(series.name)
    if kind == "bool":
        lowered = text.str.to_lowercase()
        mapping = {"true": True, "false": False, "1": True, "0": False}
        found = lowered.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
        if (found.is_null() & lowered.is_not_null()).any():
            return text  # the engine reports the row
        return found
    if kind == "list":
        return text.str.split(_LIST_SEPARATOR).list.eval(pl.element().str.strip_chars())
    if kind == "int":
        found = text.cast(pl.Int64, strict=False)
        return text if (found.is_null() & text.is_not_null()).any() else found
    return text


def _csv_ready(frame: Any) -> Any:
    """``frame`` with list columns joined by ';' and text cells that a spreadsheet would run as
    a formula prefixed with an apostrophe."""
    import polars as pl

    columns = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            col = col.cast(pl.List(pl.String)).list.join(_LIST_SEPARATOR)
        elif dtype in (pl.String,) or isinstance(dtype, pl.Enum):
            col = col.cast(pl.String)
        else:
            columns.append(col)
            continue
        risky = col.str.slice(0, 1).is_in(list(_FORMULA))
        columns.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.select(columns)


class _progress:
    """A progress bar on stderr for long runs, when stderr is a terminal (tqdm if installed)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if sys.stderr.isatty() and self.total >= 200_000:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=self.total, unit="child", unit_scale=True, file=sys.stderr)
        return self._advance

    def _advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
