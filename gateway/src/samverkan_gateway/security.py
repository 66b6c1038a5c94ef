"""Headers every response carries, so a browser gives our pages the least room to be misused."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, request

from .problems import problem

# No inline script or style anywhere: styles come from /static, so the policy needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


# Deeper than any body this API takes; deep enough nesting would otherwise exhaust the parser's stack.
MAX_JSON_DEPTH = 32


def unacceptable(value: Any) -> str | None:
    """Why a parsed input cannot be stored, or None.

    PostgreSQL refuses NUL characters in text, and a lone surrogate ("\\ud800") cannot be encoded
    as UTF-8: both would fail deep inside a service (a 502), so the gateway refuses them at the door.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."
        if isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "Text may not contain NUL characters."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "Text must be valid Unicode (no lone surrogates)."
    return None


def _refuse_unstorable_input() -> Response | None:
    """Refuse, before any view runs, input that no service could store: 422, or 400 for absurd nesting.

    Query and path parameters are checked always; a JSON body when it is within the gateway-wide
    size cap (a route that accepts more checks its own size, and its schema its fields).
    """
    errors: dict[str, list[str]] = {}
    for name, value in [*request.args.items(multi=True), *(request.view_args or {}).items()]:
        reason = unacceptable(name) or unacceptable(value)
        if reason is not None:
            errors.setdefault(name.replace("\x00", "\\0"), []).append(reason)
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.is_json and (cap is None or (request.content_length or 0) <= cap):
        raw = request.get_data(cache=True)  # webargs reads the same cached bytes later
        try:
            body = json.loads(raw) if raw else None
        except RecursionError:
            return problem(400, "Bad Request", "BAD_REQUEST", "The JSON is nested too deeply.")
        except ValueError:
            body = None  # not JSON at all: the route's parser says so in its usual words
        reason = unacceptable(body)
        if reason is not None:
            status, title, code = (
                (400, "Bad Request", "BAD_REQUEST") if "nested" in reason else (422, "Invalid input", "INVALID_INPUT")
            )
            return problem(status, title, code, reason, {"json": [reason]})
    if errors:
        return problem(422, "Invalid input", "INVALID_INPUT", "A parameter holds text that cannot be stored.", errors)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable_input)

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
