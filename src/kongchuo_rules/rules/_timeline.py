"""A case's events up to a day, grouped by type once, so rules never scan the whole list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar, cast

from kongchuo_rules.case import Event

__all__ = ["Timeline"]

E = TypeVar("E")


class Timeline:
    """The events dated on or before ``as_of``, in date order, grouped by event class."""

    __slots__ = ("_groups", "as_of", "events")

    def __init__(self, events: Sequence[Event], as_of: dt.date) -> None:
        self.as_of = as_of
        self.events = tuple(e for e in events if e.day <= as_of)
        groups: dict[type, list[Event]] = {}
        for event in self.events:
            groups.setdefault(type(event), []).append(event)
        self._groups = groups

    def of(self, kind: type[E]) -> list[E]:
        """The events of class ``kind``, in date order (empty list if none)."""
        return cast("list[E]", self._groups.get(kind, []))
