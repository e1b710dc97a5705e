"""Fuzzing in CI (issue 13): over the published JSON Schema and over mutated valid cases,
rosters (as data, CSV files and Excel workbooks) and policy changes, every input gives a result
or a ``ValueError`` within a time bound, and no marker planted in a personal field appears in
any output, error, warning or log. The CI profile keeps each property small; ``scripts/fuzz.py``
runs the same targets long (figures in docs/testing.md)."""

from __future__ import annotations

import datetime as dt
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kongchuo_rules import Case, assess, reconcile
from kongchuo_rules.case import national_id_check_char
from kongchuo_rules.testing import cases, rosters

from . import _fuzz
from ._fuzz import (
    AS_OF_DAYS,
    HOSTILE_VALUES,
    MARK_ID,
    MARK_NAME,
    MARK_TEXT,
    check_case,
    check_policy,
    check_roster_file,
    check_rosters,
    csv_text,
    from_schema,
    mutated,
    plant,
    policy_changes,
)
from ._xlsx import workbook

CASE_SCHEMA = Case.model_json_schema()


@given(from_schema(CASE_SCHEMA).map(plant), AS_OF_DAYS)
def test_schema_generated_cases(data: dict[str, Any], as_of: dt.date) -> None:
    check_case(data, as_of)


@given(cases(), st.data(), AS_OF_DAYS)
def test_mutated_valid_cases(case: Case, data: st.DataObject, as_of: dt.date) -> None:
    base = plant(case.model_dump(mode="json"))
    check_case(base, as_of)  # the valid case, with markers in every personal field
    check_case(data.draw(mutated(base)), as_of)


def _roster_dicts(inputs: dict[str, list[Any]]) -> dict[str, list[dict[str, Any]]]:
    out = {k: [r.model_dump(mode="json") for r in v] for k, v in inputs.items()}
    for record in out["household"]:
        record["name"] = MARK_NAME
    for record in out["elsewhere"]:
        record["place"] = MARK_TEXT
    return out


@given(rosters(max_children=12), st.data())
def test_mutated_rosters(inputs: dict[str, list[Any]], data: st.DataObject) -> None:
    base = _roster_dicts(inputs)
    check_rosters(base, dt.date(2026, 9, 30))
    check_rosters(data.draw(mutated(base, keep_root=True)), dt.date(2026, 9, 30))


OTHER_ID = "23032120130503061" + national_id_check_char("23032120130503061")
CSV_BASE = {
    "household": [
        ["national_id", "birth_date", "township", "name"],
        [MARK_ID, "2013-05-03", "鸡东镇", MARK_NAME],
        [OTHER_ID, "2013-05-03", "永安镇", MARK_NAME],
    ],
    "presence": [["身份证号", "学校"], [MARK_ID, "JD-001"], [OTHER_ID, "JD-002"]],
}
hostile_cells = st.one_of(
    st.sampled_from([v for v in HOSTILE_VALUES if isinstance(v, str)]),
    st.text(max_size=20),
    st.just(MARK_NAME + "," + MARK_TEXT),
)


@st.composite
def roster_tables(draw: st.DrawFn, kind: str = "household") -> list[list[Any]]:
    rows = [list(r) for r in CSV_BASE[kind]]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        action = draw(st.sampled_from(["cell", "cell", "drop", "add", "header", "row"]))
        if action == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(hostile_cells)
        elif action == "drop" and rows[r]:
            rows[r].pop()
        elif action == "add":
            rows[r].append(draw(hostile_cells))
        elif action == "header":
            rows[0] = draw(st.sampled_from([rows[1], ["national_id", "身份证号", "birth_date"]]))
        else:
            rows.insert(r, [draw(hostile_cells) for _ in range(4)])
    return rows


@given(st.sampled_from(["household", "presence"]), st.data())
def test_hostile_roster_csv_files(kind: str, data: st.DataObject) -> None:
    rows = data.draw(roster_tables(kind))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        check_roster_file(path, kind)


@given(roster_tables(), st.lists(st.sampled_from([2.3e17, 5.0, True, None, -1]), max_size=3))
def test_hostile_roster_workbooks(rows: list[list[Any]], typed: list[Any]) -> None:
    cells: list[list[Any]] = [list(r) for r in rows]
    for i, value in enumerate(typed):
        if len(cells) > 1 and cells[-1]:
            cells[-1][i % len(cells[-1])] = value
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        path.write_bytes(workbook(cells))
        check_roster_file(path, "household")


@given(policy_changes())
def test_policy_changes(changes: Any) -> None:
    check_policy(changes)


def test_the_fuzz_targets_reach_every_outcome() -> None:
    """The checks above saw accepted and rejected inputs in every area (not a vacuous run)."""
    for area in ("case", "roster", "roster file", "policy"):
        assert _fuzz.STATS[f"{area}:ok"] > 0, area
        assert _fuzz.STATS[f"{area}:rejected"] > 0, area


@settings(max_examples=3)
@given(st.lists(cases(), min_size=12, max_size=12), rosters())
def test_threads_give_identical_results(examples: list[Case], roster: dict[str, list[Any]]) -> None:
    """Eight threads assessing and reconciling the same inputs give byte-identical output."""
    days = [dt.date(2026, 12, 15), dt.date(2027, 3, 20)]
    work = [(c, d) for c in examples for d in days]

    def one(item: tuple[Case, dt.date]) -> str:
        return assess(item[0], as_of=item[1]).model_dump_json()

    def ledger(_: int) -> str:
        return reconcile(as_of=dt.date(2026, 9, 30), **roster).model_dump_json()

    expected = [one(item) for item in work]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            assert list(pool.map(one, work)) == expected
        assert set(pool.map(ledger, range(16))) == {ledger(0)}
    _fuzz.STATS["threads:ok"] += len(work) * 2 + 16
