"""``assess``: one child, one day — status, stage, run figures, actions, findings, and why.

The engine is :func:`decide`: it runs the rules of :mod:`kongchuo_rules.rules` in their
declared order over integers (a child's days, the shared tables of the policy and calendar)
and records what it decides as integer rows. It knows no clause: each rule module declares its
clauses, parameters and explanation beside the function that decides. :func:`assess` validates
the case, runs the engine, and wraps the result in an :class:`Assessment` whose actions and
trace are built when first read. The batch engine compiles the same :func:`decide`.

>>> from datetime import date
>>> a = assess({"student": {"id": "S-1", "birth_date": "2015-05-03", "registered": True},
...             "events": [{"type": "absence", "start": "2026-11-02", "excused": False}]},
...            as_of=date(2026, 11, 12))
>>> a.status, a.alert_date, a.unexcused_days
(<Status.SUSPECTED_DROPOUT: 'suspected_dropout'>, datetime.date(2026, 11, 10), 9)
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any, NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import require, unique_actions
from kongchuo_rules._internal.build import build_assessment
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import FAR, NO_DAY, civil, to_day
from kongchuo_rules._internal.encode import Child, child_of, event_rows
from kongchuo_rules._internal.kernel import inline, kernel
from kongchuo_rules._internal.record import (
    Out,
    Work,
    begin,
    finding,
    ints,
    keep,
    not_applicable,
    note,
)
from kongchuo_rules._internal.tables import (
    Tables,
    is_estimated,
    last_school_day,
    school_day,
    school_index,
    shared,
)
from kongchuo_rules.assessment import Assessment
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import Case
from kongchuo_rules.errors import check_as_of
from kongchuo_rules.policy import Policy, default_policy
from kongchuo_rules.rules.age import (
    I_ENROLLMENT_MOBILIZATION,
    R_OUT_OF_SCHOOL,
    R_SCHOOL_AGE,
    out_of_school_since,
    school_year_age,
)
from kongchuo_rules.rules.attendance import (
    CONFLICT,
    I_HOME_VISIT,
    absences,
    is_current,
    run_at,
    runs,
    trace_run,
)
from kongchuo_rules.rules.enforcement import R_LADDER, ladder
from kongchuo_rules.rules.persuasion import (
    I_ASSIGN_PERSUADER,
    I_MARK_REGISTRY,
    I_REPORT_TO_BUREAU,
    Episode,
    Record,
    attending_since,
    episode,
    find_return,
    history,
    persuade_actions,
    return_actions,
    return_day,
    trace_persuasion,
)
from kongchuo_rules.rules.routing import (
    N_CAUSES,
    R_CAUSES,
    R_PRIORITY,
    cause_days,
    cause_mask,
    route_causes,
    support_priority,
)
from kongchuo_rules.rules.special import (
    I_REGISTRY_TRANSFER,
    R_ENROLLED_ELSEWHERE,
    enrolled_elsewhere,
    home_delivery,
    not_expected,
    placement,
    special_status,
    trace_special,
)
from kongchuo_rules.rules.whereabouts import R_MISSING, R_VERIFY, whereabouts_actions

__all__ = ["Decision", "assess", "decide"]

_FIVE_YEARS = 5 * 365


class Decision(NamedTuple):
    """What :func:`decide` decided for one child on one day (dates as integer days,
    :data:`~kongchuo_rules._internal.days.NO_DAY` for none; enums as codes)."""

    status: int
    since: int
    stage: int
    level: int
    school_year_age: int
    run_start: int
    unexcused_days: int
    alert_date: int
    month_mark: int
    return_date: int
    dropout_since: int
    causes: int  # a bit per cause code
    priority: int
    first_day: int  # the first and last days the calendar was asked about
    last_day: int
    episode_start: int  # the start of the episode the actions belong to (or the day out of school)


@kernel
def decide(
    t: Tables,
    children: Rows,
    ev: Rows,
    offsets: Sequence[int],
    first: int,
    last: int,
    as_of: int,
    w: Work,
    out: Out,
) -> int:
    """Assess children ``first``..``last - 1`` on ``as_of``: child ``c`` has the scalars
    ``children[c]`` (the fields of :class:`Child`) and the sorted event rows
    ``ev[offsets[c]:offsets[c + 1]]``. Each child's decision, actions, findings and trace
    are recorded in ``w`` and kept in ``out``; returns the first child not decided (``last``
    unless ``out`` is full).

    Order, per child: school age → special statuses → (not registered) out of school, or
    (registered) home delivery → runs of absence, the 7-day and one-month rules → return →
    persuasion failed → escalation → dropout → found enrolled elsewhere; then the actions of the
    status: the episode's (home visit, persuader, persuasion per level, whereabouts, missing
    child, registry mark and report, enforcement ladder, cause routing, priority), the return's,
    or out of school's; placement; the calendar findings.
    """
    for c in range(first, last):
        begin(w)
        row = children[c]
        child = Child(row[0], row[1], row[2], row[3], row[4])
        lo = offsets[c]
        hi = offsets[c + 1]
        end = lo
        while end < hi and ev[end][codes.F_DAY] <= as_of:  # only events up to as_of count
            end += 1
        hi = end
        span = ints(w, 2, as_of)  # the first and last days the calendar is asked about
        attr = ints(w, hi - lo, codes.NONE)  # per event: the escalation level of an attempt
        failed = ints(w, hi - lo, NO_DAY)  # per event: the day an attempt failed
        conflict = ints(w, hi - lo, 0)  # per event: 1 for 'returned' while still absent
        # the same for earlier runs, so the current run's stay as they are
        past = (ints(w, hi - lo, codes.NONE), ints(w, hi - lo, NO_DAY), ints(w, hi - lo, 0))

        age = school_year_age(t, child.birth, as_of)
        of_age = age.of_school_age == 1
        note(w, R_SCHOOL_AGE, of_age, NO_DAY, age.age, age.cutoff, age.first_age, age.last_age)
        _data_findings(ev, lo, hi, child.registered, w)
        # attendance is known up to the vendor's last recorded day: later school days are
        # unknown, neither absence nor a day at school
        recorded = as_of
        if child.attendance_through != NO_DAY and child.attendance_through < as_of:
            recorded = child.attendance_through
            unknown = school_index(t, as_of + 1) - school_index(t, recorded + 1)
            if unknown > 0:
                finding(w, codes.FC_ATTENDANCE_NOT_RECORDED, recorded, unknown, 0)
        sp = special_status(ev, lo, hi, as_of)
        trace_special(w, sp)

        status, since, stage, level = codes.NONE, NO_DAY, codes.G_NONE, codes.NONE
        run_start = alert = mark = back = elsewhere = episode_start = NO_DAY
        unexcused = 0
        from_episode = from_return = False
        ep = _no_episode()
        if child.registered == 0:
            oos = out_of_school_since(ev, lo, hi, age, sp.status)
            note(w, R_OUT_OF_SCHOOL, oos != NO_DAY, oos, age.age, oos, 0, 0)
            if sp.status != codes.NONE:
                status, since = sp.status, sp.since
            elif oos != NO_DAY:
                status, since = codes.S_OUT_OF_SCHOOL, oos
            else:
                status = codes.S_NOT_SCHOOL_AGE
                since = child.birth if age.age < age.first_age else age.ends
        else:
            home = home_delivery(ev, lo, hi, w)
            if home != NO_DAY:  # enrolled; the attendance rules do not apply
                status = sp.status if sp.status != codes.NONE else codes.S_ATTENDING
                since = sp.since if sp.status != codes.NONE else home
            else:
                windows, n_windows = not_expected(ev, lo, hi, w)
                ab = absences(t, ev, lo, hi, recorded, windows, n_windows, w)
                if ab.first_spell != NO_DAY and ab.first_spell < span[0]:
                    span[0] = ab.first_spell
                _conflicts(t, ab.k0, ab.states, recorded, w)
                rs, n_runs = runs(ab.states, w)
                current = is_current(ab, rs, n_runs)
                previous = n_runs - 1 if current else n_runs
                if current:
                    run = run_at(rs, n_runs - 1)
                    ep = episode(t, ev, lo, hi, ab, run, as_of, attr, failed, conflict, span)
                    run_start, unexcused = ep.run_start, ep.unexcused
                    alert, mark = ep.alert, ep.mark
                trace_run(
                    t, w, current, run_start, unexcused, alert, mark, ep.length,
                    ep.persuasion_start, last_school_day(t, recorded), as_of,
                )  # fmt: skip
                returned = find_return(
                    t, ev, lo, hi, as_of, ab, rs, previous, past[0], past[1], past[2], span, w
                )
                if sp.status != codes.NONE:
                    status, since, episode_start = sp.status, sp.since, run_start
                elif current and alert != NO_DAY:
                    from_episode = True
                    status, since, stage, level, elsewhere = _episode_status(
                        ev, lo, hi, ep, attr, conflict, w
                    )
                    episode_start = run_start
                elif returned >= 0:
                    from_return = True
                    run = run_at(rs, returned)
                    back = return_day(t, ab, run)
                    ep = episode(t, ev, lo, hi, ab, run, back - 1, attr, failed, conflict, span)
                    status, since, stage = codes.S_RETURNED, back, codes.G_MONITORING
                    episode_start = ep.run_start
                else:
                    status = codes.S_ATTENDING
                    since = attending_since(
                        t, ev, lo, hi, ab, rs, previous, past[0], past[1], past[2], span
                    )
                # the child's episodes (on scratch of their own: the figures above stand)
                known = returned if from_return else (n_runs - 1 if current else -1)
                history(t, ev, lo, hi, as_of, ab, rs, n_runs, current, known, ep, past[0],
                        past[1], past[2], ints(w, 2, as_of), w)  # fmt: skip

        causes = 0
        if child.registered == 0 or episode_start != NO_DAY:
            causes = cause_mask(
                cause_days(ev, lo, hi, episode_start, as_of, ints(w, N_CAUSES, NO_DAY))
            )
        refusal = (causes >> codes.C_GUARDIAN_REFUSAL) & 1 == 1
        if refusal and (status == codes.S_DROPOUT or status == codes.S_OUT_OF_SCHOOL):
            stage = codes.G_ENFORCEMENT

        # the actions required so far for the current episode
        if from_episode:
            _episode_actions(t, child, ev, lo, hi, as_of, ep, as_of, attr, failed, w, span)
            if elsewhere != NO_DAY and status == codes.S_STUDYING_ELSEWHERE:
                require(
                    t, ev, lo, hi, as_of, I_REGISTRY_TRANSFER, elsewhere, elsewhere, as_of,
                    codes.NONE, attr, w, span,
                )  # fmt: skip
        elif from_return:
            _episode_actions(t, child, ev, lo, hi, as_of, ep, back - 1, attr, failed, w, span)
            return_actions(t, ev, lo, hi, as_of, ep.run_start, back, attr, w, span)
        elif status == codes.S_OUT_OF_SCHOOL:
            _out_of_school_actions(t, child, ev, lo, hi, as_of, since, attr, w, span)
        else:
            for rule in (R_VERIFY, R_MISSING, R_LADDER, R_CAUSES, R_PRIORITY):
                not_applicable(w, rule)
        placement(t, ev, lo, hi, as_of, child.certified_disabled, age.of_school_age,
                  age.starts, status, attr, w, span)  # fmt: skip
        unique_actions(t, w)
        _calendar_findings(t, span, w)
        dropout = ep.dropout_since if from_episode or from_return else NO_DAY
        decision = Decision(
            status, since, stage, level, age.age, run_start, unexcused, alert, mark, back,
            dropout, causes, child.priority, span[0], span[1],
            since if status == codes.S_OUT_OF_SCHOOL else episode_start,
        )  # fmt: skip
        if not keep(w, out, c, decision):  # the output is full: resume from c
            return c
    return last


@inline
def _no_episode() -> Episode:
    return Episode(
        NO_DAY, 0, NO_DAY, NO_DAY, NO_DAY, NO_DAY, NO_DAY,
        Record(codes.L_SCHOOL, NO_DAY, 0, 0, -1), NO_DAY,
    )  # fmt: skip


@inline
def _data_findings(ev: Rows, lo: int, hi: int, registered: int, w: Work) -> None:
    """Data-quality findings: absence recorded for an unregistered child or after a transfer
    out; a registry mark without its mark, a placement without its mode (ignored)."""
    spells = 0
    first_spell = transfer = NO_DAY
    for i in range(lo, hi):
        row = ev[i]
        if row[codes.F_TYPE] == codes.T_ABSENCE:
            spells += 1
            if first_spell == NO_DAY:
                first_spell = row[codes.F_DAY]
        elif row[codes.F_TYPE] == codes.T_TRANSFER_OUT and transfer == NO_DAY:
            transfer = row[codes.F_DAY]
    if registered == 0 and spells > 0:
        finding(w, codes.FC_ABSENCE_WITHOUT_REGISTRATION, first_spell, spells, 0)
    if transfer != NO_DAY:
        for i in range(lo, hi):
            if ev[i][codes.F_TYPE] == codes.T_ABSENCE and ev[i][codes.F_DAY] > transfer:
                finding(w, codes.FC_EVENTS_AFTER_TRANSFER, transfer, 0, 0)
                break
    for i in range(lo, hi):
        row = ev[i]
        t = row[codes.F_TYPE]
        if (t == codes.T_REGISTRY_MARK or t == codes.T_PLACEMENT) and row[codes.F_CODE] < 0:
            finding(w, codes.FC_INCOMPLETE_EVENT, row[codes.F_DAY], t, 0)


@inline
def _conflicts(t: Tables, k0: int, states: list[int], recorded: int, w: Work) -> None:
    """The finding ``conflicting_absence``: school days covered by both an excused and an
    unexcused spell (counted as unexcused), up to ``recorded``, the last day of recorded
    attendance the states were counted to (the message lists those days again)."""
    n = 0
    first = NO_DAY
    for k in range(len(states)):
        if states[k] == CONFLICT:
            n += 1
            if first == NO_DAY:
                first = school_day(t, k0 + k)
    if n > 0:
        finding(w, codes.FC_CONFLICTING_ABSENCE, first, n, recorded)


@inline
def _episode_status(
    ev: Rows,
    lo: int,
    hi: int,
    ep: Episode,
    attr: list[int],
    conflict: list[int],
    w: Work,
) -> tuple[int, int, int, int, int]:
    """Status, since, stage, escalation level and the day the child was found enrolled
    elsewhere, from a current run that fired the 7-day rule."""
    level = trace_persuasion(ev, lo, hi, ep, attr, conflict, w)
    elsewhere = enrolled_elsewhere(ev, lo, hi, ep.run_start)
    note(w, R_ENROLLED_ELSEWHERE, elsewhere != NO_DAY, elsewhere, elsewhere, 0, 0, 0)
    if elsewhere != NO_DAY:
        return codes.S_STUDYING_ELSEWHERE, elsewhere, codes.G_NONE, level, elsewhere
    if ep.dropout_since != NO_DAY:
        return codes.S_DROPOUT, ep.dropout_since, codes.G_ESCALATION, level, NO_DAY
    stage = codes.G_PERSUASION if ep.persuasion_start != NO_DAY else codes.G_HOME_VISIT
    return codes.S_SUSPECTED_DROPOUT, ep.alert, stage, level, NO_DAY


@kernel
def _episode_actions(
    t: Tables,
    child: Child,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    ep: Episode,
    horizon: int,
    attr: list[int],
    failed: list[int],
    w: Work,
    span: list[int],
) -> None:
    """The actions of a run that fired the 7-day rule, as required by ``horizon``."""
    run_start = ep.run_start
    require(t, ev, lo, hi, as_of, I_HOME_VISIT, ep.alert, run_start, horizon, codes.NONE,
            attr, w, span)  # fmt: skip
    if ep.persuasion_start != NO_DAY:
        require(t, ev, lo, hi, as_of, I_ASSIGN_PERSUADER, ep.persuasion_start, run_start,
                horizon, codes.NONE, attr, w, span)  # fmt: skip
        persuade_actions(t, ev, lo, hi, as_of, ep, horizon, attr, failed, w, span)
    whereabouts_actions(t, ev, lo, hi, as_of, run_start, ep.persuasion_start, horizon,
                        attr, w, span)  # fmt: skip
    dropped = ep.dropout_since != NO_DAY and ep.dropout_since <= horizon
    if dropped:
        for spec in (I_MARK_REGISTRY, I_REPORT_TO_BUREAU):
            require(t, ev, lo, hi, as_of, spec, ep.dropout_since, run_start, horizon,
                    codes.NONE, attr, w, span)  # fmt: skip
    found = cause_days(ev, lo, hi, run_start, horizon, ints(w, N_CAUSES, NO_DAY))
    refused = found[codes.C_GUARDIAN_REFUSAL] if dropped else NO_DAY
    ladder(t, ev, lo, hi, as_of, refused, ep.dropout_since, run_start, horizon,
           codes.S_DROPOUT, attr, w, span)  # fmt: skip
    route_causes(t, ev, lo, hi, as_of, child.birth, found, ep.alert, run_start, horizon,
                 attr, w, span)  # fmt: skip
    support_priority(t, ev, lo, hi, as_of, child.priority, ep.alert, run_start,
                     codes.S_SUSPECTED_DROPOUT, attr, w, span)  # fmt: skip


@kernel
def _out_of_school_actions(
    t: Tables,
    child: Child,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    since: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """The actions for a child out of school (失学): enrolment mobilisation, and the ladder,
    cause routing and priority help over every event."""
    require(t, ev, lo, hi, as_of, I_ENROLLMENT_MOBILIZATION, since, since, as_of, codes.NONE,
            attr, w, span)  # fmt: skip
    found = cause_days(ev, lo, hi, NO_DAY, as_of, ints(w, N_CAUSES, NO_DAY))
    note(w, R_VERIFY, False, NO_DAY, 0, 0, 0, 0)
    note(w, R_MISSING, False, NO_DAY, 0, 0, 0, 0)
    ladder(t, ev, lo, hi, as_of, found[codes.C_GUARDIAN_REFUSAL], since, NO_DAY, as_of,
           codes.S_OUT_OF_SCHOOL, attr, w, span)  # fmt: skip
    route_causes(t, ev, lo, hi, as_of, child.birth, found, since, NO_DAY, as_of,
                 attr, w, span)  # fmt: skip
    support_priority(t, ev, lo, hi, as_of, child.priority, since, since,
                     codes.S_OUT_OF_SCHOOL, attr, w, span)  # fmt: skip


@inline
def _calendar_findings(t: Tables, span: list[int], w: Work) -> None:
    """The finding ``calendar_estimated`` for each year the assessment counted school days in
    whose PRC holidays are only estimated."""
    if span[1] == FAR:  # beyond the tables: the caller grows them and decides again
        return
    for year in range(civil(span[0])[0], civil(span[1])[0] + 1):
        if is_estimated(t, year):
            finding(w, codes.FC_CALENDAR_ESTIMATED, NO_DAY, year, 0)


# -- the per-case entry point (Python) --------------------------------------------------------


def assess(
    case: Case | Mapping[str, Any],
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    use_numba: bool = False,
) -> Assessment:
    """Assess one case on ``as_of``: status, stage, run figures, actions, findings and trace.

    ``case`` is a :class:`Case` or its JSON dict. Only events dated on or before ``as_of``
    count. Without ``calendar``, the policy's default calendar is used; without ``policy``,
    the calendar's (or the bundled) policy. A calendar made for another policy is used with
    ``policy`` (its closures, extra days and term dates kept).

    ``use_numba=True`` runs the same rules core compiled, as the batch engine does (the
    ``batch`` extra; without it, a warning and the core in Python): the same assessment,
    two to three times faster per call (docs/performance.md) once the core is compiled —
    which takes about a minute the first time on a machine, then a second or less from the
    cache on disk. For services that assess one child at a time.
    """
    if not isinstance(case, Case):
        case = Case.model_validate(case)
    student = case.student
    check_as_of(student.id, student.birth_date, as_of)
    policy, calendar = resolve(policy, calendar)
    rows = event_rows(case)
    day = to_day(as_of)
    child = child_of(student)
    # the earliest day a rule may count from: the first event, or the start of school age
    first = min(day, rows[0][0] if rows else day, child.birth + _FIVE_YEARS)
    sh = shared(policy, calendar)
    driver: Any = _driver() if use_numba else None
    engine = driver.compiled() if driver is not None else None
    if engine is not None:
        decision, acts, finds, tr, eps, t = driver.decide_case(engine, sh, child, rows, first, day)
        decision = Decision(*decision)
    else:
        t = sh.covering(first, day)
        while True:
            w, out = Work(), Out()
            decide(t, [child], rows, [0, len(rows)], 0, 1, day, w, out)
            decision, acts, finds, tr, eps = out.kept[0]
            if FAR not in decision and not _far(acts) and not _far(tr):
                break
            t = sh.grown(t)
    return build_assessment(
        student.id, as_of, decision, acts, finds, tr, eps, sh, t, rows, calendar.version,
        case.events,
    )  # fmt: skip


def _far(rows: list[Any]) -> bool:
    """Whether a row holds :data:`FAR`: the core asked beyond the tables."""
    return FAR in chain.from_iterable(rows)


def _driver() -> Any:
    """The batch engine's driver of the compiled core (its ``compiled()`` is ``None``, with a
    warning, without numba), or ``None`` without the batch extra (and a warning)."""
    driver = sys.modules.get("kongchuo_rules.batch._driver")
    if driver is not None:
        return driver
    import importlib

    try:
        return importlib.import_module("kongchuo_rules.batch._driver")
    except ImportError:  # numpy or polars missing: the batch extra is not installed
        import warnings

        warnings.warn(
            "use_numba=True needs the batch extra (pip install 'kongchuo-rules[batch]'): "
            "the rules core runs in Python",
            RuntimeWarning,
            stacklevel=3,
        )
        return None


def resolve(
    policy: Policy | None, calendar: SchoolCalendar | None
) -> tuple[Policy, SchoolCalendar]:
    """The policy and calendar an assessment uses: they travel together. Raises
    :class:`~kongchuo_rules.errors.ArgumentError` for an argument of another type."""
    if not (policy is None or isinstance(policy, Policy)):
        from kongchuo_rules.errors import ArgumentError, problem

        raise ArgumentError([problem("wrong_type", "policy", "policy")])
    if not (calendar is None or isinstance(calendar, SchoolCalendar)):
        from kongchuo_rules.errors import ArgumentError, problem

        raise ArgumentError([problem("wrong_type", "calendar", "calendar")])
    if calendar is None:
        policy = policy or default_policy()
        return policy, policy.calendar
    if policy is None:
        return calendar.policy, calendar
    if calendar.policy != policy:
        calendar = calendar.with_policy(policy)
    return policy, calendar
