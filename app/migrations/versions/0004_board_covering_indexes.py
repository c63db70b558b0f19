"""indexes for the queue board: open jobs in board order, vehicle and customer look-ups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:30:00

``ix_job_open`` is a partial index of the open jobs only (a few thousand among many
thousands closed), in the board's order, so the board reads them without sorting.
The board joins every open job to its vehicle and customer by text UUID; with
``ix_vehicle_board`` and ``ix_customer_board`` each look-up is one B-tree descent instead of
one into the primary-key index plus one into the table. All are replica-only (declared in
``app.models``); the board names them with ``INDEXED BY``, since SQLite prefers the unique
key index when it has no ANALYZE data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_job_open", "job",
        [sa.text("priority DESC"), sa.text("customer_waiting DESC"),
         sa.text("promised_at IS NULL"), "promised_at", "number", "status", "hold_reason",
         "technician_id", "vehicle_id", "customer_id", "id"],
        sqlite_where=sa.text("status IN ('estimate', 'queued', 'in_progress', 'on_hold', "
                             "'ready') AND deleted_at IS NULL"))
    op.create_index("ix_vehicle_board", "vehicle", ["id", "make", "model", "year", "plate"])
    op.create_index("ix_customer_board", "customer", ["id", "name"])


def downgrade() -> None:
    op.drop_index("ix_customer_board", table_name="customer")
    op.drop_index("ix_vehicle_board", table_name="vehicle")
    op.drop_index("ix_job_open", table_name="job")
