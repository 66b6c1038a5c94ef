"""The events service: thin RPC entrypoints over the use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nameko.extensions import DependencyProvider

from samverkan_common.errors import Forbidden
from samverkan_common.metrics import Observability
from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.retrying import event_handler
from samverkan_common.service import health_report, load, rpc

from ..adapters.ical import DEFAULT_PUBLIC_URL, FeedCache
from ..adapters.repository import EventsUnitOfWork
from ..domain.model import MeetingFilter
from ..service_layer import feeds, handlers
from .schemas import (
    ActorSchema,
    BetweenSchema,
    CancelMeetingSchema,
    ChangeOccurrenceSchema,
    CreateForumSchema,
    ForumSchema,
    MeetingFilterSchema,
    MeetingIdsSchema,
    MeetingSchema,
    PersonalFeedSchema,
    RegisterSchema,
    RegistrationSchema,
    RegistrationWithNeedsSchema,
    ScheduleMeetingSchema,
    UpdateMeetingSchema,
)

ORGANISER_ROLES = {"planner", "operator"}


class FeedCacheProvider(DependencyProvider):
    """One cache of rendered meetings and feeds per service process, shared by its workers."""

    def setup(self) -> None:
        self.cache = FeedCache(base_url=self.container.config.get("PUBLIC_URL", DEFAULT_PUBLIC_URL))

    def get_dependency(self, worker_ctx: Any) -> FeedCache:
        return self.cache


class EventsService:
    name = "events"

    uow: EventsUnitOfWork = UnitOfWorkProvider(EventsUnitOfWork)  # type: ignore[assignment]
    observability = Observability()
    feed_cache: FeedCache = FeedCacheProvider()  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-events", self.uow)

    # Forums

    @rpc
    def create_forum(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(CreateForumSchema(), payload)
        forum = handlers.create_forum(self.uow, **command)
        return ForumSchema().dump(forum)

    @rpc
    def get_forum(self, slug: str) -> dict[str, Any]:
        return ForumSchema().dump(handlers.get_forum(self.uow, slug))

    @rpc
    def list_forums(self) -> list[dict[str, Any]]:
        return ForumSchema(many=True).dump(handlers.list_forums(self.uow))

    @rpc
    def schedule_warnings(self, year: int, forum_slug: str | None = None) -> list[dict[str, Any]]:
        """Where a year's meetings break a forum's schedule rule (RÖS-gruppen 4–12 a year, stormöte each term)."""
        return [vars(warning) for warning in handlers.warnings_for_year(self.uow, int(year), forum_slug)]

    # Meetings

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
    def update_meeting(self, meeting_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        changes = load(UpdateMeetingSchema(), payload)
        version = changes.pop("version")
        meeting, forum, changed = handlers.update_meeting(self.uow, meeting_id, version, changes)
        return {**_meeting_out(meeting, forum.slug), "changes": changed}

    @rpc
    def cancel_meeting(self, meeting_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        command = load(CancelMeetingSchema(), payload)
        meeting, forum = handlers.cancel_meeting(self.uow, meeting_id, **command)
        return _meeting_out(meeting, forum.slug)

    @rpc
    def change_occurrence(self, meeting_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Move or cancel one occurrence of a recurring meeting."""
        command = load(ChangeOccurrenceSchema(), payload)
        meeting, forum, _ = handlers.change_occurrence(self.uow, meeting_id, **command)
        return _meeting_out(meeting, forum.slug)

    @rpc
    def meetings_between(self, start: str, end: str, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every occurrence from start to end (YYYY-MM-DD, both included), cancelled ones too.

        ``where`` narrows them: forum_slugs, level, municipality_code, mode (in_person or online).
        """
        command = load(BetweenSchema(), {"start": start, "end": end})
        chosen = load(MeetingFilterSchema(), where or {})
        return handlers.meetings_between(
            self.uow,
            command["start"],
            command["end"],
            MeetingFilter(**{**chosen, "forum_slugs": tuple(chosen["forum_slugs"])}),
        )

    @rpc
    def meeting_participation(self, meeting_ids: list[str]) -> list[dict[str, Any]]:
        """The meetings asked for (up to 2,000): their occurrences' times and the organisations with a place."""
        command = load(MeetingIdsSchema(), {"meeting_ids": meeting_ids})
        return handlers.meeting_participation(self.uow, command["meeting_ids"])

    # Registrations

    @rpc
    def register(self, meeting_id: str, payload: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
        who = load(ActorSchema(), actor)
        command = load(RegisterSchema(), payload)
        if who["role"] == "organisation":
            if command["organisation_id"] not in (None, who["organisation_id"]):
                raise Forbidden("An organisation registers people for itself only.", "NOT_YOUR_ORGANISATION")
            if not who["organisation_id"]:
                raise Forbidden("This token speaks for no organisation.", "NO_ORGANISATION")
            command["organisation_id"] = who["organisation_id"]
        registration, _, _ = handlers.register(self.uow, meeting_id, registered_by=who["name"], **command)
        return RegistrationSchema().dump(registration)

    @rpc
    def cancel_registration(self, registration_id: str, actor: dict[str, Any]) -> dict[str, Any]:
        who = load(ActorSchema(), actor)
        own = None if who["role"] in ORGANISER_ROLES else (who["organisation_id"] or "")
        registration, promoted = handlers.cancel_registration(self.uow, registration_id, own)
        return {
            **RegistrationSchema().dump(registration),
            "promoted_registration_id": promoted.id if promoted else None,
        }

    @rpc
    def registration_places(self, meeting_id: str) -> dict[str, Any]:
        """Public: whether registration is open (else why), places, places left and the waiting list's length."""
        return handlers.registration_places(self.uow, meeting_id)

    @rpc
    def get_registration(self, registration_id: str, actor: dict[str, Any]) -> dict[str, Any]:
        """One registration with its place on the waiting list; an organisation sees its own only."""
        who = load(ActorSchema(), actor)
        own = None if who["role"] in ORGANISER_ROLES else (who["organisation_id"] or "")
        registration, position = handlers.get_registration(self.uow, registration_id, own)
        return {**RegistrationSchema().dump(registration), "waitlist_position": position}

    @rpc
    def list_registrations(self, meeting_id: str, actor: dict[str, Any]) -> list[dict[str, Any]]:
        """The organiser sees every registration with its needs; an organisation its own, without."""
        who = load(ActorSchema(), actor)
        if who["role"] in ORGANISER_ROLES:
            return RegistrationWithNeedsSchema(many=True).dump(handlers.list_registrations(self.uow, meeting_id))
        own = handlers.list_registrations(self.uow, meeting_id, who["organisation_id"] or "")
        return RegistrationSchema(many=True).dump(own)

    @rpc
    def list_upcoming_registrations(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        """The caller's organisation's registrations for meetings not yet over, each with its meeting."""
        who = load(ActorSchema(), actor)
        if not who["organisation_id"]:
            raise Forbidden("This caller speaks for no organisation.", "NO_ORGANISATION")
        found = handlers.upcoming_registrations_of(self.uow, who["organisation_id"])
        return [
            {
                **RegistrationSchema().dump(registration),
                "meeting": {
                    "id": meeting.id,
                    "title": meeting.title,
                    "starts_at": meeting.local_start.isoformat(),
                    "ends_at": meeting.ends_at.astimezone(meeting.zone).isoformat(),
                    "recurring": bool(meeting.rrule),
                    "status": meeting.status.value,
                    "forum_slug": forum.slug,
                    "forum_name": forum.name,
                },
            }
            for registration, meeting, forum in found
        ]

    # Feeds

    @rpc
    def feed(
        self, kind: str, key: str = "", known_etags: list[str] | None = None, modified_since: str | None = None
    ) -> dict[str, Any]:
        """A feed's ETag and Last-Modified, and its iCalendar text unless the caller holds it already."""
        base_url = self.feed_cache.base_url
        options: dict[str, Any] = {
            "known_etags": known_etags or [],
            "modified_since": datetime.fromisoformat(modified_since) if modified_since else None,
        }
        if kind == "all":
            answer = feeds.all_feed(self.uow, self.feed_cache, base_url, **options)
        elif kind == "forum":
            answer = feeds.forum_feed(self.uow, self.feed_cache, key, base_url, **options)
        elif kind == "organisation":
            answer = feeds.organisation_feed(self.uow, self.feed_cache, key, base_url, **options)
        elif kind == "personal":
            answer = feeds.personal_feed(self.uow, self.feed_cache, key, base_url, **options)
        else:
            raise Forbidden(f"No feed of kind {kind!r}.", "FEED_KIND")
        self.uow.session.rollback()  # end the read transaction: a long-lived worker session holds no snapshot
        return answer.to_wire()

    @rpc
    def forum_feed(self, slug: str) -> str:
        """The forum's meetings as an iCalendar document (text, UTF-8)."""
        answer = feeds.forum_feed(self.uow, self.feed_cache, slug, self.feed_cache.base_url)
        assert answer.body is not None
        return answer.body.decode("utf-8")

    @rpc
    def meeting_ics(self, meeting_id: str) -> str:
        """One meeting as an iCalendar document (text, UTF-8) with METHOD:PUBLISH, to add once."""
        body = feeds.meeting_ics(self.uow, meeting_id, self.feed_cache.base_url)
        self.uow.session.rollback()  # end the read transaction, as the feeds do
        return body.decode("utf-8")

    @rpc
    def issue_personal_feed(self, payload: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
        """A new secret calendar link for a person's registrations; the previous link stops working."""
        who = load(ActorSchema(), actor)
        command = load(PersonalFeedSchema(), payload)
        organisation_id = None if who["role"] in ORGANISER_ROLES else (who["organisation_id"] or "")
        token = handlers.issue_personal_feed(self.uow, command["attendee_email"], organisation_id)
        return {"token": token, "path": f"/feeds/personal/{token}.ics"}

    @rpc
    def personal_feed_status(self, payload: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
        """Whether a person's secret link works and since when; never the link, which is kept only as a hash."""
        who = load(ActorSchema(), actor)
        command = load(PersonalFeedSchema(), payload)
        organisation_id = None if who["role"] in ORGANISER_ROLES else (who["organisation_id"] or "")
        made = handlers.personal_feed_made_at(self.uow, command["attendee_email"], organisation_id)
        return {"exists": made is not None, "created_at": made.isoformat() if made else None}

    @rpc
    def revoke_personal_feeds(self, payload: dict[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
        who = load(ActorSchema(), actor)
        command = load(PersonalFeedSchema(), payload)
        organisation_id = None if who["role"] in ORGANISER_ROLES else (who["organisation_id"] or "")
        return {"revoked": handlers.revoke_personal_feeds(self.uow, command["attendee_email"], organisation_id)}

    @event_handler("registry", "membership_changed")
    def on_membership_changed(self, event: dict[str, Any]) -> None:
        handlers.membership_changed(self.uow, event)

    @event_handler("registry", "person_erased")
    def on_person_erased(self, event: dict[str, Any]) -> None:
        handlers.person_erased(self.uow, event)


def _meeting_out(meeting: Any, forum_slug: str) -> dict[str, Any]:
    data = MeetingSchema().dump(meeting)
    data["forum_slug"] = forum_slug
    return data
