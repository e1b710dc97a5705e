"""Fuzz targets shared by ``tests/test_fuzz.py`` (a small run in CI) and ``scripts/fuzz.py`` (a
long run with figures): strategies for hostile inputs, and checks that every input gives a
result or a ``ValueError`` within :data:`TIME_LIMIT` seconds, with no personal marker in any
output, error, warning or log record.

The JSON Schema strategy is written here (:func:`from_schema`, for the subset of JSON Schema
that pydantic emits) because hypothesis-jsonschema 0.23 no longer runs on current Hypothesis.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import strategies as st

from kongchuo_rules import assess, default_policy, duties, reconcile
from kongchuo_rules.case import national_id_check_char
from kongchuo_rules.county._csv import read_records
from kongchuo_rules.county.records import (
    HouseholdRecord,
    PresenceRecord,
    RegistryRecord,
)
from kongchuo_rules.policy import PARAMETER_NAMES, parameter_bounds

TIME_LIMIT = 5.0
"""Seconds one input may take (an assessment takes milliseconds: five seconds is a hang)."""

STATS: Counter[str] = Counter()
"""Outcomes per area: ``case:ok``, ``case:rejected``, ``roster:ok`` … (read by scripts/fuzz.py)."""


def _id(body: str) -> str:
    return body + national_id_check_char(body)


MARK_NAME = "马克尔甲"
MARK_GUARDIAN = "马克尔乙"
MARK_ID = _id("23032120130503042")  # born 2013-05-03
MARK_PHONE = "13912344321"
MARK_TEXT = "备注MARKERTEXT"
MARKERS = (MARK_NAME, MARK_GUARDIAN, MARK_ID, MARK_PHONE, MARK_TEXT, "MARKERTEXT")
"""Strings planted in personal fields; none may appear in an output, error, warning or log."""

AS_OF_DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))


# -- JSON Schema → strategy ----------------------------------------------------------------------


def from_schema(
    schema: dict[str, Any], root: dict[str, Any] | None = None
) -> st.SearchStrategy[Any]:
    """Values valid for ``schema`` (objects, arrays, strings with a pattern or a date format,
    integers, booleans, enums, ``$ref``, ``anyOf``/``oneOf``), with dates drawn beyond the
    library's range so that the bounds are exercised."""
    root = root if root is not None else schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(root["$defs"][name], root))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s, root) for s in schema[key]])
    if "allOf" in schema:
        return from_schema(schema["allOf"][0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, root) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "string":
        if schema.get("format") == "date":
            return st.dates(dt.date(1850, 1, 1), dt.date(2250, 12, 31)).map(dt.date.isoformat)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: len(s) <= schema.get("maxLength", 10**6)
            )
        return st.text(
            min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40)
        )
    if kind == "array":
        items = from_schema(schema.get("items", {}), root)
        return st.lists(items, max_size=min(schema.get("maxItems", 5), 5)).map(list)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v, root) for k, v in props.items() if k in required},
            optional={k: from_schema(v, root) for k, v in props.items() if k not in required},
        )
    return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))


# -- hostile values and mutations ----------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    "yes",
    "",
    " ",
    0,
    -1,
    7.0,
    1.5,
    10**30,
    -(10**30),
    float("inf"),
    1_700_000_000,
    "1700000000",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2200-01-01",
    "2026-02-30",
    "2026-11-02T00:00:00",
    "２０２６-１１-０２",
    '=HYPERLINK("http://x")',
    "\x00",
    "x" * 5_000,
    [],
    {},
    [[[[[]]]]],
    {MARK_NAME: MARK_TEXT},
    "张三",
    _id("11010120100101001"),
    "".join(chr(ord(c) + 0xFEE0) for c in _id("11010120100101002")),
    "".join(chr(0x0660 + int(c)) for c in _id("11010120100101003")[:17]) + "X",
]
"""Values a mutation puts anywhere. None is a marker: a marker is planted only in personal
fields (and as unknown keys), since a non-personal field (a township) is rightly echoed."""


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``data`` (dict keys, list indices)."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


@st.composite
def mutated(draw: st.DrawFn, base: Any, *, max_mutations: int = 3, keep_root: bool = False) -> Any:
    """``base`` (JSON-like) with a few mutations: a value replaced by a hostile one, a key
    deleted, an unknown key (a marker) added, an element duplicated (``keep_root``: the top
    level stays a dict with its keys — the keyword arguments of a call)."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = [p for p in _paths(data) if not keep_root or len(p) > 1]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "duplicate"]))
        if action == "replace" or not path:
            data = _set(data, path, copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES))))
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from([MARK_NAME, MARK_ID, "nickname"]))] = MARK_TEXT
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return data


def plant(data: Any) -> Any:
    """``data`` (a case dict) with markers in its personal fields, wherever they fit."""
    if not isinstance(data, dict):
        return data
    student = data.get("student")
    if isinstance(student, dict):
        student["name"] = MARK_NAME
        if str(student.get("id", "")).endswith("7"):
            student["id"] = "G" + MARK_ID  # a registry number holding the id: refused
        if student.get("birth_date") == "2013-05-03":
            student["national_id"] = MARK_ID
        if isinstance(student.get("disability"), dict):
            student["disability"]["category"] = MARK_TEXT
    guardians = data.get("guardians")
    if isinstance(guardians, list):
        for g in guardians:
            if isinstance(g, dict):
                g.update(name=MARK_GUARDIAN, phone=MARK_PHONE, relation=MARK_TEXT)
    events = data.get("events")
    if isinstance(events, list):
        for e in events:
            if isinstance(e, dict):
                field = {"absence": "reason", "persuader_assigned": "persuader"}.get(
                    str(e.get("type")), "destination" if e.get("type") == "transfer_out" else ""
                )
                if field:
                    e[field] = MARK_TEXT
    return data


# -- the checks ----------------------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args))


@contextmanager
def watched(area: str) -> Iterator[list[str]]:
    """Run a block with every log record and warning captured; afterwards assert the time
    bound and that none of them carries a marker. Yields a list for the block's outputs."""
    outputs: list[str] = []
    handler = _Records()
    logger = logging.getLogger()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield outputs
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"{area}: {elapsed:.1f} s for one input"
    everything = [*outputs, *handler.lines, *(str(w.message) for w in caught)]
    for text in everything:
        for marker in MARKERS:
            assert marker not in text, f"{area}: a personal marker leaked: {text[:300]}"


def rejected(exc: BaseException, outputs: list[str], area: str) -> None:
    """A bad input: it must be a ``ValueError`` (anything else is a crash, re-raised)."""
    if not isinstance(exc, ValueError):
        raise exc
    outputs += [str(exc), repr(exc), repr(getattr(exc, "problems", ""))]
    STATS[f"{area}:rejected"] += 1


def check_case(data: Any, as_of: dt.date) -> None:
    """Assess ``data``: an assessment whose every rendering is free of markers, or a
    ``ValueError`` that is."""
    with watched("case") as outputs:
        try:
            a = assess(data, as_of=as_of)
        except Exception as exc:
            rejected(exc, outputs, "case")
            return
        outputs += [
            a.model_dump_json(),
            a.explain("zh"),
            a.explain("en"),
            repr(a),
            str(a),
            repr(a.actions),
            repr(a.findings),
        ]
        STATS["case:ok"] += 1


ROSTER_MODELS = {
    "household": HouseholdRecord,
    "registry": RegistryRecord,
    "presence": PresenceRecord,
}


def check_rosters(inputs: dict[str, Any], as_of: dt.date) -> None:
    """Reconcile ``inputs``: a ledger whose JSON, CSV (without names) and findings are free of
    names and free text, and whose findings' messages hold no national id; or a ``ValueError``."""
    with watched("roster") as outputs:
        try:
            ledger = reconcile(as_of=as_of, **inputs)
        except Exception as exc:
            rejected(exc, outputs, "roster")
            return
        ids = {e.national_id for e in ledger.entries}
        for finding in ledger.findings:
            assert not any(i in finding.message for i in ids), finding.message
        # the ledger is keyed by national id: only names and free text must stay out
        text = ledger.model_dump_json() + ledger.to_csv() + repr(ledger)
        text = text.replace(MARK_ID, "")
        outputs += [text]
        STATS["roster:ok"] += 1


def csv_text(rows: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def check_roster_file(path: Any, kind: str) -> None:
    """Read a roster file: records, or a ``ValueError`` that names no cell's value."""
    with watched("roster file") as outputs:
        try:
            read_records(path, ROSTER_MODELS[kind])
        except Exception as exc:
            rejected(exc, outputs, "roster file")
            return
        STATS["roster file:ok"] += 1


FIXED_CASES = [
    {
        "student": {"id": "S-1", "birth_date": "2013-05-03", "registered": True, "grade": 7},
        "events": [{"type": "absence", "start": "2026-11-02", "excused": False}],
    },
    {
        "student": {"id": "S-2", "birth_date": "2014-02-01", "registered": True},
        "events": [
            {"type": "absence", "start": "2026-10-08", "end": "2026-12-20", "excused": False},
            {"type": "persuasion", "date": "2026-11-20", "outcome": "refused"},
            {"type": "persuasion", "date": "2026-12-01", "outcome": "agreed"},
        ],
    },
    {"student": {"id": "S-3", "birth_date": "2018-01-01", "registered": False}},
]


def check_policy(changes: Any) -> None:
    """Change the policy: a policy under which assessments and duties still work (or give a
    ``ValueError``), or a ``ValueError``."""
    with watched("policy") as outputs:
        try:
            policy = default_policy().with_changes(changes)
        except Exception as exc:
            rejected(exc, outputs, "policy")
            return
        for case in FIXED_CASES:
            for day in (dt.date(2026, 12, 15), dt.date(2027, 6, 30)):
                try:
                    a = assess(case, as_of=day, policy=policy)
                    outputs.append(a.model_dump_json())
                except Exception as exc:
                    rejected(exc, outputs, "policy assess")
        duties(dt.date(2026, 7, 1), dt.date(2027, 8, 31), policy)
        STATS["policy:ok"] += 1


def policy_changes() -> st.SearchStrategy[Any]:
    """Changes to the policy: real and unknown names, hostile and plausible values, dated
    lists, and things that are not a mapping at all."""
    names = st.sampled_from([*PARAMETER_NAMES, "absence.alert_unexcused_days", "x"])
    plain = st.one_of(
        st.integers(-5, 400),
        st.integers(),
        st.sampled_from(HOSTILE_VALUES),
        st.sampled_from(["term_time", "calendar", "08-31", "02-29", "13-01"]),
        st.fixed_dictionaries(
            {
                "start": st.sampled_from(["09-01", "03-01", "01-15", "08-31", "9-1"]),
                "end": st.sampled_from(["01-15", "07-10", "08-31", "09-01", "12-31"]),
            }
        ),
        st.floats(allow_nan=True),
    )
    dated = st.lists(
        st.fixed_dictionaries(
            {"value": plain},
            optional={"since": st.one_of(st.none(), st.dates().map(dt.date.isoformat), plain)},
        ),
        max_size=3,
    )
    mapping = st.dictionaries(names, st.one_of(plain, dated), max_size=3)
    return st.one_of(
        mapping,
        within_bounds(),
        within_bounds(),
        st.sampled_from([None, [], "x", 7, {7: 5}, {None: 1}]),
    )


def within_bounds() -> st.SearchStrategy[dict[str, Any]]:
    """Changes that the policy accepts: integers anywhere within each parameter's bounds, the
    edges most of all — so that every accepted policy is then used to assess."""
    numeric = {
        name: bounds
        for name in PARAMETER_NAMES
        if (bounds := parameter_bounds(name)) is not None and name.split(".")[0] != "rates"
    }

    def value(name: str) -> st.SearchStrategy[int]:
        low, high = (int(b) for b in numeric[name])
        return st.one_of(st.sampled_from([low, high]), st.integers(low, high))

    return st.lists(st.sampled_from(sorted(numeric)), min_size=1, max_size=4, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: value(n) for n in names})
    )


def summary() -> dict[str, tuple[int, int]]:
    """``{area: (inputs, rejected)}`` from :data:`STATS`."""
    areas = sorted({k.split(":")[0] for k in STATS})
    return {a: (STATS[f"{a}:ok"] + STATS[f"{a}:rejected"], STATS[f"{a}:rejected"]) for a in areas}


Check = Callable[..., None]
