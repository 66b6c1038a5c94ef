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
from datetime import UTC, datetime, timedelta
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


def _one_reading(local: datetime) -> bool:
    """Whether a wall-clock time happens exactly once: neither skipped (March) nor repeated (October)."""
    return local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()


def _when(moment: datetime, zone: ZoneInfo) -> datetime:
    """A DTSTART/DTEND value for an instant: local time with TZID, or UTC where the local time is repeated.

    RFC 5545 (3.3.5) reads a repeated local time as the first, and so do icalendar and vobject, but
    Mozilla's ical.js (Thunderbird) takes the later one: 02:30 on the October change day would show an
    hour late there. An instant written in UTC (...Z) means the same to every reader.
    """
    local = moment.astimezone(zone)
    return local if _one_reading(local) else moment.astimezone(UTC)


def render_meeting(forum: Forum, meeting: Meeting, changes: Iterable[OccurrenceChange], base_url: str) -> bytes:
    """The meeting's VEVENT, then one VEVENT per moved occurrence (same UID, RECURRENCE-ID).

    Where a series' own rule lands on a wall-clock time that is skipped or repeated, that occurrence gets
    a VEVENT of its own too, saying in UTC when it is (see :func:`_rule_times`).
    """
    zone = ZoneInfo(meeting.timezone)
    changes = list(changes)
    if not meeting.rrule:
        master = _vevent(forum, meeting, meeting.starts_at, meeting.ends_at, meeting.location, base_url)
        master.add("sequence", meeting.sequence)
        block: bytes = master.to_ical()
        return block
    # The series' DTSTART stays local with TZID, so its RRULE keeps the wall-clock time across daylight
    # saving (in UTC 18:00 would become 17:00 in winter); where that local time is repeated, the first
    # occurrence is one of those given an override below.
    master = _vevent(forum, meeting, meeting.local_start, meeting.ends_at, meeting.location, base_url, local_start=True)
    if not _one_reading(meeting.local_start):
        # DTEND minus that DTSTART would differ by the hour between readers: the length as DURATION instead.
        master.pop("DTEND")
        master.add("duration", meeting.duration)
    master.add("sequence", meeting.sequence)
    master.add("rrule", vRecur.from_ical(meeting.rrule))
    rule_time = _rule_times(meeting)

    # RECURRENCE-ID and EXDATE name an occurrence as the RRULE makes it: the wall-clock time, with TZID.
    # Each reader matches them against its own expansion of the rule, so they match whichever instant a
    # reader takes a repeated time for (ical.js compares the local text first; a UTC value, read by
    # ical.js's later reading of the rule's time, would miss, and the occurrence would show twice).
    def named(change: OccurrenceChange) -> datetime:
        return rule_time.get(change.occurrence_start, change.occurrence_start.astimezone(zone))

    cancelled = [named(change) for change in changes if change.cancelled]
    if cancelled:
        # EXDATE: every client drops a cancelled occurrence; an override with STATUS:CANCELLED
        # is shown by some and hidden by others.
        master.add("exdate", cancelled)
    blocks = [master.to_ical()]
    changed = {change.occurrence_start for change in changes}
    for change in changes:
        if change.cancelled:
            continue
        location = meeting.location if change.location is None else change.location
        moved = _vevent(
            forum, meeting, change.starts_at, change.ends_at, location, base_url, updated_at=change.updated_at
        )
        moved.add("recurrence-id", named(change))
        moved.add("sequence", max(change.sequence, meeting.sequence))
        blocks.append(moved.to_ical())
    # An occurrence at a time the clocks skip or repeat, left as the rule makes it, would be read at
    # different instants by different readers: 02:30 on the October change day as 00:30Z by icalendar and
    # vobject, 01:30Z by ical.js; 02:30 on the March change day as 00:30Z (01:30 in winter time) by all three.
    # The API lists the first 02:30 for a repeated time (RFC 5545; fold=0 in dateutil) and, for a skipped
    # one, the instant RFC 5545 gives (the offset before the gap: 02:30+01:00, shown as 03:30 summer time,
    # as the OCCURRENCE_AT_SKIPPED_TIME notice tells the planner). The override says that instant in UTC.
    for original, local in rule_time.items():
        if original in changed or _one_reading(local):
            continue
        unclear = _vevent(forum, meeting, original, original + meeting.duration, meeting.location, base_url)
        unclear.add("recurrence-id", local)
        unclear.add("sequence", meeting.sequence)
        blocks.append(unclear.to_ical())
    return b"".join(blocks)


def _rule_times(meeting: Meeting) -> dict[datetime, datetime]:
    """Each occurrence's UTC start (how the API and OccurrenceChange name it) -> its wall-clock time in the rule."""
    return {local.astimezone(UTC): local for local in meeting.occurrence_starts()}


def _vevent(
    forum: Forum,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    base_url: str,
    updated_at: datetime | None = None,
    local_start: bool = False,
) -> Event:
    """A VEVENT; its times in local time with TZID, or in UTC where the local time is repeated or skipped.

    ``local_start``: ``starts_at`` is a series' local DTSTART, written as it is whatever it reads as.
    """
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
    event.add("dtstart", starts_at if local_start else _when(starts_at, zone))
    event.add("dtend", _when(ends_at, zone))
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
    # No X-WR-TIMEZONE: every time here has a TZID or is UTC, so it would say nothing to a calendar app, and
    # recurring-ical-events (through x-wr-timezone) then turns UTC times into that zone's local time and loses
    # which of a repeated hour's two 02:30s was meant (see _when).
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
