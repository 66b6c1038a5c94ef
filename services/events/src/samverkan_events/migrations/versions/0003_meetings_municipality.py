"""meetings: the municipality where a meeting is held, so calendars can be filtered by it

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:45:00.000000

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
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        # Existing meetings: no municipality given.
        batch_op.add_column(sa.Column('municipality_code', sa.String(length=4), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_meetings_municipality_code'), ['municipality_code'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_municipality_code'))
        batch_op.drop_column('municipality_code')
