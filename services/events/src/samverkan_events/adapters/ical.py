"""iCalendar (RFC 5545) feeds that calendar apps read the same way.

A feed is assembled from bytes: a head (the calendar's own properties and a
VTIMEZONE), one block per meeting (its VEVENT and the VEVENTs of changed
occurrences), and the end. Each meeting's block depends only on the meeting
(its ``version`` rises with every change) and its forum, so it is rendered once
and reused from :class:`FeedCache` until the meeting changes.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration, vRecur

from ..domain.model import Forum, Meeting, MeetingStatus, OccurrenceChange
from .vtimezone import vtimezone

PRODID = "-//Samverkan//Samverkan events//SV"
UID_DOMAIN = "samverkan"
# How often calendar apps should poll: the Apple/Outlook and the RFC 7986 way.
REFRESH_EVERY = timedelta(hours=1)
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

_STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}
# Control characters have no place in iCalendar TEXT (RFC 5545 3.3.11); line breaks become \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_END = b"END:VCALENDAR\r\n"


def clean(text: str) -> str:
    """Text with one kind of line break and no control characters, for icalendar to escape."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the life of a meeting, so calendar apps update rather than duplicate it."""
    return f"{meeting.id}@{UID_DOMAIN}"


def meeting_url(base_url: str, meeting_id: str) -> str:
    return f"{base_url.rstrip('/')}/moten/{meeting_id}"


def render_meeting(forum: Forum, meeting: Meeting, changes: Iterable[OccurrenceChange], base_url: str) -> bytes:
    """The meeting's VEVENT, then one VEVENT per moved occurrence (same UID, RECURRENCE-ID)."""
    zone = ZoneInfo(meeting.timezone)
    changes = list(changes)
    master = _vevent(forum, meeting, meeting.starts_at, meeting.ends_at, meeting.location, base_url)
    master.add("sequence", meeting.sequence)
    if meeting.rrule:
        master.add("rrule", vRecur.from_ical(meeting.rrule))
        cancelled = [change.occurrence_start.astimezone(zone) for change in changes if change.cancelled]
        if cancelled:
            # EXDATE: every client drops a cancelled occurrence; an override with STATUS:CANCELLED
            # is shown by some and hidden by others.
            master.add("exdate", cancelled)
    blocks = [master.to_ical()]
    if meeting.rrule:
        for change in changes:
            if change.cancelled:
                continue
            moved = _vevent(
                forum,
                meeting,
                change.starts_at,
                change.ends_at,
                meeting.location if change.location is None else change.location,
                base_url,
                updated_at=change.updated_at,
            )
            moved.add("recurrence-id", change.occurrence_start.astimezone(zone))
            moved.add("sequence", max(change.sequence, meeting.sequence))
            blocks.append(moved.to_ical())
    return b"".join(blocks)


def _vevent(
    forum: Forum,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    base_url: str,
    updated_at: datetime | None = None,
) -> Event:
    zone = ZoneInfo(meeting.timezone)
    changed = max(meeting.updated_at, updated_at or meeting.updated_at)
    url = meeting_url(base_url, meeting.id)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    # No METHOD in our feeds, so DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2):
    # the same bytes until the meeting changes, which is what lets a feed be cached.
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("created", meeting.created_at)
    event.add("summary", clean(meeting.title))
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("status", _STATUS[meeting.status])
    event.add("categories", [clean(forum.name)])
    event.add("url", url)
    # Many calendar apps show no URL property, so the links are in the description too.
    lines = [clean(meeting.description).strip()]
    if meeting.online_url:
        lines.append(f"Länk till mötet / Meeting link: {clean(meeting.online_url)}")
    lines.append(f"Mer information / More information: {url}")
    event.add("description", "\n\n".join(line for line in lines if line))
    if location or meeting.online_url:
        event.add("location", clean(location or meeting.online_url))
    if meeting.status is MeetingStatus.CANCELLED:
        event.add("transp", "TRANSPARENT")
    return event


def calendar_head(name: str, description: str, zones: dict[str, tuple[int, int]]) -> bytes:
    """BEGIN:VCALENDAR, the calendar's properties and a VTIMEZONE per zone, without the end."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", clean(name))
    calendar.add("x-wr-calname", clean(name))
    if description:
        calendar.add("description", clean(description))
        calendar.add("x-wr-caldesc", clean(description))
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    calendar.add("refresh-interval", vDuration(REFRESH_EVERY), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_EVERY))
    for zone_name, (first_year, last_year) in sorted(zones.items()):
        # The rule form every client reads alike (yearly RRULEs, dated changes before the rule), not RDATE lists.
        calendar.add_component(vtimezone(zone_name, first_year, last_year))
    body = calendar.to_ical()
    assert body.endswith(_END)
    return body[: -len(_END)]


def assemble(head: bytes, blocks: Iterable[bytes]) -> bytes:
    return b"".join((head, *blocks, _END))


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    etag: str
    last_modified: datetime


class FeedCache:
    """Rendered meetings by (id, version) and whole feeds by their fingerprint, in this process.

    A meeting's ``version`` rises with every change, so a cached block is never stale:
    after one change only that meeting is rendered again. Bounded, least recently used first out.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_PUBLIC_URL,
        max_meetings: int = 50_000,
        max_feeds: int = 2_000,
        max_feed_bytes: int = 64 * 1024 * 1024,
    ):
        self.base_url = base_url  # where meeting pages live: feeds link to them
        self.max_meetings = max_meetings
        self.max_feeds = max_feeds
        self.max_feed_bytes = max_feed_bytes
        self.meetings: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self.feeds: OrderedDict[str, tuple[str, FeedDocument]] = OrderedDict()
        self._feed_bytes = 0
        self.heads: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], bytes] = {}
        self.rendered = 0  # meetings rendered so far: lets tests see what a rebuild cost

    def meeting(self, key: tuple[str, int]) -> bytes | None:
        block = self.meetings.get(key)
        if block is not None:
            self.meetings.move_to_end(key)
        return block

    def store_meeting(self, key: tuple[str, int], block: bytes) -> None:
        self.rendered += 1
        self.meetings[key] = block
        while len(self.meetings) > self.max_meetings:
            self.meetings.popitem(last=False)

    def head(self, name: str, description: str, zones: dict[str, tuple[int, int]]) -> bytes:
        key = (name, description, tuple((zone, *years) for zone, years in sorted(zones.items())))
        head = self.heads.get(key)
        if head is None:
            if len(self.heads) > self.max_feeds:
                self.heads.clear()
            head = self.heads[key] = calendar_head(name, description, zones)
        return head

    def feed(self, feed_key: str, version: str) -> FeedDocument | None:
        cached = self.feeds.get(feed_key)
        if cached is None or cached[0] != version:
            return None
        self.feeds.move_to_end(feed_key)
        return cached[1]

    def store_feed(self, feed_key: str, version: str, document: FeedDocument) -> None:
        previous = self.feeds.pop(feed_key, None)
        if previous is not None:
            self._feed_bytes -= len(previous[1].body)
        self.feeds[feed_key] = (version, document)
        self._feed_bytes += len(document.body)
        while len(self.feeds) > 1 and (len(self.feeds) > self.max_feeds or self._feed_bytes > self.max_feed_bytes):
            _, (_, dropped) = self.feeds.popitem(last=False)
            self._feed_bytes -= len(dropped.body)
