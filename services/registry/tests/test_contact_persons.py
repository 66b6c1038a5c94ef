"""Contact persons: who sees them, and a person's rights to see and erase what is held (GDPR art. 15, 17)."""

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import String, Text, select

from samverkan_common.errors import Forbidden, Invalid, NotFound
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.entrypoints.service import RegistryService

PLANNER = {"role": "planner"}
OPERATOR = {"role": "operator"}
ANNA = {
    "name": "Anna Andersson",
    "email": "Anna.Andersson@example.org",
    "phone": "+46 70 123 45 67",
    "role": "ordförande",
    "legal_basis": "consent",
    "consent_given_on": "2026-01-15",
}


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


@pytest.fixture
def organisations(service):
    return [
        service.register_organisation({"name": name, "kind": "ideell_forening", "municipality_code": "1480"})
        for name in ("Kören", "Läsecirkeln")
    ]


def everything_stored(uow):
    """Every text value in every table of the database, the outbox included."""
    values = []
    for table in uow.metadata.sorted_tables:
        text_columns = [c for c in table.c if isinstance(c.type, String | Text)]
        if text_columns:
            values += [str(v) for row in uow.session.execute(select(*text_columns)) for v in row if v]
    return " ".join(values)


def test_contact_persons_are_seen_by_the_organisation_planners_and_operators_only(service, organisations):
    choir, circle = organisations
    service.add_contact_person(choir["id"], ANNA, PLANNER)
    own = {"role": "organisation", "organisation_id": choir["id"]}
    other = {"role": "organisation", "organisation_id": circle["id"]}

    assert [p["name"] for p in service.contact_persons(choir["id"], own)] == ["Anna Andersson"]
    assert [p["name"] for p in service.contact_persons(choir["id"], PLANNER)] == ["Anna Andersson"]
    assert [p["name"] for p in service.contact_persons(choir["id"], OPERATOR)] == ["Anna Andersson"]
    for stranger in (other, None):
        with pytest.raises(Forbidden):
            service.contact_persons(choir["id"], stranger)


def test_the_public_organisation_shows_no_person(service, organisations):
    choir, _ = organisations
    service.add_contact_person(choir["id"], ANNA, PLANNER)

    public = str(service.get_organisation(choir["id"])) + str(service.search_organisations({"q": "anna"}))

    assert "Anna" not in public
    assert "example.org" not in public
    assert service.search_organisations({"q": "andersson"})["total"] == 0


def test_person_details_never_travel_as_events(service, organisations):
    service.add_contact_person(organisations[0]["id"], ANNA, PLANNER)
    outbox = service.uow.session.execute(service.uow.metadata.tables["outbox"].select()).all()
    assert "Andersson" not in str(outbox)


def test_consent_as_legal_basis_needs_the_day_it_was_given(service, organisations):
    with pytest.raises(Invalid) as refused:
        service.add_contact_person(organisations[0]["id"], {**ANNA, "consent_given_on": None}, PLANNER)
    assert set(refused.value.errors) == {"consent_given_on"}

    kept = service.add_contact_person(
        organisations[0]["id"], {"name": "Bo", "legal_basis": "legitimate_interest"}, PLANNER
    )
    assert kept["consent_given_on"] is None


def test_representative_adds_persons_to_its_own_organisation_only(service, organisations):
    choir, circle = organisations
    own = {"role": "organisation", "organisation_id": choir["id"]}
    service.add_contact_person(choir["id"], ANNA, own)
    with pytest.raises(Forbidden):
        service.add_contact_person(circle["id"], ANNA, own)


def test_export_gives_everything_held_about_the_person_across_organisations(service, organisations):
    choir, circle = organisations
    service.add_contact_person(choir["id"], ANNA, PLANNER)
    service.add_contact_person(circle["id"], {**ANNA, "role": "kassör"}, PLANNER)
    service.add_contact_person(circle["id"], {"name": "Bo", "legal_basis": "contract"}, PLANNER)

    exported = service.export_person({"email": "anna.andersson@example.org"}, OPERATOR)

    records = sorted(exported["records"], key=lambda r: r["organisation"]["name"])
    assert [(r["organisation"]["name"], r["person"]["role"]) for r in records] == [
        ("Kören", "ordförande"),
        ("Läsecirkeln", "kassör"),
    ]
    assert records[0]["person"]["legal_basis"] == "consent"
    assert records[0]["person"]["consent_given_on"] == "2026-01-15"
    assert records[0]["person"]["phone"] == "+46 70 123 45 67"


def test_erased_person_leaves_no_trace_and_the_organisation_keeps_its_history(service, organisations):
    choir, circle = organisations
    anna = service.add_contact_person(choir["id"], ANNA, PLANNER)
    service.add_contact_person(circle["id"], ANNA, PLANNER)
    service.add_contact_person(circle["id"], {"name": "Bo Berg", "legal_basis": "contract"}, PLANNER)
    service.sign(choir["id"], {"signed_on": "2020-01-01"}, PLANNER)
    assert "Andersson" in everything_stored(service.uow)  # the check below can see her

    assert service.erase_person({"email": "anna.andersson@example.org"}, OPERATOR) == {"erased": 2}

    stored = everything_stored(service.uow)
    for trace in ("Anna", "Andersson", "anna.andersson", "123 45 67", "ordförande"):
        assert trace not in stored
    assert service.contact_persons(choir["id"], PLANNER) == []
    assert [p["name"] for p in service.contact_persons(circle["id"], PLANNER)] == ["Bo Berg"]
    with pytest.raises(NotFound):
        service.export_person({"person_id": anna["id"]}, OPERATOR)
    # The organisation and its history stay.
    assert service.get_organisation(choir["id"])["name"] == "Kören"
    assert len(service.signatures(choir["id"])) == 1
    assert service.uow.persons.erasures_of(choir["id"])[0]["person_id"] == anna["id"]


def test_only_operators_export_or_erase(service, organisations):
    service.add_contact_person(organisations[0]["id"], ANNA, PLANNER)
    for method in (service.export_person, service.erase_person):
        with pytest.raises(Forbidden):
            method({"email": ANNA["email"]}, PLANNER)
    assert len(service.contact_persons(organisations[0]["id"], PLANNER)) == 1
