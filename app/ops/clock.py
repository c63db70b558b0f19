"""Clocking on and off: time entries are append-only, corrections are new rows.

Rules: at most one open job entry per technician (clocking onto another job ends the one
before), at most one open shift; clocking onto a job opens a shift when none is open. A
corrected entry no longer counts: its latest correction does (``app.timeclock``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app import rules, validators
from app.db import Writer
from app.errors import ValidationError
from app.models import Job, Technician, TimeEntry
from app.timeclock import is_effective


def open_entry(w: Writer, technician_id: str, kind: str) -> TimeEntry | None:
    """The technician's open entry of ``kind``; a corrected entry is not open any more."""
    return w.session.scalars(
        select(TimeEntry).where(TimeEntry.technician_id == technician_id,
                                TimeEntry.kind == kind, TimeEntry.ended_at.is_(None),
                                TimeEntry.deleted_at.is_(None), is_effective(TimeEntry))
        .order_by(TimeEntry.started_at.desc())).first()


def _technician(w: Writer, technician_id: str) -> Technician:
    tech = w.get(Technician, technician_id, what="technician")
    if not tech.active:
        raise ValidationError(f"{tech.name} is not active.", field="technician_id")
    return tech


def start_shift(w: Writer, technician_id: str) -> str:
    _technician(w, technician_id)
    current = open_entry(w, technician_id, "shift")
    if current is not None:
        return current.id
    return w.create(TimeEntry, urgent=True, technician_id=technician_id, job_id=None,
                    kind="shift", started_at=w.now, ended_at=None, device_id=w.device_id,
                    corrects_id=None, reason="").id


def end_shift(w: Writer, technician_id: str) -> str | None:
    """End the shift, and the job clock with it."""
    clock_off(w, technician_id)
    current = open_entry(w, technician_id, "shift")
    if current is None:
        return None
    w.update(current, urgent=True, ended_at=w.now)
    return current.id


def clock_on(w: Writer, technician_id: str, job_id: str) -> str:
    """Start the technician's clock on ``job_id``; an open clock on another job ends now."""
    tech = _technician(w, technician_id)
    job = w.get(Job, job_id, what="job")
    # the same rule as move_status, which stops the clocks of a job leaving work
    refusal = rules.clock_on_refusal(job.number, job.status)
    if refusal is not None:
        raise ValidationError(refusal, field="job_id")
    current = open_entry(w, technician_id, "job")
    if current is not None:
        if current.job_id == job_id:
            raise ValidationError(f"{tech.name} is already clocked on to job {job.number}.",
                                  field="job_id")
        w.update(current, urgent=True, ended_at=w.now)
    start_shift(w, technician_id)
    return w.create(TimeEntry, urgent=True, technician_id=technician_id, job_id=job_id,
                    kind="job", started_at=w.now, ended_at=None, device_id=w.device_id,
                    corrects_id=None, reason="").id


def clock_off(w: Writer, technician_id: str) -> str | None:
    """End the technician's open job entry; None when nothing was open."""
    current = open_entry(w, technician_id, "job")
    if current is None:
        return None
    w.update(current, urgent=True, ended_at=w.now)
    return current.id


def correct(w: Writer, entry_id: str, *, started_at: datetime, ended_at: datetime | None,
            reason: str) -> str:
    """Record a correction of ``entry_id`` as a new row; the original stays for the audit.

    Only the entry that is open now may stay open (``ended_at=None``), so a correction never
    opens a second clock; and the open shift cannot be ended while a job clock runs in it.
    """
    original = w.get(TimeEntry, entry_id, what="time entry")
    reason = validators.validate_field("time_entry", "reason", reason)
    validators.validate_row("time_entry", {"corrects_id": original.id, "reason": reason})
    if ended_at is not None and ended_at <= started_at:
        raise ValidationError("The end must be after the start.", field="ended_at")
    if ended_at is not None and (ended_at - started_at).total_seconds() > 24 * 3600:
        raise ValidationError("One entry cannot be longer than 24 hours.", field="ended_at")
    if max(started_at, ended_at or started_at) > w.now:
        raise ValidationError("A correction cannot be in the future.", field="ended_at")
    current = open_entry(w, original.technician_id, original.kind)
    is_current = current is not None and (current.corrects_id or current.id) == (
        original.corrects_id or original.id)
    if ended_at is None and not is_current:
        raise ValidationError("Only the entry that is open now can stay open; "
                              "give this one an end time.", field="ended_at")
    if (original.kind == "shift" and is_current and ended_at is not None
            and open_entry(w, original.technician_id, "job") is not None):
        raise ValidationError("Clock off the job before ending the shift.", field="ended_at")
    return w.create(TimeEntry, technician_id=original.technician_id, job_id=original.job_id,
                    kind=original.kind, started_at=started_at, ended_at=ended_at,
                    device_id=w.device_id, corrects_id=original.corrects_id or original.id,
                    reason=reason).id
