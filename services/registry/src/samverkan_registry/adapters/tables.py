"""The registry database: its tables beside the shared outbox and processed_events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, event, insert

from samverkan_common.db import UTCDateTime, service_metadata

from ..domain.municipalities import MUNICIPALITIES

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
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


def municipality_rows() -> list[dict[str, str]]:
    """The reference rows of the municipalities table, from the domain's list."""
    return [{"code": m.code, "name": m.name, "sub_region": m.sub_region.value} for m in MUNICIPALITIES]


@event.listens_for(municipalities, "after_create")
def _seed_municipalities(target: Table, connection: Any, **_: Any) -> None:
    # For metadata.create_all (tests); deployed databases are seeded by the migration.
    connection.execute(insert(target), municipality_rows())
