"""Jobs (repair orders), their lines and their status moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app import rules, validators
from app.db import Writer
from app.errors import TransitionError, ValidationError
from app.models import Bay, Customer, Job, JobLine, StatusEvent, Technician, TimeEntry, Vehicle
from app.ops.vehicles import check_odometer

#: Fields of a job an edit form may change directly (status and assignment have their own ops).
EDITABLE_JOB_FIELDS = frozenset({
    "customer_id", "vehicle_id", "priority", "concern", "promised_at", "customer_waiting",
    "odometer_in", "estimated_minutes", "hold_reason",
})


def provisional_number(w: Writer) -> str:
    """A job number unique on this device until the server assigns the final one."""
    n = w.state.next_provisional
    w.state.next_provisional = n + 1
    return f"P-{w.state.device_code}-{n}"


def is_provisional(number: str) -> bool:
    return number.startswith("P-")


def _open_job(w: Writer, job_id: str) -> Job:
    job = w.get(Job, job_id, what="job")
    if job.status in rules.FINAL_STATUSES:
        raise ValidationError(f"Job {job.number} is {job.status}; it can no longer be changed.")
    return job


def _check_refs(w: Writer, fields: dict[str, Any]) -> None:
    if fields.get("customer_id"):
        w.get(Customer, fields["customer_id"], what="customer")
    if fields.get("vehicle_id"):
        vehicle = w.get(Vehicle, fields["vehicle_id"], what="vehicle")
        if fields.get("customer_id") and vehicle.customer_id not in (None, fields["customer_id"]):
            raise ValidationError("That vehicle belongs to another customer.", field="vehicle_id")


def create_job(w: Writer, *, customer_id: str | None, vehicle_id: str | None,
               concern: str = "", status: str = "queued", promised_at: datetime | None = None,
               customer_waiting: bool = False, priority: int = 0,
               estimated_minutes: int | None = None, odometer_in: int | None = None,
               confirm_odometer: bool = False, by_id: str | None = None) -> str:
    """Write up a job (status ``estimate`` or ``queued``) with a provisional number."""
    if status not in ("estimate", "queued"):
        raise ValidationError("A new job starts as an estimate or queued.", field="status")
    fields: dict[str, Any] = validators.validate_fields("job", dict(
        customer_id=customer_id, vehicle_id=vehicle_id, concern=concern,
        promised_at=promised_at, customer_waiting=customer_waiting, priority=priority,
        estimated_minutes=estimated_minutes, odometer_in=odometer_in))
    _check_refs(w, fields)
    if vehicle_id and odometer_in is not None:
        vehicle = w.get(Vehicle, vehicle_id)
        check_odometer(w, vehicle, odometer_in, confirm_odometer, field="odometer_in")
        if vehicle.odometer is None or odometer_in > vehicle.odometer or confirm_odometer:
            w.update(vehicle, odometer=odometer_in)
    job = w.create(Job, number=provisional_number(w), status=status, **fields)
    w.create(StatusEvent, job_id=job.id, from_status=None, to_status=status, by_id=by_id,
             at=w.now, device_id=w.device_id)
    return job.id


def update_job(w: Writer, job_id: str, *, confirm_odometer: bool = False, **fields: Any) -> str:
    unknown = set(fields) - EDITABLE_JOB_FIELDS
    if unknown:
        raise ValidationError(f"Use the status and assignment actions to change: "
                              f"{', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    job = _open_job(w, job_id)
    fields = validators.validate_fields("job", fields)
    _check_refs(w, fields)
    if fields.get("odometer_in") is not None and job.vehicle_id:
        check_odometer(w, w.get(Vehicle, job.vehicle_id), fields["odometer_in"],
                       confirm_odometer, field="odometer_in")
    w.update(job, **fields)
    return job.id


def _stop_clocks_on(w: Writer, job_id: str) -> None:
    open_entries = w.session.scalars(
        select(TimeEntry).where(TimeEntry.job_id == job_id, TimeEntry.kind == "job",
                                TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None)))
    for entry in open_entries:
        w.update(entry, urgent=True, ended_at=w.now)


def move_status(w: Writer, job_id: str, to_status: str, *, hold_reason: str | None = None,
                by_id: str | None = None) -> str:
    """Move a job along the table of moves, with its ``status_event``; pushed at once.

    Moving a job out of work (on hold, ready, back to the queue, closed, cancelled) ends any
    open clock on it: nobody can be working on a job that waits for parts.
    """
    job = w.get(Job, job_id, what="job")
    frm = job.status
    if not rules.can_move(frm, to_status):
        raise TransitionError(rules.describe_refused_move(frm, to_status),
                              rules.allowed_moves(frm))
    fields: dict[str, Any] = {"status": to_status}
    if to_status == "on_hold":
        fields["hold_reason"] = validators.validate_field("job", "hold_reason",
                                                          hold_reason or "other")
    elif job.hold_reason is not None:
        fields["hold_reason"] = None
    if to_status == "ready":
        fields["completed_at"] = w.now
    elif to_status == "closed":
        fields["closed_at"] = w.now
    elif to_status == "in_progress" and job.completed_at is not None:
        fields["completed_at"] = None  # reopened: it is no longer complete
    if to_status != "in_progress":
        _stop_clocks_on(w, job.id)
    w.update(job, urgent=True, **fields)
    w.create(StatusEvent, urgent=True, job_id=job.id, from_status=frm, to_status=to_status,
             by_id=by_id, at=w.now, device_id=w.device_id)
    return job.id


_UNSET: Any = object()


def assign(w: Writer, job_id: str, *, technician_id: str | None = _UNSET,
           bay_id: str | None = _UNSET) -> str:
    """Assign (or unassign, with None) a job's technician and/or bay."""
    job = _open_job(w, job_id)
    fields: dict[str, Any] = {}
    if technician_id is not _UNSET:
        if technician_id is not None:
            tech = w.get(Technician, technician_id, what="technician")
            if not tech.active:
                raise ValidationError(f"{tech.name} is not active.", field="technician_id")
        fields["technician_id"] = technician_id
    if bay_id is not _UNSET:
        if bay_id is not None:
            w.get(Bay, bay_id, what="bay")
        fields["bay_id"] = bay_id
    w.update(job, urgent=True, **fields)
    return job.id


# --- lines ----------------------------------------------------------------------------

def add_line(w: Writer, job_id: str, *, kind: str, description: str, quantity: float = 1.0,
             unit_price_cents: int = 0, approval: str = "pending",
             technician_id: str | None = None, part_status: str | None = None,
             service_code: str | None = None, part_number: str = "") -> str:
    _open_job(w, job_id)
    if kind == "part" and part_status is None:
        part_status = "needed"
    if technician_id:
        w.get(Technician, technician_id, what="technician")
    # Each field's rule, and the rules between them (a part status only on a part line, a
    # negative price only on a fee line), are app.validators' (the Writer applies them).
    return w.create(JobLine, job_id=job_id, kind=kind, description=description,
                    quantity=quantity, unit_price_cents=unit_price_cents, approval=approval,
                    technician_id=technician_id, part_status=part_status,
                    service_code=service_code, part_number=part_number, done=False).id


def update_line(w: Writer, line_id: str, **fields: Any) -> str:
    line = w.get(JobLine, line_id, what="job line")
    _open_job(w, line.job_id)
    w.update(line, **fields)  # a line's kind never changes: app.entities.AFTER_WRITE
    return line.id


def set_approval(w: Writer, line_id: str, approval: str) -> str:
    return update_line(w, line_id, approval=approval)


def delete_line(w: Writer, line_id: str) -> str:
    line = w.get(JobLine, line_id, what="job line")
    _open_job(w, line.job_id)
    w.delete(line)
    return line.id
