"""The notifier database: subscriptions and the notification log."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint

from samverkan_common.db import UTCDateTime, service_metadata

metadata = service_metadata()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("forum_slug", String(80), nullable=False, index=True),
    Column("address", String(320), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("language", String(5), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("forum_slug", "address", "channel", name="uq_subscriptions_forum_address_channel"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column("subscription_id", String(36), ForeignKey("subscriptions.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("address", String(320), nullable=False),
    Column("language", String(5), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The database itself refuses a second notification for the same event and subscriber.
    UniqueConstraint("event_id", "subscription_id", name="uq_notifications_event_subscription"),
)
