"""The .ics sent with a message, so calendar apps add, update or remove the meeting.

The UID is the events feed's (``<meeting_id>@samverkan``), so an invitation, a
change (same UID, higher SEQUENCE) and a cancellation (METHOD:CANCEL) all land on
the one calendar entry, whether it came from this mail or from the feed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

from ..domain.model import parse_time

PRODID = "-//Samverkan//Samverkan notifier//SV"
UID_DOMAIN = "samverkan"

# Which messages carry a calendar object, and with which iTIP method.
METHODS = {
    "meeting_scheduled": "REQUEST",
    "meeting_updated": "REQUEST",
    "meeting_cancelled": "CANCEL",
    "registration_confirmed": "REQUEST",
    "registration_promoted": "REQUEST",
    "registration_cancelled": "CANCEL",
    # An invitation to a plan's dialogue carries its first meeting, when one is booked.
    "plan_invitation_sent": "REQUEST",
    # A meeting booked for a plan, to the organisations already invited to it.
    "plan_meeting_booked": "REQUEST",
}


def method_for(kind: str) -> str | None:
    return METHODS.get(kind)


def meeting_uid(meeting_id: str) -> str:
    return f"{meeting_id}@{UID_DOMAIN}"


def invitation(
    kind: str, data: dict[str, Any], recipient: str, organizer: str, now: datetime | None = None
) -> bytes | None:
    """The calendar object for a message of ``kind`` about a meeting, or None when it needs none."""
    shared = invitation_for_all(kind, data, organizer, now)
    return None if shared is None else for_attendee(shared, recipient)


def invitation_for_all(kind: str, data: dict[str, Any], organizer: str, now: datetime | None = None) -> str | None:
    """The calendar object without its ATTENDEE: built once per event and language, not once per recipient.

    Building the VTIMEZONE and folding lines costs milliseconds; for 10,000
    recipients only the ATTENDEE line differs, so :func:`for_attendee` adds just that.
    """
    method = method_for(kind)
    starts_at, ends_at = parse_time(data.get("starts_at")), parse_time(data.get("ends_at"))
    if method is None or not data.get("meeting_id") or starts_at is None or ends_at is None:
        return None
    zone = ZoneInfo(str(data.get("timezone") or "Europe/Stockholm"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(
        Timezone.from_tzinfo(zone, first_date=date(starts_at.year, 1, 1), last_date=date(ends_at.year, 12, 31))
    )
    event = Event()
    event.add("uid", meeting_uid(str(data["meeting_id"])))
    event.add("dtstamp", now or datetime.now(UTC))
    event.add("sequence", _sequence(kind, data))
    event.add("summary", str(data.get("title") or ""))
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    occurrence = parse_time(data.get("occurrence_start"))
    if occurrence is not None:
        event.add("recurrence-id", occurrence.astimezone(zone))
    elif data.get("rrule"):
        # A series: the same rule as in the feed, so the whole series is one entry.
        event.add("rrule", vRecur.from_ical(str(data["rrule"]).removeprefix("RRULE:")))
    cancelled = method == "CANCEL" or data.get("status") == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    description = str(data.get("description") or "")
    if data.get("online_url"):
        description = f"{description}\n\n{data['online_url']}".strip()
        event.add("url", str(data["online_url"]))
    if description:
        event.add("description", description)
    if data.get("location"):
        event.add("location", str(data["location"]))
    host = vCalAddress(f"mailto:{organizer}")
    host.params["cn"] = vText("Samverkan")
    event.add("organizer", host)
    calendar.add_component(event)
    return bytes(calendar.to_ical()).decode("utf-8")


def for_attendee(shared: str, recipient: str) -> bytes:
    """The shared calendar object with the recipient as its one ATTENDEE (iTIP asks for one in REQUEST and CANCEL)."""
    holder = Event()
    attendee = vCalAddress(f"mailto:{recipient}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    holder.add("attendee", attendee)
    line = bytes(holder.to_ical()).decode("utf-8").removeprefix("BEGIN:VEVENT\r\n").removesuffix("END:VEVENT\r\n")
    head, end, tail = shared.rpartition("END:VEVENT\r\n")
    return (head + line + end + tail).encode("utf-8")


def _sequence(kind: str, data: dict[str, Any]) -> int:
    """The events service's SEQUENCE; without one, a change still ranks above the invitation."""
    if isinstance(data.get("sequence"), int):
        return int(data["sequence"])
    return 0 if kind in ("meeting_scheduled", "registration_confirmed", "registration_promoted") else 1
