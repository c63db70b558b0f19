"""a rebuilt replica remembers the highest outbox id it may share with the server

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 22:15:00

``sync_state.recovered_upto``: set with ``recovered_from`` on a fresh replica that replaced
a damaged one (``app.recovery``): the highest of the old file's acknowledged id and the ids
of the entries carried over from it. Edits made after the rebuild get ids above it, so the
first pull (``sync.replica.settle_recovered``) drops only salvaged entries the server has,
never an edit typed in the meantime.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_state", sa.Column("recovered_upto", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (a batch rebuild would lose nothing here, but
    # stays the same as the other replica migrations).
    op.execute("ALTER TABLE sync_state DROP COLUMN recovered_upto")
