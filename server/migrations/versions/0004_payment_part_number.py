"""job lines get a part number; payments taken at hand-back

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02

``job_line.part_number`` (text, "" on every existing line; an additive wire field) and
the synced entity ``payment`` (docs/protocol-notes.md, "Part number" and "Payments"). No
row changes value, so nothing is re-sent: a replica that pulls later gets "" for the lines
it has, as its own migration gives them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.entities

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('job_line', sa.Column('part_number', sa.String(length=40), nullable=False,
                                        server_default=''))
    op.create_table(
        'payment',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('shop_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', app.entities.UTCDateTime(), nullable=False),
        sa.Column('updated_at', app.entities.UTCDateTime(), nullable=False),
        sa.Column('deleted_at', app.entities.UTCDateTime(), nullable=True),
        sa.Column('job_id', sa.String(length=36), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('taken_at', app.entities.UTCDateTime(), nullable=False),
        sa.Column('by_id', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    )
    op.create_index(op.f('ix_payment_shop_id'), 'payment', ['shop_id'])
    op.create_index(op.f('ix_payment_job_id'), 'payment', ['job_id'])


def downgrade() -> None:
    op.execute("DELETE FROM row_index WHERE entity = 'payment'")
    op.drop_table('payment')
    op.drop_column('job_line', 'part_number')
