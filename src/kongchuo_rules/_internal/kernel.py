"""The ``@kernel`` mark: a function of the rules core, written in the subset of Python that
numba compiles (ints, tuples, lists and flat arrays; no objects, dicts or strings).

The mark changes nothing when the function runs in Python — ``assess`` runs the core
interpreted, one child at a time. :mod:`kongchuo_rules.batch` registers every marked function
with numba so that the same code runs compiled over columns: one rule definition, two
evaluation modes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["INLINE", "KERNEL", "inline", "kernel"]

F = TypeVar("F", bound=Callable[..., object])

KERNEL: list[Callable[..., object]] = []
"""Every marked function, in the order their modules were imported."""
INLINE: set[Callable[..., object]] = set()
"""The functions compiled inline into their callers: small ones (day arithmetic, table
lookups) and the engine's steps that are called from one place."""


def kernel(function: F) -> F:
    """Mark ``function`` as part of the rules core (returns it unchanged)."""
    KERNEL.append(function)
    return function


def inline(function: F) -> F:
    """Mark a function of the rules core that the compiler should inline (returns it
    unchanged)."""
    INLINE.add(function)
    return kernel(function)
