"""The HTTP contract for forums, meetings, registrations and feeds."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate, validates_schema

from samverkan_common import meeting_fields as bounds
from samverkan_common.participation import DecisionStep, Level

LEVELS = [level.value for level in Level]
STEPS = [step.value for step in DecisionStep]
STATUSES = ["planned", "confirmed", "cancelled"]
SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and hyphens.")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
LOCAL_TIME = bounds.LOCAL_TIME
MUNICIPALITY_CODE = validate.Regexp(r"^(\d{4})?$", error="Four digits: the municipality's SCB code (or empty).")
MODES = ["in_person", "online"]


def _local_time(description: str = LOCAL_TIME, **kwargs: Any) -> fields.AwareDateTime:
    # Checks a time without an offset before making it Stockholm time: 02:30 on the March change night is refused.
    field: fields.AwareDateTime = bounds.LocalDateTime(STOCKHOLM, metadata={"description": description}, **kwargs)
    return field


def _starts_at(**kwargs: Any) -> fields.AwareDateTime:
    return _local_time(bounds.STARTS_AT, validate=bounds.meeting_start, **kwargs)


def _ends_at(**kwargs: Any) -> fields.AwareDateTime:
    return _local_time(bounds.ENDS_AT, validate=bounds.meeting_end, **kwargs)


def _registration_deadline(**kwargs: Any) -> fields.AwareDateTime:
    return _local_time(bounds.DEADLINE, allow_none=True, validate=bounds.registration_deadline, **kwargs)


def _one_line(max_length: int, min_length: int | None = None, **kwargs: Any) -> fields.String:
    metadata = {**bounds.ONE_LINE, **kwargs.pop("metadata", {})}
    return fields.String(
        validate=[validate.Length(min=min_length, max=max_length), bounds.single_line], metadata=metadata, **kwargs
    )


class FeedLinksSchema(Schema):
    url = fields.String(metadata={"description": "https link to the iCalendar feed"})
    webcal_url = fields.String(metadata={"description": "the same feed as webcal://, which opens a calendar app"})


class ForumInSchema(Schema):
    slug = fields.String(
        required=True, validate=[validate.Length(min=2, max=80), SLUG], metadata={"example": "ros-gruppen"}
    )
    name = _one_line(200, 1, required=True, metadata={"example": "RÖS-gruppen"})
    owner_committee = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "BMR"}
    )
    description = fields.String(validate=validate.Length(max=5000))
    min_per_year = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=366),
        metadata={"description": "schedule rule", "example": 4},
    )
    max_per_year = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=366), metadata={"example": 12})
    min_per_term = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=183),
        metadata={"description": "meetings needed each term (spring: January–June, autumn: July–December)"},
    )


class ForumSchema(ForumInSchema):
    id = fields.String(dump_only=True)
    feed = fields.Nested(FeedLinksSchema, dump_only=True)


class ScheduleWarningQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    forum_slug = fields.String(validate=validate.Length(max=80))


class ScheduleWarningSchema(Schema):
    forum_slug = fields.String()
    code = fields.String(metadata={"example": "TOO_FEW_MEETINGS"})
    year = fields.Integer()
    term = fields.String(allow_none=True, metadata={"description": "spring or autumn, for a per-term rule"})
    count = fields.Integer(metadata={"description": "meetings held (cancelled ones not counted)"})
    message_sv = fields.String()
    message_en = fields.String()


class _MeetingFields(Schema):
    title = _one_line(200, 1)
    description = fields.String(validate=validate.Length(max=5000))
    level = fields.String(validate=validate.OneOf(LEVELS))
    step = fields.String(allow_none=True, validate=validate.OneOf(STEPS))
    location = _one_line(300)
    online_url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500))
    capacity = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "places; none: no registration"},
    )
    organiser = _one_line(200)
    status = fields.String(validate=validate.OneOf(STATUSES))
    rrule = fields.String(
        validate=[validate.Length(max=500), bounds.recurrence_rule],
        metadata={"description": bounds.RRULE, "example": "FREQ=WEEKLY;COUNT=10"},
    )
    municipality_code = fields.String(
        validate=MUNICIPALITY_CODE,
        metadata={"description": "SCB code of the municipality where the meeting is held", "example": "1496"},
    )


class _MeetingBounds(_MeetingFields):
    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_meeting(data)


class MeetingInSchema(_MeetingBounds):
    forum_slug = fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG])
    title = _one_line(200, 1, required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    starts_at = _starts_at(required=True)
    ends_at = _ends_at(required=True)
    registration_deadline = _registration_deadline()


class MeetingChangeSchema(_MeetingBounds):
    version = fields.Integer(
        required=True, metadata={"description": "the version you read; someone else's change meanwhile gives 409"}
    )
    starts_at = _starts_at()
    ends_at = _ends_at()
    registration_deadline = _registration_deadline()


class MeetingCancelSchema(Schema):
    version = fields.Integer(allow_none=True)


class OccurrenceChangeSchema(Schema):
    # Names an occurrence as the series has it: one at a skipped time must still be found, so no refusal here.
    occurrence_start = fields.AwareDateTime(
        default_timezone=STOCKHOLM,
        required=True,
        validate=bounds.occurrence_time,
        metadata={"description": "the occurrence's original start; ISO 8601; without an offset it is Stockholm time."},
    )
    starts_at = _local_time(allow_none=True, validate=bounds.occurrence_time)
    ends_at = _local_time(allow_none=True, validate=bounds.occurrence_time)
    location = _one_line(300, allow_none=True)
    cancelled = fields.Boolean()
    version = fields.Integer(allow_none=True)

    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_meeting({"starts_at": data.get("starts_at"), "ends_at": data.get("ends_at")})


class NoticeSchema(Schema):
    field = fields.String(metadata={"example": "starts_at"})
    code = fields.String(metadata={"example": "AMBIGUOUS_LOCAL_TIME"})
    message = fields.String(
        metadata={
            "example": "02:30 on 31 October 2027 happens twice in Europe/Stockholm, as the clocks go back that "
            "night. The meeting is at the first 02:30 (summer time, UTC+02:00)."
        }
    )


class MeetingSchema(_MeetingFields):
    id = fields.String(dump_only=True)
    forum_slug = fields.String()
    # The service sends times already written in the meeting's own zone, with the offset.
    starts_at = fields.String(metadata={"format": "date-time", "example": "2027-03-10T13:00:00+01:00"})
    ends_at = fields.String(metadata={"format": "date-time"})
    registration_deadline = fields.String(allow_none=True, metadata={"format": "date-time"})
    timezone = fields.String(dump_only=True, metadata={"example": "Europe/Stockholm"})
    sequence = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    changes = fields.List(fields.String(), dump_only=True)
    notices = fields.List(fields.Nested(NoticeSchema), dump_only=True, metadata={"description": bounds.NOTICES})


class BetweenQuerySchema(Schema):
    start = fields.Date(required=True, metadata={"description": bounds.QUERY_DAY})
    end = fields.Date(required=True, metadata={"description": bounds.QUERY_DAY})
    forum = fields.List(
        fields.String(validate=[validate.Length(min=2, max=80), SLUG]),
        metadata={"description": "only these forums (repeat the parameter for more than one)"},
    )
    level = fields.String(validate=validate.OneOf(LEVELS))
    municipality = fields.String(
        validate=[validate.Length(equal=4), MUNICIPALITY_CODE], metadata={"description": "SCB code, e.g. 1496"}
    )
    mode = fields.String(
        validate=validate.OneOf(MODES), metadata={"description": "in_person: has a place; online: has a link"}
    )

    @validates_schema
    def _bounds(self, data: dict[str, Any], **_: Any) -> None:
        bounds.check_query(data)


class OccurrenceSchema(Schema):
    meeting_id = fields.String()
    forum_slug = fields.String()
    title = fields.String()
    starts_at = fields.String(metadata={"format": "date-time"})
    level = fields.String()
    step = fields.String(allow_none=True)
    status = fields.String()
    occurrence_start = fields.String(allow_none=True, metadata={"format": "date-time"})
    location = fields.String()
    municipality_code = fields.String()
    online = fields.Boolean(metadata={"description": "the meeting has a link to take part online"})


class RegistrationInSchema(Schema):
    attendee_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    attendee_email = fields.Email(required=True, validate=validate.Length(max=320))
    language = fields.String(validate=validate.OneOf(["sv", "en"]))
    accessibility_needs = fields.String(
        validate=validate.Length(max=2000), metadata={"description": "seen by the organiser only"}
    )
    dietary_needs = fields.String(
        validate=validate.Length(max=2000), metadata={"description": "seen by the organiser only"}
    )
    organisation_id = fields.String(
        allow_none=True,
        metadata={"description": "planners and operators only; an organisation token speaks for itself"},
    )


class RegistrationSchema(Schema):
    id = fields.String()
    meeting_id = fields.String()
    organisation_id = fields.String(allow_none=True)
    attendee_name = fields.String()
    attendee_email = fields.String()
    language = fields.String()
    status = fields.String(metadata={"description": "confirmed, waitlisted or cancelled"})
    created_at = fields.String(metadata={"format": "date-time"})
    accessibility_needs = fields.String(metadata={"description": "only in the organiser's view"})
    dietary_needs = fields.String(metadata={"description": "only in the organiser's view"})
    promoted_registration_id = fields.String(
        allow_none=True, metadata={"description": "on cancelling: who got the freed place"}
    )


class PersonalFeedInSchema(Schema):
    attendee_email = fields.Email(required=True, validate=validate.Length(max=320))


class PersonalFeedSchema(FeedLinksSchema):
    token = fields.String(metadata={"description": "secret; shown once; a new link revokes the old one"})


class RevokedSchema(Schema):
    revoked = fields.Integer()
