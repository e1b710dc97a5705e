"""Hypothesis's entry point (``[project.entry-points.hypothesis]``): with kongchuo-rules
installed, ``st.from_type(Case)`` — and ``@given(case=...)`` inference, ``st.builds`` of a model
holding one — draws from the library's own strategies in :mod:`kongchuo_rules.testing`.

Hypothesis calls :func:`register` while it is being imported — possibly because
:mod:`kongchuo_rules.testing` is importing it — so the strategies are looked up only when first
drawn from.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def register() -> None:
    """Register a strategy for each of the library's types that has one."""
    from hypothesis import strategies as st

    from kongchuo_rules.calendar import SchoolCalendar
    from kongchuo_rules.case import Absence, Case, Persuasion, Student
    from kongchuo_rules.policy import Policy

    def lazy(name: str) -> st.SearchStrategy[Any]:
        def strategy() -> st.SearchStrategy[Any]:
            from kongchuo_rules import testing

            made: st.SearchStrategy[Any] = getattr(testing, name)()
            return made

        return st.deferred(strategy)

    st.register_type_strategy(Case, lazy("cases"))
    st.register_type_strategy(Student, lazy("students"))
    st.register_type_strategy(Absence, lazy("absences"))
    st.register_type_strategy(Persuasion, lazy("persuasions"))
    st.register_type_strategy(Policy, lazy("policies"))
    st.register_type_strategy(SchoolCalendar, lazy("calendars"))
