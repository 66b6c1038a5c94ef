"""How gunicorn serves the gateway: ``gunicorn --config python:samverkan_gateway.serving --bind ADDRESS
samverkan_gateway.wsgi:app``, from ``make up``, the image, the test stacks and the benchmark alike.

The module-level names below are gunicorn settings. Beside them, the worker class: gunicorn answers a
request it cannot parse (a request line over its 4 KB limit, a header over 8 KB, more than 100
headers, bytes that are not HTTP) itself, before Flask sees it, in its own text/html. Its limits stay;
this worker writes those answers as the rest of the gateway writes every error, problem+json.

The arbiter imports this module to find the worker class, so it imports gunicorn (and the small
``samverkan_common.logs``) only; the Flask side (``problems``) is loaded in the workers, where the
application already is.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from http import HTTPStatus
from ssl import SSLError
from typing import Any

from gunicorn import util
from gunicorn.http.errors import (
    ChunkMissingTerminator,
    ConfigurationProblem,
    ExpectationFailed,
    ForbiddenProxyRequest,
    InvalidChunkExtension,
    InvalidChunkSize,
    InvalidH2CPreface,
    InvalidHeader,
    InvalidHeaderName,
    InvalidHTTPVersion,
    InvalidProxyLine,
    InvalidRequestLine,
    InvalidRequestMethod,
    InvalidResponseHeader,
    InvalidResponseHeaderName,
    InvalidSchemeHeaders,
    LimitRequestHeaders,
    LimitRequestLine,
    ObsoleteFolding,
    UnsupportedTransferCoding,
)
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker

from samverkan_common.logs import level_name

# One worker with 8 threads: the pod may use one core, which one worker fills (the work is waiting on
# RPC replies), and a second would only add ~80 MB; more load means more pods (the HPA).
worker_class = "samverkan_gateway.serving.ProblemWorker"
workers = 1
threads = 8
# Finish running requests on SIGTERM; the pod's grace period leaves room for it (deploy/k8s).
graceful_timeout = 20
# gunicorn's own lines (start, workers, signals) at the level of the rest: LOG_LEVEL, default INFO.
loglevel = level_name(os.environ.get("LOG_LEVEL")).lower()
# No control socket (gunicornc): nothing uses it, the image's user has no $HOME to put it in (read-only
# root), and test stacks running side by side would share one path.
control_socket_disable = True

MALFORMED = "The request is not valid HTTP/1.1 ({error})."
# What a request gunicorn refused was -> (status, code, what to tell the client: a template filled with
# the error and gunicorn's settings). The statuses are gunicorn's own
# (gunicorn.workers.base.Worker.handle_error); a test holds them equal.
CLIENT_ERRORS: dict[type[BaseException], tuple[int, str, str]] = {
    InvalidRequestLine: (400, "BAD_REQUEST", MALFORMED),
    InvalidRequestMethod: (400, "BAD_REQUEST", MALFORMED),
    InvalidHTTPVersion: (400, "BAD_REQUEST", MALFORMED),
    InvalidHeader: (400, "BAD_REQUEST", MALFORMED),
    InvalidHeaderName: (400, "BAD_REQUEST", MALFORMED),
    ObsoleteFolding: (400, "BAD_REQUEST", MALFORMED),
    InvalidSchemeHeaders: (400, "BAD_REQUEST", MALFORMED),
    InvalidChunkSize: (400, "BAD_REQUEST", MALFORMED),
    ChunkMissingTerminator: (400, "BAD_REQUEST", MALFORMED),
    InvalidChunkExtension: (400, "BAD_REQUEST", MALFORMED),
    InvalidH2CPreface: (400, "BAD_REQUEST", MALFORMED),
    InvalidProxyLine: (400, "BAD_REQUEST", "The PROXY protocol line is not valid ({error})."),
    LimitRequestLine: (
        414,
        "URI_TOO_LONG",
        "The request line (method, path and query string) is longer than the {cfg.limit_request_line} "
        "bytes this server reads; shorten it.",
    ),
    LimitRequestHeaders: (
        431,
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
        "The request has more than {cfg.limit_request_fields} headers, or one longer than "
        "{cfg.limit_request_field_size} bytes.",
    ),
    ExpectationFailed: (417, "EXPECTATION_FAILED", "This server cannot meet the request's Expect header."),
    UnsupportedTransferCoding: (501, "NOT_IMPLEMENTED", "This server does not support that Transfer-Encoding."),
    ForbiddenProxyRequest: (403, "FORBIDDEN", "This server takes no PROXY requests from this address."),
    SSLError: (403, "FORBIDDEN", "The TLS connection failed."),
    # A server setting refuses the request: gunicorn says 500, and the details are ours to keep.
    ConfigurationProblem: (500, "INTERNAL_ERROR", ""),
}
# A header the application tried to send is the application's fault, not the client's (these
# subclass InvalidHeader and InvalidHeaderName, so they are looked for first).
APPLICATION_FAULTS = (InvalidResponseHeader, InvalidResponseHeaderName)
# As the Flask side answers an unexpected error (problems.init_app): the cause stays in our log.
INTERNAL = (500, "INTERNAL_ERROR", "")


def is_client_error(error: BaseException) -> bool:
    """Whether gunicorn refused the request for what it was (logged as a warning, not a failure of ours)."""
    return not isinstance(error, APPLICATION_FAULTS) and any(cls in CLIENT_ERRORS for cls in type(error).__mro__)


def answer_for(error: BaseException, cfg: Any) -> tuple[int, str, str]:
    """The status, code and detail of the problem that answers a request gunicorn could not serve."""
    if not is_client_error(error):
        return INTERNAL
    status, code, template = next(CLIENT_ERRORS[cls] for cls in type(error).__mro__ if cls in CLIENT_ERRORS)
    # The body is JSON, so whatever the client sent comes back escaped.
    return status, code, template.format(error=error, cfg=cfg)


def reason(status: int) -> str:
    """The reason phrase, as RFC 9110 names it (Python 3.11 still says "Request-URI Too Long")."""
    return {414: "URI Too Long"}.get(status) or HTTPStatus(status).phrase


def problem_bytes(status: int, code: str, detail: str) -> bytes:
    """A whole HTTP/1.1 response carrying the problem, built as the Flask side builds it; it closes the connection."""
    from .problems import problem  # in a worker, already imported with the application
    from .security import HEADERS

    if status == 500:
        # The body problems.init_app gives an unexpected error.
        response = problem(500, "Internal error", "INTERNAL_ERROR", "Something went wrong on our side.")
    else:
        response = problem(status, reason(status), code, detail)
    body = response.get_data()
    headers = {
        **HEADERS,
        "Content-Type": response.content_type or "application/problem+json",
        "Content-Length": str(len(body)),
        # gunicorn stopped reading this request part way: nothing after it on the connection can be read.
        "Connection": "close",
    }
    head = f"HTTP/1.1 {status} {reason(status)}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return (head + "\r\n").encode("latin-1") + body


class ProblemWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker (gthread), answering what it refuses below Flask in problem+json."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """As gunicorn's ``Worker.handle_error`` (logs, access log), writing problem+json instead of HTML."""
        request_start = datetime.now()
        addr = addr or ("", -1)  # a unix socket
        status, code, detail = answer_for(exc, self.cfg)
        if is_client_error(exc):
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
            if req is None and isinstance(exc, (InvalidHeader, InvalidHeaderName)):
                req = getattr(exc, "req", None)  # for the access log
        elif getattr(req, "uri", None) is not None:
            self.log.exception("Error handling request %s %s", getattr(req, "method", ""), req.uri)
        else:
            self.log.exception("Error handling request (no URI read)")
        data = problem_bytes(status, code, detail)
        if req is not None:
            environ = default_environ(req, client, self.cfg)
            environ["REMOTE_ADDR"] = addr[0]
            environ["REMOTE_PORT"] = str(addr[1])
            response = Response(req, client, self.cfg)
            response.status = f"{status} {reason(status)}"
            response.response_length = len(data)
            self.log.access(response, req, environ, datetime.now() - request_start)
        try:
            util.write_nonblock(client, data)
        except Exception:  # noqa: BLE001 - the client went away; nothing more to tell it
            self.log.debug("Failed to send error message.")
