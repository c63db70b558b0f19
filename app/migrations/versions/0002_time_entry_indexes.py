"""indexes for the boards and the time clock

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00

Replica-only indexes (declared in ``app.models``, not in the shared column mixins):

- ``ix_time_entry_corrects_id``: finding the correction that replaces an entry. Partial
  (only corrections), so it stays tiny and the planner trusts it after ``ANALYZE``.
- ``ix_time_entry_ended_at``: the entries that touch a day or a date range, and the open
  ones, without reading a technician's whole history (technician board, efficiency).
- ``ix_time_entry_open``: a technician's open entry, looked up by every clock on and off.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_time_entry_corrects_id", "time_entry", ["corrects_id"],
                    sqlite_where=sa.text("corrects_id IS NOT NULL"))
    op.create_index("ix_time_entry_ended_at", "time_entry", ["ended_at"])
    op.create_index("ix_time_entry_open", "time_entry", ["technician_id", "kind"],
                    sqlite_where=sa.text("ended_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_time_entry_open", table_name="time_entry")
    op.drop_index("ix_time_entry_ended_at", table_name="time_entry")
    op.drop_index("ix_time_entry_corrects_id", table_name="time_entry")
