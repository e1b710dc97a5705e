"""A gap mutation testing showed (scripts/mutation.sh, docs/testing.md): the rules core is run
over many children at once by the batch engine, each child reading only its own slice
``ev[lo:hi]`` of the event rows, but ``assess`` always runs it with ``lo == 0``. A rule that
read from the first row of the table instead of ``lo`` (or indexed its per-event scratch with
``i + lo``) would mix one child's events into the next child's decision — and no test ran the
core over two children with the interpreted engine (the one mutation testing can mutate).

Here the interpreted core decides a table of children in one run, with children whose events
would change a later child's decision if they leaked (an unreachable family, a missing child,
a refusing guardian, a deferral, an exemption, a transfer out, a child found enrolled elsewhere,
a return after persuasion), and each child's rows must equal the rows of that child decided
alone — where ``lo`` is 0. The plain children's figures are checked by hand as well.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kongchuo_rules import default_policy
from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import NO_DAY, to_day
from kongchuo_rules._internal.tables import shared
from kongchuo_rules.batch import _driver, cases_to_tables
from kongchuo_rules.batch._frames import encode

from .test_assess import A, E, P, case

AS_OF = date(2026, 12, 21)


def _with_id(data: dict[str, Any], student_id: str) -> dict[str, Any]:
    data["student"]["id"] = student_id
    return data


def _plain(student_id: str, **student: Any) -> dict[str, Any]:
    # absent from Mon 2026-11-02, nothing else recorded
    return _with_id(case(A("2026-11-02"), **student), student_id)


# ids sort in this order (the batch engine sorts children by id); a plain child follows each
# child whose events would change its decision if they leaked
CHILDREN = [
    _with_id(
        case(
            A("2026-10-19"),  # earlier than the plain children's run
            P("2026-11-16", "unreachable", None),  # attributed to the school level
            E("whereabouts", "2026-11-20", finding="missing"),
            P("2026-12-03", "refused", "township", causes=["guardian_refusal"]),
            E("guardian_education", "2026-12-07"),
            E("registry_mark", "2026-12-08", mark="dropout"),
        ),
        "C01-dropout",
    ),
    _with_id(
        # reported back at school on 11-19 while still absent: an outcome conflict
        case(A("2026-11-02"), P("2026-11-19", "returned", "school")),
        "C01b-conflict",
    ),
    _plain("C02-plain"),
    _with_id(
        case(
            A("2026-11-02", "2026-11-03", excused=True),  # a sick note (overlapping the plain runs)
            A("2026-11-04"),
            E("deferral", "2026-11-04", until="2027-03-01"),
        ),
        "C03-deferred",
    ),
    _plain("C04-plain"),
    _with_id(case(A("2026-11-02"), E("placement", "2026-11-05", mode="exempt")), "C05-exempt"),
    # certified disabled, with no placement decision: the committee must assess the child
    _plain("C06-plain", disability={"certified": True, "category": "physical"}),
    _with_id(case(A("2026-11-02"), E("transfer_out", "2026-11-06")), "C07-transferred"),
    _plain("C08-plain"),
    _with_id(
        case(A("2026-11-02"), E("whereabouts", "2026-11-12", finding="enrolled_elsewhere")),
        "C09-elsewhere",
    ),
    _plain("C10-plain"),
    _with_id(
        case(
            # absent 11-02..12-04 (past the month mark 12-02), a failed attempt, back on 12-07;
            # no registry mark of its own (C01's must not count)
            A("2026-11-02", "2026-12-04"),
            P("2026-11-20", "refused", "school"),
        ),
        "C11-returned",
    ),
    _plain("C12-plain"),
    _with_id(case(registered=False, birth="2015-05-03"), "C13-not-registered"),
    _with_id(
        case(
            E("guardian_contact", "2026-11-03", causes=["guardian_refusal"]),
            registered=False,
            birth="2015-05-03",
        ),
        "C14-refusing-out-of-school",
    ),
    _with_id(case(registered=False, birth="2015-05-03"), "C15-not-registered"),
]


def _decide(cases: list[dict[str, Any]]) -> _driver.Decided:
    policy = default_policy()
    enc = encode(*cases_to_tables(cases))
    return _driver.decide_all(enc, shared(policy, policy.calendar), to_day(AS_OF), use_numba=False)


def _rows_of(table: np.ndarray[Any, Any], child: int) -> list[tuple[int, ...]]:
    """The rows of ``child`` (last column), without that column (an action's ``done_by`` is the
    event's position in its own case: the same for the child alone)."""
    return [tuple(row[:-1]) for row in table[table[:, -1] == child].tolist()]


@pytest.fixture(scope="module")
def together() -> _driver.Decided:
    ids = [c["student"]["id"] for c in CHILDREN]
    assert ids == sorted(ids)  # the engine's order is the order written here
    found = _decide(CHILDREN)
    assert not found.compiled
    return found


NAMES = [c["student"]["id"] for c in CHILDREN]


@pytest.mark.parametrize("child", range(len(CHILDREN)), ids=NAMES)
def test_each_child_of_a_table_is_decided_as_if_alone(
    together: _driver.Decided, child: int
) -> None:
    alone = _decide([CHILDREN[child]])
    assert together.decisions[child].tolist() == alone.decisions[0].tolist()
    assert _rows_of(together.actions, child) == _rows_of(alone.actions, 0)
    assert _rows_of(together.findings, child) == _rows_of(alone.findings, 0)
    assert _rows_of(together.episodes, child) == _rows_of(alone.episodes, 0)


def test_the_plain_children_by_hand(together: _driver.Decided) -> None:
    # absent from Mon 11-02 (November and December 2026 have no holidays): 7th school day
    # 11-10, the month mark 12-02, as of Mon 12-21 a suspected dropout — no attempt has failed
    for child, data in enumerate(CHILDREN):
        if not data["student"]["id"].endswith("-plain"):
            continue
        d = together.decisions[child].tolist()
        status, _, stage, level, _, run_start, unexcused, alert, mark, back, dropout = d[:11]
        assert status == codes.S_SUSPECTED_DROPOUT
        assert stage == codes.G_PERSUASION
        assert level == codes.L_SCHOOL
        assert (run_start, alert, mark) == (
            to_day(date(2026, 11, 2)),
            to_day(date(2026, 11, 10)),
            to_day(date(2026, 12, 2)),
        )
        assert unexcused == 36  # 11-02..12-21: 7 weeks and a day of school days (5 * 7 + 1)
        assert (back, dropout) == (NO_DAY, NO_DAY)
        causes = d[11]
        assert causes == 0
