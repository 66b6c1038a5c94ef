"""Booking a plan's meeting with places and another level; the outcome with proposals; feedback mailed."""

import pytest

from samverkan_common.errors import Invalid, NotFound

from .test_advisor_plans import FORUMS, FakeProxy, events_of, make_service, new_plan, scheduled, search

ORGANISATIONS = {
    "o1": {"id": "o1", "name": "Bostad åt alla", "contact_email": "info@bostad.example.org"},
    "o2": {"id": "o2", "name": "Alla barns rätt", "contact_email": ""},
    "o3": {"id": "o3", "name": "Föreningen Fyrbodal", "contact_email": "kansli@fyrbodal.example.org"},
}


def organisation(organisation_id):
    if organisation_id not in ORGANISATIONS:
        raise NotFound("gone", "ORGANISATION_NOT_FOUND")
    return ORGANISATIONS[organisation_id]


def participation(meeting_ids):
    return [
        {"meeting_id": meeting_id, "organisation_ids": ["o3", "o1"], "occurrences": []} for meeting_id in meeting_ids
    ]


@pytest.fixture
def service():
    return make_service(
        registry=FakeProxy(search_organisations=search, get_organisation=organisation),
        events=FakeProxy(list_forums=FORUMS, schedule_meeting=scheduled, meeting_participation=participation),
    )


def test_a_meeting_can_have_places_a_deadline_and_another_level_than_the_plan(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"])

    service.schedule_plan_meeting(
        plan["id"],
        {
            "title": "Hearing",
            "starts_at": "2027-03-01T13:00:00",
            "ends_at": "2027-03-01T15:00:00",
            "capacity": 40,
            "registration_deadline": "2027-02-25T12:00:00",
            "level": "consultation",
            "step": "decision",
        },
    )

    [(payload,)] = service.events.calls["schedule_meeting"]
    assert payload["capacity"] == 40
    assert payload["registration_deadline"] == "2027-02-25T12:00:00"
    assert (payload["level"], payload["step"]) == ("consultation", "decision")


def test_proposals_are_kept_with_whether_they_were_taken_up_and_why(service):
    plan = new_plan(service)

    done = service.record_outcome(
        plan["id"],
        {
            "outcome": "Planen skrevs om.",
            "feedback": "Tack för era förslag.",
            "feedback_on": "2027-06-01",
            "proposals": [
                {"text": "Tolk på mötena", "taken_up": True, "reason": ""},
                {"text": "Ersättning för tid", "taken_up": False, "reason": "Ingen budget i år."},
            ],
        },
    )

    assert done["outcome"]["proposals"] == [
        {"text": "Tolk på mötena", "taken_up": True, "reason": ""},
        {"text": "Ersättning för tid", "taken_up": False, "reason": "Ingen budget i år."},
    ]
    assert service.get_plan(plan["id"])["outcome"]["proposals"][1]["reason"] == "Ingen budget i år."
    assert done["outcome"]["feedback_sent_at"] is None
    assert events_of(service.uow, "plan_feedback_given") == []


def test_a_proposal_not_taken_up_needs_a_reason(service):
    plan = new_plan(service)
    with pytest.raises(Invalid) as refused:
        service.record_outcome(
            plan["id"],
            {
                "outcome": "Klart",
                "feedback": "Tack",
                "feedback_on": "2027-06-01",
                "proposals": [{"text": "Ersättning för tid", "taken_up": False}],
            },
        )
    assert set(refused.value.errors) == {"proposals.0.reason"}
    assert service.get_plan(plan["id"])["outcome"] is None


def test_feedback_is_sent_to_every_invited_or_taking_part_organisation_with_an_address(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"], invited_organisation_ids=["o1", "o2", "gone"])
    service.schedule_plan_meeting(
        plan["id"], {"title": "Möte", "starts_at": "2027-03-01T13:00:00", "ends_at": "2027-03-01T15:00:00"}
    )

    done = service.record_outcome(
        plan["id"],
        {"outcome": "Klart", "feedback": "Tack för era svar.", "feedback_on": "2027-06-01", "send_feedback": True},
    )

    [given] = events_of(service.uow, "plan_feedback_given")
    assert given["plan_id"] == plan["id"]
    assert given["feedback"] == "Tack för era svar."
    # o2 has no address, "gone" left the directory; o3 took part without being invited.
    assert given["recipients"] == [
        {"organisation_id": "o1", "name": "Bostad åt alla", "email": "info@bostad.example.org"},
        {"organisation_id": "o3", "name": "Föreningen Fyrbodal", "email": "kansli@fyrbodal.example.org"},
    ]
    assert done["outcome"]["feedback_sent_to"] == 2
    assert done["outcome"]["feedback_sent_at"] is not None


def test_organisations_already_invited_hear_of_a_meeting_booked_later(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"])
    service.events = FakeProxy(
        list_forums=FORUMS,
        schedule_meeting=lambda payload: {**scheduled(payload), **payload, "id": "m-7", "timezone": "Europe/Stockholm"},
        get_meeting=lambda meeting_id: {"id": meeting_id, "status": "planned"},
        meeting_participation=participation,
    )
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1", "o2", "o3"]})

    service.schedule_plan_meeting(
        plan["id"],
        {"title": "Hearing", "starts_at": "2027-03-01T13:00:00", "ends_at": "2027-03-01T15:00:00", "capacity": 30},
    )

    [booked] = events_of(service.uow, "plan_meeting_booked")
    # o2 has no address; the others each get the meeting once.
    assert booked["addresses"] == ["info@bostad.example.org", "kansli@fyrbodal.example.org"]
    assert (booked["meeting_id"], booked["title"], booked["capacity"]) == ("m-7", "Hearing", 30)
    assert booked["issue"] == plan["issue"]


def test_a_plan_without_invitations_announces_no_booked_meeting_to_anyone(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"])
    service.schedule_plan_meeting(
        plan["id"], {"title": "Möte", "starts_at": "2027-03-01T13:00:00", "ends_at": "2027-03-01T15:00:00"}
    )
    assert events_of(service.uow, "plan_meeting_booked") == []
