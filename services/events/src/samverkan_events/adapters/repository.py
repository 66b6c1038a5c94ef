"""SQLAlchemy repositories and the events unit of work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import (
    CANCELLED_KEPT_FOR,
    Forum,
    Meeting,
    MeetingFilter,
    MeetingMode,
    MeetingStatus,
    OccurrenceChange,
    Registration,
    RegistrationStatus,
)
from .erasure import PersonEraser
from .tables import forums, meetings, memberships, metadata, occurrence_changes, personal_feeds, registrations

MEETING_FIELDS = {f.name for f in fields(Meeting)}


class ForumRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, forum: Forum) -> None:
        self.session.execute(insert(forums).values(**asdict(forum)))

    def by_slug(self, slug: str) -> Forum | None:
        row = self.session.execute(select(forums).where(forums.c.slug == slug)).first()
        return Forum(**row._mapping) if row else None

    def by_id(self, forum_id: str) -> Forum | None:
        row = self.session.execute(select(forums).where(forums.c.id == forum_id)).first()
        return Forum(**row._mapping) if row else None

    def by_ids(self, forum_ids: Iterable[str]) -> dict[str, Forum]:
        rows = self.session.execute(select(forums).where(forums.c.id.in_(set(forum_ids)))).all()
        return {row.id: Forum(**row._mapping) for row in rows}

    def all(self) -> list[Forum]:
        rows = self.session.execute(select(forums).order_by(forums.c.name)).all()
        return [Forum(**row._mapping) for row in rows]


@dataclass(frozen=True)
class FeedScope:
    """Which meetings a feed holds: all, some forums, or some meetings (a person's)."""

    forum_ids: tuple[str, ...] | None = None
    meeting_ids: tuple[str, ...] | None = None

    def where(self, now: datetime) -> ColumnElement[bool]:
        # A cancelled meeting stays in the feed for 30 days, then leaves it.
        clauses = [or_(meetings.c.cancelled_at.is_(None), meetings.c.cancelled_at >= now - CANCELLED_KEPT_FOR)]
        if self.forum_ids is not None:
            clauses.append(meetings.c.forum_id.in_(self.forum_ids))
        if self.meeting_ids is not None:
            clauses.append(meetings.c.id.in_(self.meeting_ids))
        return and_(*clauses)


class MeetingRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, meeting: Meeting) -> None:
        self.session.execute(insert(meetings).values(**asdict(meeting), last_ends_at=meeting.last_end()))

    def save(self, meeting: Meeting) -> None:
        values = asdict(meeting)
        del values["id"]
        self.session.execute(
            update(meetings).where(meetings.c.id == meeting.id).values(**values, last_ends_at=meeting.last_end())
        )

    def get(self, meeting_id: str) -> Meeting | None:
        row = self.session.execute(select(meetings).where(meetings.c.id == meeting_id)).first()
        return _meeting(row._mapping) if row else None

    def lock(self, meeting_id: str) -> Meeting | None:
        """The meeting, with its row held until commit: registrations for it then queue one by one.

        A write first, rather than SELECT ... FOR UPDATE, because SQLite knows no row locks:
        a write at the start of the transaction takes its one writer lock before anything is read.
        """
        result = self.session.execute(
            update(meetings)
            .where(meetings.c.id == meeting_id)
            .values(registrations_revision=meetings.c.registrations_revision + 1)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        return self.get(meeting_id)

    def by_ids(self, meeting_ids: Iterable[str]) -> list[Meeting]:
        ids = list(meeting_ids)
        found: list[Meeting] = []
        for start in range(0, len(ids), 500):  # stay under every database's bound-parameter limit
            rows = self.session.execute(select(meetings).where(meetings.c.id.in_(ids[start : start + 500]))).all()
            found.extend(_meeting(row._mapping) for row in rows)
        return found

    def of_forum(self, forum_id: str) -> list[Meeting]:
        rows = self.session.execute(
            select(meetings).where(meetings.c.forum_id == forum_id).order_by(meetings.c.starts_at)
        ).all()
        return [_meeting(row._mapping) for row in rows]

    def overlapping(
        self,
        start: datetime,
        end: datetime,
        forum_id: str | None = None,
        chosen: MeetingFilter | None = None,
        forum_ids: Iterable[str] | None = None,
    ) -> list[Meeting]:
        """Meetings with an occurrence that may fall in [start, end), narrowed by a calendar's filter."""
        query = select(meetings).where(meetings.c.starts_at < end, meetings.c.last_ends_at > start)
        if forum_id is not None:
            query = query.where(meetings.c.forum_id == forum_id)
        if forum_ids is not None:
            query = query.where(meetings.c.forum_id.in_(list(forum_ids)))
        if chosen is not None:
            if chosen.level is not None:
                query = query.where(meetings.c.level == chosen.level.value)
            if chosen.municipality_code:
                query = query.where(meetings.c.municipality_code == chosen.municipality_code)
            if chosen.mode is MeetingMode.ONLINE:
                query = query.where(meetings.c.online_url != "")
            elif chosen.mode is MeetingMode.IN_PERSON:
                query = query.where(meetings.c.location != "")
        rows = self.session.execute(query.order_by(meetings.c.starts_at)).all()
        return [_meeting(row._mapping) for row in rows]

    def fingerprint(self, scope: FeedScope, now: datetime) -> tuple[int, int, datetime | None]:
        """Changes whenever the feed would: how many meetings, the sum of their versions, the last change."""
        row = self.session.execute(
            select(func.count(), func.coalesce(func.sum(meetings.c.version), 0), func.max(meetings.c.updated_at))
            .select_from(meetings)
            .where(scope.where(now))
        ).one()
        return int(row[0]), int(row[1]), row[2]

    def stamps(self, scope: FeedScope, now: datetime) -> list[tuple[str, int]]:
        """(id, version) of each meeting in the feed, in start order: the keys of its cached VEVENTs.

        Only these two plain columns: reading and converting two timestamps per meeting was about a
        quarter of the service's time in a rebuild after one change (profiled), and the feed needs
        them only per zone (:meth:`zone_years`).
        """
        rows = self.session.execute(
            select(meetings.c.id, meetings.c.version)
            .where(scope.where(now))
            .order_by(meetings.c.starts_at, meetings.c.id)
        ).all()
        return [(row[0], row[1]) for row in rows]

    def zone_years(self, scope: FeedScope, now: datetime) -> dict[str, tuple[int, int]]:
        """Per time zone of the feed's meetings: the first year one starts and the last year one ends."""
        rows = self.session.execute(
            select(meetings.c.timezone, func.min(meetings.c.starts_at), func.max(meetings.c.last_ends_at))
            .where(scope.where(now))
            .group_by(meetings.c.timezone)
        ).all()
        return {row[0]: (row[1].year, row[2].year) for row in rows}


def _meeting(values: Any) -> Meeting:
    found = {key: value for key, value in dict(values).items() if key in MEETING_FIELDS}
    found["level"] = Level(found["level"])
    found["step"] = DecisionStep(found["step"]) if found["step"] else None
    found["status"] = MeetingStatus(found["status"])
    return Meeting(**found, stored=True)


class OccurrenceRepository:
    def __init__(self, session: Session):
        self.session = session

    def of_meetings(self, meeting_ids: Iterable[str]) -> dict[str, list[OccurrenceChange]]:
        ids = list(meeting_ids)
        found: dict[str, list[OccurrenceChange]] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(occurrence_changes)
                .where(occurrence_changes.c.meeting_id.in_(ids[start : start + 500]))
                .order_by(occurrence_changes.c.occurrence_start)
            ).all()
            for row in rows:
                found.setdefault(row.meeting_id, []).append(OccurrenceChange(**row._mapping))
        return found

    def clear(self, meeting_id: str) -> None:
        self.session.execute(delete(occurrence_changes).where(occurrence_changes.c.meeting_id == meeting_id))

    def save(self, change: OccurrenceChange) -> None:
        key = and_(
            occurrence_changes.c.meeting_id == change.meeting_id,
            occurrence_changes.c.occurrence_start == change.occurrence_start,
        )
        values = asdict(change)
        if self.session.execute(select(occurrence_changes.c.meeting_id).where(key)).first():
            self.session.execute(update(occurrence_changes).where(key).values(**values))
        else:
            self.session.execute(insert(occurrence_changes).values(**values))


class RegistrationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, registration: Registration) -> None:
        self.session.execute(insert(registrations).values(**asdict(registration)))

    def save(self, registration: Registration) -> None:
        values = asdict(registration)
        del values["id"]
        self.session.execute(update(registrations).where(registrations.c.id == registration.id).values(**values))

    def get(self, registration_id: str) -> Registration | None:
        row = self.session.execute(select(registrations).where(registrations.c.id == registration_id)).first()
        return _registration(row._mapping) if row else None

    def confirmed_count(self, meeting_id: str) -> int:
        return int(
            self.session.execute(
                select(func.count())
                .select_from(registrations)
                .where(registrations.c.meeting_id == meeting_id, registrations.c.status == RegistrationStatus.CONFIRMED)
            ).scalar_one()
        )

    def waitlisted(self, meeting_id: str) -> list[Registration]:
        """The waiting list, first come first."""
        rows = self.session.execute(
            select(registrations)
            .where(registrations.c.meeting_id == meeting_id, registrations.c.status == RegistrationStatus.WAITLISTED)
            .order_by(registrations.c.created_at, registrations.c.id)
        ).all()
        return [_registration(row._mapping) for row in rows]

    def of_meeting(self, meeting_id: str, organisation_id: str | None = None) -> list[Registration]:
        query = select(registrations).where(registrations.c.meeting_id == meeting_id)
        if organisation_id is not None:
            query = query.where(registrations.c.organisation_id == organisation_id)
        rows = self.session.execute(query.order_by(registrations.c.created_at, registrations.c.id)).all()
        return [_registration(row._mapping) for row in rows]

    def meeting_ids_of(self, attendee_email: str, organisation_id: str | None) -> list[str]:
        """Meetings a person holds a place at (not the waiting list)."""
        query = select(registrations.c.meeting_id).where(
            func.lower(registrations.c.attendee_email) == attendee_email.lower(),
            registrations.c.status == RegistrationStatus.CONFIRMED,
        )
        if organisation_id is not None:
            query = query.where(registrations.c.organisation_id == organisation_id)
        return sorted({row[0] for row in self.session.execute(query).all()})

    def active_of_organisation(self, organisation_id: str) -> list[Registration]:
        """An organisation's registrations that still hold a place or a place in the queue."""
        rows = self.session.execute(
            select(registrations)
            .where(
                registrations.c.organisation_id == organisation_id,
                registrations.c.status != RegistrationStatus.CANCELLED,
            )
            .order_by(registrations.c.created_at, registrations.c.id)
        ).all()
        return [_registration(row._mapping) for row in rows]


def _registration(values: Any) -> Registration:
    found = dict(values)
    found["status"] = RegistrationStatus(found["status"])
    return Registration(**found)


class PersonalFeedRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self, feed_id: str, token_sha256: str, attendee_email: str, organisation_id: str | None, now: datetime
    ) -> None:
        self.session.execute(
            insert(personal_feeds).values(
                id=feed_id,
                token_sha256=token_sha256,
                attendee_email=attendee_email.lower(),
                organisation_id=organisation_id,
                created_at=now,
            )
        )

    def by_digest(self, token_sha256: str) -> tuple[str, str | None] | None:
        """(attendee_email, organisation_id) of a live token."""
        row = self.session.execute(
            select(personal_feeds.c.attendee_email, personal_feeds.c.organisation_id).where(
                personal_feeds.c.token_sha256 == token_sha256, personal_feeds.c.revoked_at.is_(None)
            )
        ).first()
        return (row[0], row[1]) if row else None

    def live_since(self, attendee_email: str, organisation_id: str | None) -> datetime | None:
        """When the person's working link was made, or None when no link works."""
        found: datetime | None = self.session.execute(
            select(personal_feeds.c.created_at)
            .where(
                personal_feeds.c.attendee_email == attendee_email.lower(),
                self._owner(organisation_id),
                personal_feeds.c.revoked_at.is_(None),
            )
            .order_by(personal_feeds.c.created_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        return found

    @staticmethod
    def _owner(organisation_id: str | None) -> ColumnElement[bool]:
        return (
            personal_feeds.c.organisation_id.is_(None)
            if organisation_id is None
            else personal_feeds.c.organisation_id == organisation_id
        )

    def revoke(self, attendee_email: str, organisation_id: str | None, now: datetime) -> int:
        owner = (
            personal_feeds.c.organisation_id.is_(None)
            if organisation_id is None
            else personal_feeds.c.organisation_id == organisation_id
        )
        result = self.session.execute(
            update(personal_feeds)
            .where(
                personal_feeds.c.attendee_email == attendee_email.lower(),
                owner,
                personal_feeds.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class MembershipRepository:
    def __init__(self, session: Session):
        self.session = session

    def record(self, data: dict[str, Any], occurred_at: str) -> bool:
        """Keep the newest fact per organisation and forum; an older event arriving late changes nothing."""
        key = and_(
            memberships.c.organisation_id == data["organisation_id"], memberships.c.forum_slug == data["forum_slug"]
        )
        values = {
            "role": data.get("role") or "",
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "active": bool(data.get("active", True)),
            "event_occurred_at": occurred_at,
        }
        current = self.session.execute(select(memberships.c.event_occurred_at).where(key)).first()
        if current is None:
            self.session.execute(
                insert(memberships).values(
                    organisation_id=data["organisation_id"], forum_slug=data["forum_slug"], **values
                )
            )
            return True
        if current[0] > occurred_at:
            return False
        self.session.execute(update(memberships).where(key).values(**values))
        return True

    def forum_slugs_of(self, organisation_id: str) -> list[str]:
        rows = self.session.execute(
            select(memberships.c.forum_slug).where(
                memberships.c.organisation_id == organisation_id, memberships.c.active.is_(True)
            )
        ).all()
        return sorted(row[0] for row in rows)


class EventsUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def forums(self) -> ForumRepository:
        return ForumRepository(self.session)

    @property
    def meetings(self) -> MeetingRepository:
        return MeetingRepository(self.session)

    @property
    def occurrences(self) -> OccurrenceRepository:
        return OccurrenceRepository(self.session)

    @property
    def registrations(self) -> RegistrationRepository:
        return RegistrationRepository(self.session)

    @property
    def personal_feeds(self) -> PersonalFeedRepository:
        return PersonalFeedRepository(self.session)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.session)

    @property
    def erasure(self) -> PersonEraser:
        return PersonEraser(self.session)
