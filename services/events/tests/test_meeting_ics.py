"""One meeting's own .ics: an event to add to a calendar once, read the same way as the feeds."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from samverkan_common.errors import NotFound

FORUM = {"slug": "ser", "name": "Sociala ekonomins råd (SER)", "owner_committee": "KUN"}
MEETING = {
    "forum_slug": "ser",
    "title": "SER: idéburet offentligt partnerskap",
    "description": "Hur ett IOP kommer till.",
    "level": "partnership",
    "starts_at": "2027-05-04T09:30:00",
    "ends_at": "2027-05-04T11:00:00",
    "location": "Regionens hus, Vänersborg",
}


def test_a_meetings_ics_is_one_published_event_in_stockholm_time(events):
    events.create_forum(FORUM)
    events.create_forum({"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "BMR"})
    meeting = events.schedule_meeting(MEETING)
    events.schedule_meeting({**MEETING, "forum_slug": "ros-gruppen", "title": "Another meeting"})

    calendar = Calendar.from_ical(events.meeting_ics(meeting["id"]))

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    # A file to open once: no calendar name (some apps would make a new calendar of it), no refresh interval.
    for name in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name not in calendar, name
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting['id']}@samverkan"  # the feeds' UID: a subscriber gets no duplicate
    assert str(event["SUMMARY"]) == "SER: idéburet offentligt partnerskap"
    assert event["DTSTART"].dt.isoformat() == "2027-05-04T09:30:00+02:00"
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTEND"].dt.isoformat() == "2027-05-04T11:00:00+02:00"
    assert str(event["LOCATION"]) == "Regionens hus, Vänersborg"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_a_long_title_folded_over_lines_leaves_no_stray_line_in_the_file(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting({**MEETING, "title": "Ett mycket långt mötesnamn " * 6})

    body = events.meeting_ics(meeting["id"])

    calendar = Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Ett mycket långt mötesnamn Ett mycket")
    assert body.startswith("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\n")
    assert body.endswith("END:VCALENDAR\r\n")


def test_a_cancelled_meeting_still_has_its_ics_saying_it_is_cancelled(events):
    events.create_forum(FORUM)
    meeting = events.schedule_meeting(MEETING)
    events.cancel_meeting(meeting["id"])

    [event] = Calendar.from_ical(events.meeting_ics(meeting["id"])).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"


def test_an_unknown_meeting_has_no_ics(events):
    with pytest.raises(NotFound):
        events.meeting_ics("no-such-meeting")
