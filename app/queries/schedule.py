"""A day's schedule, by bay and by technician: the appointments of the day, and the open
jobs that hold a bay or a technician now (queued, in progress, on hold).

Also the day's hours on the shop's wall clock (23 or 25 of them on the days the clocks
change), wall-clock times turned into instants, and the customers and vehicles a booking
can be made for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Appointment, Bay, Customer, Job, Technician, Vehicle
from app.queries.common import day_bounds, shop_tz, vehicle_label
from app.queries.search import search

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
    customer_id: str | None = None
    vehicle_id: str | None = None

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
               Vehicle.plate, Job.number, Appointment.customer_id, Appointment.vehicle_id)
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
         year, plate, number, customer_id, vehicle_id) in session.execute(stmt):
        items.append(ScheduleItem("appointment", aid, starts, ends, status, customer or "",
                                  vehicle_label(make, model, year), plate or "", job_id, number,
                                  tech_id, bay_id, notes or "", customer_id, vehicle_id))
        if job_id:
            booked_jobs.add(job_id)
    jobs = session.execute(
        select(Job.id, Job.number, Job.status, Job.concern, Job.technician_id, Job.bay_id,
               Customer.name, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate,
               Job.customer_id, Job.vehicle_id)
        .outerjoin(Customer, Customer.id == Job.customer_id)
        .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
        .where(Job.deleted_at.is_(None), Job.status.in_(ACTIVE_JOB_STATUSES),
               (Job.technician_id.is_not(None)) | (Job.bay_id.is_not(None))))
    for (jid, number, status, concern, tech_id, bay_id, customer, make, model, year,
         plate, customer_id, vehicle_id) in jobs:
        if jid in booked_jobs:
            continue
        items.append(ScheduleItem("job", jid, None, None, status, customer or "",
                                  vehicle_label(make, model, year), plate or "", jid, number,
                                  tech_id, bay_id, concern or "", customer_id, vehicle_id))

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


# --- the day's hours on the shop's wall clock ---------------------------------------------

@dataclass(frozen=True)
class HourMark:
    """One hour of a day as the shop's clock shows it: the instant (UTC) and its label.

    ``changed`` marks the first hour after the clocks changed (its offset differs from the
    hour before), ``zone`` the zone's abbreviation then (``CEST``, ``CET``), so the second
    ``02:00`` of an autumn night can say which one it is.
    """

    at: datetime
    label: str
    zone: str
    changed: bool


def hour_marks(day: date, tz: tzinfo | None = None) -> tuple[HourMark, ...]:
    """Every whole hour of ``day`` in ``tz`` (the computer's zone when None), by real time:
    24 marks on most days, 23 when the clocks go forward (``00:00, 01:00, 03:00, ...``) and
    25 when they go back (``..., 02:00, 02:00, 03:00, ...``)."""
    zone = shop_tz(tz)
    start, end = day_bounds(day, zone)
    marks: list[HourMark] = []
    at, before = start, None
    while at < end:
        local = at.astimezone(zone)
        offset = local.utcoffset()
        marks.append(HourMark(at, local.strftime("%H:%M"), local.tzname() or "",
                              before is not None and offset != before))
        before = offset
        at += timedelta(hours=1)
    return tuple(marks)


def day_hours(day: date, tz: tzinfo | None = None) -> float:
    """How long ``day`` is on the shop's wall clock, in hours (23, 24 or 25; others where a
    zone changes by half an hour)."""
    start, end = day_bounds(day, tz)
    return (end - start).total_seconds() / 3600


def clock_change_note(day: date, tz: tzinfo | None = None) -> str:
    """A sentence for a day on which the clocks change, else ``""``."""
    marks = hour_marks(day, tz)
    hours = day_hours(day, tz)
    if hours == 24:
        return ""
    changed = next((m for m in marks if m.changed), None)
    length = f"{hours:g} hours"
    if changed is None:
        return f"This day has {length}."
    zone = shop_tz(tz)
    before = (changed.at - timedelta(microseconds=1)).astimezone(zone)
    after = changed.at.astimezone(zone)
    old_wall = (before + timedelta(microseconds=1)).replace(tzinfo=None)
    way = "forward" if hours < 24 else "back"
    return (f"The clocks go {way} at {old_wall:%H:%M} (to {after:%H:%M}): this day has "
            f"{length}.")


def wall_time(day: date, at: time, tz: tzinfo | None = None) -> datetime:
    """The instant (UTC) the shop's clock shows ``at`` on ``day``.

    A time the clocks skip (02:30 on a spring-forward night) raises ``ValueError`` saying
    so; a time that happens twice (02:30 on an autumn night) is its first occurrence.
    """
    zone = shop_tz(tz)
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(f"{at:%H:%M} does not exist on {day:%a %d %b}: the clocks go "
                         "forward that night.")
    return instant


# --- whom a booking is for ----------------------------------------------------------------

@dataclass(frozen=True)
class BookingChoice:
    """A customer and one of their vehicles (either may be missing) to book for."""

    customer_id: str | None
    customer: str
    vehicle_id: str | None
    vehicle: str
    plate: str

    @property
    def label(self) -> str:
        car = " · ".join(p for p in (self.vehicle, self.plate) if p)
        if self.customer and car:
            return f"{self.customer} — {car}"
        return self.customer or car or "(nobody)"


def booking_choices(session: Session, text: str, *, limit: int = 12
                    ) -> tuple[BookingChoice, ...]:
    """Customers and their vehicles matching ``text`` (``app.queries.search``: name,
    phone, plate, VIN, job number), best first: a customer with each of their vehicles, a
    vehicle with its owner, a job with its customer and vehicle."""
    hits = search(session, text, limit=limit)
    customer_ids = {h.id for h in hits if h.kind == "customer"}
    vehicle_ids = {h.id for h in hits if h.kind == "vehicle"}
    job_ids = {h.id for h in hits if h.kind == "job"}
    jobs = {jid: (cid, vid) for jid, cid, vid in session.execute(
        select(Job.id, Job.customer_id, Job.vehicle_id).where(Job.id.in_(job_ids)))}
    vehicle_ids |= {vid for _, vid in jobs.values() if vid}
    customer_ids |= {cid for cid, _ in jobs.values() if cid}
    cars = {r.id: r for r in session.execute(
        select(Vehicle.id, Vehicle.customer_id, Vehicle.make, Vehicle.model, Vehicle.year,
               Vehicle.plate)
        .where(Vehicle.deleted_at.is_(None),
               Vehicle.id.in_(vehicle_ids) | Vehicle.customer_id.in_(customer_ids))
        .order_by(Vehicle.year.desc(), Vehicle.id))}
    customer_ids |= {c.customer_id for c in cars.values() if c.customer_id}
    names: dict[str, str] = {cid: name for cid, name in session.execute(
        select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids),
                                                 Customer.deleted_at.is_(None)))}

    def choice(cid: str | None, vid: str | None) -> BookingChoice:
        car = cars.get(vid) if vid else None
        return BookingChoice(cid if cid in names else None, names.get(cid or "", ""),
                             vid if car is not None else None,
                             vehicle_label(car.make, car.model, car.year) if car else "",
                             (car.plate or "") if car else "")

    found: list[BookingChoice] = []
    for hit in hits:
        if hit.kind == "customer":
            if hit.id not in names:
                continue
            own = [c for c in cars.values() if c.customer_id == hit.id]
            found += [choice(hit.id, c.id) for c in own] or [choice(hit.id, None)]
        elif hit.kind == "vehicle" and hit.id in cars:
            found.append(choice(cars[hit.id].customer_id, hit.id))
        elif hit.kind == "job" and hit.id in jobs:
            found.append(choice(*jobs[hit.id]))
    unique: dict[tuple[str | None, str | None], BookingChoice] = {}
    for c in found:
        if c.customer_id or c.vehicle_id:
            unique.setdefault((c.customer_id, c.vehicle_id), c)
    return tuple(unique.values())[:limit]
