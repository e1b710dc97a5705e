"""Running the service with uvicorn: loopback by default, the library's access log (case ids
only) instead of uvicorn's (which would log query strings and client addresses)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from kongchuo_rules.policy import Policy

__all__ = ["LOG_CONFIG", "serve"]

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "kongchuo_rules.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
"""Logging for :func:`serve`: the service's own logs and uvicorn's start/stop messages on
stderr; uvicorn's access log off (the service writes its own, without query strings)."""


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    policy: Policy | None = None,
    max_body_bytes: int = 1_048_576,
    max_batch: int = 1000,
    log_level: str = "info",
    root_path: str = "",
    use_numba: bool = False,
) -> None:
    """Run the service until interrupted (uvicorn). ``root_path``: the path prefix a gateway
    serves it under (see ``docs/server.md``); ``use_numba``: assess with the compiled rules
    core, loaded before the service listens."""
    import uvicorn

    from kongchuo_rules.server.app import create_app

    app = create_app(
        policy, max_body_bytes=max_body_bytes, max_batch=max_batch, use_numba=use_numba
    )
    config = dict(LOG_CONFIG)
    config["loggers"] = {
        name: {**spec, "level": spec["level"] if name == "uvicorn.access" else log_level.upper()}
        for name, spec in LOG_CONFIG["loggers"].items()
    }
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=config,
        access_log=False,
        server_header=False,
        root_path=root_path,
        proxy_headers=False,
    )


def main() -> None:  # pragma: no cover - ``python -m kongchuo_rules.server``
    from kongchuo_rules.cli import main as cli

    raise SystemExit(cli(["serve", *sys.argv[1:]]))


logging.getLogger("kongchuo_rules.server").addHandler(logging.NullHandler())
