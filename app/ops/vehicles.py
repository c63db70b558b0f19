"""Vehicles: VIN and year rules, odometer readings that only go up unless confirmed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app import validators
from app.db import Writer
from app.errors import ConfirmationRequired
from app.models import Customer, Vehicle
from app.queries.checkin import highest_reading


def _clean(w: Writer, fields: dict[str, Any], vehicle_id: str | None) -> dict[str, Any]:
    """The fields tidied by their rules (``app.validators``: VIN, year, plate...), with
    what only the replica can tell: the customer exists, the VIN is not on another car.
    (The VIN's check-digit warning comes from the ``Writer``, which validates again.)"""
    out = validators.validate_fields("vehicle", fields)
    if out.get("vin"):
        dup = w.session.scalar(
            select(Vehicle.id).where(Vehicle.vin == out["vin"], Vehicle.deleted_at.is_(None),
                                     Vehicle.id != (vehicle_id or "")))
        if dup:
            w.warn("Another vehicle already has this VIN; check for a duplicate record.")
    if out.get("customer_id"):
        w.get(Customer, out["customer_id"], what="customer")
    return out


def last_odometer(w: Writer, vehicle: Vehicle) -> int | None:
    """The highest reading known for ``vehicle``: its own, or any job's odometer in."""
    return highest_reading(w.session, vehicle.id, vehicle.odometer)


def check_odometer(w: Writer, vehicle: Vehicle, reading: int | None, confirm: bool,
                   field: str = "odometer") -> None:
    """Refuse a reading below the last one unless the person confirmed it."""
    if reading is None:
        return
    validators.validate_field("job" if field == "odometer_in" else "vehicle", field, reading)
    last = last_odometer(w, vehicle)
    if last is not None and reading < last and not confirm:
        raise ConfirmationRequired(
            f"{reading:,} {vehicle.odometer_unit} is lower than the last reading "
            f"({last:,} {vehicle.odometer_unit}). Was the cluster replaced, or is it a typo? "
            "Confirm to save it anyway.", field=field)


def create_vehicle(w: Writer, *, customer_id: str | None, vin: str = "", plate: str = "",
                   make: str = "", model: str = "", year: int | None = None,
                   odometer: int | None = None, odometer_unit: str = "km",
                   notes: str = "") -> str:
    fields = _clean(w, dict(customer_id=customer_id, vin=vin, plate=plate, make=make,
                            model=model, year=year, odometer=odometer,
                            odometer_unit=odometer_unit, notes=notes), None)
    return w.create(Vehicle, **fields).id


def update_vehicle(w: Writer, vehicle_id: str, *, confirm: bool = False, **fields: Any) -> str:
    row = w.get(Vehicle, vehicle_id, what="vehicle")
    cleaned = _clean(w, fields, vehicle_id)
    if "odometer" in cleaned:
        check_odometer(w, row, cleaned["odometer"], confirm)
    w.update(row, **cleaned)
    return row.id
