"""The tables of the local SQLite replica.

The synced entities map the shared column mixins of ``app.entities``; the local-only tables
(outbox, sync state, mutation outcomes) exist only here. Entity tables carry no foreign-key
constraints between each other on purpose: pulled pages bring rows in the server's change
order, so a job can arrive a page before its customer. Domain operations check references
when they write instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.entities import (
    NAMING_CONVENTION,
    AppointmentFields,
    BayFields,
    ConflictFields,
    CustomerFields,
    JobFields,
    JobLineFields,
    NoteFields,
    PaymentFields,
    ShopSettingsFields,
    StatusEventFields,
    SyncedColumns,
    TechnicianFields,
    TechnicianPinFields,
    TimeEntryFields,
    UTCDateTime,
    VehicleFields,
    mapped_entities,
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Customer(Base, SyncedColumns, CustomerFields):
    __tablename__ = "customer"
    # Replica-only (migration 0004): the queue board reads names from the index alone.
    __table_args__ = (Index("ix_customer_board", "id", "name"),)


class Vehicle(Base, SyncedColumns, VehicleFields):
    __tablename__ = "vehicle"
    # Replica-only (migration 0004): the queue board reads its labels from the index alone.
    __table_args__ = (Index("ix_vehicle_board", "id", "make", "model", "year", "plate"),)


class Technician(Base, SyncedColumns, TechnicianFields):
    __tablename__ = "technician"


class Bay(Base, SyncedColumns, BayFields):
    __tablename__ = "bay"


#: The open jobs, as SQL text: a partial index can serve only a query whose WHERE names its
#: condition literally (bound parameters would not do).
OPEN_JOB_CONDITION = ("status IN ('estimate', 'queued', 'in_progress', 'on_hold', 'ready') "
                      "AND deleted_at IS NULL")


class Job(Base, SyncedColumns, JobFields):
    __tablename__ = "job"
    # Replica-only (migration 0004): the open jobs in the queue board's order.
    __table_args__ = (
        Index("ix_job_open", text("priority DESC"), text("customer_waiting DESC"),
              text("promised_at IS NULL"), "promised_at", "number", "status", "hold_reason",
              "technician_id", "vehicle_id", "customer_id", "id",
              sqlite_where=text(OPEN_JOB_CONDITION)),
    )


class JobLine(Base, SyncedColumns, JobLineFields):
    __tablename__ = "job_line"
    # Replica-only (migration 0003): covers the queue board's count of parts not yet in.
    __table_args__ = (
        Index("ix_job_line_waiting_parts", "part_status", "kind", "approval", "deleted_at",
              "job_id"),
    )


class Appointment(Base, SyncedColumns, AppointmentFields):
    __tablename__ = "appointment"


class TimeEntry(Base, SyncedColumns, TimeEntryFields):
    __tablename__ = "time_entry"
    # Replica-only indexes (migration 0002): see its docstring for what each one serves.
    __table_args__ = (
        Index("ix_time_entry_corrects_id", "corrects_id",
              sqlite_where=text("corrects_id IS NOT NULL")),
        Index("ix_time_entry_ended_at", "ended_at"),
        Index("ix_time_entry_open", "technician_id", "kind",
              sqlite_where=text("ended_at IS NULL")),
    )


class Note(Base, SyncedColumns, NoteFields):
    __tablename__ = "note"


class StatusEvent(Base, SyncedColumns, StatusEventFields):
    __tablename__ = "status_event"


class Conflict(Base, SyncedColumns, ConflictFields):
    __tablename__ = "conflict"
    # Null is a legitimate value on either side (a job unassigned on one desk, assigned on
    # another). Nullable here since migration 0005; the server stores JSON null instead.
    client_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)


class ShopSettings(Base, SyncedColumns, ShopSettingsFields):
    __tablename__ = "shop_settings"


class TechnicianPin(Base, SyncedColumns, TechnicianPinFields):
    __tablename__ = "technician_pin"


class Payment(Base, SyncedColumns, PaymentFields):
    __tablename__ = "payment"


#: entity name → mapped class of the replica, derived from ``app.entities.ENTITY_MIXINS``.
MODELS: dict[str, type[Base]] = mapped_entities(Base)


# --- local-only tables -----------------------------------------------------------------

class Outbox(Base):
    """One local mutation waiting to be pushed. ``id`` is the protocol's mutation id."""

    __tablename__ = "outbox"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    op: Mapped[str] = mapped_column(String(8))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Status moves and clock on/off: the sync engine pushes these without waiting.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The operation (one domain-operation transaction, one click) that wrote this entry:
    #: the id of its first entry. Its entries stand or fall together on the server and are
    #: never split between two pushes (migration 0006; older entries are each their own).
    #: The ``Writer`` always sets it; NULL would read as the entry's own id.
    operation_id: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The person who made it on a shared kiosk (a technician's user id), sent with it
    #: however late it goes up (migration 0007).
    acting_user_id: Mapped[str | None] = mapped_column(String(36), default=None)


class SyncState(Base):
    """The replica's identity and sync position (a single row, id 1)."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    device_code: Mapped[str] = mapped_column(String(8))
    shop_id: Mapped[str] = mapped_column(String(36))
    server_url: Mapped[str | None] = mapped_column(String(500), default=None)
    username: Mapped[str | None] = mapped_column(String(200), default=None)
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    role: Mapped[str | None] = mapped_column(String(16), default=None)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    acked_mutation_id: Mapped[int] = mapped_column(Integer, default=0)
    next_provisional: Mapped[int] = mapped_column(Integer, default=1)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    #: Set on a fresh replica that replaced a damaged one (the set-aside file) until the
    #: first pull says the server's last mutation id (``app.recovery``; migration 0005).
    recovered_from: Mapped[str | None] = mapped_column(Text, default=None)
    #: With ``recovered_from``: the highest outbox id the rebuilt replica may share with the
    #: server (the old file's acknowledged id, or a carried entry's); new edits get ids
    #: above it (migration 0008).
    recovered_upto: Mapped[int | None] = mapped_column(Integer, default=None)


class MutationOutcome(Base):
    """A pushed mutation the server did not apply as sent: shown to the person who made it."""

    __tablename__ = "mutation_outcome"

    mutation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(10))  # rejected | conflict
    reason: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The operation of the refused mutation (migration 0006): one refusal per click.
    operation_id: Mapped[int | None] = mapped_column(Integer, default=None)
    #: Refused only because this other mutation of its operation was (the server says so).
    refused_with: Mapped[int | None] = mapped_column(Integer, default=None)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Quarantine(Base):
    """A pulled change this replica could not apply, kept as it came, with the reason.

    The cursor moves on past it; later changes of the same row, and rows that refer to it,
    are held with it (``held_by``). Every hold is retried at each start (after any
    migration): see ``sync.quarantine``. Migration 0005.
    """

    __tablename__ = "quarantine"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(200), index=True)
    #: The change exactly as the server sent it.
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    #: The quarantined change this one waits for (None: it failed itself).
    held_by: Mapped[int | None] = mapped_column(Integer, default=None)
    #: The cursor of the page it came in.
    cursor: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
