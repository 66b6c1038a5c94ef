"""Structured logs: one JSON object per line, each carrying the request id it belongs to.

The gateway gives every HTTP request an id (the caller's ``X-Request-Id`` when it
is well formed, else a new one). It travels to the services as nameko context
data (the AMQP header ``nameko.request_id``), nameko passes it on in every RPC
and event a worker sends, and the outbox keeps it in the envelope so that the
relay publishes the event with the same header. Grep one id to follow a request.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The nameko context key (header ``nameko.request_id``) and the HTTP header.
CONTEXT_KEY = "request_id"
HEADER = "X-Request-Id"

# What we accept from a caller: short, and nothing that could forge a log line or a header.
_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

# Per green thread under eventlet (greenlet gives each its own context), per thread in the gateway.
_request_id: ContextVar[str | None] = ContextVar("samverkan_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def valid_request_id(value: object) -> str | None:
    """``value`` if it is an acceptable request id, else None."""
    if isinstance(value, str) and _VALID.match(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request this code runs for, if any."""
    return _request_id.get()


@contextmanager
def request_context(request_id: str | None) -> Iterator[None]:
    """Run a block as part of ``request_id``: its log lines, RPCs and events carry it."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def bind_request_id(request_id: str | None) -> Any:
    """Set the current request id; returns a token for :func:`unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(token: Any) -> None:
    _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, service, request_id, extras.

    Use it from ``logging.config.dictConfig`` (nameko's ``LOGGING`` key) with
    ``"()": samverkan_common.logs.JsonFormatter`` and ``service: <name>``.
    """

    def __init__(self, service: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "request_id": getattr(record, CONTEXT_KEY, None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


# The levels LOG_LEVEL may name (any case); INFO when it is unset or empty.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LEVEL = "INFO"


def level_name(value: object, setting: str = "LOG_LEVEL") -> str:
    """The level ``value`` names (``debug`` -> ``DEBUG``; unset or empty: INFO); a clear error if none."""
    name = DEFAULT_LEVEL if value is None or value == "" else str(value).strip().upper()
    if name not in LEVELS:
        raise ValueError(f"{setting}={value!r} is not a log level: use one of {', '.join(LEVELS)}")
    return name


def stderr_handler(service: str, log_level: object = None) -> logging.Handler:
    """JSON lines on stderr, and the process logging at ``log_level`` (LOG_LEVEL, default INFO).

    The handler factory of every service's nameko ``LOGGING`` (``"()": samverkan_common.logs.stderr_handler``):
    nameko applies that config before it imports the service, so a LOG_LEVEL that is not a level stops
    the process at start-up with a message that names it.
    """
    level = level_name(log_level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service=service))
    # The root logger's level, not the handler's: then a debug line below it is never even built.
    logging.getLogger().setLevel(level)
    return handler
