"""The live boards: the queue of open jobs by status, and the technicians with their load."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from app import rules
from app.models import Job, JobLine, Technician, TimeEntry, Vehicle
from app.queries.common import (
    clipped_seconds,
    day_bounds,
    local_day,
    stored_time,
    vehicle_label,
)
from app.timeclock import is_effective

#: Part lines in these states have not reached the shop yet.
WAITING_PART_STATUSES: tuple[str, ...] = ("needed", "ordered")


class QueueCard(NamedTuple):
    """One open job on the queue board (a named tuple: a board makes thousands of them on
    every repaint, and a tuple is built about five times faster than a frozen dataclass)."""

    job_id: str
    number: str
    status: str
    vehicle: str
    plate: str
    customer: str
    technician: str | None
    promised_at: datetime | None
    #: Promised before now and not ready yet.
    overdue: bool
    hold_reason: str | None
    customer_waiting: bool
    priority: int
    #: Part lines (not declined) still needed or ordered.
    parts_waiting: int


@dataclass(frozen=True)
class QueueColumn:
    status: str
    label: str
    cards: tuple[QueueCard, ...]


@dataclass(frozen=True)
class QueueBoard:
    at: datetime
    columns: tuple[QueueColumn, ...]

    @property
    def total(self) -> int:
        return sum(len(c.cards) for c in self.columns)

    @property
    def overdue(self) -> int:
        return sum(card.overdue for c in self.columns for card in c.cards)

    def column(self, status: str) -> QueueColumn:
        return next(c for c in self.columns if c.status == status)


def is_overdue(promised: datetime | None, status: str, now: datetime) -> bool:
    """The overdue rule of every board: promised before ``now`` and not ready yet."""
    return promised is not None and promised < now and status != "ready"


def queue_card(job_id: str, number: str, status: str, vehicle: str, plate: str | None,
               customer: str | None, technician: str | None, promised: datetime | None,
               hold_reason: str | None, customer_waiting: object, priority: int | None,
               parts_waiting: int, now: datetime) -> QueueCard:
    """A job's queue card from its columns as read (the full board and the by-id repaint
    build it here, so the two never disagree)."""
    return QueueCard(job_id, number, status, vehicle, plate or "", customer or "", technician,
                     promised, is_overdue(promised, status, now), hold_reason,
                     bool(customer_waiting), priority or 0, parts_waiting)


def parts_waiting(session: Session, job_ids: Collection[str] | None = None) -> dict[str, int]:
    """job id → part lines (not declined) still needed or ordered, of every job or of
    ``job_ids``. Every job: one grouped read of the covering index
    ``ix_job_line_waiting_parts``, cheaper than a count per open job."""
    query = (select(JobLine.job_id, func.count())
             .where(JobLine.part_status.in_(WAITING_PART_STATUSES), JobLine.kind == "part",
                    JobLine.approval != "declined", JobLine.deleted_at.is_(None))
             .group_by(JobLine.job_id))
    if job_ids is not None:
        query = query.where(JobLine.job_id.in_(list(job_ids)))
    return {job_id: n for job_id, n in session.execute(query)}


#: The board's one query, written out so it can name its indexes (SQLAlchemy renders no
#: SQLite ``INDEXED BY`` hints). Its WHERE must state ``OPEN_JOB_CONDITION`` literally for
#: SQLite to use the partial index ``ix_job_open``; a test holds the two together. The
#: promise is read as stored text and parsed once (``stored_time``).
QUEUE_SQL = text(
    "SELECT job.id, job.number, job.status, job.hold_reason, job.priority, "
    "job.customer_waiting, job.promised_at, job.technician_id, "
    "vehicle.make, vehicle.model, vehicle.year, vehicle.plate, customer.name "
    "FROM job INDEXED BY ix_job_open "
    "LEFT OUTER JOIN vehicle INDEXED BY ix_vehicle_board ON vehicle.id = job.vehicle_id "
    "LEFT OUTER JOIN customer INDEXED BY ix_customer_board ON customer.id = job.customer_id "
    "WHERE job.status IN ('estimate', 'queued', 'in_progress', 'on_hold', 'ready') "
    "AND job.deleted_at IS NULL "
    "ORDER BY job.priority DESC, job.customer_waiting DESC, job.promised_at IS NULL, "
    "job.promised_at, job.number"
)


def queue_board(session: Session, now: datetime) -> QueueBoard:
    """Open jobs (estimate to ready) in one column per status, most pressing first:
    priority, then customers waiting on site, then the earliest promise (which puts the
    overdue first: they were promised before now), then the job number.

    Written for a board of thousands of jobs repainted on every poke (target 20 ms for
    2,000 open among 50,000 closed): the open jobs come in board order from a partial
    index, covering indexes serve the vehicle and customer look-ups (migration 0004),
    technician names come from one small
    read instead of a join, times are read as text and parsed once, labels are made once
    per model.
    """
    technicians = {tid: name for tid, name in session.execute(
        select(Technician.id, Technician.name))}
    waiting_parts = parts_waiting(session)
    labels: dict[tuple[str | None, str | None, int | None], str] = {}
    by_status: dict[str, list[QueueCard]] = defaultdict(list)
    # Core execution: no ORM machinery per row
    for (job_id, number, status, hold, priority, waiting, promised_text, tech_id, make, model,
         year, plate, customer) in session.connection().execute(QUEUE_SQL).all():
        key = (make, model, year)
        label = labels.get(key)
        if label is None:
            label = labels[key] = vehicle_label(make, model, year)
        by_status[status].append(queue_card(
            job_id, number, status, label, plate, customer,
            technicians.get(tech_id) if tech_id else None, stored_time(promised_text),
            hold, waiting, priority, waiting_parts.get(job_id, 0), now))
    columns = tuple(QueueColumn(status, rules.STATUS_LABELS[status],
                                tuple(by_status.get(status, ())))
                    for status in rules.OPEN_STATUSES)
    return QueueBoard(now, columns)


# --- technicians ------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockedJob:
    job_id: str
    number: str
    vehicle: str
    since: datetime


@dataclass(frozen=True)
class AssignedJob:
    job_id: str
    number: str
    status: str
    vehicle: str
    promised_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class TechnicianRow:
    """One active technician on the technician board."""

    technician_id: str
    name: str
    color: str
    #: When the open shift started; None when not on shift.
    shift_since: datetime | None
    clocked: ClockedJob | None
    assigned: tuple[AssignedJob, ...]
    #: Job time clocked today (corrections applied, the open entry counted up to now).
    minutes_today: int
    capacity_minutes: int

    @property
    def load(self) -> float:
        """Clocked job minutes today as a share of the day's capacity (0 when none)."""
        return self.minutes_today / self.capacity_minutes if self.capacity_minutes else 0.0


@dataclass(frozen=True)
class TechnicianBoard:
    at: datetime
    rows: tuple[TechnicianRow, ...]


def technician_board(session: Session, now: datetime, tz: tzinfo | None = None) -> TechnicianBoard:
    """Every active technician: the job they are clocked on (and since when), their open
    assigned jobs, and the job minutes clocked today against their daily capacity.

    "Today" is the shop's calendar day of ``now`` in ``tz`` (the computer's zone when None).
    """
    techs = session.execute(
        select(Technician.id, Technician.name, Technician.color,
               Technician.daily_capacity_minutes)
        .where(Technician.active.is_(True), Technician.deleted_at.is_(None))
        .order_by(Technician.name)).all()
    tech_ids = [t.id for t in techs]
    day_start, day_end = day_bounds(local_day(now, tz), tz)

    # Entries that may touch today, or are open: both sides of the OR use the index on
    # ended_at (filtering by technician in SQL would walk each one's whole history).
    active = set(tech_ids)
    entries = session.execute(
        select(TimeEntry.technician_id, TimeEntry.kind, TimeEntry.job_id,
               TimeEntry.started_at, TimeEntry.ended_at)
        .where(TimeEntry.deleted_at.is_(None), TimeEntry.kind.in_(("job", "shift")),
               or_(TimeEntry.ended_at.is_(None),
                   and_(TimeEntry.ended_at > day_start, TimeEntry.started_at < day_end)),
               is_effective(TimeEntry))).all()
    seconds: dict[str, float] = defaultdict(float)
    open_job: dict[str, tuple[str, datetime]] = {}
    open_shift: dict[str, datetime] = {}
    for tech_id, kind, job_id, started, ended in entries:
        if tech_id not in active:
            continue
        if kind == "shift":
            if ended is None and (tech_id not in open_shift or started > open_shift[tech_id]):
                open_shift[tech_id] = started
            continue
        seconds[tech_id] += clipped_seconds(started, ended, day_start, day_end, now)
        if ended is None and job_id and (tech_id not in open_job
                                         or started > open_job[tech_id][1]):
            open_job[tech_id] = (job_id, started)

    jobs = session.execute(
        select(Job.id, Job.number, Job.status, Job.technician_id, Job.promised_at,
               Vehicle.make, Vehicle.model, Vehicle.year)
        .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
        .where(or_(Job.id.in_([j for j, _ in open_job.values()]),
                   and_(Job.status.in_(rules.OPEN_STATUSES), Job.technician_id.in_(tech_ids))),
               Job.deleted_at.is_(None))).all()
    by_id = {j.id: j for j in jobs}
    assigned: dict[str, list[AssignedJob]] = defaultdict(list)
    for j in jobs:
        if j.status in rules.OPEN_STATUSES and j.technician_id:
            assigned[j.technician_id].append(AssignedJob(
                j.id, j.number, j.status, vehicle_label(j.make, j.model, j.year), j.promised_at,
                is_overdue(j.promised_at, j.status, now)))

    rows = []
    for t in techs:
        clocked = None
        if t.id in open_job:
            job_id, since = open_job[t.id]
            found = by_id.get(job_id)
            clocked = ClockedJob(
                job_id, found.number if found else "?",
                vehicle_label(found.make, found.model, found.year) if found else "", since)
        mine = sorted(assigned.get(t.id, ()), key=lambda a: (
            rules.OPEN_STATUSES.index(a.status),
            a.promised_at.timestamp() if a.promised_at else float("inf"), a.number))
        rows.append(TechnicianRow(
            technician_id=t.id, name=t.name, color=t.color, shift_since=open_shift.get(t.id),
            clocked=clocked, assigned=tuple(mine), minutes_today=round(seconds[t.id] / 60),
            capacity_minutes=t.daily_capacity_minutes))
    return TechnicianBoard(now, tuple(rows))
