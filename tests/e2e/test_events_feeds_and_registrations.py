"""Meetings, feeds and registrations over HTTP, through the running gateway and services."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from nameko.standalone.rpc import ClusterRpcProxy

from tests.support.http import Client
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

SOON = datetime.now(UTC) + timedelta(days=30)


@pytest.fixture(scope="module")
def friluft(stack):
    token = stack.cli(
        "tokens", "create", "--role", "organisation", "--name", "e2e Friluft", "--organisation-id", "org-friluft"
    ).strip()
    return Client(stack.url, token)


def new_forum(planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Testforum", "owner_committee": "BMR"})
    assert created.status_code == 201, created.text
    return created.json()


def schedule(planner, slug, **extra):
    created = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": slug,
            "title": "Dialog om kollektivtrafiken",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "level": "dialogue",
            **extra,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def test_forum_offers_its_feed_as_https_and_webcal(public, planner):
    forum = new_forum(planner)

    read = public.get(f"/api/v1/forums/{forum['slug']}").json()

    assert read["feed"]["url"].endswith(f"/feeds/forums/{forum['slug']}.ics")
    assert read["feed"]["webcal_url"] == "webcal://" + read["feed"]["url"].split("://", 1)[1]


def test_conditional_get_is_304_until_the_meeting_changes(public, planner):
    slug = new_forum(planner)["slug"]
    meeting = schedule(planner, slug)
    first = public.get(f"/feeds/forums/{slug}.ics")

    unchanged = public.get(f"/feeds/forums/{slug}.ics", headers={"If-None-Match": first.headers["ETag"]})
    not_modified = public.get(
        f"/feeds/forums/{slug}.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    changed = planner.session.patch(
        f"{planner.base}/api/v1/meetings/{meeting['id']}", json={"version": meeting["version"], "location": "Skövde"}
    )
    after = public.get(f"/feeds/forums/{slug}.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert (unchanged.status_code, not_modified.status_code) == (304, 304)
    assert changed.status_code == 200, changed.text
    assert after.status_code == 200
    [event] = Calendar.from_ical(after.content).walk("VEVENT")
    assert str(event["LOCATION"]) == "Skövde"
    assert event["SEQUENCE"] == 1


def test_changing_a_meeting_read_at_an_old_version_is_409(planner):
    meeting = schedule(planner, new_forum(planner)["slug"])
    url = f"{planner.base}/api/v1/meetings/{meeting['id']}"
    assert planner.session.patch(url, json={"version": 1, "title": "Nytt namn"}).status_code == 200

    stale = planner.session.patch(url, json={"version": 1, "title": "Annat namn"})

    assert stale.status_code == 409
    assert stale.json()["code"] == "MEETING_CHANGED"


def test_cancelled_meeting_stays_in_the_feeds_as_cancelled(public, planner):
    slug = new_forum(planner)["slug"]
    meeting = schedule(planner, slug)

    cancelled = planner.post(f"/api/v1/meetings/{meeting['id']}/cancel", json={})

    assert cancelled.status_code == 200, cancelled.text
    for path in (f"/feeds/forums/{slug}.ics", "/feeds/all.ics"):
        events = Calendar.from_ical(public.get(path).content).walk("VEVENT")
        [event] = [e for e in events if str(e["UID"]) == f"{meeting['id']}@samverkan"]
        assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)


def test_organisation_registers_people_and_the_waiting_list_moves_up(public, planner, friluft, organisation):
    meeting = schedule(planner, new_forum(planner)["slug"], capacity=1)
    url = f"/api/v1/meetings/{meeting['id']}/registrations"

    first = friluft.post(
        url, json={"attendee_name": "Anna", "attendee_email": "anna@example.org", "dietary_needs": "Vegan"}
    )
    second = friluft.post(url, json={"attendee_name": "Bo", "attendee_email": "bo@example.org"})

    assert (first.status_code, second.status_code) == (201, 201), first.text
    assert (first.json()["status"], second.json()["status"]) == ("confirmed", "waitlisted")
    assert first.json()["organisation_id"] == "org-friluft"
    assert "dietary_needs" not in friluft.get(url).json()[0]
    assert planner.get(url).json()[0]["dietary_needs"] == "Vegan"
    assert public.post(url, json={"attendee_name": "X", "attendee_email": "x@example.org"}).status_code == 401

    cancelled = friluft.session.delete(f"{friluft.base}/api/v1/registrations/{first.json()['id']}")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["promoted_registration_id"] == second.json()["id"]


def test_personal_feed_link_shows_the_persons_meetings_and_stops_when_replaced(public, planner, friluft):
    meeting = schedule(planner, new_forum(planner)["slug"], capacity=5, title="Mitt möte")
    friluft.post(
        f"/api/v1/meetings/{meeting['id']}/registrations",
        json={"attendee_name": "Cecilia", "attendee_email": "cecilia@example.org"},
    )
    issued = friluft.post("/api/v1/personal-feeds", json={"attendee_email": "cecilia@example.org"})
    assert issued.status_code == 201, issued.text
    path = issued.json()["url"].split("127.0.0.1", 1)[1].split("/", 1)[1]

    feed = public.get(f"/{path}")
    replaced = friluft.post("/api/v1/personal-feeds", json={"attendee_email": "cecilia@example.org"})

    assert issued.json()["webcal_url"].startswith("webcal://")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] == ["Mitt möte"]
    assert replaced.status_code == 201
    assert public.get(f"/{path}").status_code == 404


def test_a_change_made_elsewhere_reaches_the_cached_feed_through_the_services_events(stack, public, planner):
    slug = new_forum(planner)["slug"]
    meeting = schedule(planner, slug, title="Före")
    first = public.get(f"/feeds/forums/{slug}.ics")
    assert public.get(f"/feeds/forums/{slug}.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    # Not through the gateway: only the meeting_updated event can tell it the feed changed.
    with ClusterRpcProxy({"AMQP_URI": stack.vhost.amqp_uri}) as cluster:
        cluster.events.update_meeting(meeting["id"], {"version": meeting["version"], "title": "Efter"})

    after = wait_until(
        lambda: public.get(f"/feeds/forums/{slug}.ics", headers={"If-None-Match": first.headers["ETag"]}),
        lambda response: response.status_code == 200,
        timeout=15,
    )
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(after.content).walk("VEVENT")] == ["Efter"]


def test_meetings_between_and_the_schedule_warnings_over_http(public, planner):
    slug = new_forum(planner)["slug"]
    weekly = schedule(
        planner, slug, starts_at="2031-03-06T18:00:00", ends_at="2031-03-06T19:00:00", rrule="FREQ=WEEKLY;COUNT=3"
    )
    planner.post(
        f"/api/v1/meetings/{weekly['id']}/occurrences",
        json={"occurrence_start": "2031-03-13T18:00:00", "cancelled": True},
    )
    stormote = planner.post(
        "/api/v1/forums",
        json={"slug": f"storm-{uuid.uuid4().hex[:6]}", "name": "Stormöte", "owner_committee": "RÖS", "min_per_term": 1},
    ).json()
    schedule(planner, stormote["slug"], starts_at="2031-03-01T10:00:00", ends_at="2031-03-01T15:00:00")

    between = public.get("/api/v1/meetings", params={"start": "2031-03-01", "end": "2031-03-31"}).json()
    warnings = public.get("/api/v1/forums/warnings", params={"year": 2031, "forum_slug": stormote["slug"]}).json()

    mine = [(m["starts_at"], m["status"]) for m in between if m["meeting_id"] == weekly["id"]]
    assert mine == [
        ("2031-03-06T18:00:00+01:00", "planned"),
        ("2031-03-13T18:00:00+01:00", "cancelled"),
        ("2031-03-20T18:00:00+01:00", "planned"),
    ]
    assert [(w["code"], w["term"]) for w in warnings] == [("TERM_WITHOUT_MEETING", "autumn")]
