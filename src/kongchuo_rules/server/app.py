"""The HTTP service: the library's functions over JSON (PRODUCT.md §8), for front ends and
systems that do not speak Python.

Endpoints: ``POST /v1/assess`` and ``POST /v1/assess/batch`` (``?as_of=YYYY-MM-DD``),
``GET /v1/policy``, ``GET /v1/schema/{name}``, ``GET /v1/labels``, ``GET /healthz``, and the
OpenAPI document at ``/openapi.json``. Bodies are the library's JSON exactly: a case of
``kongchuo schema case`` in, ``Assessment.model_dump_json()`` out. Errors are problem documents
(:mod:`kongchuo_rules.server.problems`). No response and no log line holds a name, a national id,
a phone number or free text: the access log names the method, path, status, time and the case
ids only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic_core import from_json
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kongchuo_rules.assess import assess
from kongchuo_rules.case import Case, _case_id
from kongchuo_rules.errors import (
    CODES,
    ArgumentError,
    CaseError,
    KongchuoError,
    Problem,
    dates_out_of_range,
    error_payload,
    problem,
)
from kongchuo_rules.policy import Policy, PolicyFile, default_policy
from kongchuo_rules.schemas import SCHEMA_NAMES, SchemaName, json_schema, labels
from kongchuo_rules.server.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_SCHEMA,
    coded_error,
    install_error_handlers,
    problem_response,
    route_template,
)

__all__ = ["DEFAULT_DATE_RANGE", "AccessLog", "BatchError", "BodyLimit", "create_app"]

access_log = logging.getLogger("kongchuo_rules.server.access")

DEFAULT_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
"""The dates the service assesses by default: every date of a case and ``as_of`` in this range
(``out_of_range`` otherwise) — so that no request makes the calendar count centuries."""

_AS_OF = Annotated[
    str,
    Query(
        description="The day to assess (YYYY-MM-DD); only events on or before it count.",
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        json_schema_extra={"format": "date"},
        examples=["2026-12-15"],
    ),
]


def create_app(
    policy: Policy | None = None,
    *,
    max_body_bytes: int = 1_048_576,
    max_batch: int = 1000,
    date_range: tuple[dt.date, dt.date] = DEFAULT_DATE_RANGE,
    use_numba: bool = False,
) -> FastAPI:
    """The service as an ASGI app (FastAPI), assessing with ``policy`` (default: the bundled
    plan). Request bodies over ``max_body_bytes`` and batches over ``max_batch`` cases are
    refused (413); dates outside ``date_range`` are refused (422, ``out_of_range``).
    ``use_numba``: assess with the compiled rules core (``assess(..., use_numba=True)``, the
    ``batch`` extra), loaded — or compiled, about a minute — here, before the first request;
    an ``ImportError`` without numba."""
    from kongchuo_rules import __version__

    policy = policy or default_policy()
    if use_numba:
        _load_compiled_core(policy)
    app = FastAPI(
        title="kongchuo-rules",
        version=__version__,
        summary="控辍保学 rules as a service: a child's status, what must be done, by whom, by "
        "when, and which clause of the plan says so.",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_exception_handler(BatchError, _on_batch_error)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(AccessLog)

    policy_document = _policy_document(policy)
    health = {"status": "ok", "library_version": __version__, "policy_version": policy.version}

    @app.post(
        "/v1/assess",
        summary="Assess one case on a day",
        response_class=Response,
        responses=_responses("Assessment", 413, 415, 422),
        openapi_extra=_request_body({"$ref": "#/components/schemas/Case"}),
    )
    async def assess_one(request: Request, as_of: _AS_OF) -> Response:
        day = _parse_as_of(as_of)
        case = Case.model_validate_json(await _json_body(request))
        request.state.case_ids = [case.student.id]
        _check_dates(case, day, date_range)
        assessment = await run_in_threadpool(_assess, case, day, policy, use_numba)
        return Response(assessment, media_type="application/json")

    @app.post(
        "/v1/assess/batch",
        summary="Assess a list of cases on a day",
        response_class=Response,
        responses=_responses({"type": "array", "items": _ref("Assessment")}, 413, 415, 422),
        openapi_extra=_request_body(
            {"type": "array", "items": _ref("Case"), "maxItems": max_batch}
        ),
    )
    async def assess_many(request: Request, as_of: _AS_OF) -> Response:
        day = _parse_as_of(as_of)
        cases = _batch(await _json_body(request), max_batch)
        request.state.case_ids = [case.student.id for case in cases]
        problems: list[dict[str, Any]] = []
        for i, case in enumerate(cases):
            try:
                _check_dates(case, day, date_range)
            except CaseError as exc:
                problems += _batch_problems(i, case.student.id, exc.problems)
        if problems:
            raise BatchError(problems, len(cases))
        outputs = await run_in_threadpool(
            lambda: [_assess(c, day, policy, use_numba) for c in cases]
        )
        return Response("[" + ",".join(outputs) + "]", media_type="application/json")

    @app.get(
        "/v1/policy",
        summary="The policy in use: version, parameters, clauses and tables",
        response_class=JSONResponse,
        responses=_responses("PolicyDocument"),
    )
    async def get_policy() -> JSONResponse:
        return JSONResponse(policy_document)

    @app.get(
        "/v1/schema/{name}",
        summary="A JSON Schema (Draft 2020-12): case, assessment or policy",
        response_class=JSONResponse,
        responses=_responses({"type": "object"}, 422, media_type="application/schema+json"),
    )
    async def get_schema(name: SchemaName) -> JSONResponse:
        return JSONResponse(json_schema(name), media_type="application/schema+json")

    @app.get(
        "/v1/labels",
        summary="Every enum's values with their Chinese and English labels",
        response_class=JSONResponse,
        responses=_responses("Labels"),
    )
    async def get_labels() -> JSONResponse:
        return JSONResponse(labels())

    @app.get(
        "/healthz",
        summary="Liveness: the library and policy versions",
        response_class=JSONResponse,
        responses=_responses("Health"),
    )
    async def get_health() -> JSONResponse:
        return JSONResponse(health)

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# -- requests ---------------------------------------------------------------------------------


def _parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentError([problem("invalid_date", "as_of")]) from None


_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json\s*(?:;|$)", re.IGNORECASE)


async def _json_body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "")
    if not _JSON_TYPE.match(content_type):
        raise coded_error("unsupported_media_type")
    return await request.body()


def _batch(body: bytes, max_batch: int) -> list[Case]:
    try:
        data = from_json(body)
    except ValueError as exc:
        # the parser's words: what it expected, with line and column — never the text
        raise CaseError(None, [problem("invalid_json", None, "parser", error=str(exc))]) from None
    if not isinstance(data, list):
        raise CaseError(None, [problem("wrong_type", None, "list")])
    if len(data) > max_batch:
        zh, en = CODES["too_many_cases"]
        raise KongchuoError(
            f"{en}: {len(data)} (at most {max_batch})",
            code="too_many_cases",
            zh=f"{zh}：{len(data)} 个（最多 {max_batch} 个）",
        )
    cases: list[Case] = []
    problems: list[dict[str, Any]] = []
    for i, item in enumerate(data):
        try:
            cases.append(Case.model_validate(item))
        except CaseError as exc:
            problems += _batch_problems(i, _case_id(item), exc.problems)
    if problems:
        raise BatchError(problems, len(data))
    return cases


def _batch_problems(
    index: int, case_id: str | None, problems: tuple[Problem, ...]
) -> list[dict[str, Any]]:
    return [
        {
            **p.as_dict(),
            "field": f"{index}.{p.field}" if p.field else str(index),
            "index": index,
            "case_id": case_id,
        }
        for p in problems
    ]


class BatchError(KongchuoError):
    """Some cases of a batch are invalid: the problems carry each case's index and id."""

    def __init__(self, problems: list[dict[str, Any]], total: int) -> None:
        bad = len({p["index"] for p in problems})
        first = problems[0]
        super().__init__(
            f"{bad} of {total} case(s) invalid; first: {first['field']}: {first['en']}",
            code=first["code"],
            zh=f"{total} 个案例中有 {bad} 个无效；第一个：{first['field']}：{first['zh']}",
            field=first["field"],
            case_id=first["case_id"],
        )
        self.batch_problems = problems


async def _on_batch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BatchError)
    payload = error_payload(exc)
    payload["problems"] = exc.batch_problems
    return problem_response(payload, 422, request)


def _check_dates(case: Case, as_of: dt.date, date_range: tuple[dt.date, dt.date]) -> None:
    low, high = date_range
    bad = [path for path, day in _dates(case.model_dump(), "") if not low <= day <= high]
    if not low <= as_of <= high:
        bad.insert(0, "as_of")
    if bad:
        zh = f"日期须在 {low.isoformat()} 至 {high.isoformat()} 之间"
        en = f"dates must lie from {low.isoformat()} to {high.isoformat()}"
        raise CaseError(case.student.id, [Problem("out_of_range", path, zh, en) for path in bad])


def _dates(node: Any, path: str) -> Iterator[tuple[str, dt.date]]:
    if isinstance(node, dt.date):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _dates(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _dates(value, f"{path}.{i}")


def _assess(case: Case, as_of: dt.date, policy: Policy, use_numba: bool) -> str:
    with dates_out_of_range(case.student.id):
        return assess(case, as_of=as_of, policy=policy, use_numba=use_numba).model_dump_json()


_WARM_UP = {"student": {"id": "warm-up", "birth_date": "2015-05-03", "registered": True}}
_WARM_UP_DAY = dt.date(2026, 11, 2)  # any day: the assessment only loads the compiled core


def compiled_core_missing() -> str | None:
    """Why the service cannot assess with the compiled rules core here (the batch extra is
    not installed), or ``None`` when it can."""
    import importlib.util

    if any(importlib.util.find_spec(name) is None for name in ("numba", "numpy", "polars")):
        return "--use-numba needs the batch extra: pip install 'kongchuo-rules[batch,server]'"
    return None


def _load_compiled_core(policy: Policy) -> None:
    """Load the compiled rules core (or compile it) with one assessment; an ``ImportError``
    when the batch extra is missing."""
    missing = compiled_core_missing()
    if missing is not None:
        raise ImportError(missing)
    assess(_WARM_UP, as_of=_WARM_UP_DAY, policy=policy, use_numba=True)


def _policy_document(policy: Policy) -> dict[str, Any]:
    file = PolicyFile(
        policy=policy.meta,
        clauses=dict(policy.clauses),
        parameters=dict(policy.parameters),
        responsibilities=policy.responsibilities,
        routing=policy.routing,
        duties=policy.duties,
    )
    return {
        "id": policy.id,
        "version": policy.version,
        "changes": list(policy.changes),
        "file": file.model_dump(mode="json"),
    }


# -- middleware -------------------------------------------------------------------------------


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is refused with 413 before the app
    sees it (by its ``Content-Length``, or while it streams in)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        zh, en = CODES["request_too_large"]
        error = KongchuoError(
            f"{en} (at most {self.max_bytes} bytes)",
            code="request_too_large",
            zh=f"{zh}（最多 {self.max_bytes} 字节）",
        )
        response = problem_response(error, 413)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


class AccessLog:
    """ASGI middleware: one log line per request — method, route (its template, without the
    query string), status, milliseconds and the ids of the cases in the body; nothing else of
    the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        state = scope.setdefault("state", {})

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            ids = state.get("case_ids") or []
            shown = ",".join(ids[:20]) + (f",…(+{len(ids) - 20})" if len(ids) > 20 else "")
            access_log.info(
                "%s %s %d %.1fms cases=%s",
                scope["method"],
                route_template(scope) or "(no route)",
                status,
                (time.perf_counter() - start) * 1000,
                shown or "-",
            )


# -- the OpenAPI document ---------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


_STATUS_TEXT = {
    413: "Request body too large",
    415: "The body is not JSON",
    422: "Invalid input: the problems, each with its code, field and zh/en message",
}


def _responses(
    ok: str | dict[str, Any], *errors: int, media_type: str = "application/json"
) -> dict[int | str, dict[str, Any]]:
    schema = _ref(ok) if isinstance(ok, str) else ok
    problem = {"content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}}}
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": "OK", "content": {media_type: {"schema": schema}}}
    }
    for status in errors:
        out[status] = {"description": _STATUS_TEXT[status], **problem}
    return out


_EXTRA_COMPONENTS: dict[str, Any] = {
    "Problem": PROBLEM_SCHEMA,
    "PolicyDocument": {
        "type": "object",
        "required": ["id", "version", "changes", "file"],
        "properties": {
            "id": {"type": "string"},
            "version": {
                "type": "string",
                "description": "id@version+hash of the content: what assessments record.",
            },
            "changes": {"type": "array", "items": {"type": "string"}},
            "file": _ref("PolicyFile"),
        },
    },
    "Labels": {
        "type": "object",
        "description": "By enum name, each value's Chinese and English label.",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["zh", "en"],
                "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
            },
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "library_version", "policy_version"],
        "properties": {
            "status": {"const": "ok"},
            "library_version": {"type": "string"},
            "policy_version": {"type": "string"},
        },
    },
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description="Errors are RFC 9457 problem documents (`application/problem+json`) with "
        "a stable `code`, `zh` and `en` messages and the `field` at fault; no response holds "
        "personal data.",
        routes=app.routes,
    )
    components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for name in SCHEMA_NAMES:
        schema = json_schema(name)
        defs = schema.pop("$defs", {})
        for key in ("$schema", "$id"):
            schema.pop(key)
        defs[{"case": "Case", "assessment": "Assessment", "policy": "PolicyFile"}[name]] = schema
        for def_name, definition in _rewrite_refs(defs).items():
            if components.get(def_name, definition) != definition:
                raise RuntimeError(f"two different schemas named {def_name!r}")
            components[def_name] = definition
    components.update(_EXTRA_COMPONENTS)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {
                    "description": _STATUS_TEXT[422],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}},
                }
    document["components"]["schemas"] = dict(sorted(components.items()))
    app.openapi_schema = document
    return document


def _rewrite_refs(node: Any) -> Any:
    """``node`` with every reference to ``#/$defs/X`` pointing at ``#/components/schemas/X``."""
    if isinstance(node, dict):
        return {k: _rewrite_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    if isinstance(node, str) and node.startswith("#/$defs/"):
        return "#/components/schemas/" + node.removeprefix("#/$defs/")
    return node
