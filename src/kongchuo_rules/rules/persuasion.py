"""Persuasion, escalation, dropout and return (PRODUCT.md §5.4).

Plan 四 学校责任: 劝返后仍不返校的，要求学籍管理员做好相应标注（疑似辍学、辍学）纳入相关台账，并向县
教育局上报; 五(一)二: 县长、局长、乡（镇）长、校长、班主任逐级责任制 … 劝返无效报上一级开展工作;
五(二)二: 一生一策.
"""

from __future__ import annotations

from typing import NamedTuple

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.actions import require
from kongchuo_rules._internal.codes import Rows
from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._internal.kernel import inline, kernel
from kongchuo_rules._internal.record import Work, episode_row, finding, ints, note
from kongchuo_rules._internal.tables import Tables, add_school_days, param, school_day
from kongchuo_rules.rules._rule import ActionSpec, DoneBy, Rule
from kongchuo_rules.rules.attendance import (
    NOT_EXPECTED,
    PRESENT,
    Absences,
    alert_day,
    month_mark,
    run_at,
    run_figures,
)
from kongchuo_rules.rules.routing import N_CAUSES, cause_days
from kongchuo_rules.vocabulary import ActionKind, Agency, EscalationLevel, Role

__all__ = [
    "ASSIGN_PERSUADER",
    "CLEAR_REGISTRY_MARK",
    "DROPOUT",
    "ESCALATION",
    "FAILED",
    "INDIVIDUAL_PLAN",
    "MARK_REGISTRY",
    "PERSUADE",
    "REPORT_TO_BUREAU",
    "RETURNED",
    "Record",
    "next_level",
    "persuasion_record",
    "trace_persuasion",
]

FAILED = Rule(
    id="persuasion.failed",
    title_zh="劝返无效",
    title_en="Persuasion failed",
    clauses=("school_registry_mark",),
    parameters=("persuasion.agreed_return_grace_school_days",),
    fired_zh="{level}劝返于{failed_on}无效（{outcome}）",
    fired_en="persuasion at {level} level failed on {failed_on} ({outcome})",
    not_fired_zh="无劝返无效记录（劝返{attempts}次）",
    not_fired_en="no failed persuasion ({attempts} attempts)",
    figures=(("level", "level"), ("failed_on", "day"), ("outcome", "outcome"), ("attempts", "int")),
)
ESCALATION = Rule(
    id="persuasion.escalation",
    title_zh="劝返无效报上一级",
    title_en="Escalation",
    clauses=("escalation",),
    parameters=("persuasion.escalation_due_school_days",),
    fired_zh="劝返无效{failures}次，现由{level}负责劝返",
    fired_en="{failures} failed attempt(s): persuasion is now the {level} level's",
    not_fired_zh="尚无劝返无效，劝返责任在{level}",
    not_fired_en="no failed attempt: persuasion rests with the {level} level",
    figures=(("failures", "int"), ("level", "level")),
)
DROPOUT = Rule(
    id="persuasion.dropout",
    title_zh="劝返后仍不返校：辍学",
    title_en="Dropout",
    clauses=("school_registry_mark",),
    fired_zh="满一个月（{month_mark}）且劝返无效（{failed_on}）：自{since}起为辍学",
    fired_en=(
        "month mark {month_mark} passed and persuasion failed on {failed_on}: dropout since {since}"
    ),
    not_fired_zh="未同时满足“满一个月”与“劝返无效”（满月日{month_mark}，劝返无效日{failed_on}）",
    not_fired_en=(
        "not both past the month mark ({month_mark}) and failed persuasion ({failed_on})"
    ),
    figures=(("month_mark", "day"), ("failed_on", "day"), ("since", "day")),
)
RETURNED = Rule(
    id="persuasion.returned",
    title_zh="劝返复学",
    title_en="Return",
    clauses=("individual_plan",),
    parameters=("returned.monitoring_days",),
    fired_zh="{return_date}返校（经劝返阶段），跟踪至{monitoring_until}",
    fired_en="back at school on {return_date} after persuasion; monitored until {monitoring_until}",
    not_fired_zh="近期无经劝返阶段后返校的记录",
    not_fired_en="no return after a persuasion stage in the monitoring window",
    figures=(("return_date", "day"), ("monitoring_until", "day")),
    figures_not_fired=(),
)

ASSIGN_PERSUADER = ActionSpec(
    kind=ActionKind.ASSIGN_PERSUADER,
    agency=Agency.SCHOOL,
    holder=Role.PRINCIPAL,
    clauses=("school_one_month",),
    due_parameter="persuasion.assign_persuader_due_school_days",
    rule="attendance.one_month",
    done_by=DoneBy(events=("persuader_assigned",)),
)
"""落实专人: done by a ``persuader_assigned`` in the episode."""


def _persuade(level: EscalationLevel, **spec: object) -> ActionSpec:
    first = level is EscalationLevel.SCHOOL
    return ActionSpec(
        kind=ActionKind.PERSUADE,
        level=level,
        due_parameter=(
            "persuasion.first_attempt_due_school_days"
            if first
            else "persuasion.escalation_due_school_days"
        ),
        done_by=DoneBy(
            events=("persuasion",),
            field="attributed_level",
            values=(level.value,),
            after="since" if first else "trigger",
            until="horizon",
            taken_after="trigger",
        ),
        **spec,  # type: ignore[arg-type]
    )


PERSUADE: dict[EscalationLevel, ActionSpec] = {
    EscalationLevel.SCHOOL: _persuade(
        EscalationLevel.SCHOOL,
        agency=Agency.SCHOOL,
        holder=Role.PERSUADER,
        clauses=("school_one_month",),
        rule="attendance.one_month",
    ),
    EscalationLevel.TOWNSHIP: _persuade(
        EscalationLevel.TOWNSHIP,
        agency=Agency.TOWNSHIP_GOVERNMENT,
        holder=Role.TOWNSHIP_HEAD,
        clauses=("escalation", "school_joint_return"),
        rule=ESCALATION.id,
        supporting=(Agency.VILLAGE_COMMITTEE, Agency.SCHOOL),
    ),
    EscalationLevel.EDUCATION_BUREAU: _persuade(
        EscalationLevel.EDUCATION_BUREAU,
        agency=Agency.EDUCATION_BUREAU,
        holder=Role.BUREAU_CHIEF,
        clauses=("escalation",),
        rule=ESCALATION.id,
    ),
    EscalationLevel.COUNTY: _persuade(
        EscalationLevel.COUNTY,
        agency=Agency.COUNTY_GOVERNMENT,
        holder=Role.COUNTY_HEAD,
        clauses=("escalation",),
        rule=ESCALATION.id,
    ),
}
"""动员劝返 at each level (逐级责任制): the persuader, then 乡（镇）长, 局长, 县长. Done by an
attempt attributed to that level (at school: any in the episode; above: on or after the
escalation), up to the episode's horizon."""
MARK_REGISTRY = ActionSpec(
    kind=ActionKind.MARK_REGISTRY,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("school_registry_mark",),
    due_parameter="reporting.report_due_school_days",
    rule=DROPOUT.id,
    done_by=DoneBy(events=("registry_mark",), field="mark", values=("dropout",)),
    late_report=True,
)
"""学籍标注: done by a ``registry_mark`` of ``dropout`` in the episode."""
REPORT_TO_BUREAU = ActionSpec(
    kind=ActionKind.REPORT_TO_BUREAU,
    agency=Agency.SCHOOL,
    holder=Role.PRINCIPAL,
    clauses=("school_registry_mark", "escalation"),
    due_parameter="reporting.report_due_school_days",
    rule=DROPOUT.id,
    done_by=DoneBy(events=("report",), field="to", values=("education_bureau",)),
    late_report=True,
)
"""向县教育局上报: done by a ``report`` to the education bureau in the episode."""
INDIVIDUAL_PLAN = ActionSpec(
    kind=ActionKind.INDIVIDUAL_PLAN,
    agency=Agency.SCHOOL,
    holder=Role.CLASS_TEACHER,
    clauses=("individual_plan",),
    due_parameter="returned.individual_plan_due_school_days",
    rule=RETURNED.id,
    done_by=DoneBy(events=("individual_plan",)),
)
"""一生一策: done by an ``individual_plan`` in the episode."""
CLEAR_REGISTRY_MARK = ActionSpec(
    kind=ActionKind.CLEAR_REGISTRY_MARK,
    agency=Agency.SCHOOL,
    holder=Role.REGISTRY_ADMINISTRATOR,
    clauses=("registry_management",),
    due_parameter="reporting.report_due_school_days",
    rule=RETURNED.id,
    done_by=DoneBy(events=("registry_mark",), field="mark", values=("cleared",)),
)
"""撤销学籍标注: done by a ``registry_mark`` of ``cleared`` on or after the last mark set."""

R_FAILED = FAILED.index
R_ESCALATION = ESCALATION.index
R_DROPOUT = DROPOUT.index
R_RETURNED = RETURNED.index
I_ASSIGN_PERSUADER = ASSIGN_PERSUADER.index
I_PERSUADE = tuple(PERSUADE[level].index for level in EscalationLevel)
"""The spec of ``persuade`` per level code."""
I_MARK_REGISTRY = MARK_REGISTRY.index
I_REPORT_TO_BUREAU = REPORT_TO_BUREAU.index
I_INDIVIDUAL_PLAN = INDIVIDUAL_PLAN.index
I_CLEAR_REGISTRY_MARK = CLEAR_REGISTRY_MARK.index


@inline
def next_level(level: int) -> int:
    """The level above ``level``, staying at ``county``."""
    return level + 1 if level < codes.L_COUNTY else codes.L_COUNTY


class Record(NamedTuple):
    """An episode's persuasion attempts, evaluated: the level responsible after every failure,
    the earliest failure day, how many attempts and failures, and the first failed attempt
    (its position, or -1). Per attempt, ``attr[i - lo]`` holds the level it is attributed to
    and ``failed[i - lo]`` the day it failed (or :data:`NO_DAY`); ``conflict[i - lo]`` is 1
    for a 'returned' outcome while the child was still absent."""

    level: int
    first_failure: int
    attempts: int
    failures: int
    first_failed: int


@inline
def persuasion_record(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    run_start: int,
    horizon: int,
    last_absent: int,
    attr: list[int],
    failed: list[int],
    conflict: list[int],
) -> Record:
    """``persuasion.failed``: evaluate the persuasion attempts dated ``run_start``..``horizon``
    against attendance (``last_absent``: the run's last absent day).

    An attempt fails when ``refused`` or ``unreachable`` (on its date), or ``agreed`` on A with
    the child still absent on the ``agreed_return_grace_school_days``-th school day after A (in
    force on A; the failure is on that day). An attempt without a level is attributed to the
    level responsible on its date; each failure moves responsibility one level up.
    """
    level = codes.L_SCHOOL
    first = NO_DAY
    attempts = failures = 0
    first_failed = -1
    for i in range(lo, hi):
        attr[i - lo] = codes.NONE
        failed[i - lo] = NO_DAY
        conflict[i - lo] = 0
        row = ev[i]
        day = row[codes.F_DAY]
        if row[codes.F_TYPE] != codes.T_PERSUASION or day < run_start or day > horizon:
            continue
        attempts += 1
        attributed = row[codes.F_LEVEL] if row[codes.F_LEVEL] != codes.NONE else level
        outcome = row[codes.F_OUTCOME]
        failed_on = NO_DAY
        if outcome == codes.O_REFUSED or outcome == codes.O_UNREACHABLE:
            failed_on = day
        elif outcome == codes.O_AGREED:
            grace = param(t, day, codes.PERSUASION_AGREED_RETURN_GRACE_SCHOOL_DAYS)
            check = add_school_days(t, day, grace)
            if check <= last_absent:
                failed_on = check
        elif outcome == codes.O_RETURNED and day < last_absent:
            conflict[i - lo] = 1
        attr[i - lo] = attributed
        if failed_on != NO_DAY:
            failed[i - lo] = failed_on
            up = next_level(attributed)
            level = up if up > level else level
            failures += 1
            if first_failed < 0:
                first_failed = i
            if first == NO_DAY or failed_on < first:
                first = failed_on
    return Record(level, first, attempts, failures, first_failed)


class Episode(NamedTuple):
    """A run of absence evaluated up to its horizon (``as_of``, or the day before a return):
    its figures, the 7-day alert, the month mark, the persuasion stage's start, the persuasion
    record and the day the child became a dropout (each :data:`NO_DAY` when not reached)."""

    run_start: int
    unexcused: int
    last: int
    alert: int
    mark: int
    length: int
    persuasion_start: int
    record: Record
    dropout_since: int


@kernel
def episode(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    ab: Absences,
    run: tuple[int, int],
    horizon: int,
    attr: list[int],
    failed: list[int],
    conflict: list[int],
    span: list[int],
) -> Episode:
    """Evaluate ``run`` as it stood on ``horizon``. The persuasion stage begins at the later of
    the alert and the month mark, once the mark is reached (``attendance.one_month``); the child
    is a dropout from the later of the stage's start and the first failed attempt
    (``persuasion.dropout``)."""
    fig = run_figures(t, ab, run)
    alert = mark = length = start = dropout = NO_DAY
    record = Record(codes.L_SCHOOL, NO_DAY, 0, 0, -1)
    if fig.run_start != NO_DAY:
        alert = alert_day(t, ab, run)
        mark, length = month_mark(t, fig.run_start)
        if mark > span[1]:
            span[1] = mark
        if alert != NO_DAY and mark <= horizon:
            start = mark if mark > alert else alert
        record = persuasion_record(
            t, ev, lo, hi, fig.run_start, horizon, fig.last, attr, failed, conflict
        )
        if record.first_failure != NO_DAY and start != NO_DAY:
            dropout = record.first_failure if record.first_failure > start else start
    return Episode(
        fig.run_start, fig.unexcused, fig.last, alert, mark, length, start, record, dropout
    )


@inline
def trace_persuasion(
    ev: Rows,
    lo: int,
    hi: int,
    ep: Episode,
    attr: list[int],
    conflict: list[int],
    w: Work,
) -> int:
    """The trace of ``persuasion.failed``, ``persuasion.escalation`` and ``persuasion.dropout``
    for a current run that fired the 7-day rule, and the finding ``outcome_conflict`` for each
    'returned' recorded while the child was still absent; returns the escalation level
    responsible (:data:`~kongchuo_rules._internal.codes.NONE` before the persuasion stage)."""
    rec = ep.record
    first = rec.first_failed
    fail_level = attr[first - lo] if first >= 0 else codes.NONE
    outcome = ev[first][codes.F_OUTCOME] if first >= 0 else codes.NONE
    note(w, R_FAILED, rec.failures > 0, rec.first_failure,
         fail_level, rec.first_failure, outcome, rec.attempts)  # fmt: skip
    for i in range(lo, hi):
        if conflict[i - lo] == 1:
            finding(w, codes.FC_OUTCOME_CONFLICT, ev[i][codes.F_DAY], 0, 0)
    reached = ep.persuasion_start != NO_DAY
    level = rec.level if reached else codes.NONE
    shown = level if level != codes.NONE else codes.L_SCHOOL
    note(w, R_ESCALATION, rec.failures > 0 and reached, rec.first_failure,
         rec.failures, shown, 0, 0)  # fmt: skip
    note(w, R_DROPOUT, ep.dropout_since != NO_DAY, ep.dropout_since,
         ep.mark, rec.first_failure, ep.dropout_since, 0)  # fmt: skip
    return level


@kernel
def persuade_actions(
    t: Tables,
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
    """``persuade`` at school from the persuasion stage's start, then one level up after each
    failed attempt, due ``persuasion.escalation_due_school_days`` after the failure
    (``persuasion.escalation``)."""
    start = ep.persuasion_start
    require(
        t,
        ev,
        lo,
        hi,
        as_of,
        I_PERSUADE[codes.L_SCHOOL],
        start,
        ep.run_start,
        horizon,
        codes.NONE,
        attr,
        w,
        span,
    )
    seen = 1 << codes.L_SCHOOL
    for i in range(lo, hi):
        failed_on = failed[i - lo]
        if failed_on == NO_DAY:
            continue
        level = next_level(attr[i - lo])
        trigger = failed_on if failed_on > start else start
        if (seen >> level) & 1 or trigger > horizon:
            continue
        seen |= 1 << level
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            I_PERSUADE[level],
            trigger,
            trigger,
            horizon,
            codes.NONE,
            attr,
            w,
            span,
        )


@inline
def return_day(t: Tables, ab: Absences, run: tuple[int, int]) -> int:
    """The first school day after ``run`` on which the child is expected at school (the return
    date when the child came back; after a window, the window's end)."""
    k = run[1]
    while k < len(ab.states) and ab.states[k] == NOT_EXPECTED:
        k += 1
    return school_day(t, ab.k0 + k) if k < len(ab.states) else NO_DAY


@inline
def came_back(ab: Absences, run: tuple[int, int]) -> bool:
    """Whether the run ended with a day at school (not with a window in which the child is not
    expected at school)."""
    return run[1] >= len(ab.states) or ab.states[run[1]] == PRESENT


@inline
def find_return(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    ab: Absences,
    rs: list[int],
    n_previous: int,
    attr: list[int],
    failed: list[int],
    conflict: list[int],
    span: list[int],
    w: Work,
) -> int:
    """``persuasion.returned``: the latest earlier run that reached the persuasion stage, ended
    with the child back at school, and whose monitoring window
    (``returned.monitoring_days`` from the return, in force on it) holds ``as_of``; its
    position in ``rs``, or -1."""
    for r in range(n_previous - 1, -1, -1):
        run = run_at(rs, r)
        back = return_day(t, ab, run)
        if back == NO_DAY:
            continue
        window = param(t, back, codes.RETURNED_MONITORING_DAYS)
        if back + window <= as_of:
            break
        if not came_back(ab, run) or alert_day(t, ab, run) == NO_DAY:
            continue
        ep = episode(t, ev, lo, hi, ab, run, back - 1, attr, failed, conflict, span)
        if ep.persuasion_start != NO_DAY:
            note(w, R_RETURNED, True, back, back, back + window - 1, 0, 0)
            return r
    note(w, R_RETURNED, False, NO_DAY, 0, 0, 0, 0)
    return -1


@inline
def attending_since(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    ab: Absences,
    rs: list[int],
    n_previous: int,
    attr: list[int],
    failed: list[int],
    conflict: list[int],
    span: list[int],
) -> int:
    """Attending since the latest return — or the end of its monitoring window, when the run
    had reached persuasion; :data:`NO_DAY` when the events show no earlier run."""
    since = NO_DAY
    for r in range(n_previous - 1, -1, -1):
        run = run_at(rs, r)
        back = return_day(t, ab, run)
        if back == NO_DAY:
            continue
        window = param(t, back, codes.RETURNED_MONITORING_DAYS)
        if since != NO_DAY and back + window <= since:
            break
        reached = (
            came_back(ab, run)
            and alert_day(t, ab, run) != NO_DAY
            and episode(
                t, ev, lo, hi, ab, run, back - 1, attr, failed, conflict, span
            ).persuasion_start
            != NO_DAY
        )
        candidate = back + window if reached else back
        if since == NO_DAY or candidate > since:
            since = candidate
    return since


@kernel
def return_actions(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    run_start: int,
    back: int,
    attr: list[int],
    w: Work,
    span: list[int],
) -> None:
    """After a return: an individual plan (一生一策), and clearing the registry mark if one
    other than ``cleared`` was set in the episode."""
    require(
        t,
        ev,
        lo,
        hi,
        as_of,
        I_INDIVIDUAL_PLAN,
        back,
        run_start,
        as_of,
        codes.NONE,
        attr,
        w,
        span,
    )
    last_set = NO_DAY
    for i in range(lo, hi):
        row = ev[i]
        if (
            row[codes.F_TYPE] == codes.T_REGISTRY_MARK
            and row[codes.F_DAY] >= run_start
            and row[codes.F_MARK] != codes.NONE
            and row[codes.F_MARK] != codes.M_CLEARED
        ):
            last_set = row[codes.F_DAY]
    if last_set != NO_DAY:
        require(
            t,
            ev,
            lo,
            hi,
            as_of,
            I_CLEAR_REGISTRY_MARK,
            back,
            last_set,
            as_of,
            codes.NONE,
            attr,
            w,
            span,
        )


@kernel
def history(
    t: Tables,
    ev: Rows,
    lo: int,
    hi: int,
    as_of: int,
    ab: Absences,
    rs: list[int],
    n_runs: int,
    current: bool,
    known: int,
    known_ep: Episode,
    attr: list[int],
    failed: list[int],
    conflict: list[int],
    span: list[int],
    w: Work,
) -> None:
    """The child's episodes: every run of absence that fired the 7-day rule, closed or open,
    each as it stood on its last day (the day before the return, or ``as_of``) — its dates,
    the furthest stage it reached and the level then responsible. Run ``known`` (or -1) is
    already evaluated as ``known_ep`` (the current run on ``as_of``, or the returned run on
    the day before the return): it is not evaluated again."""
    for r in range(n_runs):
        run = run_at(rs, r)
        if (known_ep.alert if r == known else alert_day(t, ab, run)) == NO_DAY:
            continue
        is_open = current and r == n_runs - 1
        back = NO_DAY if is_open or not came_back(ab, run) else return_day(t, ab, run)
        last = school_day(t, ab.k0 + run[1] - 1)
        horizon = as_of if is_open else (back - 1 if back != NO_DAY else last)
        if r == known:
            ep = known_ep
        else:
            ep = episode(t, ev, lo, hi, ab, run, horizon, attr, failed, conflict, span)
        stage = codes.G_HOME_VISIT
        level = codes.NONE
        if ep.persuasion_start != NO_DAY:
            stage = codes.G_PERSUASION
            level = ep.record.level
        if ep.dropout_since != NO_DAY:
            stage = codes.G_ESCALATION
            refused = cause_days(ev, lo, hi, ep.run_start, horizon, ints(w, N_CAUSES, NO_DAY))[
                codes.C_GUARDIAN_REFUSAL
            ]
            if refused != NO_DAY:
                stage = codes.G_ENFORCEMENT
        episode_row(
            w, ep.run_start, NO_DAY if is_open else last, ep.alert, ep.mark,
            ep.persuasion_start, ep.dropout_since, back, stage, level,
        )  # fmt: skip
