"""The dead-letter queue: events a service's handler gave up on, for operators to replay or discard.

An event lands there after its handler failed on it the configured number of times (not
while a database is away: that is waited out). What an operator can do, as in the
failed-job views of mature products (a list with the error, retry, delete):

- ``GET /api/v1/dead-letters``: what failed, where, how often, with which error, when;
- ``POST /api/v1/dead-letters/<id>/replay``: after a fix, send the event back to its
  handler's queue for a fresh set of attempts (handlers are idempotent, so a replay of
  an event that was in fact handled has no second effect);
- ``DELETE /api/v1/dead-letters/<id>``: drop it for good (the event was wrong, or is moot).

Operators only. The queue lives in RabbitMQ (samverkan_common.deadletters), so this works
while the failing service is down; the broker away is a 503.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g
from flask_smorest import Blueprint

from samverkan_common.deadletters import DeadLetterQueue

from ...auth import Role, requires
from .schemas import DeadLetterPageSchema, DeadLetterQuerySchema, DeadLetterSchema

log = logging.getLogger(__name__)

blp = Blueprint(
    "dead_letters",
    __name__,
    url_prefix="/api/v1/dead-letters",
    description="Events a service's handler gave up on: see, replay or discard them (operators).",
)


@blp.record_once
def _open(state: Any) -> None:
    state.app.extensions["dead_letters"] = DeadLetterQueue(state.app.config["AMQP_URI"])


def _queue() -> DeadLetterQueue:
    queue: DeadLetterQueue = current_app.extensions["dead_letters"]
    return queue


@blp.route("", methods=["GET"])
@requires(Role.OPERATOR)
@blp.arguments(DeadLetterQuerySchema, location="query")
@blp.response(200, DeadLetterPageSchema)
def list_dead_letters(query: dict[str, Any]) -> Any:
    """Events a handler gave up on, oldest first: service, handler, event, attempts, last error, when"""
    letters, queued = _queue().list()
    matching = [
        letter.to_dict()
        for letter in letters
        if query.get("service") in (None, letter.service) and query.get("event_type") in (None, letter.event_type)
    ]
    start = (query["page"] - 1) * query["per_page"]
    return {
        "items": matching[start : start + query["per_page"]],
        "page": query["page"],
        "per_page": query["per_page"],
        "total": len(matching),
        "queued": queued,
        "read": len(letters),
    }


@blp.route("/<dead_letter_id>/replay", methods=["POST"])
@requires(Role.OPERATOR)
@blp.response(200, DeadLetterSchema)
def replay_dead_letter(dead_letter_id: str) -> Any:
    """Send a dead letter back to its handler for a fresh set of attempts (409 if its queue is gone)"""
    letter = _queue().replay(dead_letter_id)
    _audit("replayed", letter.to_dict())
    return letter.to_dict()


@blp.route("/<dead_letter_id>", methods=["DELETE"])
@requires(Role.OPERATOR)
@blp.response(204)
def discard_dead_letter(dead_letter_id: str) -> Any:
    """Drop a dead letter for good: its handler will never see that event"""
    letter = _queue().discard(dead_letter_id)
    _audit("discarded", letter.to_dict())
    return None


def _audit(what: str, letter: dict[str, Any]) -> None:
    log.info(
        "dead letter %s",
        what,
        extra={
            "dead_letter_id": letter["id"],
            "event_id": letter["event_id"],
            "handler": f"{letter['service']}.{letter['handler']}",
            "by_token": g.principal.token_id,
        },
    )
