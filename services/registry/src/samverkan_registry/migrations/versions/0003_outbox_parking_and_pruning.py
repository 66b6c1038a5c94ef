"""outbox: attempts, last_error, parked_at (a failing row is parked); processed_events.processed_at indexed

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 17:50:00.000000

The same revision in every service that has an outbox (see samverkan_common.outbox).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('parked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_processed_at'), ['processed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_events_processed_at'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parked_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
