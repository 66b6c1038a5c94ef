"""Use cases of the registry: each takes a unit of work and plain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from samverkan_common.errors import NotFound

from ..domain.model import (
    DEFAULT_PER_PAGE,
    Organisation,
    OrganisationKind,
    organisation_number_taken,
)


class OrganisationStore(Protocol):
    def add(self, organisation: Organisation) -> None: ...
    def get(self, organisation_id: str) -> Organisation | None: ...
    def by_organisation_number(self, number: str) -> Organisation | None: ...
    def page(self, offset: int, limit: int) -> list[Organisation]: ...
    def count(self) -> int: ...


class RegistryUow(Protocol):
    @property
    def organisations(self) -> OrganisationStore: ...
    def emit(self, type_: str, data: dict[str, object], version: int = 1) -> object: ...
    def commit(self) -> None: ...


@dataclass(frozen=True)
class Page:
    items: list[Organisation]
    page: int
    per_page: int
    total: int


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
) -> Organisation:
    organisation = Organisation(
        name=name,
        kind=kind,
        municipality_code=municipality_code,
        organisation_number=organisation_number,
        description=description,
        website=website,
        contact_email=contact_email,
    )
    number = organisation.organisation_number
    if number is not None and uow.organisations.by_organisation_number(number) is not None:
        raise organisation_number_taken(number)
    uow.organisations.add(organisation)
    uow.emit(
        "organisation_registered",
        {
            "organisation_id": organisation.id,
            "name": organisation.name,
            "kind": organisation.kind.value,
            "municipality_code": organisation.municipality_code,
            "organisation_number": organisation.organisation_number,
        },
    )
    uow.commit()
    return organisation


def get_organisation(uow: RegistryUow, organisation_id: str) -> Organisation:
    organisation = uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound(f"There is no organisation {organisation_id!r}.", "ORGANISATION_NOT_FOUND")
    return organisation


def list_organisations(uow: RegistryUow, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of organisations in name order, and how many there are in all."""
    items = uow.organisations.page(offset=(page - 1) * per_page, limit=per_page)
    return Page(items=items, page=page, per_page=per_page, total=uow.organisations.count())
