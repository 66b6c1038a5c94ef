"""The advisor database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table

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
    # {levels_by_step, reasons, warnings}: what the planner was shown, kept as shown.
    Column("result", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)
