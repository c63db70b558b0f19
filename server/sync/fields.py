"""Turning a mutation's JSON fields into column values, with readable refusals.

Types come from ``app.entities.WIRE``; every other rule (lengths, ranges, choices, what a
desk refuses) from ``app.validators``, the same functions the replica's ``Writer`` runs, so
a value is refused here in the words the desk would have shown. A bad value is a rejected
mutation, never a database error.
"""

from __future__ import annotations

from typing import Any

from app import rules, validators
from app.entities import COMMON_FIELDS, WIRE
from app.errors import ValidationError

#: Fields that name a row of another entity (checked to exist in the same shop).
REFERENCES: dict[str, str] = {
    "customer_id": "customer", "vehicle_id": "vehicle", "job_id": "job",
    "technician_id": "technician", "bay_id": "bay", "corrects_id": "time_entry",
}


class Rejected(Exception):
    """A mutation that is permanently invalid or not allowed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        # A reason may quote what the client sent: keep it storable and printable (no NUL,
        # no lone surrogate), whatever that was.
        reason = reason.replace("\x00", "\\x00").encode("utf-8", "backslashreplace") \
            .decode("utf-8")
        super().__init__(reason)
        self.reason = reason


def defaults(entity: str) -> dict[str, Any]:
    """The value of every field of a new row that its creator did not send."""
    return validators.defaults(entity)


def required(entity: str) -> list[str]:
    """Fields a new row must be sent with (no default and not nullable)."""
    return validators.required(entity)


def convert(entity: str, name: str, value: Any) -> Any:
    """The column value of ``value`` for ``entity.name``; ``Rejected`` names the problem."""
    spec = WIRE[entity].fields.get(name)
    try:
        if spec is None or value is None:
            # no such field, or empty: refused (or tidied) in the desk's own words
            return validators.validate_field(entity, name, value)
        try:
            out = spec.from_wire(value)
        except ValueError as exc:
            # Refused in the words the desk would use for the same value, where it has some.
            validators.validate_field(entity, name, value)
            raise ValidationError(str(exc), field=name) from None
        return validators.validate_field(entity, name, out)
    except ValidationError as exc:
        if entity == "shop_settings" and exc.field:  # its messages do not name the setting
            raise Rejected(f"{exc.message} ('{exc.field}')") from None
        raise Rejected(exc.message) from None


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
