"""quarantine of pulled changes that cannot be applied; a conflict's values may be null;
the mark of a replica rebuilt after damage

Revision ID: 0005
Revises: 0007 (the newest in this worktree at merge; the lead re-chains)
Create Date: 2026-12-01 21:00:00

- ``conflict.client_value`` / ``server_value`` become nullable: null is a legitimate value
  on either side (a technician unassigned on one desk and assigned on another). Declared
  NOT NULL before, one such conflict stopped every replica of the shop from pulling.
- ``quarantine``: a pulled change this replica could not apply, kept as it came with the
  reason, so the cursor moves on (``sync.quarantine``). Retried at every start.
- ``sync_state.recovered_from``: set on a fresh replica that replaced a damaged one (the
  set-aside file's name) until the first pull tells the server's last mutation id, so
  salvaged outbox entries it already has are dropped, not sent again (``app.recovery``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.entities

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.alter_column("client_value", existing_type=sa.JSON(), nullable=True)
        batch_op.alter_column("server_value", existing_type=sa.JSON(), nullable=True)
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.String(length=200), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_by", sa.Integer(), nullable=True),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("at", app.entities.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_row_id"), ["row_id"], unique=False)
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recovered_from", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("recovered_from")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_row_id"))
    op.drop_table("quarantine")
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.alter_column("server_value", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("client_value", existing_type=sa.JSON(), nullable=False)
