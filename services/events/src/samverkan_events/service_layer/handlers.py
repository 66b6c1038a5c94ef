"""Use cases of the events service: each takes a unit of work and plain values."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from samverkan_common.errors import Conflict, Invalid, NotFound
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import (
    STOCKHOLM,
    Forum,
    Meeting,
    MeetingFilter,
    MeetingStatus,
    OccurrenceChange,
    Registration,
    RegistrationStatus,
    ScheduleWarning,
    place_for,
    schedule_warnings,
    utcnow,
)


class EventsUow(Protocol):
    """What the use cases need of a unit of work (EventsUnitOfWork provides it)."""

    @property
    def forums(self) -> Any: ...
    @property
    def meetings(self) -> Any: ...
    @property
    def occurrences(self) -> Any: ...
    @property
    def registrations(self) -> Any: ...
    @property
    def personal_feeds(self) -> Any: ...
    @property
    def memberships(self) -> Any: ...
    @property
    def erasure(self) -> Any: ...
    def emit(self, type_: str, data: dict[str, Any], version: int = 1) -> object: ...
    def first_delivery(self, incoming: dict[str, Any]) -> bool: ...
    def commit(self) -> None: ...


# Forums ---------------------------------------------------------------------------------------


def create_forum(
    uow: EventsUow,
    *,
    slug: str,
    name: str,
    owner_committee: str,
    description: str = "",
    min_per_year: int | None = None,
    max_per_year: int | None = None,
    min_per_term: int | None = None,
) -> Forum:
    if uow.forums.by_slug(slug) is not None:
        raise Conflict(
            f"A forum with the address {slug!r} exists already.",
            "FORUM_EXISTS",
            {"slug": ["This address is taken."]},
        )
    forum = Forum(
        slug=slug,
        name=name,
        owner_committee=owner_committee,
        description=description,
        min_per_year=min_per_year,
        max_per_year=max_per_year,
        min_per_term=min_per_term,
    )
    uow.forums.add(forum)
    uow.emit("forum_created", {"forum_id": forum.id, "slug": slug, "name": name})
    uow.commit()
    return forum


def get_forum(uow: EventsUow, slug: str) -> Forum:
    forum: Forum | None = uow.forums.by_slug(slug)
    if forum is None:
        raise NotFound(f"There is no forum {slug!r}.", "FORUM_NOT_FOUND")
    return forum


def list_forums(uow: EventsUow) -> list[Forum]:
    return list(uow.forums.all())


def warnings_for_year(uow: EventsUow, year: int, forum_slug: str | None = None) -> list[ScheduleWarning]:
    """Forums whose meetings that year break their schedule rule (4–12 a year, one a term, …)."""
    forums = [get_forum(uow, forum_slug)] if forum_slug else list_forums(uow)
    start, end = _local_day_start(date(year, 1, 1)), _local_day_start(date(year + 1, 1, 1))
    found: list[ScheduleWarning] = []
    for forum in forums:
        if forum.min_per_year is None and forum.max_per_year is None and forum.min_per_term is None:
            continue
        held = [
            datetime.fromisoformat(item["starts_at"]).date()
            for item in _occurrences(uow, start, end, forum.id)
            if item["status"] != MeetingStatus.CANCELLED
        ]
        found.extend(schedule_warnings(forum, held, year))
    return found


# Meetings -------------------------------------------------------------------------------------


def schedule_meeting(
    uow: EventsUow,
    *,
    forum_slug: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    level: Level,
    step: DecisionStep | None = None,
    description: str = "",
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
    registration_deadline: datetime | None = None,
    organiser: str = "",
    status: MeetingStatus = MeetingStatus.PLANNED,
    rrule: str = "",
    municipality_code: str = "",
) -> tuple[Meeting, Forum]:
    forum = uow.forums.by_slug(forum_slug)
    if forum is None:
        raise NotFound(
            f"There is no forum {forum_slug!r}.",
            "FORUM_NOT_FOUND",
            {"forum_slug": ["No forum has this address."]},
        )
    if status is MeetingStatus.CANCELLED:
        raise Invalid("A new meeting cannot be cancelled.", "MEETING_INVALID", {"status": ["Planned or confirmed."]})
    meeting = Meeting(
        forum_id=forum.id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        level=level,
        step=step,
        description=description,
        location=location,
        online_url=online_url,
        capacity=capacity,
        registration_deadline=registration_deadline,
        organiser=organiser,
        status=status,
        rrule=rrule,
        municipality_code=municipality_code,
    )
    uow.meetings.add(meeting)
    uow.emit("meeting_scheduled", meeting_event(meeting, forum))
    uow.commit()
    return meeting, forum


def get_meeting(uow: EventsUow, meeting_id: str) -> tuple[Meeting, Forum]:
    meeting: Meeting | None = uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id!r}.", "MEETING_NOT_FOUND")
    forum = uow.forums.by_id(meeting.forum_id)
    assert forum is not None  # a foreign key guarantees it
    return meeting, forum


def _check_version(meeting: Meeting, version: int | None) -> None:
    if version is not None and version != meeting.version:
        raise Conflict(
            "Someone else changed the meeting since you read it. Read it again and repeat your change.",
            "MEETING_CHANGED",
            {"version": [f"The meeting is at version {meeting.version}, not {version}."]},
        )


def update_meeting(
    uow: EventsUow, meeting_id: str, version: int, changes: dict[str, Any], now: datetime | None = None
) -> tuple[Meeting, Forum, list[str]]:
    """Change a meeting if nobody else did since ``version`` was read (optimistic locking)."""
    meeting, forum = get_meeting(uow, meeting_id)
    _check_version(meeting, version)
    now = now or utcnow()
    capacity_before = meeting.capacity
    changed = meeting.apply(changes, now)
    if not changed:
        return meeting, forum, []
    uow.meetings.save(meeting)
    if {"rrule", "starts_at"} & set(changed):
        # A new rule or start makes new occurrences: the old ones' changes no longer name any of them.
        uow.occurrences.clear(meeting.id)
    if meeting.cancelled:
        uow.emit("meeting_cancelled", meeting_event(meeting, forum))
    else:
        uow.emit("meeting_updated", meeting_event(meeting, forum, changes=changed))
        if meeting.capacity is not None and (capacity_before is None or meeting.capacity > capacity_before):
            uow.meetings.lock(meeting.id)
            _promote(uow, meeting, forum, now)
    uow.commit()
    return meeting, forum, changed


def cancel_meeting(
    uow: EventsUow, meeting_id: str, version: int | None = None, now: datetime | None = None
) -> tuple[Meeting, Forum]:
    """Cancel: the meeting stays, with a raised SEQUENCE, so every calendar shows it cancelled."""
    meeting, forum = get_meeting(uow, meeting_id)
    _check_version(meeting, version)
    if meeting.cancel(now or utcnow()):
        uow.meetings.save(meeting)
        uow.emit("meeting_cancelled", meeting_event(meeting, forum))
        uow.commit()
    return meeting, forum


def change_occurrence(
    uow: EventsUow,
    meeting_id: str,
    *,
    occurrence_start: datetime,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    location: str | None = None,
    cancelled: bool = False,
    version: int | None = None,
    now: datetime | None = None,
) -> tuple[Meeting, Forum, OccurrenceChange]:
    """Move or cancel one occurrence of a recurring meeting; the others stay as they are."""
    meeting, forum = get_meeting(uow, meeting_id)
    _check_version(meeting, version)
    now = now or utcnow()
    if not meeting.rrule:
        raise Invalid("Only a recurring meeting has occurrences.", "NOT_RECURRING", {"occurrence_start": ["No rule."]})
    if meeting.cancelled:
        raise Invalid("A cancelled meeting cannot be changed.", "MEETING_CANCELLED", {"status": ["Cancelled."]})
    if not meeting.is_occurrence(occurrence_start):
        raise Invalid(
            "The meeting has no occurrence at that time.",
            "NO_SUCH_OCCURRENCE",
            {"occurrence_start": ["Give the original start of one occurrence."]},
        )
    new_start = starts_at or occurrence_start
    new_end = ends_at or (new_start + meeting.duration)
    if new_end <= new_start:
        raise Invalid("The meeting is not valid.", "MEETING_INVALID", {"ends_at": ["It must end after it starts."]})
    meeting.sequence += 1
    meeting.version += 1
    meeting.updated_at = now
    change = OccurrenceChange(
        meeting_id=meeting.id,
        occurrence_start=occurrence_start.astimezone(UTC),
        starts_at=new_start.astimezone(UTC),
        ends_at=new_end.astimezone(UTC),
        cancelled=cancelled,
        location=location,
        sequence=meeting.sequence,
        updated_at=now,
    )
    uow.meetings.save(meeting)
    uow.occurrences.save(change)
    data = meeting_event(meeting, forum, occurrence=change)
    if cancelled:
        uow.emit("meeting_cancelled", data)
    else:
        data["changes"] = ["starts_at", "ends_at"] + (["location"] if location is not None else [])
        uow.emit("meeting_updated", data)
    uow.commit()
    return meeting, forum, change


def meeting_event(
    meeting: Meeting, forum: Forum, changes: list[str] | None = None, occurrence: OccurrenceChange | None = None
) -> dict[str, Any]:
    """The data of meeting_scheduled / meeting_updated / meeting_cancelled (see the contracts)."""
    zone = meeting.zone
    starts_at, ends_at, status = meeting.starts_at, meeting.ends_at, meeting.status
    location = meeting.location
    if occurrence is not None:
        starts_at, ends_at = occurrence.starts_at, occurrence.ends_at
        status = MeetingStatus.CANCELLED if occurrence.cancelled else meeting.status
        location = meeting.location if occurrence.location is None else occurrence.location
    return {
        "meeting_id": meeting.id,
        "forum_id": forum.id,
        "forum_slug": forum.slug,
        "forum_name": forum.name,
        "title": meeting.title,
        "description": meeting.description,
        "starts_at": starts_at.astimezone(zone).isoformat(),
        "ends_at": ends_at.astimezone(zone).isoformat(),
        "timezone": meeting.timezone,
        "location": location,
        "online_url": meeting.online_url,
        "level": meeting.level.value,
        "step": meeting.step.value if meeting.step else None,
        "status": status.value,
        "sequence": meeting.sequence,
        "rrule": meeting.rrule,
        "capacity": meeting.capacity,
        "registration_deadline": (
            meeting.registration_deadline.astimezone(zone).isoformat() if meeting.registration_deadline else None
        ),
        "changes": changes or [],
        "occurrence_start": occurrence.occurrence_start.astimezone(zone).isoformat() if occurrence else None,
    }


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(STOCKHOLM)).astimezone(UTC)


def meetings_between(
    uow: EventsUow, start: date, end: date, chosen: MeetingFilter | None = None
) -> list[dict[str, Any]]:
    """Every occurrence from ``start`` to ``end`` (both days included, Stockholm time), cancelled too.

    ``chosen`` narrows them to some forums, a level, a municipality, or meetings in person / online.
    """
    if end < start:
        raise Invalid("The end comes before the start.", "INVALID_RANGE", {"end": ["On or after start."]})
    forum_ids = None
    if chosen is not None and chosen.forum_slugs:
        forum_ids = [forum.id for forum in uow.forums.all() if forum.slug in chosen.forum_slugs]
    return _occurrences(
        uow, _local_day_start(start), _local_day_start(end + timedelta(days=1)), chosen=chosen, forum_ids=forum_ids
    )


def _occurrences(
    uow: EventsUow,
    start: datetime,
    end: datetime,
    forum_id: str | None = None,
    chosen: MeetingFilter | None = None,
    forum_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    if forum_ids is not None and not forum_ids:
        return []  # none of the forums asked for exists
    found_meetings: list[Meeting] = uow.meetings.overlapping(start, end, forum_id, chosen, forum_ids)
    changes = uow.occurrences.of_meetings(m.id for m in found_meetings if m.rrule)
    forums = uow.forums.by_ids(m.forum_id for m in found_meetings)
    items = []
    for meeting in found_meetings:
        by_start = {change.occurrence_start: change for change in changes.get(meeting.id, [])}
        for local_start in meeting.occurrence_starts():
            original = local_start.astimezone(UTC)
            if original >= end:
                break
            change = by_start.get(original)
            begins = change.starts_at if change else original
            if not start <= begins < end:
                continue
            cancelled = meeting.cancelled or bool(change and change.cancelled)
            items.append(
                {
                    "meeting_id": meeting.id,
                    "forum_slug": forums[meeting.forum_id].slug,
                    "title": meeting.title,
                    "starts_at": begins.astimezone(meeting.zone).isoformat(),
                    "ends_at": (change.ends_at if change else original + meeting.duration)
                    .astimezone(meeting.zone)
                    .isoformat(),
                    "level": meeting.level.value,
                    "step": meeting.step.value if meeting.step else None,
                    "status": MeetingStatus.CANCELLED.value if cancelled else meeting.status.value,
                    "occurrence_start": local_start.isoformat() if meeting.rrule else None,
                    "location": meeting.location if not change or change.location is None else change.location,
                    "municipality_code": meeting.municipality_code,
                    "online": bool(meeting.online_url),
                }
            )
    return sorted(items, key=lambda item: (datetime.fromisoformat(item["starts_at"]), item["meeting_id"]))


def meeting_participation(uow: EventsUow, meeting_ids: Sequence[str]) -> list[dict[str, Any]]:
    """For each meeting asked for that exists: its occurrences (start, end, cancelled or not) and the
    organisations holding a confirmed place; what a follow-up needs to count meetings held and who took part.
    """
    found: list[Meeting] = uow.meetings.by_ids(dict.fromkeys(meeting_ids))
    changes = uow.occurrences.of_meetings(m.id for m in found if m.rrule)
    forums = uow.forums.by_ids(m.forum_id for m in found)
    items = []
    for meeting in sorted(found, key=lambda m: (m.starts_at, m.id)):
        by_start = {change.occurrence_start: change for change in changes.get(meeting.id, [])}
        occurrences = []
        for local_start in meeting.occurrence_starts():
            change = by_start.get(local_start.astimezone(UTC))
            begins = change.starts_at if change else local_start
            ends = change.ends_at if change else local_start + meeting.duration
            occurrences.append(
                {
                    "starts_at": begins.astimezone(meeting.zone).isoformat(),
                    "ends_at": ends.astimezone(meeting.zone).isoformat(),
                    "cancelled": meeting.cancelled or bool(change and change.cancelled),
                }
            )
        confirmed = uow.registrations.of_meeting(meeting.id)
        items.append(
            {
                "meeting_id": meeting.id,
                "forum_slug": forums[meeting.forum_id].slug,
                "status": meeting.status.value,
                "occurrences": occurrences,
                "organisation_ids": sorted(
                    {
                        r.organisation_id
                        for r in confirmed
                        if r.organisation_id and r.status is RegistrationStatus.CONFIRMED
                    }
                ),
            }
        )
    return items


# Registrations --------------------------------------------------------------------------------


def register(
    uow: EventsUow,
    meeting_id: str,
    *,
    attendee_name: str,
    attendee_email: str,
    organisation_id: str | None = None,
    language: str = "sv",
    accessibility_needs: str = "",
    dietary_needs: str = "",
    registered_by: str = "",
    now: datetime | None = None,
) -> tuple[Registration, Meeting, Forum]:
    """A place while places last, then the waiting list; the meeting row is held so none is given twice."""
    now = now or utcnow()
    meeting: Meeting | None = uow.meetings.lock(meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id!r}.", "MEETING_NOT_FOUND")
    closed = meeting.registration_open(now)
    if closed is not None:
        reasons = {
            "MEETING_CANCELLED": "The meeting is cancelled.",
            "NO_REGISTRATION": "This meeting takes no registrations.",
            "REGISTRATION_CLOSED": "Registration for this meeting has closed.",
        }
        raise Conflict(reasons[closed], closed)
    assert meeting.capacity is not None
    status = place_for(meeting.capacity, uow.registrations.confirmed_count(meeting.id))
    registration = Registration(
        meeting_id=meeting.id,
        attendee_name=attendee_name,
        attendee_email=attendee_email,
        status=status,
        organisation_id=organisation_id,
        language=language,
        accessibility_needs=accessibility_needs,
        dietary_needs=dietary_needs,
        registered_by=registered_by,
        created_at=now,
        updated_at=now,
    )
    uow.registrations.add(registration)
    forum = uow.forums.by_id(meeting.forum_id)
    event_type = "registration_confirmed" if status is RegistrationStatus.CONFIRMED else "registration_waitlisted"
    uow.emit(event_type, registration_event(registration, meeting, forum))
    uow.commit()
    return registration, meeting, forum


def registration_places(uow: EventsUow, meeting_id: str, now: datetime | None = None) -> dict[str, Any]:
    """How registration stands: why it is closed (or None), the places, how many are taken and how many wait."""
    meeting, _forum = get_meeting(uow, meeting_id)
    confirmed = uow.registrations.confirmed_count(meeting.id) if meeting.capacity is not None else 0
    waiting = len(uow.registrations.waitlisted(meeting.id)) if meeting.capacity is not None else 0
    return {
        "meeting_id": meeting.id,
        "closed": meeting.registration_open(now or utcnow()),
        "capacity": meeting.capacity,
        "confirmed": confirmed,
        "places_left": max(meeting.capacity - confirmed, 0) if meeting.capacity is not None else None,
        "waitlisted": waiting,
    }


def get_registration(
    uow: EventsUow, registration_id: str, organisation_id: str | None = None
) -> tuple[Registration, int | None]:
    """One registration and, while it waits, its place in the queue (1 is next); another organisation's is not found."""
    registration: Registration | None = uow.registrations.get(registration_id)
    if registration is None or (organisation_id is not None and registration.organisation_id != organisation_id):
        raise NotFound(f"There is no registration {registration_id!r}.", "REGISTRATION_NOT_FOUND")
    position = None
    if registration.status is RegistrationStatus.WAITLISTED:
        queue = [waiting.id for waiting in uow.registrations.waitlisted(registration.meeting_id)]
        position = queue.index(registration.id) + 1
    return registration, position


def cancel_registration(
    uow: EventsUow, registration_id: str, organisation_id: str | None = None, now: datetime | None = None
) -> tuple[Registration, Registration | None]:
    """Cancel a registration; a freed place goes to the first on the waiting list."""
    now = now or utcnow()
    registration: Registration | None = uow.registrations.get(registration_id)
    if registration is None or (organisation_id is not None and registration.organisation_id != organisation_id):
        # Another organisation's registration is as invisible as a missing one.
        raise NotFound(f"There is no registration {registration_id!r}.", "REGISTRATION_NOT_FOUND")
    meeting: Meeting = uow.meetings.lock(registration.meeting_id)
    registration = uow.registrations.get(registration_id)  # read again under the lock
    assert registration is not None
    if registration.status is RegistrationStatus.CANCELLED:
        return registration, None
    registration.status = RegistrationStatus.CANCELLED
    registration.updated_at = now
    uow.registrations.save(registration)
    forum = uow.forums.by_id(meeting.forum_id)
    uow.emit("registration_cancelled", registration_event(registration, meeting, forum))
    promoted = _promote(uow, meeting, forum, now)
    uow.commit()
    return registration, promoted[0] if promoted else None


def _promote(uow: EventsUow, meeting: Meeting, forum: Forum, now: datetime) -> list[Registration]:
    """Give free places to the waiting list, first come first (the caller holds the meeting's lock)."""
    if meeting.capacity is None or meeting.cancelled:
        return []
    free = meeting.capacity - uow.registrations.confirmed_count(meeting.id)
    promoted = []
    for waiting in uow.registrations.waitlisted(meeting.id)[: max(free, 0)]:
        waiting.status = RegistrationStatus.CONFIRMED
        waiting.updated_at = now
        uow.registrations.save(waiting)
        uow.emit("registration_confirmed", registration_event(waiting, meeting, forum, promoted=True))
        promoted.append(waiting)
    return promoted


def list_registrations(uow: EventsUow, meeting_id: str, organisation_id: str | None = None) -> list[Registration]:
    """All registrations for the organiser; an organisation sees its own only."""
    get_meeting(uow, meeting_id)
    return list(uow.registrations.of_meeting(meeting_id, organisation_id))


def upcoming_registrations_of(
    uow: EventsUow, organisation_id: str, now: datetime | None = None
) -> list[tuple[Registration, Meeting, Forum]]:
    """An organisation's live registrations for meetings not yet over, the soonest meeting first.

    A recurring meeting counts until its last occurrence ends; a cancelled meeting stays in the
    list (its registrations still stand, and the organisation should see that it is off).
    """
    now = now or utcnow()
    registrations: list[Registration] = uow.registrations.active_of_organisation(organisation_id)
    meetings = {meeting.id: meeting for meeting in uow.meetings.by_ids({r.meeting_id for r in registrations})}
    forums = uow.forums.by_ids({meeting.forum_id for meeting in meetings.values()})
    found = [
        (registration, meetings[registration.meeting_id], forums[meetings[registration.meeting_id].forum_id])
        for registration in registrations
        if registration.meeting_id in meetings and meetings[registration.meeting_id].last_end() > now
    ]
    return sorted(found, key=lambda item: (item[1].starts_at, item[1].title, item[0].attendee_name.casefold()))


def registration_event(
    registration: Registration, meeting: Meeting, forum: Forum, promoted: bool = False
) -> dict[str, Any]:
    zone = meeting.zone
    return {
        "registration_id": registration.id,
        "meeting_id": meeting.id,
        "forum_slug": forum.slug,
        "title": meeting.title,
        "starts_at": meeting.starts_at.astimezone(zone).isoformat(),
        "ends_at": meeting.ends_at.astimezone(zone).isoformat(),
        "organisation_id": registration.organisation_id,
        "attendee_name": registration.attendee_name,
        "attendee_email": registration.attendee_email,
        "language": registration.language,
        "status": registration.status.value,
        "promoted": promoted,
    }


# Personal feeds and memberships ---------------------------------------------------------------


def token_digest(token: str) -> str:
    # 256 random bits: a fast hash is as safe as a slow one.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_personal_feed(
    uow: EventsUow, attendee_email: str, organisation_id: str | None, now: datetime | None = None
) -> str:
    """A new secret link to a person's calendar; the previous link stops working."""
    now = now or utcnow()
    uow.personal_feeds.revoke(attendee_email, organisation_id, now)
    token = secrets.token_urlsafe(32)
    uow.personal_feeds.add(str(uuid.uuid4()), token_digest(token), attendee_email, organisation_id, now)
    uow.commit()
    return token


def personal_feed_made_at(uow: EventsUow, attendee_email: str, organisation_id: str | None) -> datetime | None:
    """When the person's working secret link was made, or None: the link itself is never kept, only its hash."""
    made: datetime | None = uow.personal_feeds.live_since(attendee_email, organisation_id)
    return made


def revoke_personal_feeds(
    uow: EventsUow, attendee_email: str, organisation_id: str | None, now: datetime | None = None
) -> int:
    revoked = int(uow.personal_feeds.revoke(attendee_email, organisation_id, now or utcnow()))
    uow.commit()
    return revoked


def membership_changed(uow: EventsUow, event: dict[str, Any]) -> bool:
    """Remember which forums an organisation sits in; a redelivered event has no second effect."""
    if not uow.first_delivery(event):
        return False
    data = event.get("data") or {}
    recorded = bool(data.get("organisation_id") and data.get("forum_slug"))
    if recorded:  # one without them names nobody: remembered as seen, and left at that
        uow.memberships.record(data, str(event.get("occurred_at", "")))
    uow.commit()
    return recorded


def person_erased(uow: EventsUow, event: dict[str, Any], now: datetime | None = None) -> bool:
    """A person erased in the registry (GDPR art. 17): forget them here; a redelivery has no second effect.

    Their registrations stay, with their status, so every meeting keeps its count and its
    record of how many came; the name, address and needs go. Their secret calendar links
    stop working and are deleted. The registration events kept in the outbox lose the name
    and address too. True if the person was known here.
    """
    if not uow.first_delivery(event):
        return False
    digest = str((event.get("data") or {}).get("email_sha256") or "")
    addresses = uow.erasure.addresses_with_digest(digest) if digest else set()
    if addresses:
        registration_ids = uow.erasure.anonymise_registrations(addresses, now or utcnow())
        uow.erasure.delete_personal_feeds(addresses)
        uow.erasure.scrub_outbox(registration_ids)
    uow.commit()
    return bool(addresses)
