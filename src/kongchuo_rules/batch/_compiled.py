# mypy: disable-error-code="no-untyped-def, no-untyped-call, attr-defined, call-arg"
"""The rules core compiled with numba (imported only when numba is installed).

Every function of the core marked ``@kernel`` is registered with numba as it is — the same
source ``assess`` interprets. The storage primitives of :mod:`kongchuo_rules._internal.record`
get implementations over preallocated arrays, so that a county is decided without an
allocation per child. The core is compiled without numba's reference counting: every array it
touches is owned by the driver below, which keeps them alive for the whole run, and scratch
space is handed out as views without a reference to their memory. Small leaf functions are
inlined.

The compiled code is cached on disk per version of the core's source (numba's own cache only
watches the file of the compiled function, not the files of the functions it calls).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

import numba
from numba import types
from numba.core.caching import CacheImpl, _CacheLocator
from numba.core.errors import NumbaIRAssumptionWarning
from numba.core.typing import signature
from numba.extending import (
    lower_builtin,
    overload,
    register_jitable,
    type_callable,
)
from numba.np.arrayobj import make_array, populate_array

from kongchuo_rules._internal import record
from kongchuo_rules._internal.kernel import INLINE, KERNEL
from kongchuo_rules._internal.tables import Tables

__all__ = ["N_TR", "TR_AT", "NumbaIRAssumptionWarning", "cache_dir", "run", "warm", "work_buffer"]


# The work buffer of the batch engine is one int64 array: a header of counters and offsets,
# then the regions for actions, findings, trace rows and scratch space.
N_ACTS, N_FINDS, N_TR, N_SCRATCH, TRACING, N_EPS = 0, 1, 2, 3, 4, 5
ACTS_AT, ACTS_CAP, FINDS_AT, FINDS_CAP, TR_AT, TR_CAP, SCRATCH_AT, SCRATCH_CAP = range(6, 14)
EPS_AT, EPS_CAP = 14, 15
HEADER = 16
EP = 9  # columns of an episode row


def work_buffer(
    acts: int, finds: int, trace: int, scratch: int, tracing: bool, episodes: int = 64
) -> Any:
    """A work buffer with room for ``acts`` actions, ``finds`` findings, ``trace`` trace rows,
    ``episodes`` episodes and ``scratch`` integers of scratch space per child."""
    import numpy as np

    at = HEADER
    layout = {}
    for name, rows, width in (
        ("acts", acts, 7),
        ("finds", finds, 4),
        ("tr", trace, 7),
        ("eps", episodes, EP),
    ):
        layout[name] = (at, rows)
        at += rows * width
    buf = np.zeros(at + scratch, dtype=np.int64)
    buf[TRACING] = int(tracing)
    buf[ACTS_AT], buf[ACTS_CAP] = layout["acts"]
    buf[FINDS_AT], buf[FINDS_CAP] = layout["finds"]
    buf[TR_AT], buf[TR_CAP] = layout["tr"]
    buf[EPS_AT], buf[EPS_CAP] = layout["eps"]
    buf[SCRATCH_AT], buf[SCRATCH_CAP] = at, scratch
    return buf


# -- the primitives over the work buffer ---------------------------------------------------------


@overload(record.note, inline="always")
def _note(w, rule, fired, on, f0, f1, f2, f3):
    def impl(w, rule, fired, on, f0, f1, f2, f3):
        if w[TRACING] == 0:
            return
        i = w[N_TR]
        if i >= w[TR_CAP]:
            raise IndexError("trace buffer full")
        at = w[TR_AT] + 7 * i
        w[at] = rule
        w[at + 1] = 1 if fired else 0
        w[at + 2] = on
        w[at + 3] = f0
        w[at + 4] = f1
        w[at + 5] = f2
        w[at + 6] = f3
        w[N_TR] = i + 1

    return impl


@overload(record.not_applicable, inline="always")
def _not_applicable(w, rule):
    def impl(w, rule):
        if w[TRACING] == 0:
            return
        i = w[N_TR]
        if i >= w[TR_CAP]:
            raise IndexError("trace buffer full")
        at = w[TR_AT] + 7 * i
        w[at] = rule
        w[at + 1] = record.NOT_APPLICABLE
        w[at + 2] = record.NO_DAY
        for k in range(3, 7):
            w[at + k] = 0
        w[N_TR] = i + 1

    return impl


@overload(record.finding, inline="always")
def _finding(w, code, on, a, b):
    def impl(w, code, on, a, b):
        i = w[N_FINDS]
        if i >= w[FINDS_CAP]:
            raise IndexError("findings buffer full")
        at = w[FINDS_AT] + 4 * i
        w[at] = code
        w[at + 1] = on
        w[at + 2] = a
        w[at + 3] = b
        w[N_FINDS] = i + 1

    return impl


@overload(record.act, inline="always")
def _act(w, spec, trigger, due, done_by, overdue, cause, done):
    def impl(w, spec, trigger, due, done_by, overdue, cause, done):
        i = w[N_ACTS]
        if i >= w[ACTS_CAP]:
            raise IndexError("actions buffer full")
        at = w[ACTS_AT] + 7 * i
        w[at] = spec
        w[at + 1] = trigger
        w[at + 2] = due
        w[at + 3] = done_by
        w[at + 4] = overdue
        w[at + 5] = cause
        w[at + 6] = done
        w[N_ACTS] = i + 1

    return impl


@overload(record.episode_row, inline="always")
def _episode_row(w, run_start, run_end, alert, mark, start, dropout, back, stage, level):
    def impl(w, run_start, run_end, alert, mark, start, dropout, back, stage, level):
        i = w[N_EPS]
        if i >= w[EPS_CAP]:
            raise IndexError("episodes buffer full")
        at = w[EPS_AT] + EP * i
        w[at] = run_start
        w[at + 1] = run_end
        w[at + 2] = alert
        w[at + 3] = mark
        w[at + 4] = start
        w[at + 5] = dropout
        w[at + 6] = back
        w[at + 7] = stage
        w[at + 8] = level
        w[N_EPS] = i + 1

    return impl


@overload(record.n_actions, inline="always")
def _n_actions(w):
    return lambda w: w[N_ACTS]


@overload(record.action, inline="always")
def _action(w, i, column):
    return lambda w, i, column: w[w[ACTS_AT] + 7 * i + column]


@overload(record.reorder_actions, inline="always")
def _reorder_actions(w, order, n):
    def impl(w, order, n):
        at = w[ACTS_AT]
        copy = record.ints(w, 7 * n, 0)
        for k in range(n):
            src = at + 7 * order[k]
            for col in range(7):
                copy[7 * k + col] = w[src + col]
        for k in range(7 * n):
            w[at + k] = copy[k]
        w[N_ACTS] = n

    return impl


@overload(record.begin, inline="always")
def _begin(w):
    def impl(w):
        w[N_ACTS] = 0
        w[N_FINDS] = 0
        w[N_TR] = 0
        w[N_SCRATCH] = 0
        w[N_EPS] = 0

    return impl


class ArrayOut(NamedTuple):
    """Every child's decision and rows, in the batch engine: ``decisions`` (one row per
    child), ``acts``, ``finds`` and ``eps`` (rows with the child's position in their last
    column) filled up to ``counts[0]``, ``counts[1]`` and ``counts[2]``."""

    decisions: Any
    acts: Any
    finds: Any
    eps: Any
    counts: Any


@overload(record.keep, inline="always")
def _keep(w, out, c, decision):
    def impl(w, out, c, decision):
        na, nf, ne = out.counts[0], out.counts[1], out.counts[2]
        if (
            na + w[N_ACTS] > out.acts.shape[0]
            or nf + w[N_FINDS] > out.finds.shape[0]
            or ne + w[N_EPS] > out.eps.shape[0]
        ):
            return False
        row = out.decisions[c]
        (row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
         row[10], row[11], row[12], row[13], row[14], row[15]) = decision  # fmt: skip
        at = w[ACTS_AT]
        for i in range(w[N_ACTS]):
            for k in range(7):
                out.acts[na, k] = w[at + 7 * i + k]
            out.acts[na, 7] = c
            na += 1
        at = w[FINDS_AT]
        for i in range(w[N_FINDS]):
            for k in range(4):
                out.finds[nf, k] = w[at + 4 * i + k]
            out.finds[nf, 4] = c
            nf += 1
        at = w[EPS_AT]
        for i in range(w[N_EPS]):
            for k in range(EP):
                out.eps[ne, k] = w[at + EP * i + k]
            out.eps[ne, EP] = c
            ne += 1
        out.counts[0], out.counts[1], out.counts[2] = na, nf, ne
        return True

    return impl


def _reserve(w, n, fill):
    """Take ``n`` integers of scratch space, set to ``fill``; their position in ``w``."""
    start = w[N_SCRATCH]
    end = start + n
    if end > w[SCRATCH_CAP]:
        raise IndexError("scratch buffer full")
    w[N_SCRATCH] = end
    at = w[SCRATCH_AT] + start
    for k in range(at, at + n):
        w[k] = fill
    return at


@type_callable(record.ints)
def _type_ints(context):
    def typer(w, n, fill):
        if (
            isinstance(w, types.Array)
            and w.ndim == 1
            and isinstance(n, types.Integer)
            and isinstance(fill, types.Integer)
        ):
            return types.Array(w.dtype, 1, "C")
        return None

    return typer


@lower_builtin(record.ints, types.Array, types.Integer, types.Integer)
def _lower_ints(context, builder, sig, args):
    """``ints``: a view of the scratch space of ``w`` without a reference to its memory (the
    core runs without numba's reference counting, which would only count views of arrays the
    driver owns). Written at this level because numba refuses to *return* a new array from a
    function compiled without reference counting."""
    w_type, n_type, fill_type = sig.args
    at = context.compile_internal(
        builder, _reserve, signature(types.int64, w_type, n_type, fill_type), args
    )
    src = make_array(w_type)(context, builder, value=args[0])
    view = make_array(sig.return_type)(context, builder)
    populate_array(
        view,
        data=builder.gep(src.data, [at]),
        shape=[context.cast(builder, args[1], n_type, types.intp)],
        strides=[src.itemsize],
        itemsize=src.itemsize,
        meminfo=None,
    )
    return view._getvalue()


_OPTIONS: dict[str, Any] = {"error_model": "numpy", "_nrt": False}
"""numba's options for the core: integer division needs no zero check (no divisor of the core
is zero); no reference counting (the core allocates nothing, every array it touches is owned
by the driver, and counting references cost about half of a quiet child's time)."""

for _function in KERNEL:
    inline = "always" if _function in INLINE else "never"
    register_jitable(inline=inline, **_OPTIONS)(_function)

from kongchuo_rules.assess import decide  # noqa: E402  (after the registration above)

N_DECISION = 16
"""Columns of a decision row (the fields of :class:`~kongchuo_rules.assess.Decision`)."""


def _run(
    t: Tables,
    children: Any,
    ev: Any,
    offsets: Any,
    as_of: int,
    start: int,
    stop: int,
    decisions: Any,
    acts: Any,
    finds: Any,
    eps: Any,
    counts: Any,
    work: Any,
) -> int:
    """Decide children ``start``..``stop - 1`` into ``decisions`` (one row each), appending
    their actions (the child's position in column 7), findings (column 4) and episodes (column
    9) to ``acts``, ``finds`` and ``eps`` from ``counts[0..2]``; returns the first child not
    decided (``stop``, unless an output is full). Compiled without reference counting, the
    arrays arrive without a reference to their memory: the caller keeps them alive."""
    out: Any = ArrayOut(decisions, acts, finds, eps, counts)  # record.Out, compiled
    return decide(t, children, ev, offsets, start, stop, as_of, work, out)


def _core_hash() -> str:
    """A hash of the source of every module of the rules core and of this one."""
    modules = {sys.modules[f.__module__] for f in KERNEL} | {sys.modules[__name__], record}
    digest = hashlib.sha256(numba.__version__.encode())
    for module in sorted(modules, key=lambda m: m.__name__):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


_HASH = _core_hash()


def cache_dir() -> Path:
    """Where the compiled core is cached: ``$NUMBA_CACHE_DIR`` (or the user's cache folder)
    / ``kongchuo-rules`` / a hash of the core's source — the same for every installation of
    the same version, so another virtual environment or a Dask worker loads what one compiled,
    and an edited rule is never run from a stale cache."""
    base = os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "kongchuo-rules" / f"numba-{_HASH}"


class _CoreLocator(_CacheLocator):
    """numba's cache locator for the driver: by the core's hash, not by the path of its file
    (numba's own locators key on the file, so each installation would compile again)."""

    def __init__(self, py_func: Any, py_file: Any) -> None:
        self._path = str(cache_dir())

    def get_cache_path(self) -> str:
        return self._path

    def get_source_stamp(self) -> str:
        return _HASH

    def get_disambiguator(self) -> str:
        return "core"

    @classmethod
    def from_function(cls, py_func: Any, py_file: Any) -> _CoreLocator | None:
        return cls(py_func, py_file) if py_func is _run else None


if _CoreLocator not in CacheImpl._locator_classes:
    CacheImpl._locator_classes.insert(0, _CoreLocator)


def _compiled() -> Any:
    return numba.njit(cache=True, nogil=True, **_OPTIONS)(_run)


run = _compiled()
"""The compiled driver (see ``_run``)."""


def warm(t: Tables) -> None:
    """Compile (or load from the cache) the driver for tables like ``t``: decide one child."""
    import numpy as np

    run(
        t, np.zeros((1, 5), dtype=np.int64), np.zeros((0, 8), dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        0, 0, 1, np.zeros((1, N_DECISION), dtype=np.int32), np.zeros((1, 8), dtype=np.int64),
        np.zeros((1, 5), dtype=np.int64), np.zeros((1, EP + 1), dtype=np.int64),
        np.zeros(3, dtype=np.int64), work_buffer(256, 256, 64, 1024, False),
    )  # fmt: skip
