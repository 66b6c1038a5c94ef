"""SQLAlchemy repository and the registry unit of work."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork

from ..domain.model import Organisation, OrganisationKind, OrganisationStatus, organisation_number_taken
from .tables import metadata, organisations


class OrganisationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, organisation: Organisation) -> None:
        try:
            self.session.execute(insert(organisations).values(**asdict(organisation)))
        except IntegrityError as error:
            # Two registrations of one number at once: the second loses here, not in a check.
            self.session.rollback()
            if "organisation_number" in str(error.orig):
                raise organisation_number_taken(str(organisation.organisation_number)) from None
            raise

    def get(self, organisation_id: str) -> Organisation | None:
        row = self.session.execute(select(organisations).where(organisations.c.id == organisation_id)).first()
        return _organisation(row._mapping) if row else None

    def by_organisation_number(self, number: str) -> Organisation | None:
        row = self.session.execute(select(organisations).where(organisations.c.organisation_number == number)).first()
        return _organisation(row._mapping) if row else None

    def page(self, offset: int, limit: int) -> list[Organisation]:
        # The id breaks ties between equal names, so no row shows on two pages.
        rows = self.session.execute(
            select(organisations).order_by(organisations.c.name, organisations.c.id).offset(offset).limit(limit)
        ).all()
        return [_organisation(row._mapping) for row in rows]

    def count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(organisations)).scalar_one())


def _organisation(values: Any) -> Organisation:
    fields = dict(values)
    fields["kind"] = OrganisationKind(fields["kind"])
    fields["status"] = OrganisationStatus(fields["status"])
    return Organisation(**fields)


class RegistryUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def organisations(self) -> OrganisationRepository:
        return OrganisationRepository(self.session)
