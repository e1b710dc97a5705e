"""What ``assess`` returns: the assessment, its actions, findings and the trace of rules.

No model here holds a name, a national id or a phone number: an assessment can be logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.citations import Citation
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    FindingCode,
    Lang,
    Role,
    Stage,
    Status,
)

__all__ = ["Action", "Assessment", "Episode", "Finding", "FindingCode", "RuleTrace"]

Figure = dt.date | bool | int | str | None
"""A value that decided a rule: a date, a flag, a count or a code (dates first: validation
of the union is cheapest in this order, and a string never turns into a date)."""


class Finding(FrozenModel):
    """A data-quality or compliance finding; ``message`` never holds personal data."""

    id: str | None = None
    """Stable across re-assessments: the case id, the code and what tells two findings of that
    code apart (set by ``assess``; ``None`` for ledger findings)."""
    code: FindingCode
    message: str
    on: dt.date | None = None
    national_id: str | None = Field(default=None, repr=False)
    """For ledger findings: the child concerned (a structured field, never in ``message``)."""


class Action(FrozenModel):
    """A required action: who (agency, holder role) must do what by when, and why."""

    id: str
    """Stable across re-assessments: derived from the case id, the kind, agency and level, and
    the start of the episode (never from a trigger or due date that a correction moves)."""
    kind: ActionKind
    agency: Agency
    holder: Role
    trigger: dt.date
    due: dt.date
    done: bool
    overdue: bool
    citations: tuple[Citation, ...] = Field(min_length=1)
    level: EscalationLevel | None = None
    supporting: tuple[Agency, ...] = ()
    rule: str
    """The rule that requires the action (a key of ``kongchuo_rules.rules.RULES``)."""
    cause: Cause | None = None
    """The cause that routed the action to its agency, for cause-routing actions."""
    done_by: str | None = None
    """The ``ref`` of the event that completed the action (when that event has one)."""


class Episode(FrozenModel):
    """A run of absence that fired the 7-day rule, closed or still open, as it stood on its
    last day (the day before the return, or the day assessed): its dates, the furthest stage
    it reached and the level then responsible for persuasion."""

    run_start: dt.date
    run_end: dt.date | None = None
    """The last day of absence of a closed run; ``None`` while it is open."""
    alert_date: dt.date
    month_mark: dt.date | None = None
    persuasion_start: dt.date | None = None
    dropout_since: dt.date | None = None
    return_date: dt.date | None = None
    highest_stage: Stage
    highest_level: EscalationLevel | None = None


class RuleTrace(FrozenModel):
    """One rule checked: whether it fired, on which day, the figures that decided, its clause."""

    rule: str
    fired: bool
    on: dt.date | None = None
    figures: dict[str, Figure] = Field(default_factory=dict)
    citations: tuple[Citation, ...] = ()


class Assessment(FrozenModel):
    """A child's status on one day, what must be done, and why (PRODUCT.md §5.8).

    ``assess`` builds ``actions`` and ``trace`` when they are first read (or the assessment is
    serialised, compared, hashed, copied or pickled): an assessment whose actions nobody reads
    costs only its decision.
    """

    case_id: str
    as_of: dt.date
    status: Status
    status_since: dt.date | None = None
    stage: Stage = Stage.NONE
    escalation_level: EscalationLevel | None = None
    run_start: dt.date | None = None
    unexcused_days: int = 0
    alert_date: dt.date | None = None
    month_mark: dt.date | None = None
    return_date: dt.date | None = None
    dropout_since: dt.date | None = None
    """The day the child became a dropout in the current episode (or the one that led to a
    return), if they did."""
    school_year_age: int | None = None
    priority: bool = False
    causes: tuple[Cause, ...] = ()
    actions: tuple[Action, ...] = ()
    findings: tuple[Finding, ...] = ()
    episodes: tuple[Episode, ...] = ()
    """Every run of absence of the child's events that fired the 7-day rule, in order."""
    policy_version: str
    library_version: str
    """The version of kongchuo-rules that made the assessment."""
    holidays_version: str
    """The version of the ``holidays`` package whose PRC days off and make-up days it used."""
    trace: tuple[RuleTrace, ...] = ()

    @classmethod
    def lazy(cls, fields: dict[str, Any], builder: Any) -> Self:
        """An assessment from valid ``fields`` (every field, in order, ``actions`` and
        ``trace`` set to :data:`PENDING`; the dict becomes the assessment's) whose actions and
        trace ``builder`` makes on first use (internal)."""
        obj = cls.__new__(cls)
        fields[_LAZY] = builder
        object.__setattr__(obj, "__dict__", fields)
        object.__setattr__(obj, "__pydantic_fields_set__", set(cls.model_fields))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj

    def _materialize(self) -> None:
        state = self.__dict__
        builder = state.get(_LAZY)
        if builder is not None:  # two threads may both build: the same values, either kept
            state["actions"] = builder.actions()
            state["trace"] = builder.trace()
            state.pop(_LAZY, None)

    def __iter__(self) -> Any:
        self._materialize()
        return super().__iter__()

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        self._materialize()
        return handler(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Assessment):
            self._materialize()
            other._materialize()
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._materialize()
        return super().__hash__()

    def __repr_args__(self) -> Any:
        self._materialize()
        return super().__repr_args__()

    def __getstate__(self) -> dict[Any, Any]:
        self._materialize()
        return super().__getstate__()

    def __copy__(self) -> Self:
        self._materialize()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        self._materialize()
        return super().__deepcopy__(memo)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic), with the actions and trace built."""
        self._materialize()
        return super().model_copy(update=update, deep=deep)

    def explain(self, lang: Lang = "zh") -> str:
        """The assessment as readable text: status, figures, actions, and every rule checked."""
        from kongchuo_rules.explain import render

        return render(self, lang)

    def fired(self, rule: str) -> bool:
        """Whether the rule ``rule`` (e.g. ``"attendance.seven_day_alert"``) fired."""
        return any(t.rule == rule and t.fired for t in self.trace)


_LAZY = "_lazy_parts"

PENDING: Any = object()
"""The value of ``actions`` and ``trace`` in the ``__dict__`` of an assessment that has not
built them yet (internal)."""


class _Built:
    """``Assessment.actions`` and ``Assessment.trace``: the field's value, built on first
    read. A data descriptor, so the read needs no failed lookup first; pydantic's own
    validation and serialisation use the ``__dict__`` as always."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Assessment | None, owner: type | None = None) -> Any:
        if obj is None:  # as pydantic has it: a field is no class attribute (and a subclass
            raise AttributeError(self.name)  # must not take this descriptor for a default)
        value = obj.__dict__.get(self.name, PENDING)
        if value is PENDING:
            obj._materialize()
            value = obj.__dict__.get(self.name, PENDING)
            if value is PENDING:
                raise AttributeError(self.name)
        return value

    def __set__(self, obj: Assessment, value: Any) -> None:
        raise TypeError(f"Assessment is frozen: {self.name} cannot be set")


if not TYPE_CHECKING:
    Assessment.actions = _Built("actions")
    Assessment.trace = _Built("trace")
