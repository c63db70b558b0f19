"""initial replica

Revision ID: 0001
Revises:
Create Date: 2026-11-27 08:24:16.660846
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "appointment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("vehicle_id", sa.String(length=36), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("technician_id", sa.String(length=36), nullable=True),
        sa.Column("bay_id", sa.String(length=36), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_bay_id"), ["bay_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appointment_technician_id"), ["technician_id"], unique=False
        )

    op.create_table(
        "bay",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bay")),
    )
    with op.batch_alter_table("bay", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bay_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("client_value", sa.JSON(), nullable=False),
        sa.Column("server_value", sa.JSON(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("mutation_id", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict")),
    )
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conflict_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("vehicle_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hold_reason", sa.String(length=16), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("concern", sa.Text(), nullable=False),
        sa.Column("promised_at", sa.DateTime(), nullable=True),
        sa.Column("customer_waiting", sa.Boolean(), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=True),
        sa.Column("bay_id", sa.String(length=36), nullable=True),
        sa.Column("odometer_in", sa.Integer(), nullable=True),
        sa.Column("estimated_minutes", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_technician_id"), ["technician_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_vehicle_id"), ["vehicle_id"], unique=False)

    op.create_table(
        "job_line",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("approval", sa.String(length=10), nullable=False),
        sa.Column("technician_id", sa.String(length=36), nullable=True),
        sa.Column("part_status", sa.String(length=10), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_line")),
    )
    with op.batch_alter_table("job_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_line_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_line_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "mutation_outcome",
        sa.Column("mutation_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("mutation_id", name=op.f("pk_mutation_outcome")),
    )
    op.create_table(
        "note",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_note_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_row_id"), ["row_id"], unique=False)

    op.create_table(
        "status_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("by_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_event")),
    )
    with op.batch_alter_table("status_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_event_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_event_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("device_code", sa.String(length=8), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=True),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("acked_mutation_id", sa.Integer(), nullable=False),
        sa.Column("next_provisional", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "technician",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column("daily_capacity_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technician")),
    )
    with op.batch_alter_table("technician", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_technician_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "time_entry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("technician_id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("corrects_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
    )
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_entry_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_entry_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_entry_started_at"), ["started_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_time_entry_technician_id"), ["technician_id"], unique=False
        )

    op.create_table(
        "vehicle",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shop_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("plate", sa.String(length=20), nullable=False),
        sa.Column("make", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("odometer", sa.Integer(), nullable=True),
        sa.Column("odometer_unit", sa.String(length=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle")),
    )
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vehicle_plate"), ["plate"], unique=False)
        batch_op.create_index(batch_op.f("ix_vehicle_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vehicle_vin"), ["vin"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_vin"))
        batch_op.drop_index(batch_op.f("ix_vehicle_shop_id"))
        batch_op.drop_index(batch_op.f("ix_vehicle_plate"))
        batch_op.drop_index(batch_op.f("ix_vehicle_customer_id"))

    op.drop_table("vehicle")
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_technician_id"))
        batch_op.drop_index(batch_op.f("ix_time_entry_started_at"))
        batch_op.drop_index(batch_op.f("ix_time_entry_shop_id"))
        batch_op.drop_index(batch_op.f("ix_time_entry_job_id"))

    op.drop_table("time_entry")
    with op.batch_alter_table("technician", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technician_shop_id"))

    op.drop_table("technician")
    op.drop_table("sync_state")
    with op.batch_alter_table("status_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_event_shop_id"))
        batch_op.drop_index(batch_op.f("ix_status_event_job_id"))

    op.drop_table("status_event")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_row_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_shop_id"))
        batch_op.drop_index(batch_op.f("ix_note_job_id"))

    op.drop_table("note")
    op.drop_table("mutation_outcome")
    with op.batch_alter_table("job_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_line_shop_id"))
        batch_op.drop_index(batch_op.f("ix_job_line_job_id"))

    op.drop_table("job_line")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_vehicle_id"))
        batch_op.drop_index(batch_op.f("ix_job_technician_id"))
        batch_op.drop_index(batch_op.f("ix_job_status"))
        batch_op.drop_index(batch_op.f("ix_job_shop_id"))
        batch_op.drop_index(batch_op.f("ix_job_number"))
        batch_op.drop_index(batch_op.f("ix_job_customer_id"))
        batch_op.drop_index(batch_op.f("ix_job_closed_at"))

    op.drop_table("job")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_shop_id"))

    op.drop_table("customer")
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_shop_id"))
        batch_op.drop_index(batch_op.f("ix_conflict_client_id"))

    op.drop_table("conflict")
    with op.batch_alter_table("bay", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bay_shop_id"))

    op.drop_table("bay")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_technician_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_starts_at"))
        batch_op.drop_index(batch_op.f("ix_appointment_shop_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_bay_id"))

    op.drop_table("appointment")
