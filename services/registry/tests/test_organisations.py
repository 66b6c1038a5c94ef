import json

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Invalid, NotFound
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.domain.model import Organisation, OrganisationKind
from samverkan_registry.entrypoints.service import RegistryService

ORGANISATION = {
    "name": "Föreningen Exempel",
    "kind": "ideell_forening",
    "organisation_number": "8020024280",
    "municipality_code": "1480",
    "description": "En ideell förening i Göteborg.",
    "website": "https://example.org",
    "contact_email": "info@example.org",
}


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


def outbox(uow):
    return uow.session.execute(uow.metadata.tables["outbox"].select()).all()


def test_registered_organisation_is_committed_with_its_event(service):
    registered = service.register_organisation(ORGANISATION)

    fetched = service.get_organisation(registered["id"])
    assert fetched == registered
    assert fetched["organisation_number"] == "802002-4280"
    assert (fetched["status"], fetched["version"]) == ("active", 1)
    [event] = outbox(service.uow)
    assert event.type == "organisation_registered"


def test_organisation_registered_event_carries_what_subscribers_need(service):
    registered = service.register_organisation(ORGANISATION)

    [row] = outbox(service.uow)
    data = json.loads(row.envelope)["data"]
    assert data == {
        "organisation_id": registered["id"],
        "name": "Föreningen Exempel",
        "kind": "ideell_forening",
        "municipality_code": "1480",
        "organisation_number": "802002-4280",
        "areas": [],
        "tags": [],
        "status": "active",
        "version": 1,
    }


def test_output_is_json_safe(service):
    registered = service.register_organisation(ORGANISATION)

    assert json.loads(json.dumps(registered)) == registered
    assert registered["created_at"].endswith("+00:00")


def test_unknown_organisation_is_not_found(service):
    with pytest.raises(NotFound) as missing:
        service.get_organisation("00000000-0000-0000-0000-000000000000")
    assert missing.value.code == "ORGANISATION_NOT_FOUND"


def test_organisation_number_is_registered_once_whichever_way_it_is_written(service):
    service.register_organisation(ORGANISATION)

    with pytest.raises(Conflict) as taken:
        service.register_organisation({**ORGANISATION, "name": "Annan", "organisation_number": "802002-4280"})

    assert taken.value.code == "ORGANISATION_EXISTS"
    assert set(taken.value.errors) == {"organisation_number"}
    assert len(outbox(service.uow)) == 1


def test_concurrent_registration_of_one_number_loses_at_the_database_as_a_conflict(service):
    # Both passed the handler's look-up; the unique constraint decides.
    service.uow.organisations.add(
        Organisation(
            name="Först",
            kind=OrganisationKind.STIFTELSE,
            municipality_code="1401",
            organisation_number="802002-4280",
        )
    )
    with pytest.raises(Conflict) as taken:
        service.uow.organisations.add(
            Organisation(
                name="Sist",
                kind=OrganisationKind.STIFTELSE,
                municipality_code="1401",
                organisation_number="802002-4280",
            )
        )
    assert taken.value.code == "ORGANISATION_EXISTS"


def test_many_organisations_may_have_no_number(service):
    for name in ("Nätverk A", "Nätverk B"):
        service.register_organisation(
            {"name": name, "kind": "natverk", "municipality_code": "1490", "organisation_number": ""}
        )

    listed = service.list_organisations()
    assert [item["organisation_number"] for item in listed["items"]] == [None, None]


def test_blank_optional_fields_count_as_not_given(service):
    registered = service.register_organisation(
        {
            "name": "Liten grupp",
            "kind": "other",
            "municipality_code": "1496",
            "organisation_number": "",
            "website": "",
            "contact_email": " ",
            "description": "",
        }
    )

    assert (registered["website"], registered["contact_email"]) == ("", "")


def test_list_is_paged_in_name_order_with_the_total(service):
    for name in ("Cirkeln", "Alfa", "Bryggan", "Eken", "Dalen"):
        service.register_organisation({"name": name, "kind": "ideell_forening", "municipality_code": "1488"})

    first = service.list_organisations(page=1, per_page=2)
    last = service.list_organisations(page=3, per_page=2)
    beyond = service.list_organisations(page=4, per_page=2)

    assert [item["name"] for item in first["items"]] == ["Alfa", "Bryggan"]
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert [item["name"] for item in last["items"]] == ["Eken"]
    assert beyond["items"] == []
    assert beyond["total"] == 5


def test_list_defaults_to_twenty_per_page(service):
    listed = service.list_organisations()
    assert (listed["page"], listed["per_page"], listed["total"], listed["items"]) == (1, 20, 0, [])


@pytest.mark.parametrize(
    ("page", "per_page", "field"),
    [(0, 20, "page"), (1, 0, "per_page"), (1, 101, "per_page"), ("2", 20, "page")],
)
def test_paging_out_of_bounds_is_refused_naming_the_field(service, page, per_page, field):
    with pytest.raises(Invalid) as refused:
        service.list_organisations(page=page, per_page=per_page)
    assert set(refused.value.errors) == {field}


def test_hundred_per_page_is_the_most_allowed(service):
    assert service.list_organisations(per_page=100)["per_page"] == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "company"}, "kind"),
        ({"website": "not a url"}, "website"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"description": "x" * 5001}, "description"),
        ({"colour": "red"}, "colour"),
        ({"municipality_code": "0180"}, "municipality_code"),
        ({"organisation_number": "802002-4281"}, "organisation_number"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(service, change, field):
    with pytest.raises(Invalid) as refused:
        service.register_organisation({**ORGANISATION, **change})

    assert set(refused.value.errors) == {field}
    assert outbox(service.uow) == []
    assert service.list_organisations()["total"] == 0


def test_missing_required_fields_are_named(service):
    with pytest.raises(Invalid) as refused:
        service.register_organisation({})
    assert set(refused.value.errors) == {"name", "kind", "municipality_code"}
    assert refused.value.code == "INVALID_INPUT"


def test_invalid_organisation_number_keeps_its_own_code_over_rpc(service):
    with pytest.raises(Invalid) as refused:
        service.register_organisation({**ORGANISATION, "organisation_number": "811212-1234"})
    assert refused.value.code == "ORGANISATION_NUMBER_INVALID"


def test_health_reports_the_database(service):
    assert service.health() == {"name": "registry", "version": "0.1.0", "database_reachable": True}


def test_a_write_undone_before_commit_leaves_nothing_even_on_sqlite(service):
    # sqlite3 opens no transaction before a read; a savepoint must not commit on its own.
    uow = service.uow
    assert uow.organisations.by_organisation_number("802002-4280") is None
    uow.organisations.add(
        Organisation(
            name="Ångrad", kind=OrganisationKind.OTHER, municipality_code="1480", organisation_number="8020024280"
        )
    )

    uow.rollback()

    assert uow.organisations.count() == 0
