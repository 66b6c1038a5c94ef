"""The wire contract of the events service: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_dump, validate

from samverkan_common.participation import DecisionStep, Level

from ..domain.model import STOCKHOLM

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")
STOCKHOLM_ZONE = ZoneInfo(STOCKHOLM)


class CreateForumSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_committee = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))


class ForumSchema(Schema):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    owner_committee = fields.String()
    description = fields.String()


class ScheduleMeetingSchema(Schema):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    # A time without an offset is Stockholm time: that is what a planner means.
    starts_at = fields.AwareDateTime(required=True, default_timezone=STOCKHOLM_ZONE)
    ends_at = fields.AwareDateTime(required=True, default_timezone=STOCKHOLM_ZONE)
    level = fields.Enum(Level, by_value=True, required=True)
    step = fields.Enum(DecisionStep, by_value=True, load_default=None, allow_none=True)
    location = fields.String(load_default="", validate=validate.Length(max=300))
    online_url = fields.Url(load_default="", validate=validate.Length(max=500), schemes={"https", "http"})


class MeetingSchema(Schema):
    id = fields.String()
    forum_slug = fields.String()
    title = fields.String()
    description = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    timezone = fields.String()
    location = fields.String()
    online_url = fields.String()
    level = fields.Enum(Level, by_value=True)
    step = fields.Enum(DecisionStep, by_value=True, allow_none=True)
    status = fields.String()
    sequence = fields.Integer()

    @post_dump(pass_original=True)
    def local_times(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        """Show times in the meeting's own zone, with the offset, as people read them."""
        zone = ZoneInfo(original.timezone)
        data["starts_at"] = original.starts_at.astimezone(zone).isoformat()
        data["ends_at"] = original.ends_at.astimezone(zone).isoformat()
        return data
