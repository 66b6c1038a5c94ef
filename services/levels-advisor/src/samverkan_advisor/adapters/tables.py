"""The advisor database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint, text

from samverkan_common.db import UTCDateTime, service_metadata

metadata = service_metadata()

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("questionnaire_version", Integer, nullable=False),
    # {question_id: option_id}, exactly as answered.
    Column("answers", JSON, nullable=False),
    Column("level", String(20), nullable=False, index=True),
    # {levels_by_step, reasons, warnings, ...}: what the planner was shown, kept as shown.
    Column("result", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

committees = Table(
    "committees",
    metadata,
    # A stable slug (bmr, drn-fyrbodal) that plans keep; the names may change.
    Column("id", String(40), primary_key=True),
    Column("short_name", String(60), nullable=False, unique=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("retired_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

plans = Table(
    "plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessments.id"), nullable=False, index=True),
    Column("questionnaire_version", Integer, nullable=False),
    Column("committee", String(200), nullable=False, index=True),
    Column("issue", String(500), nullable=False),
    Column("step", String(20), nullable=False),
    Column("recommended_level", String(20), nullable=False),
    Column("level", String(20), nullable=False),
    Column("level_reason", Text, nullable=True),
    # The day the dialogue starts: the year it is reported in.
    Column("starts_on", Date, nullable=False, index=True),
    Column("created_by", String(200), nullable=False),
    # Lists of strings: areas, municipality codes, forum slugs, registry and events ids.
    Column("areas", JSON, nullable=False),
    Column("municipalities", JSON, nullable=False),
    Column("forum_slugs", JSON, nullable=False),
    Column("invited_organisation_ids", JSON, nullable=False),
    Column("meeting_ids", JSON, nullable=False),
    Column("outcome", Text, nullable=True),
    Column("feedback", Text, nullable=True),
    Column("feedback_on", Date, nullable=True),
    Column("outcome_recorded_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Migration 0003: the committee chosen from the list (plans made before keep only their free text),
    # who made the plan (the gateway's id of a person or token), and the principles ticked off.
    Column("committee_id", String(40), ForeignKey("committees.id"), nullable=True, index=True),
    Column("author_id", String(64), nullable=True, index=True),
    Column("principles_checked", JSON, nullable=False, server_default=text("'[]'")),
    # Migration 0004: the organisations' proposals ([{text, taken_up, reason}]) and when the feedback
    # was mailed to the organisations, and to how many.
    Column("proposals", JSON, nullable=False, server_default=text("'[]'")),
    Column("feedback_sent_at", UTCDateTime, nullable=True),
    Column("feedback_sent_to", Integer, nullable=False, server_default=text("0")),
)

# Migration 0005: one invitation per plan and organisation; the answer link's token is kept only as its hash.
invitations = Table(
    "invitations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("plan_id", String(36), ForeignKey("plans.id"), nullable=False, index=True),
    Column("organisation_id", String(36), nullable=False),
    Column("organisation_name", String(300), nullable=False),
    Column("addresses", JSON, nullable=False),
    Column("token_digest", String(64), nullable=False, unique=True),
    Column("state", String(10), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime, nullable=True),
    UniqueConstraint("plan_id", "organisation_id"),
)
