"""the kiosk's protocol: the acting user of an outbox entry, shop settings, PIN verifiers

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01 21:00:00

``outbox.acting_user_id`` keeps who made an entry on a shared kiosk, so it is attributed to
that technician however late it is pushed (entries already waiting have none: they go up
as the signed-in account, as before). ``shop_settings`` (one row per shop) and
``technician_pin`` (kiosk device accounts only; the verifier is stored sealed with the
device's secret, see ``sync.pins``) are synced entities like the others.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("outbox", sa.Column("acting_user_id", sa.String(length=36), nullable=True))
    op.create_table(
        "shop_settings",
        *_synced_columns(),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("taxable_kinds", sa.JSON(), nullable=False),
        sa.Column("rounding_cents", sa.Integer(), nullable=False),
        sa.Column("approval_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("kiosk_timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("header_name", sa.String(length=200), nullable=False),
        sa.Column("header_address", sa.Text(), nullable=False),
        sa.Column("header_phone", sa.String(length=40), nullable=False),
        sa.Column("header_tax_number", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_settings")),
    )
    op.create_index(op.f("ix_shop_settings_shop_id"), "shop_settings", ["shop_id"])
    op.create_table(
        "technician_pin",
        *_synced_columns(),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.Column("verifier", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician_pin")),
    )
    op.create_index(op.f("ix_technician_pin_shop_id"), "technician_pin", ["shop_id"])
    op.create_index(op.f("ix_technician_pin_user_id"), "technician_pin", ["user_id"])
    op.create_index(op.f("ix_technician_pin_technician_id"), "technician_pin",
                    ["technician_id"])


def downgrade() -> None:
    op.drop_table("technician_pin")
    op.drop_table("shop_settings")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("acting_user_id")
