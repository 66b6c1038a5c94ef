"""Meetings out of bounds are refused over HTTP with a reason, and no stored meeting takes a feed down."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, insert

from samverkan_events.adapters.tables import meetings
from tests.support.http import Client

pytestmark = pytest.mark.e2e

MEETING = {
    "title": "Dialog om kollektivtrafiken",
    "level": "dialogue",
    "starts_at": "2027-05-04T18:00:00",
    "ends_at": "2027-05-04T20:00:00",
}


def feeds_are_served(public: Client, slug: str) -> list[str]:
    """Both feeds answer 200 with a calendar; the forum feed's titles."""
    everything = public.get("/feeds/all.ics")
    forum = public.get(f"/feeds/forums/{slug}.ics")
    assert (everything.status_code, forum.status_code) == (200, 200), (everything.text, forum.text)
    Calendar.from_ical(everything.content)
    return sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(forum.content).walk("VEVENT"))


def stored_before_the_bounds(stack, forum_id: str, title: str, starts_at: datetime, ends_at: datetime) -> str:
    """A meeting written straight into the events database, as a release before the bounds could have."""
    meeting_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    engine = create_engine(stack.databases.urls["events"])
    try:
        with engine.begin() as connection:
            connection.execute(
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
                    status="planned",
                    organiser="",
                    rrule="",
                    municipality_code="",
                    last_ends_at=ends_at,
                    created_at=now,
                    updated_at=now,
                )
            )
    finally:
        engine.dispose()
    return meeting_id


@pytest.fixture(scope="module")
def forum(planner):
    slug = f"granser-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Gränsforum", "owner_committee": "BMR"})
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"starts_at": "9999-05-04T18:00:00", "ends_at": "9999-05-04T20:00:00"}, "starts_at", "ten years from today"),
        ({"starts_at": "0001-01-01T18:00:00", "ends_at": "0001-01-01T20:00:00"}, "starts_at", "1 January 2000"),
        ({"rrule": "FREQ=SECONDLY;COUNT=100"}, "rrule", "FREQ=SECONDLY is not allowed"),
        ({"rrule": "FREQ=DAILY;COUNT=1000000"}, "rrule", "at most 500 occurrences"),
        (
            {"starts_at": "2027-03-28T02:30:00", "ends_at": "2027-03-28T04:00:00"},
            "starts_at",
            "02:30 on 28 March 2027 does not exist in Europe/Stockholm",
        ),
    ],
)
def test_a_meeting_out_of_bounds_is_a_422_naming_the_field_and_the_feeds_stay_up(
    public, planner, forum, changes, field, says
):
    response = planner.post("/api/v1/meetings", json={**MEETING, "forum_slug": forum["slug"], **changes})

    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert says in " ".join(response.json()["errors"][field])
    feeds_are_served(public, forum["slug"])


def test_the_skipped_hour_suggests_three_o_clock(planner, forum):
    response = planner.post(
        "/api/v1/meetings",
        json={**MEETING, "forum_slug": forum["slug"], "starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00"},
    )

    assert "for example 03:00" in response.json()["errors"]["starts_at"][0]


def test_the_repeated_hour_is_accepted_as_the_first_with_a_notice(planner, forum):
    response = planner.post(
        "/api/v1/meetings",
        json={**MEETING, "forum_slug": forum["slug"], "starts_at": "2027-10-31T02:30", "ends_at": "2027-10-31T04:00"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == "2027-10-31T02:30:00+02:00"
    assert [notice["code"] for notice in response.json()["notices"]] == ["AMBIGUOUS_LOCAL_TIME"]


def test_a_query_from_year_one_is_a_422_naming_start(public):
    response = public.get("/api/v1/meetings?start=0001-01-01&end=2027-01-01")

    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "start" in response.json()["errors"]


def test_meetings_stored_before_the_bounds_break_no_feed_or_listing(stack, public, planner, forum):
    good = planner.post("/api/v1/meetings", json={**MEETING, "forum_slug": forum["slug"]})
    assert good.status_code == 201, good.text
    in_9999 = stored_before_the_bounds(
        stack,
        forum["id"],
        "Möte år 9999",
        datetime(9999, 6, 1, 16, tzinfo=UTC),
        datetime(9999, 6, 1, 18, tzinfo=UTC),
    )
    # Its end in Stockholm time falls in year 10000: no calendar can hold it, so the feed leaves it out.
    stored_before_the_bounds(
        stack,
        forum["id"],
        "Möte bortom 9999",
        datetime(9999, 12, 31, 22, 30, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 30, tzinfo=UTC),
    )
    # The gateway holds its copy of a feed until an event says it changed; rows written behind its back send none.
    touched = planner.patch(
        f"/api/v1/meetings/{good.json()['id']}", json={"version": good.json()["version"], "location": "Skövde"}
    )
    assert touched.status_code == 200, touched.text

    titles = feeds_are_served(public, forum["slug"])
    listed = public.get(f"/api/v1/meetings?start=2027-01-01&end=2027-12-31&forum={forum['slug']}")
    old = public.get(f"/api/v1/meetings/{in_9999}")

    assert "Dialog om kollektivtrafiken" in titles
    assert "Möte bortom 9999" not in titles
    assert listed.status_code == 200
    assert good.json()["id"] in {item["meeting_id"] for item in listed.json()}
    assert old.status_code == 200
    assert old.json()["starts_at"].startswith("9999-06-01")
    assert public.get("/api/v1/meetings?start=2077-01-01&end=2101-12-31").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/kalender?vy=vecka&vecka=2100-W52",
        "/kalender?vy=vecka&vecka=2000-W01",
        "/kalender?vy=manad&manad=2100-12",
        "/kalender?vy=manad&manad=0001-01",
        "/kalender?vy=vecka&vecka=9999-W52",
    ],
)
def test_the_calendar_pages_at_the_edges_of_the_years_answer_with_a_page(public, path):
    response = public.get(path)

    assert response.status_code < 500
    assert response.headers["Content-Type"].startswith("text/html")
