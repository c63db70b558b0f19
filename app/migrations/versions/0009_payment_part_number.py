"""job lines get a part number; payments taken at hand-back

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:45:00

``job_line.part_number`` (text, "" on every existing line) and the synced entity
``payment`` (docs/protocol-notes.md, "Part number" and "Payments").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part_number", sa.String(length=40), nullable=False,
                                      server_default=""))
    op.create_table(
        "payment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    op.create_index(op.f("ix_payment_shop_id"), "payment", ["shop_id"])
    op.create_index(op.f("ix_payment_job_id"), "payment", ["job_id"])


def downgrade() -> None:
    op.drop_table("payment")
    with op.batch_alter_table("job_line", schema=None) as batch_op:
        batch_op.drop_column("part_number")
