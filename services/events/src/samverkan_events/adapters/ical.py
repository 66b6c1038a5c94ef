"""iCalendar (RFC 5545) feeds that calendar apps read the same way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from ..domain.model import Forum, Meeting, MeetingStatus

PRODID = "-//Samverkan//Samverkan events//SV"
UID_DOMAIN = "samverkan"

_STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the life of a meeting, so calendar apps update rather than duplicate it."""
    return f"{meeting.id}@{UID_DOMAIN}"


def forum_calendar(forum: Forum, meetings: Iterable[Meeting], now: datetime | None = None) -> bytes:
    now = now or datetime.now(UTC)
    meetings = list(meetings)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", forum.name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    zones = {meeting.timezone for meeting in meetings}
    for zone_name in sorted(zones):
        first = min(m.starts_at for m in meetings if m.timezone == zone_name)
        last = max(m.ends_at for m in meetings if m.timezone == zone_name)
        # Whole years, so the zone always carries its summer and winter time rules;
        # a span without a transition would give an empty, invalid VTIMEZONE.
        calendar.add_component(
            Timezone.from_tzinfo(
                ZoneInfo(zone_name), first_date=date(first.year, 1, 1), last_date=date(last.year, 12, 31)
            )
        )
    for meeting in meetings:
        calendar.add_component(_vevent(forum, meeting, now))
    return calendar.to_ical()


def _vevent(forum: Forum, meeting: Meeting, now: datetime) -> Event:
    zone = ZoneInfo(meeting.timezone)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", now)
    event.add("last-modified", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("status", _STATUS[meeting.status])
    event.add("categories", [forum.name])
    description = meeting.description
    if meeting.online_url:
        description = f"{description}\n\n{meeting.online_url}".strip()
        event.add("url", meeting.online_url)
    if description:
        event.add("description", description)
    if meeting.location:
        event.add("location", meeting.location)
    return event
