"""The wire contract of the events service: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_dump, validate

from samverkan_common.participation import DecisionStep, Level

from ..domain.model import STOCKHOLM, MeetingMode, MeetingStatus, RegistrationStatus

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")
STOCKHOLM_ZONE = ZoneInfo(STOCKHOLM)
LANGUAGES = validate.OneOf(["sv", "en"])
MUNICIPALITY_CODE = validate.Regexp(r"^(\d{4})?$", error="Four digits: the municipality's SCB code (or empty).")


def _stockholm_time(**kwargs: Any) -> fields.AwareDateTime:
    # A time without an offset is Stockholm time: that is what a planner means.
    return fields.AwareDateTime(default_timezone=STOCKHOLM_ZONE, **kwargs)


class CreateForumSchema(Schema):
    slug = fields.String(
        required=True,
        # /api/v1/forums/warnings is a page of its own, so no forum can have that address.
        validate=[validate.Length(min=2, max=80), SLUG, validate.NoneOf(["warnings"], error="This address is taken.")],
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_committee = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    min_per_year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=366))
    max_per_year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=366))
    min_per_term = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=183))


class ForumSchema(Schema):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    owner_committee = fields.String()
    description = fields.String()
    min_per_year = fields.Integer(allow_none=True)
    max_per_year = fields.Integer(allow_none=True)
    min_per_term = fields.Integer(allow_none=True)


class _MeetingFields(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    starts_at = _stockholm_time()
    ends_at = _stockholm_time()
    level = fields.Enum(Level, by_value=True)
    step = fields.Enum(DecisionStep, by_value=True, allow_none=True)
    location = fields.String(validate=validate.Length(max=300))
    online_url = fields.Url(validate=validate.Length(max=500), schemes={"https", "http"})
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    registration_deadline = _stockholm_time(allow_none=True)
    organiser = fields.String(validate=validate.Length(max=200))
    status = fields.Enum(MeetingStatus, by_value=True)
    rrule = fields.String(validate=validate.Length(max=500))
    municipality_code = fields.String(validate=MUNICIPALITY_CODE)


class ScheduleMeetingSchema(_MeetingFields):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts_at = _stockholm_time(required=True)
    ends_at = _stockholm_time(required=True)
    level = fields.Enum(Level, by_value=True, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    step = fields.Enum(DecisionStep, by_value=True, load_default=None, allow_none=True)
    location = fields.String(load_default="", validate=validate.Length(max=300))
    online_url = fields.Url(load_default="", validate=validate.Length(max=500), schemes={"https", "http"})
    organiser = fields.String(load_default="", validate=validate.Length(max=200))
    rrule = fields.String(load_default="", validate=validate.Length(max=500))
    municipality_code = fields.String(load_default="", validate=MUNICIPALITY_CODE)


class UpdateMeetingSchema(_MeetingFields):
    # The version the change was made against: a change to a meeting someone else changed meanwhile is refused.
    version = fields.Integer(required=True)


class CancelMeetingSchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True)


class ChangeOccurrenceSchema(Schema):
    occurrence_start = _stockholm_time(required=True)
    starts_at = _stockholm_time(load_default=None, allow_none=True)
    ends_at = _stockholm_time(load_default=None, allow_none=True)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    cancelled = fields.Boolean(load_default=False)
    version = fields.Integer(load_default=None, allow_none=True)


class BetweenSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class MeetingFilterSchema(Schema):
    """What a calendar narrows its meetings by; each field left out does not narrow."""

    forum_slugs = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    level = fields.Enum(Level, by_value=True, load_default=None, allow_none=True)
    municipality_code = fields.String(load_default="", validate=MUNICIPALITY_CODE)
    mode = fields.Enum(MeetingMode, by_value=True, load_default=None, allow_none=True)


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
    capacity = fields.Integer(allow_none=True)
    registration_deadline = fields.DateTime(allow_none=True)
    organiser = fields.String()
    rrule = fields.String()
    municipality_code = fields.String()
    sequence = fields.Integer()
    version = fields.Integer()

    @post_dump(pass_original=True)
    def local_times(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        """Show times in the meeting's own zone, with the offset, as people read them."""
        zone = ZoneInfo(original.timezone)
        data["starts_at"] = original.starts_at.astimezone(zone).isoformat()
        data["ends_at"] = original.ends_at.astimezone(zone).isoformat()
        if original.registration_deadline is not None:
            data["registration_deadline"] = original.registration_deadline.astimezone(zone).isoformat()
        return data


class ActorSchema(Schema):
    """Who acts, as the gateway authenticated them."""

    role = fields.String(required=True, validate=validate.OneOf(["organisation", "planner", "operator"]))
    organisation_id = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default="")


class RegisterSchema(Schema):
    attendee_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    attendee_email = fields.Email(required=True, validate=validate.Length(max=320))
    language = fields.String(load_default="sv", validate=LANGUAGES)
    accessibility_needs = fields.String(load_default="", validate=validate.Length(max=2000))
    dietary_needs = fields.String(load_default="", validate=validate.Length(max=2000))
    # Planners and operators may register on behalf of an organisation; an organisation speaks for itself.
    organisation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))


class RegistrationSchema(Schema):
    id = fields.String()
    meeting_id = fields.String()
    organisation_id = fields.String(allow_none=True)
    attendee_name = fields.String()
    attendee_email = fields.String()
    language = fields.String()
    status = fields.Enum(RegistrationStatus, by_value=True)
    created_at = fields.DateTime()


class RegistrationWithNeedsSchema(RegistrationSchema):
    """What the organiser sees: the needs too."""

    accessibility_needs = fields.String()
    dietary_needs = fields.String()


class PersonalFeedSchema(Schema):
    attendee_email = fields.Email(required=True, validate=validate.Length(max=320))
