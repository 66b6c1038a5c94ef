"""The registry database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    event,
    insert,
)

from samverkan_common.db import UTCDateTime, service_metadata

from ..domain.municipalities import MUNICIPALITIES
from . import search

metadata = service_metadata()

municipalities = Table(
    "municipalities",
    metadata,
    Column("code", String(4), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("sub_region", String(30), nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    # Unique where given; many small groups have none, and NULLs never collide.
    Column("organisation_number", String(11), nullable=True, unique=True),
    Column("municipality_code", String(4), ForeignKey("municipalities.code"), nullable=False, index=True),
    Column("description", Text, nullable=False, default=""),
    Column("website", String(500), nullable=False, default=""),
    Column("contact_email", String(254), nullable=False, default=""),
    Column("other_names", JSON, nullable=False, default=list),
    Column("tags", JSON, nullable=False, default=list),
    Column("founded_year", Integer, nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Everything a search should find, in one text: names, tags, areas, municipality, description.
    # The database's own full-text index is built from it (see search.py).
    Column("search_text", Text, nullable=False, default=""),
)

# The fixed areas of interest, one row each, so a filter on an area uses an index.
organisation_areas = Table(
    "organisation_areas",
    metadata,
    Column("organisation_id", String(36), ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("area", String(30), primary_key=True),
    Index("ix_organisation_areas_area", "area", "organisation_id"),
)

signatures = Table(
    "signatures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("signed_on", Date, nullable=False),
    # Null while the organisation is a signatory; the first day it no longer is.
    Column("withdrawn_on", Date, nullable=True),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("forum_slug", String(100), nullable=False, index=True),
    Column("role", String(30), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
)

contact_persons = Table(
    "contact_persons",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False, default="", index=True),
    Column("phone", String(40), nullable=False, default=""),
    Column("role", String(100), nullable=False, default=""),
    Column("legal_basis", String(30), nullable=False),
    Column("consent_given_on", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What is left of an erased person: that someone was erased, when, from which organisation. No personal data.
person_erasures = Table(
    "person_erasures",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("erased_at", UTCDateTime, nullable=False),
)

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    # receiving -> queued -> running -> finished | failed
    Column("status", String(20), nullable=False, index=True),
    Column("filename", String(255), nullable=False, default=""),
    Column("chunks_expected", Integer, nullable=False),
    Column("rows_total", Integer, nullable=True),
    Column("rows_done", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    # Written with every batch; a running job whose worker stopped writing is taken up by another.
    Column("heartbeat_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
)

import_chunks = Table(
    "import_chunks",
    metadata,
    Column("job_id", String(36), ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

import_errors = Table(
    "import_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(36), ForeignKey("import_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("field", String(100), nullable=False, default=""),
    Column("message", Text, nullable=False),
    Index("ix_import_errors_job_id_line", "job_id", "line"),
)


def municipality_rows() -> list[dict[str, str]]:
    """The reference rows of the municipalities table, from the domain's list."""
    return [{"code": m.code, "name": m.name, "sub_region": m.sub_region.value} for m in MUNICIPALITIES]


for _statement in search.CREATE_SQLITE:
    event.listen(organisations, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in search.CREATE_POSTGRESQL:
    event.listen(organisations, "after_create", DDL(_statement).execute_if(dialect="postgresql"))


@event.listens_for(municipalities, "after_create")
def _seed_municipalities(target: Table, connection: Any, **_: Any) -> None:
    # For metadata.create_all (tests); deployed databases are seeded by the migration.
    connection.execute(insert(target), municipality_rows())
