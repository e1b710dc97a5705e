"""The worked examples (``tests/worked/*.json``, see its README): cases whose decisions and
actions were worked out by hand, each run by ``assess`` and by the batch engine (the same rules
core, compiled), and a worked example for every rule of ``RULES``.

A file holds one case and its checks: on each ``as_of``, the assessment fields listed in
``expect`` (exact equality, dates as ISO strings), the complete list of actions (each as a subset
of its fields, in order) when ``actions`` is given, and the complete list of finding codes when
``findings`` is given.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from kongchuo_rules import Action, Assessment, Case, SchoolCalendar, assess, default_policy
from kongchuo_rules.policy import Policy
from kongchuo_rules.rules import RULES

WORKED = Path(__file__).parent / "worked"
NAMES = sorted(p.stem for p in WORKED.glob("*.json"))

REQUIRED = {"title", "clauses", "notes", "case", "checks"}
KEYS = REQUIRED | {"rule", "rules", "source", "calendar", "policy"}
CHECK_KEYS = {"as_of", "expect", "actions", "findings"}
# the fields of an assessment an example may expect (the lists have their own keys)
EXPECT_FIELDS = set(Assessment.model_fields) - {
    "actions",
    "findings",
    "trace",
    "episodes",
    "case_id",
    "as_of",
    "library_version",
    "holidays_version",
}
ACTION_FIELDS = set(Action.model_fields) - {"citations"}
Row = dict[str, Any]


@functools.cache
def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((WORKED / f"{name}.json").read_text(encoding="utf-8"))
    return data


def rules_of(example: dict[str, Any]) -> list[str]:
    return [example["rule"]] if "rule" in example else list(example["rules"])


@functools.cache
def _policy(changes: str) -> Policy | None:
    found = json.loads(changes)
    return None if found is None else default_policy().with_changes(found)


@functools.cache
def _calendar(spec: str, changes: str) -> SchoolCalendar | None:
    found = json.loads(spec)
    if found is None:
        return None
    return SchoolCalendar.model_validate({**found, "policy": _policy(changes) or default_policy()})


def setting(example: dict[str, Any]) -> tuple[Policy | None, SchoolCalendar | None]:
    """The example's policy (its changes to the bundled one) and calendar (its overrides)."""
    changes = json.dumps(example["policy"], sort_keys=True)
    return _policy(changes), _calendar(json.dumps(example["calendar"], sort_keys=True), changes)


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def compare(
    where: str,
    check: dict[str, Any],
    fields: Row,
    actions: list[Row],
    findings: list[str],
    *,
    known: set[str] | None = None,
    action_known: set[str] | None = None,
) -> list[str]:
    """What differs between a check and one child's results (``known``: the fields the result
    has, when it is not an assessment)."""
    errors = []
    for name, expected in check["expect"].items():
        if known is not None and name not in known:
            continue
        if fields[name] != expected:
            errors.append(f"{where}: {name} is {fields[name]!r}, expected {expected!r}")
    if "actions" in check:
        got = [
            {k: a.get(k) for k in e if action_known is None or k in action_known}
            for a, e in zip(actions, check["actions"], strict=False)
        ]
        wanted = [
            {k: v for k, v in e.items() if action_known is None or k in action_known}
            for e in check["actions"]
        ]
        if len(actions) != len(check["actions"]):
            shown = [(a["kind"], a["agency"], a.get("level")) for a in actions]
            errors.append(f"{where}: {len(actions)} actions {shown}, expected {len(wanted)}")
        errors += [
            f"{where}: action {i} is {g}, expected {w}"
            for i, (g, w) in enumerate(zip(got, wanted, strict=False))
            if g != w
        ]
    if "findings" in check and findings != check["findings"]:
        errors.append(f"{where}: findings are {findings}, expected {check['findings']}")
    return errors


# -- the files --------------------------------------------------------------------------------


def test_the_corpus_is_there() -> None:
    assert 20 <= len(NAMES) <= 60, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_file_is_well_formed(name: str) -> None:
    example = load(name)
    assert not REQUIRED - set(example), REQUIRED - set(example)
    assert set(example) <= KEYS, set(example) - KEYS
    assert ("rule" in example) != ("rules" in example), "name the rule(s) in rule or rules"
    rules = rules_of(example)
    assert rules, name
    assert set(rules) <= set(RULES), set(rules) - set(RULES)
    own = {key for rule in rules for key in RULES[rule].clauses}
    assert set(example["clauses"]) <= own, set(example["clauses"]) - own
    assert example["notes"], "say how the dates were worked out"
    Case.model_validate(example["case"])
    setting(example)  # the policy changes and the calendar are valid
    assert example["checks"], name
    for check in example["checks"]:
        assert {"as_of", "expect"} <= set(check) <= CHECK_KEYS, check
        dt.date.fromisoformat(check["as_of"])
        assert set(check["expect"]) <= EXPECT_FIELDS, set(check["expect"]) - EXPECT_FIELDS
        for action in check.get("actions", []):
            assert {"kind", "agency"} <= set(action) <= ACTION_FIELDS, action


# -- the per-case engine ----------------------------------------------------------------------


@functools.cache
def assessments(name: str) -> tuple[Assessment, ...]:
    example = load(name)
    policy, calendar = setting(example)
    return tuple(
        assess(
            example["case"],
            as_of=dt.date.fromisoformat(check["as_of"]),
            policy=policy,
            calendar=calendar,
        )
        for check in example["checks"]
    )


@pytest.mark.parametrize("name", NAMES)
def test_assess_gives_the_worked_result(name: str) -> None:
    example = load(name)
    errors: list[str] = []
    for check, a in zip(example["checks"], assessments(name), strict=True):
        dumped = a.model_dump(mode="json")
        errors += compare(
            f"{name} on {check['as_of']}",
            check,
            dumped,
            dumped["actions"],
            [f["code"] for f in dumped["findings"]],
        )
    assert not errors, "\n".join(errors)


# -- the batch engine -------------------------------------------------------------------------


@functools.cache
def batch_results() -> dict[tuple[str, int], tuple[Row, list[Row], list[str], set[str]]]:
    """Every check's child as the batch engine sees it (its ``children`` row, ``actions`` rows,
    finding codes, and the columns of ``actions``): one ``assess_batch`` call per policy,
    calendar and day, over every example checked on that day."""
    batch = pytest.importorskip("kongchuo_rules.batch")
    groups: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    for name in NAMES:
        example = load(name)
        for i, check in enumerate(example["checks"]):
            key = (
                json.dumps(example["policy"], sort_keys=True),
                json.dumps(example["calendar"], sort_keys=True),
                check["as_of"],
            )
            groups.setdefault(key, []).append((name, i))
    out: dict[tuple[str, int], tuple[Row, list[Row], list[str], set[str]]] = {}
    for items in groups.values():
        cases = []
        for name, i in items:
            data = copy.deepcopy(load(name)["case"])
            data["student"]["id"] = f"{name}#{i}"
            cases.append(data)
        first = load(items[0][0])
        policy, calendar = setting(first)
        as_of = dt.date.fromisoformat(first["checks"][items[0][1]]["as_of"])
        result = batch.assess_batch(
            *batch.cases_to_tables(cases), as_of=as_of, policy=policy, calendar=calendar
        )
        children = {r["student_id"]: r for r in result.children.iter_rows(named=True)}
        columns = set(result.actions.columns)
        actions: dict[str, list[Row]] = {}
        for r in result.actions.iter_rows(named=True):
            actions.setdefault(r["student_id"], []).append({k: _json(v) for k, v in r.items()})
        findings: dict[str, list[str]] = {}
        for r in result.findings.iter_rows(named=True):
            findings.setdefault(r["student_id"], []).append(r["code"])
        for name, i in items:
            sid = f"{name}#{i}"
            row = {k: _json(v) for k, v in children[sid].items()}
            out[name, i] = (row, actions.get(sid, []), findings.get(sid, []), columns)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_batch_engine_gives_the_worked_result(name: str) -> None:
    results = batch_results()
    errors: list[str] = []
    for i, check in enumerate(load(name)["checks"]):
        row, actions, findings, action_columns = results[name, i]
        errors += compare(
            f"{name} on {check['as_of']} (batch)",
            check,
            row,
            actions,
            findings,
            known=set(row),
            action_known=action_columns,
        )
    assert not errors, "\n".join(errors)


# -- coverage ---------------------------------------------------------------------------------


def test_every_rule_has_a_worked_example() -> None:
    covered = {rule for name in NAMES for rule in rules_of(load(name))}
    missing = sorted(set(RULES) - covered)
    assert not missing, f"rules without a worked example in tests/worked/: {missing}"
    # and, for each rule, some example naming it shows it firing (an example may also show a
    # rule not applying, as child-labour-at-16 does)
    fired = {
        rule
        for name in NAMES
        for a in assessments(name)
        for rule in rules_of(load(name))
        if a.fired(rule)
    }
    assert not set(RULES) - fired, f"never fired where named: {sorted(set(RULES) - fired)}"
