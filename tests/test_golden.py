"""The golden corpus: ``assess`` gives, byte for byte, the JSON recorded for each entry.

``tests/golden/from_tests.jsonl.gz`` holds every ``assess`` call the test-suite made when the
corpus was recorded (hand-worked cases and Hypothesis examples); ``generated.jsonl.gz`` holds
seeded random cases (``tests/golden/make_corpus.py``) over every event type, changed policies and
calendars. A difference is a change of behaviour: either a bug, or a deliberate change that
re-records the corpus in a commit saying why. The library and holidays versions an assessment
records are left out: they are facts of the installation, not of the rules.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kongchuo_rules import assess
from tests.golden import _io

CORPORA = ("from_tests.jsonl.gz", "generated.jsonl.gz")


def _run(entry: dict[str, Any], *, use_numba: bool = False) -> Any:
    policy = None if entry["policy"] is None else _io.policy_from(entry["policy"])
    calendar = None if entry["calendar"] is None else _io.calendar_from(entry["calendar"])
    try:
        out = assess(
            entry["case"],
            as_of=dt.date.fromisoformat(entry["as_of"]),
            policy=policy,
            calendar=calendar,
            use_numba=use_numba,
        )
    except ValueError as exc:
        return {"error": type(exc).__name__}
    found = json.loads(out.model_dump_json())
    # facts of the installation, not of the rules: they change with every release
    found.pop("library_version", None)
    found.pop("holidays_version", None)
    return found


@pytest.mark.parametrize("corpus", CORPORA)
def test_golden_corpus_unchanged(corpus: str) -> None:
    entries = list(_io.read(_io.HERE / corpus))
    assert len(entries) > 2000
    differ = [i for i, entry in enumerate(entries) if _run(entry) != entry["expected"]]
    assert not differ, f"{len(differ)} of {len(entries)} entries differ, first: {differ[:10]}"


@pytest.mark.parametrize("corpus", CORPORA)
def test_golden_corpus_unchanged_with_the_compiled_core(corpus: str) -> None:
    """``assess(..., use_numba=True)`` runs the compiled core (the batch engine's), trace
    included: every entry gives the same JSON as recorded."""
    pytest.importorskip("numba")
    entries = list(_io.read(_io.HERE / corpus))
    differ = [
        i for i, entry in enumerate(entries) if _run(entry, use_numba=True) != entry["expected"]
    ]
    assert not differ, f"{len(differ)} of {len(entries)} entries differ, first: {differ[:10]}"
