"""The central API's tables.

The synced entities map the same column mixins as the local replica (``app.entities``), so
a field can never mean two things. Around them: shops with their change counter, users and
their sessions, clients with their last applied mutation id, and the row index that makes
pull a range scan over the shop's change sequence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
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
from app.validators import MAX_TEXT_CHARS


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- shops, users, sessions ------------------------------------------------------------

class Shop(ServerBase):
    """A shop; its ``head`` row is the lock that serialises the shop's writers."""

    __tablename__ = "shop"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The last seq handed out (PROTOCOL.md: the shop's change sequence).
    head: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The highest seq of a purged tombstone: an older non-zero cursor must reset.
    purged_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The next final job number (assigned without gaps, in commit order).
    next_job_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(ServerBase):
    """A person (or a kiosk device account) who signs in."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shop.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    technician_id: Mapped[str | None] = mapped_column(String(36), default=None)
    pin_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthSession(ServerBase):
    """One signed-in device; access tokens name it, so revoking it ends them too."""

    __tablename__ = "auth_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(200), default="")
    #: For a PIN session: the kiosk device account it was opened from.
    kiosk_user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RefreshToken(ServerBase):
    """A refresh token, stored as its SHA-256; each use rotates it."""

    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_session.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class LoginFailure(ServerBase):
    """A failed login or PIN attempt, per key (``user:…``, ``addr:…``, ``pin:…``)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)


class ServerSetting(ServerBase):
    """Values the server keeps for itself (the token signing key made at migrate time)."""

    __tablename__ = "server_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- sync bookkeeping ------------------------------------------------------------------

class Client(ServerBase):
    """A local replica (``X-Client-Id``) and its last applied mutation id."""

    __tablename__ = "client"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shop.id"), index=True)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MutationOutcome(ServerBase):
    """What became of a mutation that was not simply applied, so a retried batch gets the
    same answer as the first attempt whose response was lost."""

    __tablename__ = "mutation_outcome"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Refused only because another mutation of its operation was (migration 0002): that
    #: one's id, repeated on a retried batch.
    refused_with: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RefusedOperation(ServerBase):
    """An operation of a client that was refused (migration 0002): a later mutation of it,
    in this push or a later one, falls with it (``server.sync.push``). For a client that
    sends no operation ids, an operation is one mutation, and ``moved_job_id`` names the job
    whose status move it was, so the status event pushed right after it falls too."""

    __tablename__ = "refused_operation"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: The refused mutation whose reason the others of the operation repeat.
    mutation_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The operation's last mutation seen so far, and the job it moved (if it was a move).
    last_mutation_id: Mapped[int] = mapped_column(BigInteger)
    moved_job_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RowIndex(ServerBase):
    """Each synced row's latest change: pull scans ``seq > cursor`` of one shop."""

    __tablename__ = "row_index"

    shop_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("shop_id", "seq", name="uq_row_index_shop_seq"),)


# --- synced entities -------------------------------------------------------------------

class Customer(ServerBase, SyncedColumns, CustomerFields):
    __tablename__ = "customer"


class Vehicle(ServerBase, SyncedColumns, VehicleFields):
    __tablename__ = "vehicle"


class Technician(ServerBase, SyncedColumns, TechnicianFields):
    __tablename__ = "technician"


class Bay(ServerBase, SyncedColumns, BayFields):
    __tablename__ = "bay"


class Job(ServerBase, SyncedColumns, JobFields):
    __tablename__ = "job"
    __table_args__ = (UniqueConstraint("shop_id", "number", name="uq_job_shop_number"),)


class JobLine(ServerBase, SyncedColumns, JobLineFields):
    __tablename__ = "job_line"


class Appointment(ServerBase, SyncedColumns, AppointmentFields):
    __tablename__ = "appointment"


class TimeEntry(ServerBase, SyncedColumns, TimeEntryFields):
    __tablename__ = "time_entry"


class Note(ServerBase, SyncedColumns, NoteFields):
    __tablename__ = "note"


class StatusEvent(ServerBase, SyncedColumns, StatusEventFields):
    __tablename__ = "status_event"


class Conflict(ServerBase, SyncedColumns, ConflictFields):
    __tablename__ = "conflict"


class ShopSettings(ServerBase, SyncedColumns, ShopSettingsFields):
    __tablename__ = "shop_settings"


class TechnicianPin(ServerBase, SyncedColumns, TechnicianPinFields):
    __tablename__ = "technician_pin"


class Payment(ServerBase, SyncedColumns, PaymentFields):
    __tablename__ = "payment"


#: entity name → mapped class, derived from ``app.entities.ENTITY_MIXINS``.
ENTITIES: dict[str, type[ServerBase]] = mapped_entities(ServerBase)

__all__ = ["ENTITIES", "ServerBase", "Shop", "User", "AuthSession", "RefreshToken",
           "LoginFailure", "ServerSetting", "Client", "MutationOutcome",
           "RefusedOperation", "RowIndex",
           "MAX_TEXT_CHARS"]
