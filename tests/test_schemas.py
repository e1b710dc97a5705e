"""The published JSON Schemas (issue 12, item 8): Draft 2020-12 with ``$schema`` and ``$id``;
the constraints the library enforces that a schema can express; every always-present field of
the assessment required; plain descriptions; zh/en labels for enum values."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from typing import Any

import pytest

from kongchuo_rules import assess
from kongchuo_rules.schemas import DRAFT, SCHEMA_NAMES, json_schema, labels, plain_text
from kongchuo_rules.vocabulary import Agency, Role, Status
from tests.golden import _io

from .test_case import spec_example

jsonschema = pytest.importorskip("jsonschema")


def _validator(name: str) -> Any:
    schema = json_schema(name)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_draft_2020_12_with_schema_and_id(name: str) -> None:
    schema = json_schema(name)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == f"urn:kongchuo-rules:schema:{name}"
    _validator(name)


def _descriptions(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found.append(value)
            else:
                found += _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            found += _descriptions(item)
    return found


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_descriptions_are_plain_text_without_internal_references(name: str) -> None:
    descriptions = _descriptions(json_schema(name))
    assert descriptions
    for text in descriptions:
        assert "PRODUCT.md" not in text, text
        assert "§" not in text, text
        assert "``" not in text, text
        assert not re.search(r":[a-z]+:`", text), text
        assert "\n" not in text, text


def test_plain_text() -> None:
    assert plain_text("A (PRODUCT.md §5.8).\n\nInternal detail.") == "A."
    assert plain_text(":meth:`Policy.with_changes` and ``None``") == "with_changes and null"


def test_assessment_requires_every_field_it_always_writes() -> None:
    schema = json_schema("assessment")
    objects = [schema, *(d for d in schema["$defs"].values() if "properties" in d)]
    for definition in objects:
        assert set(definition["required"]) == set(definition["properties"]), definition["title"]
    assert len(schema["required"]) >= 18


def test_every_event_requires_its_type() -> None:
    schema = json_schema("case")
    events = [
        d
        for d in schema["$defs"].values()
        if isinstance(d.get("properties", {}).get("type"), dict)
        and "const" in d["properties"]["type"]
    ]
    assert len(events) >= 18
    for definition in events:
        assert "type" in definition["required"], definition["title"]


def test_enum_values_have_zh_and_en_labels() -> None:
    every = labels()
    for name in ("case", "assessment", "policy"):
        for def_name, definition in json_schema(name)["$defs"].items():  # type: ignore[arg-type]
            if "enum" in definition and def_name in every:
                assert definition["x-labels"] == every[def_name]
                assert set(definition["x-labels"]) == set(definition["enum"])
    assert every["Status"][Status.DROPOUT] == {"zh": "辍学", "en": "dropout"}
    assert every["Role"][Role.CLASS_TEACHER]["zh"] == "班主任"
    assert every["Agency"][Agency.COURT]["en"] == "people's court"


# -- the schema agrees with the library -------------------------------------------------------


def _without(data: dict[str, Any], *path: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def _set(data: dict[str, Any], value: Any, *path: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


EXPRESSIBLE = [
    # the inputs the schema used to accept and the library rejects, that a schema can express
    ("blank id", _set(spec_example(), "   ", "student", "id")),
    ("event without type", _without(spec_example(), "events", 0, "type")),
    (
        "national id of the wrong form",
        _set(spec_example(), "2303212013050312", "student", "national_id"),
    ),
    ("blank school id", _set(spec_example(), " ", "student", "school_id")),
]

NOT_EXPRESSIBLE = [
    # rules across fields or arithmetic: stated in the descriptions instead
    (
        "bad check character",
        _set(spec_example(), "230321201305031231", "student", "national_id"),
        "national_id",
    ),
    ("end before start", _set(spec_example(), "2026-10-01", "events", 1, "end"), "end"),
    ("event before birth", _set(spec_example(), "2001-01-01", "events", 0, "date"), "birth_date"),
]


@pytest.mark.parametrize(("what", "data"), EXPRESSIBLE)
def test_schema_rejects_what_the_library_rejects(what: str, data: dict[str, Any]) -> None:
    from kongchuo_rules import Case, CaseError

    with pytest.raises(CaseError):
        Case.model_validate(data)
    assert not _validator("case").is_valid(data), what


@pytest.mark.parametrize(("what", "data", "field"), NOT_EXPRESSIBLE)
def test_rules_a_schema_cannot_express_are_described(
    what: str, data: dict[str, Any], field: str
) -> None:
    from kongchuo_rules import Case, CaseError

    with pytest.raises(CaseError):
        Case.model_validate(data)
    text = json.dumps(json_schema("case"), ensure_ascii=False)
    assert {
        "national_id": "check character",
        "end": "not before start",
        "birth_date": "no event may be dated before it",
    }[field] in text, what


def test_examples_and_the_spec_case_follow_the_case_schema() -> None:
    from pathlib import Path

    validator = _validator("case")
    examples = Path(__file__).resolve().parents[1] / "examples"
    for path in examples.glob("*.json"):
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
    validator.validate(spec_example())


def test_golden_corpus_follows_both_schemas() -> None:
    """A sample of the golden corpus: every case the library accepted is valid against the
    case schema, and every assessment it wrote against the assessment schema."""
    cases, assessments = _validator("case"), _validator("assessment")
    checked = 0
    for corpus in ("from_tests.jsonl.gz", "generated.jsonl.gz"):
        for entry in itertools.islice(_io.read(_io.HERE / corpus), 0, None, 20):
            if "error" in entry["expected"]:
                continue
            cases.validate(entry["case"])
            # the corpus leaves out the facts of the installation (see tests/test_golden.py)
            versions = {"library_version": "0.1.0", "holidays_version": "0.85"}
            assessments.validate({**entry["expected"], **versions})
            checked += 1
    assert checked > 300


def test_a_fresh_assessment_follows_the_assessment_schema() -> None:
    from pathlib import Path

    case = Path(__file__).resolve().parents[1] / "examples" / "dropout.json"
    raw = json.loads(case.read_text(encoding="utf-8"))
    data = json.loads(assess(raw, as_of=date(2026, 12, 15)).model_dump_json())
    _validator("assessment").validate(data)
    assert data["actions"]
    assert data["trace"]
