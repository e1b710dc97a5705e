"""Reading county rosters from CSV: UTF-8 (with or without BOM) or GBK/GB18030, as Excel in a
Chinese locale writes them; English or Chinese column names; errors that name the file, the
line and the column, never the value."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from kongchuo_rules._base import FrozenModel
from kongchuo_rules.errors import KongchuoError, error_pairs

__all__ = ["RosterError", "read_csv_records", "read_text"]

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


class RosterError(KongchuoError):
    """A roster file cannot be read; the message names the file, line and column."""


def read_text(path: str | Path) -> str:
    """The text of ``path``: UTF-8 (BOM allowed), else GB18030 (a superset of GBK)."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError(f"{Path(path).name}: neither UTF-8 nor GBK/GB18030 text")


def read_csv_records(path: str | Path, model: type[R]) -> list[R]:
    """Every row of the CSV file ``path`` as a ``model`` record."""
    name = Path(path).name
    try:
        text = read_text(path)
    except OSError as exc:
        raise RosterError(f"{name}: cannot read ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise RosterError(f"{name}: empty file (a header row is required)")
    columns = {c: ALIASES.get(c.strip(), c.strip()) for c in reader.fieldnames}
    unknown = sorted(set(columns.values()) - set(model.model_fields))
    if unknown:
        raise RosterError(
            f"{name}: unknown column(s) {', '.join(unknown)}; expected "
            f"{', '.join(model.model_fields)}"
        )
    records: list[R] = []
    for row in reader:
        data: dict[str, Any] = {
            columns[k]: v.strip() for k, v in row.items() if k is not None and v and v.strip()
        }
        try:
            records.append(model.model_validate(data))
        except ValidationError as exc:
            problems = "; ".join(f"column '{f}': {p}" for f, p in error_pairs(exc))
            raise RosterError(f"{name}, line {reader.line_num}: {problems}") from None
    return records
