"""Use cases of the registry: each takes a unit of work and plain values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from samverkan_common.errors import Conflict, Forbidden, NotFound
from samverkan_common.persons import PERSON_ERASED, email_digest, normalised_email

from ..domain.model import (
    DEFAULT_PER_PAGE,
    Actor,
    ContactPerson,
    LegalBasis,
    Membership,
    Organisation,
    OrganisationKind,
    Signature,
    check_new_membership,
    check_new_signature,
    may_see_persons,
    organisation_number_taken,
    require_editor,
    require_operator,
    stale_version,
)
from ..domain.search import SearchQuery


class OrganisationStore(Protocol):
    def add(self, organisation: Organisation) -> None: ...
    def update(self, organisation: Organisation, expected_version: int) -> None: ...
    def get(self, organisation_id: str) -> Organisation | None: ...
    def by_organisation_number(self, number: str) -> Organisation | None: ...
    def page(self, offset: int, limit: int) -> list[Organisation]: ...
    def count(self) -> int: ...
    def search(self, query: SearchQuery, today: date) -> tuple[list[Organisation], int]: ...
    def after(self, after_id: str | None, limit: int) -> list[Organisation]: ...


class SignatureStore(Protocol):
    def add(self, signature: Signature) -> None: ...
    def save(self, signature: Signature) -> None: ...
    def of(self, organisation_id: str) -> list[Signature]: ...


class MembershipStore(Protocol):
    def add(self, membership: Membership) -> None: ...
    def save(self, membership: Membership) -> None: ...
    def get(self, membership_id: str) -> Membership | None: ...
    def of(self, organisation_id: str) -> list[Membership]: ...


class PersonStore(Protocol):
    def add(self, person: ContactPerson) -> None: ...
    def of(self, organisation_id: str) -> list[ContactPerson]: ...
    def find(self, person_id: str | None = None, email: str | None = None) -> list[ContactPerson]: ...
    def erase(self, person: ContactPerson, erased_at: Any) -> None: ...
    def erasures_of(self, organisation_id: str) -> list[dict[str, Any]]: ...


class MunicipalityStore(Protocol):
    def all(self) -> list[dict[str, Any]]: ...


class RegistryUow(Protocol):
    @property
    def organisations(self) -> OrganisationStore: ...
    @property
    def signatures(self) -> SignatureStore: ...
    @property
    def memberships(self) -> MembershipStore: ...
    @property
    def persons(self) -> PersonStore: ...
    @property
    def municipalities(self) -> MunicipalityStore: ...
    def emit(self, type_: str, data: dict[str, Any], version: int = 1) -> object: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class Page:
    items: list[Organisation]
    page: int
    per_page: int
    total: int


def today() -> date:
    """The register's day; Sweden's calendar day would differ only around midnight UTC."""
    return datetime.now(UTC).date()


def register_organisation(
    uow: RegistryUow,
    *,
    name: str,
    kind: OrganisationKind,
    municipality_code: str,
    organisation_number: str | None = None,
    description: str = "",
    website: str = "",
    contact_email: str = "",
    other_names: list[str] | None = None,
    areas: list[Any] | None = None,
    tags: list[str] | None = None,
    founded_year: int | None = None,
) -> Organisation:
    organisation = Organisation(
        name=name,
        kind=kind,
        municipality_code=municipality_code,
        organisation_number=organisation_number,
        description=description,
        website=website,
        contact_email=contact_email,
        other_names=list(other_names or []),
        areas=list(areas or []),
        tags=list(tags or []),
        founded_year=founded_year,
    )
    number = organisation.organisation_number
    if number is not None and uow.organisations.by_organisation_number(number) is not None:
        raise organisation_number_taken(number)
    uow.organisations.add(organisation)
    uow.emit("organisation_registered", organisation.event_data())
    uow.commit()
    return organisation


def get_organisation(uow: RegistryUow, organisation_id: str) -> Organisation:
    organisation = uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound(f"There is no organisation {organisation_id!r}.", "ORGANISATION_NOT_FOUND")
    return organisation


def update_organisation(
    uow: RegistryUow, actor: Actor, organisation_id: str, version: int, changes: dict[str, Any]
) -> Organisation:
    """Apply ``changes`` to the organisation as it was at ``version``; a stale version is a Conflict."""
    require_editor(actor, organisation_id)
    current = get_organisation(uow, organisation_id)
    if current.version != version:
        # Checked again inside the UPDATE; this early answer only saves work.
        raise stale_version(organisation_id, version, current.version)
    updated, changed = current.changed_by(changes)
    if not changed:
        return current
    number = updated.organisation_number
    if "organisation_number" in changed and number is not None:
        holder = uow.organisations.by_organisation_number(number)
        if holder is not None and holder.id != organisation_id:
            raise organisation_number_taken(number)
    uow.organisations.update(updated, expected_version=version)
    uow.emit("organisation_updated", {**updated.event_data(), "changes": changed})
    uow.commit()
    return updated


def dissolve_organisation(uow: RegistryUow, actor: Actor, organisation_id: str, version: int) -> Organisation:
    """Mark the organisation dissolved: it stays in the register, with its history."""
    require_editor(actor, organisation_id)
    current = get_organisation(uow, organisation_id)
    dissolved = current.dissolved()
    uow.organisations.update(dissolved, expected_version=version)
    uow.emit("organisation_dissolved", dissolved.event_data())
    uow.commit()
    return dissolved


def list_organisations(uow: RegistryUow, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of organisations in name order, and how many there are in all."""
    items = uow.organisations.page(offset=(page - 1) * per_page, limit=per_page)
    return Page(items=items, page=page, per_page=per_page, total=uow.organisations.count())


def search_organisations(uow: RegistryUow, query: SearchQuery) -> Page:
    """Organisations matching ``query``: best text match first (else by name), a page at a time."""
    items, total = uow.organisations.search(query, today())
    return Page(items=items, page=query.page, per_page=query.per_page, total=total)


def export_after(uow: RegistryUow, after_id: str | None, limit: int) -> list[Organisation]:
    """The next ``limit`` organisations in id order after ``after_id``: an export walks the register with this."""
    return uow.organisations.after(after_id, limit)


def list_municipalities(uow: RegistryUow) -> list[dict[str, Any]]:
    return uow.municipalities.all()


# --- signatories -------------------------------------------------------------------------------


def sign(uow: RegistryUow, actor: Actor, organisation_id: str, signed_on: date) -> Signature:
    require_editor(actor, organisation_id)
    organisation = get_organisation(uow, organisation_id)
    signature = check_new_signature(organisation, uow.signatures.of(organisation_id), signed_on)
    uow.signatures.add(signature)
    uow.emit("organisation_signed", {**organisation.event_data(), "signed_on": signed_on.isoformat()})
    uow.commit()
    return signature


def withdraw(uow: RegistryUow, actor: Actor, organisation_id: str, withdrawn_on: date) -> Signature:
    require_editor(actor, organisation_id)
    organisation = get_organisation(uow, organisation_id)
    open_periods = [s for s in uow.signatures.of(organisation_id) if s.withdrawn_on is None]
    if not open_periods:
        raise Conflict("The organisation is not a signatory.", "NOT_A_SIGNATORY")
    signature = open_periods[0]
    signature.withdraw(withdrawn_on)
    uow.signatures.save(signature)
    uow.emit(
        "organisation_withdrew",
        {
            **organisation.event_data(),
            "signed_on": signature.signed_on.isoformat(),
            "withdrawn_on": withdrawn_on.isoformat(),
        },
    )
    uow.commit()
    return signature


def signatures_of(uow: RegistryUow, organisation_id: str) -> list[Signature]:
    get_organisation(uow, organisation_id)
    return uow.signatures.of(organisation_id)


# --- forum memberships -------------------------------------------------------------------------


def add_membership(uow: RegistryUow, actor: Actor, organisation_id: str, **values: Any) -> Membership:
    if not actor.is_staff:
        raise Forbidden("Only planners and operators seat organisations in forums.", "STAFF_ONLY")
    organisation = get_organisation(uow, organisation_id)
    membership = Membership(organisation_id=organisation_id, **values)
    check_new_membership(organisation, uow.memberships.of(organisation_id), membership)
    uow.memberships.add(membership)
    uow.emit("membership_changed", membership.event_data(today()))
    uow.commit()
    return membership


def end_membership(uow: RegistryUow, actor: Actor, membership_id: str, ends_on: date) -> Membership:
    if not actor.is_staff:
        raise Forbidden("Only planners and operators seat organisations in forums.", "STAFF_ONLY")
    membership = uow.memberships.get(membership_id)
    if membership is None:
        raise NotFound(f"There is no membership {membership_id!r}.", "MEMBERSHIP_NOT_FOUND")
    membership.end(ends_on)
    uow.memberships.save(membership)
    uow.emit("membership_changed", membership.event_data(today()))
    uow.commit()
    return membership


def memberships_of(uow: RegistryUow, organisation_id: str) -> list[Membership]:
    get_organisation(uow, organisation_id)
    return uow.memberships.of(organisation_id)


# --- contact persons ---------------------------------------------------------------------------


def add_contact_person(
    uow: RegistryUow,
    actor: Actor,
    organisation_id: str,
    *,
    name: str,
    legal_basis: LegalBasis,
    email: str = "",
    phone: str = "",
    role: str = "",
    consent_given_on: date | None = None,
) -> ContactPerson:
    require_editor(actor, organisation_id)
    get_organisation(uow, organisation_id)
    person = ContactPerson(
        organisation_id=organisation_id,
        name=name,
        legal_basis=legal_basis,
        email=email,
        phone=phone,
        role=role,
        consent_given_on=consent_given_on,
    )
    uow.persons.add(person)
    # No event: personal data stays in the register and never travels on the bus.
    uow.commit()
    return person


def contact_persons(uow: RegistryUow, actor: Actor, organisation_id: str) -> list[ContactPerson]:
    if not may_see_persons(actor, organisation_id):
        raise Forbidden(
            "Contact persons are shown only to the organisation itself, planners and operators.",
            "PERSONS_NOT_VISIBLE",
        )
    get_organisation(uow, organisation_id)
    return uow.persons.of(organisation_id)


@dataclass(frozen=True)
class PersonExport:
    """Everything the register holds about one person (GDPR art. 15)."""

    records: list[tuple[ContactPerson, Organisation]]


def export_person(
    uow: RegistryUow, actor: Actor, person_id: str | None = None, email: str | None = None
) -> PersonExport:
    require_operator(actor)
    found = uow.persons.find(person_id=person_id, email=email)
    if not found:
        raise NotFound("The register holds nothing about this person.", "PERSON_NOT_FOUND")
    return PersonExport([(person, get_organisation(uow, person.organisation_id)) for person in found])


def erase_person(uow: RegistryUow, actor: Actor, person_id: str | None = None, email: str | None = None) -> int:
    """Erase every record of a person (GDPR art. 17); the organisations and their history stay.

    Other services hold the person's address too (e-mail subscriptions, registrations): one
    ``person_erased`` per address, in this transaction, tells them to forget it. It carries the
    address's SHA-256 (:func:`samverkan_common.persons.email_digest`), never the address. An
    erasure asked for by address goes out even when the register itself holds nothing: the
    person may only have subscribed or registered.
    """
    require_operator(actor)
    found = uow.persons.find(person_id=person_id, email=email)
    addresses = {normalised_email(person.email) for person in found if person.email.strip()}
    if email and email.strip():
        addresses.add(normalised_email(email))
    if not found and not addresses:
        raise NotFound("The register holds nothing about this person.", "PERSON_NOT_FOUND")
    erased_at = datetime.now(UTC)
    for person in found:
        uow.persons.erase(person, erased_at)
    erasure_id = str(uuid.uuid4())
    for address in sorted(addresses):
        uow.emit(
            PERSON_ERASED,
            {"erasure_id": erasure_id, "email_sha256": email_digest(address), "erased_at": erased_at.isoformat()},
        )
    uow.commit()
    return len(found)
