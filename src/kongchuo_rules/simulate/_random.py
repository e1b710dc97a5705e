"""Counter-based random numbers: a uniform in [0, 1) that is a pure function of a key (the
simulation seed, a child, a spell, a purpose), so that every policy variant of a run sees the
same draw for the same child and event (common random numbers: the differences between
policies are the policies', not the dice's).

>>> import numpy as np
>>> a = uniform(7, np.array([1, 2, 3]), np.array([0, 0, 0]), 5)
>>> bool(((0 <= a) & (a < 1)).all()), bool((a == uniform(7, np.array([1, 2, 3]), 0, 5)).all())
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["uniform"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_SCALE = 1.0 / float(2**53)


def _mix(x: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """SplitMix64's finaliser (wrapping uint64 arithmetic)."""
    x = x + _GOLDEN
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def uniform(seed: int, *keys: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Uniforms in [0, 1), one per element of the broadcast ``keys`` (integers), determined by
    ``seed`` and the keys alone."""
    with np.errstate(over="ignore"):
        arrays = np.broadcast_arrays(*(np.asarray(k, dtype=np.int64) for k in keys))
        h = _mix(np.full(arrays[0].shape, np.uint64(seed & 0xFFFFFFFFFFFFFFFF), dtype=np.uint64))
        for k in arrays:
            h = _mix(h ^ k.astype(np.uint64))
    return (h >> _S11).astype(np.float64) * _SCALE
