"""A day's schedule, by bay and by technician: the appointments of the day, and the open
jobs that hold a bay or a technician now (queued, in progress, on hold)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Appointment, Bay, Customer, Job, Technician, Vehicle
from app.queries.common import day_bounds, vehicle_label

#: Open jobs in these states occupy their technician and bay.
ACTIVE_JOB_STATUSES: tuple[str, ...] = ("queued", "in_progress", "on_hold")


@dataclass(frozen=True)
class ScheduleItem:
    """An appointment (with its times) or an assigned open job (without)."""

    kind: str  # "appointment" | "job"
    id: str
    starts_at: datetime | None
    ends_at: datetime | None
    status: str
    customer: str
    vehicle: str
    plate: str
    job_id: str | None
    job_number: str | None
    technician_id: str | None
    bay_id: str | None
    notes: str

    @property
    def minutes(self) -> int:
        if self.starts_at is None or self.ends_at is None:
            return 0
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class Lane:
    """One bay or technician; ``id`` None is the lane of what is not assigned."""

    id: str | None
    name: str
    items: tuple[ScheduleItem, ...]

    @property
    def booked_minutes(self) -> int:
        return sum(i.minutes for i in self.items if i.kind == "appointment"
                   and i.status not in ("cancelled", "no_show"))


@dataclass(frozen=True)
class DaySchedule:
    day: date
    starts_at: datetime
    ends_at: datetime
    by_bay: tuple[Lane, ...]
    by_technician: tuple[Lane, ...]


def _order(item: ScheduleItem) -> tuple[int, float, str]:
    # appointments by time first, then the open jobs (no time) by number
    if item.starts_at is not None:
        return 0, item.starts_at.timestamp(), item.id
    return 1, 0.0, item.job_number or ""


def day_schedule(session: Session, day: date, tz: tzinfo | None = None, *,
                 include_cancelled: bool = False) -> DaySchedule:
    """The schedule of ``day`` (a calendar day in ``tz``, the computer's zone when None).

    Appointments overlapping the day are placed on their bay's and their technician's lane;
    open jobs in ``ACTIVE_JOB_STATUSES`` with a bay or technician appear on those lanes too,
    unless one of the day's appointments already carries them. Items with no bay (or no
    technician) go on a lane with id None, shown only when it has items.
    """
    start, end = day_bounds(day, tz)
    stmt = (
        select(Appointment.id, Appointment.starts_at, Appointment.ends_at, Appointment.status,
               Appointment.notes, Appointment.job_id, Appointment.technician_id,
               Appointment.bay_id, Customer.name, Vehicle.make, Vehicle.model, Vehicle.year,
               Vehicle.plate, Job.number)
        .outerjoin(Customer, Customer.id == Appointment.customer_id)
        .outerjoin(Vehicle, Vehicle.id == Appointment.vehicle_id)
        .outerjoin(Job, Job.id == Appointment.job_id)
        .where(Appointment.deleted_at.is_(None), Appointment.starts_at < end,
               Appointment.ends_at > start)
    )
    if not include_cancelled:
        stmt = stmt.where(Appointment.status != "cancelled")
    items: list[ScheduleItem] = []
    booked_jobs: set[str] = set()
    for (aid, starts, ends, status, notes, job_id, tech_id, bay_id, customer, make, model,
         year, plate, number) in session.execute(stmt):
        items.append(ScheduleItem("appointment", aid, starts, ends, status, customer or "",
                                  vehicle_label(make, model, year), plate or "", job_id, number,
                                  tech_id, bay_id, notes or ""))
        if job_id:
            booked_jobs.add(job_id)
    jobs = session.execute(
        select(Job.id, Job.number, Job.status, Job.concern, Job.technician_id, Job.bay_id,
               Customer.name, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate)
        .outerjoin(Customer, Customer.id == Job.customer_id)
        .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
        .where(Job.deleted_at.is_(None), Job.status.in_(ACTIVE_JOB_STATUSES),
               (Job.technician_id.is_not(None)) | (Job.bay_id.is_not(None))))
    for (jid, number, status, concern, tech_id, bay_id, customer, make, model, year,
         plate) in jobs:
        if jid in booked_jobs:
            continue
        items.append(ScheduleItem("job", jid, None, None, status, customer or "",
                                  vehicle_label(make, model, year), plate or "", jid, number,
                                  tech_id, bay_id, concern or ""))

    bays = session.execute(select(Bay.id, Bay.name).where(Bay.deleted_at.is_(None))
                           .order_by(Bay.name)).all()
    techs = session.execute(select(Technician.id, Technician.name, Technician.active)
                            .where(Technician.deleted_at.is_(None))
                            .order_by(Technician.name)).all()
    return DaySchedule(
        day, start, end,
        _lanes(items, "bay_id", [(b.id, b.name, True) for b in bays], "No bay"),
        _lanes(items, "technician_id", [(t.id, t.name, bool(t.active)) for t in techs],
               "Unassigned"))


def _lanes(items: list[ScheduleItem], key: str, owners: list[tuple[str, str, bool]],
           unassigned: str) -> tuple[Lane, ...]:
    by_owner: dict[str | None, list[ScheduleItem]] = defaultdict(list)
    for item in items:
        by_owner[getattr(item, key)].append(item)
    known = {oid for oid, _, _ in owners}
    lanes = [Lane(oid, name, tuple(sorted(by_owner.get(oid, ()), key=_order)))
             for oid, name, active in owners if active or by_owner.get(oid)]
    # items naming a bay or technician this replica does not have (yet) stay visible
    strays = [i for oid, group in by_owner.items() if oid is None or oid not in known
              for i in group]
    if strays:
        lanes.append(Lane(None, unassigned, tuple(sorted(strays, key=_order))))
    return tuple(lanes)
