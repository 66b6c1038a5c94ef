"""Who wants to hear about what, each notification owed to them, and how its delivery went."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Ids derived from a name (reminders, digests) live in their own uuid5 namespace, so
# the same reminder or digest always gets the same id and is recorded once.
NAMESPACE = uuid.UUID("6f1d2c7e-3f5b-4c1e-9a0e-5b7d8c9e0a11")


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class Language(StrEnum):
    SV = "sv"
    EN = "en"


class Rhythm(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


class Scope(StrEnum):
    """What a subscription follows: one forum, the forums an organisation sits in, or a level."""

    FORUM = "forum"
    ORGANISATION = "organisation"
    LEVEL = "level"


class NotificationStatus(StrEnum):
    QUEUED = "queued"  # waiting for its first attempt (or, for a digest item, for its digest)
    SENT = "sent"  # accepted by the SMTP server or the webhook receiver
    FAILED = "failed"  # the last attempt failed; another is due at next_attempt_at
    RETRIED = "retried"  # a retry is under way
    PARKED = "parked"  # retried for the whole retry window without success: an operator must look
    BUNDLED = "bundled"  # a digest item, delivered as part of its digest (digest_id)
    WITHDRAWN = "withdrawn"  # the recipient unsubscribed before it was sent


PENDING = (NotificationStatus.QUEUED, NotificationStatus.FAILED, NotificationStatus.RETRIED)


@dataclass
class Subscription:
    """A person or organisation that follows a forum, an organisation's forums, or a level."""

    scope: Scope
    target: str
    address: str
    channel: Channel = Channel.EMAIL
    language: Language = Language.SV
    rhythm: Rhythm = Rhythm.IMMEDIATELY
    owner: str = ""
    secret: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # A person's e-mail subscription waits for its confirmation until ``confirm_by`` and gets
    # nothing meanwhile; None means confirmed (or made by a token holder, who needs no confirmation).
    confirm_by: datetime | None = None
    # When the person clicked the confirmation: the record of their consent.
    confirmed_at: datetime | None = None
    # The sign-up request it came from: one confirmation mail (and link) confirms the whole request.
    request_id: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirm_by is None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Two subscriptions with the same key are the same wish."""
        return (self.scope.value, self.target, self.channel.value, self.address)


@dataclass
class Notification:
    """One message owed to one recipient because of one event (or one digest of events)."""

    event_id: str
    event_type: str
    subscription_id: str | None
    channel: Channel
    address: str
    language: Language
    subject: str
    status: NotificationStatus = NotificationStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    queued_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    digest_key: str | None = None
    digest_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2×base, 4×base … each wait at most ``max_delay``; parked after ``window``."""

    base: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=24)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        exponent = min(max(attempts - 1, 0), 40)
        delay: timedelta = self.base * (2**exponent)
        return min(delay, self.max_delay)

    def next_attempt(self, attempts: int, first_queued: datetime, now: datetime) -> datetime | None:
        """When to try again, or None when the retry window is over and the delivery is parked."""
        due = now + self.delay(attempts)
        return None if due - first_queued > self.window else due


SUBJECTS: dict[str, dict[Language, str]] = {
    "meeting_scheduled": {Language.SV: "Nytt möte: {title}", Language.EN: "New meeting: {title}"},
    "meeting_updated": {Language.SV: "Ändrat möte: {title}", Language.EN: "Meeting changed: {title}"},
    "meeting_cancelled": {Language.SV: "Inställt möte: {title}", Language.EN: "Meeting cancelled: {title}"},
    "meeting_reminder": {Language.SV: "Påminnelse: {title}", Language.EN: "Reminder: {title}"},
    "registration_deadline": {
        Language.SV: "Sista dag att anmäla sig: {title}",
        Language.EN: "Last day to register: {title}",
    },
    "registration_confirmed": {
        Language.SV: "Du är anmäld: {title}",
        Language.EN: "You are registered: {title}",
    },
    "registration_promoted": {
        Language.SV: "Du har fått en plats: {title}",
        Language.EN: "You have got a place: {title}",
    },
    "registration_waitlisted": {
        Language.SV: "Du står på väntelistan: {title}",
        Language.EN: "You are on the waiting list: {title}",
    },
    "registration_cancelled": {
        Language.SV: "Din anmälan är avbokad: {title}",
        Language.EN: "Your registration is cancelled: {title}",
    },
    "plan_created": {
        Language.SV: "Ni är inbjudna till dialog: {issue}",
        Language.EN: "You are invited to a dialogue: {issue}",
    },
    "plan_invitation_sent": {
        Language.SV: "Inbjudan till dialog: {issue}",
        Language.EN: "Invitation to a dialogue: {issue}",
    },
    "plan_meeting_booked": {
        Language.SV: "Nytt möte i dialogen: {title}",
        Language.EN: "New meeting in the dialogue: {title}",
    },
    "plan_feedback_given": {
        Language.SV: "Återkoppling från dialogen: {issue}",
        Language.EN: "Feedback from the dialogue: {issue}",
    },
    "subscription_confirmation": {
        Language.SV: "Bekräfta att du vill få mejl från Samverkan",
        Language.EN: "Confirm that you want e-mail from Samverkan",
    },
    "digest": {
        Language.SV: "Sammanfattning från Samverkan: {count} nyheter",
        Language.EN: "Summary from Samverkan: {count} updates",
    },
}

# The mail that invites an organisation to a plan's dialogue; its link is the invitation's answer page.
INVITATION = "plan_invitation_sent"
# The feedback (återkoppling) on a plan's dialogue, to every organisation invited or taking part.
FEEDBACK = "plan_feedback_given"
# The mail that asks a person to confirm a subscription; its link is the message's one token.
CONFIRMATION = "subscription_confirmation"
# Owner of the subscriptions people make themselves, without a token.
PERSON = "person"

MEETING_EVENTS = ("meeting_scheduled", "meeting_updated", "meeting_cancelled")
REGISTRATION_EVENTS = ("registration_confirmed", "registration_waitlisted", "registration_cancelled")


def message_kind(event_type: str, data: dict[str, Any]) -> str:
    """The wording to use: a confirmed registration that came off the waiting list is a promotion."""
    if event_type == "registration_confirmed" and data.get("promoted"):
        return "registration_promoted"
    return event_type


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def subject_for(kind: str, language: Language, data: dict[str, Any]) -> str:
    """The subject line in the recipient's language; a field the event lacks reads as empty."""
    subject = SUBJECTS[kind][language].format_map(_Blank(data))
    return subject[:300]


def derived_id(*parts: str) -> str:
    """A stable id for something the notifier makes itself (a reminder, a digest)."""
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def digest_period(rhythm: Rhythm, now: datetime) -> tuple[str, datetime]:
    """The digest ``now`` belongs to, and when it closes, by the Stockholm calendar.

    A daily digest runs from local midnight to local midnight; a weekly one from
    Monday 00:00 to the next Monday. An item belongs to the period in which it
    was recorded, so the boundary splits items, never loses or repeats them.
    """
    local = now.astimezone(STOCKHOLM)
    if rhythm is Rhythm.DAILY:
        day = local.date()
        return f"daily:{day.isoformat()}", _midnight(day + timedelta(days=1))
    if rhythm is Rhythm.WEEKLY:
        monday = local.date() - timedelta(days=local.weekday())
        year, week, _ = monday.isocalendar()
        return f"weekly:{year}-W{week:02d}", _midnight(monday + timedelta(days=7))
    raise ValueError(f"{rhythm} has no digest period")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), STOCKHOLM).astimezone(UTC)


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time from an event, or None when it is missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=STOCKHOLM)
