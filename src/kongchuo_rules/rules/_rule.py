"""What a rule and a required action are, as declarations beside the code that decides them.

A :class:`Rule` is one rule of the plan: the clauses it applies (keys of the policy's
``[clauses]``), the parameters it reads, how it explains itself in zh and en, and the figures
its trace carries. An :class:`ActionSpec` is one kind of required action: who must do it (agency,
holder role), under which clauses, due how many school days after its trigger, and — as data,
in :class:`DoneBy` — which events complete it.

Each declaration has an ``index``: its position in :data:`RULE_LIST` or :data:`SPEC_LIST`,
which is how the rules core (integers only) names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kongchuo_rules._internal import codes
from kongchuo_rules.vocabulary import ActionKind, Agency, EscalationLevel, Lang, Role

__all__ = [
    "RULE_LIST",
    "SPEC_LIST",
    "ActionSpec",
    "DoneBy",
    "FigureKind",
    "Rule",
]

FigureKind = Literal[
    "day", "int", "iso", "iso_or_dash", "level", "outcome", "status", "clock", "causes", "how"
]
"""How a trace figure (an integer in the core) is shown: a date, a count, an ISO date string
(``iso_or_dash``: ``"—"`` when absent), an enum value, the month clock, a list of causes, or
how a child left (``how``)."""

RULE_LIST: list[Rule] = []
"""Every rule, in declaration order (a rule's ``index`` is its position)."""
SPEC_LIST: list[ActionSpec] = []
"""Every static action spec, in declaration order (cause routes are added per policy)."""


@dataclass(frozen=True)
class Rule:
    """One rule of the plan.

    ``clauses`` are keys of the policy's ``[clauses]`` table (section path + verbatim quote);
    ``parameters`` the dotted names it reads. The four templates explain a firing and a
    non-firing in zh and en, filled from the trace's figures: ``figures`` (when fired) and
    ``figures_not_fired`` name them, in the order the core records them.
    """

    id: str
    title_zh: str
    title_en: str
    clauses: tuple[str, ...]
    fired_zh: str
    fired_en: str
    not_fired_zh: str
    not_fired_en: str
    parameters: tuple[str, ...] = ()
    figures: tuple[tuple[str, FigureKind], ...] = ()
    figures_not_fired: tuple[tuple[str, FigureKind], ...] | None = None
    """The figures of a non-firing; ``None``: the same as ``figures``."""
    index: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", len(RULE_LIST))
        RULE_LIST.append(self)

    def title(self, lang: Lang) -> str:
        """The rule's title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en

    def template(self, fired: bool, lang: Lang) -> str:
        """The explanation template for a firing (or not) in ``lang``."""
        if fired:
            return self.fired_zh if lang == "zh" else self.fired_en
        return self.not_fired_zh if lang == "zh" else self.not_fired_en

    def figure_names(self, fired: bool) -> tuple[tuple[str, FigureKind], ...]:
        """The figures recorded for a firing (or not)."""
        if fired or self.figures_not_fired is None:
            return self.figures
        return self.figures_not_fired


@dataclass(frozen=True)
class DoneBy:
    """Which events complete an action, as data.

    An event completes the action when its ``type`` is one of ``events``, its field ``field``
    (if given) holds one of ``values``, and it is dated on or after the action's *since* day
    (``after="since"``: the start of the episode the rule passes) or its trigger
    (``after="trigger"``) — strictly after with ``strictly`` — and, with ``until="horizon"``,
    not after the episode's horizon. ``field="attributed_level"`` is the escalation level a
    persuasion attempt is attributed to. An ``action_taken`` event of the action's kind (and
    agency, when it names one: the action's, or one of ``taken_by``) dated on or after
    ``taken_after`` also completes it.
    """

    events: tuple[str, ...] = ()
    field: Literal["mark", "to", "finding", "by", "attributed_level"] | None = None
    values: tuple[str, ...] = ()
    after: Literal["since", "trigger"] = "since"
    strictly: bool = False
    until: Literal["as_of", "horizon"] = "as_of"
    taken_after: Literal["since", "trigger"] = "since"
    taken_by: tuple[str, ...] = ()
    """Agencies besides the action's own whose ``action_taken`` completes it (the plan lets
    either do it)."""


@dataclass(frozen=True)
class ActionSpec:
    """One kind of required action: holder, clauses, deadline parameter, the rule requiring it
    and the events that complete it."""

    kind: ActionKind
    agency: Agency
    holder: Role
    clauses: tuple[str, ...]
    due_parameter: str  # a dotted parameter name: school days after the trigger
    rule: str
    supporting: tuple[Agency, ...] = ()
    level: EscalationLevel | None = None
    done_by: DoneBy = DoneBy()
    late_report: bool = False
    """Overdue, the action is also the finding ``late_report`` (四 县教育局: 对不及时上报辍学情况的
    教师、校长，依法依规进行严肃处理)."""
    static: bool = field(default=True, compare=False)
    """Declared in a rule module (``False``: built from a cause route of the policy)."""
    index: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        if self.due_parameter not in codes.PARAMETER_COLUMN:
            raise ValueError(f"{self.kind.value}: unknown parameter {self.due_parameter!r}")
        if self.static:
            object.__setattr__(self, "index", len(SPEC_LIST))
            SPEC_LIST.append(self)
