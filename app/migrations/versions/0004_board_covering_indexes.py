"""covering indexes for the queue board's vehicle and customer look-ups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:30:00

The queue board joins every open job to its vehicle and customer by text UUID. With these
indexes (replica-only, declared in ``app.models``) each look-up is one B-tree descent
instead of a descent into the primary-key index plus one into the table. The board names
them with ``INDEXED BY``, since SQLite prefers the unique key index without ANALYZE data.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_vehicle_board", "vehicle", ["id", "make", "model", "year", "plate"])
    op.create_index("ix_customer_board", "customer", ["id", "name"])


def downgrade() -> None:
    op.drop_index("ix_customer_board", table_name="customer")
    op.drop_index("ix_vehicle_board", table_name="vehicle")
