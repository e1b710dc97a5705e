"""A rule as a declarative unit: its clause, its parameters, and how it explains itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kongchuo_rules.assessment import Figure
from kongchuo_rules.policy import Policy
from kongchuo_rules.vocabulary import Lang

__all__ = ["Rule"]


@dataclass(frozen=True)
class Rule:
    """One rule of the plan.

    ``clauses`` are keys of the policy's ``[clauses]`` table (section path + verbatim quote);
    ``parameters`` the dotted names it reads. The four templates explain a firing and a
    non-firing in zh and en, filled from the figures of the trace.
    """

    id: str
    title_zh: str
    title_en: str
    clauses: tuple[str, ...]
    fired_zh: str
    fired_en: str
    not_fired_zh: str
    not_fired_en: str
    parameters: tuple[str, ...] = field(default=())

    def title(self, lang: Lang) -> str:
        """The rule's title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en

    def template(self, fired: bool, lang: Lang) -> str:
        """The explanation template for a firing (or not) in ``lang``."""
        if fired:
            return self.fired_zh if lang == "zh" else self.fired_en
        return self.not_fired_zh if lang == "zh" else self.not_fired_en

    def trace(
        self,
        policy: Policy,
        fired: bool,
        on: dt.date | None = None,
        **figures: Figure,
    ) -> dict[str, Any]:
        """The fields of a :class:`RuleTrace` for this rule, citations resolved from ``policy``.

        A plain dict, so that the whole assessment is validated once, in pydantic-core.
        """
        return {
            "rule": self.id,
            "fired": fired,
            "on": on,
            "figures": figures,
            "citations": policy.cite(self.clauses),
        }
