"""The events database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from samverkan_common.db import UTCDateTime, service_metadata

metadata = service_metadata()

forums = Table(
    "forums",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("owner_committee", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("min_per_year", Integer, nullable=True),
    Column("max_per_year", Integer, nullable=True),
    Column("min_per_term", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("forum_id", String(36), ForeignKey("forums.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("starts_at", UTCDateTime, nullable=False, index=True),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("location", String(300), nullable=False, default=""),
    Column("online_url", String(500), nullable=False, default=""),
    Column("level", String(20), nullable=False),
    Column("step", String(20), nullable=True),
    Column("status", String(20), nullable=False),
    Column("capacity", Integer, nullable=True),
    Column("registration_deadline", UTCDateTime, nullable=True),
    Column("organiser", String(200), nullable=False, default=""),
    Column("rrule", String(500), nullable=False, default=""),
    # SCB code of the municipality where the meeting is held (empty: not given, or online only).
    Column("municipality_code", String(4), nullable=False, default="", index=True),
    # When the last occurrence ends (the meeting's end unless it recurs): for ranges and time zones.
    Column("last_ends_at", UTCDateTime, nullable=False, index=True),
    Column("sequence", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=1),
    # Raised by every registration change; registrations lock the meeting by writing it.
    Column("registrations_revision", Integer, nullable=False, default=0),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
)

occurrence_changes = Table(
    "occurrence_changes",
    metadata,
    Column("meeting_id", String(36), ForeignKey("meetings.id"), primary_key=True),
    Column("occurrence_start", UTCDateTime, primary_key=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("location", String(300), nullable=True),
    Column("sequence", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("meeting_id", String(36), ForeignKey("meetings.id"), nullable=False),
    Column("organisation_id", String(36), nullable=True, index=True),
    Column("attendee_name", String(200), nullable=False),
    Column("attendee_email", String(320), nullable=False, index=True),
    Column("language", String(2), nullable=False, default="sv"),
    Column("accessibility_needs", Text, nullable=False, default=""),
    Column("dietary_needs", Text, nullable=False, default=""),
    Column("registered_by", String(200), nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_registrations_meeting_status", "meeting_id", "status", "created_at"),
)

# Secret links to a person's own calendar: only the token's SHA-256 is kept.
personal_feeds = Table(
    "personal_feeds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("attendee_email", String(320), nullable=False, index=True),
    Column("organisation_id", String(36), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Which organisation sits in which forum, as the registry's membership_changed events tell it.
memberships = Table(
    "memberships",
    metadata,
    Column("organisation_id", String(36), primary_key=True),
    Column("forum_slug", String(80), primary_key=True),
    Column("role", String(80), nullable=False, default=""),
    Column("starts_on", String(10), nullable=True),
    Column("ends_on", String(10), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("event_occurred_at", String(40), nullable=False),
)
