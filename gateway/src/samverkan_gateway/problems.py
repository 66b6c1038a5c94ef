"""Every error leaves the gateway from one table: a page for a person, problem+json for a program.

``ERROR_STATUS`` maps each error class to its HTTP status and both of its renderings: the title
and code of the ``application/problem+json`` body (RFC 9457) and the title, the sentence of what
happened and the sentence of what to do on the HTML page. It is the one place: the API routes, the
pages, CSRF (``CSRFError``), the rate limits (``RateLimited`` is werkzeug's ``TooManyRequests``)
and any werkzeug ``HTTPException`` (``abort(404)``, an unknown URL, a body too large) all end here.
A class not in the table is found by its nearest base class in it; anything else is a 500.

Page or problem+json, decided by the request:

- a path under ``/api/``, ``/feeds/``, ``/healthz``, ``/readyz`` or ``/metrics`` always gets
  problem+json (programs and calendar apps read these; ``/api/docs`` too);
- any other path gets the HTML page, in the person's language and with the menu, unless its
  ``Accept`` header prefers JSON (``application/json`` or ``application/problem+json``) to
  ``text/html``; no ``Accept`` or ``*/*`` is a browser's answer, so a page.

A page never shows the error's own detail (English, written for developers); the log keeps it.
When a retry is worth it the answer says so in ``Retry-After`` (503: 5 seconds; a rate limit:
its own wait), and the page says in words how long to wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, g, json, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from sqlalchemy.exc import OperationalError
from werkzeug import exceptions as http

from samverkan_common.errors import Conflict, Forbidden, Invalid, NotFound, SamverkanError, Unavailable

from .rpc import BrokerUnavailable, RemoteFailure, RpcTimeout

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://samverkan.example.org/problems/"
PROBLEM_JSON = "application/problem+json"
# Paths that programs read: always problem+json, whatever the Accept header says.
MACHINE_PREFIXES = ("/api/", "/feeds/", "/healthz", "/readyz", "/metrics")
# Seconds a client should wait before trying a service that is away again.
RETRY_UNAVAILABLE = 5


@dataclass(frozen=True)
class Page:
    """What a person reads instead of an error: a heading, what happened, and what to do now."""

    title: Any  # lazy strings, translated when the page is shown
    happened: Any
    next_step: Any


@dataclass(frozen=True)
class ErrorRendering:
    """One row of the table: the status, the problem+json title and code, and the page."""

    status: int | None  # None: the HTTPException's own status
    title: str
    code: str
    page: Page
    detail: str = ""  # problem+json detail instead of the error's own ({retry_after} is filled in)
    retry_after: int | None = None  # Retry-After when the error does not carry its own


BAD_REQUEST_PAGE = Page(
    _l("The request could not be understood"),
    _l("Something in the address or the form was wrong, so we could not do what you asked."),
    _l("Go back and try again, or start again from the start page."),
)
CSRF_PAGE = Page(
    _l("The form could not be sent"),
    _l("The page you sent the form from was too old, or it did not come from this site. Nothing was saved."),
    _l("Go back, reload the page and try again."),
)
UNAUTHORIZED_PAGE = Page(
    _l("You need to log in"),
    _l("This page is only for people who are logged in."),
    _l("Log in and try again."),
)
FORBIDDEN_PAGE = Page(
    _l("You may not do this"),
    _l(
        "Your account may not see this page or do what you asked. "
        "An organisation's representative may change only their own organisation."
    ),
    _l("Go back, or log in with another account. Ask the secretariat if you need access."),
)
NOT_FOUND_PAGE = Page(
    _l("Page not found"),
    _l("We cannot find what you are looking for. The address may be wrong, or the page may have been removed."),
    _l("Check the address, or find your way from the menu or the start page."),
)
METHOD_NOT_ALLOWED_PAGE = Page(
    _l("This cannot be done here"),
    _l("The page cannot be used in the way your browser asked."),
    _l("Go back to the page and use its buttons and links."),
)
CONFLICT_PAGE = Page(
    _l("The change could not be made"),
    _l("Something was changed at the same time, or the change does not fit how things are now."),
    _l("Reload the page to see how things are now, and try again."),
)
GONE_PAGE = Page(
    _l("This is no longer available"),
    _l("The link is too old, or it has been used already."),
    _l("Start again from the start page, or ask for a new link."),
)
TOO_LARGE_PAGE = Page(
    _l("Too much was sent"),
    _l("The form or the file you sent is larger than we can take."),
    _l("Send less at a time, or a smaller file, and try again."),
)
UNSUPPORTED_PAGE = Page(
    _l("What was sent could not be read"),
    _l("We cannot read what you sent in that format."),
    _l("Go back and try again with the page's own form."),
)
INVALID_PAGE = Page(
    _l("The information could not be used"),
    _l("Something in what you sent does not follow the rules, so nothing was saved."),
    _l("Go back, check what you wrote and try again."),
)
TOO_MANY_PAGE = Page(
    _l("Too many attempts"),
    _l("There have been too many attempts in a short time, so we are pausing for a while."),
    _l("Wait a while and try again."),
)
INTERNAL_PAGE = Page(
    _l("Something went wrong on our side"),
    _l("The page could not be shown because of an error in our service. It is not your fault."),
    _l("Try again in a little while. If it keeps happening, tell the secretariat."),
)
FAILED_PAGE = Page(
    _l("A part of the service failed"),
    _l("A part of the service that this page needs did not work. Nothing you did caused it."),
    _l("Try again in a little while."),
)
UNAVAILABLE_PAGE = Page(
    _l("Temporarily unavailable"),
    _l("The service is not available right now."),
    _l("Try again in a little while."),
)
TIMEOUT_PAGE = Page(
    _l("The answer took too long"),
    _l(
        "A part of the service did not answer in time, so the page could not be shown. "
        "If you sent a form, it may or may not have been saved."
    ),
    _l("Look at the page again in a little while before you send anything again."),
)
OTHER_PAGE = Page(
    _l("The request could not be handled"),
    _l("Something about the request stopped us from doing what you asked."),
    _l("Go back and try again, or start again from the start page."),
)

# A service, the broker or the gateway's database away for now: one answer, whichever it is.
SERVICE_UNAVAILABLE = ErrorRendering(
    503,
    "The service is unavailable; try again shortly",
    "SERVICE_UNAVAILABLE",
    UNAVAILABLE_PAGE,
    retry_after=RETRY_UNAVAILABLE,
)

# The one table: each error -> its status, its problem+json title and code, and its page.
# Looked up along the error's class hierarchy, nearest class first.
ERROR_STATUS: dict[type[Exception], ErrorRendering] = {
    # The shared errors that cross RPC from the services (their own code and detail go in the body).
    NotFound: ErrorRendering(404, "Not found", "NOT_FOUND", NOT_FOUND_PAGE),
    Conflict: ErrorRendering(409, "Conflict", "CONFLICT", CONFLICT_PAGE),
    Invalid: ErrorRendering(422, "Invalid input", "INVALID", INVALID_PAGE),
    Forbidden: ErrorRendering(403, "Forbidden", "FORBIDDEN", FORBIDDEN_PAGE),
    Unavailable: SERVICE_UNAVAILABLE,
    # The broker and RPC.
    RpcTimeout: ErrorRendering(504, "The service did not answer in time", "SERVICE_TIMEOUT", TIMEOUT_PAGE),
    BrokerUnavailable: SERVICE_UNAVAILABLE,
    RemoteFailure: ErrorRendering(502, "The service failed", "SERVICE_FAILED", FAILED_PAGE),
    # The gateway's own database (people, sessions, API tokens) away for a moment.
    OperationalError: SERVICE_UNAVAILABLE,
    # A form or a cookie-borne API write without the page's CSRF token (Flask-WTF; a BadRequest).
    CSRFError: ErrorRendering(
        400,
        "Bad Request",
        "CSRF_FAILED",
        CSRF_PAGE,
        detail="A write with a session cookie needs the page's CSRF token in the X-CSRFToken header.",
    ),
    # werkzeug's HTTP errors: abort(), an unknown URL or method, a body too large, the schemas' 422.
    http.BadRequest: ErrorRendering(400, "Bad Request", "BAD_REQUEST", BAD_REQUEST_PAGE),
    http.Unauthorized: ErrorRendering(401, "Unauthorized", "UNAUTHORIZED", UNAUTHORIZED_PAGE),
    http.Forbidden: ErrorRendering(403, "Forbidden", "FORBIDDEN", FORBIDDEN_PAGE),
    http.NotFound: ErrorRendering(404, "Not Found", "NOT_FOUND", NOT_FOUND_PAGE),
    http.MethodNotAllowed: ErrorRendering(405, "Method Not Allowed", "METHOD_NOT_ALLOWED", METHOD_NOT_ALLOWED_PAGE),
    http.Conflict: ErrorRendering(409, "Conflict", "CONFLICT", CONFLICT_PAGE),
    http.Gone: ErrorRendering(410, "Gone", "GONE", GONE_PAGE),
    http.RequestEntityTooLarge: ErrorRendering(413, "Request Entity Too Large", "PAYLOAD_TOO_LARGE", TOO_LARGE_PAGE),
    http.UnsupportedMediaType: ErrorRendering(
        415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED_PAGE
    ),
    http.UnprocessableEntity: ErrorRendering(422, "Unprocessable Entity", "INVALID_INPUT", INVALID_PAGE),
    # The rate limits raise ratelimit.RateLimited, a TooManyRequests that knows how long to wait.
    http.TooManyRequests: ErrorRendering(
        429,
        "Too many requests",
        "TOO_MANY_REQUESTS",
        TOO_MANY_PAGE,
        detail="Too many attempts; try again in {retry_after} seconds.",
    ),
    http.InternalServerError: ErrorRendering(500, "Internal error", "INTERNAL_ERROR", INTERNAL_PAGE),
    http.BadGateway: ErrorRendering(502, "The service failed", "SERVICE_FAILED", FAILED_PAGE),
    http.ServiceUnavailable: SERVICE_UNAVAILABLE,
    http.GatewayTimeout: ErrorRendering(504, "The service did not answer in time", "SERVICE_TIMEOUT", TIMEOUT_PAGE),
    # Any other HTTP error keeps its own status.
    http.HTTPException: ErrorRendering(None, "HTTP error", "HTTP_ERROR", OTHER_PAGE),
    # Anything else is our fault: the cause stays in our log, the client gets a plain sentence.
    Exception: ErrorRendering(
        500, "Internal error", "INTERNAL_ERROR", INTERNAL_PAGE, detail="Something went wrong on our side."
    ),
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


def rendering_of(error: BaseException) -> ErrorRendering:
    """The table's row for ``error``: its own class's, else its nearest base class's."""
    return next(ERROR_STATUS[cls] for cls in type(error).__mro__ if cls in ERROR_STATUS)


def page_for(status: int) -> Page:
    """The page the table shows for ``status`` (its first row with it), for templates that show one."""
    return next(row.page for row in ERROR_STATUS.values() if row.status == status)


def wants_page() -> bool:
    """Whether this request's error is answered with an HTML page (see the module's docstring)."""
    if request.path.startswith(MACHINE_PREFIXES):
        return False
    best = request.accept_mimetypes.best_match(["text/html", PROBLEM_JSON, "application/json"], default="text/html")
    return best == "text/html"


def render_error(error: Exception) -> Response:
    """Answer ``error`` from the table: a page for a person, problem+json for a program."""
    row = rendering_of(error)
    status = row.status or getattr(error, "code", None) or 500
    if row is ERROR_STATUS[Exception]:
        log.exception("unhandled error")
    elif not isinstance(error, SamverkanError | http.HTTPException):
        log.warning("%s: %s", row.code, error)  # the cause stays in our log; the client gets a plain sentence
    own_wait = getattr(error, "retry_after", None)
    own_wait = own_wait if isinstance(own_wait, int) else None
    headers = _headers(error)
    wait = own_wait or row.retry_after
    if wait:
        headers["Retry-After"] = str(wait)  # tell clients and proxies when a retry is worth it
    if wants_page():
        return _page(row.page, status, headers, own_wait)
    return _problem(error, row, status, headers, wait)


def _headers(error: Exception) -> dict[str, str]:
    """What an HTTP error says besides its body: Allow on a 405, WWW-Authenticate, flask-smorest's own."""
    headers: dict[str, str] = {}
    if isinstance(error, http.HTTPException):
        headers.update((name, value) for name, value in error.get_headers() if name.lower() != "content-type")
        data = getattr(error, "data", None) or {}
        headers.update(data.get("headers") or {})
    return headers


def _problem(error: Exception, row: ErrorRendering, status: int, headers: dict[str, str], wait: int | None) -> Response:
    if isinstance(error, SamverkanError):
        return problem(status, row.title, error.code, error.detail, error.errors, headers)
    title = row.title if row.status else getattr(error, "name", row.title)
    if not isinstance(error, http.HTTPException):
        return problem(status, title, row.code, row.detail, headers=headers)
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= WEBARGS_LOCATIONS:
        errors = _by_field(errors)
    detail = row.detail
    if "{retry_after}" in detail:
        detail = detail.format(retry_after=wait) if wait else ""
    detail = detail or data.get("message") or error.description or ""
    return problem(status, title, row.code, detail, errors, headers)


def _page(page: Page, status: int, headers: dict[str, str], own_wait: int | None) -> Response:
    next_step = page.next_step
    if own_wait:  # the error knows how long: say it in minutes, rounded up
        minutes = max(1, (own_wait + 59) // 60)
        next_step = (
            _("Wait %(minutes)d minutes and try again.", minutes=minutes)
            if minutes > 1
            else _("Wait a minute and try again.")
        )
    context = {"error": page, "status": status, "next_step": next_step}
    try:
        body = render_template("pages/error.html", **context)
    except Exception:
        # The menu names the person logged in; with the gateway's database away it cannot.
        log.exception("the error page could not be shown with the person; shown without")
        g.person = None
        body = render_template("pages/error.html", **context)
    response = Response(body, status=status, mimetype="text/html", headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


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


def init_app(app: Flask) -> None:
    # After flask-smorest's Api(app), so that these replace its JSON errors.
    for error_class in ERROR_STATUS:
        app.register_error_handler(error_class, render_error)
    app.jinja_env.globals["error_page_for"] = page_for
