"""Appointments: booking, moving and cancelling, never double-booking a technician or bay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import validators
from app.db import Writer
from app.errors import DoubleBooking, ValidationError
from app.models import Appointment, Bay, Customer, Job, Technician, Vehicle
from app.scheduling import INACTIVE_APPOINTMENT_STATUSES, find_clash


def _describe(w: Writer, clash: Appointment, field: str) -> str:
    if field == "technician_id":
        tech = w.session.get(Technician, clash.technician_id)
        who = tech.name if tech else "That technician"
    else:
        bay = w.session.get(Bay, clash.bay_id)
        who = bay.name if bay else "That bay"
    customer = w.session.get(Customer, clash.customer_id) if clash.customer_id else None
    whom = f" ({customer.name})" if customer else ""
    return (f"{who} is already booked {clash.starts_at:%a %d %b %H:%M}–{clash.ends_at:%H:%M} "
            f"UTC{whom}.")


def _check(w: Writer, appt: dict[str, Any], exclude_id: str | None) -> None:
    starts, ends = appt["starts_at"], appt["ends_at"]
    if starts is None or ends is None:
        raise ValidationError("An appointment needs a start and an end.", field="starts_at")
    validators.validate_row("appointment", appt)  # before the clash search reads the times
    for field, model in (("customer_id", Customer), ("vehicle_id", Vehicle), ("job_id", Job),
                         ("technician_id", Technician), ("bay_id", Bay)):
        if appt.get(field):
            w.get(model, appt[field])
    if appt.get("status") in INACTIVE_APPOINTMENT_STATUSES:
        return
    found = find_clash(w.session, Appointment, shop_id=w.shop_id, starts_at=starts, ends_at=ends,
                       technician_id=appt.get("technician_id"), bay_id=appt.get("bay_id"),
                       exclude_id=exclude_id)
    if found is not None:
        field, clash = found
        raise DoubleBooking(_describe(w, clash, field), field=field, clash_id=clash.id)


def book(w: Writer, *, starts_at: datetime, ends_at: datetime, customer_id: str | None = None,
         vehicle_id: str | None = None, job_id: str | None = None,
         technician_id: str | None = None, bay_id: str | None = None, notes: str = "",
         status: str = "scheduled") -> str:
    fields: dict[str, Any] = dict(starts_at=starts_at, ends_at=ends_at, customer_id=customer_id,
                                  vehicle_id=vehicle_id, job_id=job_id,
                                  technician_id=technician_id, bay_id=bay_id,
                                  notes=notes, status=status)
    _check(w, fields, None)
    return w.create(Appointment, **fields).id


def update(w: Writer, appointment_id: str, **fields: Any) -> str:
    """Reschedule or reassign; the result is checked for double booking again."""
    appt = w.get(Appointment, appointment_id, what="appointment")
    merged = {name: getattr(appt, name) for name in
              ("starts_at", "ends_at", "customer_id", "vehicle_id", "job_id", "technician_id",
               "bay_id", "status")}
    merged.update(fields)
    _check(w, merged, appt.id)
    w.update(appt, **fields)
    return appt.id


def set_status(w: Writer, appointment_id: str, status: str) -> str:
    return update(w, appointment_id, status=status)


def cancel(w: Writer, appointment_id: str) -> str:
    return set_status(w, appointment_id, "cancelled")
