"""Hypothesis strategies for the library's own types, for property tests (ours and vendors').

>>> from hypothesis import given, settings
>>> from kongchuo_rules import assess
>>> @settings(max_examples=20, deadline=None)
... @given(cases())
... def test_assess_never_raises(case):
...     assess(case, as_of=date(2026, 12, 1))
>>> test_assess_never_raises()

Requires the ``hypothesis`` package (in the ``dev`` extra).
"""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import (
    Absence,
    ActionTaken,
    AdministrativePenalty,
    Case,
    Completion,
    CourtApplication,
    Deferral,
    Event,
    Guardian,
    GuardianContact,
    GuardianEducation,
    GuardianOrder,
    HomeVisit,
    Household,
    IndividualPlan,
    PersuaderAssigned,
    Persuasion,
    Placement,
    RegistryMark,
    Report,
    Student,
    TransferOut,
    Whereabouts,
    national_id_check_char,
)
from kongchuo_rules.policy import Policy, default_policy
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    Flag,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    WhereaboutsFinding,
)

__all__ = [
    "TERM_END",
    "TERM_START",
    "absences",
    "calendars",
    "cases",
    "episodes",
    "events",
    "national_ids",
    "persuasions",
    "policies",
    "rosters",
    "students",
]

TERM_START = date(2026, 9, 1)
"""First day of the default window the strategies draw dates from (autumn term 2026)."""
TERM_END = date(2027, 1, 15)
"""Last day of that window."""


def national_ids(birth_date: dt.date) -> st.SearchStrategy[str]:
    """Valid 18-character national ids (checksum included) encoding ``birth_date``."""

    def build(region: int, sequence: int) -> str:
        body = f"{region:06d}{birth_date:%Y%m%d}{sequence:03d}"
        return body + national_id_check_char(body)

    return st.builds(build, st.integers(110000, 659999), st.integers(0, 999))


_names = st.text(alphabet="张王李赵刘陈杨黄周吴明华丽伟芳强", min_size=2, max_size=3)
_phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@st.composite
def students(
    draw: st.DrawFn,
    *,
    registered: bool | None = None,
    born: tuple[dt.date, dt.date] = (date(2011, 9, 1), date(2020, 8, 31)),
    personal: bool = True,
) -> Student:
    """Students born in ``born`` (default: of school age in 2026–27), with personal data."""
    birth = draw(st.dates(*born))
    is_registered = draw(st.booleans()) if registered is None else registered
    return Student(
        id=draw(st.from_regex(r"S-[0-9]{4,6}", fullmatch=True)),
        name=draw(_names) if personal else None,
        national_id=draw(national_ids(birth)) if personal and draw(st.booleans()) else None,
        birth_date=birth,
        township=draw(st.sampled_from(["鸡东镇", "永安镇", "向阳镇", "哈达镇", None])),
        school_id=draw(st.sampled_from(["JD-001", "JD-002", None])) if is_registered else None,
        grade=draw(st.integers(1, 9) | st.none()) if is_registered else None,
        registered=is_registered,
        household=draw(st.builds(Household)),
        flags=tuple(draw(st.lists(st.sampled_from(list(Flag)), max_size=2, unique=True))),
        attendance_through=draw(st.none() | st.none() | st.dates(TERM_START, TERM_END)),
    )


def _day(window: tuple[dt.date, dt.date]) -> st.SearchStrategy[dt.date]:
    return st.dates(*window)


@st.composite
def absences(
    draw: st.DrawFn,
    window: tuple[dt.date, dt.date] = (TERM_START, TERM_END),
    *,
    excused: bool | None = None,
) -> Absence:
    """Absence spells starting in ``window``: open-ended or up to 60 days, mostly unexcused."""
    start = draw(_day(window))
    length = draw(st.none() | st.integers(0, 60))
    is_excused = draw(st.sampled_from([False, False, True])) if excused is None else excused
    end = None if length is None else start + timedelta(days=length)
    return Absence(start=start, end=end, excused=is_excused)


_causes = st.lists(st.sampled_from(list(Cause)), max_size=2, unique=True).map(tuple)


def persuasions(
    window: tuple[dt.date, dt.date] = (TERM_START, TERM_END),
) -> st.SearchStrategy[Persuasion]:
    """Persuasion attempts dated in ``window``, with any level, outcome and causes."""
    return st.builds(
        Persuasion,
        date=_day(window),
        level=st.none() | st.sampled_from(list(EscalationLevel)),
        outcome=st.none() | st.sampled_from(list(PersuasionOutcome)),
        causes=_causes,
    )


def events(
    window: tuple[dt.date, dt.date] = (TERM_START, TERM_END),
    *,
    special: bool = True,
) -> st.SearchStrategy[Event]:
    """Any event dated in ``window``; absences and persuasions are the most frequent.

    With ``special=False`` no completion, exemption, deferral, transfer or placement is drawn.
    """
    day = _day(window)
    actors = st.none() | st.sampled_from([*Role, *Agency])
    deadline = st.none() | st.integers(0, 40)
    common: list[st.SearchStrategy[Any]] = [
        absences(window),
        absences(window),
        absences(window),
        persuasions(window),
        persuasions(window),
        st.builds(HomeVisit, date=day, by=actors, causes=_causes),
        st.builds(GuardianContact, date=day, by=actors, causes=_causes),
        st.builds(PersuaderAssigned, date=day),
        st.builds(
            Whereabouts,
            date=day,
            finding=st.sampled_from(list(WhereaboutsFinding)),
            verified_by=actors,
        ),
        st.builds(RegistryMark, date=day, mark=st.none() | st.sampled_from(list(MarkKind))),
        st.builds(Report, date=day, to=st.sampled_from(list(Agency))),
        st.builds(IndividualPlan, date=day),
        st.builds(GuardianEducation, date=day, by=actors),
        st.builds(
            lambda d, n, by: GuardianOrder(
                date=d, deadline=None if n is None else d + timedelta(days=n), by=by
            ),
            day,
            deadline,
            actors,
        ),
        st.builds(
            lambda d, n: AdministrativePenalty(
                date=d, deadline=None if n is None else d + timedelta(days=n)
            ),
            day,
            deadline,
        ),
        st.builds(CourtApplication, date=day),
        st.builds(
            ActionTaken,
            date=day,
            kind=st.sampled_from(list(ActionKind)),
            agency=st.none() | st.sampled_from(list(Agency)),
        ),
    ]
    rare: list[st.SearchStrategy[Any]] = [
        st.builds(Completion, date=day),
        st.builds(Placement, date=day, mode=st.none() | st.sampled_from(list(PlacementMode))),
        st.builds(
            lambda d, n: Deferral(date=d, until=None if n is None else d + timedelta(days=n)),
            day,
            st.none() | st.integers(0, 365),
        ),
        st.builds(TransferOut, date=day),
    ]
    return st.one_of(*common, *(rare if special else []))


@st.composite
def episodes(
    draw: st.DrawFn, window: tuple[dt.date, dt.date] = (TERM_START, TERM_END)
) -> list[Event]:
    """A realistic absence episode: one long unexcused spell (open or 5–100 days) and the
    visits, persuasion attempts and whereabouts checks that follow it."""
    start = draw(_day(window))
    length = draw(st.none() | st.integers(5, 100))
    found: list[Event] = [
        Absence(
            start=start,
            end=None if length is None else start + timedelta(days=length),
            excused=False,
        )
    ]
    after = st.integers(1, 90).map(lambda n: start + timedelta(days=n))
    found += draw(
        st.lists(
            st.builds(HomeVisit, date=after, by=st.just(Role.CLASS_TEACHER), causes=_causes),
            max_size=1,
        )
    )
    found += draw(
        st.lists(
            st.builds(
                Persuasion,
                date=after,
                level=st.none() | st.sampled_from(list(EscalationLevel)),
                outcome=st.sampled_from([*PersuasionOutcome, None]),
                causes=_causes,
            ),
            max_size=4,
        )
    )
    found += draw(
        st.lists(
            st.builds(Whereabouts, date=after, finding=st.sampled_from(list(WhereaboutsFinding))),
            max_size=1,
        )
    )
    return found


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    window: tuple[dt.date, dt.date] = (TERM_START, TERM_END),
    registered: bool | None = True,
    special: bool = True,
    max_events: int = 8,
) -> Case:
    """Whole cases: a student (registered by default), usually an absence episode, and up to
    ``max_events`` other events in ``window``; guardians carry personal data."""
    student = draw(students(registered=registered))
    guardians = draw(
        st.lists(
            st.builds(Guardian, name=_names, phone=_phones, relation=st.just("mother")), max_size=2
        )
    )
    drawn: list[Event] = draw(episodes(window)) if draw(st.integers(0, 3)) else []
    drawn += draw(st.lists(events(window, special=special), max_size=max_events))
    return Case(student=student, guardians=tuple(guardians), events=tuple(drawn))


@st.composite
def policies(draw: st.DrawFn, base: Policy | None = None) -> Policy:
    """Policies with varied parameters (thresholds, deadlines, the month clock), now and then
    with a threshold that changes during the school year."""
    base = base or default_policy()
    changes: dict[str, Any] = {
        "absence.alert_unexcused_school_days": draw(st.integers(3, 10)),
        "absence.home_visit_due_school_days": draw(st.integers(0, 3)),
        "absence.month_clock": draw(st.sampled_from(["term_time", "calendar"])),
        "persuasion.agreed_return_grace_school_days": draw(st.integers(1, 5)),
        "persuasion.escalation_due_school_days": draw(st.integers(1, 10)),
        "reporting.report_due_school_days": draw(st.integers(0, 3)),
        "returned.monitoring_days": draw(st.integers(20, 120)),
        "returned.individual_plan_due_school_days": draw(st.integers(1, 20)),
    }
    if draw(st.booleans()):
        since = draw(st.dates(TERM_START, TERM_END))
        changes["absence.alert_unexcused_school_days"] = [
            {"since": None, "value": changes["absence.alert_unexcused_school_days"]},
            {"since": since, "value": draw(st.integers(3, 10))},
        ]
    return base.with_changes(changes)


@st.composite
def calendars(
    draw: st.DrawFn,
    *,
    policy: Policy | None = None,
    window: tuple[dt.date, dt.date] = (TERM_START, TERM_END),
) -> SchoolCalendar:
    """School calendars with a few closures and extra school days in ``window``."""
    closures = draw(st.sets(_day(window), max_size=4))
    extra = draw(st.sets(_day(window), max_size=2)) - closures
    return SchoolCalendar(
        policy=policy or default_policy(),
        closures=frozenset(closures),
        extra_days=frozenset(extra),
    )


@st.composite
def rosters(draw: st.DrawFn, *, max_children: int = 25) -> dict[str, list[Any]]:
    """Keyword inputs for :func:`~kongchuo_rules.county.reconcile`: overlapping rosters
    (household, registry, presence, disabled, decisions, elsewhere, surveys) drawn from a pool
    of up to ``max_children`` children, with duplicates and conflicts now and then."""
    from kongchuo_rules.county.records import (
        Decision,
        DecisionKind,
        DisabilityRecord,
        ElsewhereRecord,
        HouseholdRecord,
        PresenceRecord,
        RegistryRecord,
        RegistryStatus,
        SurveyFinding,
        SurveyRecord,
    )

    births = draw(
        st.lists(st.dates(date(2009, 1, 1), date(2022, 12, 31)), min_size=1, max_size=max_children)
    )
    ids = list(dict.fromkeys(draw(national_ids(b)) for b in births))
    pick = st.sampled_from(ids)
    schools = st.sampled_from(["S1", "S2", "S3"])
    towns = st.sampled_from(["鸡东镇", "永安镇", "哈达镇"])

    def birth_of(nid: str) -> date:
        return date(int(nid[6:10]), int(nid[10:12]), int(nid[12:14]))

    household = [
        HouseholdRecord(national_id=n, birth_date=birth_of(n), township=draw(towns))
        for n in draw(st.lists(pick, max_size=len(ids) + 2))
    ]
    registry = [
        RegistryRecord(
            national_id=n,
            student_id=f"X{i}",
            school_id=draw(schools),
            grade=draw(st.integers(1, 9)),
            status=draw(st.sampled_from(list(RegistryStatus))),
        )
        for i, n in enumerate(draw(st.lists(pick, max_size=len(ids))))
    ]
    presence = [
        PresenceRecord(national_id=n, school_id=draw(schools))
        for n in draw(st.lists(pick, max_size=len(ids)))
    ]
    disabled = [
        DisabilityRecord(national_id=n, birth_date=birth_of(n))
        for n in draw(st.lists(pick, max_size=3))
    ]
    decisions = [
        Decision(
            national_id=n,
            kind=draw(st.sampled_from(list(DecisionKind))),
            until=draw(st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31))),
        )
        for n in draw(st.lists(pick, max_size=3))
    ]
    elsewhere = [
        ElsewhereRecord(national_id=n, place="外县") for n in draw(st.lists(pick, max_size=3))
    ]
    surveys = [
        SurveyRecord(national_id=n, finding=draw(st.sampled_from(list(SurveyFinding))))
        for n in draw(st.lists(pick, max_size=4))
    ]
    return {
        "household": household,
        "registry": registry,
        "presence": presence,
        "disabled": disabled,
        "decisions": decisions,
        "elsewhere": elsewhere,
        "surveys": surveys,
    }
