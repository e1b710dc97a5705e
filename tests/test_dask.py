"""The batch engine on Dask (PRODUCT.md §7.3, issue 11): equal to ``assess_batch`` on a real
``distributed.LocalCluster`` of worker processes, through a worker killed mid-run, with the
compiled core loaded from its on-disk cache and the calendar tables built once per worker;
bad input refused before anything is scheduled.

The cluster tests (marker ``cluster``) start worker processes: a few seconds each, run in CI.
The compiled core is made ready in this process first (compiled into the on-disk cache if need
be), so that the workers load it instead of compiling it each."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import pandas as pd  # noqa: E402

import kongchuo_rules  # noqa: E402
from kongchuo_rules import default_policy  # noqa: E402
from kongchuo_rules.batch import (  # noqa: E402
    BatchInputError,
    BatchResult,
    DaskResult,
    assess_batch,
    assess_dask,
    partition_by_student,
    warm_kernel,
    warm_workers,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 20)
TABLES = ("children", "actions", "findings", "episodes")
TOWNSHIPS = ["鸡东镇", "永安镇", "向阳镇", "永和镇", "下亮子乡", "哈达镇"]


def _population(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``benchmarks/population.py`` (a vectorised population of the batch tables' shape), with
    a township per child."""
    spec = importlib.util.spec_from_file_location(
        "_population", ROOT / "benchmarks" / "population.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    students, events = module.population(n, seed=seed)
    township = pl.Series(TOWNSHIPS).gather(pl.int_range(0, n, eager=True) % len(TOWNSHIPS))
    return students.with_columns(township=township), events


def assert_equal(found: BatchResult, expected: BatchResult) -> None:
    for name in TABLES:
        got, want = getattr(found, name), getattr(expected, name)
        assert got.schema == want.schema, name
        assert got.height == want.height, name
        assert got.equals(want), name
    assert found.as_of == expected.as_of
    assert found.policy_version == expected.policy_version


@pytest.fixture(scope="module")
def kernel() -> float:
    """The compiled core ready in this process, before any worker starts."""
    return warm_kernel()


def _cluster() -> Any:
    # the workers import kongchuo_rules from where this process did: pytest may have imported
    # it from the source tree (the doctests of src/) while a fresh process would find the
    # installed copy, and the test must compare the same code on both sides
    package = Path(kongchuo_rules.__file__).resolve().parents[1]
    path = os.pathsep.join(p for p in (str(package), os.environ.get("PYTHONPATH")) if p)
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env={"PYTHONPATH": path},
    )


@pytest.fixture(scope="module")
def client(kernel: float) -> Iterator[Any]:
    with _cluster() as cluster, distributed.Client(cluster) as client:
        warm_workers(client)
        yield client


@pytest.fixture(scope="module")
def county() -> tuple[pl.DataFrame, pl.DataFrame]:
    return _population(100_000, seed=11)


@pytest.fixture(scope="module")
def reference(kernel: float, county: tuple[pl.DataFrame, pl.DataFrame]) -> BatchResult:
    return assess_batch(*county, as_of=AS_OF)


@pytest.fixture(scope="module")
def partitioned(client: Any, county: tuple[pl.DataFrame, pl.DataFrame]) -> tuple[Any, Any]:
    students, events = partition_by_student(*county, npartitions=8)
    return dask.persist(students, events)  # type: ignore[no-any-return]


# -- on a LocalCluster -----------------------------------------------------------------------------


@pytest.mark.cluster
def test_assess_dask_equals_assess_batch_on_100k_children(
    client: Any, partitioned: tuple[Any, Any], reference: BatchResult
) -> None:
    students, events = partitioned
    assert students.npartitions == events.npartitions == 8
    assert students.divisions == events.divisions
    result = assess_dask(students, events, as_of=AS_OF)
    assert isinstance(result, DaskResult)
    for name in TABLES:  # lazy, keyed by student id with the students' divisions
        table = getattr(result, name)
        assert isinstance(table, dd.DataFrame)
        assert table.divisions == students.divisions
        assert table.index.name == "student_id"
    started = time.perf_counter()
    found = result.compute()
    seconds = time.perf_counter() - started
    assert found.children.height == 100_000
    assert_equal(found, reference)
    assert found.compiled
    ledger = result.partitions.compute()
    assert list(ledger.index) == list(range(8))
    assert (ledger["students"] == ledger["children"]).all()
    assert int(ledger["children"].sum()) == 100_000
    assert int(ledger["actions"].sum()) == reference.actions.height
    print(f"100,000 children on 2 workers: {seconds:.2f} s")


@pytest.mark.cluster
def test_workers_load_the_compiled_core_from_the_cache(
    client: Any, partitioned: tuple[Any, Any]
) -> None:
    assess_dask(*partitioned, as_of=AS_OF).partitions.compute()

    def stats() -> tuple[str, int, int, float | None]:
        from kongchuo_rules.batch import _compiled, _driver

        s = _compiled.run.stats
        hits, misses = sum(s.cache_hits.values()), sum(s.cache_misses.values())
        return _compiled.cache_dir().name, hits, misses, _driver.compile_seconds()

    from kongchuo_rules.batch import _compiled

    found = client.run(stats)
    assert len(found) == 2
    for where, hits, misses, seconds in found.values():
        # the cache of the same core as this process's (which warmed it), wherever the worker
        # imported the library from: the cache is keyed by the hash of the core's source
        assert where == _compiled.cache_dir().name
        assert (hits, misses) == (1, 0)  # loaded, never compiled
        assert seconds is not None
    print("per worker: core ready in", [round(s, 2) for *_, s in found.values()], "s")


def _count_table_builds() -> None:
    """Count, in a worker process, the shared tables made and the calendar tables built."""
    from kongchuo_rules._internal import tables

    counts = {"shared": 0, "builds": 0}
    build, init = tables._build, tables.Shared.__init__

    def counted_build(*args: Any, **kwargs: Any) -> Any:
        counts["builds"] += 1
        return build(*args, **kwargs)

    def counted_init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["shared"] += 1
        init(self, *args, **kwargs)

    tables._build = counted_build
    tables.Shared.__init__ = counted_init  # type: ignore[method-assign]
    tables._COUNTS = counts  # type: ignore[attr-defined]
    tables._RESTORE = (build, init)  # type: ignore[attr-defined]


def _table_builds() -> dict[str, int]:
    from kongchuo_rules._internal import tables

    counts: dict[str, int] = tables._COUNTS  # type: ignore[attr-defined]
    tables._build, tables.Shared.__init__ = tables._RESTORE  # type: ignore[attr-defined]
    return counts


@pytest.mark.cluster
def test_workers_build_the_calendar_tables_once_per_process(
    client: Any, county: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    # a policy no worker has seen yet, over 24 partitions (12 or so per worker)
    policy = default_policy().with_changes({"absence.alert_unexcused_school_days": 5})
    students, events = partition_by_student(*county, npartitions=24)
    client.run(_count_table_builds)
    ledger = assess_dask(students, events, as_of=AS_OF, policy=policy).partitions.compute()
    counts = client.run(_table_builds)
    assert len(ledger) == 24
    assert sum(c["shared"] for c in counts.values()) == 2  # once per worker, not per partition
    for c in counts.values():
        assert c["builds"] <= 2  # the tables, and at most one widening for an earlier birth


@pytest.mark.cluster
def test_parquet_round_trip_the_documented_way(
    client: Any, partitioned: tuple[Any, Any], reference: BatchResult, tmp_path: Path
) -> None:
    # partition once, keep it as Parquet; read it back with its divisions from the files'
    # statistics (the events' divisions then differ from the students': realigned, no shuffle)
    students, events = partitioned
    students.to_parquet(tmp_path / "students")
    events.to_parquet(tmp_path / "events")
    read = {"calculate_divisions": True, "dtype_backend": "pyarrow"}
    s = dd.read_parquet(tmp_path / "students", index="id", **read)
    e = dd.read_parquet(tmp_path / "events", index="student_id", **read)
    assert s.known_divisions
    assert e.known_divisions
    assert_equal(assess_dask(s, e, as_of=AS_OF).compute(), reference)


@pytest.mark.cluster
def test_no_child_lost_per_township(client: Any, partitioned: tuple[Any, Any]) -> None:
    # the check of docs/scale.md: children in = children out, per township
    students, events = partitioned
    result = assess_dask(students, events, as_of=AS_OF)
    township = students[["township"]]
    out = result.children[["status"]].join(township).groupby("township").size()
    into = township.groupby("township").size()
    counts_in, counts_out = dask.compute(into, out)
    assert counts_in.sort_index().equals(counts_out.sort_index())
    assert int(counts_in.sum()) == 100_000


@pytest.mark.cluster
def test_a_partition_that_contradicts_its_divisions_fails_by_name(client: Any) -> None:
    students, events = _population(200, seed=2)
    s, e = partition_by_student(students, events, npartitions=2)
    parts = s.to_delayed()
    # the same partition twice, claimed as two ranges: its ids break the second range
    lying = dd.from_delayed([parts[0], parts[0]], meta=s._meta, divisions=s.divisions)
    with pytest.raises(BatchInputError, match="partition 1: students: ids outside"):
        assess_dask(lying, e, as_of=AS_OF).compute()
    # a row error inside a partition names the partition and the row within it
    bad = e.assign(type=e["type"].where(e.index != e.index.max().compute(), "bogus"))
    with pytest.raises(BatchInputError, match=r"partition 1: events: row \d+: column 'type'"):
        assess_dask(s, bad, as_of=AS_OF).compute()


class _CountAssessments(distributed.diagnostics.plugin.SchedulerPlugin):  # type: ignore[misc]
    """Counts the partitions assessed (a task of ``_assess_partition`` done), lost ones again."""

    name = "count-assessments"

    def __init__(self) -> None:
        self.done = 0

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish == "memory" and str(key).startswith("_assess_partition"):
            self.done += 1


def _assessments(dask_scheduler: Any) -> int:
    return int(dask_scheduler.plugins[_CountAssessments.name].done)


@pytest.mark.cluster
def test_a_worker_killed_in_the_middle_of_a_run(kernel: float) -> None:
    students, events = _population(60_000, seed=5)
    expected = assess_batch(students, events, as_of=AS_OF)
    with _cluster() as cluster, distributed.Client(cluster) as client:
        warm_workers(client)
        client.register_plugin(_CountAssessments())
        s, e = partition_by_student(students, events, npartitions=24)
        result = assess_dask(s, e, as_of=AS_OF)
        tables = client.persist([getattr(result, n) for n in (*TABLES, "partitions")])
        futures = distributed.futures_of(tables[0])
        pids = client.run(os.getpid)
        killed = None
        started = time.perf_counter()
        for done in distributed.as_completed(futures):
            # the first partition is assessed: kill the worker that holds it
            holders = client.who_has([done])[done.key]
            killed = holders[0]
            pending = sum(not f.done() for f in futures)
            os.kill(pids[killed], signal.SIGKILL)
            break
        assert killed is not None
        assert pending > 0  # in the middle of the run
        found = DaskResult(*tables, as_of=result.as_of, policy_version=result.policy_version)
        assert_equal(found.compute(), expected)
        seconds = time.perf_counter() - started

        assessed = client.run_on_scheduler(_assessments)
        assert assessed > 24  # the partitions lost with the worker were assessed again
        assert killed not in client.scheduler_info()["workers"]
        print(
            f"killed a worker with {pending} of 24 partitions pending; {assessed} partitions "
            f"assessed; complete and identical in {seconds:.1f} s"
        )


# -- bad input, refused before anything is scheduled ---------------------------------------------


def _local() -> Any:
    """Dask in this process, whether or not a cluster's client is the default."""
    return dask.config.set({"scheduler": "sync", "dataframe.shuffle.method": "tasks"})


def _forbidden(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("work was scheduled")


@pytest.fixture
def small() -> tuple[Any, Any]:
    students, events = _population(300, seed=3)
    students = students.with_columns(name=pl.lit("张三"), national_id=pl.lit(None, pl.String))
    with _local():
        return partition_by_student(students, events, npartitions=3)


def _refused(students: Any, events: Any, *fragments: str, **kwargs: Any) -> str:
    with dask.config.set(scheduler=_forbidden), pytest.raises(BatchInputError) as info:
        assess_dask(students, events, as_of=AS_OF, **kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "张三" not in message  # no names
    assert "S000" not in message  # no ids
    assert isinstance(info.value, ValueError)
    return message


def test_the_checks_schedule_nothing(small: tuple[Any, Any]) -> None:
    with dask.config.set(scheduler=_forbidden):
        result = assess_dask(*small, as_of=AS_OF)
    assert result.children.npartitions == 3


def test_unpartitioned_events(small: tuple[Any, Any]) -> None:
    students, events = small
    _refused(students, events.clear_divisions(), "events: not partitioned by student id")
    _refused(students, events.reset_index(), "events: expected the student id as the index")
    _refused(students.clear_divisions(), events, "students: not partitioned by student id")
    _refused(students, events.compute(), "events: expected a dask DataFrame")


def test_a_student_id_in_two_partitions(small: tuple[Any, Any]) -> None:
    students, events = small
    parts = students.to_delayed()
    d = students.divisions
    # divisions that repeat: the id at the repeat could sit in two partitions
    repeated = dd.from_delayed(parts, meta=students._meta, divisions=(d[0], d[1], d[1], d[3]))
    _refused(repeated, events, "students: divisions 1 and 2 are not increasing")
    # partitions that overlap: concatenated, dask no longer knows the divisions
    overlapping = dd.concat([students, students.partitions[1]])
    _refused(overlapping, events, "students: not partitioned by student id")


def test_verify_partitions_reads_the_ids_before_the_assessment(small: tuple[Any, Any]) -> None:
    students, events = small
    parts = students.to_delayed()
    # increasing divisions, asserted, that the data contradict: only the ids show it
    lying = dd.from_delayed([parts[0], parts[0], parts[2]], meta=students._meta,
                            divisions=students.divisions)  # fmt: skip
    scheduled: list[str] = []

    def counting(dsk: Any, keys: Any, **kwargs: Any) -> Any:
        scheduled.extend(str(k) for k in dask.core.flatten(keys))
        return dask.local.get_sync(dsk, keys, **kwargs)

    with _local(), dask.config.set(scheduler=counting), pytest.raises(BatchInputError) as info:
        assess_dask(lying, events, as_of=AS_OF, verify_partitions=True)
    assert "students: partition 1: ids outside the partition's divisions" in str(info.value)
    assert scheduled  # one pass over the ids, and nothing else
    assert all(key.startswith("_id_facts") for key in scheduled), scheduled
    # a duplicated id within a partition, and events in the wrong partition
    twice = dd.from_delayed(
        [dask.delayed(pd.concat)([p, p]) for p in parts], meta=students._meta,
        divisions=students.divisions,
    )  # fmt: skip
    with (
        _local(),
        dask.config.set(scheduler=counting),
        pytest.raises(BatchInputError, match="duplicated"),
    ):
        assess_dask(twice, events, as_of=AS_OF, verify_partitions=True)
    e_parts = events.to_delayed()
    swapped = dd.from_delayed([e_parts[1], e_parts[0], e_parts[2]], meta=events._meta,
                              divisions=events.divisions)  # fmt: skip
    with _local(), dask.config.set(scheduler=counting), pytest.raises(BatchInputError) as info:
        assess_dask(students, swapped, as_of=AS_OF, verify_partitions=True)
    assert "events: partition 0: column 'student_id'" in str(info.value)
    with _local():
        ok = assess_dask(students, events, as_of=AS_OF, verify_partitions=True)
    assert ok.children.npartitions == 3


def test_a_missing_or_unknown_column(small: tuple[Any, Any]) -> None:
    students, events = small
    _refused(students.drop(columns="registered"), events, "students: missing", "'registered'")
    _refused(students, events.drop(columns="type"), "events: missing", "'type'")
    _refused(students.assign(secret="x"), events, "students: unknown column(s) at position(s)")


def test_ids_of_the_wrong_kind_or_place(small: tuple[Any, Any]) -> None:
    students, events = small
    _refused(students.reset_index(), events, "students: expected the student id as the index")
    numbered = students.reset_index().assign(id=1).set_index("id", sorted=True)
    _refused(numbered, events, "students: column 'id': expected text")
    outside = events.partitions[0]
    beyond = students.partitions[1:]
    _refused(beyond, outside, "events: column 'student_id': ids beyond")
    with pytest.raises(BatchInputError, match="as_of"):
        assess_dask(students, events, as_of="2026-12-20")  # type: ignore[arg-type]


def test_partition_by_student_refuses_what_it_cannot_partition() -> None:
    students, events = _population(10, seed=1)
    with pytest.raises(BatchInputError, match="students: missing required column"):
        partition_by_student(students.drop("id"), events)
    with pytest.raises(BatchInputError, match="events: column 'student_id': expected text"):
        partition_by_student(students, events.with_columns(student_id=pl.lit(1)))
    with pytest.raises(BatchInputError, match="at least one child"):
        partition_by_student(students, events, children_per_partition=0)


def test_partition_by_student_keeps_every_row(small: tuple[Any, Any]) -> None:
    students, events = _population(300, seed=3)
    blank = students.with_columns(id=pl.col("id") + "  ")  # blanks around ids are stripped
    with _local():
        s, e = partition_by_student(blank, events, children_per_partition=100)
        assert s.npartitions == 3
        assert len(s) == 300
        assert len(e) == events.height
        found = assess_dask(s, e, as_of=AS_OF).compute()
    assert_equal(found, assess_batch(students, events, as_of=AS_OF))


def test_the_policy_travels_once_per_run(small: tuple[Any, Any]) -> None:
    # one key holds the policy, the calendar and the day; every partition's task refers to it
    students, events = small
    result = assess_dask(students, events, as_of=AS_OF)
    graph = dict(result.children.__dask_graph__())
    contexts = [k for k in graph if str(k).startswith("_Context")]
    assert len(contexts) == 1
