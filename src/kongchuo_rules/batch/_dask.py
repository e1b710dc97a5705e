"""The batch engine on Dask (PRODUCT.md §7.3): the four tables of :func:`assess_batch` for
tables that do not fit one machine, computed partition by partition by the same compiled rules
core (``pip install 'kongchuo-rules[dask]'``).

Both tables are dask DataFrames *partitioned by student id*: the students indexed by ``id``, the
events by ``student_id``, both with known divisions, so that partition ``i`` of the events holds
exactly the events of the children of partition ``i`` of the students.
:func:`partition_by_student` makes them so (one shuffle); Parquet written from its result and
read back with ``dd.read_parquet(path, index="id", calculate_divisions=True,
dtype_backend="pyarrow")`` is already so.
Each partition is then one call of :func:`~kongchuo_rules.batch.assess_batch` on a worker —
there is no second copy of any rule. See docs/scale.md for a cluster and a national run.

Bad input is refused with a :class:`~kongchuo_rules.batch.BatchInputError` *before* anything
is scheduled, from what a dask DataFrame knows for free (its columns, index and divisions);
``verify_partitions=True`` adds one pass over the id columns for divisions that were asserted
rather than computed. A partition whose ids contradict its divisions still fails, naming the
partition, when it runs: a child is never silently dropped or assessed twice.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from kongchuo_rules.assess import resolve
from kongchuo_rules.batch import (
    BatchResult,
    _actions,
    _children,
    _driver,
    _episodes,
    _findings,
    assess_batch,
)
from kongchuo_rules.batch._frames import (
    EVENT_COLUMNS,
    STUDENT_COLUMNS,
    BatchInputError,
    _columns,
    encode,
    to_polars,
)
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.policy import Policy

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DaskResult", "assess_dask", "partition_by_student", "warm_kernel", "warm_workers"]

TABLES = ("children", "actions", "findings", "episodes")
"""The four tables of a result, in the order of :class:`~kongchuo_rules.batch.BatchResult`."""

CHILDREN_PER_PARTITION = 100_000
"""Children per partition that :func:`partition_by_student` aims at by default: below the batch
engine's threading threshold (one partition is one core's work), a few hundred megabytes of
working memory at most, and few enough partitions for the scheduler (see docs/scale.md)."""

_KEYS = {"students": "id", "events": "student_id"}

_RUN_COLUMNS = {
    "students": pl.Int64,
    "events": pl.Int64,
    "children": pl.Int64,
    "actions": pl.Int64,
    "findings": pl.Int64,
    "episodes": pl.Int64,
    "seconds": pl.Float64,
    "compiled": pl.Boolean,
}


def _dd() -> Any:
    """``dask.dataframe``, or an ImportError that names the extra."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the dask extra is part of dev
        raise ImportError(
            "the batch engine on Dask needs the dask extra: pip install 'kongchuo-rules[dask]'"
        ) from exc
    return dd


def _compute(*collections: Any, **kwargs: Any) -> Any:
    """``dask.compute`` (untyped in dask)."""
    from dask.base import compute

    return compute(*collections, **kwargs)  # type: ignore[no-untyped-call]


# -- the tables' types ----------------------------------------------------------------------------


@cache
def _schemas() -> dict[str, pl.Schema]:
    """The polars schema of each table of :class:`BatchResult`, from the batch engine's own
    table builders run on no rows (so that the two can never drift apart)."""
    from kongchuo_rules import default_policy
    from kongchuo_rules._internal.tables import shared

    students = pl.DataFrame(
        schema={"id": pl.String, "birth_date": pl.Date, "registered": pl.Boolean}
    )
    enc = encode(students, pl.DataFrame())
    policy = default_policy()
    sh = shared(policy, policy.calendar)
    empty = {width: np.zeros((0, width), dtype=np.int64) for width in (5, 8, 10, 16)}
    refs = pl.Series("ref", [], dtype=pl.String)
    frames = {
        "children": _children(enc, empty[16]),
        "actions": _actions(enc, empty[8], empty[16], sh, refs),
        "findings": _findings(enc, empty[5]),
        "episodes": _episodes(enc, empty[10]),
    }
    return {name: frame.schema for name, frame in frames.items()}


def _pandas_dtype(dtype: pl.DataType) -> Any:
    """The pandas dtype a polars column becomes in the dask tables: enums are categoricals
    with every member as a known category, text is pyarrow-backed ``string``, the rest
    pyarrow-backed (``date32``, ``int64``, ``bool``, ``list<string>``; all nullable)."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(dtype, pl.Enum):
        return pd.CategoricalDtype(list(dtype.categories), ordered=False)
    if dtype == pl.String:
        return pd.StringDtype("pyarrow")
    if isinstance(dtype, pl.List):
        return pd.ArrowDtype(pa.list_(pa.string()))
    arrow = {pl.Date: pa.date32(), pl.Int64: pa.int64(), pl.Boolean: pa.bool_()}
    arrow.update({pl.Float64: pa.float64()})
    for polars_type, arrow_type in arrow.items():
        if dtype == polars_type:
            return pd.ArrowDtype(arrow_type)
    raise TypeError(f"no pandas dtype for {dtype}")  # pragma: no cover - every table is mapped


def _to_pandas(frame: pl.DataFrame, index: str | None = "student_id") -> pd.DataFrame:
    """``frame`` as a pandas DataFrame of the dask tables' dtypes, ``index`` as its index."""
    import pandas as pd
    import pyarrow as pa

    columns: dict[str, Any] = {}
    for series in frame.iter_columns():
        dtype = _pandas_dtype(series.dtype)
        if isinstance(dtype, pd.CategoricalDtype):
            codes = series.to_physical().cast(pl.Int64).fill_null(-1).to_numpy()
            columns[series.name] = pd.Categorical.from_codes(codes, dtype=dtype)
        elif isinstance(series.dtype, pl.List):
            arrow = series.cast(pl.List(pl.String)).to_arrow().cast(pa.list_(pa.string()))
            columns[series.name] = pd.arrays.ArrowExtensionArray(arrow)
        elif series.dtype == pl.String:
            columns[series.name] = pd.array(series.to_arrow(), dtype=dtype)
        else:
            columns[series.name] = pd.arrays.ArrowExtensionArray(series.to_arrow())
    if index is None:
        return pd.DataFrame(columns, index=pd.RangeIndex(frame.height))
    key = pd.Index(columns.pop(index), name=index)
    return pd.DataFrame(columns, index=key)


def _to_polars(frame: pd.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """A computed dask table back as the polars DataFrame of :class:`BatchResult`."""
    found = pl.from_pandas(frame.reset_index() if frame.index.name else frame)
    return found.select(
        pl.col(name).cast(pl.String).cast(dtype)
        if isinstance(dtype, pl.Enum)
        else pl.col(name).cast(dtype)
        for name, dtype in schema.items()
    )


@cache
def _metas() -> dict[str, pd.DataFrame]:
    """The ``meta`` (an empty pandas frame of the right dtypes) of each dask table."""
    metas = {name: _to_pandas(pl.DataFrame(schema=s)) for name, s in _schemas().items()}
    metas["partitions"] = _to_pandas(pl.DataFrame(schema=_RUN_COLUMNS), index=None)
    return metas


# -- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaskResult:
    """The four tables of PRODUCT.md §7.1 as lazy dask DataFrames, each indexed by
    ``student_id`` with the students' divisions (``.reset_index()`` gives the columns of
    :class:`~kongchuo_rules.batch.BatchResult` exactly); enum columns are pandas categoricals
    whose categories are every member of the enum, other columns pyarrow-backed.

    Computing any of them runs the assessment of the partitions it needs (once per partition
    for all four tables when they are computed together: ``dask.compute(r.children,
    r.actions, ...)``, ``dask.persist(...)`` or :meth:`compute`). For a national run write them
    where they are made (``r.children.to_parquet(...)``) rather than gather them.
    """

    children: Any
    """One row per child: the figures of its assessment."""
    actions: Any
    """One row per required action of every child."""
    findings: Any
    """One row per finding of every child."""
    episodes: Any
    """One row per run of absence that fired the 7-day rule, closed or open."""
    partitions: Any
    """One row per partition (index: the partition's number): the rows in (``students``,
    ``events``) and out (``children``, ``actions``, ``findings``, ``episodes``), the seconds
    spent deciding and whether the core ran compiled — the ledger of a run, made by the same
    tasks (children in = children out, partition by partition)."""
    as_of: dt.date
    policy_version: str

    def compute(self, **kwargs: Any) -> BatchResult:
        """All four tables computed together (each partition assessed once) and gathered into
        a :class:`~kongchuo_rules.batch.BatchResult` equal to ``assess_batch`` on the same
        tables; ``kwargs`` go to ``dask.compute``. For tables that fit the client's memory."""
        frames = _compute(*(getattr(self, name) for name in (*TABLES, "partitions")), **kwargs)
        schemas = _schemas()
        children, actions, findings, episodes = (
            _to_polars(f, schemas[name]) for name, f in zip(TABLES, frames, strict=False)
        )
        runs = frames[-1]
        return BatchResult(
            children,
            actions,
            findings,
            episodes,
            as_of=self.as_of,
            policy_version=self.policy_version,
            compiled=bool(runs["compiled"].all()),
            seconds=float(runs["seconds"].sum()),
        )


# -- partitioning -----------------------------------------------------------------------------


def partition_by_student(
    students: Any,
    events: Any,
    *,
    npartitions: int | None = None,
    children_per_partition: int = CHILDREN_PER_PARTITION,
) -> tuple[Any, Any]:
    """``students`` indexed by ``id`` and ``events`` by ``student_id``, sorted and split at the
    same student ids, so that every child's events sit in the child's partition: the input
    :func:`assess_dask` expects.

    ``students`` and ``events`` are dask DataFrames, or tables ``assess_batch`` reads (polars,
    pandas, pyarrow), which become dask DataFrames first. Ids are stripped of surrounding
    blanks (as ``assess_batch`` compares them) and a missing id becomes a blank one (which
    ``assess_dask`` then refuses, naming its row). ``npartitions`` defaults to one per
    ``children_per_partition`` children (counting them is one cheap pass).

    This costs a shuffle of both tables (``set_index``); do it once, and keep the result as
    Parquet (``to_parquet``), whose partitions and divisions ``dd.read_parquet(path,
    index="id", calculate_divisions=True, dtype_backend="pyarrow")`` reads back from the
    files' statistics, without reading the data (``dtype_backend="pyarrow"``: the events'
    ``causes`` list column cannot be read back otherwise).
    """
    dd = _dd()
    if children_per_partition < 1 or (npartitions is not None and npartitions < 1):
        raise BatchInputError("partition_by_student: partitions must hold at least one child")
    tables = {}
    for name, table in (("students", students), ("events", events)):
        frame = _as_dask(dd, table, name)
        key = _KEYS[name]
        if key not in frame.columns:
            raise BatchInputError(f"{name}: missing required column(s) {key!r}")
        _check_text(frame[key].dtype, name, key)
        tables[name] = frame.assign(**{key: frame[key].fillna("").str.strip()})
    s, e = tables["students"], tables["events"]
    if npartitions is None:
        npartitions = max(1, math.ceil(len(s) / children_per_partition))
    s = s.set_index("id", npartitions=npartitions, shuffle_method=_shuffle_method(s))
    e = e.set_index("student_id", divisions=s.divisions, shuffle_method=_shuffle_method(e))
    return s, e


def _shuffle_method(frame: Any) -> str | None:
    """Dask's own choice (peer-to-peer on a cluster), except for a frame with a nested
    pyarrow column (the events' ``causes``): the peer-to-peer shuffle cannot rebuild it
    (pyarrow's pandas metadata does not name nested pyarrow dtypes), the task-based one can."""
    import pandas as pd
    import pyarrow as pa

    for dtype in frame.dtypes:
        if isinstance(dtype, pd.ArrowDtype) and pa.types.is_nested(dtype.pyarrow_dtype):
            return "tasks"
    return None


def _as_dask(dd: Any, table: Any, name: str) -> Any:
    if isinstance(table, dd.DataFrame):
        return table
    frame = to_polars(table, name)
    pandas = frame.to_pandas(use_pyarrow_extension_array=True)
    return dd.from_pandas(pandas, chunksize=max(1, 4 * CHILDREN_PER_PARTITION), sort=False)


def _check_text(dtype: Any, table: str, column: str) -> None:
    """Student ids must be text (as in ``assess_batch``); their order is the partitioning."""
    import pandas as pd
    import pyarrow as pa

    text = isinstance(dtype, pd.StringDtype) or dtype == object  # noqa: E721
    if isinstance(dtype, pd.ArrowDtype):
        text = pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(
            dtype.pyarrow_dtype
        )
    if not text:
        raise BatchInputError(f"{table}: column {column!r}: expected text, found {dtype}")


# -- the assessment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every partition's task shares: one key in the graph, so it travels to each worker
    once per run (not once per partition) and the worker's calendar tables are found by its
    content in the process's cache."""

    policy: Policy
    calendar: SchoolCalendar
    as_of: dt.date

    def __dask_tokenize__(self) -> tuple[str, str, str]:
        return (self.policy.fingerprint, self.calendar.fingerprint, self.as_of.isoformat())


def assess_dask(
    students: Any,
    events: Any,
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    verify_partitions: bool = False,
) -> DaskResult:
    """Assess every child of the dask DataFrame ``students`` with their ``events`` on
    ``as_of``, partition by partition, with the same compiled rules core as
    :func:`~kongchuo_rules.batch.assess_batch`: lazy dask DataFrames of its four tables,
    equal to ``assess_batch`` on the same data.

    ``students`` must be indexed by ``id`` and ``events`` by ``student_id``, both with known
    divisions (:func:`partition_by_student`, or Parquet read with
    ``calculate_divisions=True``); events split at other ids than the students are realigned
    to the students' divisions (no shuffle). The other columns are those of
    :data:`STUDENT_COLUMNS` and :data:`EVENT_COLUMNS`.

    Refused with :class:`BatchInputError` (a ``ValueError``) before anything is scheduled:
    a table that is not a dask DataFrame indexed by its student id, unknown divisions (not
    partitioned), student ids that repeat across the students' divisions (an id could sit in
    two partitions), events of ids outside the students' range, a missing or unknown column,
    an id column that is not text. ``verify_partitions=True`` also reads both tables' ids
    once, partition by partition (their count, extent and repeats), before scheduling the
    assessment: worth it where divisions were asserted (``from_delayed``, ``from_map``,
    ``set_index(sorted=True)``) rather than computed, cheap from Parquet (one column), and a
    second shuffle where the tables come straight out of one. Without it a partition whose
    ids contradict its divisions fails when it runs, naming the partition. Errors found in a
    partition's rows name the partition and the row within it, never a value.
    """
    dd = _dd()
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise BatchInputError("as_of: expected a date")
    policy, calendar = resolve(policy, calendar)
    _check_frames(dd, students, events)
    divisions = tuple(students.divisions)
    if tuple(events.divisions) != divisions:
        events = events.repartition(divisions=list(divisions))
    if verify_partitions:
        _verify_partitions(students, events, divisions)
    return _graph(dd, students, events, divisions, _Context(policy, calendar, as_of))


def _check_frames(dd: Any, students: Any, events: Any) -> None:
    for name, frame in (("students", students), ("events", events)):
        key = _KEYS[name]
        hint = f"use partition_by_student(students, events) to index it by {key!r}"
        if not isinstance(frame, dd.DataFrame):
            raise BatchInputError(f"{name}: expected a dask DataFrame ({hint})")
        if frame.index.name != key:
            raise BatchInputError(f"{name}: expected the student id as the index, named {key!r}")
        if key in frame.columns:
            raise BatchInputError(f"{name}: {key!r} is both the index and a column")
        known = list(STUDENT_COLUMNS if name == "students" else EVENT_COLUMNS)
        required = (
            [c for c, (_, r) in STUDENT_COLUMNS.items() if r]
            if name == "students"
            else ["student_id", "type"]
        )
        names = [key, *map(str, frame.columns)]
        _columns(pl.DataFrame(schema=dict.fromkeys(names, pl.Null)), name, known, required)
        _check_text(frame.index.dtype, name, key)
        if not frame.known_divisions:
            raise BatchInputError(
                f"{name}: not partitioned by student id (the dask DataFrame's divisions are "
                "unknown, so a child's rows could sit in any partition): "
                f"{hint}, or read Parquet with calculate_divisions=True"
            )
    s, e = tuple(students.divisions), tuple(events.divisions)
    try:
        for i in range(len(s) - 1):
            if not (s[i] < s[i + 1] or (i == len(s) - 2 and s[i] == s[i + 1])):
                raise BatchInputError(
                    f"students: divisions {i} and {i + 1} are not increasing: a student id "
                    "could sit in two partitions (use partition_by_student)"
                )
        outside = e[0] < s[0] or e[-1] > s[-1]
    except TypeError:
        raise BatchInputError(
            "events: the student ids of the two tables are not of one type"
        ) from None
    if outside:
        raise BatchInputError(
            "events: column 'student_id': ids beyond the first or last id of the students "
            "table (events of children not in the students table)"
        )


def _graph(
    dd: Any, students: Any, events: Any, divisions: tuple[Any, ...], ctx: _Context
) -> DaskResult:
    from dask.delayed import delayed

    context = delayed(ctx, pure=True)
    n = students.npartitions
    parts = [
        delayed(_assess_partition, pure=True)(
            s, e, context, i, divisions[i], divisions[i + 1], i == n - 1
        )
        for i, (s, e) in enumerate(zip(students.to_delayed(), events.to_delayed(), strict=True))
    ]
    metas = _metas()

    def table(k: int, name: str, divs: Sequence[Any]) -> Any:
        pieces = [delayed(operator.getitem, pure=True)(p, k) for p in parts]
        return dd.from_delayed(pieces, meta=metas[name], divisions=divs, verify_meta=False)

    runs = (*range(n), n - 1)
    tables = {name: table(k, name, divisions) for k, name in enumerate(TABLES)}
    return DaskResult(
        **tables,
        partitions=table(len(TABLES), "partitions", runs),
        as_of=ctx.as_of,
        policy_version=ctx.calendar.version,
    )


def _assess_partition(
    students: pd.DataFrame,
    events: pd.DataFrame,
    ctx: _Context,
    number: int,
    low: Any,
    high: Any,
    last: bool,
) -> tuple[pd.DataFrame, ...]:
    """One partition on a worker: its ids checked against its divisions, then
    ``assess_batch`` and the four tables (and the partition's line of the ledger)."""
    ids = students.index
    if len(ids) and (ids.min() < low or ids.max() > high or (not last and ids.max() == high)):
        raise BatchInputError(
            f"partition {number}: students: ids outside the partition's divisions (the "
            "table is not partitioned as its divisions claim; use partition_by_student)"
        )
    s, e = students.reset_index(), events.reset_index()
    if not len(s) and not len(e):  # nothing to decide: no need of the compiled core
        children, actions, findings, episodes = (
            pl.DataFrame(schema=_schemas()[name]) for name in TABLES
        )
        result = BatchResult(
            children, actions, findings, episodes, as_of=ctx.as_of, policy_version=""
        )
    else:
        try:
            result = assess_batch(s, e, as_of=ctx.as_of, policy=ctx.policy, calendar=ctx.calendar)
        except BatchInputError as exc:
            raise BatchInputError(
                f"partition {number}: {exc.en} (rows counted within the partition)",
                code=exc.code,
                zh=f"第 {number} 分区：{exc.zh}（行号为分区内的行号）",
                field=exc.field,
            ) from None
    frames = tuple(_to_pandas(getattr(result, name)) for name in TABLES)
    run = {
        "students": len(s),
        "events": len(e),
        **{name: len(f) for name, f in zip(TABLES, frames, strict=True)},
        "seconds": result.seconds,
        "compiled": result.compiled,
    }
    ledger = _to_pandas(pl.DataFrame([run], schema=_RUN_COLUMNS), index=None)
    ledger.index = ledger.index + number
    return (*frames, ledger)


def _verify_partitions(students: Any, events: Any, divisions: tuple[Any, ...]) -> None:
    """Read the ids of both tables once (count, extent, repeats per partition) and refuse
    what the divisions did not show."""
    from dask.delayed import delayed

    s_facts, e_facts = _compute(
        [delayed(_id_facts, pure=True)(p) for p in students.index.to_delayed()],
        [delayed(_id_facts, pure=True)(p) for p in events.index.to_delayed()],
    )
    previous = None
    for i, (count, unique, low, high) in enumerate(s_facts):
        if not count:
            continue
        if unique < count:
            raise BatchInputError(f"students: partition {i}: column 'id': duplicated")
        last = i == len(s_facts) - 1
        if low < divisions[i] or high > divisions[i + 1] or (not last and high == divisions[i + 1]):
            raise BatchInputError(
                f"students: partition {i}: ids outside the partition's divisions (a student "
                "id could sit in two partitions; use partition_by_student)"
            )
        if previous is not None and low <= previous:
            raise BatchInputError(
                f"students: partitions {i - 1} and {i}: the same id in two partitions"
            )
        previous = high
    for i, (count, _, low, high) in enumerate(e_facts):
        if not count:
            continue
        s_count, _, s_low, s_high = s_facts[i]
        if not s_count or low < s_low or high > s_high:
            raise BatchInputError(
                f"events: partition {i}: column 'student_id': ids of children not in the "
                "students' partition (events not partitioned with their children)"
            )


def _id_facts(ids: Any) -> tuple[int, int, Any, Any]:
    if not len(ids):
        return 0, 0, None, None
    return len(ids), int(ids.nunique()), ids.min(), ids.max()


# -- the compiled core on workers ---------------------------------------------------------------


def warm_kernel() -> float:
    """Make the compiled rules core ready in this process — loaded from its on-disk cache, or
    compiled into it when the cache has none for this version of the core (a minute or more)
    — and return the seconds it took (about nothing when it was ready)."""
    started = time.perf_counter()
    if _driver.compile_seconds() is None:
        students = pl.DataFrame(
            {"id": ["warm"], "birth_date": [dt.date(2015, 5, 3)], "registered": [True]}
        )
        assess_batch(students, pl.DataFrame(), as_of=dt.date(2026, 11, 2))
    return time.perf_counter() - started


def warm_workers(client: Any) -> Mapping[str, float]:
    """Make the compiled core ready on every worker of the distributed ``client`` before a
    run: first on one worker (which compiles it into the on-disk cache if needed), then on all
    the others (which load it from that cache when they share it: one machine, or one
    ``NUMBA_CACHE_DIR`` on shared storage), and on every worker that joins later — a
    replacement for a dead one included — as it starts. Returns each worker's seconds."""
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    first = {}
    if workers:
        first[workers[0]] = client.submit(warm_kernel, workers=workers[:1], pure=False).result()
    seconds: dict[str, float] = {**client.run(warm_kernel), **first}
    client.register_plugin(_warm_plugin()())
    return seconds


@cache
def _warm_plugin() -> type:
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmKernel(WorkerPlugin):
        """Loads the compiled rules core on a worker as it starts."""

        name = "kongchuo-rules-warm-kernel"

        def setup(self, worker: Any) -> None:
            warm_kernel()

    return WarmKernel
