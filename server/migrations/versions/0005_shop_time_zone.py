"""the shop settings get the shop's time zone

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``shop_settings.time_zone`` (an IANA name; "" on every existing row, meaning "each
computer's own zone", as before; an additive wire field, docs/protocol-notes.md, "Shop time
zone"). No row changes value, so nothing is re-sent: a replica that pulls later gets "" for
the row it has, as its own migration gives it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('shop_settings', sa.Column('time_zone', sa.String(length=64), nullable=False,
                                             server_default=''))


def downgrade() -> None:
    op.drop_column('shop_settings', 'time_zone')
