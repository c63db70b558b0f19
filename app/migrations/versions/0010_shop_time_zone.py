"""the shop settings get the shop's time zone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:20:00

``shop_settings.time_zone`` (an IANA name; "" on every existing row, meaning "this
computer's zone", as before; docs/protocol-notes.md, "Shop time zone").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("shop_settings", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
