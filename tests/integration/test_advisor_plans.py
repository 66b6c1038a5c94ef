"""Dialogue plans against the real events service (and without the others), on RabbitMQ and PostgreSQL."""

from __future__ import annotations

import pytest
from nameko.testing.services import entrypoint_hook

from samverkan_advisor.entrypoints.service import AdvisorService
from samverkan_common.errors import Unavailable
from samverkan_events.entrypoints.service import EventsService
from samverkan_registry.entrypoints.service import RegistryService
from tests.support.stack import Databases

pytestmark = pytest.mark.integration

ANSWERS = {
    "step": "drafting",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
}
FORUMS = [
    {"slug": "bmr-samrad", "name": "BMR:s samråd om mänskliga rättigheter", "owner_committee": "BMR"},
    {
        "slug": "ser",
        "name": "SER",
        "owner_committee": "KUN",
        "description": "Rådet för social ekonomi under kulturnämnden",
    },
    {"slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "RÖS"},
    {"slug": "stormote", "name": "Stormöte", "owner_committee": "RÖS-gruppen"},
]


@pytest.fixture
def databases():
    """Fresh PostgreSQL databases for the advisor, the events service and the registry."""
    made = Databases(
        {"levels_advisor": "samverkan_advisor", "events": "samverkan_events", "registry": "samverkan_registry"}
    )
    yield made.urls
    made.drop()


@pytest.fixture
def start(container_factory, rabbit_config, databases):
    def start_service(service_class, database):
        config = {**rabbit_config, "DATABASE_URL": databases[database], "PEER_RPC_TIMEOUT": 2, "PUBLIC_URL": "http://x"}
        container = container_factory(service_class, config)
        container.start()
        return container

    return start_service


def rpc(container, method, *args):
    with entrypoint_hook(container, method) as call:
        return call(*args)


def new_plan(advisor, **fields):
    assessment = rpc(advisor, "assess", {"answers": ANSWERS})
    payload = {"assessment_id": assessment["id"], "committee": "BMR", "issue": "Handlingsplan", "created_by": "Anna"}
    return rpc(advisor, "create_plan", {**payload, **fields})


def test_forums_come_from_the_events_service_and_a_missing_registry_is_named(start):
    events = start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    for forum in FORUMS:
        rpc(events, "create_forum", forum)
    plan = new_plan(advisor, areas=["culture"])

    suggested = rpc(advisor, "plan_suggestions", plan["id"])

    assert [(forum["slug"], forum["why"]) for forum in suggested["forums"]] == [
        ("bmr-samrad", "owner_committee"),
        ("ser", "area"),
    ]
    # No registry runs on this vhost: the planner is told, and still gets the forums.
    assert suggested["unavailable"] == [{"service": "registry", "detail": "The registry service is not running."}]
    assert suggested["organisations"] == []


def test_meeting_scheduled_from_a_plan_lands_in_the_events_service(start):
    events = start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    rpc(events, "create_forum", FORUMS[0])
    plan = new_plan(advisor, forum_slugs=["bmr-samrad"])

    meeting = rpc(
        advisor,
        "schedule_plan_meeting",
        plan["id"],
        {"title": "Första dialogmötet", "starts_at": "2027-03-01T13:00:00", "ends_at": "2027-03-01T15:00:00"},
    )

    stored = rpc(events, "get_meeting", meeting["id"])
    assert (stored["forum_slug"], stored["level"], stored["step"]) == ("bmr-samrad", "dialogue", "drafting")
    assert stored["starts_at"] == "2027-03-01T13:00:00+01:00"
    assert rpc(advisor, "get_plan", plan["id"])["meeting_ids"] == [meeting["id"]]


def test_events_refusal_reaches_the_planner_with_its_code(start):
    start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    plan = new_plan(advisor, forum_slugs=["no-such-forum"])

    with pytest.raises(Exception) as refused:  # noqa: PT011 - the remote error arrives re-raised by the hook
        rpc(
            advisor,
            "schedule_plan_meeting",
            plan["id"],
            {"title": "M", "starts_at": "2027-03-01T13:00", "ends_at": "2027-03-01T14:00"},
        )

    assert type(refused.value).__name__ == "NotFound"
    assert rpc(advisor, "get_plan", plan["id"])["meeting_ids"] == []


def test_events_service_that_stopped_answering_is_reported_after_the_deadline(start):
    events = start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    rpc(events, "create_forum", FORUMS[0])
    plan = new_plan(advisor, forum_slugs=["bmr-samrad"])
    # Its queue stays, but nobody consumes it: nameko alone would wait for ever.
    events.stop()

    with pytest.raises(Unavailable) as away:
        rpc(
            advisor,
            "schedule_plan_meeting",
            plan["id"],
            {"title": "M", "starts_at": "2027-03-01T13:00", "ends_at": "2027-03-01T14:00"},
        )

    assert away.value.detail == "The events service did not answer within 2 s."


def test_follow_up_counts_the_real_meetings_of_the_year(start):
    events = start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    for forum in FORUMS:
        rpc(events, "create_forum", forum)
    # By hand: RÖS-gruppen 4 held (1 cancelled), stormöte spring only, 1 meeting in BMR:s samråd.
    for month in (2, 4, 9, 11):
        meeting(events, "ros-gruppen", f"2027-{month:02d}-10")
    cancelled = meeting(events, "ros-gruppen", "2027-12-01")
    rpc(events, "cancel_meeting", cancelled["id"], {})
    meeting(events, "stormote", "2027-05-20")
    meeting(events, "ros-gruppen", "2028-01-10")  # next year
    new_plan(advisor, starts_on="2027-02-01", forum_slugs=["bmr-samrad"], invited_organisation_ids=["o1", "o2"])
    new_plan(advisor, starts_on="2027-08-01", committee="KUN", invited_organisation_ids=["o2"])
    plan = new_plan(advisor, starts_on="2027-09-01", forum_slugs=["bmr-samrad"])
    rpc(
        advisor,
        "schedule_plan_meeting",
        plan["id"],
        {"title": "Dialog", "starts_at": "2027-09-15T13:00", "ends_at": "2027-09-15T15:00"},
    )

    report = rpc(advisor, "follow_up_report", 2027)

    assert report["dialogues"]["total"] == 3
    assert report["dialogues"]["by_committee"] == {"BMR": 2, "KUN": 1}
    assert report["dialogues"]["early"] == 3
    assert report["meetings"]["held_by_forum"] == {"bmr-samrad": 1, "ros-gruppen": 4, "stormote": 1}
    assert report["meetings"]["cancelled_by_forum"] == {"ros-gruppen": 1}
    assert report["steering_group"]["as_agreed"] is True
    assert (report["assembly"]["spring"], report["assembly"]["autumn"]) == (1, 0)
    assert report["organisations"] == {"count": 2, "ids": ["o1", "o2"]}


def meeting(events, slug, day):
    return rpc(
        events,
        "schedule_meeting",
        {
            "forum_slug": slug,
            "title": f"Möte {day}",
            "starts_at": f"{day}T13:00:00",
            "ends_at": f"{day}T15:00:00",
            "level": "dialogue",
        },
    )


def test_invitees_are_the_registrys_organisations_matching_area_and_municipality(start):
    registry = start(RegistryService, "registry")
    start(EventsService, "events")
    advisor = start(AdvisorService, "levels_advisor")
    made = {
        name: rpc(
            registry,
            "register_organisation",
            {"name": name, "kind": "ideell_forening", "municipality_code": code, "areas": areas},
        )["id"]
        for name, code, areas in [
            ("Kulturföreningen i Göteborg", "1480", ["culture"]),
            ("Teatern i Borås", "1490", ["culture"]),
            ("Patientföreningen i Göteborg", "1480", ["health_care"]),
        ]
    }
    plan = new_plan(advisor, areas=["culture"], municipalities=["1480"])

    suggested = rpc(advisor, "plan_suggestions", plan["id"])

    assert [org["id"] for org in suggested["organisations"]] == [made["Kulturföreningen i Göteborg"]]
    assert suggested["unavailable"] == []
