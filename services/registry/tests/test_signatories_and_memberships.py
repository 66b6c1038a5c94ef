"""Signatories of Överenskommelsen and seats in forums, over the service's RPCs."""

import json

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Forbidden, Invalid
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.entrypoints.service import RegistryService

PLANNER = {"role": "planner"}


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


@pytest.fixture
def organisation(service):
    return service.register_organisation({"name": "Föreningen", "kind": "ideell_forening", "municipality_code": "1480"})


def last_event(uow):
    row = uow.session.execute(uow.metadata.tables["outbox"].select().order_by("id")).all()[-1]
    return json.loads(row.envelope)


def signatories_on(service, day):
    return [o["name"] for o in service.search_organisations({"signatory_on": day, "per_page": 100})["items"]]


def test_organisation_signs_and_withdraws_and_the_register_remembers_when(service, organisation):
    service.sign(organisation["id"], {"signed_on": "2015-03-01"}, PLANNER)
    assert last_event(service.uow)["type"] == "organisation_signed"
    assert last_event(service.uow)["data"]["signed_on"] == "2015-03-01"

    service.withdraw(organisation["id"], {"withdrawn_on": "2022-01-01"}, PLANNER)
    assert last_event(service.uow)["type"] == "organisation_withdrew"

    assert signatories_on(service, "2015-02-28") == []
    assert signatories_on(service, "2015-03-01") == ["Föreningen"]
    assert signatories_on(service, "2021-12-31") == ["Föreningen"]
    assert signatories_on(service, "2022-01-01") == []
    assert service.signatures(organisation["id"]) == [
        {
            "id": service.signatures(organisation["id"])[0]["id"],
            "organisation_id": organisation["id"],
            "signed_on": "2015-03-01",
            "withdrawn_on": "2022-01-01",
        }
    ]


def test_organisation_can_sign_again_after_withdrawing_but_not_twice_at_once(service, organisation):
    service.sign(organisation["id"], {"signed_on": "2015-03-01"}, PLANNER)
    with pytest.raises(Conflict) as twice:
        service.sign(organisation["id"], {"signed_on": "2016-01-01"}, PLANNER)
    assert twice.value.code == "ALREADY_A_SIGNATORY"

    service.withdraw(organisation["id"], {"withdrawn_on": "2018-01-01"}, PLANNER)
    with pytest.raises(Invalid):
        service.sign(organisation["id"], {"signed_on": "2017-01-01"}, PLANNER)
    service.sign(organisation["id"], {"signed_on": "2020-01-01"}, PLANNER)

    assert signatories_on(service, "2019-01-01") == []
    assert signatories_on(service, "2020-06-01") == ["Föreningen"]


def test_withdrawal_needs_a_signature_and_a_later_day(service, organisation):
    with pytest.raises(Conflict) as not_signed:
        service.withdraw(organisation["id"], {"withdrawn_on": "2020-01-01"}, PLANNER)
    assert not_signed.value.code == "NOT_A_SIGNATORY"

    service.sign(organisation["id"], {"signed_on": "2020-01-01"}, PLANNER)
    with pytest.raises(Invalid) as early:
        service.withdraw(organisation["id"], {"withdrawn_on": "2019-12-31"}, PLANNER)
    assert set(early.value.errors) == {"withdrawn_on"}


def test_representative_signs_for_its_own_organisation_only(service, organisation):
    other = service.register_organisation({"name": "Annan", "kind": "natverk", "municipality_code": "1490"})
    representative = {"role": "organisation", "organisation_id": organisation["id"]}

    service.sign(organisation["id"], {"signed_on": "2024-01-01"}, representative)
    with pytest.raises(Forbidden):
        service.sign(other["id"], {"signed_on": "2024-01-01"}, representative)


def test_dissolved_organisation_cannot_sign(service, organisation):
    service.dissolve_organisation(organisation["id"], {"version": 1}, PLANNER)
    with pytest.raises(Conflict):
        service.sign(organisation["id"], {"signed_on": "2024-01-01"}, PLANNER)


def test_seat_in_a_forum_has_a_role_and_a_period_and_is_announced(service, organisation):
    seat = service.add_membership(
        organisation["id"], {"forum_slug": "ros-gruppen", "role": "chair", "starts_on": "2024-01-01"}, PLANNER
    )

    event = last_event(service.uow)
    assert event["type"] == "membership_changed"
    assert event["data"] == {
        "membership_id": seat["id"],
        "organisation_id": organisation["id"],
        "forum_slug": "ros-gruppen",
        "role": "chair",
        "starts_on": "2024-01-01",
        "ends_on": None,
        "active": True,
    }

    ended = service.end_membership(seat["id"], {"ends_on": "2025-06-30"}, PLANNER)
    assert ended["ends_on"] == "2025-06-30"
    assert last_event(service.uow)["data"]["active"] is False
    assert service.memberships(organisation["id"]) == [ended]


def test_overlapping_seats_in_one_forum_are_refused_but_later_ones_allowed(service, organisation):
    service.add_membership(
        organisation["id"],
        {"forum_slug": "ser", "starts_on": "2020-01-01", "ends_on": "2021-12-31"},
        PLANNER,
    )
    with pytest.raises(Conflict) as overlap:
        service.add_membership(organisation["id"], {"forum_slug": "ser", "starts_on": "2021-06-01"}, PLANNER)
    assert overlap.value.code == "MEMBERSHIP_OVERLAPS"

    later = service.add_membership(organisation["id"], {"forum_slug": "ser", "starts_on": "2022-01-01"}, PLANNER)
    other_forum = service.add_membership(
        organisation["id"], {"forum_slug": "drn-fyrbodal", "starts_on": "2021-01-01"}, PLANNER
    )
    assert later["role"] == other_forum["role"] == "member"


@pytest.mark.parametrize(
    ("membership", "field"),
    [
        ({"forum_slug": "RÖS gruppen", "starts_on": "2024-01-01"}, "forum_slug"),
        ({"forum_slug": "ser", "starts_on": "2024-01-01", "ends_on": "2023-01-01"}, "ends_on"),
        ({"forum_slug": "ser", "starts_on": "2024-01-01", "role": "king"}, "role"),
        ({"forum_slug": "ser"}, "starts_on"),
    ],
)
def test_bad_seat_is_refused_naming_the_field(service, organisation, membership, field):
    with pytest.raises(Invalid) as refused:
        service.add_membership(organisation["id"], membership, PLANNER)
    assert field in refused.value.errors


def test_only_planners_and_operators_seat_organisations(service, organisation):
    representative = {"role": "organisation", "organisation_id": organisation["id"]}
    with pytest.raises(Forbidden):
        service.add_membership(organisation["id"], {"forum_slug": "ser", "starts_on": "2024-01-01"}, representative)
