"""outcome: the organisations' proposals, taken up or not and why; when the feedback was mailed, to how many

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 17:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("feedback_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("feedback_sent_to", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("feedback_sent_to")
        batch_op.drop_column("feedback_sent_at")
        batch_op.drop_column("proposals")
