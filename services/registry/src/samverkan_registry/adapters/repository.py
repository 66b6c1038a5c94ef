"""SQLAlchemy repositories and the registry unit of work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import JSON, Select, Table, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork

from ..domain.model import (
    Area,
    ContactPerson,
    ForumRole,
    LegalBasis,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Signature,
    organisation_number_taken,
    stale_version,
)
from ..domain.search import SearchQuery
from . import search
from .tables import (
    contact_persons,
    import_chunks,
    import_errors,
    import_jobs,
    memberships,
    metadata,
    municipalities,
    organisation_areas,
    organisations,
    person_erasures,
    signatures,
)


def savepoint(session: Session) -> Any:
    """``session.begin_nested()``, inside a transaction that is really open on SQLite too.

    Python's sqlite3 opens a transaction only before a write; a SAVEPOINT issued before any
    write would start one of its own, and its RELEASE would commit everything so far. So on
    SQLite the transaction is begun first, explicitly.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    return session.begin_nested()


_ORGANISATION_COLUMNS = [c for c in organisations.c if c.name not in ("search_text",)]


class OrganisationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, organisation: Organisation) -> None:
        values = _row(organisation)
        try:
            with savepoint(self.session):
                self.session.execute(insert(organisations).values(**values))
        except IntegrityError as error:
            # Two registrations of one number at once: the second loses here, not in a check.
            if "organisation_number" in str(error.orig):
                raise organisation_number_taken(str(organisation.organisation_number)) from None
            raise
        self._write_areas(organisation)

    def add_many(self, many: list[Organisation]) -> None:
        """Insert ``many`` in one statement per table; Conflict (and nothing written) if a number is taken."""
        try:
            with savepoint(self.session):
                _insert_many(self.session, organisations, [_row(organisation) for organisation in many])
                areas = [{"organisation_id": o.id, "area": area.value} for o in many for area in o.areas]
                if areas:
                    _insert_many(self.session, organisation_areas, areas)
        except IntegrityError as error:
            if "organisation_number" in str(error.orig):
                raise organisation_number_taken("of a row") from None
            raise

    def update(self, organisation: Organisation, expected_version: int) -> None:
        """Store ``organisation`` if the stored one is still at ``expected_version``, else Conflict.

        The version check is part of the UPDATE itself, so of two writers that read the same
        version exactly one succeeds, whatever the database's isolation level.
        """
        values = _row(organisation)
        del values["id"], values["created_at"]
        try:
            with savepoint(self.session):
                result = self.session.execute(
                    update(organisations)
                    .where(organisations.c.id == organisation.id, organisations.c.version == expected_version)
                    .values(**values)
                )
        except IntegrityError as error:
            if "organisation_number" in str(error.orig):
                raise organisation_number_taken(str(organisation.organisation_number)) from None
            raise
        if result.rowcount != 1:  # type: ignore[attr-defined]
            current = self.session.execute(
                select(organisations.c.version).where(organisations.c.id == organisation.id)
            ).scalar_one_or_none()
            raise stale_version(organisation.id, expected_version, current)
        self.session.execute(delete(organisation_areas).where(organisation_areas.c.organisation_id == organisation.id))
        self._write_areas(organisation)

    def get(self, organisation_id: str) -> Organisation | None:
        row = self.session.execute(select(*_ORGANISATION_COLUMNS).where(organisations.c.id == organisation_id)).first()
        return self._with_areas([row._mapping])[0] if row else None

    def by_organisation_number(self, number: str) -> Organisation | None:
        row = self.session.execute(
            select(*_ORGANISATION_COLUMNS).where(organisations.c.organisation_number == number)
        ).first()
        return self._with_areas([row._mapping])[0] if row else None

    def by_numbers(self, numbers: list[str]) -> dict[str, Organisation]:
        """The organisations with these numbers, by number (for an import batch)."""
        if not numbers:
            return {}
        rows = self.session.execute(
            select(*_ORGANISATION_COLUMNS).where(organisations.c.organisation_number.in_(numbers))
        ).all()
        found = self._with_areas([row._mapping for row in rows])
        return {str(o.organisation_number): o for o in found}

    def without_number_named(self, names: list[tuple[str, str]]) -> dict[tuple[str, str], Organisation]:
        """Organisations without a number, by (name, municipality code): how an import recognises them."""
        if not names:
            return {}
        rows = self.session.execute(
            select(*_ORGANISATION_COLUMNS).where(
                organisations.c.organisation_number.is_(None), organisations.c.name.in_({name for name, _ in names})
            )
        ).all()
        found = self._with_areas([row._mapping for row in rows])
        return {(o.name, o.municipality_code): o for o in found}

    def page(self, offset: int, limit: int) -> list[Organisation]:
        # The id breaks ties between equal names, so no row shows on two pages.
        rows = self.session.execute(
            select(*_ORGANISATION_COLUMNS)
            .order_by(organisations.c.name, organisations.c.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return self._with_areas([row._mapping for row in rows])

    def count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(organisations)).scalar_one())

    def search(self, query: SearchQuery, today: date) -> tuple[list[Organisation], int]:
        """One page of the organisations matching ``query``, best match first, and how many match in all."""
        statement: Select[Any] = select(*_ORGANISATION_COLUMNS)
        statement = statement.where(*self._filters(query, today))
        order = []
        words = search.terms(query.q or "")
        if words:
            statement, rank = search.with_text_search(self._dialect, statement, words)
            order.append(rank)
        # Counted over the id alone, so the database need not read the rest of each matching row.
        counted = statement.with_only_columns(organisations.c.id).subquery()
        total = int(self.session.execute(select(func.count()).select_from(counted)).scalar_one())
        rows = self.session.execute(
            statement.order_by(*order, organisations.c.name, organisations.c.id)
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        ).all()
        return self._with_areas([row._mapping for row in rows]), total

    def after(self, after_id: str | None, limit: int) -> list[Organisation]:
        """Up to ``limit`` organisations in id order after ``after_id``: an export walks the table with this."""
        statement = select(*_ORGANISATION_COLUMNS).order_by(organisations.c.id).limit(limit)
        if after_id is not None:
            statement = statement.where(organisations.c.id > after_id)
        return self._with_areas([row._mapping for row in self.session.execute(statement).all()])

    def _filters(self, query: SearchQuery, today: date) -> list[Any]:
        o = organisations
        conditions: list[Any] = []
        if query.municipality:
            conditions.append(o.c.municipality_code == query.municipality)
        if query.subregion:
            conditions.append(
                o.c.municipality_code.in_(
                    select(municipalities.c.code).where(municipalities.c.sub_region == query.subregion)
                )
            )
        if query.kind:
            conditions.append(o.c.kind == query.kind.value)
        if query.status:
            conditions.append(o.c.status == query.status.value)
        if query.area:
            conditions.append(
                exists().where(organisation_areas.c.organisation_id == o.c.id, organisation_areas.c.area == query.area)
            )
        if query.forum:
            conditions.append(
                exists().where(
                    memberships.c.organisation_id == o.c.id,
                    memberships.c.forum_slug == query.forum,
                    memberships.c.starts_on <= today,
                    or_(memberships.c.ends_on.is_(None), memberships.c.ends_on >= today),
                )
            )
        if query.signatory is not None or query.signatory_on is not None:
            day = query.signatory_on or today
            signed = exists().where(
                signatures.c.organisation_id == o.c.id,
                signatures.c.signed_on <= day,
                or_(signatures.c.withdrawn_on.is_(None), signatures.c.withdrawn_on > day),
            )
            conditions.append(~signed if query.signatory is False else signed)
        return conditions

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _write_areas(self, organisation: Organisation) -> None:
        if organisation.areas:
            self.session.execute(
                insert(organisation_areas),
                [{"organisation_id": organisation.id, "area": area.value} for area in organisation.areas],
            )

    def _with_areas(self, rows: list[Any]) -> list[Organisation]:
        ids = [row["id"] for row in rows]
        areas: dict[str, list[Area]] = {}
        if ids:
            for organisation_id, area in self.session.execute(
                select(organisation_areas.c.organisation_id, organisation_areas.c.area).where(
                    organisation_areas.c.organisation_id.in_(ids)
                )
            ):
                areas.setdefault(organisation_id, []).append(Area(area))
        return [_organisation(row, areas.get(row["id"], [])) for row in rows]


def _row(organisation: Organisation) -> dict[str, Any]:
    """The organisation as a row of ``organisations`` (its areas are rows of their own).

    Written out field by field: ``dataclasses.asdict`` deep-copies every value and was the
    largest single cost of an import (profiled: an eighth of the registry's time).
    """
    o = organisation
    return {
        "id": o.id,
        "name": o.name,
        "kind": o.kind.value,
        "organisation_number": o.organisation_number,
        "municipality_code": o.municipality_code,
        "description": o.description,
        "website": o.website,
        "contact_email": o.contact_email,
        "other_names": list(o.other_names),
        "tags": list(o.tags),
        "founded_year": o.founded_year,
        "status": o.status.value,
        "version": o.version,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "search_text": search.search_text(o),
    }


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) in one statement.

    On PostgreSQL as ``INSERT ... SELECT FROM unnest(<one array per column>)``: a few parameters
    instead of one per cell, which costs the client and the server much less than a long VALUES
    list (profiled on the 43,000-row import: about half the client CPU of an executemany, and a
    plan that does not grow with the rows). COPY would be cheaper still, but psycopg2 refuses
    COPY under the green wait callback the services run with. Elsewhere a plain executemany.
    """
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    as_json = [isinstance(column.type, JSON) for column in columns]
    arrays = ", ".join(
        f"CAST(:c{i} AS {'TEXT' if json_ else column.type.compile(dialect)}[])"
        for i, (column, json_) in enumerate(zip(columns, as_json, strict=True))
    )
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    selected = ", ".join(f"CAST(u.c{i} AS JSON)" if json_ else f"u.c{i}" for i, json_ in enumerate(as_json))
    statement = text(
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)})"
        f" SELECT {selected} FROM unnest({arrays}) AS u({aliases})"
    )
    session.execute(
        statement,
        {
            f"c{i}": [json.dumps(row[name]) if json_ else row[name] for row in rows]
            for i, (name, json_) in enumerate(zip(names, as_json, strict=True))
        },
    )


def _organisation(values: Any, areas: list[Area]) -> Organisation:
    fields = dict(values)
    fields["kind"] = OrganisationKind(fields["kind"])
    fields["status"] = OrganisationStatus(fields["status"])
    fields["other_names"] = list(fields["other_names"] or [])
    fields["tags"] = list(fields["tags"] or [])
    return Organisation(**fields, areas=areas)


class SignatureRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, signature: Signature) -> None:
        self.session.execute(insert(signatures).values(**asdict(signature)))

    def save(self, signature: Signature) -> None:
        self.session.execute(
            update(signatures).where(signatures.c.id == signature.id).values(withdrawn_on=signature.withdrawn_on)
        )

    def of(self, organisation_id: str) -> list[Signature]:
        rows = self.session.execute(
            select(signatures).where(signatures.c.organisation_id == organisation_id).order_by(signatures.c.signed_on)
        ).all()
        return [Signature(**row._mapping) for row in rows]


class MembershipRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, membership: Membership) -> None:
        values = asdict(membership)
        values["role"] = membership.role.value
        self.session.execute(insert(memberships).values(**values))

    def save(self, membership: Membership) -> None:
        self.session.execute(
            update(memberships).where(memberships.c.id == membership.id).values(ends_on=membership.ends_on)
        )

    def get(self, membership_id: str) -> Membership | None:
        row = self.session.execute(select(memberships).where(memberships.c.id == membership_id)).first()
        return _membership(row._mapping) if row else None

    def of(self, organisation_id: str) -> list[Membership]:
        rows = self.session.execute(
            select(memberships)
            .where(memberships.c.organisation_id == organisation_id)
            .order_by(memberships.c.forum_slug, memberships.c.starts_on)
        ).all()
        return [_membership(row._mapping) for row in rows]


def _membership(values: Any) -> Membership:
    fields = dict(values)
    fields["role"] = ForumRole(fields["role"])
    return Membership(**fields)


class PersonRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, person: ContactPerson) -> None:
        values = asdict(person)
        values["legal_basis"] = person.legal_basis.value
        self.session.execute(insert(contact_persons).values(**values))

    def of(self, organisation_id: str) -> list[ContactPerson]:
        rows = self.session.execute(
            select(contact_persons)
            .where(contact_persons.c.organisation_id == organisation_id)
            .order_by(contact_persons.c.name, contact_persons.c.id)
        ).all()
        return [_person(row._mapping) for row in rows]

    def find(self, person_id: str | None = None, email: str | None = None) -> list[ContactPerson]:
        """Every record of one person: by id, or by e-mail address across organisations."""
        conditions = []
        if person_id:
            conditions.append(contact_persons.c.id == person_id)
        if email:
            conditions.append(contact_persons.c.email == email.strip().lower())
        if not conditions:
            return []
        rows = self.session.execute(select(contact_persons).where(or_(*conditions))).all()
        return [_person(row._mapping) for row in rows]

    def erase(self, person: ContactPerson, erased_at: Any) -> None:
        self.session.execute(delete(contact_persons).where(contact_persons.c.id == person.id))
        self.session.execute(
            insert(person_erasures).values(
                person_id=person.id, organisation_id=person.organisation_id, erased_at=erased_at
            )
        )

    def erasures_of(self, organisation_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(person_erasures)
            .where(person_erasures.c.organisation_id == organisation_id)
            .order_by(person_erasures.c.erased_at)
        ).all()
        return [dict(row._mapping) for row in rows]


def _person(values: Any) -> ContactPerson:
    fields = dict(values)
    fields["legal_basis"] = LegalBasis(fields["legal_basis"])
    return ContactPerson(**fields)


class MunicipalityRepository:
    def __init__(self, session: Session):
        self.session = session

    def all(self) -> list[dict[str, Any]]:
        rows = self.session.execute(select(municipalities).order_by(municipalities.c.name)).all()
        return [dict(row._mapping) for row in rows]


class JobRepository:
    """Import jobs: their state, the file they were given in chunks, and the problems found so far."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, job: dict[str, Any]) -> None:
        self.session.execute(insert(import_jobs).values(**job))

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(import_jobs).where(import_jobs.c.id == job_id)).first()
        return dict(row._mapping) if row else None

    def set(self, job_id: str, **values: Any) -> None:
        self.session.execute(update(import_jobs).where(import_jobs.c.id == job_id).values(**values))

    def add_chunk(self, job_id: str, position: int, content: bytes) -> None:
        self.session.execute(
            delete(import_chunks).where(import_chunks.c.job_id == job_id, import_chunks.c.position == position)
        )
        self.session.execute(insert(import_chunks).values(job_id=job_id, position=position, content=content))

    def chunk_count(self, job_id: str) -> int:
        return int(
            self.session.execute(
                select(func.count()).select_from(import_chunks).where(import_chunks.c.job_id == job_id)
            ).scalar_one()
        )

    def content(self, job_id: str) -> bytes:
        rows = self.session.execute(
            select(import_chunks.c.content).where(import_chunks.c.job_id == job_id).order_by(import_chunks.c.position)
        ).all()
        return b"".join(bytes(row.content) for row in rows)

    def drop_content(self, job_id: str) -> None:
        self.session.execute(delete(import_chunks).where(import_chunks.c.job_id == job_id))

    def claim(self, stale_before: Any, **values: Any) -> str | None:
        """Mark the oldest queued job, or a running one silent since ``stale_before``, running for this worker.

        The UPDATE repeats the condition, so of two workers that pick the same job only one gets it.
        """
        claimable = or_(
            import_jobs.c.status == "queued",
            (import_jobs.c.status == "running") & (import_jobs.c.heartbeat_at < stale_before),
        )
        candidate = self.session.execute(
            select(import_jobs.c.id).where(claimable).order_by(import_jobs.c.created_at).limit(1)
        ).scalar_one_or_none()
        if candidate is None:
            return None
        result = self.session.execute(
            update(import_jobs).where(import_jobs.c.id == candidate, claimable).values(status="running", **values)
        )
        return str(candidate) if result.rowcount == 1 else None  # type: ignore[attr-defined]

    def add_errors(self, job_id: str, errors: list[tuple[int, str, str]]) -> None:
        if errors:
            self.session.execute(
                insert(import_errors),
                [
                    {"job_id": job_id, "line": line, "field": field, "message": message}
                    for line, field, message in errors
                ],
            )

    def errors(self, job_id: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        where = import_errors.c.job_id == job_id
        rows = self.session.execute(
            select(import_errors.c.line, import_errors.c.field, import_errors.c.message)
            .where(where)
            .order_by(import_errors.c.line, import_errors.c.id)
            .limit(limit)
        ).all()
        total = self.session.execute(select(func.count()).select_from(import_errors).where(where)).scalar_one()
        return [dict(row._mapping) for row in rows], int(total)


class RegistryUnitOfWork(UnitOfWork):
    metadata = metadata

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that is undone alone if it fails (one row of an import)."""
        with savepoint(self.session):
            yield

    @property
    def jobs(self) -> JobRepository:
        return JobRepository(self.session)

    @property
    def organisations(self) -> OrganisationRepository:
        return OrganisationRepository(self.session)

    @property
    def signatures(self) -> SignatureRepository:
        return SignatureRepository(self.session)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.session)

    @property
    def persons(self) -> PersonRepository:
        return PersonRepository(self.session)

    @property
    def municipalities(self) -> MunicipalityRepository:
        return MunicipalityRepository(self.session)
