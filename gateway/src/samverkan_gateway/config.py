"""The gateway's settings: environment variables with defaults for a local run."""

from __future__ import annotations

import os
from typing import Any


def from_environment() -> dict[str, Any]:
    return {
        "AMQP_URI": os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
        "GATEWAY_DATABASE_URL": os.environ.get("GATEWAY_DATABASE_URL", "sqlite:///var/gateway.db"),
        "RPC_TIMEOUT": float(os.environ.get("RPC_TIMEOUT", "5")),
        # Seconds each service gets to answer `health` before /readyz says not ready.
        "READY_TIMEOUT": float(os.environ.get("READY_TIMEOUT", "1")),
        # Generous for this API's JSON, small enough that no body can exhaust memory.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "API_TITLE": "Samverkan API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
