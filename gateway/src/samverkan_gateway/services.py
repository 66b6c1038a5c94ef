"""The one way a view reaches a service: a pooled RPC call."""

from __future__ import annotations

from typing import Any

from flask import current_app

SERVICES = ("registry", "events", "levels_advisor", "notifier")


def call(service: str, method: str, *args: Any, **kwargs: Any) -> Any:
    return current_app.extensions["rpc"].call(service, method, *args, **kwargs)
