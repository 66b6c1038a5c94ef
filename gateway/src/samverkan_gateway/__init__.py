"""Samverkan's gateway: the HTTP API and pages in front of the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Loaded when first asked for: gunicorn's arbiter imports samverkan_gateway.serving (its settings
    # and worker class) and serves no request, so it need not hold Flask and the application (~45 MB).
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
