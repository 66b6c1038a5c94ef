"""The wire contract of invitations: what the gateway sends and gets back."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..domain.invitations import MAX_PER_SENDING


class SendInvitationsSchema(Schema):
    organisation_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)),
        required=True,
        validate=validate.Length(min=1, max=MAX_PER_SENDING),
    )


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.OneOf(["yes", "no"]))


class TokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=16, max=100))


class InvitationSchema(Schema):
    """An invitation as the planner sees it: never its token nor the token's hash."""

    id = fields.String()
    plan_id = fields.String()
    organisation_id = fields.String()
    organisation_name = fields.String()
    state = fields.Function(lambda invitation: invitation.state.value)
    sent_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    answered_at = fields.AwareDateTime(allow_none=True)


class InvitationAboutSchema(Schema):
    """What the answer page shows to whoever holds the link."""

    invitation = fields.Nested(InvitationSchema(exclude=("plan_id",)))
    expired = fields.Boolean()
    issue = fields.String()
    committee = fields.String()
    committee_name = fields.String()
    level = fields.String()
    level_offer = fields.Dict(keys=fields.String(), values=fields.String())
    step = fields.String()
    meeting_ids = fields.List(fields.String())


def about_out(about: dict[str, Any]) -> dict[str, Any]:
    return dict(InvitationAboutSchema().dump(about))
