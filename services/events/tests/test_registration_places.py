"""What the meeting page tells a person: places left, the waiting list, and their own place in it."""

from __future__ import annotations

import pytest

from samverkan_common.errors import NotFound

from .test_registrations import FRILUFT, PENSION, PLANNER, meeting, person

__all__ = ["meeting"]  # the fixture, shared with the registration tests


def test_places_left_fall_to_zero_and_then_the_waiting_list_grows(events, meeting):
    assert events.registration_places(meeting["id"]) == {
        "meeting_id": meeting["id"],
        "closed": None,
        "capacity": 2,
        "confirmed": 0,
        "places_left": 2,
        "waitlisted": 0,
    }
    for n in range(3):
        events.register(meeting["id"], person(n), FRILUFT)

    places = events.registration_places(meeting["id"])
    assert (places["places_left"], places["confirmed"], places["waitlisted"]) == (0, 2, 1)


def test_a_cancelled_meeting_says_why_registration_is_closed(events, meeting):
    events.cancel_meeting(meeting["id"])

    assert events.registration_places(meeting["id"])["closed"] == "MEETING_CANCELLED"


def test_a_waiting_registration_knows_its_place_in_the_queue(events, meeting):
    made = [events.register(meeting["id"], person(n), FRILUFT) for n in range(4)]

    assert events.get_registration(made[0]["id"], FRILUFT)["waitlist_position"] is None
    assert events.get_registration(made[2]["id"], FRILUFT)["waitlist_position"] == 1
    fourth = events.get_registration(made[3]["id"], PLANNER)
    assert (fourth["status"], fourth["waitlist_position"]) == ("waitlisted", 2)

    events.cancel_registration(made[0]["id"], FRILUFT)
    assert events.get_registration(made[3]["id"], FRILUFT)["waitlist_position"] == 1


def test_another_organisations_registration_is_not_found(events, meeting):
    made = events.register(meeting["id"], person(1), FRILUFT)

    with pytest.raises(NotFound):
        events.get_registration(made["id"], PENSION)
