"""Technician efficiency and productivity over a range of days.

For each technician, over the days ``first`` to ``last`` (inclusive, on the shop's clock)::

    billed hours   = Σ quantity of labour lines that are approved, on jobs closed in the
                     range, attributed to the line's technician, else to the job's
    clocked hours  = Σ length of job time entries inside the range
    shift hours    = Σ length of shift time entries inside the range

    efficiency     = billed hours / clocked hours    (flat-rate: 1.2 means 12 billed hours
                                                      for every 10 hours on the clock)
    productivity   = clocked hours / shift hours     (share of attendance spent on jobs)

Time entries are taken after corrections (a corrected entry counts as its latest
correction), clipped to the range, and an open entry counts up to ``now``. A ratio whose
denominator is zero is None, never a division error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Job, JobLine, Technician, TimeEntry
from app.queries.common import clipped_seconds, range_bounds
from app.timeclock import is_effective


@dataclass(frozen=True)
class TechnicianEfficiency:
    technician_id: str
    name: str
    active: bool
    billed_hours: float
    clocked_hours: float
    shift_hours: float

    @property
    def efficiency(self) -> float | None:
        """Billed labour hours per clocked job hour."""
        return self.billed_hours / self.clocked_hours if self.clocked_hours else None

    @property
    def productivity(self) -> float | None:
        """Clocked job hours per shift hour."""
        return self.clocked_hours / self.shift_hours if self.shift_hours else None


@dataclass(frozen=True)
class EfficiencyReport:
    first: date
    last: date
    technicians: tuple[TechnicianEfficiency, ...]
    #: The whole shop: the sums of the columns above, as one more row.
    shop: TechnicianEfficiency


def technician_efficiency(session: Session, first: date, last: date, now: datetime,
                          tz: tzinfo | None = None) -> EfficiencyReport:
    """Efficiency and productivity of every technician with hours in the range (and every
    active one), by name; see the module docstring for the formulas."""
    if last < first:
        raise ValueError("The range ends before it starts.")
    start, end = range_bounds(first, last, tz)

    attributed = func.coalesce(JobLine.technician_id, Job.technician_id)
    billed: dict[str, float] = defaultdict(float)
    for tech_id, hours in session.execute(
            select(attributed, func.sum(JobLine.quantity))
            .join(Job, Job.id == JobLine.job_id)
            .where(Job.status == "closed", Job.closed_at >= start, Job.closed_at < end,
                   Job.deleted_at.is_(None), JobLine.kind == "labor",
                   JobLine.approval == "approved", JobLine.deleted_at.is_(None),
                   attributed.is_not(None))
            .group_by(attributed)):
        billed[tech_id] += float(hours or 0.0)

    clocked: dict[str, float] = defaultdict(float)
    shift: dict[str, float] = defaultdict(float)
    for tech_id, kind, started, ended in session.execute(
            select(TimeEntry.technician_id, TimeEntry.kind, TimeEntry.started_at,
                   TimeEntry.ended_at)
            .where(TimeEntry.kind.in_(("job", "shift")), TimeEntry.deleted_at.is_(None),
                   TimeEntry.started_at < end,
                   or_(TimeEntry.ended_at.is_(None), TimeEntry.ended_at > start),
                   is_effective(TimeEntry))):
        seconds = clipped_seconds(started, ended, start, end, now)
        (clocked if kind == "job" else shift)[tech_id] += seconds / 3600

    techs = session.execute(select(Technician.id, Technician.name, Technician.active)
                            .where(Technician.deleted_at.is_(None))
                            .order_by(Technician.name)).all()
    rows = tuple(
        TechnicianEfficiency(t.id, t.name, bool(t.active), round(billed[t.id], 2),
                             round(clocked[t.id], 2), round(shift[t.id], 2))
        for t in techs if t.active or billed[t.id] or clocked[t.id] or shift[t.id])
    shop = TechnicianEfficiency("", "Whole shop", True,
                                round(sum(r.billed_hours for r in rows), 2),
                                round(sum(r.clocked_hours for r in rows), 2),
                                round(sum(r.shift_hours for r in rows), 2))
    return EfficiencyReport(first, last, rows, shop)
