"""``Case`` as a FastAPI body type (issue 12, item 4): FastAPI's default 422 repeats the input —
national id, phone — back to the caller; the library's ``install_error_handlers`` answers with
problem documents that name the field and never the value. Runs the snippet of docs/server.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
pytest.importorskip("httpx")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from .test_case import NATIONAL_ID, PHONE, spec_example

DOC = Path(__file__).resolve().parents[1] / "docs" / "server.md"
BAD_ID = NATIONAL_ID[:-1] + "1"
BAD_PHONE = "call " + PHONE


def _documented_app(with_handlers: bool) -> FastAPI:
    section = DOC.read_text(encoding="utf-8").split("## Using `Case` as the body", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "docs/server.md lost its FastAPI snippet"
    source = code.group(1)
    if not with_handlers:
        source = source.replace("install_error_handlers(app)", "")
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    app: FastAPI = namespace["app"]
    return app


def _bad_case() -> dict[str, Any]:
    data = spec_example()
    data["student"]["national_id"] = BAD_ID
    data["guardians"][0]["phone"] = BAD_PHONE
    return data


def test_fastapi_default_422_echoes_personal_data() -> None:
    """Why the handlers are needed: without them the answer holds the national id and phone."""
    client = TestClient(_documented_app(with_handlers=False))
    response = client.post("/assess?as_of=2026-12-15", json=_bad_case())
    assert response.status_code == 422
    assert BAD_ID in response.text or BAD_PHONE in response.text


def test_documented_snippet_answers_without_personal_data() -> None:
    client = TestClient(_documented_app(with_handlers=True))
    response = client.post("/assess?as_of=2026-12-15", json=_bad_case())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    for secret in (BAD_ID, NATIONAL_ID[:10], PHONE, "张三", "张父", "李老师"):
        assert secret not in response.text
    assert body["case_id"] == "S-0001"
    assert {(e["code"], e["field"]) for e in body["errors"]} == {
        ("invalid_national_id", "student.national_id"),
        ("bad_format", "guardians.0.phone"),
    }
    assert all(e["zh"] and e["en"] for e in body["errors"])


def test_documented_snippet_assesses_good_cases() -> None:
    client = TestClient(_documented_app(with_handlers=True))
    response = client.post("/assess?as_of=2026-12-15", json=spec_example())
    assert response.status_code == 200
    assert response.json()["case_id"] == "S-0001"
    bad_query = client.post("/assess?as_of=someday", json=spec_example())
    assert bad_query.status_code == 422
    assert bad_query.json()["field"] == "as_of"
    assert "someday" not in bad_query.text
