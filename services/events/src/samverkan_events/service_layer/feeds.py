"""The iCalendar feeds: answered from cache while nothing changed, rebuilt only where something did."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from samverkan_common.errors import NotFound

from ..adapters.ical import FeedCache, FeedDocument, assemble, render_meeting
from ..adapters.repository import FeedScope
from ..domain.model import Forum
from . import handlers
from .handlers import EventsUow

ALL_NAME = "Samverkan – alla möten"
ALL_DESCRIPTION = "Alla möten i Västra Götalandsregionens dialogforum med det civila samhället."


@dataclass(frozen=True)
class FeedAnswer:
    """What the gateway needs: the validators always, the body only when the caller lacks it."""

    etag: str
    last_modified: datetime
    body: bytes | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "etag": self.etag,
            "last_modified": self.last_modified.isoformat(),
            "body": self.body.decode("utf-8") if self.body is not None else None,
        }


def _version(feed_key: str, name: str, scope: FeedScope, fingerprint: tuple[int, int, datetime | None]) -> str:
    parts = [feed_key, name, repr(scope.forum_ids), repr(scope.meeting_ids), repr(fingerprint)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def feed(
    uow: EventsUow,
    cache: FeedCache,
    feed_key: str,
    name: str,
    description: str,
    scope: FeedScope,
    base_url: str,
    known_etags: list[str] | None = None,
    modified_since: datetime | None = None,
    now: datetime | None = None,
) -> FeedAnswer:
    """The feed's validators, and its body unless the caller holds it already.

    The caller holds it when it names the current ETag, or (HTTP If-Modified-Since) when
    nothing changed since ``modified_since``. Either way the feed is not built.
    """
    now = now or datetime.now(UTC)
    fingerprint = uow.meetings.fingerprint(scope, now)
    version = _version(feed_key, name, scope, fingerprint)
    etag = f'"{version}"'
    last_modified = (fingerprint[2] or datetime(2026, 1, 1, tzinfo=UTC)).replace(microsecond=0)
    if (known_etags and etag in known_etags) or (modified_since is not None and last_modified <= modified_since):
        return FeedAnswer(etag, last_modified, None)  # not built: the caller answers 304 or from its copy
    cached = cache.feed(feed_key, version)
    if cached is None:
        cached = FeedDocument(build(uow, cache, name, description, scope, base_url, now), etag, last_modified)
        cache.store_feed(feed_key, version, cached)
    return FeedAnswer(etag, last_modified, cached.body)


def build(
    uow: EventsUow, cache: FeedCache, name: str, description: str, scope: FeedScope, base_url: str, now: datetime
) -> bytes:
    """Assemble the feed, rendering only the meetings whose version is not cached yet.

    A meeting that cannot be rendered (one stored in 9999 before the bounds, say) is left out,
    logged with its id and counted; the rest of the feed is served.
    """
    # Imported here, so that this change leaves the module's imports to the other changes under way.
    import logging

    from samverkan_common import meeting_times as times
    from samverkan_common.metrics import FEED_MEETINGS_LEFT_OUT

    log = logging.getLogger(__name__)

    def render(meeting: Any, forum: Forum, changes: list[Any]) -> bytes | None:
        try:
            block = render_meeting(forum, meeting, changes, base_url)
        except Exception as error:  # noqa: BLE001 - one meeting must never take the whole feed down
            FEED_MEETINGS_LEFT_OUT.labels(type(error).__name__).inc()
            log.warning("meeting %s left out of the feed %r: it cannot be rendered", meeting.id, name, exc_info=True)
            return None
        cache.store_meeting((meeting.id, meeting.version), block)
        return block

    stamps = uow.meetings.stamps(scope, now)
    # The time-zone block reaches no further than a meeting within the bounds can, whatever a stored row says.
    first_year = times.EARLIEST_DAY.year
    last_year = times.latest_start_day(now).year + times.MAX_SERIES_YEARS + 1
    zones = {
        zone: (min(max(first, first_year), last_year), max(min(last, last_year), first_year))
        for zone, (first, last) in (uow.meetings.zone_years(scope, now) if stamps else {}).items()
    }
    found = [cache.meeting(stamp) for stamp in stamps]
    missing = [meeting_id for (meeting_id, _), block in zip(stamps, found, strict=True) if block is None]
    rendered: dict[tuple[str, int], bytes | None] = {}
    if missing:
        meetings = uow.meetings.by_ids(missing)
        changes = uow.occurrences.of_meetings(m.id for m in meetings if m.rrule)
        forums: dict[str, Forum] = uow.forums.by_ids(m.forum_id for m in meetings)
        for meeting in meetings:
            rendered[(meeting.id, meeting.version)] = render(
                meeting, forums[meeting.forum_id], changes.get(meeting.id, [])
            )
    blocks = []
    for stamp, block in zip(stamps, found, strict=True):
        if block is None and stamp in rendered:
            block = rendered[stamp]
        elif block is None:  # changed again between the two reads: render what is stored now
            [meeting] = uow.meetings.by_ids([stamp[0]])
            block = render(
                meeting, uow.forums.by_id(meeting.forum_id), uow.occurrences.of_meetings([stamp[0]]).get(stamp[0], [])
            )
        if block is not None:
            blocks.append(block)
    return assemble(cache.head(name, description, zones), blocks)


def all_feed(uow: EventsUow, cache: FeedCache, base_url: str, **kwargs: Any) -> FeedAnswer:
    return feed(uow, cache, "all", ALL_NAME, ALL_DESCRIPTION, FeedScope(), base_url, **kwargs)


def forum_feed(uow: EventsUow, cache: FeedCache, slug: str, base_url: str, **kwargs: Any) -> FeedAnswer:
    forum = handlers.get_forum(uow, slug)
    scope = FeedScope(forum_ids=(forum.id,))
    return feed(uow, cache, f"forum:{slug}", forum.name, forum.description, scope, base_url, **kwargs)


def organisation_feed(
    uow: EventsUow, cache: FeedCache, organisation_id: str, base_url: str, **kwargs: Any
) -> FeedAnswer:
    """Meetings of the forums the organisation sits in, as the registry's membership events tell it."""
    slugs = uow.memberships.forum_slugs_of(organisation_id)
    forum_ids = tuple(sorted(f.id for f in (uow.forums.by_slug(slug) for slug in slugs) if f is not None))
    name = "Samverkan – organisationens forum"
    description = "Möten i de forum där organisationen ingår."
    return feed(
        uow,
        cache,
        f"organisation:{organisation_id}",
        name,
        description,
        FeedScope(forum_ids=forum_ids),
        base_url,
        **kwargs,
    )


def personal_feed(uow: EventsUow, cache: FeedCache, token: str, base_url: str, **kwargs: Any) -> FeedAnswer:
    """The meetings a person has a place at; the secret token shows nothing else."""
    digest = handlers.token_digest(token)
    owner = uow.personal_feeds.by_digest(digest)
    if owner is None:
        raise NotFound("There is no such calendar, or its link was replaced.", "FEED_NOT_FOUND")
    attendee_email, organisation_id = owner
    meeting_ids = tuple(uow.registrations.meeting_ids_of(attendee_email, organisation_id))
    name = "Samverkan – mina möten"
    description = "Möten du har en plats på."
    return feed(
        uow, cache, f"personal:{digest}", name, description, FeedScope(meeting_ids=meeting_ids), base_url, **kwargs
    )


def meeting_ics(uow: EventsUow, meeting_id: str, base_url: str) -> bytes:
    """One meeting as an iCalendar document to add to a calendar once (METHOD:PUBLISH), not a subscription.

    The same VEVENT as in the feeds (same UID), so a calendar that also subscribes updates one event
    rather than showing two; a recurring meeting brings its moved occurrences along.
    """
    from ..adapters.ical import calendar_head  # here, so that this addition leaves the module's imports alone

    meeting, forum = handlers.get_meeting(uow, meeting_id)
    changes = uow.occurrences.of_meetings([meeting.id]).get(meeting.id, []) if meeting.rrule else []
    zones = {meeting.timezone: (meeting.starts_at.year, meeting.last_end().year)}
    head = _one_off(calendar_head(meeting.title, "", zones))
    return assemble(head, [render_meeting(forum, meeting, changes, base_url)])


# A feed's own properties: in a file opened once, a calendar name makes some apps (Outlook, Apple
# Calendar) offer a new calendar instead of adding the event, and a refresh interval means nothing.
_FEED_ONLY = {b"NAME", b"X-WR-CALNAME", b"DESCRIPTION", b"X-WR-CALDESC", b"REFRESH-INTERVAL", b"X-PUBLISHED-TTL"}


def _one_off(head: bytes) -> bytes:
    """A feed's head made into an event file's: METHOD:PUBLISH and none of the feed's own properties."""
    kept: list[bytes] = []
    dropping = in_component = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):  # the folded rest of the line before
            if not dropping:
                kept.append(line)
            continue
        in_component = in_component or (line.startswith(b"BEGIN:") and line != b"BEGIN:VCALENDAR")
        dropping = not in_component and line.split(b":", 1)[0].split(b";", 1)[0].upper() in _FEED_ONLY
        if not dropping:
            kept.append(line)
        if line == b"BEGIN:VCALENDAR":
            # An event to add, not an invitation to answer (RFC 5546 3.2.1).
            kept.append(b"METHOD:PUBLISH")
    return b"\r\n".join(kept)
