"""The batch engine's tables (PRODUCT.md §7.1): what the input columns are, how they are
checked and turned into the integers the rules core reads, and how the core's rows become the
four output tables.

Every check names the table, the column and the row (the 0-based position in the input
table), never a value: a table can hold names and national ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from kongchuo_rules._internal import codes
from kongchuo_rules._internal.days import NO_DAY
from kongchuo_rules._privacy import FULL_WIDTH_ID_CHARS, contains_national_id
from kongchuo_rules.case import ID_CHECK, ID_WEIGHTS, MAX_DATE, MIN_DATE
from kongchuo_rules.errors import KongchuoError
from kongchuo_rules.vocabulary import (
    ActionKind,
    Agency,
    Cause,
    EscalationLevel,
    FindingCode,
    Flag,
    LabelledEnum,
    MarkKind,
    PersuasionOutcome,
    PlacementMode,
    Role,
    Stage,
    Status,
    WhereaboutsFinding,
)

__all__ = [
    "EVENT_COLUMNS",
    "STUDENT_COLUMNS",
    "BatchInputError",
    "Encoded",
    "encode",
    "to_polars",
]


class BatchInputError(KongchuoError):
    """A students or events table is not valid; the message names the table, the column and
    the row (0-based), never a value."""


HOUSEHOLD = (
    "poverty_alleviated",
    "low_income",
    "extreme_poverty_support",
    "rural_disabled_poor",
    "economic_hardship",
)

# name -> (kind, required); kinds: str, date, bool, int, list
STUDENT_COLUMNS: Mapping[str, tuple[str, bool]] = {
    "id": ("str", True),
    "birth_date": ("date", True),
    "registered": ("bool", True),
    "name": ("str", False),
    "national_id": ("str", False),
    "township": ("str", False),
    "school_id": ("str", False),
    "grade": ("int", False),
    **{f"household_{h}": ("bool", False) for h in HOUSEHOLD},
    **{f"flag_{f.value}": ("bool", False) for f in Flag},
    "disability_certified": ("bool", False),
    "disability_category": ("str", False),
    "attendance_through": ("date", False),
}
"""The columns of the students table: one row per child (PRODUCT.md §4 ``student``, with
``household`` and ``flags`` flattened into boolean columns and ``disability`` into two)."""

_ACTORS = {r.value: codes.actor_code(r) for r in Role} | {
    a.value: codes.actor_code(a) for a in Agency if a.value not in {r.value for r in Role}
}


def _codes(enum: type[LabelledEnum]) -> dict[str, int]:
    return {m.value: codes.code(m) for m in enum}


# name -> (kind, the event types that have it, enum codes for str enums)
EVENT_COLUMNS: Mapping[str, tuple[str, tuple[str, ...], Mapping[str, int] | None]] = {
    "student_id": ("str", codes.EVENT_TYPES, None),
    "type": ("str", codes.EVENT_TYPES, codes.TYPE_CODE),
    "date": ("date", tuple(t for t in codes.EVENT_TYPES if t != "absence"), None),
    "start": ("date", ("absence",), None),
    "end": ("date", ("absence",), None),
    "excused": ("bool", ("absence",), None),
    "reason": ("str", ("absence",), None),
    "by": ("str", ("home_visit", "guardian_contact", "guardian_education", "guardian_order"),
           _ACTORS),
    "causes": ("list", ("home_visit", "guardian_contact", "persuasion"), _codes(Cause)),
    "persuader": ("str", ("persuader_assigned",), None),
    "level": ("str", ("persuasion",), _codes(EscalationLevel)),
    "outcome": ("str", ("persuasion",), _codes(PersuasionOutcome)),
    "finding": ("str", ("whereabouts",), _codes(WhereaboutsFinding)),
    "verified_by": ("str", ("whereabouts",), _ACTORS),
    "mark": ("str", ("registry_mark",), _codes(MarkKind)),
    "to": ("str", ("report",), _codes(Agency)),
    "deadline": ("date", ("guardian_order", "administrative_penalty"), None),
    "mode": ("str", ("placement",), _codes(PlacementMode)),
    "until": ("date", ("deferral",), None),
    "destination": ("str", ("transfer_out",), None),
    "kind": ("str", ("action_taken",), _codes(ActionKind)),
    "agency": ("str", ("action_taken",), _codes(Agency)),
    "ref": ("str", codes.EVENT_TYPES, None),
}  # fmt: skip
"""The columns of the events table: one row per event, ``student_id`` plus the union of the
event fields of PRODUCT.md §4 (null where a type has no such field; ``causes`` a list)."""

DTYPES: dict[str, pl.DataType | type[pl.DataType]] = {
    "str": pl.String,
    "date": pl.Date,
    "bool": pl.Boolean,
    "int": pl.Int64,
    "list": pl.List(pl.String),
}


def to_polars(table: Any, name: str) -> pl.DataFrame:
    """A polars DataFrame of ``table``: polars, pandas, a pyarrow Table, or anything that speaks
    the Arrow C stream interface."""
    if isinstance(table, pl.DataFrame):
        return table
    if isinstance(table, pl.LazyFrame):
        return table.collect()
    module = type(table).__module__
    try:
        if module.startswith("pandas"):
            return pl.from_pandas(table)
        if module.startswith("pyarrow"):
            found = pl.from_arrow(table)
            if isinstance(found, pl.DataFrame):
                return found
        if hasattr(table, "__arrow_c_stream__"):
            return pl.DataFrame(table)
    except Exception as exc:
        raise BatchInputError(f"{name}: cannot be read as a table ({type(exc).__name__})") from None
    raise BatchInputError(
        f"{name}: expected a polars, pandas or pyarrow table (or one with __arrow_c_stream__)"
    )


def _first(mask: pl.Series) -> int:
    """The position of the first true value of ``mask``."""
    return int(mask.arg_true()[0])


def _cast(df: pl.DataFrame, table: str, column: str, kind: str) -> pl.Series:
    """Column ``column`` as its kind's dtype; a value that does not convert, or a date outside
    the range a case may hold, is an error naming its row."""
    converted = _convert(df.get_column(column), table, column, kind)
    if kind == "date":
        _check_date_range(converted, table, column)
    return converted


def _convert(series: pl.Series, table: str, column: str, kind: str) -> pl.Series:
    target = DTYPES[kind]
    if series.dtype == target:
        return series
    if series.null_count() == len(series):  # an empty column, whatever its dtype
        return pl.Series(column, [None] * len(series), dtype=target)
    if kind == "date" and series.dtype == pl.Datetime:
        return series.dt.date()
    if kind == "int" and series.dtype.is_float():
        bad = series.is_not_null() & (series != series.round(0))
        if bad.any():
            raise BatchInputError(f"{table}: row {_first(bad)}: column {column!r}: not an integer")
    if (
        kind == "str"
        and series.dtype not in (pl.String, pl.Categorical, pl.Null)
        and not (isinstance(series.dtype, pl.Enum))
    ):
        raise BatchInputError(f"{table}: column {column!r}: expected text, found {series.dtype}")
    if kind == "bool" and series.dtype not in (pl.Boolean, pl.Null):
        raise BatchInputError(
            f"{table}: column {column!r}: expected true/false, found {series.dtype}"
        )
    if kind == "date" and series.dtype == pl.String:
        converted = series.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    else:
        converted = series.cast(target, strict=False)
    bad = converted.is_null() & series.is_not_null()
    if bad.any():
        raise BatchInputError(
            f"{table}: row {_first(bad)}: column {column!r}: not a valid {kind}"
            + (" (YYYY-MM-DD)" if kind == "date" else "")
        )
    return converted


def _check_date_range(dates: pl.Series, table: str, column: str) -> None:
    """Every date within the range a case may hold (as ``Case`` checks it)."""
    outside = (dates < MIN_DATE) | (dates > MAX_DATE)
    if outside.any():
        raise BatchInputError(
            f"{table}: row {_first(outside.fill_null(False))}: column {column!r}: date outside "
            f"the supported range {MIN_DATE}..{MAX_DATE}"
        )


def _columns(df: pl.DataFrame, table: str, known: Sequence[str], required: Sequence[str]) -> None:
    unknown = [c for c in df.columns if c not in known]
    if unknown:
        positions = ", ".join(str(df.columns.index(c)) for c in unknown)
        raise BatchInputError(f"{table}: unknown column(s) at position(s) {positions}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise BatchInputError(
            f"{table}: missing required column(s) {', '.join(map(repr, missing))}"
        )


def _day_array(series: pl.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Dates as integer days (NO_DAY for null)."""
    return series.cast(pl.Int32).fill_null(NO_DAY).to_numpy().astype(np.int64)


@dataclass(frozen=True)
class Encoded:
    """Both tables checked and turned into the core's integers, children sorted by id."""

    ids: pl.Series  # student ids, sorted
    children: np.ndarray[Any, np.dtype[np.int64]]  # (children, 5): the fields of Child
    rows: np.ndarray[Any, np.dtype[np.int64]]  # (events, 8), sorted by child then sort_key
    offsets: np.ndarray[Any, np.dtype[np.int64]]  # child c's events: rows[offsets[c]:offsets[c+1]]
    event_position: np.ndarray[Any, np.dtype[np.int64]]  # input row of each sorted event


def _students(students: pl.DataFrame) -> pl.DataFrame:
    t = "students"
    _columns(students, t, list(STUDENT_COLUMNS), [c for c, (_, r) in STUDENT_COLUMNS.items() if r])
    cols = {
        c: _cast(students, t, c, kind)
        for c, (kind, _) in STUDENT_COLUMNS.items()
        if c in students.columns
    }
    for column, (_, required) in STUDENT_COLUMNS.items():
        if required and cols[column].null_count():
            raise BatchInputError(
                f"{t}: row {_first(cols[column].is_null())}: column {column!r}: missing"
            )
    ids = cols["id"].str.strip_chars()
    blank = ids.str.len_chars() == 0
    if blank.any():
        raise BatchInputError(f"{t}: row {_first(blank)}: column 'id': blank")
    # a student id holding a national id (the registry number G + 身份证号) is refused, as by
    # ``Student``
    _refuse_national_ids(ids, t, "id")
    duplicated = ids.is_duplicated()
    if duplicated.any():
        rows = duplicated.arg_true().to_list()[:5]
        raise BatchInputError(f"{t}: rows {', '.join(map(str, rows))}: column 'id': duplicated")
    if "grade" in cols:
        g = cols["grade"]
        bad = g.is_not_null() & ((g < 1) | (g > 9))
        if bad.any():
            raise BatchInputError(f"{t}: row {_first(bad)}: column 'grade': not from 1 to 9")
    if "national_id" in cols:
        _check_national_ids(cols["national_id"], cols["birth_date"])
    frame = pl.DataFrame({"id": ids, **{k: v for k, v in cols.items() if k != "id"}})
    return frame.with_row_index("_input").sort("id")


def _check_national_ids(nid: pl.Series, birth: pl.Series) -> None:
    """Checksum and birth date of every national id given, as ``Student`` checks them."""
    t = "students"
    present = nid.is_not_null()
    if not present.any():
        return
    where = present.arg_true().to_numpy()
    values = _ascii_id_forms(nid.filter(present)).str.strip_chars().str.to_uppercase()
    shape = values.str.contains(r"^[0-9]{17}[0-9X]$")
    if not shape.all():
        raise BatchInputError(
            f"{t}: row {int(where[_first(~shape)])}: column 'national_id': not a valid "
            "18-character national id (17 digits then a digit or X)"
        )
    digits = np.frombuffer("".join(values.to_list()).encode("ascii"), dtype=np.uint8)
    digits = digits.reshape(-1, 18)
    weights = np.array(_WEIGHTS, dtype=np.int64)
    sums = ((digits[:, :17].astype(np.int64) - 48) * weights).sum(axis=1) % 11
    expected = np.frombuffer(ID_CHECK.encode("ascii"), dtype=np.uint8)[sums]
    bad = np.nonzero(expected != digits[:, 17])[0]
    if len(bad):
        raise BatchInputError(
            f"{t}: row {int(where[bad[0]])}: column 'national_id': not a valid 18-character "
            "national id (checksum does not match)"
        )
    born = values.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    if born.is_null().any():
        raise BatchInputError(
            f"{t}: row {int(where[_first(born.is_null())])}: column 'national_id': not a valid "
            "18-character national id (no real birth date)"
        )
    differs = born != birth.filter(present)
    if differs.any():
        raise BatchInputError(
            f"{t}: row {int(where[_first(differs)])}: column 'birth_date': does not match the "
            "birth date in national_id"
        )


_WEIGHTS = ID_WEIGHTS


def _refuse_national_ids(values: pl.Series, t: str, column: str) -> None:
    """Refuse a column of the vendor's own ids (a student's, an event's ``ref``) where one holds
    a national id: a cheap pattern finds the candidates, the checksum decides."""
    candidates = _ascii_id_forms(values).str.contains(r"[0-9]{17}[0-9Xx]").fill_null(False)
    for row in candidates.arg_true().to_list():
        if contains_national_id(values[row]):
            raise BatchInputError(
                f"{t}: row {row}: column {column!r}: contains a national id (personal data); "
                "use an id of the vendor's own"
            )


def _ascii_id_forms(values: pl.Series) -> pl.Series:
    """``values`` with the full-width digits, ``Ｘ``/``ｘ`` and the ideographic space of a
    Chinese input method made ASCII (as :func:`~kongchuo_rules.case.validate_national_id`
    reads them)."""
    wide, narrow = zip(*FULL_WIDTH_ID_CHARS.items(), strict=True)
    return values.str.replace_many(list(wide), list(narrow))


def encode(students: pl.DataFrame, events: pl.DataFrame) -> Encoded:
    """Check both tables and turn them into the integers of the rules core."""
    s = _students(students)
    n = len(s)
    flags = [c for c in s.columns if c.startswith(("household_", "flag_"))]
    priority = np.zeros(n, dtype=np.int64)
    for c in flags:
        priority |= s.get_column(c).fill_null(False).to_numpy().astype(np.int64)
    certified = (
        s.get_column("disability_certified").fill_null(False).to_numpy().astype(np.int64)
        if "disability_certified" in s.columns
        else np.zeros(n, dtype=np.int64)
    )
    rows, offsets, position = _events(events, s)
    through = (
        _day_array(s.get_column("attendance_through"))
        if "attendance_through" in s.columns
        else np.full(n, NO_DAY, dtype=np.int64)
    )
    children = np.column_stack(
        [
            _day_array(s.get_column("birth_date")),
            s.get_column("registered").to_numpy().astype(np.int64),
            priority,
            certified,
            through,
        ]
    )
    return Encoded(
        ids=s.get_column("id"),
        children=np.ascontiguousarray(children, dtype=np.int64),
        rows=rows,
        offsets=offsets,
        event_position=position,
    )


def _enum_codes(
    series: pl.Series, table: str, column: str, mapping: Mapping[str, int]
) -> pl.Series:
    found = series.replace_strict(dict(mapping), default=None, return_dtype=pl.Int64)
    bad = found.is_null() & series.is_not_null()
    if bad.any():
        raise BatchInputError(f"{table}: row {_first(bad)}: column {column!r}: unknown value")
    return found.fill_null(codes.NONE)


def _events(
    events: pl.DataFrame, students: pl.DataFrame
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    t = "events"
    n_children = len(students)
    if not len(events.columns) and not len(events):
        events = pl.DataFrame(
            {"student_id": [], "type": []}, schema={"student_id": pl.String, "type": pl.String}
        )
    _columns(events, t, list(EVENT_COLUMNS), ["student_id", "type"])
    cols = {
        c: _cast(events, t, c, kind)
        for c, (kind, _, _) in EVENT_COLUMNS.items()
        if c in events.columns
    }
    for c in ("student_id", "type"):
        if cols[c].null_count():
            raise BatchInputError(f"{t}: row {_first(cols[c].is_null())}: column {c!r}: missing")
    type_code = _enum_codes(cols["type"], t, "type", codes.TYPE_CODE)
    types = cols["type"]
    if "ref" in cols:  # named by the actions it completes (done_by), so never personal data
        _refuse_national_ids(cols["ref"], t, "ref")
    # a field present on a type that has no such field
    for column, (_, allowed, _) in EVENT_COLUMNS.items():
        if column in ("student_id", "type") or column not in cols:
            continue
        misplaced = cols[column].is_not_null() & ~types.is_in(list(allowed))
        if column == "causes":
            misplaced &= cols[column].list.len().fill_null(0) > 0
        if misplaced.any():
            raise BatchInputError(
                f"{t}: row {_first(misplaced)}: column {column!r}: not a field of the event's type"
            )
    is_absence = types == "absence"
    null = pl.Series([None] * len(events), dtype=pl.Date)
    day = pl.select(
        pl.when(is_absence).then(cols.get("start", null)).otherwise(cols.get("date", null))
    ).to_series()
    missing_day = day.is_null()
    if missing_day.any():
        i = _first(missing_day)
        column = "start" if types[i] == "absence" else "date"
        raise BatchInputError(f"{t}: row {i}: column {column!r}: missing")
    if is_absence.any():
        excused = cols.get("excused", pl.Series([None] * len(events), dtype=pl.Boolean))
        no_excused = is_absence & excused.is_null()
        if no_excused.any():
            raise BatchInputError(f"{t}: row {_first(no_excused)}: column 'excused': missing")
    kind_missing = (types == "action_taken") & cols.get(
        "kind", pl.Series([None] * len(events), dtype=pl.String)
    ).is_null()
    if kind_missing.any():
        raise BatchInputError(f"{t}: row {_first(kind_missing)}: column 'kind': missing")
    # second dates: an absence's end, an order's or penalty's deadline, a deferral's until
    end = null
    for column in ("end", "deadline", "until"):
        if column in cols:
            end = pl.select(pl.coalesce(end, cols[column])).to_series()
    backwards = end.is_not_null() & (end < day)
    if backwards.any():
        i = _first(backwards)
        what = {"absence": "end", "deferral": "until"}.get(str(types[i]), "deadline")
        raise BatchInputError(f"{t}: row {i}: column {what!r}: before the event's date")
    # the child of each event
    index = pl.DataFrame(
        {"student_id": students.get_column("id"), "_child": pl.arange(0, n_children, eager=True)}
    )
    child = (
        pl.DataFrame({"student_id": cols["student_id"].str.strip_chars()})
        .join(index, on="student_id", how="left", maintain_order="left")
        .get_column("_child")
    )
    if child.is_null().any():
        raise BatchInputError(
            f"{t}: row {_first(child.is_null())}: column 'student_id': not in the students table"
        )
    birth = students.get_column("birth_date").gather(child)
    early = day < birth
    if early.any():
        i = _first(early)
        column = "start" if types[i] == "absence" else "date"
        raise BatchInputError(f"{t}: row {i}: column {column!r}: before the student's birth date")
    # the enum fields, in the row layout of the core (codes.F_*)
    code1 = pl.Series([codes.NONE] * len(events), dtype=pl.Int64)
    code2 = code1.clone()
    for column in ("level", "finding", "mark", "to", "mode", "kind"):
        if column in cols:
            found = _enum_codes(cols[column], t, column, EVENT_COLUMNS[column][2] or {})
            code1 = pl.select(pl.when(found != codes.NONE).then(found).otherwise(code1)).to_series()
    if "excused" in cols:
        excused_code = cols["excused"].cast(pl.Int64)
        code1 = pl.select(pl.when(is_absence).then(excused_code).otherwise(code1)).to_series()
    # defaults of the models: a whereabouts check without finding is 'unknown', a report
    # without 'to' goes to the education bureau
    code1 = pl.select(
        pl.when((types == "whereabouts") & (code1 == codes.NONE)).then(codes.W_UNKNOWN)
        .when((types == "report") & (code1 == codes.NONE)).then(codes.A_EDUCATION_BUREAU)
        .otherwise(code1)
    ).to_series()  # fmt: skip
    for column in ("outcome", "agency"):
        if column in cols:
            found = _enum_codes(cols[column], t, column, EVENT_COLUMNS[column][2] or {})
            code2 = pl.select(pl.when(found != codes.NONE).then(found).otherwise(code2)).to_series()
    by = pl.Series([codes.NONE] * len(events), dtype=pl.Int64)
    for column in ("by", "verified_by"):
        if column in cols:
            found = _enum_codes(cols[column], t, column, _ACTORS)
            by = pl.select(pl.when(found != codes.NONE).then(found).otherwise(by)).to_series()
    causes = pl.Series([0] * len(events), dtype=pl.Int64)
    if "causes" in cols:
        found = cols["causes"].list.eval(
            pl.element().replace_strict(dict(_codes(Cause)), default=None, return_dtype=pl.Int64)
        )
        bad = found.list.eval(pl.element().is_null()).list.any().fill_null(False)
        if bad.any():
            raise BatchInputError(f"{t}: row {_first(bad)}: column 'causes': unknown value")
        two = pl.lit(2, dtype=pl.Int64)
        causes = found.list.eval(two.pow(pl.element())).list.sum().fill_null(0)
    frame = pl.DataFrame(
        {
            "child": child,
            "day": day.cast(pl.Int32).cast(pl.Int64),
            "type": type_code,
            "end": end.cast(pl.Int32).cast(pl.Int64).fill_null(NO_DAY),
            "code": code1,
            "code2": code2,
            "by": by,
            "causes": causes,
            "index": pl.arange(0, len(events), eager=True).cast(pl.Int64),
        }
    )
    last = 2**31
    ordered = frame.sort(
        [
            "child",
            "day",
            "type",
            pl.when(pl.col("end") == NO_DAY).then(last).otherwise(pl.col("end")),
            pl.when(pl.col("code") < 0).then(last).otherwise(pl.col("code")),
            pl.when(pl.col("code2") < 0).then(last).otherwise(pl.col("code2")),
            pl.when(pl.col("by") < 0).then(last).otherwise(pl.col("by")),
            "causes",
            "index",
        ]
    )
    counts = np.bincount(ordered.get_column("child").to_numpy(), minlength=n_children)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    columns = ["day", "type", "end", "code", "code2", "by", "causes", "index"]
    rows = np.array(ordered.select(columns).to_numpy(), dtype=np.int64, order="C")
    position = rows[:, codes.F_INDEX].copy()
    # within a child the index is the event's position among the child's events, as in a Case
    rows[:, codes.F_INDEX] = np.arange(len(rows)) - np.repeat(offsets[:-1], counts)
    return np.ascontiguousarray(rows, dtype=np.int64), offsets, position


# -- output -------------------------------------------------------------------------------------


def _enum(values: np.ndarray[Any, Any], enum: type[LabelledEnum]) -> pl.Series:
    members = [m.value for m in enum]
    return pl.Series(values, dtype=pl.Int64).replace_strict(
        dict(enumerate(members)), default=None, return_dtype=pl.Enum(members)
    )


def _dates(values: np.ndarray[Any, Any]) -> pl.Series:
    s = pl.Series(values, dtype=pl.Int64)
    return pl.select(pl.when(s != NO_DAY).then(s).cast(pl.Int32).cast(pl.Date)).to_series()


ENUMS: Mapping[str, type[LabelledEnum]] = {
    "status": Status,
    "stage": Stage,
    "escalation_level": EscalationLevel,
    "kind": ActionKind,
    "agency": Agency,
    "holder": Role,
    "level": EscalationLevel,
    "cause": Cause,
    "code": FindingCode,
}


def causes_column(masks: np.ndarray[Any, Any]) -> pl.Series:
    """A list column of cause values from bit masks (in the order of ``Cause``)."""
    import pyarrow as pa

    members = [c.value for c in Cause]
    bits = (masks[:, None] >> np.arange(len(members))) & 1  # (rows, causes)
    rows, found = np.nonzero(bits)  # ordered by row, then cause
    offsets = np.zeros(len(masks) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(masks)), out=offsets[1:])
    values = pl.Series(found, dtype=pl.Int64).replace_strict(
        dict(enumerate(members)), return_dtype=pl.String
    )
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values.to_arrow())
    series = pl.Series("causes", lists)
    return series.cast(pl.List(pl.Enum(members)))
