"""refused operations per client: a later mutation of a refused operation falls with it

Revision ID: 0002
Revises: 0003
Create Date: 2026-12-01

A client may tag each pushed mutation with the operation (one action of a person) that
wrote it; the mutations of one operation stand or fall together, also when they arrive in
different pushes (docs/protocol-notes.md). The server remembers each refused operation of
a client here; rows go with the mutation outcomes when tombstones are purged. A mutation
refused only because of another one of its operation names it (``refused_with``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.entities

revision = '0002'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'refused_operation',
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('operation_id', sa.BigInteger(), nullable=False),
        sa.Column('mutation_id', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('last_mutation_id', sa.BigInteger(), nullable=False),
        sa.Column('moved_job_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', app.entities.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('client_id', 'operation_id', name=op.f('pk_refused_operation')))
    with op.batch_alter_table('refused_operation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refused_operation_created_at'), ['created_at'],
                              unique=False)
    op.add_column('mutation_outcome', sa.Column('refused_with', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mutation_outcome', schema=None) as batch_op:
        batch_op.drop_column('refused_with')
    with op.batch_alter_table('refused_operation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refused_operation_created_at'))
    op.drop_table('refused_operation')
