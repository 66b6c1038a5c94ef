"""The notifier database: subscriptions, what it knows of meetings and memberships, and the delivery log."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from samverkan_common.db import UTCDateTime, service_metadata

metadata = service_metadata()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("scope", String(20), nullable=False),
    # A forum slug, an organisation id or a level, by scope.
    Column("target", String(80), nullable=False),
    # An e-mail address or, for a webhook, its URL.
    Column("address", String(2000), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("language", String(5), nullable=False),
    Column("rhythm", String(20), nullable=False),
    # Who may see and change it: "organisation:<id>" or "token:<id>".
    Column("owner", String(80), nullable=False, index=True),
    # The webhook's signing secret; it must be readable to sign, so it is kept, never shown again.
    Column("secret", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # A person's subscription is unconfirmed until they follow the link mailed to them: it gets
    # nothing, and is deleted once confirm_by has passed. NULL: confirmed (or a token holder's).
    Column("confirm_by", UTCDateTime, nullable=True, index=True),
    # When the person confirmed: the record of their consent (GDPR art. 7(1)).
    Column("confirmed_at", UTCDateTime, nullable=True),
    # The sign-up request it came from; one confirmation link confirms the whole request.
    Column("request_id", String(36), nullable=True, index=True),
    UniqueConstraint("scope", "target", "channel", "address", name="uq_subscriptions_scope_target_channel_address"),
    Index("ix_subscriptions_scope_target", "scope", "target"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column(
        "subscription_id",
        String(36),
        ForeignKey("subscriptions.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("channel", String(20), nullable=False),
    Column("address", String(2000), nullable=False),
    Column("language", String(5), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    # Where the retry window starts: when it was recorded, or when an operator requeued it.
    Column("queued_at", UTCDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    # A digest item: the digest period it belongs to, and the digest that carried it.
    Column("digest_key", String(40), nullable=True),
    Column("digest_id", String(36), nullable=True, index=True),
    # SHA-256 of the one-click unsubscribe token sent in this message; the token itself is never stored.
    Column("unsubscribe_sha256", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # The database itself refuses a second message about one event to one address.
    UniqueConstraint("event_id", "channel", "address", name="uq_notifications_event_channel_address"),
)

notification_transitions = Table(
    "notification_transitions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("notification_id", String(36), ForeignKey("notifications.id"), nullable=False, index=True),
    Column("from_status", String(20), nullable=False),
    Column("to_status", String(20), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("at", UTCDateTime, nullable=False),
)

# Each triggering event's data, kept once however many notifications it causes;
# messages are rendered from it when they are sent.
event_payloads = Table(
    "event_payloads",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(100), nullable=False),
    Column("occurred_at", String(40), nullable=False),
    Column("data", Text, nullable=False),
)

# From the registry's membership_changed: which forums an organisation sits in.
memberships = Table(
    "memberships",
    metadata,
    Column("organisation_id", String(36), primary_key=True),
    Column("forum_slug", String(80), primary_key=True, index=True),
    Column("role", String(40), nullable=True),
    Column("starts_on", Date, nullable=True),
    Column("ends_on", Date, nullable=True),
    Column("active", Boolean, nullable=False),
)

# From the events service's meeting events: what reminders are needed for.
meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", String(36), primary_key=True),
    Column("forum_slug", String(80), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False, index=True),
    Column("registration_deadline", UTCDateTime, nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("data", Text, nullable=False),
)

# From the events service's registration events: who has a place, so they get the reminder too.
attendees = Table(
    "attendees",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("meeting_id", String(36), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("language", String(5), nullable=False),
    Column("status", String(20), nullable=False),
)
