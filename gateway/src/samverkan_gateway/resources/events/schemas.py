"""The HTTP contract for forums, meetings and feeds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from samverkan_common.participation import DecisionStep, Level

LEVELS = [level.value for level in Level]
STEPS = [step.value for step in DecisionStep]
SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class ForumInSchema(Schema):
    slug = fields.String(
        required=True, validate=[validate.Length(min=2, max=80), SLUG], metadata={"example": "ros-gruppen"}
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "RÖS-gruppen"})
    owner_committee = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "BMR"}
    )
    description = fields.String(validate=validate.Length(max=5000))


class ForumSchema(ForumInSchema):
    id = fields.String(dump_only=True)


class _MeetingFields(Schema):
    forum_slug = fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG])
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    step = fields.String(allow_none=True, validate=validate.OneOf(STEPS))
    location = fields.String(validate=validate.Length(max=300))
    online_url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500))


class MeetingInSchema(_MeetingFields):
    starts_at = fields.AwareDateTime(
        required=True,
        default_timezone=STOCKHOLM,
        metadata={"description": "ISO 8601; without an offset it is Stockholm time."},
    )
    ends_at = fields.AwareDateTime(required=True, default_timezone=STOCKHOLM)


class MeetingSchema(_MeetingFields):
    id = fields.String(dump_only=True)
    # The service sends times already written in the meeting's own zone, with the offset.
    starts_at = fields.String(metadata={"format": "date-time", "example": "2027-03-10T13:00:00+01:00"})
    ends_at = fields.String(metadata={"format": "date-time"})
    timezone = fields.String(dump_only=True, metadata={"example": "Europe/Stockholm"})
    status = fields.String(dump_only=True)
    sequence = fields.Integer(dump_only=True)
