"""Turning a mutation's JSON fields into column values, with readable refusals.

Types come from ``app.entities.WIRE`` and allowed values from ``CHOICES``; on top of them
the server checks what its columns can hold (text lengths, 32-bit integers) so a bad value
is a rejected mutation, never a database error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, Text

from app import rules
from app.entities import CHOICES, COMMON_FIELDS, WIRE, FieldSpec
from server.models import ENTITIES, MAX_TEXT_CHARS

INT32 = (-(2**31), 2**31 - 1)

#: Fields that name a row of another entity (checked to exist in the same shop).
REFERENCES: dict[str, str] = {
    "customer_id": "customer", "vehicle_id": "vehicle", "job_id": "job",
    "technician_id": "technician", "bay_id": "bay", "corrects_id": "time_entry",
}


class Rejected(Exception):
    """A mutation that is permanently invalid or not allowed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Column:
    spec: FieldSpec
    max_length: int | None
    int32: bool
    column: Any


def _default(column: Any) -> Any:
    d = column.default
    if d is None:
        return None
    if d.is_callable:
        return d.arg(None)
    return d.arg


def _columns(entity: str) -> dict[str, Column]:
    table = ENTITIES[entity].__table__
    out: dict[str, Column] = {}
    for name, spec in WIRE[entity].fields.items():
        col = table.c[name]
        t = col.type
        max_length = MAX_TEXT_CHARS if isinstance(t, Text) else (
            t.length if isinstance(t, String) else None)
        out[name] = Column(spec, max_length, isinstance(t, Integer), col)
    return out


_COLUMNS: dict[str, dict[str, Column]] = {e: _columns(e) for e in ENTITIES}


def defaults(entity: str) -> dict[str, Any]:
    """The value of every field of a new row that its creator did not send."""
    out: dict[str, Any] = {}
    for name, col in _COLUMNS[entity].items():
        out[name] = _default(col.column)
    return out


def required(entity: str) -> list[str]:
    """Fields a new row must be sent with (no default and not nullable)."""
    return [name for name, col in _COLUMNS[entity].items()
            if col.column.default is None and not col.spec.nullable]


def convert(entity: str, name: str, value: Any) -> Any:
    """The column value of ``value`` for ``entity.name``; ``Rejected`` names the problem."""
    col = _COLUMNS[entity].get(name)
    if col is None:
        shown = name.encode("ascii", "backslashreplace").decode()[:64]
        raise Rejected(f"A {entity.replace('_', ' ')} has no field '{shown}'.")
    try:
        out = col.spec.from_wire(value)
    except ValueError as exc:
        raise Rejected(str(exc)) from None
    if out is None:
        return None
    _check_text(name, out)
    if col.max_length is not None and isinstance(out, str) and len(out) > col.max_length:
        raise Rejected(f"'{name}' can be at most {col.max_length:,} characters long.")
    if col.int32 and isinstance(out, int) and not INT32[0] <= out <= INT32[1]:
        raise Rejected(f"'{name}' is out of range.")
    allowed = CHOICES.get((entity, name))
    if allowed is not None and out not in allowed:
        shown = ", ".join(str(a) for a in allowed if a is not None)
        raise Rejected(f"'{value}' is not a valid {name.replace('_', ' ')}; choose one of: "
                       f"{shown}.")
    return _special(entity, name, out)


def _check_text(name: str, value: Any) -> None:
    """Strings (also inside JSON values) must be storable: UTF-8 without NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Rejected(f"'{name}' must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Rejected(f"'{name}' is not valid Unicode text.") from None
    elif isinstance(value, list):
        for item in value:
            _check_text(name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(name, key)
            _check_text(name, item)


def _special(entity: str, name: str, value: Any) -> Any:
    if entity == "vehicle" and name == "vin":
        try:
            return rules.check_vin(value).vin
        except ValueError as exc:
            raise Rejected(str(exc)) from None
    if entity == "vehicle" and name == "year":
        try:
            rules.check_vehicle_year(value)
        except ValueError as exc:
            raise Rejected(str(exc)) from None
    if name in ("odometer", "odometer_in", "estimated_minutes", "daily_capacity_minutes") \
            and value < 0:
        raise Rejected(f"'{name}' cannot be negative.")
    if entity == "technician" and name == "skills":
        if not isinstance(value, list) or not all(isinstance(s, str) and 0 < len(s) <= 100
                                                  and "\x00" not in s for s in value):
            raise Rejected("'skills' must be a list of short texts.")
        if len(value) > 100:
            raise Rejected("A technician has at most 100 skills.")
    if entity == "status_event" and name in ("from_status", "to_status") \
            and value not in rules.JOB_STATUSES:
        raise Rejected(f"'{value}' is not a job status.")
    if entity == "conflict" and name not in ("resolved_at", "resolved_by"):
        raise Rejected("Only the server writes conflicts; a client may only resolve one.")
    return value


def convert_fields(entity: str, row_id: str, shop_id: str,
                   fields: dict[str, Any]) -> dict[str, Any]:
    """All of a mutation's fields converted; the common columns are checked and dropped."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in COMMON_FIELDS:
            if name == "id" and value != row_id:
                raise Rejected("'id' differs from the mutation's row_id.")
            if name == "shop_id" and value != shop_id:
                raise Rejected("This row names another shop.")
            continue  # created_at, updated_at and deleted_at are the server's to set
        out[name] = convert(entity, name, value)
    return out


def to_wire(entity: str, name: str, value: Any) -> Any:
    return WIRE[entity].fields[name].to_wire(value)


def same(entity: str, name: str, wire_value: Any, current: Any) -> bool:
    """True when a base value sent on the wire equals the column's current value."""
    try:
        value = WIRE[entity].fields[name].from_wire(wire_value)
    except (ValueError, KeyError):
        return False
    if entity == "vehicle" and name == "vin" and isinstance(value, str):
        value = rules.normalize_vin(value)
    return bool(value == current)
