"""The HTTP service (the ``server`` extra: FastAPI and uvicorn): ``kongchuo serve``.

- :func:`create_app` — the service as an ASGI app, to run under any ASGI server;
- :func:`serve` — run it with uvicorn, bound to 127.0.0.1 unless told otherwise;
- :func:`install_error_handlers` — problem+json errors without personal data for any FastAPI
  app, a vendor's own that takes a :class:`~kongchuo_rules.Case` as its body included.

See ``docs/server.md``.
"""

from __future__ import annotations

from kongchuo_rules.server.app import DEFAULT_DATE_RANGE, create_app
from kongchuo_rules.server.problems import (
    PROBLEM_MEDIA_TYPE,
    install_error_handlers,
    problem_document,
    problem_response,
)
from kongchuo_rules.server.run import serve

__all__ = [
    "DEFAULT_DATE_RANGE",
    "PROBLEM_MEDIA_TYPE",
    "create_app",
    "install_error_handlers",
    "problem_document",
    "problem_response",
    "serve",
]
