"""The gateway refuses meetings out of bounds itself: a 422 naming the field, before any RPC is made."""

from __future__ import annotations

import pytest

from samverkan_gateway.resources.events.feedcache import FeedWatcher

MEETING = {
    "forum_slug": "ser",
    "title": "Sociala ekonomins råd",
    "level": "consultation",
    "starts_at": "2027-05-04T18:00:00",
    "ends_at": "2027-05-04T20:00:00",
}


class FakeEvents:
    """Stands in for the events service: records each call, answers a meeting or a feed."""

    def __init__(self):
        self.calls: list[tuple] = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, *args))
        if method == "feed":
            return {"etag": '"v1"', "last_modified": "2027-01-01T10:00:00+00:00", "body": "BEGIN:VCALENDAR\r\n"}
        if method == "meetings_between":
            return []
        payload = args[-1]
        return {"id": "m-1", **payload, "notices": []}


class Quiet(FeedWatcher):
    def start(self):
        pass


@pytest.fixture
def events(app):
    fake = FakeEvents()
    app.extensions["rpc"] = fake
    app.extensions["samverkan_feed_watcher"] = Quiet("amqp://unused")
    return fake


@pytest.fixture
def planner(token):
    return token("planner")


def refused(response):
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.get_json()["errors"]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"starts_at": "9999-05-04T18:00:00", "ends_at": "9999-05-04T20:00:00"}, "starts_at", "ten years from today"),
        ({"starts_at": "0001-01-01T10:00:00", "ends_at": "0001-01-01T12:00:00"}, "starts_at", "1 January 2000"),
        ({"starts_at": "0001-01-01T00:00:00+05:00", "ends_at": "0001-01-01T01:00:00+05:00"}, "starts_at", "2000"),
        ({"starts_at": "2027-03-28T02:30:00", "ends_at": "2027-03-28T04:00:00"}, "starts_at", "for example 03:00"),
        ({"ends_at": "2027-05-08T18:00:00"}, "ends_at", "at most three days"),
        ({"ends_at": "2027-05-04T17:00:00"}, "ends_at", "end after it starts"),
        ({"rrule": "FREQ=SECONDLY;COUNT=100"}, "rrule", "FREQ=SECONDLY is not allowed"),
        ({"rrule": "FREQ=MINUTELY;UNTIL=20991231T000000Z"}, "rrule", "FREQ=MINUTELY is not allowed"),
        ({"rrule": "FREQ=DAILY;COUNT=1000000"}, "rrule", "at most 500 occurrences"),
        ({"rrule": "FREQ=YEARLY;UNTIL=20991231T000000Z"}, "rrule", "within ten years"),
        ({"rrule": "FREQ=WEEKLY"}, "rrule", "COUNT or UNTIL"),
        ({"title": "Möte\r\nBEGIN:VEVENT"}, "title", "one line"),
        ({"location": "Vänersborg\nX-EVIL:1"}, "location", "one line"),
        ({"organiser": "Anna\rExempel"}, "organiser", "one line"),
        ({"registration_deadline": "0001-01-01T12:00:00"}, "registration_deadline", "Registration closes"),
        ({"registration_deadline": "2027-05-05T12:00:00"}, "registration_deadline", "before the meeting starts"),
    ],
)
def test_a_meeting_out_of_bounds_is_a_422_naming_the_field_and_why(client, events, planner, changes, field, says):
    errors = refused(client.post("/api/v1/meetings", json={**MEETING, **changes}, headers=planner))

    assert field in errors
    assert says in " ".join(errors[field])
    assert events.calls == []


def test_a_change_out_of_bounds_is_a_422_too(client, events, planner):
    errors = refused(
        client.patch("/api/v1/meetings/m-1", json={"version": 1, "rrule": "FREQ=HOURLY;COUNT=3"}, headers=planner)
    )
    moved = refused(
        client.patch("/api/v1/meetings/m-1", json={"version": 1, "starts_at": "9999-01-01T10:00"}, headers=planner)
    )

    assert list(errors) == ["rrule"]
    assert list(moved) == ["starts_at"]
    assert events.calls == []


def test_a_repeated_time_reaches_the_service_as_the_first_one(client, events, planner):
    response = client.post(
        "/api/v1/meetings",
        json={**MEETING, "starts_at": "2027-10-31T02:30:00", "ends_at": "2027-10-31T04:00:00"},
        headers=planner,
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    [(_, _, sent)] = events.calls
    assert sent["starts_at"] == "2027-10-31T02:30:00+02:00"
    assert response.get_json()["notices"] == []  # the service writes them; the gateway passes them on


def test_a_forum_name_is_one_line(client, events, planner):
    errors = refused(
        client.post(
            "/api/v1/forums",
            json={"slug": "ser", "name": "SER\nX-WR-CALNAME:x", "owner_committee": "KUN"},
            headers=planner,
        )
    )

    assert list(errors) == ["name"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=0001-01-01&end=2027-01-01", "start"),
        ("start=2027-01-01&end=9999-12-31", "end"),
        ("start=2000-01-01&end=2099-12-31", "end"),
        ("start=2027-02-01&end=2027-01-01", "end"),
    ],
)
def test_a_query_for_meetings_out_of_range_is_a_422_naming_the_day(client, events, query, field):
    errors = refused(client.get(f"/api/v1/meetings?{query}"))

    assert field in errors
    assert events.calls == []


def test_a_query_in_range_reaches_the_service(client, events):
    response = client.get("/api/v1/meetings?start=2027-01-01&end=2027-12-31")

    assert response.status_code == 200
    assert events.calls[0][1:] == ("meetings_between", "2027-01-01", "2027-12-31", events.calls[0][-1])


def test_a_feed_asked_for_as_modified_since_year_one_is_served(client, events):
    response = client.get("/feeds/all.ics", headers={"If-Modified-Since": "Mon, 01 Jan 0001 00:00:00 GMT"})

    assert response.status_code == 200


def test_the_bounds_are_in_the_openapi_document(app):
    schemas = app.extensions["samverkan_api"].spec.to_dict()["components"]["schemas"]
    meeting_in = schemas["MeetingIn"]["properties"]

    assert "ten years from today" in meeting_in["starts_at"]["description"]
    assert "02:00–03:00 on the last Sunday of March" in meeting_in["starts_at"]["description"]
    assert "DAILY, WEEKLY, MONTHLY or YEARLY" in meeting_in["rrule"]["description"]
    assert "at most 500 occurrences" in meeting_in["rrule"]["description"]
    assert meeting_in["title"]["pattern"].startswith("^[^")
    assert "notices" in schemas["Meeting"]["properties"]
