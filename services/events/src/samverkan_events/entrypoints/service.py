"""The events service: thin RPC entrypoints over the use cases."""

from __future__ import annotations

from typing import Any

from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load, rpc

from ..adapters.ical import forum_calendar
from ..adapters.repository import EventsUnitOfWork
from ..service_layer import handlers
from .schemas import CreateForumSchema, ForumSchema, MeetingSchema, ScheduleMeetingSchema


class EventsService:
    name = "events"

    uow: EventsUnitOfWork = UnitOfWorkProvider(EventsUnitOfWork)  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-events", self.uow)

    @rpc
    def create_forum(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(CreateForumSchema(), payload)
        forum = handlers.create_forum(self.uow, **command)
        return ForumSchema().dump(forum)

    @rpc
    def get_forum(self, slug: str) -> dict[str, Any]:
        return ForumSchema().dump(handlers.get_forum(self.uow, slug))

    @rpc
    def schedule_meeting(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(ScheduleMeetingSchema(), payload)
        meeting, forum = handlers.schedule_meeting(self.uow, **command)
        return _meeting_out(meeting, forum.slug)

    @rpc
    def get_meeting(self, meeting_id: str) -> dict[str, Any]:
        meeting, forum = handlers.get_meeting(self.uow, meeting_id)
        return _meeting_out(meeting, forum.slug)

    @rpc
    def forum_feed(self, slug: str) -> str:
        """The forum's meetings as an iCalendar document (text, UTF-8)."""
        forum, meetings = handlers.forum_meetings(self.uow, slug)
        return forum_calendar(forum, meetings).decode("utf-8")


def _meeting_out(meeting: Any, forum_slug: str) -> dict[str, Any]:
    data = MeetingSchema().dump(meeting)
    data["forum_slug"] = forum_slug
    return data
