"""covering index for the parts not yet in

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 12:00:00

``ix_job_line_waiting_parts`` (replica-only, declared in ``app.models``) lets the queue
board count, per job, the part lines still needed or ordered from the index alone, instead
of reading every line of every open job.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_job_line_waiting_parts", "job_line",
                    ["part_status", "kind", "approval", "deleted_at", "job_id"])


def downgrade() -> None:
    op.drop_index("ix_job_line_waiting_parts", table_name="job_line")
