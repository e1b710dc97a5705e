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

The table is built as ``assess`` builds one case (no polars or numpy: mutmut forks its workers,
and a forked polars thread pool hangs), and run through :func:`~kongchuo_rules.assess.decide`
as the batch engine's interpreted path runs it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kongchuo_rules import Case, default_policy
from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import NO_DAY, to_day
from kongchuo_rules._internal.encode import child_of, event_rows
from kongchuo_rules._internal.record import Out, Work
from kongchuo_rules._internal.tables import Tables, shared
from kongchuo_rules.assess import Decision, decide

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


Kept = tuple[Any, ...]  # a child's decision, actions, findings, trace and episodes


def _tables(cases: list[Case]) -> Tables:
    """The tables ``assess`` would use for the earliest of ``cases`` (shared by every run
    below, so that only the slice ``lo:hi`` differs)."""
    policy = default_policy()
    day = to_day(AS_OF)
    first = min(
        [day]
        + [row[codes.F_DAY] for c in cases for row in event_rows(c)]
        + [child_of(c.student).birth + 5 * 365 for c in cases]
    )
    return shared(policy, policy.calendar).covering(first, day)


def _decide(cases: list[Case], t: Tables) -> list[Kept]:
    children = [child_of(c.student) for c in cases]
    rows: list[Any] = []
    offsets = [0]
    for c in cases:
        rows += event_rows(c)
        offsets.append(len(rows))
    w, out = Work(), Out()
    assert decide(t, children, rows, offsets, 0, len(cases), to_day(AS_OF), w, out) == len(cases)
    return list(out.kept)


CASES = [Case.model_validate(c) for c in CHILDREN]
TABLES = _tables(CASES)


@pytest.fixture(scope="module")
def together() -> list[Kept]:
    ids = [c.student.id for c in CASES]
    assert ids == sorted(ids)  # the batch engine's order (by id) is the order written here
    return _decide(CASES, TABLES)


NAMES = [c["student"]["id"] for c in CHILDREN]


@pytest.mark.parametrize("child", range(len(CHILDREN)), ids=NAMES)
def test_each_child_of_a_table_is_decided_as_if_alone(together: list[Kept], child: int) -> None:
    (alone,) = _decide([CASES[child]], TABLES)
    assert together[child] == alone


def test_the_plain_children_by_hand(together: list[Kept]) -> None:
    # absent from Mon 11-02 (November and December 2026 have no holidays): 7th school day
    # 11-10, the month mark 12-02, as of Mon 12-21 a suspected dropout — no attempt has failed
    plain = [k for k, c in zip(together, CASES, strict=True) if c.student.id.endswith("-plain")]
    assert len(plain) == 6
    for kept in plain:
        d: Decision = kept[0]
        assert d.status == codes.S_SUSPECTED_DROPOUT
        assert (d.stage, d.level) == (codes.G_PERSUASION, codes.L_SCHOOL)
        assert (d.run_start, d.alert_date, d.month_mark) == (
            to_day(date(2026, 11, 2)),
            to_day(date(2026, 11, 10)),
            to_day(date(2026, 12, 2)),
        )
        assert d.unexcused_days == 36  # 11-02..12-21: 7 weeks of school days and a Monday
        assert (d.return_date, d.dropout_since, d.causes) == (NO_DAY, NO_DAY, 0)
