"""The published JSON Schemas (Draft 2020-12) of the case, the assessment and the policy file,
and the zh/en labels of every enum — one source for ``kongchuo schema``, ``kongchuo labels``
and the HTTP service's OpenAPI document.

The schemas are pydantic's, completed with what the library enforces and a schema can say:
``$schema`` and ``$id``; an event's ``type`` required; ids that must not be blank; the
national id's form; every always-present field of the assessment required; each enum value's
Chinese and English label (``x-labels``); descriptions in plain text. Rules across fields that
JSON Schema cannot express (an absence's end before its start, an event before the birth date,
the national id's check character) are stated in the descriptions.

>>> schema = json_schema("case")
>>> schema["$schema"], schema["$id"]
('https://json-schema.org/draft/2020-12/schema', 'urn:kongchuo-rules:schema:case')
>>> schema["$defs"]["Role"]["x-labels"]["class_teacher"]
{'zh': '班主任', 'en': 'class teacher'}
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from kongchuo_rules.vocabulary import LabelledEnum

__all__ = ["SCHEMA_NAMES", "SchemaName", "complete_definitions", "json_schema", "labels"]

SchemaName = Literal["case", "assessment", "policy"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("case", "assessment", "policy")

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_TITLES = {
    "case": "kongchuo-rules case: one child and the dated events about them",
    "assessment": "kongchuo-rules assessment: a child's status on one day, and what must be done",
    "policy": "kongchuo-rules policy file (TOML, shown here as JSON)",
}

# the national id as the library accepts it (surrounding spaces and a lower-case x allowed)
_NATIONAL_ID = r"^\s*[0-9]{17}[0-9Xx]\s*$"

# what a schema can say beyond pydantic's: definition → property → keywords (merged into the
# string member of the property, or into the property itself)
_PROPERTY_EXTRAS: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    "Student": {
        "national_id": {
            "pattern": _NATIONAL_ID,
            "description": "18-character national id (居民身份证号): 17 digits, then a digit or "
            "X, with a valid ISO 7064 MOD 11-2 check character; its birth date must equal "
            "birth_date. Personal data: never echoed in outputs or errors.",
        },
        "birth_date": {"description": "The child's birth date; no event may be dated before it."},
        "name": {"description": "Personal data: never echoed in outputs or errors."},
    },
    "Guardian": {
        "name": {"description": "Personal data: never echoed in outputs or errors."},
        "phone": {"description": "Personal data: never echoed in outputs or errors."},
    },
    "Absence": {"end": {"description": "Last day absent (inclusive); not before start; null: "
                        "still absent."}},
    "GuardianOrder": {"deadline": {"description": "Not before the order's date."}},
    "AdministrativePenalty": {"deadline": {"description": "Not before the decision's date."}},
    "Deferral": {"until": {"description": "Not before the deferral's date; null: until further "
                           "notice."}},
}  # fmt: skip


def labels() -> dict[str, dict[str, dict[str, str]]]:
    """Every enum's values with their Chinese and English labels, by enum name.

    >>> labels()["Status"]["dropout"]
    {'zh': '辍学', 'en': 'dropout'}
    """
    return {
        cls.__name__: {m.value: {"zh": m.zh, "en": m.en} for m in cls}
        for cls in _labelled_enums().values()
    }


def _labelled_enums() -> dict[str, type[LabelledEnum]]:
    found: dict[str, type[LabelledEnum]] = {}
    todo = list(LabelledEnum.__subclasses__())
    while todo:
        cls = todo.pop(0)
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return dict(sorted(found.items()))


def json_schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of ``case``, ``assessment`` or ``policy`` (a fresh
    copy: the caller may change it).

    >>> sorted(json_schema("assessment")["required"])[:3]
    ['actions', 'alert_date', 'as_of']
    """
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; expected one of {', '.join(SCHEMA_NAMES)}")
    return copy.deepcopy(_schema(name))


@cache
def _schema(name: SchemaName) -> dict[str, Any]:
    from kongchuo_rules.assessment import Assessment
    from kongchuo_rules.case import Case
    from kongchuo_rules.policy import PolicyFile

    models: dict[str, type[BaseModel]] = {
        "case": Case,
        "assessment": Assessment,
        "policy": PolicyFile,
    }
    model = models[name]
    # validation mode: the assessment's serializer is a wrapper pydantic cannot describe
    raw = model.model_json_schema(mode="validation", schema_generator=_Generator)
    defs = raw.pop("$defs", {})
    root_name = model.__name__
    defs[root_name] = raw
    complete_definitions(defs, output=name == "assessment")
    root = defs.pop(root_name)
    root["title"] = _TITLES[name]
    schema: dict[str, Any] = {"$schema": DRAFT, "$id": f"urn:kongchuo-rules:schema:{name}"}
    schema.update(root)
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return schema


class _Generator(GenerateJsonSchema):
    """pydantic's generator, saying what it leaves out of a string's schema: a string the
    library strips before checking its minimum length must not be blank."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        out = super().str_schema(schema)
        if schema.get("strip_whitespace") and schema.get("min_length", 0) >= 1:
            out.setdefault("pattern", r"\S")
        return out


def complete_definitions(defs: dict[str, Any], *, output: bool) -> None:
    """Complete pydantic's schema definitions ``defs`` (by name, as in ``$defs`` or an OpenAPI
    document's ``components.schemas``) in place: enum labels, required event types, the
    national id's form, plain descriptions; with ``output``, every property
    required (the library always writes every field of its outputs).

    Non-blank strings are marked by :func:`json_schema` itself (pydantic's schema does not say
    that the library strips spaces before checking a length)."""
    enums = _labelled_enums()
    for def_name, definition in defs.items():
        cls = enums.get(def_name)
        if cls is not None and "enum" in definition:
            definition["x-labels"] = {m.value: {"zh": m.zh, "en": m.en} for m in cls}
        properties = definition.get("properties")
        if not isinstance(properties, dict):
            continue
        required = list(definition.get("required", []))
        type_property = properties.get("type")
        if isinstance(type_property, dict) and "const" in type_property:
            required.append("type")  # the discriminator: an event without it is rejected
        for prop, extras in _PROPERTY_EXTRAS.get(def_name, {}).items():
            if prop in properties:
                _merge(properties[prop], extras)
        if output:
            required = list(properties)
        if required:
            definition["required"] = list(dict.fromkeys(required))
    for node in _walk(defs):
        description = node.get("description")
        if isinstance(description, str):
            node["description"] = plain_text(description)


def _merge(prop: dict[str, Any], extras: Mapping[str, Any]) -> None:
    description = extras.get("description")
    if description:
        prop["description"] = description
    keywords = {k: v for k, v in extras.items() if k != "description"}
    if not keywords:
        return
    members = prop.get("anyOf")
    targets = [m for m in members if m.get("type") == "string"] if members else [prop]
    for target in targets:
        target.update(keywords)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("default", "examples", "const", "enum", "x-labels"):
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


_ROLE = re.compile(r":[a-z]+:`~?(?:[\w.]+\.)?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_INTERNAL_ASIDE = re.compile(r"\s*\([^()]*PRODUCT\.md[^()]*\)")
_INTERNAL_SENTENCE = re.compile(r"(?:^|(?<=\. ))[^.]*?PRODUCT\.md.*?(?:\.(?=\s|$)|$)\s*")
_REPLACE: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_INTERNAL_ASIDE, ""),
    (_INTERNAL_SENTENCE, ""),
    (_ROLE, r"\1"),
    (_LITERAL, lambda m: "null" if m.group(1) == "None" else f"`{m.group(1)}`"),
)


def plain_text(docstring: str) -> str:
    """A docstring as a schema description: its first paragraph on one line, without reST
    roles and without references to the project's internal documents.

    >>> plain_text("A kind of required action (PRODUCT.md §9).")
    'A kind of required action.'
    >>> plain_text("Completes it. An addition to the format of PRODUCT.md §4. Done.")
    'Completes it. Done.'
    >>> plain_text("From ``start`` (``None``: open); see :class:`~kongchuo_rules.case.Case`.")
    'From `start` (null: open); see Case.'
    """
    text = " ".join(docstring.split("\n\n", 1)[0].split())
    for pattern, replacement in _REPLACE:
        text = pattern.sub(replacement, text)
    return text.strip()
