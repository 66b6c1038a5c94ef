"""A person's secret calendar link, and an organisation's feed built from the registry's membership events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from samverkan_common.errors import NotFound
from samverkan_common.events import envelope

FRILUFT = {"role": "organisation", "organisation_id": "org-friluft", "name": "Friluft"}
SOON = datetime.now(UTC) + timedelta(days=30)


def schedule(events, slug, title, capacity=None):
    return events.schedule_meeting(
        {
            "forum_slug": slug,
            "title": title,
            "level": "dialogue",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "capacity": capacity,
        }
    )


def titles(answer):
    return sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(answer["body"]).walk("VEVENT"))


@pytest.fixture
def forums(events):
    for slug in ("ser", "ros-gruppen"):
        events.create_forum({"slug": slug, "name": slug.upper(), "owner_committee": "BMR"})
    return events


def test_personal_feed_shows_only_the_meetings_the_person_has_a_place_at(forums):
    events = forums
    booked = schedule(events, "ser", "Bokat", capacity=1)
    full = schedule(events, "ser", "Fullt", capacity=1)
    schedule(events, "ser", "Annat möte", capacity=5)
    events.register(booked["id"], {"attendee_name": "Anna", "attendee_email": "anna@example.org"}, FRILUFT)
    events.register(full["id"], {"attendee_name": "Bo", "attendee_email": "bo@example.org"}, FRILUFT)
    events.register(full["id"], {"attendee_name": "Anna", "attendee_email": "Anna@example.org"}, FRILUFT)

    token = events.issue_personal_feed({"attendee_email": "anna@example.org"}, FRILUFT)["token"]

    assert len(token) >= 43  # 256 random bits, URL-safe
    assert titles(events.feed("personal", token)) == ["Bokat"]


def test_token_is_stored_hashed_and_a_new_link_revokes_the_old(forums):
    events = forums
    old = events.issue_personal_feed({"attendee_email": "anna@example.org"}, FRILUFT)["token"]
    stored = events.uow.session.execute(events.uow.metadata.tables["personal_feeds"].select()).all()
    assert old not in {value for row in stored for value in row if isinstance(value, str)}

    new = events.issue_personal_feed({"attendee_email": "anna@example.org"}, FRILUFT)["token"]

    with pytest.raises(NotFound):
        events.feed("personal", old)
    assert events.feed("personal", new)["body"].startswith("BEGIN:VCALENDAR")
    assert events.revoke_personal_feeds({"attendee_email": "anna@example.org"}, FRILUFT) == {"revoked": 1}
    with pytest.raises(NotFound):
        events.feed("personal", new)


def test_personal_feed_changes_when_the_person_registers(forums):
    events = forums
    meeting = schedule(events, "ser", "Nytt", capacity=5)
    token = events.issue_personal_feed({"attendee_email": "anna@example.org"}, FRILUFT)["token"]
    empty = events.feed("personal", token)

    events.register(meeting["id"], {"attendee_name": "Anna", "attendee_email": "anna@example.org"}, FRILUFT)

    after = events.feed("personal", token, [empty["etag"]])
    assert after["body"] is not None
    assert titles(after) == ["Nytt"]


def membership(forum_slug, active=True, occurred_at=None):
    event = envelope(
        "membership_changed",
        {"organisation_id": "org-friluft", "forum_slug": forum_slug, "role": "member", "starts_on": "2027-01-01",
         "ends_on": None, "active": active},
    )  # fmt: skip
    if occurred_at:
        event["occurred_at"] = occurred_at
    return event


def test_organisation_feed_follows_membership_events_and_ignores_a_redelivery(forums):
    events = forums
    schedule(events, "ser", "SER-möte")
    schedule(events, "ros-gruppen", "RÖS-möte")
    joined = membership("ser")

    events.on_membership_changed(joined)
    events.on_membership_changed(joined)
    assert titles(events.feed("organisation", "org-friluft")) == ["SER-möte"]

    events.on_membership_changed(membership("ros-gruppen"))
    events.on_membership_changed(membership("ser", active=False))
    assert titles(events.feed("organisation", "org-friluft")) == ["RÖS-möte"]
    processed = events.uow.session.execute(events.uow.metadata.tables["processed_events"].select()).all()
    assert len(processed) == 3


def test_a_late_older_membership_event_does_not_undo_a_newer_one(forums):
    events = forums
    schedule(events, "ser", "SER-möte")
    events.on_membership_changed(membership("ser", active=False, occurred_at="2027-02-01T00:00:00+00:00"))

    events.on_membership_changed(membership("ser", active=True, occurred_at="2027-01-01T00:00:00+00:00"))

    assert titles(events.feed("organisation", "org-friluft")) == []
