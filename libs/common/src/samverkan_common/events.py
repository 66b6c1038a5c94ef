"""The envelope every domain event travels in. Add fields, never rename them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict


class Envelope(TypedDict):
    event_id: str
    type: str
    occurred_at: str
    version: int
    data: dict[str, Any]
    # The request that caused the event (see samverkan_common.logs), when there was one.
    request_id: NotRequired[str]


def envelope(type_: str, data: dict[str, Any], version: int = 1) -> Envelope:
    """Wrap a past-tense fact (``meeting_scheduled``) in a new envelope."""
    return Envelope(
        event_id=str(uuid.uuid4()),
        type=type_,
        occurred_at=datetime.now(UTC).isoformat(),
        version=version,
        data=data,
    )


def exchange_name(service_name: str) -> str:
    """nameko's convention: a service's events go to ``<service>.events``."""
    return f"{service_name}.events"
