"""Throughput of the batch engine on Dask (issue 11): ``assess_dask`` on a
``distributed.LocalCluster`` of 1 and then 2 worker processes (one thread each), on millions
of children, and the scaling efficiency; figures for docs/scale.md.

    python benchmarks/bench_dask.py                      # 3,000,000 children, 3 rounds
    python benchmarks/bench_dask.py --children 500000 --rounds 1

The population (``population.py``: a benchmark mix exercising every path of the rules) is made
on the workers, one piece per partition, with ids that are already in order (``P0007-S…``), so
its partitions and divisions are known without a shuffle; it is persisted before the clock
starts. Timed: ``assess_dask`` building the graph, then all four tables and the run's ledger
computed and held in the workers' memory (``dask.persist``), as a run that writes them out
would, without the storage. Reported: children per second, per second and core, and the
efficiency of two workers against one (1.0 = twice the throughput). ``--shuffle`` also times
``partition_by_student`` on the same tables (the one-off cost of partitioning unsorted input).
The per-worker start cost (a worker process ready, then the compiled core loaded from the
on-disk cache) is measured as the clusters start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = dt.date(2026, 12, 20)


def _piece(index: int, children: int, table: str) -> Any:
    """Students or events of piece ``index`` (``children`` children, ids ``P{index}-S…``),
    indexed by student id, as pandas with pyarrow-backed columns."""
    import polars as pl
    from population import population

    students, events = population(children, seed=1000 + index)
    prefix = f"P{index:04d}-"
    if table == "students":
        frame = students.with_columns(id=prefix + pl.col("id"))
        return frame.to_pandas(use_pyarrow_extension_array=True).set_index("id").sort_index()
    frame = events.with_columns(student_id=prefix + pl.col("student_id"))
    return frame.to_pandas(use_pyarrow_extension_array=True).set_index("student_id").sort_index()


def population_on_workers(children: int, per_partition: int) -> tuple[Any, Any]:
    """The two tables as dask DataFrames made on the workers, partitioned by student id."""
    import dask.dataframe as dd

    pieces = -(-children // per_partition)
    sizes = [min(per_partition, children - i * per_partition) for i in range(pieces)]
    divisions = [f"P{i:04d}-S{0:08d}" for i in range(pieces)]
    divisions.append(f"P{pieces - 1:04d}-S{sizes[-1] - 1:08d}")
    frames = []
    for table in ("students", "events"):
        meta = _piece(0, 20_000, table).iloc[:0]  # every column typed (none all null)
        frames.append(
            dd.from_map(
                _piece,
                list(range(pieces)),
                sizes,
                [table] * pieces,
                meta=meta,
                divisions=divisions,
                enforce_metadata=False,
            )
        )
    return frames[0], frames[1]


def _cpu_seconds() -> float:
    return time.process_time()


class Cluster:
    """A LocalCluster of ``workers`` worker processes (one thread, one polars thread each)
    holding the population, persisted."""

    def __init__(self, workers: int, children: int, per_partition: int) -> None:
        import dask
        from distributed import Client, LocalCluster, wait

        from kongchuo_rules.batch import warm_workers

        started = time.perf_counter()
        self.cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env={"POLARS_MAX_THREADS": "1"},  # one core per worker: polars' own pool too
        )
        self.client = Client(self.cluster, set_as_default=False)
        self.client.wait_for_workers(workers)
        ready = time.perf_counter() - started
        threads = self.client.run(lambda: __import__("polars").thread_pool_size())
        assert set(threads.values()) == {1}, threads
        kernel = warm_workers(self.client)
        self.workers, self.children = workers, children
        self.found: dict[str, Any] = {
            "workers": workers,
            "children": children,
            "partitions": -(-children // per_partition),
            "worker_processes_ready_s": round(ready, 2),
            "kernel_load_s": sorted(round(s, 2) for s in kernel.values()),
            "seconds": [],
            "cpu_seconds": [],
            "load_average": [],
        }
        with self.client.as_current(), dask.config.set(scheduler=self.client):
            students, events = population_on_workers(children, per_partition)
            self.students, self.events = dask.persist(students, events)
            wait([self.students, self.events])

    def round(self) -> None:
        """One timed run: the graph, then all tables computed and held by the workers."""
        import os

        import dask
        from distributed import wait

        from kongchuo_rules.batch import assess_dask

        load = os.getloadavg()[0]
        cpu = self.client.run(_cpu_seconds)
        with self.client.as_current(), dask.config.set(scheduler=self.client):
            t = time.perf_counter()
            result = assess_dask(self.students, self.events, as_of=AS_OF)
            tables = dask.persist(
                result.children, result.actions, result.findings, result.episodes,
                result.partitions,
            )  # fmt: skip
            wait(list(tables))
            seconds = time.perf_counter() - t
            ledger = tables[-1].compute()
        used = self.client.run(_cpu_seconds)
        assert int(ledger["children"].sum()) == self.children  # children in = children out
        self.found["seconds"].append(round(seconds, 2))
        self.found["cpu_seconds"].append(round(sum(used[w] - cpu[w] for w in used), 2))
        self.found["load_average"].append(round(load, 1))
        del tables, result

    def shuffle(self) -> None:
        """Time ``partition_by_student`` on the same tables, unindexed (one-off cost)."""
        import dask
        from distributed import wait

        from kongchuo_rules.batch import partition_by_student

        with self.client.as_current(), dask.config.set(scheduler=self.client):
            raw_s, raw_e = self.students.reset_index(), self.events.reset_index()
            t = time.perf_counter()
            s, e = partition_by_student(raw_s, raw_e, npartitions=self.found["partitions"])
            s, e = dask.persist(s, e)
            wait([s, e])
            self.found["partition_by_student_s"] = round(time.perf_counter() - t, 2)
            del s, e

    def summary(self) -> dict[str, Any]:
        best = statistics.median(self.found["seconds"])
        cpu = statistics.median(self.found["cpu_seconds"])
        self.found.update(
            {
                "median_s": round(best, 2),
                "children_per_s": round(self.children / best),
                "children_per_s_per_core": round(self.children / best / self.workers),
                "median_cpu_s": round(cpu, 2),
                "children_per_cpu_s": round(self.children / cpu),
            }
        )
        return self.found

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=3_000_000)
    parser.add_argument("--per-partition", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shuffle", action="store_true", help="also time partition_by_student")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    from kongchuo_rules.batch import warm_kernel

    print(f"compiled core ready in this process in {warm_kernel():.1f} s", flush=True)
    # both clusters up, their rounds alternated: a shared machine's load drifts over minutes
    clusters = [Cluster(w, args.children, args.per_partition) for w in (1, 2)]
    try:
        for _ in range(args.rounds):
            for c in clusters:
                c.round()
        if args.shuffle:
            for c in clusters:
                c.shuffle()
        results = [c.summary() for c in clusters]
    finally:
        for c in clusters:
            c.close()
    for found in results:
        print(json.dumps(found), flush=True)
    one, two = results
    efficiency = two["children_per_s"] / (2 * one["children_per_s"])
    cpu_efficiency = one["median_cpu_s"] / two["median_cpu_s"]
    print()
    print(f"{args.children:,} children in {one['partitions']} partitions, as of {AS_OF}")
    print("| workers | median s | children/s | per core | CPU s | children per CPU s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['workers']} | {r['median_s']} | {r['children_per_s']:,} | "
            f"{r['children_per_s_per_core']:,} | {r['median_cpu_s']} | "
            f"{r['children_per_cpu_s']:,} |"
        )
    print(f"scaling efficiency, wall clock (2 workers against 1): {efficiency:.2f}")
    print(f"scaling efficiency, CPU time (work added by a second worker): {cpu_efficiency:.2f}")
    print(f"machine load average during the rounds: {one['load_average'] + two['load_average']}")
    if args.json:
        figures = {
            "runs": results,
            "efficiency": round(efficiency, 3),
            "cpu_efficiency": round(cpu_efficiency, 3),
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
