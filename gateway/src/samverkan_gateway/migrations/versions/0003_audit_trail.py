"""audit trail

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
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=True),
    sa.Column('actor_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('route', sa.String(length=200), nullable=False),
    sa.Column('created_id', sa.String(length=80), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_actor', ['actor_kind', 'actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_created_id'), ['created_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_route'), ['route'], unique=False)

    op.create_table('audit_resources',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entries.id'], name=op.f('fk_audit_resources_entry_id_audit_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'name', name=op.f('pk_audit_resources'))
    )
    with op.batch_alter_table('audit_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_resources_value'), ['value'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('audit_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_resources_value'))

    op.drop_table('audit_resources')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_route'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_id'))
        batch_op.drop_index('ix_audit_entries_actor')

    op.drop_table('audit_entries')
