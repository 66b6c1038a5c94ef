"""Liveness and readiness, as Kubernetes probes and operators read them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Blueprint, current_app, jsonify

from .rpc import BrokerUnavailable, RemoteFailure, RpcTimeout
from .services import SERVICES

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Any:
    """The process is alive and serving requests."""
    return jsonify(status="alive")


@blp.get("/readyz")
def readyz() -> Any:
    """Ready when the broker is reachable and every service answers `health` in time."""
    pool = current_app.extensions["rpc"]
    timeout = current_app.config["READY_TIMEOUT"]

    def check(service: str) -> dict[str, Any]:
        try:
            report = pool.call(service, "health", timeout=timeout)
        except (BrokerUnavailable, RpcTimeout, RemoteFailure) as error:
            return {"ready": False, "reason": type(error).__name__}
        return {**report, "ready": bool(report.get("database_reachable"))}

    with ThreadPoolExecutor(max_workers=len(SERVICES)) as executor:
        services = dict(zip(SERVICES, executor.map(check, SERVICES), strict=True))
    ready = all(report["ready"] for report in services.values())
    return jsonify(status="ready" if ready else "not ready", services=services), 200 if ready else 503
