"""Appointments: booking, moving and cancelling, never double-booking a technician or bay;
and the customer's arrival, which checks the appointment in and opens its job."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from app import validators
from app.db import Writer
from app.errors import DoubleBooking, ValidationError
from app.models import Appointment, Bay, Customer, Job, Technician, Vehicle
from app.ops import jobs
from app.queries.common import shop_tz
from app.scheduling import INACTIVE_APPOINTMENT_STATUSES, find_clash

#: An appointment in one of these states can be checked in (the customer arrived).
ARRIVABLE_STATUSES: tuple[str, ...] = ("scheduled", "confirmed")


def _describe(w: Writer, clash: Appointment, field: str, tz: tzinfo | None = None) -> str:
    """The clash in words, with its times on the shop's wall clock (``tz``; the computer's
    zone when None), as the schedule shows them."""
    if field == "technician_id":
        tech = w.session.get(Technician, clash.technician_id)
        who = tech.name if tech else "That technician"
    else:
        bay = w.session.get(Bay, clash.bay_id)
        who = bay.name if bay else "That bay"
    customer = w.session.get(Customer, clash.customer_id) if clash.customer_id else None
    whom = f" ({customer.name})" if customer else ""
    zone = shop_tz(tz)
    starts, ends = clash.starts_at.astimezone(zone), clash.ends_at.astimezone(zone)
    return f"{who} is already booked {starts:%a %d %b %H:%M}–{ends:%H:%M}{whom}."


def _check(w: Writer, appt: dict[str, Any], exclude_id: str | None,
           tz: tzinfo | None = None) -> None:
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
        raise DoubleBooking(_describe(w, clash, field, tz), field=field, clash_id=clash.id)


def book(w: Writer, *, starts_at: datetime, ends_at: datetime, customer_id: str | None = None,
         vehicle_id: str | None = None, job_id: str | None = None,
         technician_id: str | None = None, bay_id: str | None = None, notes: str = "",
         status: str = "scheduled", tz: tzinfo | None = None) -> str:
    """Book an appointment; a double booking is refused (``DoubleBooking`` names the clash,
    its times in ``tz``, the shop's zone)."""
    fields: dict[str, Any] = dict(starts_at=starts_at, ends_at=ends_at, customer_id=customer_id,
                                  vehicle_id=vehicle_id, job_id=job_id,
                                  technician_id=technician_id, bay_id=bay_id,
                                  notes=notes, status=status)
    _check(w, fields, None, tz)
    return w.create(Appointment, **fields).id


def update(w: Writer, appointment_id: str, *, tz: tzinfo | None = None, **fields: Any) -> str:
    """Reschedule or reassign; the result is checked for double booking again (the clash's
    times in words in ``tz``, the shop's zone)."""
    appt = w.get(Appointment, appointment_id, what="appointment")
    merged = {name: getattr(appt, name) for name in
              ("starts_at", "ends_at", "customer_id", "vehicle_id", "job_id", "technician_id",
               "bay_id", "status")}
    merged.update(fields)
    _check(w, merged, appt.id, tz)
    w.update(appt, **fields)
    return appt.id


def set_status(w: Writer, appointment_id: str, status: str) -> str:
    return update(w, appointment_id, status=status)


def cancel(w: Writer, appointment_id: str) -> str:
    return set_status(w, appointment_id, "cancelled")


def check_in(w: Writer, appointment_id: str, *, by_id: str | None = None) -> str:
    """The customer arrived: the appointment becomes ``arrived`` and its job is opened, in
    one transaction; returns the job's id.

    The job is queued for the appointment's customer and vehicle, its concern the
    appointment's notes, promised for the appointment's end (when that is still ahead),
    assigned to its bay and (an active) technician. An appointment booked for a job already
    written up brings that job instead of a second one.
    """
    appt = w.get(Appointment, appointment_id, what="appointment")
    if appt.status not in ARRIVABLE_STATUSES:
        if appt.status == "arrived":
            raise ValidationError("This appointment is already checked in.", field="status")
        raise ValidationError(f"A {appt.status.replace('_', ' ')} appointment cannot be "
                              "checked in; book it again first.", field="status")
    job_id = appt.job_id
    if job_id is not None:
        job = w.session.get(Job, job_id)
        if job is None or job.deleted_at is not None or job.status in ("closed", "cancelled"):
            job_id = None  # its job is gone or finished: this visit gets a new one
    if job_id is None:
        job_id = jobs.create_job(w, customer_id=appt.customer_id, vehicle_id=appt.vehicle_id,
                                 concern=appt.notes or "", status="queued", by_id=by_id,
                                 promised_at=appt.ends_at if appt.ends_at > w.now else None)
        assignment: dict[str, Any] = {}
        if appt.bay_id and w.session.get(Bay, appt.bay_id) is not None:
            assignment["bay_id"] = appt.bay_id
        tech = w.session.get(Technician, appt.technician_id) if appt.technician_id else None
        if tech is not None and tech.active and tech.deleted_at is None:
            assignment["technician_id"] = tech.id
        if assignment:
            jobs.assign(w, job_id, **assignment)
    # the booking itself does not move: no double-booking check on arrival
    w.update(appt, status="arrived", job_id=job_id)
    return job_id
