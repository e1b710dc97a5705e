"""County level (PRODUCT.md §6): the ledger on a hand-built county, rates, the duty calendar,
CSV input and the CLI."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from kongchuo_rules import (
    ActionKind,
    LedgerCategory,
    PresenceRecord,
    Rate,
    default_policy,
    duties,
    enrollment_rate,
    reconcile,
    retention_rate,
)
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.case import national_id_check_char
from kongchuo_rules.cli import main
from kongchuo_rules.county import retention_rate_from_snapshots, townships_missing_targets
from kongchuo_rules.county._csv import RosterError, read_csv_records
from kongchuo_rules.county.records import HouseholdRecord, RegistryRecord
from kongchuo_rules.testing import rosters
from kongchuo_rules.vocabulary import DutyKind

from .test_assess import A, case, run

C = LedgerCategory
AS_OF = date(2026, 9, 30)  # school year 2026: school age = 6..14 on 2026-08-31


def nid(birth: str, seq: int) -> str:
    body = f"230321{birth.replace('-', '')}{seq:03d}"
    return body + national_id_check_char(body)


def hh(birth: str, seq: int, town: str = "鸡东镇", **kw: Any) -> dict[str, Any]:
    return {"national_id": nid(birth, seq), "birth_date": birth, "township": town, **kw}


def reg(
    birth: str, seq: int, school: str, status: str = "enrolled", grade: int = 5
) -> dict[str, Any]:
    return {
        "national_id": nid(birth, seq),
        "student_id": f"R{seq}",
        "school_id": school,
        "grade": grade,
        "status": status,
    }


B = "2015-03-01"  # a school-age birth date; each child differs by its sequence number
# S1 supplies a presence roster, S2 does not.
HOUSEHOLD = [
    hh(B, 1),
    hh(B, 2),
    hh(B, 3, "永安镇"),
    hh(B, 4, "永安镇"),
    hh(B, 5),
    hh(B, 6, "哈达镇"),
    hh(B, 7, "哈达镇"),
    hh(B, 8),
    hh(B, 9),
    hh(B, 10),
    hh(B, 11),
    hh(B, 12),
    hh(B, 13, "永安镇"),
    hh(B, 15),
    hh(B, 16),
    hh(B, 17),
    hh("2021-01-01", 18),
    hh("2010-01-01", 19),
    hh(B, 21),
    hh(B, 22),
    hh(B, 22),
    hh(B, 24),
    hh(B, 25),
    hh(B, 26),
    # birth date 03-02 recorded against an id of 03-01
    {"national_id": nid(B, 23), "birth_date": "2015-03-02", "township": "鸡东镇", "name": "王五"},
]
REGISTRY = [
    reg(B, 1, "S1"),
    reg(B, 2, "S2"),
    reg(B, 3, "S2", "suspected_dropout"),
    reg(B, 4, "S1"),
    reg(B, 5, "S2", "dropout"),
    reg(B, 9, "S2", "transferred_out"),
    reg(B, 14, "S2"),
    reg("2011-06-01", 20, "S2", grade=9),
    reg(B, 21, "S2"),
    reg(B, 22, "S1"),
    reg(B, 23, "S1"),
    reg(B, 24, "S1"),
    reg(B, 24, "S2"),
    reg(B, 26, "S2", "suspended"),
]
PRESENCE = [
    {"national_id": nid(B, 1), "school_id": "S1"},
    {"national_id": nid(B, 7), "school_id": "S1"},
    {"national_id": nid(B, 22), "school_id": "S1"},
    {"national_id": nid(B, 23), "school_id": "S1"},
    {"national_id": nid(B, 24), "school_id": "S1"},
]
DISABLED = [
    {"national_id": nid(B, 10), "birth_date": B},
    {"national_id": nid("2016-01-01", 27), "birth_date": "2016-01-01"},
]
DECISIONS = [
    {"national_id": nid(B, 10), "kind": "exempt"},
    {"national_id": nid(B, 11), "kind": "deferred", "until": "2027-09-01"},
    {"national_id": nid(B, 12), "kind": "deferred", "until": "2026-09-01"},
]
ELSEWHERE = [{"national_id": nid(B, 8), "place": "哈尔滨市"}]
SURVEYS = [
    {"national_id": nid(B, 6), "finding": "not_in_school"},
    {"national_id": nid(B, 15), "finding": "moved_out"},
    {"national_id": nid(B, 16), "finding": "deceased"},
    {"national_id": nid(B, 17), "finding": "not_found"},
    {"national_id": nid(B, 21), "finding": "not_in_school"},
]

# child -> (category, follow-up kind or None)
EXPECTED: dict[str, tuple[LedgerCategory, ActionKind | None]] = {
    nid(B, 1): (C.IN_SCHOOL, None),  # registered at S1 and on its roster
    nid(B, 2): (C.IN_SCHOOL, None),  # registered at S2, which supplied no roster
    nid(B, 3): (C.SUSPECTED_DROPOUT, ActionKind.HOME_VISIT),  # the registry says so
    nid(B, 4): (C.SUSPECTED_DROPOUT, ActionKind.CHECK_PRESENCE),  # 在籍不在校 at S1
    nid(B, 5): (C.DROPOUT, ActionKind.PERSUADE),
    nid(B, 6): (C.OUT_OF_SCHOOL, ActionKind.ENROLLMENT_MOBILIZATION),  # survey: not in school
    nid(B, 7): (C.UNREGISTERED_IN_COUNTY, ActionKind.REGISTER_STUDENT),  # at S1, no 学籍
    nid(B, 8): (C.STUDYING_ELSEWHERE, None),  # verified elsewhere
    nid(B, 9): (C.STUDYING_ELSEWHERE, None),  # registry: transferred out
    nid(B, 10): (C.EXEMPT, None),
    nid(B, 11): (C.DEFERRED, None),
    nid(B, 12): (C.TO_VERIFY, ActionKind.HOUSEHOLD_SURVEY),  # deferral ended on 09-01
    nid(B, 13): (C.TO_VERIFY, ActionKind.HOUSEHOLD_SURVEY),  # household record only
    nid(B, 14): (C.NON_LOCAL_IN_SCHOOL, None),  # registered, household elsewhere
    nid(B, 15): (C.HOUSEHOLD_RECORD_ISSUE, ActionKind.CORRECT_HOUSEHOLD_RECORD),
    nid(B, 16): (C.HOUSEHOLD_RECORD_ISSUE, ActionKind.CORRECT_HOUSEHOLD_RECORD),
    nid(B, 17): (C.HOUSEHOLD_RECORD_ISSUE, ActionKind.CORRECT_HOUSEHOLD_RECORD),
    nid("2021-01-01", 18): (C.NOT_SCHOOL_AGE, None),  # five on 2026-08-31
    nid("2010-01-01", 19): (C.NOT_SCHOOL_AGE, None),  # sixteen, not registered
    nid("2011-06-01", 20): (C.NON_LOCAL_IN_SCHOOL, None),  # 15 in grade 9: registered anyway
    nid(B, 21): (C.IN_SCHOOL, None),  # registered; the survey disagrees -> finding
    nid(B, 22): (C.IN_SCHOOL, None),  # two household records -> finding
    nid(B, 23): (C.IN_SCHOOL, None),  # birth dates disagree -> finding
    nid(B, 24): (C.IN_SCHOOL, None),  # registered at S1 and S2 -> finding
    nid(B, 25): (C.TO_VERIFY, ActionKind.HOUSEHOLD_SURVEY),
    nid(B, 26): (C.DEFERRED, None),  # registry: suspended (休学)
    nid("2016-01-01", 27): (C.TO_VERIFY, ActionKind.HOUSEHOLD_SURVEY),  # 残联 list only
}


def county(**extra: Any) -> Any:
    return reconcile(
        as_of=AS_OF,
        household=HOUSEHOLD,
        registry=REGISTRY,
        presence=PRESENCE,
        disabled=DISABLED,
        decisions=DECISIONS,
        elsewhere=ELSEWHERE,
        surveys=SURVEYS,
        **extra,
    )


def test_the_hand_built_county() -> None:
    ledger = county()
    got = {
        e.national_id: (e.category, e.follow_up.kind if e.follow_up else None)
        for e in ledger.entries
    }
    assert got == EXPECTED
    assert sum(ledger.totals.values()) == len(EXPECTED) == 27
    assert set(ledger.totals) == {c.value for c in LedgerCategory}
    assert {c for c, n in ledger.totals.items() if n == 0} == set()
    assert ledger.totals == {
        "in_school": 6,
        "out_of_school": 1,
        "suspected_dropout": 2,
        "dropout": 1,
        "unregistered_in_county": 1,
        "studying_elsewhere": 2,
        "exempt": 1,
        "deferred": 2,
        "to_verify": 4,
        "non_local_in_school": 2,
        "household_record_issue": 3,
        "not_school_age": 2,
    }
    assert ledger.entry(nid(B, 4)).sources == ("household", "registry:enrolled", "presence:absent")
    assert ledger.entry(nid(B, 3)).township == "永安镇"
    assert ledger.entry(nid(B, 7)).school_id == "S1"
    assert ledger.by_township["哈达镇"]["out_of_school"] == 1
    assert ledger.by_school["S1"]["suspected_dropout"] == 1
    assert ledger.entry(nid("2011-06-01", 20)).school_age is False


def test_the_hand_built_county_findings() -> None:
    findings = {(f.code, f.national_id) for f in county().findings}
    assert findings == {
        (FindingCode.SURVEY_CONFLICT, nid(B, 21)),
        (FindingCode.DUPLICATE_RECORD, nid(B, 22)),
        (FindingCode.CONFLICTING_BIRTH_DATE, nid(B, 23)),
        (FindingCode.MULTIPLE_SCHOOLS, nid(B, 24)),
    }
    for finding in county().findings:
        assert finding.national_id not in finding.message
        assert "王五" not in finding.message


def test_an_assessment_wins_over_the_registry() -> None:
    dropout = run(
        case(A("2026-03-02"), {"type": "persuasion", "date": "2026-04-10", "outcome": "refused"}),
        "2026-05-20",
    )
    ledger = county(assessments={nid(B, 2): dropout})
    entry = ledger.entry(nid(B, 2))
    assert entry.category is C.DROPOUT
    assert "assessment:dropout" in entry.sources


def test_enrollment_rate_of_the_hand_built_county() -> None:
    ledger = county()
    # counted (school age, local): in school 6 - (none aged out) ... see docs/ledger.md
    # enrolled: in_school 6, unregistered 1, elsewhere 2, suspected 2 = 11
    # not enrolled: dropout 1, out of school 1, to verify 4 = 6
    rate = enrollment_rate(ledger)
    assert (rate.numerator, rate.denominator) == (11, 17)
    by_town = enrollment_rate(ledger, "township")
    assert by_town["哈达镇"] == Rate.of(1, 2)  # 7 unregistered at S1; 6 out of school
    assert by_town["永安镇"] == Rate.of(2, 3)  # 3, 4 suspected; 13 to verify
    missing = townships_missing_targets(ledger)
    assert set(missing) == {"鸡东镇", "永安镇", "哈达镇", "(unknown)"}
    counting_all = default_policy().with_changes(
        {
            "rates.exclude_exempt": False,
            "rates.exclude_deferred": False,
            "rates.count_non_local": True,
            "rates.suspected_dropout_enrolled": False,
        }
    )
    wide = enrollment_rate(ledger, policy=counting_all)
    # + exempt 1, deferred 2 (not enrolled), + non-local 1 of school age (enrolled),
    # suspected 2 move to not enrolled
    assert (wide.numerator, wide.denominator) == (10, 21)


def test_retention_rate_from_counts_and_parameters() -> None:
    assert retention_rate(
        graduates=96, grade1_enrolment=100, transfers_in=2, transfers_out=5, deaths=1
    ) == Rate.of(96, 96)
    plain = default_policy().with_changes(
        {"rates.retention_adjust_transfers": False, "rates.retention_adjust_deaths": False}
    )
    assert retention_rate(
        graduates=96, grade1_enrolment=100, transfers_in=2, transfers_out=5, deaths=1, policy=plain
    ) == Rate.of(96, 100)


def test_retention_rate_from_two_snapshots() -> None:
    first = [reg("2011-03-01", i, "S1", grade=1) for i in range(1, 6)]
    for r, town in zip(first, ["鸡东镇", "鸡东镇", "永安镇", "永安镇", "永安镇"], strict=True):
        r["township"] = town
    last = [
        reg("2011-03-01", 1, "S1", grade=9) | {"township": "鸡东镇"},
        reg("2011-03-01", 2, "S1", "transferred_out", grade=7) | {"township": "鸡东镇"},
        reg("2011-03-01", 3, "S1", grade=9) | {"township": "永安镇"},
        reg("2011-03-01", 4, "S1", "dropout", grade=8) | {"township": "永安镇"},
        reg("2011-03-01", 9, "S1", grade=9) | {"township": "永安镇"},  # transferred in
    ]
    county_rate = retention_rate_from_snapshots(first, last, deceased=[nid("2011-03-01", 5)])
    # cohort 5 + 1 in - 1 out - 1 dead = 4; retained 1, 3, 9 = 3
    assert county_rate == Rate.of(3, 4)
    towns = retention_rate_from_snapshots(
        first, last, deceased=[nid("2011-03-01", 5)], by="township"
    )
    assert towns == {"永安镇": Rate.of(2, 3), "鸡东镇": Rate.of(1, 1)}


@given(rosters())
def test_conservation_every_child_once(inputs: dict[str, list[Any]]) -> None:
    ledger = reconcile(as_of=AS_OF, **inputs)
    people = {r.national_id for roster in inputs.values() for r in roster}
    ids = [e.national_id for e in ledger.entries]
    assert sorted(ids) == sorted(people)
    assert len(ids) == len(set(ids))
    assert sum(ledger.totals.values()) == len(people)
    for table in (ledger.by_township, ledger.by_school):
        assert sum(sum(row.values()) for row in table.values()) == len(people)


@given(rosters(), st_random := __import__("hypothesis").strategies.randoms(use_true_random=False))
def test_the_ledger_does_not_depend_on_input_order(
    inputs: dict[str, list[Any]], rnd: random.Random
) -> None:
    shuffled = {k: rnd.sample(v, len(v)) for k, v in inputs.items()}
    assert reconcile(as_of=AS_OF, **inputs) == reconcile(as_of=AS_OF, **shuffled)


WORSE = {C.DROPOUT: 3, C.OUT_OF_SCHOOL: 2, C.TO_VERIFY: 2, C.SUSPECTED_DROPOUT: 1}


@given(rosters(), __import__("hypothesis").strategies.data())
def test_adding_a_presence_record_never_makes_that_child_worse_off(
    inputs: dict[str, list[Any]], data: Any
) -> None:
    people = sorted({r.national_id for roster in inputs.values() for r in roster})
    if not people:
        return
    child = data.draw(__import__("hypothesis").strategies.sampled_from(people))
    registered_at = [r.school_id for r in inputs["registry"] if r.national_id == child]
    school = registered_at[0] if registered_at else "S1"
    before = reconcile(as_of=AS_OF, **inputs).entry(child)
    more = dict(
        inputs, presence=[*inputs["presence"], PresenceRecord(national_id=child, school_id=school)]
    )
    after = reconcile(as_of=AS_OF, **more).entry(child)
    assert WORSE.get(after.category, 0) <= WORSE.get(before.category, 0)


@given(rosters())
def test_rates_are_fractions_and_one_only_when_nobody_counted_is_out(
    inputs: dict[str, list[Any]],
) -> None:
    ledger = reconcile(as_of=AS_OF, **inputs)
    rate = enrollment_rate(ledger)
    assert 0 <= rate.value <= 1
    assert rate.numerator <= rate.denominator
    not_enrolled = [
        e
        for e in ledger.entries
        if e.school_age and e.category in (C.DROPOUT, C.OUT_OF_SCHOOL, C.TO_VERIFY)
    ]
    assert (rate.value == 1) == (not not_enrolled)
    for town_rate in enrollment_rate(ledger, "township").values():
        assert 0 <= town_rate.value <= 1


# -- duty calendar ------------------------------------------------------------------------------


def test_duties_of_a_year() -> None:
    year = duties(date(2026, 1, 1), date(2026, 12, 31))
    quarterly = [d.due for d in year if d.kind is DutyKind.QUARTERLY_REVIEW]
    assert quarterly == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    ]
    first_quarter = next(d for d in year if d.kind is DutyKind.QUARTERLY_REVIEW)
    assert first_quarter.window_start == date(2026, 1, 1)
    august = {d.kind: d for d in year if d.due == date(2026, 8, 31)}
    assert set(august) == {
        DutyKind.HOUSEHOLD_DATA,
        DutyKind.DISABLED_CHILDREN_LIST,
        DutyKind.HOUSEHOLD_SURVEY,
        DutyKind.LEDGER,
        DutyKind.DEPLOYMENT,
    }
    assert august[DutyKind.DEPLOYMENT].window_start == date(2026, 7, 1)
    assert august[DutyKind.HOUSEHOLD_DATA].window_start == date(2026, 8, 1)
    surveys = [(d.window_start, d.due) for d in year if d.kind is DutyKind.TERM_SURVEY]
    assert surveys == [(date(2025, 9, 1), date(2026, 1, 15)), (date(2026, 3, 1), date(2026, 7, 10))]
    assert [d.due for d in year] == sorted(d.due for d in year)
    assert all(d.citations for d in year)


def test_duties_month_ends_and_inclusive_bounds() -> None:
    # a quarter ending in a short month is never dropped; both ends are inclusive
    assert [d.kind for d in duties(date(2026, 6, 30), date(2026, 6, 30))] == [
        DutyKind.QUARTERLY_REVIEW
    ]
    assert duties(date(2026, 10, 1), date(2026, 12, 30)) == ()
    assert [d.kind for d in duties(date(2026, 7, 1), date(2026, 7, 31))] == [DutyKind.TERM_SURVEY]
    leap = duties(date(2028, 1, 1), date(2028, 12, 31))
    assert len([d for d in leap if d.kind is DutyKind.QUARTERLY_REVIEW]) == 4
    assert len(duties(date(2026, 1, 1), date(2030, 12, 31))) == 5 * 12


# -- CSV and the CLI ----------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "county"


def test_csv_round_trip() -> None:
    ledger = county()
    text = ledger.to_csv()
    lines = text.splitlines()
    assert lines[0].startswith("national_id,category,")
    assert len(lines) == 1 + len(ledger.entries)
    assert "王五" not in text
    assert "王五" in ledger.to_csv(include_names=True)
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["national_id"].strip(), r["category"]) for r in rows] == [
        (e.national_id, e.category.value) for e in ledger.entries
    ]


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "household.csv"
    path.write_bytes(f"身份证号,出生日期,乡镇,姓名\n{nid(B, 1)},{B},鸡东镇,张三\n".encode("gbk"))
    records = read_csv_records(path, HouseholdRecord)
    assert records == [
        HouseholdRecord(
            national_id=nid(B, 1), birth_date=date(2015, 3, 1), township="鸡东镇", name="张三"
        )
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "national_id,student_id,school_id,grade\n{id},R1,S1,5\n{id},R2,S1,12\n",
            "registry.csv, line 3, column 4 (grade): must be at most 9",
        ),
        (
            "national_id,student_id,school_id,grade\n230321201503010018,R1,S1,5\n",
            "line 2, column 1 (national_id): not a valid 18-character national id (checksum",
        ),
        ("national_id,school,grade\n", "unknown column name(s) in column 2 (school_id?)"),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "registry.csv"
    path.write_text(content.format(id=nid(B, 1)), encoding="utf-8")
    with pytest.raises(RosterError) as info:
        read_csv_records(path, RegistryRecord)
    assert expected in str(info.value)
    assert "230321201503010018" not in str(info.value)


def test_ledger_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_csv = tmp_path / "ledger.csv"
    assert (
        main(
            [
                "ledger",
                "--household",
                str(EXAMPLES / "household.csv"),
                "--registry",
                str(EXAMPLES / "registry.csv"),
                "--presence",
                str(EXAMPLES / "presence.csv"),
                "--surveys",
                str(EXAMPLES / "surveys.csv"),
                "--as-of",
                "2026-09-30",
                "--lang",
                "en",
                "--csv",
                str(out_csv),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Enrolment rate:" in out
    assert "in school (in_school):" in out
    assert out_csv.read_text(encoding="utf-8-sig").startswith("national_id,category")


def test_ledger_command_bad_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "household.csv"
    bad.write_text(
        "national_id,birth_date,township\nnot-an-id,2015-01-01,鸡东镇\n", encoding="utf-8"
    )
    assert main(["ledger", "--household", str(bad), "--as-of", "2026-09-30"]) == 2
    err = capsys.readouterr().err
    assert "household.csv, line 2, column 1 (national_id)" in err
    assert "not-an-id" not in err


def test_duties_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duties", "--from", "2026-08-01", "--to", "2026-08-31", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.count("2026-08-31") == 5
    assert "ledger" in out


def test_ledger_json_carries_no_names() -> None:
    ledger = county()
    text = ledger.model_dump_json()
    assert "王五" not in text
    assert "王五" not in repr(ledger)
    assert nid(B, 23) in text  # the national id is the ledger's key
