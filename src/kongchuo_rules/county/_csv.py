"""Reading county rosters from CSV or Excel files, as other agencies' spreadsheets give them.

- **CSV**: UTF-8 (with or without BOM) or GBK/GB18030, as Excel in a Chinese locale writes them.
- **Excel** (.xlsx/.xlsm, the first sheet): with the ``excel`` extra (python-calamine). The file is
  checked before it is parsed: at most :data:`MAX_WORKBOOK_BYTES` unpacked, no XML DTD (no
  entity expansion), a used area of at most :data:`MAX_WORKBOOK_CELLS` cells.

The first non-blank row is the header: English or Chinese column names (:data:`ALIASES`), each
column once. Blank rows are skipped. Every error is a :class:`RosterError` (a ``ValueError``)
naming the file, the line (row) and the column — by position and by our field name, never by a
cell's value: a header row that is really data, a row with more or fewer cells than the header, a
cell longer than :data:`MAX_CELL_CHARS`, a national id stored as a number …
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from kongchuo_rules._base import FrozenModel
from kongchuo_rules._privacy import ascii_forms, contains_national_id
from kongchuo_rules.errors import KongchuoError, error_pairs

__all__ = [
    "ALIASES",
    "MAX_CELL_CHARS",
    "MAX_WORKBOOK_BYTES",
    "MAX_WORKBOOK_CELLS",
    "RosterError",
    "read_csv_records",
    "read_records",
    "read_text",
    "read_xlsx_records",
]

R = TypeVar("R", bound=FrozenModel)

# Chinese column names a county spreadsheet may use.
ALIASES: Mapping[str, str] = {
    "身份证号": "national_id",
    "身份证号码": "national_id",
    "公民身份号码": "national_id",
    "出生日期": "birth_date",
    "乡镇": "township",
    "乡（镇）": "township",
    "姓名": "name",
    "学籍号": "student_id",
    "学校": "school_id",
    "学校代码": "school_id",
    "年级": "grade",
    "学籍状态": "status",
    "持证": "certified",
    "类型": "kind",
    "截止日期": "until",
    "就读地": "place",
    "调查结果": "finding",
}

MAX_CELL_CHARS = 32_767
"""The longest cell read: Excel's own limit for a cell. No roster field is longer than 200
characters; a longer cell is an error (Python's CSV reader alone would crash at 131,072)."""
MAX_WORKBOOK_BYTES = 256 * 2**20
"""The most an Excel file may unpack to (256 MiB): a county roster of 100,000 children is about
20 MiB unpacked; a "zip bomb" that unpacks to gigabytes is refused before it is parsed."""
MAX_WORKBOOK_CELLS = 5_000_000
"""The largest used area (rows × columns) of a worksheet: 100,000 children × 50 columns. The
Excel reader allocates the whole area, so a sheet with one cell in A1 and one in XFD1048576
(17 billion cells) is refused before it is read. Larger rosters: use CSV."""
_MAX_ZIP_MEMBERS = 10_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


class RosterError(KongchuoError):
    """A roster file cannot be read; the message names the file, line and column."""


def read_text(path: str | Path) -> str:
    """The text of ``path``: UTF-8 (BOM allowed), else GB18030 (a superset of GBK)."""
    return _decode(Path(path).read_bytes(), Path(path).name)


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError(f"{name}: neither UTF-8 nor GBK/GB18030 text")


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise RosterError(f"{Path(path).name}: cannot read ({exc.strerror or exc})") from None


def read_records(path: str | Path, model: type[R], *, sheet: str | None = None) -> list[R]:
    """Every row of the roster file ``path`` (CSV, or an Excel workbook by its content or its
    .xlsx/.xlsm name) as a ``model`` record; ``sheet`` names the worksheet (default: the first).
    """
    raw = _read_bytes(path)
    name = Path(path).name
    if raw.startswith(_ZIP_MAGIC) or Path(path).suffix.lower() in _EXCEL_SUFFIXES:
        return _records(name, _xlsx_rows(raw, name, sheet), model, excel=True)
    if raw.startswith(_OLE_MAGIC):
        raise RosterError(
            f"{name}: an old Excel (.xls) or password-protected workbook: save it as .xlsx "
            "without a password, or as CSV"
        )
    return _records(name, _csv_rows(_decode(raw, name), name), model, excel=False)


def read_csv_records(path: str | Path, model: type[R]) -> list[R]:
    """Every row of the roster file ``path`` as a ``model`` record (:func:`read_records`: an
    Excel workbook given where a CSV file was expected is read as a workbook)."""
    return read_records(path, model)


def read_xlsx_records(path: str | Path, model: type[R], *, sheet: str | None = None) -> list[R]:
    """Every row of the Excel workbook ``path`` (first sheet, or ``sheet``) as a ``model``
    record. Needs the ``excel`` extra."""
    name = Path(path).name
    return _records(name, _xlsx_rows(_read_bytes(path), name, sheet), model, excel=True)


# -- the rows of a CSV file ---------------------------------------------------------------------


def _csv_rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the reader's messages name limits and characters, never the cell
            problem = str(exc)
            if "field larger than field limit" in problem:
                problem = f"a cell longer than {MAX_CELL_CHARS:,} characters"
            elif "NUL" in problem:
                problem = "a NUL character (is this a binary file?)"
            else:
                problem = "malformed CSV (an unbalanced quote?)"
            raise RosterError(f"{name}, line {reader.line_num}: {problem}") from None
        yield line, row
        line = reader.line_num + 1


# -- the rows of an Excel workbook -------------------------------------------------------------

_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\sr\s*=\s*["\']([A-Z]*)([0-9]+)["\']')
_DOCTYPES = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError)


def _unpack(raw: bytes, name: str) -> dict[str, bytes]:
    """Every member of the workbook, unpacked within the limits; no DTD anywhere."""
    damaged = f"{name}: not a readable .xlsx workbook (a damaged or encrypted zip file?)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (*_ZIP_ERRORS, ValueError):
        raise RosterError(damaged) from None
    if len(members) > _MAX_ZIP_MEMBERS:
        raise RosterError(f"{name}: not a plausible workbook ({len(members)} parts)")
    budget = MAX_WORKBOOK_BYTES
    parts: dict[str, bytes] = {}
    for info in members:
        try:
            data = _read_member(archive, info, budget)
        except (*_ZIP_ERRORS, ValueError, RuntimeError):
            raise RosterError(damaged) from None
        if data is None:
            raise RosterError(
                f"{name}: the workbook unpacks to more than {MAX_WORKBOOK_BYTES // 2**20} MiB; "
                "save the roster as CSV"
            )
        budget -= len(data)
        if any(doctype in data for doctype in _DOCTYPES):
            raise RosterError(f"{name}: the workbook holds an XML DTD; it is not read")
        parts[info.filename] = data
    return parts


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes | None:
    """The unpacked member, or ``None`` once it passes ``budget`` bytes (whatever its header
    claims: the bytes are counted as they come)."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(2**20):
            size += len(chunk)
            if size > budget:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _column_number(letters: bytes) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + letter - 64
    return n


def _check_area(parts: Mapping[str, bytes], name: str) -> None:
    """Refuse a worksheet whose used area (as the reader will allocate it) is too large."""
    for part, data in parts.items():
        if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
            continue
        rows = cols = row = col = 0
        for match in _CELL_OR_ROW.finditer(data):
            ref = _REF.search(match.group(2))
            if match.group(1) == b"row":
                row = int(ref.group(2)) if ref else row + 1
                col = 0
            else:
                if ref and ref.group(1):
                    row = max(row, int(ref.group(2)))
                    col = _column_number(ref.group(1))
                else:
                    col += 1
            rows, cols = max(rows, row), max(cols, col)
            if rows * cols > MAX_WORKBOOK_CELLS:
                raise RosterError(
                    f"{name}: a worksheet uses more than {MAX_WORKBOOK_CELLS:,} cells "
                    f"(up to row {rows}, column {_letters(cols - 1)}); save the roster as CSV"
                )


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xlsx_rows(raw: bytes, name: str, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    try:
        import python_calamine
    except ImportError:
        raise RosterError(
            f"{name}: reading Excel files needs the 'excel' extra "
            "(pip install 'kongchuo-rules[excel]'), or save the roster as CSV"
        ) from None
    parts = _unpack(raw, name)
    _check_area(parts, name)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        if sheet is None:
            if not book.sheet_names:
                raise RosterError(f"{name}: the workbook has no worksheet")
            table = book.get_sheet_by_index(0)
        elif sheet in book.sheet_names:
            table = book.get_sheet_by_name(sheet)
        else:
            raise RosterError(f"{name}: no worksheet of that name")
        rows = table.to_python(skip_empty_area=False)
    except RosterError:
        raise
    except Exception as exc:  # the reader's errors may quote the file's content
        raise RosterError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    for i, row in enumerate(rows, 1):
        yield i, list(row)


# -- rows to records ----------------------------------------------------------------------------


class _Place:
    """How errors name places: ``line 3, column 2`` in a CSV file, ``row 3, column B`` in Excel."""

    def __init__(self, name: str, excel: bool) -> None:
        self.name = name
        self.excel = excel

    def row(self, n: int) -> str:
        return f"{self.name}, {'row' if self.excel else 'line'} {n}"

    def column(self, index: int) -> str:
        return f"column {_letters(index) if self.excel else index + 1}"


def _text(value: Any, field: str | None, where: _Place, line: int, index: int) -> str:
    """A cell as the text a CSV file would hold; refuses what Excel has already spoiled."""
    at = f"{where.row(line)}, {where.column(index)}" + (f" ({field})" if field else "")
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        exact = isinstance(value, int) or value.is_integer()
        if field == "national_id" or (field == "student_id" and not (exact and abs(value) < 1e15)):
            raise RosterError(
                f"{at}: a number, not text — Excel keeps only 15 digits of a number; "
                "format the column as text (文本) and enter the ids again"
            )
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            text = str(int(value))
        else:
            text = repr(value)
    elif isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise RosterError(f"{at}: a date and time, where a date is expected")
        text = value.date().isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        raise RosterError(
            f"{at}: a value of a kind a roster does not hold ({type(value).__name__})"
        )
    if len(text) > MAX_CELL_CHARS:
        raise RosterError(f"{at}: a cell longer than {MAX_CELL_CHARS:,} characters")
    if _CONTROL.search(text):
        raise RosterError(f"{at}: a control character such as NUL (is this a binary file?)")
    return text.strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _column_key(header: str) -> str:
    key = ascii_forms(header).strip()
    key = ALIASES.get(key, key)
    return key.lower() if key.isascii() else key


def _looks_like_data(cells: Iterable[str]) -> bool:
    return any(
        contains_national_id(cell) or re.fullmatch(r"[0-9０-９][0-9０-９\-/.年月日 ]*", cell)
        for cell in cells
    )


def _records(
    name: str, rows: Iterator[tuple[int, list[Any]]], model: type[R], *, excel: bool
) -> list[R]:
    where = _Place(name, excel)
    fields = list(model.model_fields)
    header: list[str | None] | None = None
    header_line = 0
    records: list[R] = []
    for line, cells in rows:
        if header is None:
            texts = [_text(c, None, where, line, i) for i, c in enumerate(cells)]
            if not any(texts):
                continue
            header, header_line = _header(texts, fields, model, where, line), line
            continue
        values = [
            _text(c, header[i] if i < len(header) else None, where, line, i)
            for i, c in enumerate(cells)
        ]
        if not any(values):
            continue
        data: dict[str, Any] = {}
        for i, value in enumerate(values):
            field = header[i] if i < len(header) else None
            if field is not None:
                if value:
                    data[field] = value
            elif value and i >= len(header):
                raise RosterError(
                    f"{where.row(line)}: {len(values)} cells where the header (line "
                    f"{header_line}) has {len(header)} — a comma inside a cell must be quoted"
                )
            elif value:
                raise RosterError(
                    f"{where.row(line)}, {where.column(i)}: a value in a column without a name "
                    "in the header"
                )
        if len(values) < len(header) and not excel:
            raise RosterError(
                f"{where.row(line)}: {len(values)} cells where the header (line {header_line}) "
                f"has {len(header)} — is a cell missing?"
            )
        try:
            records.append(model.model_validate(data))
        except ValidationError as exc:
            problems = "; ".join(
                f"{_field_column(path, header, where)}: {problem}"
                for path, problem in error_pairs(exc, data)
            )
            raise RosterError(f"{where.row(line)}, {problems}") from None
    if header is None:
        raise RosterError(f"{name}: empty file (a header row is required)")
    return records


def _field_column(path: str, header: list[str | None], where: _Place) -> str:
    field = path.split(".")[0]
    if field in header:
        return f"{where.column(header.index(field))} ({field})"
    return f"column {field}" if field != "(root)" else "the row"


def _suggest(key: str, fields: list[str]) -> str:
    """`` (school_id?)`` when an unknown column name is close to a field name: names our field,
    never the cell."""
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    return f" ({close[0]}?)" if close else ""


def _header(
    texts: list[str], fields: list[str], model: type[FrozenModel], where: _Place, line: int
) -> list[str | None]:
    keys = [_column_key(t) if t else None for t in texts]
    unknown = [i for i, k in enumerate(keys) if k is not None and k not in fields]
    expected = ", ".join(fields)
    if unknown:
        columns = ", ".join(where.column(i) + _suggest(keys[i] or "", fields) for i in unknown)
        hint = (
            " — it looks like data: the first row must be a header row"
            if _looks_like_data(texts)
            else ""
        )
        raise RosterError(
            f"{where.row(line)}: unknown column name(s) in {columns}{hint}; expected {expected}"
        )
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        if key in seen:
            raise RosterError(
                f"{where.row(line)}: {where.column(seen[key])} and {where.column(i)} both give "
                f"'{key}'; keep one of them"
            )
        seen[key] = i
    missing = [f for f, info in model.model_fields.items() if info.is_required() and f not in seen]
    if missing:
        raise RosterError(
            f"{where.row(line)}: missing column(s) {', '.join(missing)}; expected {expected}"
        )
    return keys
