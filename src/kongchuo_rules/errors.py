"""Errors a vendor can act on: which case, which field, what is wrong — never the value.

Every error is a :class:`ValueError`. Messages are built from the field path and pydantic's
error type, never from the input, so names, national ids and phone numbers cannot leak into a
log through an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = ["CaseError", "KongchuoError", "PolicyError", "describe_errors"]


class KongchuoError(ValueError):
    """Base of the library's errors; a :class:`ValueError`."""


class PolicyError(KongchuoError):
    """A policy file or a policy change is invalid; the message names the parameter."""


class CaseError(KongchuoError):
    """A case is invalid; the message names the case id, the field and the problem.

    ``problems`` holds one ``(field path, problem)`` pair per error.
    """

    def __init__(self, case_id: str | None, problems: Sequence[tuple[str, str]]) -> None:
        self.case_id = case_id
        self.problems = tuple(problems)
        where = f"case {case_id!r}" if case_id else "case"
        lines = "; ".join(
            problem if field == "(root)" else f"{field}: {problem}"
            for field, problem in self.problems
        )
        super().__init__(f"{where}: {len(self.problems)} problem(s): {lines}")


# Error types whose pydantic message quotes the input; they get a message of our own.
_ECHOING = {
    "union_tag_invalid": "unknown value; expected one of {expected_tags}",
    "literal_error": "unknown value; expected {expected}",
    "enum": "unknown value; expected {expected}",
    "extra_forbidden": "unknown field",
}


def _problem(error: ErrorDetails) -> str:
    template = _ECHOING.get(error["type"])
    if template is not None:
        ctx = error.get("ctx") or {}
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template.split(";")[0]
    message = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def field_path(loc: Sequence[int | str]) -> str:
    """A dotted field path from a pydantic ``loc``, without the tag pydantic inserts after a
    list index to name the union member (the event type).

    >>> field_path(("events", 2, "absence", "end"))
    'events.2.end'
    >>> field_path(("events", 2, "absence"))
    'events.2'
    """
    parts = [
        str(part)
        for i, part in enumerate(loc)
        if not (
            i >= 1
            and isinstance(loc[i - 1], int)
            and isinstance(part, str)
            and part.islower()
            and i >= 2
            and loc[i - 2] == "events"
        )
    ]
    return ".".join(parts) or "(root)"


def error_pairs(exc: ValidationError) -> list[tuple[str, str]]:
    """``(field path, problem)`` pairs for a validation error, with no input values."""
    return [
        (field_path(e["loc"]), _problem(e))
        for e in exc.errors(include_input=False, include_url=False)
    ]


def describe_errors(exc: ValidationError) -> str:
    """One line describing every problem of ``exc``, with no input values."""
    return "; ".join(
        problem if path == "(root)" else f"{path}: {problem}" for path, problem in error_pairs(exc)
    )
