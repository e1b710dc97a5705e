"""Running the rules core over a whole table of children: compiled with numba when it is
installed, otherwise the same core interpreted (and a warning, once, that it is slow)."""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import FAR
from kongchuo_rules._internal.record import Out, Work
from kongchuo_rules._internal.tables import Shared, Tables
from kongchuo_rules.batch._frames import Encoded

__all__ = ["Decided", "compile_seconds", "compiled", "decide_all"]

log = logging.getLogger("kongchuo_rules.batch")

N_DECISION = 15
_FIVE_YEARS = 5 * 365  # a table-range hint only (see assess): the start of school age
_ACTIONS_PER_CHILD = 128  # room for the actions one decision records before deduplication


@dataclass
class Decided:
    """The core's rows for every child: one decision row each, and the actions and findings
    with the child's position in their last column."""

    decisions: np.ndarray[Any, np.dtype[np.int64]]  # (children, 15)
    actions: np.ndarray[Any, np.dtype[np.int64]]  # (actions, 8)
    findings: np.ndarray[Any, np.dtype[np.int64]]  # (findings, 5)
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


def decide_all(enc: Encoded, shared: Shared, as_of: int, *, use_numba: bool = True) -> Decided:
    """Decide every child of ``enc`` on ``as_of``."""
    n = len(enc.offsets) - 1
    first = as_of
    if len(enc.rows):
        first = min(first, int(enc.rows[:, codes.F_DAY].min()))
    if n:
        first = min(first, int(enc.birth.min()) + _FIVE_YEARS)
    engine = compiled() if use_numba else None
    t = shared.arrays(first, as_of) if engine is not None else shared.covering(first, as_of)
    while True:
        started = time.perf_counter()
        if engine is not None:
            found = _compiled_run(engine, enc, t, as_of)
        else:
            found = _python_run(enc, t, as_of)
        seconds = time.perf_counter() - started
        decisions, actions, findings = found
        if not (
            (decisions == FAR).any() or (actions[:, 1] == FAR).any() or (actions[:, 2] == FAR).any()
        ):
            return Decided(decisions, actions, findings, t, engine is not None, seconds)
        grown = shared.grown(t)
        t = shared.arrays(grown.first, grown.last) if engine is not None else grown


def _caps(enc: Encoded, t: Tables, as_of: int) -> tuple[int, int, int, int]:
    """Room per child: actions, findings, trace rows, scratch integers."""
    counts = np.diff(enc.offsets)
    m = int(counts.max()) if len(counts) else 0
    days = 0
    if len(enc.rows):
        has = counts > 0
        firsts = enc.rows[enc.offsets[:-1][has], codes.F_DAY]
        days = max(0, int((as_of - firsts).max()) + 1)
    acts = _ACTIONS_PER_CHILD + 2 * t.n_routes
    finds = 2 * m + 16 + t.n_years
    scratch = 5 * m + 2 * days + 64
    return acts, finds, 64, scratch


def _compiled_run(engine: Any, enc: Encoded, t: Tables, as_of: int) -> tuple[Any, Any, Any]:
    with warnings.catch_warnings():  # numba's own pedantic notes while it compiles
        warnings.simplefilter("ignore", engine.NumbaIRAssumptionWarning)
        if "compile_seconds" not in _STATE:
            started = time.perf_counter()
            engine.warm(t)
            _STATE["compile_seconds"] = seconds = time.perf_counter() - started
            log.info(
                "rules core ready in %.1f s (compiled or loaded from %s)",
                seconds,
                engine.cache_dir(),
            )
        return _compiled_run_in(engine, enc, t, as_of)


def compile_seconds() -> float | None:
    """How long the first use of the compiled core took in this process (compiling it, or
    loading it from the cache), or ``None`` before."""
    return _STATE.get("compile_seconds")


def _compiled_run_in(engine: Any, enc: Encoded, t: Tables, as_of: int) -> tuple[Any, Any, Any]:
    n = len(enc.offsets) - 1
    acts_cap, finds_cap, tr_cap, scratch = _caps(enc, t, as_of)
    work = engine.work_buffer(acts_cap, finds_cap, tr_cap, scratch, False)
    decisions = np.empty((n, N_DECISION), dtype=np.int64)
    actions = np.empty((max(1024, n // 4), 8), dtype=np.int64)
    findings = np.empty((max(1024, n // 4), 5), dtype=np.int64)
    counts = np.zeros(2, dtype=np.int64)
    start = 0
    while start < n:
        start = engine.run(
            t, enc.birth, enc.registered, enc.priority, enc.certified, enc.rows, enc.offsets,
            as_of, start, decisions, actions, findings, counts, work,
        )  # fmt: skip
        if start < n:  # an output is full: double it and go on
            if counts[0] + acts_cap > len(actions):
                actions = np.concatenate([actions, np.empty_like(actions)])
            if counts[1] + finds_cap > len(findings):
                findings = np.concatenate([findings, np.empty_like(findings)])
    return decisions, actions[: counts[0]], findings[: counts[1]]


def _python_run(enc: Encoded, t: Tables, as_of: int) -> tuple[Any, Any, Any]:
    from kongchuo_rules.assess import decide

    rows = [tuple(r) for r in enc.rows.tolist()]
    n = len(enc.offsets) - 1
    w, out = Work(), Out()
    decide(
        t, enc.birth.tolist(), enc.registered.tolist(), enc.priority.tolist(),
        enc.certified.tolist(), rows, enc.offsets.tolist(), 0, n, as_of, w, out,
    )  # fmt: skip
    decisions = np.array([d for d, _, _, _ in out.kept], dtype=np.int64).reshape(n, N_DECISION)
    actions = [(*a, c) for c, (_, acts, _, _) in enumerate(out.kept) for a in acts]
    findings = [(*f, c) for c, (_, _, finds, _) in enumerate(out.kept) for f in finds]
    return (
        decisions,
        np.array(actions, dtype=np.int64).reshape(-1, 8),
        np.array(findings, dtype=np.int64).reshape(-1, 5),
    )
