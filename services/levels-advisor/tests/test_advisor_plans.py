"""Dialogue plans through the service's RPC methods, with the other services played by fakes."""

import json
from datetime import UTC, datetime

import pytest
from nameko.exceptions import UnknownService
from nameko.testing.services import worker_factory

from samverkan_advisor.adapters.repository import AdvisorUnitOfWork
from samverkan_advisor.domain.committees import REGION_COMMITTEES, Committee
from samverkan_advisor.entrypoints.providers import load_library
from samverkan_advisor.entrypoints.service import AdvisorService
from samverkan_common.errors import Conflict, Invalid, NotFound, Unavailable
from samverkan_common.testing import in_memory_uow

ANSWERS = {
    "step": "drafting",
    "decision_open": "yes",
    "negotiable": "what",
    "mandate": "some",
    "shared_work": "no",
    "time_to_decision": "two_to_six_months",
}
FORUMS = [
    {"id": "f1", "slug": "bmr-samrad", "name": "BMR:s samråd", "owner_committee": "BMR", "description": ""},
    {"id": "f2", "slug": "ser", "name": "SER", "owner_committee": "KUN", "description": "Social ekonomi och kultur"},
    {"id": "f4", "slug": "resor", "name": "Resenärsforum", "owner_committee": "KTN", "description": "Kollektivtrafik"},
    {"id": "f3", "slug": "ros-gruppen", "name": "RÖS-gruppen", "owner_committee": "RÖS", "description": ""},
]


class Reply:
    def __init__(self, value):
        self.value = value

    def result(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


class Method:
    def __init__(self, answer, calls):
        self.answer, self.calls = answer, calls

    def call_async(self, *args):
        self.calls.append(args)
        return Reply(self.answer(*args) if callable(self.answer) else self.answer)


class FakeProxy:
    """Answers like a nameko RpcProxy: ``proxy.method.call_async(*args).result()``."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = {name: [] for name in answers}

    def __getattr__(self, name):
        if name not in self.answers:
            return Method(UnknownService("nobody"), [])
        return Method(self.answers[name], self.calls[name])


def search(query):
    organisations = [
        {"id": "o1", "name": "Bostad åt alla", "areas": ["health_care"], "municipality_code": "1480"},
        {"id": "o2", "name": "Alla barns rätt", "areas": ["culture"], "municipality_code": "1480"},
        {"id": "o3", "name": "Föreningen Fyrbodal", "areas": ["health_care"], "municipality_code": "1487"},
    ]
    found = [
        org
        for org in organisations
        if query.get("area") in (None, *org["areas"]) and query.get("municipality") in (None, org["municipality_code"])
    ]
    return {"items": found, "page": 1, "per_page": query.get("per_page", 20), "total": len(found)}


def scheduled(payload):
    return {"id": "m-1", "forum_slug": payload["forum_slug"], "title": payload["title"], "level": payload["level"]}


def seeded_uow():
    """A fresh database with the committees migration 0003 seeds."""
    made = in_memory_uow(AdvisorUnitOfWork)
    for seeded in REGION_COMMITTEES:
        made.committees.add(Committee(*seeded))
    return made


def make_service(registry=None, events=None):
    return worker_factory(
        AdvisorService,
        uow=seeded_uow(),
        questionnaire=load_library(),
        config={"PEER_RPC_TIMEOUT": 1},
        registry=registry or FakeProxy(search_organisations=search),
        events=events or FakeProxy(list_forums=FORUMS, schedule_meeting=scheduled),
    )


@pytest.fixture
def service():
    return make_service()


def events_of(uow, type_):
    table = uow.metadata.tables["outbox"]
    rows = uow.session.execute(table.select().where(table.c.type == type_))
    return [json.loads(row.envelope)["data"] for row in rows]


def new_plan(service, **fields):
    assessment = service.assess({"answers": ANSWERS})
    payload = {
        "assessment_id": assessment["id"],
        "committee": "BMR",
        "issue": "Handlingsplan för mänskliga rättigheter",
        "created_by": "Anna, BMR",
        "starts_on": "2027-02-01",
        **fields,
    }
    return service.create_plan(payload)


def test_plan_keeps_the_recommended_level_and_is_announced(service):
    plan = new_plan(service, areas=["health_care"], forum_slugs=["bmr-samrad"])

    assert plan["level"] == plan["recommended_level"] == "dialogue"
    assert plan["step"] == "drafting"
    assert plan["questionnaire_version"] == 3
    assert events_of(service.uow, "plan_created") == [
        {
            "plan_id": plan["id"],
            "committee": "BMR",
            "committee_id": "bmr",
            "issue": "Handlingsplan för mänskliga rättigheter",
            "level": "dialogue",
            "forum_slugs": ["bmr-samrad"],
            "invited_organisation_ids": [],
            "meeting_ids": [],
        }
    ]
    assert service.get_plan(plan["id"]) == plan


def test_choosing_another_level_needs_a_reason(service):
    with pytest.raises(Invalid) as refused:
        new_plan(service, level="partnership")

    assert refused.value.errors == {"level_reason": ["Say why you chose partnership and not dialogue."]}
    assert events_of(service.uow, "plan_created") == []


def test_another_level_with_a_reason_is_kept_with_it(service):
    plan = new_plan(service, level="consultation", level_reason="Nämnden hinner bara ett möte.")

    assert (plan["level"], plan["recommended_level"]) == ("consultation", "dialogue")
    assert plan["level_reason"] == "Nämnden hinner bara ett möte."


def test_plan_for_an_unknown_assessment_is_not_found(service):
    with pytest.raises(NotFound):
        service.create_plan({"assessment_id": "nope", "committee": "BMR", "issue": "X", "created_by": "Anna"})


def test_updating_a_plan_checks_the_level_again_and_is_announced(service):
    plan = new_plan(service)

    with pytest.raises(Invalid):
        service.update_plan(plan["id"], {"level": "partnership"})
    changed = service.update_plan(plan["id"], {"invited_organisation_ids": ["o1", "o2", "o1"]})

    assert changed["invited_organisation_ids"] == ["o1", "o2"]
    [event] = events_of(service.uow, "plan_updated")
    assert event["invited_organisation_ids"] == ["o1", "o2"]


def test_suggestions_match_the_plans_areas_and_municipalities(service):
    plan = new_plan(service, areas=["health_care"], municipalities=["1480"])

    suggested = service.plan_suggestions(plan["id"])

    assert [org["id"] for org in suggested["organisations"]] == ["o1"]
    assert service.registry.calls["search_organisations"] == [
        ({"per_page": 50, "area": "health_care", "municipality": "1480"},)
    ]
    assert [forum["slug"] for forum in suggested["forums"]] == ["bmr-samrad"]
    assert suggested["unavailable"] == []


def test_forums_whose_description_names_an_area_fit_too(service):
    plan = new_plan(service, areas=["culture", "public_transport"])

    forums = service.plan_suggestions(plan["id"])["forums"]

    assert [(forum["slug"], forum["why"]) for forum in forums] == [
        ("bmr-samrad", "owner_committee"),
        ("resor", "area"),
        ("ser", "area"),
    ]


def test_an_area_the_registry_does_not_know_is_refused(service):
    with pytest.raises(Invalid) as refused:
        new_plan(service, areas=["housing"])

    assert set(refused.value.errors) == {"areas"}


def test_a_plan_without_areas_suggests_signatories():
    registry = FakeProxy(search_organisations={"items": [{"id": "o9", "name": "Underskrivaren"}], "total": 1})
    service = make_service(registry=registry)
    plan = new_plan(service)

    suggested = service.plan_suggestions(plan["id"])

    assert [org["id"] for org in suggested["organisations"]] == ["o9"]
    assert registry.calls["search_organisations"] == [({"signatory": True, "per_page": 50},)]


def test_registry_away_is_said_clearly_and_forums_are_still_suggested():
    service = make_service(registry=FakeProxy())  # no search_organisations: nobody answers
    plan = new_plan(service, areas=["health_care"])

    suggested = service.plan_suggestions(plan["id"])

    assert suggested["organisations"] == []
    assert suggested["unavailable"] == [{"service": "registry", "detail": "The registry service is not running."}]
    assert [forum["slug"] for forum in suggested["forums"]] == ["bmr-samrad"]


def test_meeting_is_scheduled_at_the_plans_level_and_step_and_remembered(service):
    plan = new_plan(service, forum_slugs=["bmr-samrad"])

    meeting = service.schedule_plan_meeting(
        plan["id"],
        {"title": "Första dialogmötet", "starts_at": "2027-03-01T13:00:00", "ends_at": "2027-03-01T15:00:00"},
    )

    assert meeting["id"] == "m-1"
    [(payload,)] = service.events.calls["schedule_meeting"]
    assert payload == {
        "title": "Första dialogmötet",
        "starts_at": "2027-03-01T13:00:00",
        "ends_at": "2027-03-01T15:00:00",
        "forum_slug": "bmr-samrad",
        "level": "dialogue",
        "step": "drafting",
    }
    assert service.get_plan(plan["id"])["meeting_ids"] == ["m-1"]
    assert events_of(service.uow, "plan_updated")[-1]["meeting_ids"] == ["m-1"]


def test_meeting_without_a_forum_is_refused(service):
    plan = new_plan(service)

    with pytest.raises(Invalid) as refused:
        service.schedule_plan_meeting(
            plan["id"], {"title": "M", "starts_at": "2027-03-01T13:00", "ends_at": "2027-03-01T14:00"}
        )

    assert set(refused.value.errors) == {"forum_slug"}


def test_events_service_away_leaves_the_plan_unchanged():
    service = make_service(events=FakeProxy())
    plan = new_plan(service, forum_slugs=["bmr-samrad"])

    with pytest.raises(Unavailable) as away:
        service.schedule_plan_meeting(
            plan["id"], {"title": "M", "starts_at": "2027-03-01T13:00", "ends_at": "2027-03-01T14:00"}
        )

    assert away.value.errors == {"service": ["events"]}
    assert service.get_plan(plan["id"])["meeting_ids"] == []


def test_events_refusal_reaches_the_planner_with_its_fields():
    def refuse(payload):
        return Invalid("The input is not valid.", "INVALID_INPUT", {"ends_at": ["Must be after starts_at."]})

    service = make_service(events=FakeProxy(schedule_meeting=refuse))
    plan = new_plan(service, forum_slugs=["bmr-samrad"])

    with pytest.raises(Invalid) as refused:
        service.schedule_plan_meeting(
            plan["id"], {"title": "M", "starts_at": "2027-03-01T13:00", "ends_at": "2027-03-01T12:00"}
        )

    assert refused.value.errors == {"ends_at": ["Must be after starts_at."]}


def test_outcome_and_feedback_are_recorded_once(service):
    plan = new_plan(service)

    done = service.record_outcome(
        plan["id"],
        {
            "outcome": "Tre förslag togs in i planen.",
            "feedback": "Brev till alla deltagare.",
            "feedback_on": "2027-06-01",
        },
    )

    assert done["outcome"]["outcome"] == "Tre förslag togs in i planen."
    assert done["outcome"]["feedback_on"] == "2027-06-01"
    assert events_of(service.uow, "plan_outcome_recorded") == [
        {"plan_id": plan["id"], "outcome": "Tre förslag togs in i planen."}
    ]
    with pytest.raises(Conflict):
        service.record_outcome(plan["id"], {"outcome": "Igen", "feedback": "Igen", "feedback_on": "2027-06-02"})


def test_outcome_without_feedback_is_refused(service):
    plan = new_plan(service)

    with pytest.raises(Invalid) as refused:
        service.record_outcome(plan["id"], {"outcome": "Klart", "feedback": "  ", "feedback_on": "2027-06-01"})

    assert set(refused.value.errors) == {"feedback"}


def test_plan_starts_today_unless_told_otherwise(service):
    assessment = service.assess({"answers": ANSWERS})

    plan = service.create_plan(
        {"assessment_id": assessment["id"], "committee": "KUN", "issue": "X", "created_by": "Bo"}
    )

    assert plan["starts_on"] == datetime.now(UTC).date().isoformat()
