"""Dialogue plans against the real events service (and without the others), on RabbitMQ and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

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
    # Last year, all of it over: RÖS-gruppen 4 held (1 cancelled), stormöte spring only, BMR:s samråd 2.
    year = date.today().year - 1
    for month in (2, 4, 9, 11):
        meeting(events, "ros-gruppen", f"{year}-{month:02d}-10")
    cancelled = meeting(events, "ros-gruppen", f"{year}-12-01")
    rpc(events, "cancel_meeting", cancelled["id"], {})
    meeting(events, "stormote", f"{year}-05-20")
    meeting(events, "ros-gruppen", f"{year + 1}-01-10")  # another year
    new_plan(advisor, starts_on=f"{year}-02-01", forum_slugs=["bmr-samrad"], invited_organisation_ids=["o1", "o2"])
    new_plan(advisor, starts_on=f"{year}-08-01", committee="KUN", invited_organisation_ids=["o2"])
    plan = new_plan(advisor, starts_on=f"{year}-09-01", forum_slugs=["bmr-samrad"])
    rpc(
        advisor,
        "schedule_plan_meeting",
        plan["id"],
        {"title": "Dialog", "starts_at": f"{year}-09-15T13:00", "ends_at": f"{year}-09-15T15:00"},
    )
    # Two meetings with places taken: one still to come, one that took place (moved back after people
    # registered, the only way to hold places at a meeting that is over).
    soon = date.today() + timedelta(days=30)
    coming, held = (
        rpc(
            advisor,
            "schedule_plan_meeting",
            plan["id"],
            {"title": title, "starts_at": f"{soon}T13:00", "ends_at": f"{soon}T15:00"},
        )
        for title in ("Uppföljning", "Återträff")
    )
    for made, organisations in ((coming, ["o1"]), (held, ["o2", "o3", "o2"])):
        opened = rpc(events, "update_meeting", made["id"], {"version": made["version"], "capacity": 10})
        for n, organisation in enumerate(organisations):
            person = {"attendee_name": f"P {n}", "attendee_email": f"p{n}@example.org", "organisation_id": organisation}
            rpc(events, "register", made["id"], person, {"role": "planner", "organisation_id": None, "name": "A"})
    moved = {"version": opened["version"], "starts_at": f"{year}-10-01T13:00", "ends_at": f"{year}-10-01T15:00"}
    rpc(events, "update_meeting", held["id"], moved)

    report = rpc(advisor, "follow_up_report", year)

    assert report["dialogues"]["total"] == 3
    assert report["dialogues"]["by_committee"] == {"BMR": 2, "KUN": 1}
    assert report["dialogues"]["early"] == 3
    assert report["meetings"]["held_by_forum"] == {"bmr-samrad": 2, "ros-gruppen": 4, "stormote": 1}
    assert report["meetings"]["cancelled_by_forum"] == {"ros-gruppen": 1}
    assert report["meetings"]["coming_by_forum"] == {}
    assert report["steering_group"]["as_agreed"] is True
    assert (report["assembly"]["spring"], report["assembly"]["autumn"]) == (1, 0)
    assert report["organisations"] == {"count": 2, "ids": ["o1", "o2"]}
    # The plan's row: three meetings booked, two held (the one to come is not), o2 and o3 took part.
    row = next(row for row in report["rows"] if row["plan_id"] == plan["id"])
    assert (row["meetings_booked"], row["meetings_held"], row["organisations_took_part"]) == (3, 2, 2)
    assert report["dialogues"]["meetings_held"] == 2
    assert report["dialogues"]["organisations_took_part"] == 2


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
