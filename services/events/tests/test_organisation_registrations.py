"""What a representative's own page asks of the events service: the organisation's upcoming registrations,
and whether the person's secret calendar link works (never the link itself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samverkan_common.errors import Forbidden
from samverkan_events.service_layer import handlers

FRILUFT = {"role": "organisation", "organisation_id": "org-friluft", "name": "Friluft"}
PENSION = {"role": "organisation", "organisation_id": "org-pension", "name": "Pensionärer"}
PLANNER = {"role": "planner", "organisation_id": None, "name": "Anna, BMR"}
NOW = datetime.now(UTC)


def schedule(events, title, starts_at, **extra):
    return events.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": title,
            "level": "dialogue",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
            "capacity": 1,
            **extra,
        }
    )


def person(name: str) -> dict[str, str]:
    return {"attendee_name": name, "attendee_email": f"{name.lower()}@example.org"}


@pytest.fixture
def ser(events):
    events.create_forum({"slug": "ser", "name": "Sociala ekonomins råd", "owner_committee": "KUN"})
    return events


def test_an_organisation_sees_its_own_live_registrations_soonest_meeting_first(ser):
    events = ser
    later = schedule(events, "Senare", NOW + timedelta(days=40))
    sooner = schedule(events, "Snart", NOW + timedelta(days=10))
    waiting = events.register(later["id"], person("Bo"), PENSION)  # takes the only place
    queued = events.register(later["id"], person("Anna"), FRILUFT)
    placed = events.register(sooner["id"], person("Cecilia"), FRILUFT)
    gone = events.register(sooner["id"], person("Dan"), FRILUFT)
    events.cancel_registration(gone["id"], FRILUFT)

    mine = events.list_upcoming_registrations(FRILUFT)

    assert [(item["id"], item["status"]) for item in mine] == [
        (placed["id"], "confirmed"),
        (queued["id"], "waitlisted"),
    ]
    assert waiting["id"] not in {item["id"] for item in mine}
    first = mine[0]
    assert first["attendee_name"] == "Cecilia"
    assert first["meeting"]["title"] == "Snart"
    assert first["meeting"]["forum_name"] == "Sociala ekonomins råd"
    assert first["meeting"]["status"] == "planned"
    # Stockholm time, as the pages show it.
    assert first["meeting"]["starts_at"].endswith(("+01:00", "+02:00"))


def test_meetings_that_are_over_drop_out_but_a_recurring_one_stays_until_its_last_occurrence(ser):
    events = ser
    single = schedule(events, "Ett möte", NOW + timedelta(days=3))
    series = schedule(events, "Varje vecka", NOW + timedelta(days=3), rrule="FREQ=WEEKLY;COUNT=4")
    events.register(single["id"], person("Anna"), FRILUFT)
    events.register(series["id"], person("Anna"), FRILUFT)

    two_weeks_on = handlers.upcoming_registrations_of(events.uow, "org-friluft", NOW + timedelta(days=14))
    two_months_on = handlers.upcoming_registrations_of(events.uow, "org-friluft", NOW + timedelta(days=60))

    assert [meeting.title for _, meeting, _ in two_weeks_on] == ["Varje vecka"]
    assert two_months_on == []


def test_a_cancelled_meeting_stays_in_the_list_marked_cancelled(ser):
    events = ser
    meeting = schedule(events, "Inställt", NOW + timedelta(days=5))
    events.register(meeting["id"], person("Anna"), FRILUFT)
    events.cancel_meeting(meeting["id"], {})

    [item] = events.list_upcoming_registrations(FRILUFT)

    assert item["meeting"]["status"] == "cancelled"


def test_a_caller_without_an_organisation_is_refused(ser):
    with pytest.raises(Forbidden) as refused:
        ser.list_upcoming_registrations(PLANNER)

    assert refused.value.code == "NO_ORGANISATION"


def test_the_feed_status_tells_whether_a_link_works_and_when_it_was_made_never_the_link(ser):
    events = ser
    anna = {"attendee_email": "Anna@example.org"}
    assert events.personal_feed_status(anna, FRILUFT) == {"exists": False, "created_at": None}

    first = events.issue_personal_feed(anna, FRILUFT)
    status = events.personal_feed_status({"attendee_email": "anna@example.org"}, FRILUFT)
    assert status["exists"] is True
    assert abs(datetime.fromisoformat(status["created_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert first["token"] not in str(status)

    # Another organisation's link for the same address is another link.
    assert events.personal_feed_status(anna, PENSION)["exists"] is False
    events.revoke_personal_feeds(anna, FRILUFT)
    assert events.personal_feed_status(anna, FRILUFT) == {"exists": False, "created_at": None}
