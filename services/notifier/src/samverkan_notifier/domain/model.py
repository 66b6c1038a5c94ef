"""Who wants to hear about what, and each notification owed to them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class Language(StrEnum):
    SV = "sv"
    EN = "en"


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    PARKED = "parked"


@dataclass
class Subscription:
    """A person or organisation that follows a forum's meetings."""

    forum_slug: str
    address: str
    channel: Channel = Channel.EMAIL
    language: Language = Language.SV
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Notification:
    """One message owed to one subscriber because of one event."""

    event_id: str
    event_type: str
    subscription_id: str
    channel: Channel
    address: str
    language: Language
    subject: str
    status: NotificationStatus = NotificationStatus.QUEUED
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


SUBJECTS = {
    "meeting_scheduled": {
        Language.SV: "Nytt möte: {title}",
        Language.EN: "New meeting: {title}",
    },
}


def notifications_for(event: dict[str, object], subscribers: list[Subscription]) -> list[Notification]:
    """One notification per subscriber, in the subscriber's language."""
    data = event["data"]
    assert isinstance(data, dict)
    subjects = SUBJECTS[str(event["type"])]
    return [
        Notification(
            event_id=str(event["event_id"]),
            event_type=str(event["type"]),
            subscription_id=subscriber.id,
            channel=subscriber.channel,
            address=subscriber.address,
            language=subscriber.language,
            subject=subjects[subscriber.language].format(**data),
        )
        for subscriber in subscribers
    ]
