"""Use cases of the events service: each takes a unit of work and plain values."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from samverkan_common.errors import Conflict, NotFound
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import Forum, Meeting


class ForumStore(Protocol):
    def add(self, forum: Forum) -> None: ...
    def by_slug(self, slug: str) -> Forum | None: ...
    def by_id(self, forum_id: str) -> Forum | None: ...


class MeetingStore(Protocol):
    def add(self, meeting: Meeting) -> None: ...
    def get(self, meeting_id: str) -> Meeting | None: ...
    def of_forum(self, forum_id: str) -> list[Meeting]: ...


class EventsUow(Protocol):
    @property
    def forums(self) -> ForumStore: ...
    @property
    def meetings(self) -> MeetingStore: ...
    def emit(self, type_: str, data: dict[str, object], version: int = 1) -> object: ...
    def commit(self) -> None: ...


def create_forum(uow: EventsUow, *, slug: str, name: str, owner_committee: str, description: str = "") -> Forum:
    if uow.forums.by_slug(slug) is not None:
        raise Conflict(
            f"A forum with the address {slug!r} exists already.",
            "FORUM_EXISTS",
            {"slug": ["This address is taken."]},
        )
    forum = Forum(slug=slug, name=name, owner_committee=owner_committee, description=description)
    uow.forums.add(forum)
    uow.emit("forum_created", {"forum_id": forum.id, "slug": slug, "name": name})
    uow.commit()
    return forum


def get_forum(uow: EventsUow, slug: str) -> Forum:
    forum = uow.forums.by_slug(slug)
    if forum is None:
        raise NotFound(f"There is no forum {slug!r}.", "FORUM_NOT_FOUND")
    return forum


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
) -> tuple[Meeting, Forum]:
    forum = uow.forums.by_slug(forum_slug)
    if forum is None:
        raise NotFound(
            f"There is no forum {forum_slug!r}.",
            "FORUM_NOT_FOUND",
            {"forum_slug": ["No forum has this address."]},
        )
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
    )
    uow.meetings.add(meeting)
    uow.emit(
        "meeting_scheduled",
        {
            "meeting_id": meeting.id,
            "forum_id": forum.id,
            "forum_slug": forum.slug,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(),
            "timezone": meeting.timezone,
            "location": meeting.location,
            "online_url": meeting.online_url,
            "level": meeting.level.value,
            "step": meeting.step.value if meeting.step else None,
        },
    )
    uow.commit()
    return meeting, forum


def get_meeting(uow: EventsUow, meeting_id: str) -> tuple[Meeting, Forum]:
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id!r}.", "MEETING_NOT_FOUND")
    forum = uow.forums.by_id(meeting.forum_id)
    assert forum is not None  # a foreign key guarantees it
    return meeting, forum


def forum_meetings(uow: EventsUow, slug: str) -> tuple[Forum, list[Meeting]]:
    forum = get_forum(uow, slug)
    return forum, uow.meetings.of_forum(forum.id)
