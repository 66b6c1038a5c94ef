"""Readers agree with the API: every feed expands, in three independent readers, to exactly the
occurrences ``GET /api/v1/meetings`` lists (the events service's ``meetings_between``), at the same
local wall-clock time and the same UTC instant.

The readers: recurring-ical-events (icalendar), vobject (``readOne(validate=True)``, ``getrruleset``)
and Mozilla's ical.js (Thunderbird; node, one process per example for all its feeds). The Python
readers would look a known TZID such as Europe/Stockholm up in their own zone data; the feed's TZID is
renamed for them, so that they, like ical.js and Outlook, can place times only by our VTIMEZONE.

Times the clocks skip or repeat are generated too (02:00-02:59 on the last Sundays of March and
October). The API takes a repeated 02:30 as the first (summer time) unless an offset says otherwise,
and lists a series' occurrence that falls in the skipped hour at the instant RFC 5545 gives (02:30 with
the offset before the gap, so 03:30 summer time). ical.js reads a repeated local time as the later one
and all three readers put a skipped 02:30 at 01:30 winter time, so the feed writes such an instant in
UTC: as the DTSTART of a one-off, or of an override (RECURRENCE-ID, named as the rule makes it) for a
series' occurrence. A time given in UTC is shown, as a calendar app in Stockholm shows it, in Stockholm
time; :func:`assert_utc_only_where_local_time_is_unclear` checks the feed uses UTC nowhere else.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from nameko.testing.services import worker_factory

from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.ical import FeedCache
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ICALJS = Path(__file__).parent / "icaljs"
QUERY = ("2026-12-01", "2046-12-31")  # every generated occurrence lies in here (the API allows 25 years)
FIRST_DAY, LAST_DAY = date(2027, 1, 1), date(2035, 12, 31)  # starts within the bounds: 2000 .. ten years ahead
TIMES = [time(1, 30), time(1, 59), time(3, 0), time(3, 30), time(18, 0), time(0, 0), time(23, 30), time(12, 15)]
# The hour the clocks skip in March and repeat in October. A one-off or a series cannot start at a skipped
# time (the API refuses it), so such a start moves a week earlier: a weekly series then meets the gap.
NIGHT = [time(2, 0), time(2, 30), time(2, 59)]
LENGTHS = [30, 90, 120, 24 * 60]
# How many feeds and occurrences the property test compared (the numbers the closing note names).
COMPARED: Counter[str] = Counter()


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


CHANGE_DAYS = sorted(last_sunday(year, month) for year in range(2027, 2036) for month in (3, 10))
# The days the clocks change, the days either side, and the Sundays one and two weeks before.
NEAR_CHANGES = sorted(day + timedelta(days=shift) for day in CHANGE_DAYS for shift in (-14, -7, -1, 0, 1))


def new_events():
    return worker_factory(EventsService, uow=in_memory_uow(EventsUnitOfWork), feed_cache=FeedCache())


# Reading a feed ----------------------------------------------------------------------------------


def own_zones_only(feed: str) -> str:
    """The feed with each TZID renamed after its VTIMEZONE's text: readers must use that text."""
    for block in re.findall(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", feed, flags=re.S):
        tzid = re.search(r"^TZID:(.*?)\r$", block, flags=re.M).group(1)
        renamed = "Samverkan-feed-zone-" + hashlib.sha256(block.encode()).hexdigest()[:16]
        feed = feed.replace(f"TZID:{tzid}\r\n", f"TZID:{renamed}\r\n").replace(f"TZID={tzid}:", f"TZID={renamed}:")
    return feed


def occurrence(uid: str, start: datetime) -> tuple[str, str, str]:
    """(meeting id, UTC instant, local wall-clock time): what must be the same everywhere.

    A time written in UTC is shown in Stockholm time, as a calendar app there shows it (Stockholm is
    never at UTC+00:00, so an offset of zero means the feed gave the time in UTC).
    """
    if start.utcoffset() == timedelta(0):
        start = start.astimezone(STOCKHOLM)
    return uid.split("@")[0], start.astimezone(UTC).isoformat(), start.replace(tzinfo=None).isoformat()


def one_reading(local: datetime) -> bool:
    """The wall-clock time happens once in Stockholm: not skipped, not repeated."""
    naive = local.replace(tzinfo=None)
    return naive.replace(tzinfo=STOCKHOLM, fold=0).utcoffset() == naive.replace(tzinfo=STOCKHOLM, fold=1).utcoffset()


def assert_utc_only_where_local_time_is_unclear(feed: str) -> None:
    """Local time with TZID wherever it names one instant: UTC only for a repeated local time, or for an
    override of an occurrence the rule puts at a skipped or repeated time; a TZID time that reads two ways
    only as a series' DTSTART (its RRULE needs the wall-clock time; that occurrence has an override)."""
    calendar = Calendar.from_ical(feed)
    for event in calendar.walk("VEVENT"):
        recurrence_id = event.get("RECURRENCE-ID")
        if "DURATION" in event:  # instead of DTEND only where DTEND minus DTSTART would differ between readers
            assert "RRULE" in event, event["DTSTART"].dt
            assert not one_reading(event["DTSTART"].dt), event["DTSTART"].dt
        for name in ("DTSTART", "DTEND"):
            if name not in event:
                continue
            value = event[name].dt
            if value.utcoffset() == timedelta(0):
                assert not one_reading(value.astimezone(STOCKHOLM)) or (
                    name == "DTSTART" and recurrence_id is not None and not one_reading(recurrence_id.dt)
                ), (name, value, recurrence_id)
            elif not one_reading(value):
                assert name == "DTSTART", (name, value)
                assert "RRULE" in event, (name, value)


def read_recurring_ical_events(feed: str) -> list[tuple[str, str, str]]:
    calendar = Calendar.from_ical(own_zones_only(feed))
    found = recurring_ical_events.of(calendar).between(date(2026, 12, 1), date(2047, 1, 1))
    return sorted(occurrence(str(event["UID"]), event["DTSTART"].dt) for event in found)


def read_vobject(feed: str) -> list[tuple[str, str, str]]:
    calendar = vobject.readOne(own_zones_only(feed), validate=True)
    events = calendar.contents.get("vevent", [])
    moved = {
        (event.uid.value, event.recurrence_id.value.astimezone(UTC)): event.dtstart.value
        for event in events
        if hasattr(event, "recurrence_id")
    }
    found = []
    for event in events:
        if hasattr(event, "recurrence_id"):
            continue
        uid = event.uid.value
        starts = list(event.getrruleset(addRDate=True)) if hasattr(event, "rrule") else [event.dtstart.value]
        found += [occurrence(uid, moved.get((uid, start.astimezone(UTC)), start)) for start in starts]
    return sorted(found)


def read_icaljs(feeds: list[str]) -> list[list[tuple[str, str, str]]]:
    if not (ICALJS / "node_modules" / "ical.js").exists():
        subprocess.run(
            [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"],
            cwd=ICALJS,
            check=True,
            capture_output=True,
            timeout=300,
        )
    done = subprocess.run(
        ["node", str(ICALJS / "expand.mjs")], input=json.dumps(feeds).encode(), capture_output=True, check=True
    )
    answers = []
    for answer in json.loads(done.stdout):
        found = []
        for item in answer["occurrences"]:
            assert item["tzid"] in ("Europe/Stockholm", "UTC"), item  # placed by the feed's zone, not floating
            utc = datetime.fromisoformat(item["utc"].replace("Z", "+00:00")).replace(microsecond=0)
            # In UTC only where the local time is unclear (checked on the feed): shown in Stockholm time.
            local = (
                item["local"] if item["tzid"] != "UTC" else utc.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat()
            )
            found.append((item["uid"].split("@")[0], utc.isoformat(), local))
        answers.append(sorted(found))
    return answers


def feeds_and_expectations(events, forums: list[str], dropped: set[tuple[str, str]]) -> list[tuple[str, list]]:
    """Each forum's feed and the all-meetings feed, with the occurrences the API lists for each."""
    pairs = []
    for slug in [*forums, None]:
        feed = events.feed("forum", slug)["body"] if slug else events.feed("all")["body"]
        where = {"forum_slugs": [slug]} if slug else {}
        expected = sorted(
            occurrence(item["meeting_id"], datetime.fromisoformat(item["starts_at"]))
            for item in events.meetings_between(*QUERY, where)
            if (item["meeting_id"], item["occurrence_start"]) not in dropped
        )
        pairs.append((feed, expected))
    return pairs


def assert_readers_agree(pairs: list[tuple[str, list]]) -> None:
    by_icaljs = read_icaljs([feed for feed, _ in pairs])
    for (feed, expected), icaljs in zip(pairs, by_icaljs, strict=True):
        assert_utc_only_where_local_time_is_unclear(feed)
        assert read_recurring_ical_events(feed) == expected
        assert read_vobject(feed) == expected
        assert icaljs == expected
        COMPARED["feeds"] += 1
        COMPARED["occurrences"] += len(expected)


# Generated forums --------------------------------------------------------------------------------


def until(day: date) -> str:
    return f"{day:%Y%m%d}T225959Z"  # the end of that local day (23:59:59 or 00:59:59 the next)


@st.composite
def rules(draw, start: date) -> str:
    kinds = ["DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"]
    # From a change day: every change day after it (the rule's days must include DTSTART's own, or
    # readers disagree on whether DTSTART counts).
    kind = draw(st.sampled_from(kinds + ["CHANGE_DAYS"] * 2 if start in CHANGE_DAYS else kinds))
    if kind == "CHANGE_DAYS":
        return f"FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;COUNT={draw(st.integers(1, 18))}"
    if kind == "QUARTERLY":
        return f"FREQ=MONTHLY;INTERVAL=3;UNTIL={until(start + timedelta(days=draw(st.integers(90, 9 * 365))))}"
    most = {"DAILY": 120, "WEEKLY": 500, "MONTHLY": 110, "YEARLY": 9}[kind]
    step = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[kind]
    interval = draw(st.sampled_from([1, 1, 2])) if kind in ("DAILY", "WEEKLY") else 1
    rule = f"FREQ={kind}" + (f";INTERVAL={interval}" if interval > 1 else "")
    if draw(st.booleans()):
        return f"{rule};COUNT={draw(st.integers(1, most if interval == 1 else most // 2))}"
    return f"{rule};UNTIL={until(start + timedelta(days=draw(st.integers(0, most * step * interval))))}"


def wall_time(draw, day: date, at: time) -> datetime:
    """``at`` on ``day`` in Stockholm; a repeated time is the first or (given as +01:00) the second."""
    return datetime.combine(day, at, STOCKHOLM).replace(fold=draw(st.sampled_from([0, 0, 1])))


@st.composite
def meetings(draw) -> dict:
    day = draw(st.one_of(st.dates(FIRST_DAY, LAST_DAY), st.sampled_from(NEAR_CHANGES), st.sampled_from(CHANGE_DAYS)))
    at = draw(st.sampled_from(TIMES + NIGHT * 2 if day in NEAR_CHANGES else TIMES))
    if not one_reading(datetime.combine(day, at)) and day.month == 3:
        day -= timedelta(days=7)  # refused at a skipped time: a week earlier, and a weekly series meets the gap
    starts = wall_time(draw, day, at)
    rule = draw(st.one_of(st.just(""), rules(day)))
    return {
        "starts_at": starts,
        "minutes": draw(st.sampled_from(LENGTHS)),
        "rrule": rule,
        # Occurrences (by their place in the series) to move and to cancel, and where the moved ones go.
        "moves": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 499), st.integers(-2, 2), st.sampled_from(TIMES + NIGHT), st.sampled_from([0, 1])
                ),
                max_size=2,
            )
        ),
        "cancels": draw(st.lists(st.integers(0, 499), max_size=2)),
        "cancelled": draw(st.integers(0, 9)) == 0,
    }


ONE_OFF = {"minutes": 30, "rrule": "", "moves": [], "cancels": [], "cancelled": False}
forums_strategy = st.lists(st.lists(meetings(), min_size=1, max_size=3), min_size=1, max_size=3)


def publish(events, forums: list[list[dict]]) -> tuple[list[str], set[tuple[str, str]]]:
    """Schedule the generated meetings; the forum slugs and the occurrences cancelled one by one."""
    slugs, dropped = [], set()
    for number, forum in enumerate(forums):
        slug = f"forum-{number}"
        events.create_forum({"slug": slug, "name": f"Forum {number}", "owner_committee": "BMR"})
        slugs.append(slug)
        for spec in forum:
            starts = spec["starts_at"]
            meeting = events.schedule_meeting(
                {
                    "forum_slug": slug,
                    "title": "Möte",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(minutes=spec["minutes"])).isoformat(),
                    "level": "dialogue",
                    "rrule": spec["rrule"],
                }
            )
            if spec["rrule"]:
                series = [start for _, start in zip(range(500), rrulestr(spec["rrule"], dtstart=starts), strict=False)]
                if series[0].replace(tzinfo=None) == starts.replace(tzinfo=None):
                    series[0] = starts  # dateutil drops fold; the series starts at the second 02:30 if given so
                chosen = {}
                for index, shift, at, fold in spec["moves"]:
                    original = series[index % len(series)]
                    day = original.date() + timedelta(days=shift)
                    moved_to = datetime.combine(day, at, STOCKHOLM).replace(fold=fold)
                    chosen[original] = {"starts_at": moved_to.isoformat()}
                for index in spec["cancels"]:
                    chosen[series[index % len(series)]] = {"cancelled": True}
                for original, change in chosen.items():
                    events.change_occurrence(meeting["id"], {"occurrence_start": original.isoformat(), **change})
                    if change.get("cancelled"):
                        dropped.add((meeting["id"], original.isoformat()))
            if spec["cancelled"]:
                events.cancel_meeting(meeting["id"], {})
    return slugs, dropped


@settings(
    max_examples=60,
    derandomize=True,  # the same examples on every run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(forums=forums_strategy)
# Found with the VTIMEZONE written as DTSTART + RDATE lists: a feed over two years, its summer meeting
# an hour late in vobject and ical.js.
@example(
    forums=[
        [
            {**ONE_OFF, "starts_at": datetime(2028, 1, 1, 1, 30, tzinfo=STOCKHOLM), "cancelled": True},
            {**ONE_OFF, "starts_at": datetime(2027, 3, 29, 1, 30, tzinfo=STOCKHOLM), "cancelled": True},
        ]
    ]
)
# A weekly series over the March and October changes of two years, one occurrence moved across the
# March change and one cancelled on the October change day.
@example(
    forums=[
        [
            {
                **ONE_OFF,
                "starts_at": datetime(2027, 3, 21, 1, 30, tzinfo=STOCKHOLM),
                "rrule": "FREQ=WEEKLY;COUNT=60",
                "moves": [(0, 7, time(3, 0), 0)],
                "cancels": [32],
            }
        ]
    ]
)
# 02:30 on the night the clocks go back, given without an offset: the first 02:30 (00:30 UTC) in the API and,
# written in UTC, in every reader (ical.js read it as 01:30 UTC when it had TZID=Europe/Stockholm).
@example(forums=[[{**ONE_OFF, "starts_at": datetime(2027, 10, 31, 2, 30, tzinfo=STOCKHOLM)}]])
# Weekly on Sundays at 02:30 through 31 October 2027: that occurrence is the first 02:30 in the API and an
# override with its DTSTART in UTC in the feed; the series before and after stays at 02:30 TZID-local.
# The same series starting on that night at the second 02:30 (+01:00) starts then, in the API and the feed.
@example(
    forums=[
        [
            {**ONE_OFF, "starts_at": datetime(2027, 10, 3, 2, 30, tzinfo=STOCKHOLM), "rrule": "FREQ=WEEKLY;COUNT=6"},
            {
                **ONE_OFF,
                "starts_at": datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=STOCKHOLM),
                "rrule": "FREQ=WEEKLY;COUNT=3",
                "moves": [(1, -7, time(2, 15), 1)],
            },
        ]
    ]
)
# Weekly on Sundays at 02:30 through 26 March 2028, when 02:30 does not exist: the API lists that occurrence
# at 03:30 summer time (RFC 5545: 02:30 with the offset before the gap, 01:30 UTC; the OCCURRENCE_AT_SKIPPED_TIME
# notice says so) and the feed says 01:30 UTC in an override; as the rule has it, all three readers put it at
# 00:30 UTC (01:30 winter time). Cancelled, the same occurrence is left out by EXDATE in every reader.
@example(
    forums=[
        [
            {**ONE_OFF, "starts_at": datetime(2028, 3, 5, 2, 30, tzinfo=STOCKHOLM), "rrule": "FREQ=WEEKLY;COUNT=5"},
            {
                **ONE_OFF,
                "starts_at": datetime(2028, 3, 12, 2, 30, tzinfo=STOCKHOLM),
                "rrule": "FREQ=WEEKLY;COUNT=4",
                "cancels": [2],
            },
        ]
    ]
)
def readers_agree_with_the_api(forums):
    events = new_events()
    slugs, dropped = publish(events, forums)
    assert_readers_agree(feeds_and_expectations(events, slugs, dropped))


def test_every_reader_expands_generated_feeds_to_exactly_what_the_api_lists():
    COMPARED.clear()

    readers_agree_with_the_api()

    print(f"\ncompared {COMPARED['feeds']} feeds and {COMPARED['occurrences']} occurrences in three readers")
    assert COMPARED["feeds"] >= 60
    assert COMPARED["occurrences"] > 1_000


# The fixed cases of the issue --------------------------------------------------------------------


def weekly_each_year(events) -> None:
    """One weekly 18:00 series each year from 2027 to 2036 (52 or 53 Thursdays)."""
    events.create_forum({"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "BMR"})
    for year in range(2027, 2037):
        first = date(year, 1, 1) + timedelta(days=(3 - date(year, 1, 1).weekday()) % 7)
        starts = datetime.combine(first, time(18), STOCKHOLM)
        events.schedule_meeting(
            {
                "forum_slug": "ros-gruppen",
                "title": f"Veckomöte {year}",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "level": "dialogue",
                "rrule": f"FREQ=WEEKLY;UNTIL={year}1231T225959Z",
            }
        )


def quarterly_to_2034(events) -> None:
    events.create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    starts = datetime(2027, 2, 15, 18, tzinfo=STOCKHOLM)
    events.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": "Kvartalsmöte",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "level": "consultation",
            "rrule": "FREQ=MONTHLY;INTERVAL=3;UNTIL=20341231T225959Z",
        }
    )


def all_at_1800_stockholm(found: list[tuple[str, str, str]]) -> None:
    assert {local[11:] for _, _, local in found} == {"18:00:00"}
    for _, utc, local in found:
        assert datetime.fromisoformat(utc).astimezone(STOCKHOLM).replace(tzinfo=None).isoformat() == local


def test_a_weekly_1800_meeting_each_year_2027_to_2036_is_at_1800_in_every_reader():
    events = new_events()
    weekly_each_year(events)
    [(feed, expected), _] = feeds_and_expectations(events, ["ros-gruppen"], set())

    assert 520 <= len(expected) <= 530
    all_at_1800_stockholm(expected)
    assert read_recurring_ical_events(feed) == expected
    assert read_vobject(feed) == expected
    assert read_icaljs([feed]) == [expected]


def test_the_all_meetings_feed_stays_at_1800_after_a_quarterly_series_to_2034_is_added():
    events = new_events()
    weekly_each_year(events)
    quarterly_to_2034(events)
    [*_, (feed, expected)] = feeds_and_expectations(events, ["ros-gruppen", "ser"], set())

    assert len(expected) >= 520 + 32
    all_at_1800_stockholm(expected)
    assert read_recurring_ical_events(feed) == expected
    assert read_vobject(feed) == expected
    assert read_icaljs([feed]) == [expected]


def in_utc(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def test_a_series_from_the_first_0230_on_the_october_change_night_keeps_its_length_in_every_reader():
    """Its DTSTART reads two ways (ical.js: the second 02:30), so the feed gives its length as DURATION: DTEND
    minus DTSTART would make the later occurrences an hour shorter in ical.js than in the API."""
    events = new_events()
    events.create_forum({"slug": "natt", "name": "Natt", "owner_committee": "BMR"})
    events.schedule_meeting(
        {
            "forum_slug": "natt",
            "title": "Nattmöte",
            "starts_at": "2027-10-31T02:30:00",  # the first 02:30 (summer time, 00:30 UTC)
            "ends_at": "2027-10-31T03:00:00",  # winter time: 90 minutes
            "level": "dialogue",
            "rrule": "FREQ=WEEKLY;COUNT=3",
        }
    )
    feed = events.feed("forum", "natt")["body"]
    listed = events.meetings_between(*QUERY, {"forum_slugs": ["natt"]})
    expected = [(in_utc(item["starts_at"]), in_utc(item["ends_at"])) for item in listed]

    assert expected == [
        ("2027-10-31T00:30:00+00:00", "2027-10-31T02:00:00+00:00"),
        ("2027-11-07T01:30:00+00:00", "2027-11-07T03:00:00+00:00"),  # 02:30-04:00 winter time
        ("2027-11-14T01:30:00+00:00", "2027-11-14T03:00:00+00:00"),
    ]
    calendar = Calendar.from_ical(own_zones_only(feed))
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    assert sorted((in_utc(event["DTSTART"].dt), in_utc(event["DTEND"].dt)) for event in found) == expected
    vevents = vobject.readOne(own_zones_only(feed), validate=True).vevent_list
    [series] = [event for event in vevents if hasattr(event, "rrule")]
    moved = {in_utc(event.recurrence_id.value): event for event in vevents if hasattr(event, "recurrence_id")}
    length = series.duration.value if hasattr(series, "duration") else series.dtend.value - series.dtstart.value
    by_vobject = []
    for start in series.getrruleset(addRDate=True):
        override = moved.get(in_utc(start))
        by_vobject.append(
            (in_utc(override.dtstart.value), in_utc(override.dtend.value))
            if override
            else (in_utc(start), in_utc(start + length))
        )
    assert sorted(by_vobject) == expected
    done = subprocess.run(["node", str(ICALJS / "expand.mjs")], input=feed.encode(), capture_output=True, check=True)
    by_icaljs = [(in_utc(item["utc"]), in_utc(item["end_utc"])) for item in json.loads(done.stdout)["occurrences"]]
    assert sorted(by_icaljs) == expected
