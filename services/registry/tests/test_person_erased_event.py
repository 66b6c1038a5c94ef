"""An erasure reaches the other services: one person_erased per address, with its SHA-256, never the address."""

import hashlib
import json

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from samverkan_common.errors import Forbidden, NotFound
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.entrypoints.service import RegistryService

PLANNER = {"role": "planner"}
OPERATOR = {"role": "operator"}
ANNA = {
    "name": "Anna Andersson",
    "email": "Anna.Andersson@example.org",
    "legal_basis": "consent",
    "consent_given_on": "2026-01-15",
}
ANNA_SHA256 = hashlib.sha256(b"anna.andersson@example.org").hexdigest()


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


@pytest.fixture
def choir(service):
    return service.register_organisation({"name": "Kören", "kind": "ideell_forening", "municipality_code": "1480"})


def erasures(uow):
    outbox = uow.metadata.tables["outbox"]
    rows = uow.session.execute(select(outbox.c.envelope).where(outbox.c.type == "person_erased")).all()
    return [json.loads(row.envelope) for row in rows]


def test_erasure_announces_the_hash_of_the_normalised_address_in_the_same_transaction(service, choir):
    service.add_contact_person(choir["id"], ANNA, PLANNER)

    service.erase_person({"email": "ANNA.andersson@Example.org"}, OPERATOR)

    [event] = erasures(service.uow)
    assert event["data"]["email_sha256"] == ANNA_SHA256
    assert set(event["data"]) == {"erasure_id", "email_sha256", "erased_at"}
    assert "anna" not in json.dumps(event).lower()


def test_erasure_by_person_id_announces_the_address_the_register_held(service, choir):
    anna = service.add_contact_person(choir["id"], ANNA, PLANNER)

    assert service.erase_person({"person_id": anna["id"]}, OPERATOR) == {"erased": 1}

    assert [event["data"]["email_sha256"] for event in erasures(service.uow)] == [ANNA_SHA256]


def test_erasure_by_address_reaches_other_services_when_the_register_holds_nothing(service):
    # A person who only subscribed to e-mail or registered for a meeting is not a contact person.
    assert service.erase_person({"email": "only.subscribed@example.org"}, OPERATOR) == {"erased": 0}

    [event] = erasures(service.uow)
    assert event["data"]["email_sha256"] == hashlib.sha256(b"only.subscribed@example.org").hexdigest()


def test_unknown_person_id_is_not_found_and_announces_nothing(service):
    with pytest.raises(NotFound):
        service.erase_person({"person_id": "no-such-person"}, OPERATOR)
    assert erasures(service.uow) == []


def test_a_refused_erasure_announces_nothing(service, choir):
    service.add_contact_person(choir["id"], ANNA, PLANNER)
    with pytest.raises(Forbidden):
        service.erase_person({"email": ANNA["email"]}, PLANNER)
    assert erasures(service.uow) == []
