"""Liveness, readiness and the services' status, as Kubernetes probes and operators read them.

- ``/healthz``: the process is alive.
- ``/readyz``: this pod can serve: its own broker connection and its own database answer. It never
  asks the services, so one service that is away (a notifier crash-looping) does not take every
  gateway pod out of the Service: public pages and feeds that do not need it keep answering, and the
  pages that do say so on the page.
- ``/status``: how each service answers the gateway right now (up or away, and how fast), for people
  and monitors; the same figures are the ``samverkan_gateway_dependency_up`` and
  ``samverkan_gateway_dependency_seconds`` gauges in ``/metrics``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from prometheus_client import Gauge
from sqlalchemy import text

from .rpc import BrokerUnavailable, RemoteFailure, RpcTimeout
from .services import SERVICES

blp = Blueprint("health", __name__)

DEPENDENCY_UP = Gauge(
    "samverkan_gateway_dependency_up",
    "1 when the service answered its last health check from this gateway in time, else 0.",
    ["service"],
    multiprocess_mode="livemax",
)
DEPENDENCY_SECONDS = Gauge(
    "samverkan_gateway_dependency_seconds",
    "Time the service took to answer its last health check from this gateway.",
    ["service"],
    multiprocess_mode="livemax",
)


@blp.get("/healthz")
def healthz() -> Any:
    """The process is alive and serving requests."""
    return jsonify(status="alive")


def _broker() -> str | None:
    """None when this process holds (or can open) its broker connection, else why not."""
    try:
        with current_app.extensions["rpc"].client():
            return None
    except BrokerUnavailable as error:
        return f"broker not reachable: {error}"


def _database() -> str | None:
    """None when the gateway's own database answers ``SELECT 1``, else why not."""
    try:
        with current_app.extensions["samverkan_db"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - every failure means "not reachable"
        return f"database not reachable: {type(error).__name__}"
    return None


@blp.get("/readyz")
def readyz() -> Any:
    """Ready when this pod's own broker connection and its own database answer; the services are /status."""
    checks = {"broker": _broker(), "database": _database()}
    ready = all(problem is None for problem in checks.values())
    body = {
        name: {"ready": problem is None, **({"reason": problem} if problem else {})} for name, problem in checks.items()
    }
    return jsonify(status="ready" if ready else "not ready", **body), 200 if ready else 503


def service_status(service: str, timeout: float) -> dict[str, Any]:
    """One service as the gateway sees it: up (answered ``health`` with its database reachable) or away."""
    pool = current_app.extensions["rpc"]
    started = time.perf_counter()
    reason: str | None
    try:
        report = pool.call(service, "health", timeout=timeout)
    except (BrokerUnavailable, RpcTimeout, RemoteFailure) as error:
        report, reason = {}, type(error).__name__
    else:
        reason = None if report.get("database_reachable") else "DatabaseUnreachable"
    seconds = time.perf_counter() - started
    up = reason is None
    DEPENDENCY_UP.labels(service).set(1 if up else 0)
    DEPENDENCY_SECONDS.labels(service).set(seconds)
    answer: dict[str, Any] = {"status": "up" if up else "away", "latency_ms": round(seconds * 1000, 1)}
    if reason:
        answer["reason"] = reason
    if "version" in report:
        answer["version"] = report["version"]
    return answer


def all_service_status() -> dict[str, dict[str, Any]]:
    """Every service's status, asked at once (the slowest sets the time: READY_TIMEOUT at most)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    timeout = app.config["READY_TIMEOUT"]

    def check(service: str) -> dict[str, Any]:
        with app.app_context():
            return service_status(service, timeout)

    with ThreadPoolExecutor(max_workers=len(SERVICES)) as executor:
        return dict(zip(SERVICES, executor.map(check, SERVICES), strict=True))


@blp.get("/status")
def status() -> Any:
    """Each service up or away, with how long it took to answer; always 200 (the report is the answer).

    JSON (``status`` is ``ok`` when every service is up, else ``degraded``), or a small page for a
    browser that asks for HTML; the pages that need a service that is away say so themselves.
    """
    services = all_service_status()
    healthy = all(report["status"] == "up" for report in services.values())
    away = sorted(name for name, report in services.items() if report["status"] != "up")
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        # A person in a browser: the same report as a small page, in their language.
        labels = {
            "registry": _("Organisations (the directory)"),
            "events": _("Meetings and calendars"),
            "levels_advisor": _("Planning help (levels of participation)"),
            "notifier": _("E-mail and notifications"),
        }
        page = render_template("pages/status.html", services=services, healthy=healthy, labels=labels)
        response = current_app.make_response(page)
    else:
        response = jsonify(status="ok" if healthy else "degraded", away=away, services=services)
    response.headers["Cache-Control"] = "no-store"
    return response
