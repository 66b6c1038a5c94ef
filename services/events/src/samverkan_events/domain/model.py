"""Forums and meetings: the rules that hold whatever stores or transports them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep, Level

STOCKHOLM = "Europe/Stockholm"
MAX_MEETING_LENGTH = timedelta(days=3)


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass
class Forum:
    slug: str
    name: str
    owner_committee: str
    description: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Meeting:
    forum_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    level: Level
    step: DecisionStep | None = None
    description: str = ""
    location: str = ""
    online_url: str = ""
    timezone: str = STOCKHOLM
    status: MeetingStatus = MeetingStatus.PLANNED
    sequence: int = 0
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            errors["starts_at"] = ["Times must carry a time zone."]
        elif self.ends_at <= self.starts_at:
            errors["ends_at"] = ["The meeting must end after it starts."]
        elif self.ends_at - self.starts_at > MAX_MEETING_LENGTH:
            errors["ends_at"] = ["A meeting can last at most three days."]
        if not self.title.strip():
            errors["title"] = ["The title cannot be empty."]
        if errors:
            raise Invalid("The meeting is not valid.", "MEETING_INVALID", errors)
