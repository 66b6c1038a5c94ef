"""The events database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text

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
    Column("sequence", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
