"""The HTTP contract of the dead-letter queue: events a handler gave up on."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..schemas import PageQuerySchema


class DeadLetterQuerySchema(PageQuerySchema):
    service = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"description": "only the dead letters of this service"}
    )
    event_type = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "only events of this type"}
    )


class DeadLetterSchema(Schema):
    """An event its handler gave up on. Its body stays in the queue: it may hold personal data."""

    id = fields.String(metadata={"description": "the dead letter's own id, for replay and discard"})
    service = fields.String(metadata={"description": "the service whose handler failed"})
    handler = fields.String(metadata={"description": "the handler (the service's method)"})
    source_service = fields.String(metadata={"description": "the service that published the event"})
    event_type = fields.String()
    event_id = fields.String(allow_none=True, metadata={"description": "the event's id in its envelope, if it had one"})
    queue = fields.String(metadata={"description": "the handler's queue, where a replay goes"})
    attempts = fields.Integer(metadata={"description": "failed attempts before it was given up on"})
    error_type = fields.String(metadata={"description": "the class of the last error"})
    error = fields.String(metadata={"description": "the last error's message"})
    dead_lettered_at = fields.String(metadata={"description": "when it was given up on (UTC)"})
    replays = fields.Integer(metadata={"description": "how often an operator replayed it before"})


class DeadLetterPageSchema(Schema):
    items = fields.List(fields.Nested(DeadLetterSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer(metadata={"description": "dead letters that match, of those read"})
    queued = fields.Integer(metadata={"description": "every message in the dead-letter queue"})
    read = fields.Integer(metadata={"description": "messages read from the queue (at most 1000 per request)"})
