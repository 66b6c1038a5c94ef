"""Forums, meetings and registrations: the rules that hold whatever stores or transports them."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import InitVar, dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from samverkan_common import meeting_times as times
from samverkan_common.errors import Invalid
from samverkan_common.participation import DecisionStep, Level

STOCKHOLM = "Europe/Stockholm"
MAX_MEETING_LENGTH = times.MAX_LENGTH
# A cancelled meeting stays in the feeds this long, so calendar apps learn of it.
CANCELLED_KEPT_FOR = timedelta(days=30)
# Recurrence rules are expanded at most this far, so a rule stored before the bounds still ends somewhere.
MAX_OCCURRENCES = 1000
# What a new meeting is checked for: every bound of meeting_times. A change is checked for what it changes.
BOUNDED = frozenset({"starts_at", "ends_at", "registration_deadline", "rrule", *times.SINGLE_LINE_FIELDS})

# Changes a person who plans to come must hear about: calendar apps need a raised SEQUENCE for them.
ATTENDEE_RELEVANT = frozenset(
    {"title", "starts_at", "ends_at", "timezone", "location", "online_url", "status", "rrule"}
)
EDITABLE = frozenset(
    {
        "title",
        "description",
        "starts_at",
        "ends_at",
        "location",
        "online_url",
        "level",
        "step",
        "status",
        "capacity",
        "registration_deadline",
        "organiser",
        "rrule",
        "municipality_code",
    }
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class MeetingMode(StrEnum):
    """How people take part: in a room (the meeting has a place) or online (it has a link); both for hybrid."""

    IN_PERSON = "in_person"
    ONLINE = "online"


@dataclass(frozen=True)
class MeetingFilter:
    """Which meetings a calendar shows; a field left empty does not narrow."""

    forum_slugs: tuple[str, ...] = ()
    level: Level | None = None
    municipality_code: str = ""
    mode: MeetingMode | None = None


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


@dataclass
class Forum:
    slug: str
    name: str
    owner_committee: str
    description: str = ""
    # The forum's schedule rule where it has one (RÖS-gruppen: 4–12 a year; stormöte: 1 a term).
    min_per_year: int | None = None
    max_per_year: int | None = None
    min_per_term: int | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        if self.min_per_year is not None and self.max_per_year is not None and self.min_per_year > self.max_per_year:
            raise Invalid(
                "The schedule rule is not valid.",
                "FORUM_INVALID",
                {"max_per_year": ["The most meetings a year cannot be fewer than the least."]},
            )


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
    capacity: int | None = None
    registration_deadline: datetime | None = None
    organiser: str = ""
    rrule: str = ""
    # Where a meeting in person is held: the SCB code of the municipality (empty when not given).
    municipality_code: str = ""
    # SEQUENCE (RFC 5545): raised only by changes that matter to an attendee.
    sequence: int = 0
    # Raised by every change: the optimistic lock, and the key of the cached VEVENT.
    version: int = 1
    cancelled_at: datetime | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    # Read back from storage: checked when it was written. A bound added since must not stop an old row
    # from loading, so a meeting in 9999 stored before the bounds still lists, and a feed can leave it out.
    stored: InitVar[bool] = False

    def __post_init__(self, stored: bool) -> None:
        if not stored:
            self.validate()

    def validate(self, written: Collection[str] = BOUNDED, now: datetime | None = None) -> None:
        """The meeting's rules, and the bounds of :mod:`meeting_times` for the fields ``written``."""
        errors: dict[str, list[str]] = {}
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            errors["starts_at"] = ["Times must carry a time zone."]
        else:
            if "starts_at" in written and (problems := times.start_problems(self.starts_at, now)):
                errors["starts_at"] = problems
            if "ends_at" in written and (problems := times.ends_problems(self.ends_at, now)):
                errors["ends_at"] = problems
            if not errors and (problems := times.end_problems(self.starts_at, self.ends_at)):
                errors["ends_at"] = problems
        if not self.title.strip():
            errors["title"] = ["The title cannot be empty."]
        for name in times.SINGLE_LINE_FIELDS:
            if name in written and (problems := times.single_line_problems(getattr(self, name))):
                errors[name] = problems
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = ["A meeting with places has at least one."]
        if self.registration_deadline is not None:
            deadline = self.registration_deadline
            if deadline.tzinfo is None:
                errors["registration_deadline"] = ["Times must carry a time zone."]
            else:
                problems = times.deadline_problems(deadline, now) if "registration_deadline" in written else []
                if not problems and "starts_at" not in errors:
                    problems = times.deadline_order_problems(deadline, self.starts_at)
                if problems:
                    errors["registration_deadline"] = problems
        if self.rrule and "starts_at" not in errors:
            self.rrule = times.normalise_rrule(self.rrule)
            # A new start moves the whole series, so its span is checked again.
            if {"rrule", "starts_at"} & set(written):
                problems = times.rrule_problems(self.rrule, self.local_start)
                if problems:
                    errors["rrule"] = problems
        if errors:
            raise Invalid("The meeting is not valid.", "MEETING_INVALID", errors)

    def notices(self) -> list[dict[str, str]]:
        """What is worth saying about accepted times: a time the clocks repeat or, in a series, skip."""
        try:
            zone = self.zone
            found: list[dict[str, str]] = times.time_notices(
                {
                    "starts_at": self.starts_at,
                    "ends_at": self.ends_at,
                    "registration_deadline": self.registration_deadline,
                },
                zone,
            )
            if self.rrule:
                first = self.local_start
                later = [start for start in self.occurrence_starts() if start != first]
                found += times.occurrence_notices(later, zone)
        except (OverflowError, ValueError):  # a row stored before the bounds: nothing sensible to say
            return []
        return found

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED

    def occurrence_starts(self) -> Iterator[datetime]:
        """Each occurrence's start in local time; the wall-clock hour holds across daylight saving."""
        if not self.rrule:
            yield self.local_start
            return
        first = self.local_start
        # dateutil keeps the wall-clock time of a zoned start: 18:00 stays 18:00 in summer and winter.
        for count, start in enumerate(rrulestr(self.rrule, dtstart=first)):
            if count >= MAX_OCCURRENCES:
                return
            # dateutil drops ``fold``: a series that starts at the second 02:30 of the October change night
            # (given as +01:00) starts then, not an hour earlier. Later repeated times are the first (fold=0).
            yield first if start.replace(tzinfo=None) == first.replace(tzinfo=None) else start

    def last_end(self) -> datetime:
        """When the last occurrence ends, UTC."""
        if not self.rrule:  # no local time needed (nor one that overflows, for a row stored near 9999)
            return self.ends_at.astimezone(UTC)
        last = self.local_start
        for last in self.occurrence_starts():  # noqa: B007 - the loop finds the last one
            pass
        return (last + self.duration).astimezone(UTC)

    def is_occurrence(self, start: datetime) -> bool:
        wanted = start.astimezone(UTC)
        for candidate in self.occurrence_starts():
            utc = candidate.astimezone(UTC)
            if utc == wanted:
                return True
            if utc > wanted:
                return False
        return False

    def visible_in_feeds(self, now: datetime) -> bool:
        """Cancelled meetings stay for 30 days so calendar apps can show them as cancelled."""
        return self.cancelled_at is None or now - self.cancelled_at <= CANCELLED_KEPT_FOR

    def apply(self, changes: dict[str, Any], now: datetime) -> list[str]:
        """Apply the changed fields; return their names, raising SEQUENCE when an attendee must know."""
        changed = sorted(name for name, value in changes.items() if name in EDITABLE and getattr(self, name) != value)
        if not changed:
            return []
        if self.cancelled:
            raise Invalid("A cancelled meeting cannot be changed.", "MEETING_CANCELLED", {"status": ["Cancelled."]})
        for name in changed:
            setattr(self, name, changes[name])
        self.validate(changed, now)
        if self.status is MeetingStatus.CANCELLED:
            self.cancelled_at = now
        if ATTENDEE_RELEVANT.intersection(changed):
            self.sequence += 1
        self.version += 1
        self.updated_at = now
        return changed

    def cancel(self, now: datetime) -> list[str]:
        if self.cancelled:
            return []
        return self.apply({"status": MeetingStatus.CANCELLED}, now)

    def registration_open(self, now: datetime) -> str | None:
        """None when people may register now, else the reason (a stable code)."""
        if self.cancelled:
            return "MEETING_CANCELLED"
        if self.capacity is None:
            return "NO_REGISTRATION"
        if self.registration_deadline is not None and now > self.registration_deadline:
            return "REGISTRATION_CLOSED"
        if now >= self.starts_at and not self.rrule:
            return "REGISTRATION_CLOSED"
        return None


@dataclass
class OccurrenceChange:
    """One occurrence of a recurring meeting moved or cancelled, the rest untouched."""

    meeting_id: str
    occurrence_start: datetime  # the original start (RECURRENCE-ID), UTC
    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False
    location: str | None = None
    sequence: int = 0
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class Registration:
    meeting_id: str
    attendee_name: str
    attendee_email: str
    status: RegistrationStatus
    organisation_id: str | None = None
    language: str = "sv"
    accessibility_needs: str = ""
    dietary_needs: str = ""
    registered_by: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


def place_for(capacity: int, confirmed: int) -> RegistrationStatus:
    """A place while there are places left, else the waiting list."""
    return RegistrationStatus.CONFIRMED if confirmed < capacity else RegistrationStatus.WAITLISTED


@dataclass(frozen=True)
class ScheduleWarning:
    forum_slug: str
    code: str
    year: int
    count: int
    term: str | None = None  # "spring" (January–June) or "autumn" (July–December)
    message_sv: str = ""
    message_en: str = ""


def term_of(day: date) -> str:
    return "spring" if day.month <= 6 else "autumn"


def schedule_warnings(forum: Forum, starts: list[date], year: int) -> list[ScheduleWarning]:
    """Where a year's meetings break the forum's schedule rule (starts: the dates held, cancelled left out)."""
    in_year = [day for day in starts if day.year == year]
    warnings = []
    if forum.min_per_year is not None and len(in_year) < forum.min_per_year:
        warnings.append(
            ScheduleWarning(
                forum.slug,
                "TOO_FEW_MEETINGS",
                year,
                len(in_year),
                message_sv=f"{forum.name} har {len(in_year)} möten {year}, minst {forum.min_per_year} behövs.",
                message_en=f"{forum.name} has {len(in_year)} meetings in {year}; it needs at least "
                f"{forum.min_per_year}.",
            )
        )
    if forum.max_per_year is not None and len(in_year) > forum.max_per_year:
        warnings.append(
            ScheduleWarning(
                forum.slug,
                "TOO_MANY_MEETINGS",
                year,
                len(in_year),
                message_sv=f"{forum.name} har {len(in_year)} möten {year}, högst {forum.max_per_year} ska hållas.",
                message_en=f"{forum.name} has {len(in_year)} meetings in {year}; at most {forum.max_per_year}.",
            )
        )
    if forum.min_per_term is not None:
        for term, term_sv in (("spring", "våren"), ("autumn", "hösten")):
            count = len([day for day in in_year if term_of(day) == term])
            if count < forum.min_per_term:
                warnings.append(
                    ScheduleWarning(
                        forum.slug,
                        "TERM_WITHOUT_MEETING",
                        year,
                        count,
                        term,
                        message_sv=f"{forum.name} har {count} möten {term_sv} {year}, "
                        f"minst {forum.min_per_term} behövs.",
                        message_en=f"{forum.name} has {count} meetings in the {term} term of {year}; it needs at "
                        f"least {forum.min_per_term}.",
                    )
                )
    return warnings
