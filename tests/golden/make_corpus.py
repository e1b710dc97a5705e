"""Generate the golden corpus: seeded random cases covering every event type, changed
policies and calendars, assessed on several days; the expected JSON is what ``assess`` gives.

Run ``python tests/golden/make_corpus.py`` to generate the random corpus, or
``python tests/golden/make_corpus.py --rerecord`` to recompute the expected output of every
entry of both corpora from its stored inputs — only after a deliberate change of behaviour, with
the commit saying which entries changed and why. ``tests/test_golden.py`` checks that every
entry still gives the recorded JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kongchuo_rules import assess
from kongchuo_rules.case import national_id_check_char
from tests.golden import _io

SEED = 20261129
N_CASES = 2500
START, END = dt.date(2026, 8, 20), dt.date(2027, 7, 20)

CAUSES = [
    "economic_hardship", "child_labor", "internet_addiction", "disability", "illness",
    "learning_difficulty", "school_aversion", "family_education", "guardian_refusal",
    "missing", "safety", "migration", "other",
]  # fmt: skip
ROLES_AND_AGENCIES = [
    "class_teacher", "principal", "township_head", "village_committee", "township_government",
    "education_bureau", "public_security_bureau", "guardian", None,
]  # fmt: skip
LEVELS = ["school", "township", "education_bureau", "county", None]
OUTCOMES = ["returned", "agreed", "refused", "unreachable", None]
FINDINGS = ["at_home", "working", "migrated", "enrolled_elsewhere", "missing", "unknown"]
MARKS = ["suspected_dropout", "dropout", "cleared", None]
MODES = ["regular_class", "special_school", "home_delivery", "exempt", None]
ACTION_KINDS = [
    "home_visit", "assign_persuader", "persuade", "mark_registry", "report_to_bureau",
    "verify_whereabouts", "individual_plan", "guardian_education", "social_assistance",
    "student_aid", "enrollment_mobilization", "priority_support",
]  # fmt: skip
FLAGS = ["orphan", "left_behind", "disabled", "prisoner_child", "economic_hardship"]


def day(r: random.Random, lo: dt.date = START, hi: dt.date = END) -> dt.date:
    return lo + dt.timedelta(days=r.randrange((hi - lo).days + 1))


def iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def national_id(r: random.Random, birth: dt.date) -> str:
    body = f"{r.randrange(110000, 659999):06d}{birth:%Y%m%d}{r.randrange(1000):03d}"
    return body + national_id_check_char(body)


def student(r: random.Random, i: int) -> dict[str, Any]:
    birth = day(r, dt.date(2009, 1, 1), dt.date(2022, 12, 31))
    registered = r.random() < 0.8
    s: dict[str, Any] = {
        "id": f"G-{i:05d}",
        "birth_date": birth.isoformat(),
        "registered": registered,
    }
    if r.random() < 0.3:
        s["national_id"] = national_id(r, birth)
        s["name"] = r.choice(["张三", "李四", "王小明"])
    if registered:
        s["grade"] = r.randint(1, 9)
        s["school_id"] = r.choice(["JD-001", "JD-002"])
    if r.random() < 0.3:
        s["household"] = {
            k: r.random() < 0.3
            for k in (
                "poverty_alleviated",
                "low_income",
                "extreme_poverty_support",
                "rural_disabled_poor",
                "economic_hardship",
            )
        }
    if r.random() < 0.2:
        s["flags"] = r.sample(FLAGS, r.randint(1, 2))
    if r.random() < 0.1:
        s["disability"] = {"certified": r.random() < 0.7, "category": "intellectual"}
    return s


def causes(r: random.Random) -> list[str]:
    return r.sample(CAUSES, r.choice([0, 0, 1, 1, 2]))


def episode(r: random.Random) -> list[dict[str, Any]]:
    """One long unexcused spell and the work that follows it, in a plausible order."""
    start = day(r, START, dt.date(2027, 5, 31))
    length = r.choice([None, None, r.randint(3, 120)])
    events: list[dict[str, Any]] = [
        {
            "type": "absence",
            "start": start.isoformat(),
            "end": iso(None if length is None else start + dt.timedelta(days=length)),
            "excused": False,
        }
    ]

    def after(lo: int, hi: int) -> str:
        return (start + dt.timedelta(days=r.randint(lo, hi))).isoformat()

    if r.random() < 0.7:
        kind = r.choice(["home_visit", "guardian_contact"])
        events.append(
            {
                "type": kind,
                "date": after(5, 20),
                "by": r.choice(ROLES_AND_AGENCIES),
                "causes": causes(r),
            }
        )
    if r.random() < 0.5:
        events.append({"type": "persuader_assigned", "date": after(25, 45)})
    for _ in range(r.choice([0, 1, 2, 3, 4])):
        events.append(
            {
                "type": "persuasion",
                "date": after(20, 90),
                "level": r.choice(LEVELS),
                "outcome": r.choice(OUTCOMES),
                "causes": causes(r),
            }
        )
    if r.random() < 0.4:
        events.append({"type": "whereabouts", "date": after(25, 80), "finding": r.choice(FINDINGS)})
    if r.random() < 0.3:
        events.append({"type": "registry_mark", "date": after(30, 90), "mark": r.choice(MARKS)})
    if r.random() < 0.3:
        events.append({"type": "report", "date": after(30, 90)})
    if r.random() < 0.25:
        events.append({"type": "guardian_education", "date": after(35, 70)})
        if r.random() < 0.7:
            o = start + dt.timedelta(days=r.randint(40, 80))
            events.append(
                {
                    "type": "guardian_order",
                    "date": o.isoformat(),
                    "deadline": iso(r.choice([None, o + dt.timedelta(days=10)])),
                }
            )
            if r.random() < 0.7:
                p = o + dt.timedelta(days=r.randint(10, 30))
                events.append(
                    {
                        "type": "administrative_penalty",
                        "date": p.isoformat(),
                        "deadline": iso(r.choice([None, p + dt.timedelta(days=7)])),
                    }
                )
                if r.random() < 0.5:
                    events.append({"type": "court_application", "date": after(80, 140)})
    if r.random() < 0.2:
        events.append({"type": "individual_plan", "date": after(40, 150)})
    if r.random() < 0.2:
        events.append(
            {
                "type": "action_taken",
                "date": after(8, 90),
                "kind": r.choice(ACTION_KINDS),
                "agency": r.choice([None, "school", "civil_affairs_bureau"]),
            }
        )
    return events


def other(r: random.Random) -> dict[str, Any]:
    d = day(r).isoformat()
    kind = r.choice(
        ["absence"] * 6
        + ["home_visit", "guardian_contact", "persuasion", "whereabouts", "registry_mark"]
        + ["report", "individual_plan", "placement", "deferral", "transfer_out", "completion"]
        + ["guardian_education", "guardian_order", "action_taken", "persuader_assigned"]
    )
    if kind == "absence":
        length = r.choice([None, r.randint(0, 3), r.randint(0, 15), r.randint(0, 60)])
        end = None if length is None else dt.date.fromisoformat(d) + dt.timedelta(days=length)
        return {"type": kind, "start": d, "end": iso(end), "excused": r.random() < 0.35}
    e: dict[str, Any] = {"type": kind, "date": d}
    if kind in ("home_visit", "guardian_contact"):
        e |= {"by": r.choice(ROLES_AND_AGENCIES), "causes": causes(r)}
    elif kind == "persuasion":
        e |= {"level": r.choice(LEVELS), "outcome": r.choice(OUTCOMES), "causes": causes(r)}
    elif kind == "whereabouts":
        e["finding"] = r.choice(FINDINGS)
    elif kind == "registry_mark":
        e["mark"] = r.choice(MARKS)
    elif kind == "report":
        e["to"] = r.choice(["education_bureau", "education_bureau", "township_government"])
    elif kind == "placement":
        e["mode"] = r.choice(MODES)
    elif kind == "deferral":
        n = r.choice([None, r.randint(0, 200)])
        e["until"] = iso(None if n is None else dt.date.fromisoformat(d) + dt.timedelta(days=n))
    elif kind == "guardian_order":
        e["deadline"] = r.choice([None, iso(dt.date.fromisoformat(d) + dt.timedelta(days=15))])
    elif kind == "action_taken":
        e["kind"] = r.choice(ACTION_KINDS)
    return e


def policy(r: random.Random) -> dict[str, Any] | None:
    if r.random() < 0.6:
        return None
    pick: dict[str, Any] = {
        "absence.alert_unexcused_school_days": r.randint(3, 10),
        "absence.home_visit_due_school_days": r.randint(0, 3),
        "absence.month_clock": r.choice(["term_time", "calendar"]),
        "absence.persuasion_after_months": r.choice([1, 1, 2]),
        "persuasion.agreed_return_grace_school_days": r.randint(1, 5),
        "persuasion.escalation_due_school_days": r.randint(0, 10),
        "persuasion.assign_persuader_due_school_days": r.randint(0, 3),
        "reporting.report_due_school_days": r.randint(0, 3),
        "returned.monitoring_days": r.randint(20, 120),
        "returned.individual_plan_due_school_days": r.randint(1, 20),
        "enforcement.step_due_school_days": r.randint(1, 10),
        "enforcement.order_compliance_days": r.randint(5, 30),
        "routing.child_labor_age": r.choice([14, 16]),
        "age.entry_age": r.choice([6, 6, 7]),
    }
    keys = r.sample(sorted(pick), r.randint(1, 6))
    return {k: [{"since": None, "value": pick[k]}] for k in keys}


def calendar(r: random.Random) -> dict[str, Any] | None:
    if r.random() < 0.7:
        return None
    spec: dict[str, Any] = {
        "policy": {},
        "terms": {},
        "official": {},
        "closures": sorted({day(r).isoformat() for _ in range(r.randint(0, 4))}),
        "extra_days": [],
        "strict": False,
    }
    extra = {day(r).isoformat() for _ in range(r.randint(0, 2))} - set(spec["closures"])
    spec["extra_days"] = sorted(extra)
    if r.random() < 0.4:
        spec["terms"]["2026"] = {
            "autumn": {
                "start": f"2026-08-{r.randint(25, 31)}",
                "end": f"2027-01-2{r.randint(0, 5)}",
            },
            "spring": {
                "start": f"2027-02-2{r.randint(2, 8)}",
                "end": f"2027-07-0{r.randint(1, 9)}",
            },
        }
    return spec


def rerecord() -> None:
    from tests.test_golden import CORPORA, _run

    for corpus in CORPORA:
        entries = list(_io.read(_io.HERE / corpus))
        changed = 0
        for entry in entries:
            got = _run(entry)
            changed += got != entry["expected"]
            entry["expected"] = got
        _io.write(_io.HERE / corpus, entries)
        print(f"{corpus}: {changed} of {len(entries)} entries re-recorded")


def main() -> None:
    if "--rerecord" in sys.argv:
        rerecord()
        return
    r = random.Random(SEED)
    entries = []
    for i in range(N_CASES):
        events = episode(r) if r.random() < 0.75 else []
        if r.random() < 0.3:
            events += episode(r)
        events += [other(r) for _ in range(r.choice([0, 1, 2, 3, 5, 8]))]
        r.shuffle(events)
        data = {"student": student(r, i), "events": events}
        if r.random() < 0.3:
            data["guardians"] = [{"name": "某某", "phone": "13800000000", "relation": "mother"}]
        pol, cal = policy(r), calendar(r)
        for _ in range(r.choice([1, 2, 3])):
            as_of = day(r, dt.date(2026, 9, 1), dt.date(2027, 8, 31))
            try:
                out = assess(
                    data,
                    as_of=as_of,
                    policy=None if pol is None else _io.policy_from(pol),
                    calendar=None if cal is None else _io.calendar_from(cal),
                )
            except ValueError as exc:  # an invalid random case: keep it, with its error
                expected: Any = {"error": type(exc).__name__}
            else:
                expected = json.loads(out.model_dump_json())
                expected.pop("library_version", None)
                expected.pop("holidays_version", None)
            entries.append(
                {
                    "case": data,
                    "as_of": as_of.isoformat(),
                    "policy": pol,
                    "calendar": cal,
                    "expected": expected,
                }
            )
    _io.write(_io.HERE / "generated.jsonl.gz", entries)
    print(f"{len(entries)} entries")


if __name__ == "__main__":
    main()
