"""Errors as RFC 9457 problem documents (``application/problem+json``) with the library's
stable codes and zh/en messages — for the library's own errors, the framework's validation
errors and HTTP errors alike, never echoing the input.

``install_error_handlers(app)`` gives any FastAPI app (a vendor's own included) these
handlers: with it, a route whose body is a :class:`~kongchuo_rules.Case` answers a bad case
with the field and the problem, not with FastAPI's default 422 that repeats the input (national
id, phone) back to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kongchuo_rules.errors import (
    CODES,
    ArgumentError,
    CaseError,
    KongchuoError,
    Problem,
    error_payload,
    problems_from_details,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_SCHEMA",
    "CatchAll",
    "install_error_handlers",
    "problem_document",
    "problem_response",
    "route_template",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger("kongchuo_rules.server")

_HTTP_CODES = {
    400: "invalid_json",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
}

_STATUS_OF = {
    "request_too_large": 413,
    "unsupported_media_type": 415,
    "not_found": 404,
    "method_not_allowed": 405,
    "internal_error": 500,
}

_PROBLEM_ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["code", "field", "zh", "en"],
    "properties": {
        "code": {"type": "string", "description": "A stable error code (docs/errors.md)."},
        "field": {
            "type": ["string", "null"],
            "description": "Dotted path of the field at fault; null: the whole input.",
        },
        "zh": {"type": "string", "description": "The problem in Chinese."},
        "en": {"type": "string", "description": "The problem in English."},
        "index": {"type": "integer", "description": "For a batch: the case's position."},
        "case_id": {"type": ["string", "null"], "description": "For a batch: the case's id."},
    },
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document with the library's error code and messages. "
    "It never holds an input value.",
    "required": ["type", "title", "status", "detail", "code", "zh", "en", "errors"],
    "properties": {
        "type": {"type": "string", "description": "urn:kongchuo-rules:error:<code>"},
        "title": {"type": "string", "description": "The code's English title."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "The English message."},
        "instance": {"type": "string", "description": "The request path."},
        "code": {"type": "string", "description": "A stable error code (docs/errors.md)."},
        "zh": {"type": "string", "description": "The message in Chinese."},
        "en": {"type": "string", "description": "The message in English."},
        "field": {"type": ["string", "null"]},
        "case_id": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": _PROBLEM_ITEM},
    },
}
"""The JSON Schema of a problem document."""


def problem_document(
    payload: Mapping[str, Any], status: int, instance: str | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem document from an :func:`~kongchuo_rules.errors.error_payload`."""
    code = str(payload["code"])
    document: dict[str, Any] = {
        "type": f"urn:kongchuo-rules:error:{code}",
        "title": CODES.get(code, CODES["invalid_input"])[1],
        "status": status,
        "detail": payload["en"],
    }
    if instance is not None:
        document["instance"] = instance
    document.update(
        code=code,
        zh=payload["zh"],
        en=payload["en"],
        field=payload.get("field"),
        case_id=payload.get("case_id"),
        errors=list(payload.get("problems", ())),
    )
    return document


def problem_response(
    error: BaseException | Mapping[str, Any],
    status: int | None = None,
    request: Request | None = None,
) -> JSONResponse:
    """A ``problem+json`` response for an exception (any: see
    :func:`~kongchuo_rules.errors.error_payload`) or a ready payload. ``status`` defaults to
    the code's (422 for bad input, 500 for an unexpected error)."""
    payload = error if isinstance(error, Mapping) else error_payload(error)
    if status is None:
        status = _STATUS_OF.get(str(payload["code"]), 422)
    instance = route_template(request.scope) if request is not None else None
    return JSONResponse(
        problem_document(payload, status, instance),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def route_template(scope: Scope) -> str | None:
    """The path template of the route that answered (``/v1/schema/{name}``), never the path
    itself — a path can hold anything a client typed."""
    template = getattr(scope.get("route"), "path_format", None)
    return str(template) if template else None


def coded_error(
    code: str, message: str | None = None, *, field: str | None = None
) -> KongchuoError:
    """A :class:`KongchuoError` with ``code`` and its catalogue message (or ``message``)."""
    zh, en = CODES[code]
    return KongchuoError(message or en, code=code, zh=zh if message is None else None, field=field)


# -- handlers ---------------------------------------------------------------------------------

_WHERE = ("body", "query", "path", "header", "cookie")


async def _on_library_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(exc, request=request)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if loc and loc[0] in _WHERE:
            loc = loc[1:]
        if error.get("type") == "json_invalid":
            loc = ()  # FastAPI puts the character position there
        details.append({**{k: v for k, v in error.items() if k != "input"}, "loc": loc})
    from kongchuo_rules.case import Case, _case_id

    about_body = any(tuple(e.get("loc", ()))[:1] == ("body",) for e in exc.errors())
    problems: list[Problem] = problems_from_details(details, Case if about_body else None)
    error = CaseError(_case_id(exc.body), problems) if about_body else ArgumentError(problems)
    return problem_response(error, request=request)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "invalid_input")
    if exc.status_code >= 500:
        code = "internal_error"
    response = problem_response(coded_error(code), exc.status_code, request)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


class CatchAll:
    """ASGI middleware: an unexpected error becomes a bare 500 problem document, and only its
    kind is logged — its message and traceback could hold anything (the server would otherwise
    log both)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            log.error(
                "internal error %s on %s %s", type(exc).__name__, scope["method"], scope["path"]
            )
            if not started:
                response = problem_response(coded_error("internal_error"), 500)
                await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem document (``application/problem+json``):
    the library's errors and the framework's validation errors with 422 and the library's codes
    and zh/en messages (never the input), HTTP errors with their status, anything else with a
    bare 500 whose log line names only the error's kind.

    >>> from fastapi import FastAPI
    >>> app = FastAPI()
    >>> install_error_handlers(app)
    """
    app.add_exception_handler(KongchuoError, _on_library_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(CatchAll)
