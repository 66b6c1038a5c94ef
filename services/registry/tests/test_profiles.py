"""Organisation profiles: the new fields, updates with a version, dissolving, and who may change what."""

import json

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Forbidden, Invalid
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.entrypoints.service import RegistryService

PLANNER = {"role": "planner"}

ORGANISATION = {
    "name": "Föreningen Exempel",
    "kind": "ideell_forening",
    "organisation_number": "8020024280",
    "municipality_code": "1480",
    "other_names": ["FE", "Exempelföreningen"],
    "areas": ["culture", "health_care"],
    "tags": ["Körsång", " körsång ", "unga"],
    "founded_year": 1972,
}


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


def events(uow):
    rows = uow.session.execute(uow.metadata.tables["outbox"].select().order_by("id")).all()
    return [json.loads(row.envelope) for row in rows]


def test_profile_keeps_other_names_areas_tags_and_founding_year(service):
    registered = service.register_organisation(ORGANISATION)

    fetched = service.get_organisation(registered["id"])
    assert fetched["other_names"] == ["FE", "Exempelföreningen"]
    assert fetched["areas"] == ["culture", "health_care"]
    assert fetched["tags"] == ["körsång", "unga"]  # one tag however it is written
    assert fetched["founded_year"] == 1972


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"areas": ["sports"]}, "areas"),
        ({"founded_year": 3000}, "founded_year"),
        ({"founded_year": "1972"}, "founded_year"),
        ({"tags": ["x" * 51]}, "tags"),
        ({"other_names": [f"Namn {n}" for n in range(21)]}, "other_names"),
    ],
)
def test_bad_profile_field_is_named(service, change, field):
    with pytest.raises(Invalid) as refused:
        service.register_organisation({**ORGANISATION, **change})
    assert field in refused.value.errors


def test_update_changes_only_given_fields_and_raises_the_version(service):
    registered = service.register_organisation(ORGANISATION)

    updated = service.update_organisation(
        registered["id"], {"version": 1, "description": "Vi sjunger.", "tags": ["kör"]}, PLANNER
    )

    assert (updated["version"], updated["description"], updated["tags"]) == (2, "Vi sjunger.", ["kör"])
    assert updated["name"] == registered["name"]
    assert updated["areas"] == registered["areas"]
    last = events(service.uow)[-1]
    assert last["type"] == "organisation_updated"
    assert sorted(last["data"]["changes"]) == ["description", "tags"]
    assert last["data"]["version"] == 2


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(service):
    registered = service.register_organisation(ORGANISATION)
    service.update_organisation(registered["id"], {"version": 1, "name": "Först"}, PLANNER)

    with pytest.raises(Conflict) as stale:
        service.update_organisation(registered["id"], {"version": 1, "name": "Sist"}, PLANNER)

    assert stale.value.code == "ORGANISATION_VERSION_CONFLICT"
    assert "version" in stale.value.errors
    assert service.get_organisation(registered["id"])["name"] == "Först"


def test_update_that_changes_nothing_keeps_the_version_and_emits_nothing(service):
    registered = service.register_organisation(ORGANISATION)

    same = service.update_organisation(registered["id"], {"version": 1, "name": "Föreningen Exempel"}, PLANNER)

    assert same["version"] == 1
    assert [e["type"] for e in events(service.uow)] == ["organisation_registered"]


def test_update_may_clear_the_organisation_number(service):
    registered = service.register_organisation(ORGANISATION)

    updated = service.update_organisation(registered["id"], {"version": 1, "organisation_number": ""}, PLANNER)

    assert updated["organisation_number"] is None


def test_update_cannot_take_another_organisations_number(service):
    service.register_organisation(ORGANISATION)
    other = service.register_organisation({"name": "Annan", "kind": "stiftelse", "municipality_code": "1490"})

    with pytest.raises(Conflict) as taken:
        service.update_organisation(other["id"], {"version": 1, "organisation_number": "802002-4280"}, PLANNER)
    assert taken.value.code == "ORGANISATION_EXISTS"


def test_update_without_version_is_refused_naming_it(service):
    registered = service.register_organisation(ORGANISATION)
    with pytest.raises(Invalid) as refused:
        service.update_organisation(registered["id"], {"name": "Ny"}, PLANNER)
    assert set(refused.value.errors) == {"version"}


@pytest.mark.parametrize("field", ["status", "id", "created_at"])
def test_fields_that_follow_from_rules_cannot_be_set_directly(service, field):
    registered = service.register_organisation(ORGANISATION)
    with pytest.raises(Invalid) as refused:
        service.update_organisation(registered["id"], {"version": 1, field: "x"}, PLANNER)
    assert field in refused.value.errors


def test_organisation_token_edits_its_own_organisation_only(service):
    own = service.register_organisation(ORGANISATION)
    other = service.register_organisation({"name": "Annan", "kind": "stiftelse", "municipality_code": "1490"})
    representative = {"role": "organisation", "organisation_id": own["id"]}

    assert (
        service.update_organisation(own["id"], {"version": 1, "description": "Ny text"}, representative)["version"] == 2
    )
    with pytest.raises(Forbidden):
        service.update_organisation(other["id"], {"version": 1, "description": "Kapat"}, representative)
    with pytest.raises(Forbidden):
        service.update_organisation(other["id"], {"version": 1, "description": "Anonymt"}, None)
    assert service.get_organisation(other["id"])["description"] == ""


def test_dissolved_organisation_stays_with_its_history_and_says_so(service):
    registered = service.register_organisation(ORGANISATION)

    dissolved = service.dissolve_organisation(registered["id"], {"version": 1}, PLANNER)

    assert (dissolved["status"], dissolved["version"]) == ("dissolved", 2)
    assert service.get_organisation(registered["id"])["status"] == "dissolved"
    assert events(service.uow)[-1]["type"] == "organisation_dissolved"
    with pytest.raises(Conflict) as again:
        service.dissolve_organisation(registered["id"], {"version": 2}, PLANNER)
    assert again.value.code == "ORGANISATION_DISSOLVED"


def test_municipalities_are_served_from_the_reference_data(service):
    listed = service.list_municipalities()

    assert len(listed) == 49
    assert {"code": "1480", "name": "Göteborg", "sub_region": "goteborgsregionen"} in listed
