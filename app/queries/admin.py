"""What the manager's administration screens show: the technicians, the bays and the
time entries as plain rows (``ui.desk.admin``). Users and PINs are not replica rows: the
server's admin endpoints hold them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Bay, Job, Technician, TimeEntry
from app.timeclock import is_effective


@dataclass(frozen=True)
class TechnicianRow:
    id: str
    name: str
    skills: tuple[str, ...]
    color: str
    daily_capacity_minutes: int
    active: bool


@dataclass(frozen=True)
class BayRow:
    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class TimeEntryRow:
    """One time entry as it counts now (a corrected entry shows its latest correction)."""

    id: str
    technician_id: str
    technician: str
    job_number: str | None
    kind: str
    started_at: datetime
    ended_at: datetime | None
    #: The reason of the correction this row is, "" for an entry never corrected.
    reason: str
    corrected: bool


def technicians(session: Session) -> tuple[TechnicianRow, ...]:
    """Every technician of the shop, active first, by name."""
    rows = session.scalars(select(Technician).where(Technician.deleted_at.is_(None))
                           .order_by(Technician.active.desc(), Technician.name))
    return tuple(TechnicianRow(t.id, t.name, tuple(t.skills or ()), t.color,
                               t.daily_capacity_minutes, bool(t.active)) for t in rows)


def bays(session: Session) -> tuple[BayRow, ...]:
    rows = session.scalars(select(Bay).where(Bay.deleted_at.is_(None)).order_by(Bay.name))
    return tuple(BayRow(b.id, b.name, b.kind) for b in rows)


def time_entries(session: Session, since: datetime, *, technician_id: str | None = None,
                 limit: int = 500) -> tuple[TimeEntryRow, ...]:
    """The entries that count, started since ``since`` (newest first), optionally of one
    technician."""
    query = (select(TimeEntry, Technician.name, Job.number)
             .join(Technician, Technician.id == TimeEntry.technician_id)
             .outerjoin(Job, Job.id == TimeEntry.job_id)
             .where(TimeEntry.started_at >= since, TimeEntry.deleted_at.is_(None),
                    is_effective(TimeEntry))
             .order_by(TimeEntry.started_at.desc(), TimeEntry.id).limit(limit))
    if technician_id is not None:
        query = query.where(TimeEntry.technician_id == technician_id)
    return tuple(TimeEntryRow(e.id, e.technician_id, name, number, e.kind, e.started_at,
                              e.ended_at, e.reason or "", e.corrects_id is not None)
                 for e, name, number in session.execute(query))
