"""The HTTP service, tested against a real server process (uvicorn on a free port of
127.0.0.1): responses equal the library's output, errors are problem documents with the
library's codes, nothing personal reaches a response or the access log, and a bounded
schemathesis run against the OpenAPI document finds no server error."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
httpx = pytest.importorskip("httpx")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kongchuo_rules import assess, default_policy  # noqa: E402
from kongchuo_rules.schemas import json_schema, labels  # noqa: E402
from kongchuo_rules.testing import cases  # noqa: E402

from .test_case import PERSONAL, spec_example  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MAX_BATCH = 50
MAX_BODY = 262_144
SECRETS = (*PERSONAL, "李老师")

# every request sent to the real server, for the figures in docs/server.md
SENT: list[str] = []


@dataclass
class Server:
    url: str
    log: Path
    client: httpx.Client

    def post(self, path: str, **kw: Any) -> httpx.Response:
        SENT.append(path)
        return self.client.post(self.url + path, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        SENT.append(path)
        return self.client.get(self.url + path, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    log = folder / "server.log"
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "kongchuo_rules.server",
        "--port",
        str(port),
        "--max-batch",
        str(MAX_BATCH),
        "--max-body-bytes",
        str(MAX_BODY),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(timeout=30)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: " + log.read_text()[-2000:])
            time.sleep(0.1)
        yield Server(url, log, client)
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"] == f"urn:kongchuo-rules:error:{code}"
    assert body["zh"]
    assert body["en"]
    assert body["title"]
    assert body["errors"]
    _no_secrets(response.text)
    return body


# -- responses equal the library's output -----------------------------------------------------


def test_health(server: Server) -> None:
    body = server.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["policy_version"] == default_policy().version


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
@pytest.mark.parametrize("as_of", ["2026-11-20", "2026-12-15", "2027-03-20"])
def test_assess_equals_the_library(server: Server, example: str, as_of: str) -> None:
    case = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    response = server.post(f"/v1/assess?as_of={as_of}", json=case)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    expected = assess(case, as_of=date.fromisoformat(as_of)).model_dump_json()
    assert response.text == expected
    _no_secrets(response.text)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=cases(), days=st.integers(0, 200))
def test_generated_cases_equal_the_library(server: Server, case: Any, days: int) -> None:
    as_of = date(2026, 9, 1).toordinal() + days
    day = date.fromordinal(as_of)
    response = server.post(
        f"/v1/assess?as_of={day.isoformat()}",
        content=case.model_dump_json(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.text == assess(case, as_of=day).model_dump_json()


def test_batch_equals_the_library(server: Server) -> None:
    data = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    data.append(spec_example())
    response = server.post("/v1/assess/batch?as_of=2026-12-15", json=data)
    assert response.status_code == 200, response.text
    day = date(2026, 12, 15)
    assert response.json() == [json.loads(assess(c, as_of=day).model_dump_json()) for c in data]
    _no_secrets(response.text)


def test_policy_schema_and_labels_equal_the_library(server: Server) -> None:
    policy = server.get("/v1/policy").json()
    assert policy["version"] == default_policy().version
    assert set(policy["file"]["parameters"]) == set(default_policy().parameters)
    for name in ("case", "assessment", "policy"):
        response = server.get(f"/v1/schema/{name}")
        assert response.headers["content-type"].startswith("application/schema+json")
        assert response.json() == json_schema(name)  # type: ignore[arg-type]
    assert server.get("/v1/labels").json() == labels()


def test_policy_document_follows_the_policy_schema(server: Server) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = server.get("/v1/policy").json()
    jsonschema.Draft202012Validator(json_schema("policy")).validate(document["file"])


# -- errors -----------------------------------------------------------------------------------


def test_bad_case_is_a_problem_with_code_field_and_case_id(server: Server) -> None:
    data = spec_example()
    data["student"]["national_id"] = data["student"]["national_id"][:-1] + "1"
    body = _problem(
        server.post("/v1/assess?as_of=2026-12-15", json=data), 422, "invalid_national_id"
    )
    assert body["field"] == "student.national_id"
    assert body["case_id"] == "S-0001"
    assert "校验位" in body["zh"]
    assert body["instance"] == "/v1/assess"


def test_bad_by_value_is_one_problem(server: Server) -> None:
    data = spec_example()
    data["events"][2]["by"] = "张三"
    body = _problem(server.post("/v1/assess?as_of=2026-12-15", json=data), 422, "unknown_value")
    assert [e["field"] for e in body["errors"]] == ["events.2.by"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "missing_field"),
        ("?as_of=2026-13-40", "invalid_date"),
        ("?as_of=tomorrow", "bad_format"),
    ],
)
def test_bad_as_of(server: Server, query: str, code: str) -> None:
    body = _problem(server.post(f"/v1/assess{query}", json=spec_example()), 422, code)
    assert body["field"] == "as_of"


def test_as_of_before_birth_and_dates_out_of_range(server: Server) -> None:
    _problem(
        server.post("/v1/assess?as_of=2001-01-01", json=spec_example()), 422, "as_of_before_birth"
    )
    body = _problem(
        server.post("/v1/assess?as_of=2300-01-01", json=spec_example()), 422, "out_of_range"
    )
    assert body["field"] == "as_of"
    data = spec_example()
    data["student"]["birth_date"] = "1800-01-01"
    del data["student"]["national_id"]
    body = _problem(server.post("/v1/assess?as_of=2026-12-15", json=data), 422, "out_of_range")
    assert body["field"] == "student.birth_date"


def test_batch_errors_name_index_and_case(server: Server) -> None:
    good = spec_example()
    bad = spec_example()
    bad["student"]["id"] = "S-BAD"
    bad["guardians"][0]["phone"] = "call 张三"
    body = _problem(
        server.post("/v1/assess/batch?as_of=2026-12-15", json=[good, bad]), 422, "bad_format"
    )
    (error,) = body["errors"]
    assert (error["index"], error["case_id"], error["field"]) == (1, "S-BAD", "1.guardians.0.phone")


def test_batch_limits(server: Server) -> None:
    tiny = {"student": {"id": "S", "birth_date": "2015-01-01", "registered": False}}
    _problem(
        server.post("/v1/assess/batch?as_of=2026-12-15", json=[tiny] * (MAX_BATCH + 1)),
        422,
        "too_many_cases",
    )
    _problem(server.post("/v1/assess/batch?as_of=2026-12-15", json={"a": 1}), 422, "wrong_type")


def test_body_size_limit(server: Server) -> None:
    data = spec_example()
    data["student"]["category_padding"] = "x" * MAX_BODY
    _problem(server.post("/v1/assess?as_of=2026-12-15", json=data), 413, "request_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while it streams in
        yield b'{"student": {"id": "'
        for _ in range(MAX_BODY // 1024 + 1):
            yield b"x" * 1024

    _problem(
        server.post(
            "/v1/assess?as_of=2026-12-15",
            content=chunks(),
            headers={"content-type": "application/json"},
        ),
        413,
        "request_too_large",
    )


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 422, "invalid_json"),
        (b"[" * 100_000, "application/json", 422, "invalid_json"),
        (b'{"student": {"grade": 1' + b"0" * 5000 + b"}}", "application/json", 422, "invalid_json"),
        (b"{}", "text/plain", 415, "unsupported_media_type"),
        (b"\xff\xfe\x00", "application/json", 422, "invalid_json"),
    ],
)
def test_bad_bodies(
    server: Server, content: bytes, content_type: str, status: int, code: str
) -> None:
    response = server.post(
        "/v1/assess?as_of=2026-12-15", content=content, headers={"content-type": content_type}
    )
    _problem(response, status, code)


def test_http_errors_are_problems(server: Server) -> None:
    body = _problem(server.get("/v1/nothing/张三"), 404, "not_found")
    assert "instance" not in body  # the path a client typed is not echoed
    assert "张三" not in json.dumps(body, ensure_ascii=False)
    _problem(server.client.delete(server.url + "/v1/labels"), 405, "method_not_allowed")
    _problem(server.get("/v1/schema/everything"), 422, "unknown_value")


# -- the access log ---------------------------------------------------------------------------


def test_access_log_names_case_ids_only(server: Server) -> None:
    data = spec_example()
    server.post("/v1/assess?as_of=2026-12-15", json=data)
    data["student"]["national_id"] = data["student"]["national_id"][:-1] + "1"
    server.post("/v1/assess?as_of=2026-12-15", json=data)
    time.sleep(0.2)
    log = server.log.read_text(encoding="utf-8")
    assert re.search(r"POST /v1/assess 200 [0-9.]+ms cases=S-0001", log), log[-2000:]
    assert re.search(r"POST /v1/assess 422 [0-9.]+ms cases=-", log), log[-2000:]
    assert "as_of=" not in log  # no query strings
    access = [line for line in log.splitlines() if "kongchuo_rules.server.access" in line]
    assert access
    assert not any("127.0.0.1" in line for line in access)  # no client addresses
    _no_secrets(log)
    assert "Traceback" not in log


# -- schemathesis: no server error -------------------------------------------------------------

SCHEMATHESIS_EXAMPLES = 15


def test_openapi_document(server: Server) -> None:
    document = server.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = set(document["paths"])
    assert {
        "/v1/assess",
        "/v1/assess/batch",
        "/v1/policy",
        "/v1/schema/{name}",
        "/v1/labels",
        "/healthz",
    } <= paths
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "x-labels" in schemas["Status"]
    assert set(schemas["Assessment"]["required"]) == set(schemas["Assessment"]["properties"])
    text = json.dumps(document)
    assert "#/$defs/" not in text


def test_schemathesis_finds_no_server_error(server: Server, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "schemathesis"
    if not script.exists():
        pytest.skip("schemathesis is not installed")
    done = subprocess.run(
        [
            str(script),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance",
            "--max-examples",
            str(SCHEMATHESIS_EXAMPLES),
            "--generation-deterministic",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
        check=False,
    )
    tail = done.stdout[-4000:]
    assert done.returncode == 0, tail
    generated = re.search(r"(\d+) generated", done.stdout)
    assert generated, tail
    print(f"schemathesis: {generated.group(1)} test cases generated, no failure")
    log = server.log.read_text(encoding="utf-8")
    _no_secrets(log)
    assert " 500 " not in log
    assert "Traceback" not in log


def test_the_compiled_core_answers_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_app(use_numba=True)`` (``kongchuo serve --use-numba``) loads the compiled core
    before the first request and answers byte for byte as the library does."""
    pytest.importorskip("numba")
    from fastapi.testclient import TestClient

    from kongchuo_rules.batch import _driver
    from kongchuo_rules.server import create_app

    client = TestClient(create_app(use_numba=True))
    assert "compile_seconds" in _driver._STATE  # loaded before any request
    data = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    day = date(2026, 12, 15)
    one = client.post("/v1/assess?as_of=2026-12-15", json=data[0])
    assert one.text == assess(data[0], as_of=day).model_dump_json()
    many = client.post("/v1/assess/batch?as_of=2026-12-15", json=data)
    assert many.json() == [json.loads(assess(c, as_of=day).model_dump_json()) for c in data]
    # the compiled core decided them
    calls: list[object] = []
    decide_case = _driver.decide_case
    monkeypatch.setattr(_driver, "decide_case", lambda *a: calls.append(a) or decide_case(*a))
    client.post("/v1/assess?as_of=2026-12-15", json=data[0])
    assert len(calls) == 1


def test_use_numba_without_numba_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from kongchuo_rules.cli import main

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "numba" else find_spec(name)
    )
    assert main(["serve", "--use-numba", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert "batch extra" in err
    assert "Traceback" not in err
