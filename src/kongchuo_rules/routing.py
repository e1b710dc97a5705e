"""Who is responsible: an agency's standing duties under the plan, and the agencies the plan
makes responsible for a cause of absence (plan 四). Both take an enum member or its snake_case
string, and raise ``ValueError`` on an unknown one.

>>> [a.value for a in agencies_for("economic_hardship")]
['civil_affairs_bureau', 'education_bureau', 'finance_bureau']
>>> len(responsibilities("school")) > 0
True
>>> agencies_for("flu")
Traceback (most recent call last):
...
kongchuo_rules.errors.KongchuoError: cause: unknown value; expected one of ...
"""

from __future__ import annotations

from kongchuo_rules.errors import enum_member
from kongchuo_rules.policy import Policy
from kongchuo_rules.rules import routing as _routing
from kongchuo_rules.rules.routing import StandingDuty
from kongchuo_rules.vocabulary import Agency, Cause

__all__ = ["StandingDuty", "agencies_for", "responsibilities"]


def agencies_for(cause: Cause | str, policy: Policy | None = None) -> tuple[Agency, ...]:
    """The agencies the plan makes responsible for ``cause`` (a :class:`Cause` or its value),
    in the policy's order.

    >>> Agency.COURT in agencies_for(Cause.GUARDIAN_REFUSAL)
    True
    """
    return _routing.agencies_for(enum_member(Cause, cause, "cause"), policy)


def responsibilities(
    agency: Agency | str, policy: Policy | None = None
) -> tuple[StandingDuty, ...]:
    """The standing duties of ``agency`` (an :class:`Agency` or its value) under the plan,
    each with its citations.

    >>> [d.schedule for d in responsibilities("disabled_persons_federation")]
    [None, 'every August']
    """
    return _routing.responsibilities(enum_member(Agency, agency, "agency"), policy)
