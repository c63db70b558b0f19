"""The synced entities of PROTOCOL.md, declared once.

Each entity's columns live in a mixin that both the local replica (``app.models``) and the
central API (``server.models``) map onto their own tables, so the two can never disagree on
a field. ``WIRE`` describes each entity's fields for the wire: their kinds, and how a JSON
value becomes a column value and back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app import rules
from app.timeutil import parse_rfc3339, to_rfc3339

#: Constraint and index names of both the replica's and the server's metadata.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_id() -> str:
    """A fresh row id (a UUID4 in its canonical text form)."""
    return str(uuid.uuid4())


def Id(*, nullable: bool = False, index: bool = False) -> Any:  # noqa: N802 - column factory
    return mapped_column(String(36), nullable=nullable, index=index)


class SyncedColumns:
    """Columns every synced row has."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CustomerFields:
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="person")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class VehicleFields:
    customer_id: Mapped[str | None] = Id(nullable=True, index=True)
    vin: Mapped[str] = mapped_column(String(17), default="", index=True)
    plate: Mapped[str] = mapped_column(String(20), default="", index=True)
    make: Mapped[str] = mapped_column(String(60), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    odometer: Mapped[int | None] = mapped_column(Integer, default=None)
    odometer_unit: Mapped[str] = mapped_column(String(2), default="km")
    notes: Mapped[str] = mapped_column(Text, default="")


class TechnicianFields:
    name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    color: Mapped[str] = mapped_column(String(9), default="#607d8b")
    daily_capacity_minutes: Mapped[int] = mapped_column(Integer, default=480)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BayFields:
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40), default="general")


class JobFields:
    number: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = Id(nullable=True, index=True)
    vehicle_id: Mapped[str | None] = Id(nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="estimate", index=True)
    hold_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    concern: Mapped[str] = mapped_column(Text, default="")
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    customer_waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    technician_id: Mapped[str | None] = Id(nullable=True, index=True)
    bay_id: Mapped[str | None] = Id(nullable=True)
    odometer_in: Mapped[int | None] = mapped_column(Integer, default=None)
    estimated_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)


class JobLineFields:
    job_id: Mapped[str] = Id(index=True)
    kind: Mapped[str] = mapped_column(String(8), default="labor")
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[float] = mapped_column(Float, default=1.0)
    unit_price_cents: Mapped[int] = mapped_column(Integer, default=0)
    approval: Mapped[str] = mapped_column(String(10), default="pending")
    technician_id: Mapped[str | None] = Id(nullable=True)
    part_status: Mapped[str | None] = mapped_column(String(10), default=None)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Added to the protocol's minimum: which maintenance interval a line fulfils.
    service_code: Mapped[str | None] = mapped_column(String(32), default=None)
    #: Added (docs/protocol-notes.md, "Part number"): the part's number, on part lines.
    part_number: Mapped[str] = mapped_column(String(40), default="")


class AppointmentFields:
    customer_id: Mapped[str | None] = Id(nullable=True)
    vehicle_id: Mapped[str | None] = Id(nullable=True)
    job_id: Mapped[str | None] = Id(nullable=True)
    technician_id: Mapped[str | None] = Id(nullable=True, index=True)
    bay_id: Mapped[str | None] = Id(nullable=True, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    notes: Mapped[str] = mapped_column(Text, default="")


class TimeEntryFields:
    technician_id: Mapped[str] = Id(index=True)
    job_id: Mapped[str | None] = Id(nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(8), default="job")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    corrects_id: Mapped[str | None] = Id(nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class NoteFields:
    job_id: Mapped[str] = Id(index=True)
    author_id: Mapped[str | None] = Id(nullable=True)
    kind: Mapped[str] = mapped_column(String(8), default="note")
    body: Mapped[str] = mapped_column(Text, default="")


class StatusEventFields:
    job_id: Mapped[str] = Id(index=True)
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)
    to_status: Mapped[str] = mapped_column(String(16))
    by_id: Mapped[str | None] = Id(nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)


class ConflictFields:
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = Id()
    field: Mapped[str] = mapped_column(String(64))
    client_value: Mapped[Any] = mapped_column(JSON, default=None)
    server_value: Mapped[Any] = mapped_column(JSON, default=None)
    client_id: Mapped[str] = mapped_column(String(36), index=True)
    mutation_id: Mapped[int] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[str | None] = Id(nullable=True)


class ShopSettingsFields:
    """One row per shop (its id is the shop's id); the limits live in ``app.shopsettings``."""

    #: Sales tax in basis points (825 = 8.25 %) on the line kinds in ``taxable_kinds``.
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    taxable_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Each line's total is rounded (half away from zero) to a multiple of this many cents.
    rounding_cents: Mapped[int] = mapped_column(Integer, default=1)
    #: How long a job waits for a customer's approval before the desk gets a notice.
    approval_notice_minutes: Mapped[int] = mapped_column(Integer, default=60)
    #: A kiosk goes back to its tiles after this many seconds without a touch.
    kiosk_timeout_seconds: Mapped[int] = mapped_column(Integer, default=120)
    #: The repair order's print header.
    header_name: Mapped[str] = mapped_column(String(200), default="")
    header_address: Mapped[str] = mapped_column(Text, default="")
    header_phone: Mapped[str] = mapped_column(String(40), default="")
    header_tax_number: Mapped[str] = mapped_column(String(40), default="")
    #: The shop's wall clock as an IANA name ("Europe/Berlin"); "" = this computer's zone.
    time_zone: Mapped[str] = mapped_column(String(64), default="")


class PaymentFields:
    """Money taken for a job at hand-back (docs/protocol-notes.md, "Payments"); card
    processing itself is not Bayline's. A payment is never changed: a mistake is put right
    by a manager with a new row."""

    job_id: Mapped[str] = Id(index=True)
    method: Mapped[str] = mapped_column(String(10), default="cash")
    amount_cents: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[str | None] = Id(nullable=True)


class TechnicianPinFields:
    """A technician's PIN verifier for a kiosk's offline sign-in; only kiosk device accounts
    read it. On the server ``verifier`` is a salted argon2id hash of the PIN; a replica
    stores it only sealed with its device secret (``sync.pins``), never as sent."""

    user_id: Mapped[str] = Id(index=True)
    technician_id: Mapped[str] = Id(index=True)
    verifier: Mapped[str | None] = mapped_column(String(300), default=None)

    def __repr__(self) -> str:  # never print a verifier, even in a traceback (both sides)
        return (f"TechnicianPin(id={getattr(self, 'id', None)!r}, "
                f"technician_id={self.technician_id!r})")


#: entity name (the table name) → its field mixin, in the order parents come before children.
ENTITY_MIXINS: dict[str, type] = {
    "customer": CustomerFields,
    "vehicle": VehicleFields,
    "technician": TechnicianFields,
    "bay": BayFields,
    "job": JobFields,
    "job_line": JobLineFields,
    "appointment": AppointmentFields,
    "time_entry": TimeEntryFields,
    "note": NoteFields,
    "status_event": StatusEventFields,
    "conflict": ConflictFields,
    "shop_settings": ShopSettingsFields,
    "technician_pin": TechnicianPinFields,
    "payment": PaymentFields,
}

COMMON_FIELDS: tuple[str, ...] = ("id", "shop_id", "created_at", "updated_at", "deleted_at")

@dataclass(frozen=True)
class AfterWrite:
    """What of a row may change once it is written (checked by the replica's ``Writer``
    and the server's apply, through ``app.validators.check_change``)."""

    #: Fields that never change.
    fixed: frozenset[str] = frozenset()
    #: Fields that may be set once, from empty to a value (a time entry's end).
    set_once: frozenset[str] = frozenset()
    #: When given, the only fields (besides ``set_once``) that may change at all.
    only: frozenset[str] | None = None
    #: False: rows are kept for good (never tombstoned).
    deletable: bool = True
    #: The message for a change that is not allowed (a generic one when None).
    refusal: str | None = None
    #: The message for a delete that is not allowed (a generic one when None).
    delete_refusal: str | None = None


#: Entities whose rows are limited after they are written; every other field of every other
#: entity may change (last writer wins, or guarded: see PROTOCOL.md).
AFTER_WRITE: dict[str, AfterWrite] = {
    "job_line": AfterWrite(fixed=frozenset({"kind"}), refusal="A line's kind cannot change; "
                           "delete it and add a new one."),
    "time_entry": AfterWrite(only=frozenset(), set_once=frozenset({"ended_at"}),
                             deletable=False, refusal="A time entry can only be ended; "
                             "corrections are new entries."),
    "note": AfterWrite(only=frozenset(), deletable=False),
    "status_event": AfterWrite(only=frozenset(), deletable=False),
    "conflict": AfterWrite(only=frozenset({"resolved_at", "resolved_by"}), deletable=False,
                           refusal="Only the server writes conflicts; a client may only "
                           "resolve one."),
    "payment": AfterWrite(only=frozenset(), deletable=False,
                          refusal="A payment cannot be changed once it is recorded.",
                          delete_refusal="A payment is never deleted; it stays on the "
                          "job's record."),
    # One row per shop, for the shop's life.
    "shop_settings": AfterWrite(deletable=False, delete_refusal="The shop settings are never "
                                "deleted; change them instead."),
}

#: Rows that are never changed after they are made (corrections are new rows), derived
#: from ``AFTER_WRITE``.
APPEND_ONLY: frozenset[str] = frozenset(
    name for name, rule in AFTER_WRITE.items() if rule.only is not None and not rule.deletable)

#: Allowed values of enumerated fields, checked on every write, local and on the server.
CHOICES: dict[tuple[str, str], tuple[str | None, ...]] = {
    ("customer", "kind"): rules.CUSTOMER_KINDS,
    ("vehicle", "odometer_unit"): rules.ODOMETER_UNITS,
    ("job", "status"): rules.JOB_STATUSES,
    ("job", "hold_reason"): (*rules.HOLD_REASONS, None),
    ("job_line", "kind"): rules.LINE_KINDS,
    ("job_line", "approval"): rules.APPROVALS,
    ("job_line", "part_status"): (*rules.PART_STATUSES, None),
    ("appointment", "status"): rules.APPOINTMENT_STATUSES,
    ("time_entry", "kind"): rules.TIME_ENTRY_KINDS,
    ("note", "kind"): rules.NOTE_KINDS,
    ("status_event", "from_status"): (*rules.JOB_STATUSES, None),
    ("status_event", "to_status"): rules.JOB_STATUSES,
    ("payment", "method"): rules.PAYMENT_METHODS,
}

_LABELS = {"job_line": "job line", "time_entry": "time entry", "status_event": "status event",
           "shop_settings": "shop settings", "technician_pin": "technician PIN"}


def entity_label(entity: str) -> str:
    """An entity's name as a person reads it ("job line")."""
    return _LABELS.get(entity, entity.replace("_", " "))


def plural(entity: str) -> str:
    if entity == "shop_settings":
        return "the shop settings"
    label = entity_label(entity)
    if label.endswith("y") and not label.endswith(("ay", "ey", "oy")):
        return label[:-1] + "ies"
    return label + ("es" if label.endswith("s") else "s")


def mapped_entities(base: Any) -> dict[str, Any]:
    """entity name → the class of ``base``'s registry mapping it, in ``ENTITY_MIXINS``
    order: the one declaration every entity list derives from. A declared entity without a
    class is an error at import, not a silent gap."""
    by_table = {m.class_.__tablename__: m.class_ for m in base.registry.mappers
                if hasattr(m.class_, "__tablename__")}
    out: dict[str, Any] = {}
    for name, mixin in ENTITY_MIXINS.items():
        cls = by_table.get(name)
        if cls is None or not issubclass(cls, mixin):
            raise RuntimeError(f"entity {name!r} of app.entities has no mapped class in "
                               f"{base.__module__}")
        out[name] = cls
    return out


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entity as it travels on the wire."""

    name: str
    kind: str  # "str" | "int" | "float" | "bool" | "time" | "json" | "id"
    nullable: bool

    def from_wire(self, value: Any) -> Any:
        """Turn a JSON value into the column value; ``ValueError`` names what is wrong."""
        if value is None:
            if self.nullable:
                return None
            raise ValueError(f"'{self.name}' cannot be empty")
        kind = self.kind
        if kind == "time":
            try:
                return parse_rfc3339(value)
            except (TypeError, ValueError):
                raise ValueError(f"'{self.name}' must be an RFC 3339 time") from None
        if kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"'{self.name}' must be true or false")
            return value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"'{self.name}' must be a whole number")
            if not -(2**53) <= value <= 2**53:
                raise ValueError(f"'{self.name}' is out of range")
            return value
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"'{self.name}' must be a number")
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"'{self.name}' must be a finite number")
            return float(value)
        if kind == "id":
            if not isinstance(value, str):
                raise ValueError(f"'{self.name}' must be a UUID")
            try:
                return str(uuid.UUID(value))
            except ValueError:
                raise ValueError(f"'{self.name}' must be a UUID") from None
        if kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"'{self.name}' must be text")
            if "\x00" in value:
                raise ValueError(f"'{self.name}' must not contain NUL characters.")
            return value
        return value  # json

    def to_wire(self, value: Any) -> Any:
        if self.kind == "time":
            return to_rfc3339(value)
        return value


def _kind_of(attr: str, column: Any) -> str:
    t = column.type
    if isinstance(t, UTCDateTime):
        return "time"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Float):
        return "float"
    if isinstance(t, JSON):
        return "json"
    if isinstance(t, String) and getattr(t, "length", None) == 36 and (attr == "id" or attr.endswith("_id")):
        return "id"
    return "str"


@dataclass(frozen=True)
class EntitySpec:
    """The wire description of one entity: its writable fields by name."""

    name: str
    fields: dict[str, FieldSpec]


def _spec_for(name: str, mixin: type) -> EntitySpec:
    fields: dict[str, FieldSpec] = {}
    annotations = mixin.__annotations__
    for attr, value in vars(mixin).items():
        column = getattr(value, "column", None)
        if column is None:
            continue
        nullable = "None" in str(annotations[attr]) or annotations[attr] == "Mapped[Any]"
        fields[attr] = FieldSpec(attr, _kind_of(attr, column), nullable)
    return EntitySpec(name, fields)


WIRE: dict[str, EntitySpec] = {name: _spec_for(name, m) for name, m in ENTITY_MIXINS.items()}
