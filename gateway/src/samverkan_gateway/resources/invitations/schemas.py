"""The wire contract of a plan's invitations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

STATES = ["sent", "yes", "no"]


class InvitationsInSchema(Schema):
    organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The registry's ids; those already invited to the plan are left out."},
    )


class InvitationSchema(Schema):
    id = fields.String()
    plan_id = fields.String()
    organisation_id = fields.String()
    organisation_name = fields.String()
    state = fields.String(validate=validate.OneOf(STATES), metadata={"description": "sent (no answer yet), yes or no."})
    sent_at = fields.String(metadata={"format": "date-time"})
    expires_at = fields.String(
        metadata={"format": "date-time", "description": "After this the answer link no longer works."}
    )
    answered_at = fields.String(allow_none=True, metadata={"format": "date-time"})
