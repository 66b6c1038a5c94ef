"""The meeting bounds themselves, and the marshmallow field that reads a local time before it is made aware."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from marshmallow import Schema, ValidationError

from samverkan_common import meeting_fields, meeting_times

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
START = datetime(2027, 1, 4, 18, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("starts_at", "fine"),
    [
        (datetime(2000, 1, 1, 0, 0), True),
        (datetime(1999, 12, 31, 23, 59), False),
        (datetime(2036, 12, 3, 18, 0), True),
        (datetime(2036, 12, 4, 9, 0), False),
        (datetime(1, 1, 1), False),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), False),
    ],
)
def test_a_meeting_starts_from_2000_to_ten_years_from_today(starts_at, fine):
    problems = meeting_times.start_problems(starts_at, NOW)

    assert (problems == []) is fine
    if not fine:
        assert "between 1 January 2000 and ten years from today (3 December 2036)" in problems[0]


def test_ten_years_from_a_leap_day_is_the_28th():
    assert meeting_times.years_later(date(2028, 2, 29), 10) == date(2038, 2, 28)


def test_a_skipped_time_is_named_with_the_change_and_the_first_time_after():
    message = meeting_times.missing_local_time(datetime(2027, 3, 28, 2, 30), STOCKHOLM)

    assert message == (
        "02:30 on 28 March 2027 does not exist in Europe/Stockholm: the clocks go forward from 02:00 to 03:00 "
        "that night. Choose another time, for example 03:00."
    )
    assert meeting_times.missing_local_time(datetime(2027, 3, 28, 3, 0), STOCKHOLM) is None
    assert meeting_times.missing_local_time(datetime(2027, 3, 28, 1, 59), STOCKHOLM) is None
    assert meeting_times.missing_local_time(datetime(2027, 10, 31, 2, 30), STOCKHOLM) is None


def test_a_skipped_time_in_another_zone_names_that_zone_and_its_change():
    message = meeting_times.missing_local_time(datetime(2027, 3, 14, 2, 15), ZoneInfo("America/New_York"))

    assert message is not None
    assert "America/New_York" in message
    assert "from 02:00 to 03:00" in message


def test_a_repeated_time_is_said_to_be_the_first_or_the_second():
    first = meeting_times.ambiguous_notice(datetime(2027, 10, 31, 2, 30, tzinfo=STOCKHOLM), STOCKHOLM)
    second = meeting_times.ambiguous_notice(datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=STOCKHOLM), STOCKHOLM)

    assert "the first 02:30 (summer time, UTC+02:00)" in (first or "")
    assert "the second 02:30 (standard time, UTC+01:00)" in (second or "")
    assert meeting_times.ambiguous_notice(datetime(2027, 10, 31, 3, 30, tzinfo=STOCKHOLM), STOCKHOLM) is None


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=SECONDLY;COUNT=100", "FREQ=SECONDLY is not allowed"),
        ("FREQ=MINUTELY;UNTIL=20991231T000000Z", "FREQ=MINUTELY is not allowed"),
        ("FREQ=HOURLY;COUNT=2", "FREQ=HOURLY is not allowed"),
        ("COUNT=2", "a rule without FREQ is not allowed"),
        ("FREQ=WEEKLY", "COUNT or UNTIL"),
        ("FREQ=DAILY;COUNT=1000000", "COUNT=1000000 is too many"),
        ("FREQ=DAILY;COUNT=501", "COUNT=501 is too many"),
        ("FREQ=DAILY;UNTIL=20290101T000000Z", "this rule makes more"),
        ("FREQ=YEARLY;UNTIL=20991231T000000Z", "within ten years of its first meeting (by 4 January 2037)"),
        ("FREQ=YEARLY;COUNT=12", "within ten years"),
        # Matches only in leap years: the fifth is more than ten years away, and it is found without expanding to 9999.
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=5", "within ten years"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "gives no date"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20300101T000000Z", "gives no date"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=1", "gives no date"),
        ("FREQ=WEEKLY;COUNT=X", "Not a recurrence rule"),
        ("FREQ=YEARLY;BYEASTER=0;COUNT=3", "BYEASTER is not part of an RFC 5545 recurrence rule"),
        ("FREQ=WEEKLY;COUNT=2\nDTSTART:20270101T000000Z", "one line, without DTSTART"),
    ],
)
def test_a_recurrence_out_of_bounds_says_why(rule, says):
    problems = meeting_times.rrule_problems(meeting_times.normalise_rrule(rule), START)

    assert says in " ".join(problems)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=500",
        "FREQ=WEEKLY;UNTIL=20341231T000000Z",
        "FREQ=MONTHLY;BYDAY=1TU;COUNT=120",
        "FREQ=YEARLY;COUNT=11",
        "rrule:freq=weekly;count=10",
    ],
)
def test_a_recurrence_within_bounds_is_fine(rule):
    assert meeting_times.rrule_problems(meeting_times.normalise_rrule(rule), START) == []


def test_occurrences_at_skipped_and_repeated_times_get_one_notice_each():
    from dateutil.rrule import rrulestr

    starts = list(rrulestr("FREQ=WEEKLY;COUNT=60", dtstart=datetime(2027, 3, 21, 2, 30, tzinfo=STOCKHOLM)))

    notices = meeting_times.occurrence_notices(starts, STOCKHOLM)

    assert [notice["code"] for notice in notices] == ["OCCURRENCE_AT_SKIPPED_TIME", "OCCURRENCE_AT_REPEATED_TIME"]
    assert "the first on 28 March 2027" in notices[0]["message"]
    assert "the first on 31 October 2027" in notices[1]["message"]


@pytest.mark.parametrize(
    ("start", "end", "problems"),
    [
        (date(1, 1, 1), date(2027, 1, 1), {"start"}),
        (date(2027, 1, 1), date(9999, 12, 31), {"end"}),
        (date(1, 1, 1), date(9999, 12, 31), {"start", "end"}),
        (date(2027, 2, 1), date(2027, 1, 1), {"end"}),
        (date(2000, 1, 1), date(2025, 1, 2), {"end"}),
        (date(2000, 1, 1), date(2025, 1, 1), set()),
        (date(2100, 12, 27), date(2101, 1, 2), set()),  # the calendar page's last week
        (date(2101, 12, 31), date(2102, 1, 1), {"end"}),
    ],
)
def test_a_query_between_days_stays_within_2000_to_2101_and_25_years(start, end, problems):
    assert set(meeting_times.query_problems(start, end)) == problems


def test_line_breaks_of_every_kind_are_refused_and_the_pattern_agrees():
    for char in meeting_times.LINE_BREAKS:
        assert meeting_times.single_line_problems(f"a{char}b")
        assert not re.match(meeting_fields.NO_LINE_BREAKS, f"a{char}b")
    assert meeting_times.single_line_problems("Möte i Vänersborg – dialog") == []
    assert re.match(meeting_fields.NO_LINE_BREAKS, "Möte i Vänersborg – dialog")


class When(Schema):
    at = meeting_fields.LocalDateTime()


def test_the_field_refuses_a_skipped_time_before_making_it_aware():
    with pytest.raises(ValidationError) as caught:
        When().load({"at": "2027-03-28T02:30:00"})

    assert "for example 03:00" in caught.value.messages["at"][0]


def test_the_field_takes_a_repeated_time_as_the_first_and_an_offset_as_given():
    repeated = When().load({"at": "2027-10-31T02:30:00"})["at"]
    given = When().load({"at": "2027-03-28T02:30:00+01:00"})["at"]

    assert repeated.utcoffset().total_seconds() == 7200
    assert given.isoformat() == "2027-03-28T02:30:00+01:00"


def test_the_field_leaves_year_one_to_the_bounds_instead_of_overflowing():
    class Start(Schema):
        at = meeting_fields.LocalDateTime(validate=meeting_fields.meeting_start)

    with pytest.raises(ValidationError) as caught:
        Start().load({"at": "0001-01-01T00:10:00"})

    assert "1 January 2000" in caught.value.messages["at"][0]


def test_the_500th_occurrence_is_allowed_and_the_501st_not_counted_on_the_moved_calendar():
    from datetime import timedelta

    last = (START + timedelta(days=499)).astimezone(UTC)
    fine = f"FREQ=DAILY;UNTIL={last:%Y%m%dT%H%M%SZ}"
    one_more = f"FREQ=DAILY;UNTIL={last + timedelta(days=1):%Y%m%dT%H%M%SZ}"
    leap_days = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20361231T000000Z"

    assert meeting_times.rrule_problems(fine, START) == []
    assert "makes more" in meeting_times.rrule_problems(one_more, START)[0]
    assert meeting_times.rrule_problems(leap_days, START) == []  # 2028, 2032 and 2036: the leap years line up
