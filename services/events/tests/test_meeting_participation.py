"""What a follow-up reads of meetings: when each occurrence ends, and which organisations hold a place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from samverkan_common.errors import Invalid

PLANNER = {"role": "planner", "organisation_id": None, "name": "Anna, BMR"}
SOON = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)


def person(n: int, organisation_id: str | None):
    return {"attendee_name": f"Person {n}", "attendee_email": f"p{n}@example.org", "organisation_id": organisation_id}


@pytest.fixture
def meeting(events):
    events.create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    return events.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": "SER: workshop",
            "level": "dialogue",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "capacity": 2,
        }
    )


def test_only_organisations_with_a_confirmed_place_are_named_once_each(events, meeting):
    events.register(meeting["id"], person(1, "org-a"), PLANNER)
    gone = events.register(meeting["id"], person(2, "org-gone"), PLANNER)
    events.register(meeting["id"], person(3, "org-waiting"), PLANNER)  # waiting list, then promoted
    events.register(meeting["id"], person(4, "org-late"), PLANNER)  # stays on the waiting list
    events.register(meeting["id"], person(5, "org-a"), PLANNER)
    events.register(meeting["id"], person(6, None), PLANNER)
    events.cancel_registration(gone["id"], PLANNER)

    [found] = events.meeting_participation([meeting["id"], "no-such-meeting"])

    assert found["meeting_id"] == meeting["id"]
    assert found["forum_slug"] == "ser"
    assert found["status"] != "cancelled"
    assert found["organisation_ids"] == ["org-a", "org-waiting"]
    [occurrence] = found["occurrences"]
    assert datetime.fromisoformat(occurrence["ends_at"]) == SOON + timedelta(hours=2)
    assert occurrence["cancelled"] is False


def test_a_cancelled_meeting_and_each_occurrence_of_a_series_carry_their_end(events, meeting):
    events.cancel_meeting(meeting["id"], {})
    series = events.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": "SER: rådsmöte",
            "level": "dialogue",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=1)).isoformat(),
            "rrule": "FREQ=WEEKLY;COUNT=3",
        }
    )

    found = {item["meeting_id"]: item for item in events.meeting_participation([series["id"], meeting["id"]])}

    assert found[meeting["id"]]["status"] == "cancelled"
    assert [o["cancelled"] for o in found[meeting["id"]]["occurrences"]] == [True]
    lengths = [
        datetime.fromisoformat(o["ends_at"]) - datetime.fromisoformat(o["starts_at"])
        for o in found[series["id"]]["occurrences"]
    ]
    assert lengths == [timedelta(hours=1)] * 3
    assert found[series["id"]]["organisation_ids"] == []


def test_meetings_between_gives_each_occurrence_its_end(events, meeting):
    [item] = events.meetings_between(SOON.date().isoformat(), SOON.date().isoformat())

    assert datetime.fromisoformat(item["ends_at"]) == SOON + timedelta(hours=2)


def test_too_many_meeting_ids_are_refused(events):
    with pytest.raises(Invalid):
        events.meeting_participation([f"m{n}" for n in range(2001)])
