"""invitations: one per plan and organisation, with the hash of the answer link's token

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 17:30:00

Follows 0004 (the outcome's proposals), written at the same time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_name", sa.String(length=300), nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_invitations_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("plan_id", "organisation_id", name=op.f("uq_invitations_plan_id")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_invitations_token_digest")),
    )
    op.create_index(op.f("ix_invitations_plan_id"), "invitations", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_invitations_plan_id"), table_name="invitations")
    op.drop_table("invitations")
