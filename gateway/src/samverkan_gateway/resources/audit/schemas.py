"""The audit trail's query and entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...audit import WRITES
from ..schemas import PageQuerySchema, page_of

ACTOR_KINDS = ("token", "user", "public")
# Moments the database can hold in UTC whatever the offset they are given with.
MOMENTS = validate.Range(min=datetime(1970, 1, 1, tzinfo=UTC), max=datetime(9999, 1, 1, tzinfo=UTC))


class AuditQuerySchema(PageQuerySchema):
    actor_kind = fields.String(validate=validate.OneOf(ACTOR_KINDS))
    actor_id = fields.String(
        validate=validate.Length(max=64), metadata={"description": "an API token's id or a person's user id"}
    )
    organisation_id = fields.String(
        validate=validate.Length(max=36), metadata={"description": "the organisation the actor speaks for"}
    )
    route = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "the route's rule, exactly", "example": "/api/v1/organisations/<organisation_id>"},
    )
    method = fields.String(validate=validate.OneOf(sorted(WRITES)))
    resource_id = fields.String(
        validate=validate.Length(max=80),
        metadata={"description": "an id named in the request's URL, or the id of what it created"},
    )
    status = fields.Integer(validate=validate.Range(min=100, max=599))
    from_ = fields.AwareDateTime(
        data_key="from",
        default_timezone=UTC,
        validate=MOMENTS,
        metadata={"description": "from this moment (included); UTC if no offset"},
    )
    to = fields.AwareDateTime(
        default_timezone=UTC,
        validate=MOMENTS,
        metadata={"description": "until this moment (excluded); UTC if no offset"},
    )

    @validates_schema
    def from_before_to(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] >= data["to"]:
            raise ValidationError("Must be after from.", "to")


class AuditActorSchema(Schema):
    kind = fields.String(metadata={"description": "|".join(ACTOR_KINDS)})
    id = fields.String(allow_none=True, metadata={"description": "an API token's id or a person's user id"})
    role = fields.String(allow_none=True)
    organisation_id = fields.String(allow_none=True)


class AuditEntrySchema(Schema):
    id = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor = fields.Nested(AuditActorSchema)
    method = fields.String()
    route = fields.String(metadata={"example": "/api/v1/organisations/<organisation_id>"})
    resource_ids = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "the ids in the URL, by name"}
    )
    created_id = fields.String(allow_none=True, metadata={"description": "the id of what the request created"})
    # Named apart from marshmallow's ``fields`` inside this class; it is "fields" on the wire.
    field_names = fields.List(
        fields.String(), data_key="fields", metadata={"description": "the names of the fields sent, never their values"}
    )
    status = fields.Integer()
    request_id = fields.String(allow_none=True, metadata={"description": "finds the request in every log"})


AuditEntryPageSchema = page_of(AuditEntrySchema)
