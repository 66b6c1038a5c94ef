"""Every error leaves the gateway as ``application/problem+json`` (RFC 9457), from one table."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, json
from marshmallow import Schema, fields
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from samverkan_common.errors import Conflict, Forbidden, Invalid, NotFound, SamverkanError, Unavailable

from .rpc import BrokerUnavailable, RemoteFailure, RpcTimeout

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://samverkan.example.org/problems/"
PROBLEM_JSON = "application/problem+json"

# The one table: an error that crosses RPC or the broker -> (HTTP status, title, code).
ERROR_STATUS: dict[type[Exception], tuple[int, str, str]] = {
    NotFound: (404, "Not found", "NOT_FOUND"),
    Conflict: (409, "Conflict", "CONFLICT"),
    Invalid: (422, "Invalid input", "INVALID"),
    Forbidden: (403, "Forbidden", "FORBIDDEN"),
    Unavailable: (503, "The service is unavailable; try again shortly", "SERVICE_UNAVAILABLE"),
    RpcTimeout: (504, "The service did not answer in time", "SERVICE_TIMEOUT"),
    BrokerUnavailable: (503, "The service is unavailable; try again shortly", "SERVICE_UNAVAILABLE"),
    RemoteFailure: (502, "The service failed", "SERVICE_FAILED"),
    # The gateway's own database (API tokens) away for a moment.
    OperationalError: (503, "The service is unavailable; try again shortly", "SERVICE_UNAVAILABLE"),
}


class ProblemSchema(Schema):
    """The body of every error response."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.Dict(keys=fields.String(), metadata={"description": "Messages per field."})


class ProblemResponses:
    """Mixed into flask-smorest's ``Api``: document error responses as what they are, problem+json.

    flask-smorest registers one reusable response per HTTP status (``UNAUTHORIZED``,
    ``UNPROCESSABLE_ENTITY``, ...) and ``DEFAULT_ERROR`` with its default content type,
    application/json; every error this gateway sends is application/problem+json.
    """

    DEFAULT_RESPONSE_CONTENT_TYPE: str
    spec: Any

    def _register_responses(self) -> None:
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON  # on the instance, for these responses only
        try:
            super()._register_responses()  # type: ignore[misc]
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.spec.plugins.append(ProblemStatuses())


class ProblemStatuses(BasePlugin):
    """Name, per operation, the errors it can answer with (beside ``default``), from the one table above.

    Every operation may meet a service that is away (503), slow (504) or failing (502); one with a
    path parameter may find nothing (404); one with a body may get one too large (413) or, as a
    write, conflict with the current state (409). 401 and 403 come from ``auth.requires``, 422
    from the request schemas.
    """

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            statuses = [502, 503, 504]
            if "{" in (path or ""):
                statuses.append(404)
            if method in {"post", "put", "patch", "delete"}:
                statuses.append(409)
            if "requestBody" in operation:
                statuses.append(413)
            for status in statuses:
                responses.setdefault(status, HTTPStatus(status).name)


def problem(
    status: int,
    title: str,
    code: str,
    detail: str = "",
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_error(error: Exception) -> Response:
    status, title, code = next(ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in ERROR_STATUS)
    # Tell clients and proxies when a retry is worth it.
    headers = {"Retry-After": "5"} if status == 503 else None
    if isinstance(error, SamverkanError):
        return problem(status, title, error.code, error.detail, error.errors, headers)
    log.warning("%s: %s", code, error)
    # The cause stays in our log; the client gets a plain sentence.
    return problem(status, title, code, headers=headers)


WEBARGS_LOCATIONS = {"json", "query", "view_args", "headers", "form", "files", "cookies"}


def _by_field(by_location: dict[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location; the client wants the field names.

    A message about the whole body (such as invalid JSON) stays under its location.
    """
    errors: dict[str, Any] = {}
    for location, messages in by_location.items():
        if isinstance(messages, dict):
            errors.update(messages)
        else:
            errors[location] = messages
    return errors


def _from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= WEBARGS_LOCATIONS:
        errors = _by_field(errors)
    code = {
        400: "BAD_REQUEST",
        401: "UNAUTHORIZED",
        403: "FORBIDDEN",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        413: "PAYLOAD_TOO_LARGE",
        415: "UNSUPPORTED_MEDIA_TYPE",
        422: "INVALID_INPUT",
    }.get(status, "HTTP_ERROR")
    detail = data.get("message") or error.description or ""
    return problem(status, error.name, code, detail, errors, data.get("headers"))


def init_app(app: Flask) -> None:
    for error_class in ERROR_STATUS:
        app.register_error_handler(error_class, from_error)
    app.register_error_handler(HTTPException, _from_http_exception)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return problem(500, "Internal error", "INTERNAL_ERROR", "Something went wrong on our side.")
