"""Shop settings (one row per shop) and kiosk PIN verifiers, both synced entities.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01

Every existing shop gets its settings row (id = the shop's id, its name as the print
header); every technician with a PIN gets a verifier row holding that PIN's argon2 hash
(a PIN set from now on gets its own verifier, made with the kiosk's hashing profile). Each
new row takes the next seq of its shop, so replicas pull them like any change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.entities

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column[object]]:
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('shop_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', app.entities.UTCDateTime(), nullable=False),
        sa.Column('updated_at', app.entities.UTCDateTime(), nullable=False),
        sa.Column('deleted_at', app.entities.UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    settings = op.create_table(
        'shop_settings',
        *_synced_columns(),
        sa.Column('tax_rate_bp', sa.Integer(), nullable=False),
        sa.Column('taxable_kinds', sa.JSON(), nullable=False),
        sa.Column('rounding_cents', sa.Integer(), nullable=False),
        sa.Column('approval_notice_minutes', sa.Integer(), nullable=False),
        sa.Column('kiosk_timeout_seconds', sa.Integer(), nullable=False),
        sa.Column('header_name', sa.String(length=200), nullable=False),
        sa.Column('header_address', sa.Text(), nullable=False),
        sa.Column('header_phone', sa.String(length=40), nullable=False),
        sa.Column('header_tax_number', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_settings')),
    )
    op.create_index(op.f('ix_shop_settings_shop_id'), 'shop_settings', ['shop_id'])
    pins = op.create_table(
        'technician_pin',
        *_synced_columns(),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('technician_id', sa.String(length=36), nullable=False),
        sa.Column('verifier', sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_technician_pin')),
    )
    op.create_index(op.f('ix_technician_pin_shop_id'), 'technician_pin', ['shop_id'])
    op.create_index(op.f('ix_technician_pin_user_id'), 'technician_pin', ['user_id'])
    op.create_index(op.f('ix_technician_pin_technician_id'), 'technician_pin',
                    ['technician_id'])
    _backfill(settings, pins)


def _backfill(settings: sa.Table, pins: sa.Table) -> None:
    conn = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    shop = sa.table('shop', sa.column('id'), sa.column('name'), sa.column('head'))
    user = sa.table('app_user', sa.column('id'), sa.column('shop_id'), sa.column('role'),
                    sa.column('technician_id'), sa.column('pin_hash'), sa.column('active'))
    index = sa.table('row_index', sa.column('shop_id'), sa.column('entity'),
                     sa.column('row_id'), sa.column('seq'), sa.column('deleted'))
    for shop_id, name, head in conn.execute(sa.select(shop.c.id, shop.c.name, shop.c.head)):
        seq = int(head or 0)
        conn.execute(settings.insert().values(
            id=shop_id, shop_id=shop_id, created_at=now, updated_at=now, deleted_at=None,
            tax_rate_bp=0, taxable_kinds=[], rounding_cents=1, approval_notice_minutes=60,
            kiosk_timeout_seconds=120, header_name=(name or '')[:200], header_address='',
            header_phone='', header_tax_number=''))
        seq += 1
        conn.execute(index.insert().values(shop_id=shop_id, entity='shop_settings',
                                           row_id=shop_id, seq=seq, deleted=False))
        techs = conn.execute(sa.select(user.c.id, user.c.technician_id, user.c.pin_hash).where(
            user.c.shop_id == shop_id, user.c.role == 'technician',
            user.c.technician_id.is_not(None), user.c.pin_hash.is_not(None),
            user.c.active.is_(True)).order_by(user.c.id)).all()
        for user_id, technician_id, pin_hash in techs:
            conn.execute(pins.insert().values(
                id=user_id, shop_id=shop_id, created_at=now, updated_at=now, deleted_at=None,
                user_id=user_id, technician_id=technician_id, verifier=pin_hash))
            seq += 1
            conn.execute(index.insert().values(shop_id=shop_id, entity='technician_pin',
                                               row_id=user_id, seq=seq, deleted=False))
        conn.execute(shop.update().where(shop.c.id == shop_id).values(head=seq))


def downgrade() -> None:
    op.execute("DELETE FROM row_index WHERE entity IN ('shop_settings', 'technician_pin')")
    op.drop_table('technician_pin')
    op.drop_table('shop_settings')
