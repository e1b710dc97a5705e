"""``assess``: one child, one day — status, stage, run figures, findings, and why.

>>> from datetime import date
>>> a = assess({"student": {"id": "S-1", "birth_date": "2015-05-03", "registered": True},
...             "events": [{"type": "absence", "start": "2026-11-02", "excused": False}]},
...            as_of=date(2026, 11, 12))
>>> a.status, a.alert_date, a.unexcused_days
(<Status.SUSPECTED_DROPOUT: 'suspected_dropout'>, datetime.date(2026, 11, 10), 9)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from kongchuo_rules.assessment import Assessment, Finding, FindingCode
from kongchuo_rules.calendar import SchoolCalendar
from kongchuo_rules.case import (
    Absence,
    Case,
    Deferral,
    GuardianContact,
    HomeVisit,
    IndividualPlan,
    PersuaderAssigned,
    Persuasion,
    Placement,
    RegistryMark,
    Report,
    TransferOut,
    Whereabouts,
)
from kongchuo_rules.policy import ParameterSet, Policy, default_policy
from kongchuo_rules.rules import (
    age,
    attendance,
    enforcement,
    persuasion,
    routing,
    special,
    whereabouts,
)
from kongchuo_rules.rules._action import ActionSpec, make_action, parameter
from kongchuo_rules.rules._timeline import Timeline
from kongchuo_rules.rules.attendance import Run
from kongchuo_rules.rules.persuasion import PersuasionRecord
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    Stage,
    Status,
    WhereaboutsFinding,
)

__all__ = ["assess"]

_REPORTING = (ActionKind.MARK_REGISTRY, ActionKind.REPORT_TO_BUREAU)
_NOT_LOCATED = (WhereaboutsFinding.MISSING, WhereaboutsFinding.UNKNOWN)
_MOBILIZERS = (
    Agency.TOWNSHIP_GOVERNMENT,
    Role.TOWNSHIP_HEAD,
    Agency.VILLAGE_COMMITTEE,
    Role.VILLAGE_COMMITTEE,
    Agency.EDUCATION_BUREAU,
)
_PLACED_OR_OUT = (
    Status.COMPLETED,
    Status.EXEMPT,
    Status.STUDYING_ELSEWHERE,
    Status.NOT_SCHOOL_AGE,
    Status.DEFERRED,
)


def _unique(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One action per (kind, agency, level) — the earliest triggered — sorted by trigger."""
    kept: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for action in actions:
        key = (action["kind"], action["agency"], action["level"])
        if key not in kept or action["trigger"] < kept[key]["trigger"]:
            kept[key] = action
    order = {kind: i for i, kind in enumerate(ActionKind)}
    return sorted(kept.values(), key=lambda a: (a["trigger"], order[a["kind"]]))


_CAUSE_ORDER = {c: i for i, c in enumerate(Cause)}
_FINDING_CAUSES = {
    WhereaboutsFinding.WORKING: Cause.CHILD_LABOR,
    WhereaboutsFinding.MISSING: Cause.MISSING,
}


@dataclass(frozen=True)
class Episode:
    """A run of absence evaluated up to its horizon (as_of, or the day before a return)."""

    run: Run
    horizon: dt.date
    run_start: dt.date | None
    alert_date: dt.date | None
    month_mark: dt.date | None
    month_length: int | None
    persuasion_start: dt.date | None
    record: PersuasionRecord | None
    dropout_since: dt.date | None

    @property
    def reached_persuasion(self) -> bool:
        """Whether the persuasion stage began while the run was current."""
        return self.persuasion_start is not None


@dataclass
class _Work:
    """What one assessment gathers as it goes (internal, never shared)."""

    trace: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)  # every day the calendar was asked about


def assess(
    case: Case | Mapping[str, Any],
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
) -> Assessment:
    """Assess one case on ``as_of``: status, stage, run figures, findings and trace.

    ``case`` is a :class:`Case` or its JSON dict. Only events dated on or before ``as_of``
    count. Without ``calendar``, the policy's default calendar is used; without ``policy``,
    the calendar's (or the bundled) policy.
    """
    if not isinstance(case, Case):
        case = Case.model_validate(case)
    if calendar is None:
        policy = policy or default_policy()
        calendar = policy.calendar
    elif policy is None:
        policy = calendar.policy
    return _Assessor(case, as_of, policy, calendar).run()


class _Assessor:
    """The steps of one assessment, in order (internal)."""

    def __init__(
        self, case: Case, as_of: dt.date, policy: Policy, calendar: SchoolCalendar
    ) -> None:
        self.case = case
        self.as_of = as_of
        self.policy = policy
        self.calendar = calendar
        self.params: ParameterSet = policy.at(as_of)
        self.events = Timeline(case.events, as_of)
        self.work = _Work(dates=[as_of])
        self.episode: Episode | None = None  # the current run, when it fired the 7-day rule
        self.returned: tuple[Episode, dt.date] | None = None  # returning episode, return date
        self.elsewhere: Whereabouts | None = None  # the check that found the child elsewhere

    # -- the whole assessment -----------------------------------------------------------------

    def run(self) -> Assessment:
        student = self.case.student
        school_age = age.school_age(student.birth_date, self.as_of, self.params.age, self.calendar)
        self._trace(
            age.SCHOOL_AGE,
            school_age.of_school_age,
            None,
            age=school_age.age,
            cutoff=school_age.cutoff,
            first_age=school_age.first_age,
            last_age=school_age.last_age,
        )
        self._data_findings()
        found = special.special_status(self.events, self.as_of)
        self._trace_specials(found)

        fields: dict[str, Any]
        if student.registered:
            fields = self._registered(found)
        else:
            fields = self._unregistered(found, school_age)

        causes = self._causes(fields.pop("episode_start", None), registered=student.registered)
        if (
            fields["status"] in (Status.DROPOUT, Status.OUT_OF_SCHOOL)
            and Cause.GUARDIAN_REFUSAL in causes
        ):
            fields["stage"] = Stage.ENFORCEMENT
        fields["actions"] = self._actions(fields, causes, school_age)
        self._calendar_findings()
        return Assessment.model_validate(
            {
                "case_id": student.id,
                "as_of": self.as_of,
                "school_year_age": school_age.age,
                "priority": student.priority,
                "causes": causes,
                "findings": self.work.findings,
                "policy_version": self.policy.version,
                "trace": self.work.trace,
                **fields,
            }
        )

    # -- unregistered children: out of school or not of school age ----------------------------

    def _unregistered(self, found: special.SpecialStatus | None, school_age: Any) -> dict[str, Any]:
        fired = found is None and school_age.of_school_age
        since: dt.date | None = None
        if fired:
            expired = [e.until for e in self.events.of(Deferral) if e.until]
            since = max([school_age.starts, *expired])
        self._trace(age.OUT_OF_SCHOOL, fired, since, age=school_age.age, since=since)
        if found is not None:
            return {"status": found.status, "status_since": found.since, "episode_start": None}
        if fired:
            return {"status": Status.OUT_OF_SCHOOL, "status_since": since, "episode_start": None}
        too_young = school_age.age < school_age.first_age
        return {
            "status": Status.NOT_SCHOOL_AGE,
            "status_since": self.case.student.birth_date if too_young else school_age.ends,
            "episode_start": None,
        }

    # -- registered children: the attendance rules --------------------------------------------

    def _registered(self, found: special.SpecialStatus | None) -> dict[str, Any]:
        placement = special.latest_placement(self.events)
        home_delivery = placement is not None and placement.mode is PlacementMode.HOME_DELIVERY
        self._trace(
            special.HOME_DELIVERY,
            home_delivery,
            placement.date if home_delivery and placement else None,
            date=placement.date if home_delivery and placement else None,
        )
        if home_delivery:
            status = found.status if found else Status.ATTENDING
            since = found.since if found else (placement.date if placement else None)
            return {"status": status, "status_since": since, "episode_start": None}

        spells = self.events.of(Absence)
        absent = attendance.absent_days(spells, self.as_of, self.calendar)
        if spells:
            self.work.dates.append(min(s.start for s in spells))
        if absent.conflicts:
            self._finding(
                FindingCode.CONFLICTING_ABSENCE,
                f"{len(absent.conflicts)} school day(s) covered by both an excused and an "
                f"unexcused absence, counted as unexcused: "
                + ", ".join(d.isoformat() for d in absent.conflicts),
                absent.conflicts[0],
            )
        all_runs = attendance.runs(absent, self.calendar)
        last_school_day = self.calendar.last_school_day_on_or_before(self.as_of)
        current = all_runs[-1] if all_runs and all_runs[-1].last == last_school_day else None
        previous = all_runs[:-1] if current else all_runs

        fields: dict[str, Any] = {}
        episode = self._episode(current, self.as_of) if current else None
        self._trace_run(current, episode, last_school_day)
        if episode is not None:
            fields.update(
                run_start=episode.run_start,
                unexcused_days=episode.run.unexcused_count,
                alert_date=episode.alert_date,
                month_mark=episode.month_mark,
            )
        returned = self._returned(previous)

        if found is not None:
            fields.update(status=found.status, status_since=found.since)
            fields["episode_start"] = episode.run_start if episode else None
            return fields
        if episode is not None and episode.alert_date is not None:
            self.episode = episode
            fields.update(self._episode_status(episode))
            return fields
        if returned is not None:
            ret_episode, return_date, _until = returned
            self.returned = (ret_episode, return_date)
            fields.update(
                status=Status.RETURNED,
                status_since=return_date,
                stage=Stage.MONITORING,
                return_date=return_date,
                episode_start=ret_episode.run_start,
            )
            return fields
        fields.update(status=Status.ATTENDING, status_since=self._attending_since(previous))
        fields["episode_start"] = None
        return fields

    def _episode(self, run: Run, horizon: dt.date) -> Episode:
        """Evaluate ``run`` as it stood on ``horizon``."""
        p = self.params
        run_start = run.start
        alert_date = mark = persuasion_start = dropout_since = None
        length: int | None = None
        record: PersuasionRecord | None = None
        threshold = p.absence.alert_unexcused_school_days
        if run_start is not None:
            alert_date = run.nth_unexcused(threshold)
            mark, length = attendance.month_mark(run_start, p.absence, self.calendar)
            self.work.dates.append(mark)
            if alert_date is not None and mark <= horizon:
                persuasion_start = max(mark, alert_date)
            attempts = [e for e in self.events.of(Persuasion) if run_start <= e.date <= horizon]
            record = persuasion.persuasion_record(attempts, run.last, p.persuasion, self.calendar)
            failure = record.first_failure
            if failure is not None and persuasion_start is not None:
                dropout_since = max(failure, persuasion_start)
        return Episode(
            run,
            horizon,
            run_start,
            alert_date,
            mark,
            length,
            persuasion_start,
            record,
            dropout_since,
        )

    def _episode_status(self, episode: Episode) -> dict[str, Any]:
        """Status, stage and escalation level from a current run that fired the 7-day rule."""
        record = episode.record
        # the 7-day rule fired, so the run has a start and its attempts were evaluated
        assert record is not None
        assert episode.run_start is not None
        failure = record.failures[0] if record.failures else None
        self._trace(
            persuasion.PERSUASION_FAILED,
            failure is not None,
            record.first_failure,
            level=failure.level.value if failure else None,
            failed_on=record.first_failure,
            outcome=failure.event.outcome.value if failure and failure.event.outcome else None,
            attempts=len(record.attempts),
        )
        for day in record.conflicts:
            self._finding(
                FindingCode.OUTCOME_CONFLICT,
                "a persuasion attempt recorded 'returned' but the child was absent on later "
                "school days of the run; the outcome is not counted",
                day,
            )
        level = record.level if episode.reached_persuasion else None
        self._trace(
            persuasion.ESCALATION,
            bool(record.failures) and episode.reached_persuasion,
            record.first_failure,
            failures=len(record.failures),
            level=(level or EscalationLevel.SCHOOL).value,
        )
        self._trace(
            persuasion.DROPOUT,
            episode.dropout_since is not None,
            episode.dropout_since,
            month_mark=episode.month_mark,
            failed_on=record.first_failure,
            since=episode.dropout_since,
        )
        base = {"escalation_level": level, "episode_start": episode.run_start}
        elsewhere = self.elsewhere = self._elsewhere(episode.run_start)
        if elsewhere is not None:
            return {**base, "status": Status.STUDYING_ELSEWHERE, "status_since": elsewhere.date}
        if episode.dropout_since is not None:
            return {
                **base,
                "status": Status.DROPOUT,
                "status_since": episode.dropout_since,
                "stage": Stage.ESCALATION,
            }
        stage = Stage.PERSUASION if episode.reached_persuasion else Stage.HOME_VISIT
        return {
            **base,
            "status": Status.SUSPECTED_DROPOUT,
            "status_since": episode.alert_date,
            "stage": stage,
        }

    def _elsewhere(self, run_start: dt.date) -> Whereabouts | None:
        """The episode's latest whereabouts check, if it found the child enrolled elsewhere."""
        checks = [e for e in self.events.of(Whereabouts) if e.date >= run_start]
        latest = checks[-1] if checks else None
        if latest is None or latest.finding is not WhereaboutsFinding.ENROLLED_ELSEWHERE:
            self._trace(special.ENROLLED_ELSEWHERE, False)
            return None
        self._trace(special.ENROLLED_ELSEWHERE, True, latest.date, date=latest.date)
        return latest

    def _returned(self, previous: Sequence[Run]) -> tuple[Episode, dt.date, dt.date] | None:
        """The latest earlier run that reached persuasion and whose monitoring window holds
        ``as_of``: (episode, return date, monitoring end)."""
        window = timedelta(days=self.params.returned.monitoring_days)
        for run in reversed(previous):
            return_date = self.calendar.add_school_days(run.last, 1)
            if return_date + window <= self.as_of:
                break
            if run.unexcused_count < self.params.absence.alert_unexcused_school_days:
                continue  # a run that never fired the 7-day rule cannot have reached persuasion
            episode = self._episode(run, return_date - timedelta(days=1))
            if episode.reached_persuasion:
                until = return_date + window - timedelta(days=1)
                self._trace(
                    persuasion.RETURN,
                    True,
                    return_date,
                    return_date=return_date,
                    monitoring_until=until,
                )
                return episode, return_date, until
        self._trace(persuasion.RETURN, False)
        return None

    def _attending_since(self, previous: Sequence[Run]) -> dt.date | None:
        """Attending since the latest return, or the end of its monitoring window when the run
        had reached persuasion; ``None`` when the events show no earlier run."""
        window = timedelta(days=self.params.returned.monitoring_days)
        since: dt.date | None = None
        for run in reversed(previous):
            return_date = self.calendar.add_school_days(run.last, 1)
            if since is not None and return_date + window <= since:
                break
            reached = (
                run.unexcused_count >= self.params.absence.alert_unexcused_school_days
                and self._episode(run, return_date - timedelta(days=1)).reached_persuasion
            )
            candidate = return_date + window if reached else return_date
            since = candidate if since is None else max(since, candidate)
        return since

    # -- traces and findings ------------------------------------------------------------------

    def _trace(self, rule: Any, fired: bool, on: dt.date | None = None, **figures: Any) -> None:
        self.work.trace.append(rule.trace(self.policy, fired, on, **figures))

    def _trace_specials(self, found: special.SpecialStatus | None) -> None:
        for rule in (special.COMPLETION, special.EXEMPTION, special.DEFERRAL, special.TRANSFER_OUT):
            if found is not None and found.rule is rule:
                self._trace(rule, True, found.since, **found.figures)
            else:
                self._trace(rule, False)

    def _trace_run(
        self, current: Run | None, episode: Episode | None, last_school_day: dt.date | None
    ) -> None:
        p = self.params.absence
        if current is None or episode is None:
            self._trace(attendance.CURRENT_RUN, False, last_school_day=last_school_day)
            return
        unexcused = current.unexcused_count
        self._trace(
            attendance.CURRENT_RUN,
            True,
            episode.run_start,
            run_start=episode.run_start,
            unexcused_days=unexcused,
        )
        self._trace(
            attendance.SEVEN_DAY_ALERT,
            episode.alert_date is not None,
            episode.alert_date,
            unexcused_days=unexcused,
            threshold=p.alert_unexcused_school_days,
            alert_date=episode.alert_date,
        )
        if episode.run_start is not None:
            self._trace(
                attendance.MONTH_MARK,
                episode.reached_persuasion,
                episode.persuasion_start,
                run_start=episode.run_start,
                month_mark=episode.month_mark,
                length=episode.month_length,
                clock=p.month_clock.value,
            )

    def _finding(self, code: FindingCode, message: str, on: dt.date | None = None) -> None:
        self.work.findings.append(Finding(code=code, message=message, on=on))

    def _data_findings(self) -> None:
        student = self.case.student
        absences = self.events.of(Absence)
        if not student.registered and absences:
            self._finding(
                FindingCode.ABSENCE_WITHOUT_REGISTRATION,
                f"{len(absences)} absence spell(s) recorded for a child marked as not registered; "
                "the attendance rules do not apply until the registration is corrected",
                absences[0].start,
            )
        transfers = self.events.of(TransferOut)
        if transfers and any(a.start > transfers[0].date for a in absences):
            self._finding(
                FindingCode.EVENTS_AFTER_TRANSFER,
                "absence recorded after the transfer out; check whether the child is back",
                transfers[0].date,
            )
        incomplete = [
            (e.date, "registry_mark without 'mark'")
            for e in self.events.of(RegistryMark)
            if e.mark is None
        ] + [
            (e.date, "placement without 'mode'")
            for e in self.events.of(Placement)
            if e.mode is None
        ]
        for day, what in sorted(incomplete):
            self._finding(FindingCode.INCOMPLETE_EVENT, f"{what}: ignored", day)

    def _calendar_findings(self) -> None:
        first, last = min(self.work.dates), max(self.work.dates)
        for year in self.calendar.estimated_years(first, last):
            self._finding(
                FindingCode.CALENDAR_ESTIMATED,
                f"PRC holidays of {year} are estimated by the holidays package (no official "
                "notice held): school-day counts in that year may shift; supply the official "
                "days with SchoolCalendar(official=...)",
            )

    # -- required actions ---------------------------------------------------------------------

    def _act(
        self,
        spec: ActionSpec,
        trigger: dt.date,
        done_on: dt.date | None = None,
        since: dt.date | None = None,
        cause: Cause | None = None,
    ) -> dict[str, Any]:
        action = make_action(
            spec,
            trigger,
            done_on=done_on,
            events=self.events,
            params=self.params,
            policy=self.policy,
            calendar=self.calendar,
            since=since,
            cause=cause,
        )
        self.work.dates.append(action["due"])
        return action

    def _actions(
        self, fields: dict[str, Any], causes: tuple[Cause, ...], school_age: Any
    ) -> list[dict[str, Any]]:
        """Every action required so far for the current episode, sorted by trigger."""
        status = fields["status"]
        found: list[dict[str, Any]] = []
        if self.episode is not None and status in (
            Status.SUSPECTED_DROPOUT,
            Status.DROPOUT,
            Status.STUDYING_ELSEWHERE,
        ):
            found += self._episode_actions(self.episode, self.as_of)
            if self.elsewhere is not None and status is Status.STUDYING_ELSEWHERE:
                check = self.elsewhere.date
                transfer = next(
                    (e.date for e in self.events.of(TransferOut) if e.date >= check), None
                )
                found.append(self._act(special.REGISTRY_TRANSFER, check, transfer))
        elif self.returned is not None and status is Status.RETURNED:
            episode, return_date = self.returned
            found += self._episode_actions(episode, return_date - timedelta(days=1))
            found += self._return_actions(episode, return_date)
        elif status is Status.OUT_OF_SCHOOL:
            found += self._out_of_school_actions(fields["status_since"])
        else:
            self._trace_no_support()
        found += self._placement(status, school_age)
        for action in found:
            if action["overdue"] and action["kind"] in _REPORTING:
                self._finding(
                    FindingCode.LATE_REPORT,
                    f"{action['kind'].value} was due on {action['due'].isoformat()} and is not "
                    "recorded as done",
                    action["due"],
                )
        return _unique(found)

    def _episode_actions(self, episode: Episode, horizon: dt.date) -> list[dict[str, Any]]:
        """Actions of a run that fired the 7-day rule, as required by ``horizon``."""
        run_start, alert, record = episode.run_start, episode.alert_date, episode.record
        assert run_start is not None  # a run that fired the 7-day rule has all three
        assert alert is not None
        assert record is not None
        found: list[dict[str, Any]] = []
        visits = [
            e.date
            for e in (*self.events.of(HomeVisit), *self.events.of(GuardianContact))
            if e.date >= run_start
        ]
        found.append(
            self._act(attendance.HOME_VISIT, alert, min(visits, default=None), since=run_start)
        )
        start = episode.persuasion_start
        if start is not None:
            assigned = [e.date for e in self.events.of(PersuaderAssigned) if e.date >= run_start]
            found.append(
                self._act(
                    persuasion.ASSIGN_PERSUADER, start, min(assigned, default=None), since=run_start
                )
            )
            found += self._persuade_actions(record, start, horizon)
        found += self._whereabouts_actions(episode, horizon)
        if episode.dropout_since is not None and episode.dropout_since <= horizon:
            marks = [
                e.date
                for e in self.events.of(RegistryMark)
                if e.date >= run_start and e.mark is MarkKind.DROPOUT
            ]
            reports = [
                e.date
                for e in self.events.of(Report)
                if e.date >= run_start and e.to is Agency.EDUCATION_BUREAU
            ]
            found.append(
                self._act(
                    persuasion.MARK_REGISTRY,
                    episode.dropout_since,
                    min(marks, default=None),
                    since=run_start,
                )
            )
            found.append(
                self._act(
                    persuasion.REPORT_TO_BUREAU,
                    episode.dropout_since,
                    min(reports, default=None),
                    since=run_start,
                )
            )
        causes = self._cause_dates(run_start, horizon)
        if episode.dropout_since is not None and episode.dropout_since <= horizon:
            found += self._ladder(causes, episode.dropout_since, run_start, horizon, "dropout")
        else:
            self._trace(enforcement.LADDER, False)
        found += self._routing(causes, alert, run_start, horizon)
        found += self._priority(alert, run_start, Status.SUSPECTED_DROPOUT)
        return found

    def _persuade_actions(
        self, record: PersuasionRecord, start: dt.date, horizon: dt.date
    ) -> list[dict[str, Any]]:
        """Persuasion at school from the month mark, then one level up after each failure."""

        def attempt_on(level: EscalationLevel, since: dt.date) -> dt.date | None:
            return next(
                (
                    a.event.date
                    for a in record.attempts
                    if a.level is level and a.event.date >= since
                ),
                None,
            )

        found = [
            self._act(
                persuasion.PERSUADE[EscalationLevel.SCHOOL],
                start,
                attempt_on(EscalationLevel.SCHOOL, dt.date.min),
            )
        ]
        seen = {EscalationLevel.SCHOOL}
        for attempt in record.failures:
            level = persuasion.next_level(attempt.level)
            trigger = max(attempt.failed_on or start, start)
            if level in seen or trigger > horizon:
                continue
            seen.add(level)
            found.append(self._act(persuasion.PERSUADE[level], trigger, attempt_on(level, trigger)))
        return found

    def _whereabouts_actions(self, episode: Episode, horizon: dt.date) -> list[dict[str, Any]]:
        run_start, record = episode.run_start, episode.record
        assert run_start is not None
        assert record is not None
        checks = [e for e in self.events.of(Whereabouts) if e.date >= run_start]
        found: list[dict[str, Any]] = []
        unreachable = [
            a.event.date
            for a in record.attempts
            if a.event.outcome is PersuasionOutcome.UNREACHABLE and a.event.date <= horizon
        ]
        starts = ([episode.persuasion_start] if episode.persuasion_start else []) + unreachable
        if starts:
            trigger = min(starts)
            done = next(
                (c.date for c in checks if c.finding is not WhereaboutsFinding.UNKNOWN), None
            )
            found.append(self._act(whereabouts.VERIFY_WHEREABOUTS, trigger, done, since=run_start))
            self._trace(whereabouts.VERIFY, True, trigger, trigger=trigger)
        else:
            self._trace(whereabouts.VERIFY, False)
        missing = next(
            (c for c in checks if c.finding is WhereaboutsFinding.MISSING and c.date <= horizon),
            None,
        )
        if missing is not None:
            located = next(
                (c.date for c in checks if c.date > missing.date and c.finding not in _NOT_LOCATED),
                None,
            )
            found.append(self._act(whereabouts.MISSING_CHILD_RESPONSE, missing.date, located))
            self._trace(whereabouts.MISSING, True, missing.date, trigger=missing.date)
        else:
            self._trace(whereabouts.MISSING, False)
        return found

    def _ladder(
        self,
        causes: dict[Cause, dt.date],
        became: dt.date,
        since: dt.date,
        horizon: dt.date,
        status: str,
    ) -> list[dict[str, Any]]:
        refused = causes.get(Cause.GUARDIAN_REFUSAL)
        if refused is None:
            self._trace(enforcement.LADDER, False)
            return []
        start = max(became, refused)
        steps = enforcement.ladder(self.events, start, since, horizon, self.params.enforcement)
        self._trace(enforcement.LADDER, True, start, status=status, trigger=start, steps=len(steps))
        return [self._act(spec, trigger, done, since=since) for spec, trigger, done in steps]

    def _routing(
        self, causes: dict[Cause, dt.date], earliest: dt.date, since: dt.date, horizon: dt.date
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        # the child-labour test uses the real age on as_of, not the school-year age
        child_age = age.age_on(self.case.student.birth_date, self.as_of)
        for route in self.policy.routing:
            first = causes.get(route.cause)
            if first is None or first > horizon:
                continue
            if route.below_age is not None and child_age >= parameter(self.params, route.below_age):
                continue
            found.append(
                self._act(
                    routing.route_spec(route), max(first, earliest), since=since, cause=route.cause
                )
            )
        names = ", ".join(sorted(c.value for c in causes)) if causes else None
        self._trace(routing.CAUSE_ROUTING, bool(found), None, causes=names)
        return found

    def _priority(self, trigger: dt.date, since: dt.date, status: Status) -> list[dict[str, Any]]:
        if not self.case.student.priority:
            self._trace(routing.PRIORITY, False)
            return []
        self._trace(routing.PRIORITY, True, trigger, status=status.value)
        return [
            self._act(routing.PRIORITY_SUPPORT, trigger, since=since),
            self._act(routing.PRIORITY_ASSISTANCE, trigger, since=since),
        ]

    def _trace_no_support(self) -> None:
        for rule in (
            whereabouts.VERIFY,
            whereabouts.MISSING,
            enforcement.LADDER,
            routing.CAUSE_ROUTING,
            routing.PRIORITY,
        ):
            self._trace(rule, False)

    def _return_actions(self, episode: Episode, return_date: dt.date) -> list[dict[str, Any]]:
        run_start = episode.run_start
        assert run_start is not None
        plans = [e.date for e in self.events.of(IndividualPlan) if e.date >= run_start]
        found = [
            self._act(
                persuasion.INDIVIDUAL_PLAN, return_date, min(plans, default=None), since=run_start
            )
        ]
        marks = [e for e in self.events.of(RegistryMark) if e.date >= run_start and e.mark]
        set_marks = [m for m in marks if m.mark is not MarkKind.CLEARED]
        if set_marks:
            last_set = set_marks[-1].date
            cleared = next(
                (m.date for m in marks if m.mark is MarkKind.CLEARED and m.date >= last_set), None
            )
            found.append(
                self._act(persuasion.CLEAR_REGISTRY_MARK, return_date, cleared, since=last_set)
            )
        return found

    def _out_of_school_actions(self, since: dt.date) -> list[dict[str, Any]]:
        visits: list[HomeVisit | GuardianContact] = [
            *self.events.of(HomeVisit),
            *self.events.of(GuardianContact),
        ]
        contacts = [e.date for e in visits if e.date >= since and e.by in _MOBILIZERS]
        found = [self._act(age.ENROLLMENT_MOBILIZATION, since, min(contacts, default=None))]
        causes = self._cause_dates(dt.date.min, self.as_of)
        self._trace(whereabouts.VERIFY, False)
        self._trace(whereabouts.MISSING, False)
        found += self._ladder(causes, since, dt.date.min, self.as_of, "out_of_school")
        found += self._routing(causes, since, dt.date.min, self.as_of)
        found += self._priority(since, since, Status.OUT_OF_SCHOOL)
        return found

    def _placement(self, status: Status, school_age: Any) -> list[dict[str, Any]]:
        disability = self.case.student.disability
        needed = (
            disability is not None
            and disability.certified
            and school_age.of_school_age
            and status not in _PLACED_OR_OUT
            and not self.events.of(Placement)
        )
        if not needed:
            self._trace(special.PLACEMENT, False)
            return []
        year_start = self.calendar.school_year_start(self.calendar.school_year_of(self.as_of))
        trigger = max(school_age.starts, year_start)
        self._trace(special.PLACEMENT, True, trigger, trigger=trigger)
        return [self._act(special.PLACEMENT_ASSESSMENT, trigger)]

    # -- causes ---------------------------------------------------------------------------------

    def _cause_dates(self, since: dt.date, until: dt.date) -> dict[Cause, dt.date]:
        """Each cause found from ``since`` to ``until`` and the first day it was found."""
        found: dict[Cause, dt.date] = {}
        sources: list[HomeVisit | GuardianContact | Persuasion] = [
            *self.events.of(HomeVisit),
            *self.events.of(GuardianContact),
            *self.events.of(Persuasion),
        ]
        for event in sources:
            if since <= event.date <= until:
                for cause in event.causes:
                    found[cause] = min(found.get(cause, event.date), event.date)
        for check in self.events.of(Whereabouts):
            if since <= check.date <= until and check.finding in _FINDING_CAUSES:
                cause = _FINDING_CAUSES[check.finding]
                found[cause] = min(found.get(cause, check.date), check.date)
        return found

    def _causes(self, episode_start: dt.date | None, *, registered: bool) -> tuple[Cause, ...]:
        """Causes found in the current episode (for an unregistered child: in all events)."""
        if registered and episode_start is None:
            return ()
        found = self._cause_dates(episode_start or dt.date.min, self.as_of)
        return tuple(sorted(found, key=_CAUSE_ORDER.__getitem__))
