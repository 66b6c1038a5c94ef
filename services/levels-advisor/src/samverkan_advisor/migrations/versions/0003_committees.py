"""committees as reference data; plans keep a committee, an author and the principles ticked off

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:40:00

The region's committees and boards are seeded here, as they stood when this revision was written;
from then on an operator keeps them (POST/PATCH /api/v1/advisor/committees). Plans made before
keep their free-text committee; where that text names a seeded committee the plan points to it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (id, short name, full name). Frozen here: a revision never reads the code of a later day.
COMMITTEES = [
    ("rs", "RS", "Regionstyrelsen"),
    ("bmr", "BMR", "Beredningen för mänskliga rättigheter"),
    ("kun", "KUN", "Kulturnämnden"),
    ("drn-fyrbodal", "DRN Fyrbodal", "Delregionala nämnden Fyrbodal"),
    ("drn-goteborgsregionen", "DRN Göteborgsregionen", "Delregionala nämnden Göteborgsregionen"),
    ("drn-sjuharad", "DRN Sjuhärad", "Delregionala nämnden Sjuhärad"),
    ("drn-skaraborg", "DRN Skaraborg", "Delregionala nämnden Skaraborg"),
    ("run", "RUN", "Regionala utvecklingsnämnden"),
    ("hss", "HSS", "Hälso- och sjukvårdsstyrelsen"),
    ("hsn-goteborg", "HSN Göteborg", "Hälso- och sjukvårdsnämnden Göteborg"),
    ("hsn-norra", "HSN Norra", "Hälso- och sjukvårdsnämnden norra"),
    ("hsn-sodra", "HSN Södra", "Hälso- och sjukvårdsnämnden södra"),
    ("hsn-vastra", "HSN Västra", "Hälso- och sjukvårdsnämnden västra"),
    ("hsn-ostra", "HSN Östra", "Hälso- och sjukvårdsnämnden östra"),
    ("ktn", "KTN", "Kollektivtrafiknämnden"),
    ("mn", "MN", "Miljönämnden"),
]


def upgrade() -> None:
    committees = op.create_table(
        "committees",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("short_name", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committees")),
        sa.UniqueConstraint("name", name=op.f("uq_committees_name")),
        sa.UniqueConstraint("short_name", name=op.f("uq_committees_short_name")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        committees,
        [
            {"id": id_, "short_name": short, "name": name, "retired_at": None, "created_at": now, "updated_at": now}
            for id_, short, name in COMMITTEES
        ],
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("author_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("principles_checked", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.create_index(batch_op.f("ix_plans_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_author_id"), ["author_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_committee_id_committees"), "committees", ["committee_id"], ["id"]
        )
    # Plans whose free text names a committee (BMR, Kulturnämnden) now point to it.
    op.execute(
        "UPDATE plans SET committee_id = (SELECT c.id FROM committees c"
        " WHERE lower(c.short_name) = lower(trim(plans.committee)) OR lower(c.name) = lower(trim(plans.committee))"
        " OR c.id = lower(trim(plans.committee)))"
        " WHERE committee_id IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_committee_id_committees"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_plans_author_id"))
        batch_op.drop_index(batch_op.f("ix_plans_committee_id"))
        batch_op.drop_column("principles_checked")
        batch_op.drop_column("author_id")
        batch_op.drop_column("committee_id")
    op.drop_table("committees")
