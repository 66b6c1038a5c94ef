"""A weekly meeting read back by two independent parsers: recurring-ical-events and Mozilla's ical.js."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ICALJS = Path(__file__).parent / "icaljs"
# Thursdays 18:00 from early March to mid November 2027: summer time starts 28 March, ends 31 October.
WEEKLY = {
    "forum_slug": "ros-gruppen",
    "title": "RÖS-gruppen: veckomöte",
    "starts_at": "2027-03-04T18:00:00",
    "ends_at": "2027-03-04T19:30:00",
    "level": "dialogue",
    "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=37",
    "location": "Regionens hus, Göteborg",
}
MOVED_FROM, MOVED_TO = datetime(2027, 4, 1, 18, tzinfo=STOCKHOLM), datetime(2027, 4, 2, 17, tzinfo=STOCKHOLM)
CANCELLED = datetime(2027, 10, 28, 18, tzinfo=STOCKHOLM)


@pytest.fixture
def feed(events):
    events.create_forum({"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "BMR"})
    meeting = events.schedule_meeting(WEEKLY)
    events.change_occurrence(
        meeting["id"], {"occurrence_start": MOVED_FROM.isoformat(), "starts_at": MOVED_TO.isoformat()}
    )
    events.change_occurrence(meeting["id"], {"occurrence_start": CANCELLED.isoformat(), "cancelled": True})
    return events.feed("forum", "ros-gruppen")["body"].encode("utf-8")


def expected_starts():
    """Every Thursday 18:00 local, the moved one at its new time, the cancelled one gone."""
    starts = []
    day = date(2027, 3, 4)
    for week in range(37):
        local = datetime(day.year, day.month, day.day, 18, tzinfo=STOCKHOLM)
        starts.append(MOVED_TO if local == MOVED_FROM else local)
        day = date.fromordinal(day.toordinal() + 7)
        del week
    return [start for start in starts if start != CANCELLED]


def test_weekly_meeting_stays_at_1800_local_across_daylight_saving_in_recurring_ical_events(feed):
    calendar = Calendar.from_ical(feed)

    occurrences = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))

    starts = sorted(event["DTSTART"].dt for event in occurrences)
    assert starts == expected_starts()
    assert all(start.astimezone(STOCKHOLM).hour == 18 for start in starts if start != MOVED_TO)
    # Both sides of each change: winter time (+01:00) before 28 March and after 31 October, summer time between.
    offsets = {start.date(): start.utcoffset().total_seconds() / 3600 for start in starts}
    assert (offsets[date(2027, 3, 25)], offsets[date(2027, 4, 8)]) == (1, 2)
    assert (offsets[date(2027, 10, 21)], offsets[date(2027, 11, 4)]) == (2, 1)
    assert CANCELLED not in starts


def icaljs(feed: bytes) -> dict:
    if not (ICALJS / "node_modules" / "ical.js").exists():
        # The reader's one npm dependency, pinned in package-lock.json.
        subprocess.run(
            [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"],
            cwd=ICALJS,
            check=True,
            capture_output=True,
            timeout=300,
        )
    done = subprocess.run(["node", str(ICALJS / "expand.mjs")], input=feed, capture_output=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_weekly_meeting_stays_at_1800_local_across_daylight_saving_in_icaljs(feed):
    read = icaljs(feed)

    occurrences = sorted(read["occurrences"], key=lambda o: o["utc"])
    # The UTC instants come from the feed's own VTIMEZONE, so they prove it right across both changes.
    utc = [datetime.fromisoformat(o["utc"].replace("Z", "+00:00")) for o in occurrences]
    assert utc == [start.astimezone(ZoneInfo("UTC")) for start in expected_starts()]
    assert {o["tzid"] for o in occurrences} == {"Europe/Stockholm"}
    local_times = {o["local"][11:16] for o in occurrences if o["recurrence_id"] != "2027-04-01T18:00:00"}
    assert local_times == {"18:00"}
    [moved] = [o for o in occurrences if o["recurrence_id"] == "2027-04-01T18:00:00"]
    assert moved["local"] == "2027-04-02T17:00:00"
    assert "2027-10-28T18:00:00" not in {o["local"] for o in occurrences}
    assert {o["uid"] for o in occurrences} == {occurrences[0]["uid"]}


def test_moved_occurrence_is_an_override_with_the_same_uid_and_the_cancelled_one_an_exdate(feed):
    calendar = Calendar.from_ical(feed)

    master, moved = calendar.walk("VEVENT")

    assert moved["UID"] == master["UID"]
    assert moved["RECURRENCE-ID"].dt == MOVED_FROM
    assert moved["DTSTART"].dt == MOVED_TO
    assert [d.dt for d in master["EXDATE"].dts] == [CANCELLED]
    assert master["SEQUENCE"] == 2  # two changes an attendee must hear about
