"""Invitations to a plan: sent once per organisation, answered from a link whose token is kept only as a hash."""

from datetime import UTC, datetime, timedelta

import pytest
from nameko.exceptions import UnknownService

from samverkan_advisor.domain import invitations
from samverkan_advisor.domain.invitations import LEVEL_OFFERS, InvitationState
from samverkan_common.errors import Conflict, Invalid, NotFound, Unavailable
from samverkan_common.participation import Level

from .test_advisor_plans import FORUMS, FakeProxy, events_of, make_service, new_plan, scheduled, search

ORGANISATIONS = {
    "o1": {"id": "o1", "name": "Bostad åt alla", "contact_email": "Info@Bostad.example.org"},
    "o2": {"id": "o2", "name": "Alla barns rätt", "contact_email": "kontakt@barn.example.org"},
    "o3": {"id": "o3", "name": "Föreningen Fyrbodal", "contact_email": ""},
}
MEETING = {
    "id": "m-1",
    "title": "Samråd om handlingsplanen",
    "starts_at": "2027-03-02T10:00:00+01:00",
    "ends_at": "2027-03-02T12:00:00+01:00",
    "timezone": "Europe/Stockholm",
    "location": "Regionens hus, Vänersborg",
    "forum_slug": "bmr-samrad",
    "status": "planned",
    "sequence": 0,
}


def organisation(organisation_id):
    if organisation_id not in ORGANISATIONS:
        raise NotFound("No such organisation.", "ORGANISATION_NOT_FOUND")
    return ORGANISATIONS[organisation_id]


def meeting(meeting_id):
    if meeting_id != "m-1":
        raise NotFound("No such meeting.", "MEETING_NOT_FOUND")
    return MEETING


@pytest.fixture
def service():
    return make_service(
        registry=FakeProxy(search_organisations=search, get_organisation=organisation),
        events=FakeProxy(list_forums=FORUMS, schedule_meeting=scheduled, get_meeting=meeting),
    )


def planned(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"])
    service.schedule_plan_meeting(plan["id"], {"title": "Samråd", "starts_at": "2027-03-02T10:00:00+01:00",
                                               "ends_at": "2027-03-02T12:00:00+01:00"})  # fmt: skip
    return plan


def test_each_invited_organisation_gets_one_invitation_and_one_event_with_its_own_token(service):
    plan = planned(service)

    sent = service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1", "o2", "o1"]})

    assert [invitation["organisation_name"] for invitation in sent] == ["Bostad åt alla", "Alla barns rätt"]
    assert {invitation["state"] for invitation in sent} == {"sent"}
    mails = events_of(service.uow, "plan_invitation_sent")
    assert [mail["addresses"] for mail in mails] == [["info@bostad.example.org"], ["kontakt@barn.example.org"]]
    assert mails[0]["token"] != mails[1]["token"]
    assert mails[0]["level_offer"] == {
        "sv": "Ni kan påverka hur förslaget utformas, men inte om det ska göras.",
        "en": "You can influence how the proposal is shaped, but not whether it is made.",
    }
    assert mails[0]["meetings"][0]["meeting_id"] == "m-1"
    assert mails[0]["meetings"][0]["location"] == "Regionens hus, Vänersborg"
    assert service.get_plan(plan["id"])["invited_organisation_ids"] == ["o1", "o2"]


def test_the_token_is_192_bits_and_only_its_hash_is_stored(service):
    plan = planned(service)
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})
    token = events_of(service.uow, "plan_invitation_sent")[0]["token"]

    rows = service.uow.session.execute(service.uow.metadata.tables["invitations"].select()).all()

    assert len(token) == 32  # 24 bytes, base64url
    assert token not in str([tuple(row) for row in rows])
    assert rows[0].token_digest == invitations.token_digest(token)


def test_inviting_again_sends_nothing_to_those_already_invited(service):
    plan = planned(service)
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})

    again = service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1", "o2"]})

    assert [invitation["organisation_id"] for invitation in again] == ["o2"]
    assert len(events_of(service.uow, "plan_invitation_sent")) == 2
    assert [i["organisation_id"] for i in service.plan_invitations(plan["id"])] == ["o2", "o1"]  # by name


def test_an_organisation_not_in_the_directory_is_refused_and_nothing_is_sent(service):
    plan = planned(service)

    with pytest.raises(Invalid) as refused:
        service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1", "nobody"]})

    assert refused.value.code == "ORGANISATION_NOT_FOUND"
    assert events_of(service.uow, "plan_invitation_sent") == []


def test_answering_yes_then_no_changes_the_answer_and_the_same_answer_twice_is_one_event(service):
    plan = planned(service)
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})
    token = events_of(service.uow, "plan_invitation_sent")[0]["token"]

    shown = service.invitation_by_token(token)
    assert shown["invitation"]["state"] == "sent"
    assert shown["issue"] == plan["issue"]
    assert "token_digest" not in shown["invitation"]
    yes = service.answer_invitation(token, {"answer": "yes"})
    service.answer_invitation(token, {"answer": "yes"})
    no = service.answer_invitation(token, {"answer": "no"})

    assert yes["invitation"]["state"] == "yes"
    assert yes["invitation"]["answered_at"]
    assert no["invitation"]["state"] == "no"
    assert [event["answer"] for event in events_of(service.uow, "plan_invitation_answered")] == ["yes", "no"]
    assert service.plan_invitations(plan["id"])[0]["state"] == "no"


def test_an_unknown_token_is_not_found_and_a_wrong_answer_is_invalid(service):
    plan = planned(service)
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})
    token = events_of(service.uow, "plan_invitation_sent")[0]["token"]

    with pytest.raises(NotFound):
        service.invitation_by_token("x" * 32)
    with pytest.raises(Invalid):
        service.answer_invitation(token, {"answer": "maybe"})


def test_an_expired_invitation_is_shown_as_expired_and_cannot_be_answered():
    [(invitation, _token)] = invitations.invite("p1", [{"id": "o1", "name": "A"}], [], datetime(2027, 1, 1, tzinfo=UTC))
    later = invitation.sent_at + invitations.VALID_FOR + timedelta(seconds=1)

    assert invitation.expired(later)
    with pytest.raises(Conflict):
        invitations.answered(invitation, "yes", later)
    assert invitations.answered(invitation, "yes", invitation.sent_at)[0].state is InvitationState.YES


def test_every_level_has_a_plain_sentence_in_both_languages():
    assert set(LEVEL_OFFERS) == set(Level)
    for offer in LEVEL_OFFERS.values():
        assert set(offer) == {"sv", "en"}
        assert all(text.endswith(".") for text in offer.values())


def test_the_registry_away_is_unavailable_not_a_half_sent_invitation(service):
    plan = planned(service)
    service.registry = FakeProxy(search_organisations=search, get_organisation=UnknownService("x"))

    with pytest.raises(Unavailable):
        service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})

    assert events_of(service.uow, "plan_invitation_sent") == []


def test_suggestions_say_why_each_organisation_fits_and_put_signatories_first(service):
    def searched(query):
        found = search(query)
        if query.get("signatory"):
            found["items"] = [org for org in found["items"] if org["id"] == "o3"]
        return found

    service.registry = FakeProxy(search_organisations=searched, get_organisation=organisation)
    plan = new_plan(service, areas=["health_care"], municipalities=["1487", "1480"])
    service.send_plan_invitations(plan["id"], {"organisation_ids": ["o1"]})

    suggested = service.invitation_suggestions(plan["id"])["organisations"]

    assert [org["id"] for org in suggested] == ["o3", "o1"]
    assert suggested[0]["reasons"] == [
        {"code": "signatory"},
        {"code": "municipality", "municipality_code": "1487"},
        {"code": "area", "area": "health_care"},
    ]
    assert [org["invited"] for org in suggested] == [False, True]
