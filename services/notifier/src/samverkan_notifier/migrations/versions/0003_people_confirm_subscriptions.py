"""people subscribe by e-mail: confirmation (double opt-in)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Every subscription so far was made by a token holder: NULL confirm_by means confirmed,
    # so existing rows keep receiving without a data migration.
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscriptions_confirm_by'), ['confirm_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    # Unconfirmed subscriptions would start receiving mail without the old schema's knowledge: drop them.
    op.execute("DELETE FROM subscriptions WHERE confirm_by IS NOT NULL")
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_request_id'))
        batch_op.drop_index(batch_op.f('ix_subscriptions_confirm_by'))
        batch_op.drop_column('request_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirm_by')
