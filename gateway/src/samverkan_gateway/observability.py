"""Request ids, JSON access logs and Prometheus metrics for the gateway.

Every request gets an id: the caller's ``X-Request-Id`` when it is well formed,
else a new one. It is returned in the response's ``X-Request-Id``, written on
each log line, and sent to the services with every RPC (nameko context data),
so one id follows a request through every component's logs.

The access log names the route's rule (``/feeds/personal/<token>.ics``), never
the path, the query or any header: paths can hold secret links, and headers
hold bearer tokens.

``/metrics`` (Prometheus text format) answers only requests that did not come
through a proxy: the Ingress controller always adds ``X-Forwarded-For``, so the
public internet gets 404 while Prometheus, scraping the pod directly, gets the
figures (the NetworkPolicy admits it to the pod port). Under gunicorn with
several workers, set ``PROMETHEUS_MULTIPROC_DIR`` to a writable, emptied
directory so that the figures of every worker are summed.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from samverkan_common.logs import (
    HEADER,
    JsonFormatter,
    bind_request_id,
    level_name,
    new_request_id,
    unbind_request_id,
)
from samverkan_common.logs import valid_request_id as valid

access_log = logging.getLogger("samverkan_gateway.access")

HTTP_REQUESTS = Counter(
    "samverkan_gateway_requests_total", "HTTP requests by method, route and status.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "samverkan_gateway_request_duration_seconds",
    "Time to answer an HTTP request, by method, route and status.",
    ["method", "route", "status"],
)
RPC_SECONDS = Histogram(
    "samverkan_gateway_rpc_duration_seconds",
    "Time a service took to answer the gateway, by service, method and outcome.",
    ["service", "method", "outcome"],
)

UNMATCHED = "<unmatched>"  # one label for every path no route knows, so a scanner cannot grow the series


def route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


TOKEN_KEY = "samverkan.request_id_token"


def init_app(app: Flask) -> None:
    _log_as_json(app.config.get("LOG_LEVEL"))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

    @app.before_request
    def _begin() -> None:
        g.request_id = valid(request.headers.get(HEADER)) or new_request_id()
        # Kept with the request, not in g: a request served inside another in the same thread (a test's
        # nested call) shares the app context's g, and would leave the outer id bound behind it.
        request.environ[TOKEN_KEY] = bind_request_id(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # a request that failed before _begin ran
            return response
        response.headers[HEADER] = request_id
        elapsed = time.perf_counter() - g.request_started
        labels = (request.method, route(), str(response.status_code))
        HTTP_REQUESTS.labels(*labels).inc()
        HTTP_SECONDS.labels(*labels).observe(elapsed)
        access_log.info(
            "%s %s %s",
            *labels,
            extra={
                "request_id": request_id,
                "method": labels[0],
                "route": labels[1],
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )
        return response

    @app.teardown_request
    def _end(_error: BaseException | None) -> None:
        token = request.environ.pop(TOKEN_KEY, None)
        if token is not None:
            unbind_request_id(token)

    app.add_url_rule("/metrics", "metrics", metrics)


def metrics() -> Response:
    """The Prometheus exposition, for scrapers inside the cluster only."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return Response("Not Found\n", status=404, mimetype="text/plain")
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> Any:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def _log_as_json(log_level: object) -> None:
    """Give the process JSON log lines on stderr at LOG_LEVEL (default INFO; anything else that is not
    a level stops the start), unless something (a test runner) configured logging."""
    level = level_name(log_level)
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service="gateway"))
    root.addHandler(handler)
    root.setLevel(level)
    # A line per channel opened is noise, unless someone asked for every line.
    logging.getLogger("pika").setLevel(level if level == "DEBUG" else max(logging.WARNING, root.level))
