"""The models an assessment shows, built from the rows the rules core recorded: findings at
once (they are few), actions and the trace when first read (:class:`Lazy`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import EPOCH_ORDINAL, NO_DAY, opt_date, to_date, to_day
from kongchuo_rules._internal.record import ActionRow, EpisodeRow, FindingRow, TraceRow, Work
from kongchuo_rules._prc_holidays import HOLIDAYS_VERSION
from kongchuo_rules._version import __version__
from kongchuo_rules.assessment import (
    PENDING,
    Action,
    Assessment,
    Episode,
    Finding,
    RuleTrace,
)
from kongchuo_rules.vocabulary import (
    ActionKind,
    Cause,
    EscalationLevel,
    FindingCode,
    PersuasionOutcome,
    Stage,
    Status,
)

if TYPE_CHECKING:
    from kongchuo_rules._internal.encode import Row
    from kongchuo_rules._internal.tables import Shared, Tables
    from kongchuo_rules.assess import Decision
    from kongchuo_rules.case import Event

__all__ = ["TRACE_CACHE", "Figures", "Lazy", "build_assessment", "construct"]

M = TypeVar("M", bound=BaseModel)


def construct(cls: type[M], fields: dict[str, Any]) -> M:
    """An instance of ``cls`` from already valid ``fields`` (every field given), without
    validation: for models the library builds from its own decisions."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


_CAUSES = tuple(Cause)
_ACTION_FIELDS = {
    "id", "kind", "agency", "holder", "trigger", "due", "done", "overdue", "citations",
    "level", "supporting", "rule", "cause", "done_by",
}  # fmt: skip
_TRACE_FIELDS = {"rule", "fired", "on", "figures", "citations"}
_CLOCKS = ("term_time", "calendar")
_INCOMPLETE = {codes.T_REGISTRY_MARK: "registry_mark without 'mark'",
               codes.T_PLACEMENT: "placement without 'mode'"}  # fmt: skip
_date = dt.date.fromordinal
_set = object.__setattr__


def _causes(value: int) -> str | None:
    names = sorted(_CAUSES[c].value for c in range(len(_CAUSES)) if (value >> c) & 1)
    return ", ".join(names) if names else None


def _values(enum: Any) -> Callable[[int], str | None]:
    values = tuple(m.value for m in enum)
    return lambda code: None if code < 0 else values[code]


_CONVERTERS: dict[str, Callable[[int], Any] | None] = {
    "int": None,
    "day": opt_date,
    "level": _values(EscalationLevel),
    "outcome": _values(PersuasionOutcome),
    "status": _values(Status),
    "clock": _CLOCKS.__getitem__,
    "causes": _causes,
    "how": lambda _code: "transfer_out",
}


def converters(
    figures: Sequence[tuple[str, str]],
) -> tuple[Callable[[int], Any] | None, ...] | None:
    """Per figure of a trace row, the function that turns its integer into the value shown
    (``None`` for an integer); ``None`` when every figure is an integer."""
    found = tuple(_CONVERTERS[kind] for _, kind in figures)
    return None if all(c is None for c in found) else found


def finding_id(case_id: str, code: int, on: int, a: int) -> str:
    """The stable id of a finding: case, code, day, and what tells two of that code apart."""
    found = f"{case_id}/{codes.member(FindingCode, code).value}"  # type: ignore[union-attr]
    if on != NO_DAY:
        found += f"@{to_date(on).isoformat()}"
    if code == codes.FC_LATE_REPORT:
        found += f"/{codes.member(ActionKind, a).value}"  # type: ignore[union-attr]
    elif code == codes.FC_CALENDAR_ESTIMATED:
        found += f"/{a}"
    elif code == codes.FC_INCOMPLETE_EVENT:
        found += f"/{codes.EVENT_TYPES[a]}"
    return found


class Lazy:
    """What an assessment needs to build its actions and trace when first read."""

    __slots__ = ("acts", "as_of", "case_id", "episode", "events", "shared", "tr")

    def __init__(
        self,
        shared: Shared,
        as_of: dt.date,
        acts: list[ActionRow],
        tr: list[TraceRow],
        case_id: str,
        episode: int,
        events: Sequence[Event],
    ) -> None:
        self.shared = shared
        self.as_of = as_of
        self.acts = acts
        self.tr = tr
        self.case_id = case_id
        self.episode = episode
        self.events = events  # the case's: an action done by one names its ref

    def actions(self) -> tuple[Action, ...]:
        templates = self.shared.action_templates()
        head = self.case_id + "/"
        tail = "" if self.episode == NO_DAY else "@" + to_date(self.episode).isoformat()
        events = self.events
        new = Action.__new__
        found = []
        for spec, trigger, due, done_by, overdue, cause, done in self.acts:
            kind, agency, holder, citations, level, supporting, rule, key = templates[spec]
            obj = new(Action)
            _set(obj, "__dict__", {
                "id": head + key + tail,
                "kind": kind,
                "agency": agency,
                "holder": holder,
                "trigger": _date(trigger + EPOCH_ORDINAL),
                "due": _date(due + EPOCH_ORDINAL),
                "done": done == 1,
                "overdue": overdue == 1,
                "citations": citations,
                "level": level,
                "supporting": supporting,
                "rule": rule,
                "cause": None if cause < 0 else _CAUSES[cause],
                "done_by": None if done_by < 0 else events[done_by].ref,
            })  # fmt: skip
            _set(obj, "__pydantic_fields_set__", _ACTION_FIELDS)
            _set(obj, "__pydantic_extra__", None)
            _set(obj, "__pydantic_private__", None)
            found.append(obj)
        return tuple(found)

    def trace(self) -> tuple[RuleTrace, ...]:
        """The trace entries of the rows, each made once per (policy, calendar): an entry is
        immutable and decided by its row alone, so equal rows share one (most rows are the
        same for every child: a rule that did not apply, a status that did not hold)."""
        known = self.shared.traces
        found = []
        for row in self.tr:
            obj = known.get(row)
            if obj is None:
                obj = self._trace(row)
                if len(known) >= TRACE_CACHE:  # keep the cache bounded: start again
                    known.clear()
                known[row] = obj
            found.append(obj)
        return tuple(found)

    def _trace(self, row: TraceRow) -> RuleTrace:
        rule_id, citations, names, convert = self.shared.trace_layouts()[row[0]][row[1]]
        if not names:
            figures = Figures()
        elif convert is None:  # every figure an int
            figures = Figures(zip(names, row[3:], strict=False))
        else:
            figures = Figures(
                (name, row[i] if to is None else to(row[i]))
                for i, (name, to) in enumerate(zip(names, convert, strict=True), start=3)
            )
        fired, on = row[1], row[2]
        obj = RuleTrace.__new__(RuleTrace)
        _set(obj, "__dict__", {
            "rule": rule_id,
            "fired": fired == 1,
            "on": None if on == NO_DAY else _date(on + EPOCH_ORDINAL),
            "figures": figures,
            "citations": citations,
        })  # fmt: skip
        _set(obj, "__pydantic_fields_set__", _TRACE_FIELDS)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


TRACE_CACHE = 4096
"""How many trace entries a (policy, calendar) keeps for reuse."""


class Figures(dict[str, Any]):
    """The figures of a trace entry: a dict that cannot be changed (entries are shared
    between assessments). A copy (``dict(figures)``, pickling, ``model_dump``) is a plain
    dict — what a serialiser that wants exactly a ``dict`` (``yaml.safe_dump``) needs."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> Any:
        raise TypeError("the figures of a trace entry cannot be changed; copy them with dict()")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def copy(self) -> dict[str, Any]:
        return dict(self)

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None) -> dict[str, Any]:  # type: ignore[override]
        return dict.fromkeys(keys, value)


def _message(row: FindingRow, t: Tables, rows: Sequence[Row], as_of: int) -> str:
    code, on, a, b = row
    if code == codes.FC_LATE_REPORT:
        kind = codes.member(ActionKind, a).value  # type: ignore[union-attr]
        return f"{kind} was due on {to_date(on).isoformat()} and is not recorded as done"
    if code == codes.FC_CONFLICTING_ABSENCE:
        days = ", ".join(to_date(d).isoformat() for d in _conflict_days(t, rows, as_of, b))
        return (
            f"{a} school day(s) covered by both an excused and an unexcused absence, counted "
            f"as unexcused: {days}"
        )
    if code == codes.FC_CALENDAR_ESTIMATED:
        return (
            f"PRC holidays of {a} are estimated by the holidays package (no official notice "
            "held): school-day counts in that year may shift; supply the official days with "
            "SchoolCalendar(official=...)"
        )
    if code == codes.FC_OUTCOME_CONFLICT:
        return (
            "a persuasion attempt recorded 'returned' but the child was absent on later school "
            "days of the run; the outcome is not counted"
        )
    if code == codes.FC_EVENTS_AFTER_TRANSFER:
        return "absence recorded after the transfer out; check whether the child is back"
    if code == codes.FC_ABSENCE_WITHOUT_REGISTRATION:
        return (
            f"{a} absence spell(s) recorded for a child marked as not registered; the "
            "attendance rules do not apply until the registration is corrected"
        )
    if code == codes.FC_INCOMPLETE_EVENT:
        return f"{_INCOMPLETE[a]}: ignored"
    if code == codes.FC_ATTENDANCE_NOT_RECORDED:
        return (
            f"{a} school day(s) after {to_date(on).isoformat()}, the last day of recorded "
            "attendance, are unknown: they count neither as absence nor as days at school"
        )
    raise ValueError(f"unknown finding code {code}")


def _conflict_days(t: Tables, rows: Sequence[Row], as_of: int, recorded: int) -> list[int]:
    """The school days covered by both an excused and an unexcused spell, counted as the
    rules core counted them: events up to ``as_of``, attendance up to ``recorded``."""
    from kongchuo_rules._internal.tables import school_day
    from kongchuo_rules.rules.attendance import CONFLICT, absences
    from kongchuo_rules.rules.special import not_expected

    hi = sum(1 for r in rows if r[codes.F_DAY] <= as_of)
    w = Work()
    windows, n = not_expected(rows, 0, hi, w)
    ab = absences(t, rows, 0, hi, recorded, windows, n, w)
    return [school_day(t, ab.k0 + k) for k, s in enumerate(ab.states) if s == CONFLICT]


def build_assessment(
    case_id: str,
    as_of: dt.date,
    d: Decision,
    acts: list[ActionRow],
    finds: list[FindingRow],
    tr: list[TraceRow],
    eps: list[EpisodeRow],
    shared: Shared,
    t: Tables,
    rows: Sequence[Row],
    version: str,
    events: Sequence[Event],
) -> Assessment:
    """The :class:`~kongchuo_rules.assessment.Assessment` of a decision; its actions and trace
    are built when first read."""
    findings: tuple[Finding, ...] = ()
    if finds:
        today = to_day(as_of)
        findings = tuple(
            construct(
                Finding,
                {
                    "id": finding_id(case_id, row[0], row[1], row[2]),
                    "code": codes.member(FindingCode, row[0]),
                    "message": _message(row, t, rows, today),
                    "on": opt_date(row[1]),
                    "national_id": None,
                },
            )
            for row in finds
        )
    episodes: tuple[Episode, ...] = ()
    if eps:
        episodes = tuple(
            construct(
                Episode,
                {
                    "run_start": to_date(e[0]),
                    "run_end": opt_date(e[1]),
                    "alert_date": to_date(e[2]),
                    "month_mark": opt_date(e[3]),
                    "persuasion_start": opt_date(e[4]),
                    "dropout_since": opt_date(e[5]),
                    "return_date": opt_date(e[6]),
                    "highest_stage": codes.member(Stage, e[7]),
                    "highest_level": codes.member(EscalationLevel, e[8]),
                },
            )
            for e in eps
        )
    fields: dict[str, Any] = {  # in the order of Assessment's fields
        "case_id": case_id,
        "as_of": as_of,
        "status": codes.member(Status, d.status),
        "status_since": opt_date(d.since),
        "stage": codes.member(Stage, d.stage),
        "escalation_level": codes.member(EscalationLevel, d.level),
        "run_start": opt_date(d.run_start),
        "unexcused_days": d.unexcused_days,
        "alert_date": opt_date(d.alert_date),
        "month_mark": opt_date(d.month_mark),
        "return_date": opt_date(d.return_date),
        "dropout_since": opt_date(d.dropout_since),
        "school_year_age": d.school_year_age,
        "priority": d.priority == 1,
        "causes": _cause_tuple(d.causes),
        "actions": PENDING,
        "findings": findings,
        "episodes": episodes,
        "policy_version": version,
        "library_version": __version__,
        "holidays_version": HOLIDAYS_VERSION,
        "trace": PENDING,
    }
    return Assessment.lazy(fields, Lazy(shared, as_of, acts, tr, case_id, d.episode_start, events))


@functools.cache
def _cause_tuple(mask: int) -> tuple[Cause, ...]:
    """The causes of a bit mask, in the order of :class:`Cause`."""
    return tuple(c for i, c in enumerate(_CAUSES) if (mask >> i) & 1)
