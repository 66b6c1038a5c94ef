"""SQLAlchemy repositories and the events unit of work."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import Forum, Meeting, MeetingStatus
from .tables import forums, meetings, metadata


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

    def all(self) -> list[Forum]:
        rows = self.session.execute(select(forums).order_by(forums.c.name)).all()
        return [Forum(**row._mapping) for row in rows]


class MeetingRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, meeting: Meeting) -> None:
        self.session.execute(insert(meetings).values(**asdict(meeting)))

    def get(self, meeting_id: str) -> Meeting | None:
        row = self.session.execute(select(meetings).where(meetings.c.id == meeting_id)).first()
        return _meeting(row._mapping) if row else None

    def of_forum(self, forum_id: str) -> list[Meeting]:
        rows = self.session.execute(
            select(meetings).where(meetings.c.forum_id == forum_id).order_by(meetings.c.starts_at)
        ).all()
        return [_meeting(row._mapping) for row in rows]


def _meeting(values: object) -> Meeting:
    fields = dict(values)  # type: ignore[call-overload]
    fields["level"] = Level(fields["level"])
    fields["step"] = DecisionStep(fields["step"]) if fields["step"] else None
    fields["status"] = MeetingStatus(fields["status"])
    return Meeting(**fields)


class EventsUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def forums(self) -> ForumRepository:
        return ForumRepository(self.session)

    @property
    def meetings(self) -> MeetingRepository:
        return MeetingRepository(self.session)
