"""Bounds a planner can understand, checked by the events service itself, and feeds no stored row can break."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from prometheus_client import REGISTRY
from sqlalchemy import insert

from samverkan_common.errors import Invalid
from samverkan_common.participation import Level
from samverkan_events.adapters.tables import meetings
from samverkan_events.domain.model import Meeting

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FORUM = {"slug": "ser", "name": "SER", "owner_committee": "KUN"}
MEETING = {
    "forum_slug": "ser",
    "title": "Sociala ekonomins råd",
    "level": "consultation",
    "starts_at": "2027-05-04T18:00:00",
    "ends_at": "2027-05-04T20:00:00",
}


def refused(call, *args):
    with pytest.raises(Invalid) as caught:
        call(*args)
    return caught.value.errors


@pytest.fixture
def ser(events):
    events.create_forum(FORUM)
    return events


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"starts_at": "9999-05-04T18:00:00", "ends_at": "9999-05-04T20:00:00"}, "starts_at", "ten years from today"),
        ({"starts_at": "0001-01-01T10:00:00", "ends_at": "0001-01-01T12:00:00"}, "starts_at", "1 January 2000"),
        ({"starts_at": "0001-01-01T00:10:00+05:00", "ends_at": "0001-01-01T01:00:00+05:00"}, "starts_at", "2000"),
        ({"ends_at": "2027-05-09T20:00:00"}, "ends_at", "at most three days"),
        ({"ends_at": "2027-05-04T17:00:00"}, "ends_at", "end after it starts"),
        ({"rrule": "FREQ=SECONDLY;COUNT=100"}, "rrule", "FREQ=SECONDLY is not allowed"),
        ({"rrule": "FREQ=MINUTELY;UNTIL=20991231T000000Z"}, "rrule", "DAILY, WEEKLY, MONTHLY or YEARLY"),
        ({"rrule": "FREQ=DAILY;COUNT=1000000"}, "rrule", "at most 500 occurrences"),
        ({"rrule": "FREQ=DAILY;UNTIL=20300101T000000Z"}, "rrule", "at most 500 occurrences"),
        ({"rrule": "FREQ=YEARLY;UNTIL=20991231T000000Z"}, "rrule", "within ten years"),
        ({"rrule": "FREQ=WEEKLY"}, "rrule", "COUNT or UNTIL"),
        ({"title": "Möte\nBEGIN:VEVENT"}, "title", "one line"),
        ({"location": "Vänersborg\r\nX-EVIL:1"}, "location", "one line"),
        ({"organiser": "Anna\u2028Exempel"}, "organiser", "one line"),
        (
            {"capacity": 10, "registration_deadline": "9999-01-01T12:00:00"},
            "registration_deadline",
            "Registration closes between",
        ),
    ],
)
def test_a_meeting_out_of_bounds_is_refused_naming_the_field_and_why(ser, changes, field, says):
    errors = refused(ser.schedule_meeting, {**MEETING, **changes})

    assert field in errors
    assert says in " ".join(errors[field])
    assert set(errors) <= {field, *changes}


def test_a_time_the_clocks_skip_is_refused_and_the_first_time_after_is_suggested(ser):
    errors = refused(
        ser.schedule_meeting, {**MEETING, "starts_at": "2027-03-28T02:30:00", "ends_at": "2027-03-28T04:00:00"}
    )

    [message] = errors["starts_at"]
    assert "02:30 on 28 March 2027 does not exist in Europe/Stockholm" in message
    assert "for example 03:00" in message


def test_a_time_the_clocks_repeat_is_the_first_and_the_answer_says_so(ser):
    meeting = ser.schedule_meeting({**MEETING, "starts_at": "2027-10-31T02:30:00", "ends_at": "2027-10-31T04:00:00"})

    assert meeting["starts_at"] == "2027-10-31T02:30:00+02:00"
    [notice] = meeting["notices"]
    assert notice["field"] == "starts_at"
    assert notice["code"] == "AMBIGUOUS_LOCAL_TIME"
    assert "first 02:30 (summer time, UTC+02:00)" in notice["message"]
    assert ser.get_meeting(meeting["id"])["notices"] == [notice]


def test_a_meeting_at_an_ordinary_time_has_no_notices(ser):
    assert ser.schedule_meeting(MEETING)["notices"] == []


def test_a_weekly_series_through_the_skipped_hour_is_accepted_with_a_notice(ser):
    meeting = ser.schedule_meeting(
        {
            **MEETING,
            "starts_at": "2027-03-21T02:30:00",
            "ends_at": "2027-03-21T03:00:00",
            "rrule": "FREQ=WEEKLY;COUNT=3",
        }
    )

    [notice] = meeting["notices"]
    assert notice["code"] == "OCCURRENCE_AT_SKIPPED_TIME"
    assert "28 March 2027" in notice["message"]
    assert "at 03:30 instead of 02:30" in notice["message"]


def test_a_series_within_the_bounds_is_accepted(ser):
    meeting = ser.schedule_meeting({**MEETING, "rrule": "FREQ=MONTHLY;COUNT=120"})

    assert meeting["rrule"] == "FREQ=MONTHLY;COUNT=120"


def test_a_forum_name_is_one_line(events):
    errors = refused(events.create_forum, {**FORUM, "name": "SER\r\nX-WR-CALNAME:evil"})

    assert list(errors) == ["name"]


def test_a_change_is_checked_against_the_bounds_too(ser):
    meeting = ser.schedule_meeting(MEETING)

    errors = refused(ser.update_meeting, meeting["id"], {"version": meeting["version"], "rrule": "FREQ=HOURLY;COUNT=5"})
    moved = refused(
        ser.update_meeting,
        meeting["id"],
        {"version": meeting["version"], "starts_at": "2050-05-04T18:00:00", "ends_at": "2050-05-04T20:00:00"},
    )

    assert list(errors) == ["rrule"]
    assert "starts_at" in moved


def test_the_domain_refuses_out_of_bounds_whoever_calls_it():
    start = datetime(9999, 5, 4, 16, tzinfo=UTC)
    with pytest.raises(Invalid) as caught:
        Meeting("forum", "Möte", start, start + timedelta(hours=2), Level.DIALOGUE)

    assert "ten years from today" in caught.value.errors["starts_at"][0]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "2027-01-01", "start"),
        ("2027-01-01", "9999-12-31", "end"),
        ("2000-01-01", "2099-12-31", "end"),
        ("2027-02-01", "2027-01-01", "end"),
    ],
)
def test_a_query_for_meetings_between_days_out_of_range_is_refused_naming_the_day(ser, start, end, field):
    errors = refused(ser.meetings_between, start, end)

    assert list(errors) == [field]


# Rows stored before the bounds existed: written straight into the table, as an old release could have.


def stored_row(events, forum_id, starts_at, rrule="", title="Stored before the bounds", ends_at=None):
    meeting_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    ends_at = ends_at or starts_at + timedelta(hours=2)
    events.uow.session.execute(
        insert(meetings).values(
            id=meeting_id,
            forum_id=forum_id,
            title=title,
            description="",
            starts_at=starts_at,
            ends_at=ends_at,
            timezone="Europe/Stockholm",
            location="",
            online_url="",
            level="dialogue",
            step=None,
            status="planned",
            organiser="",
            rrule=rrule,
            municipality_code="",
            last_ends_at=ends_at,
            created_at=now,
            updated_at=now,
        )
    )
    events.uow.session.commit()
    return meeting_id


def left_out_count():
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "samverkan_feed_meetings_left_out"
        for sample in metric.samples
        if sample.name.endswith("_total")
    )


def test_rows_out_of_bounds_do_not_break_feeds_or_listings(ser, caplog):
    good = ser.schedule_meeting(MEETING)
    forum_id = ser.get_forum("ser")["id"]
    in_9999 = stored_row(ser, forum_id, datetime(9999, 6, 1, 16, tzinfo=UTC), title="I år 9999")
    # So late that its end in Stockholm time is in year 10000: it cannot be rendered at all.
    beyond = stored_row(
        ser,
        forum_id,
        datetime(9999, 12, 31, 22, 30, tzinfo=UTC),
        title="Bortom 9999",
        ends_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC),
    )
    secondly = stored_row(
        ser, forum_id, datetime(2027, 6, 1, 16, tzinfo=UTC), "FREQ=SECONDLY;COUNT=100", title="Varje sekund"
    )
    counted = left_out_count()

    with caplog.at_level(logging.WARNING):
        forum_feed = Calendar.from_ical(ser.feed("forum", "ser")["body"])
        all_feed = Calendar.from_ical(ser.feed("all", "")["body"])

    for calendar in (forum_feed, all_feed):
        titles = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
        assert "Sociala ekonomins råd" in titles
        assert "Bortom 9999" not in titles
    assert left_out_count() > counted
    assert any(beyond in record.getMessage() for record in caplog.records)
    listed = ser.meetings_between("2027-01-01", "2027-12-31")
    assert good["id"] in {item["meeting_id"] for item in listed}
    assert ser.get_meeting(in_9999)["starts_at"].startswith("9999-06-01")
    # An old row can still be put right: cancelled, or moved into the bounds.
    stored = ser.get_meeting(in_9999)
    moved = ser.update_meeting(
        in_9999,
        {"version": stored["version"], "starts_at": "2028-06-01T18:00:00", "ends_at": "2028-06-01T20:00:00"},
    )
    assert moved["starts_at"] == "2028-06-01T18:00:00+02:00"
    assert ser.cancel_meeting(secondly)["status"] == "cancelled"


def test_a_query_reaching_the_last_allowed_day_lists_without_error(ser):
    ser.schedule_meeting(MEETING)

    found = ser.meetings_between(date(2077, 1, 1).isoformat(), "2101-12-31")

    assert found == []
