"""Running the rules core over a whole table of children: compiled with numba when it is
installed, otherwise the same core interpreted (and a warning, once, that it is slow)."""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import FAR
from kongchuo_rules._internal.record import Out, Work
from kongchuo_rules._internal.tables import Shared, Tables
from kongchuo_rules.batch._frames import Encoded

__all__ = ["Decided", "compile_seconds", "compiled", "decide_all", "decide_case"]

log = logging.getLogger("kongchuo_rules.batch")

N_DECISION = 16
DECISION_DTYPE = np.int32
"""A decision row's integers: days (like Arrow's ``date32``, and :data:`NO_DAY` and :data:`FAR`
are the ends of its range), codes, counts and bit masks all fit in 32 bits — half the memory
the core writes for a county, the largest part of its time spent outside the rules."""
_FIVE_YEARS = 5 * 365  # a table-range hint only (see assess): the start of school age
_ACTIONS_PER_CHILD = 128  # room for the actions one decision records before deduplication
_PARALLEL_FROM = 200_000  # children: below this, one thread (threads cost more than they give)
_CHUNK_MIN = 20_000  # children per chunk, at least
_CHUNKS_PER_THREAD = 4  # chunks per thread: progress and balance


@dataclass
class Decided:
    """The core's rows for every child: one decision row each, and the actions and findings
    with the child's position in their last column."""

    decisions: np.ndarray[Any, np.dtype[np.int32]]  # (children, N_DECISION)
    actions: np.ndarray[Any, np.dtype[np.int64]]  # (actions, 8)
    findings: np.ndarray[Any, np.dtype[np.int64]]  # (findings, 5)
    episodes: np.ndarray[Any, np.dtype[np.int64]]  # (episodes, 10)
    tables: Tables
    compiled: bool
    seconds: float


_STATE: dict[str, Any] = {}


def compiled() -> Any:
    """The compiled driver, or ``None`` without numba (warned once)."""
    if "run" not in _STATE:
        try:
            from kongchuo_rules.batch import _compiled
        except ImportError:
            warnings.warn(
                "numba is not installed: the batch engine runs the rules core in Python, "
                "about a thousand times slower (pip install 'kongchuo-rules[batch]')",
                RuntimeWarning,
                stacklevel=3,
            )
            _STATE["run"] = None
        else:
            _STATE["run"] = _compiled
    return _STATE["run"]


def decide_all(
    enc: Encoded,
    shared: Shared,
    as_of: int,
    *,
    use_numba: bool = True,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Decided:
    """Decide every child of ``enc`` on ``as_of``: compiled (in ``threads`` threads, default
    one per core for large inputs) or interpreted; ``progress(n)`` is called as chunks of
    ``n`` children are done."""
    n = len(enc.offsets) - 1
    first = as_of
    if len(enc.rows):
        first = min(first, int(enc.rows[:, codes.F_DAY].min()))
    if n:
        first = min(first, int(enc.children[:, 0].min()) + _FIVE_YEARS)
    engine = compiled() if use_numba else None
    t = shared.arrays(first, as_of) if engine is not None else shared.covering(first, as_of)
    while True:
        started = time.perf_counter()
        if engine is not None:
            found = _compiled_run(engine, enc, t, as_of, threads, progress)
        else:
            found = _python_run(enc, t, as_of)
            if progress is not None:
                progress(n)
        seconds = time.perf_counter() - started
        decisions, actions, findings, episodes = found
        if not (
            (decisions == FAR).any()
            or (actions[:, 1] == FAR).any()
            or (actions[:, 2] == FAR).any()
            or (episodes == FAR).any()
        ):
            ran = engine is not None
            return Decided(decisions, actions, findings, episodes, t, ran, seconds)
        grown = shared.grown(t)
        t = shared.arrays(grown.first, grown.last) if engine is not None else grown


def _caps(enc: Encoded, t: Tables, as_of: int) -> tuple[int, int, int, int, int]:
    """Room per child: actions, findings, trace rows, scratch integers, episodes (at most one
    per absence spell)."""
    counts = np.diff(enc.offsets)
    m = int(counts.max()) if len(counts) else 0
    days = 0
    if len(enc.rows):  # a child's events are sorted by day: its first is its earliest
        days = max(0, as_of - int(enc.rows[:, codes.F_DAY].min()) + 1)
    return _room(t, m, days)


def _room(t: Tables, m: int, days: int) -> tuple[int, int, int, int, int]:
    """Room for a child of at most ``m`` events over at most ``days`` days: actions,
    findings, trace rows, scratch integers, episodes (at most one per absence spell)."""
    acts = _ACTIONS_PER_CHILD + 2 * t.n_routes
    finds = 2 * m + 16 + t.n_years
    # per event 8 (attempt levels, failures, conflicts, for this run and earlier ones; and the
    # windows), per day of absence 2 (states, runs), per action 11 (deduplication), and a few
    scratch = 8 * m + 2 * days + 11 * acts + 128
    return acts, finds, 64, scratch, m + 1


def _ready(engine: Any, t: Tables) -> None:
    """Compile the core, or load it from the cache, on its first use in this process."""
    if "compile_seconds" in _STATE:
        return
    with warnings.catch_warnings():  # numba's own pedantic notes while it compiles
        warnings.simplefilter("ignore", engine.NumbaIRAssumptionWarning)
        started = time.perf_counter()
        engine.warm(t)
        _STATE["compile_seconds"] = seconds = time.perf_counter() - started
    log.info("rules core ready in %.1f s (compiled or from %s)", seconds, engine.cache_dir())


_CASE_TRACE = 256  # trace rows one decision may record (about 25 today)
_local = threading.local()  # per thread: the buffers of decide_case, reused


class _Buffers:
    """What :func:`decide_case` hands the compiled core, with room for one child."""

    def __init__(self, engine: Any, acts_cap: int, finds_cap: int, scratch: int, eps_cap: int):
        self.acts_cap, self.finds_cap, self.scratch, self.eps_cap = (
            acts_cap, finds_cap, scratch, eps_cap
        )  # fmt: skip
        self.work = engine.work_buffer(acts_cap, finds_cap, _CASE_TRACE, scratch, True, eps_cap)
        self.decisions = np.empty((1, N_DECISION), dtype=DECISION_DTYPE)
        self.actions = np.empty((acts_cap, 8), dtype=np.int64)
        self.findings = np.empty((finds_cap, 5), dtype=np.int64)
        self.episodes = np.empty((eps_cap, 10), dtype=np.int64)
        self.counts = np.zeros(3, dtype=np.int64)
        self.children = np.zeros((1, 5), dtype=np.int64)
        self.offsets = np.zeros(2, dtype=np.int64)

    def fits(self, acts_cap: int, finds_cap: int, scratch: int, eps_cap: int) -> bool:
        """Whether these buffers have room for a child that needs that much."""
        return (
            acts_cap <= self.acts_cap
            and finds_cap <= self.finds_cap
            and scratch <= self.scratch
            and eps_cap <= self.eps_cap
        )


def decide_case(
    engine: Any, shared: Shared, child: tuple[int, ...], rows: list[Any], first: int, as_of: int
) -> tuple[Any, list[Any], list[Any], list[Any], list[Any], Tables]:
    """Decide one child with the compiled core, for ``assess(..., use_numba=True)``: its
    decision row and its action, finding, trace and episode rows (as lists; trace rows as
    tuples, like ``assess`` records them in Python), and the tables they were decided on. The
    buffers are the calling thread's."""
    t = shared.arrays(first, as_of)
    _ready(engine, t)
    ev = np.array(rows, dtype=np.int64).reshape(-1, codes.F_INDEX + 1)
    m = len(rows)
    days = max(0, as_of - rows[0][codes.F_DAY] + 1) if rows else 0
    while True:
        acts_cap, finds_cap, _, scratch, eps_cap = _room(t, m, days)
        b = getattr(_local, "buffers", None)
        if b is None:
            b = _local.buffers = _Buffers(engine, acts_cap, finds_cap, scratch, eps_cap)
        elif not b.fits(acts_cap, finds_cap, scratch, eps_cap):  # grow, never shrink
            b = _local.buffers = _Buffers(
                engine, max(acts_cap, b.acts_cap), max(finds_cap, b.finds_cap),
                max(scratch, b.scratch), max(eps_cap, b.eps_cap),
            )  # fmt: skip
        work, decisions, actions, findings, episodes, counts = (
            b.work, b.decisions, b.actions, b.findings, b.episodes, b.counts
        )  # fmt: skip
        b.children[0] = child
        b.offsets[1] = m
        counts[:] = 0
        done = engine.run(
            t, b.children, ev, b.offsets, as_of, 0, 1, decisions, actions, findings, episodes,
            counts, work,
        )  # fmt: skip
        if done != 1:  # the outputs are sized for this child: cannot happen
            raise RuntimeError("the compiled core found no room for one child's rows")
        decision = decisions[0].tolist()
        na, nf, ne = counts.tolist()
        acts = actions[:na, :7].tolist() if na else []
        at, n_tr = int(work[engine.TR_AT]), int(work[engine.N_TR])
        tr = list(map(tuple, work[at : at + 7 * n_tr].reshape(n_tr, 7).tolist()))
        if FAR not in decision and FAR not in chain(*acts) and FAR not in chain(*tr):
            finds = findings[:nf, :4].tolist() if nf else []
            eps = episodes[:ne, :9].tolist() if ne else []
            return decision, acts, finds, tr, eps, shared.covering(t.first, t.last)
        grown = shared.grown(t)
        t = shared.arrays(grown.first, grown.last)


def _compiled_run(
    engine: Any,
    enc: Encoded,
    t: Tables,
    as_of: int,
    threads: int | None,
    progress: Callable[[int], None] | None,
) -> tuple[Any, Any, Any, Any]:
    _ready(engine, t)
    n = len(enc.offsets) - 1
    decisions = np.empty((n, N_DECISION), dtype=DECISION_DTYPE)
    if threads is None:
        threads = min(os.cpu_count() or 1, 8) if n >= _PARALLEL_FROM else 1
    chunk = max(_CHUNK_MIN, -(-n // (threads * _CHUNKS_PER_THREAD))) if n else 1
    bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]

    caps = _caps(enc, t, as_of)

    def one(bound: tuple[int, int]) -> tuple[Any, Any, Any]:
        found = _run_chunk(engine, enc, t, as_of, bound, decisions, caps)
        if progress is not None:
            progress(bound[1] - bound[0])
        return found

    if threads > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(threads) as pool:  # the compiled core releases the GIL
            parts = list(pool.map(one, bounds))
    else:
        parts = [one(b) for b in bounds]

    def joined(k: int, width: int) -> Any:
        return np.concatenate([p[k] for p in parts]) if parts else np.empty((0, width), np.int64)

    return decisions, joined(0, 8), joined(1, 5), joined(2, 10)


def compile_seconds() -> float | None:
    """How long the first use of the compiled core took in this process (compiling it, or
    loading it from the cache), or ``None`` before."""
    return _STATE.get("compile_seconds")


def _run_chunk(
    engine: Any,
    enc: Encoded,
    t: Tables,
    as_of: int,
    bound: tuple[int, int],
    decisions: Any,
    caps: tuple[int, int, int, int, int],
) -> tuple[Any, Any, Any]:
    """Decide children ``bound[0]``..``bound[1] - 1`` (rows of their own, outputs grown as
    needed; ``caps``: see :func:`_caps`)."""
    start, stop = bound
    acts_cap, finds_cap, tr_cap, scratch, eps_cap = caps
    work = engine.work_buffer(acts_cap, finds_cap, tr_cap, scratch, False, episodes=eps_cap)
    size = max(1024, (stop - start) // 4)
    actions = np.empty((size, 8), dtype=np.int64)
    findings = np.empty((size, 5), dtype=np.int64)
    episodes = np.empty((size, 10), dtype=np.int64)
    counts = np.zeros(3, dtype=np.int64)
    while start < stop:
        start = engine.run(
            t, enc.children, enc.rows, enc.offsets, as_of, start, stop, decisions, actions,
            findings, episodes, counts, work,
        )  # fmt: skip
        if start < stop:  # an output is full: double it and go on
            if counts[0] + acts_cap > len(actions):
                actions = np.concatenate([actions, np.empty_like(actions)])
            if counts[1] + finds_cap > len(findings):
                findings = np.concatenate([findings, np.empty_like(findings)])
            if counts[2] + eps_cap > len(episodes):
                episodes = np.concatenate([episodes, np.empty_like(episodes)])
    return actions[: counts[0]], findings[: counts[1]], episodes[: counts[2]]


def _python_run(enc: Encoded, t: Tables, as_of: int) -> tuple[Any, Any, Any, Any]:
    from kongchuo_rules.assess import decide

    rows = [tuple(r) for r in enc.rows.tolist()]
    n = len(enc.offsets) - 1
    w, out = Work(), Out()
    decide(
        t, [tuple(c) for c in enc.children.tolist()], rows, enc.offsets.tolist(), 0, n, as_of,
        w, out,
    )  # fmt: skip
    decisions = np.array([k[0] for k in out.kept], dtype=DECISION_DTYPE).reshape(n, N_DECISION)
    actions = [(*a, c) for c, k in enumerate(out.kept) for a in k[1]]
    findings = [(*f, c) for c, k in enumerate(out.kept) for f in k[2]]
    episodes = [(*e, c) for c, k in enumerate(out.kept) for e in k[4]]
    return (
        decisions,
        np.array(actions, dtype=np.int64).reshape(-1, 8),
        np.array(findings, dtype=np.int64).reshape(-1, 5),
        np.array(episodes, dtype=np.int64).reshape(-1, 10),
    )
