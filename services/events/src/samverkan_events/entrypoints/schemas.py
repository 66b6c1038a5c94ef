"""The wire contract of the events service: what its RPCs accept and return."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_dump, validate, validates_schema

from samverkan_common import meeting_fields as bounds
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import STOCKHOLM, MeetingMode, MeetingStatus, RegistrationStatus

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")
STOCKHOLM_ZONE = ZoneInfo(STOCKHOLM)
LANGUAGES = validate.OneOf(["sv", "en"])
MUNICIPALITY_CODE = validate.Regexp(r"^(\d{4})?$", error="Four digits: the municipality's SCB code (or empty).")


def _stockholm_time(**kwargs: Any) -> fields.AwareDateTime:
    # A time without an offset is Stockholm time: that is what a planner means (and it must exist then).
    return bounds.LocalDateTime(STOCKHOLM_ZONE, **kwargs)


def _title(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=200), bounds.single_line], **kwargs)


def _location(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=300), bounds.single_line], **kwargs)


def _organiser(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=200), bounds.single_line], **kwargs)


def _rrule(**kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=500), bounds.recurrence_rule], **kwargs)


class CreateForumSchema(Schema):
    slug = fields.String(
        required=True,
        # /api/v1/forums/warnings is a page of its own, so no forum can have that address.
        validate=[validate.Length(min=2, max=80), SLUG, validate.NoneOf(["warnings"], error="This address is taken.")],
    )
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), bounds.single_line])
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
    title = _title()
    description = fields.String(validate=validate.Length(max=5000))
    starts_at = _stockholm_time(validate=bounds.meeting_start)
    ends_at = _stockholm_time(validate=bounds.meeting_end)
    level = fields.Enum(Level, by_value=True)
    step = fields.Enum(DecisionStep, by_value=True, allow_none=True)
    location = _location()
    online_url = fields.Url(validate=validate.Length(max=500), schemes={"https", "http"})
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    registration_deadline = _stockholm_time(allow_none=True, validate=bounds.registration_deadline)
    organiser = _organiser()
    status = fields.Enum(MeetingStatus, by_value=True)
    rrule = _rrule()
    municipality_code = fields.String(validate=MUNICIPALITY_CODE)

    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_meeting(data)


class ScheduleMeetingSchema(_MeetingFields):
    forum_slug = fields.String(required=True, validate=validate.Length(min=1, max=80))
    title = _title(required=True)
    starts_at = _stockholm_time(required=True, validate=bounds.meeting_start)
    ends_at = _stockholm_time(required=True, validate=bounds.meeting_end)
    level = fields.Enum(Level, by_value=True, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    step = fields.Enum(DecisionStep, by_value=True, load_default=None, allow_none=True)
    location = _location(load_default="")
    online_url = fields.Url(load_default="", validate=validate.Length(max=500), schemes={"https", "http"})
    organiser = _organiser(load_default="")
    rrule = _rrule(load_default="")
    municipality_code = fields.String(load_default="", validate=MUNICIPALITY_CODE)


class UpdateMeetingSchema(_MeetingFields):
    # The version the change was made against: a change to a meeting someone else changed meanwhile is refused.
    version = fields.Integer(required=True)


class CancelMeetingSchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True)


class ChangeOccurrenceSchema(Schema):
    # Names an occurrence as the series has it; one at a skipped time (02:30 read as 03:30) must still be found.
    occurrence_start = fields.AwareDateTime(
        default_timezone=STOCKHOLM_ZONE, required=True, validate=bounds.occurrence_time
    )
    starts_at = _stockholm_time(load_default=None, allow_none=True, validate=bounds.occurrence_time)
    ends_at = _stockholm_time(load_default=None, allow_none=True, validate=bounds.occurrence_time)
    location = _location(load_default=None, allow_none=True)
    cancelled = fields.Boolean(load_default=False)
    version = fields.Integer(load_default=None, allow_none=True)

    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_meeting({"starts_at": data.get("starts_at"), "ends_at": data.get("ends_at")})


class BetweenSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_query(data)


class MeetingIdsSchema(Schema):
    meeting_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)), required=True, validate=validate.Length(max=2000)
    )


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
    notices = fields.Method("_notices")

    def _notices(self, meeting: Any) -> list[dict[str, str]]:
        return meeting.notices()  # type: ignore[no-any-return]

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
