"""What the job editor reads: one job with everything the clerk edits beside it (its lines
with part numbers, its totals by the shop's rule, the time clocked on it per technician,
the payments taken, the customer's vehicles and the pickers), the lines declined on the
vehicle's earlier visits, and the vehicle's history and maintenance due for the side panel.

Plain rows only (named tuples and frozen dataclasses), never ORM objects. Money is the
shop's rule (``app.queries.settings`` → ``app.shopsettings``), computed here, never in a
widget.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import rules
from app.models import Job, JobLine, Payment, Technician, TimeEntry, Vehicle
from app.queries.common import PaidBalance, vehicle_label
from app.queries.desk import (
    Choice,
    DetailLine,
    JobDetail,
    Pickers,
    job_detail,
    pickers,
)
from app.queries.history import VehicleHistory, vehicle_history
from app.queries.maintenance import MaintenanceItem, maintenance_due
from app.queries.settings import replica_settings
from app.timeclock import is_effective

#: A line as the editor shows it: the desk's detail line (its id, part number, approval,
#: amount by the shop's rounding and technician).
EditorLine = DetailLine


class ClockedTime(NamedTuple):
    """Time clocked on the job by one technician (corrections applied)."""

    technician_id: str
    technician: str
    seconds: int
    #: Clocked on right now.
    running: bool


class DeclinedLine(NamedTuple):
    """A line the customer declined on an earlier visit of the same vehicle."""

    line_id: str
    job_id: str
    job_number: str
    visit_at: datetime
    kind: str
    description: str
    quantity: float
    unit_price_cents: int
    total_cents: int
    part_number: str


class PaymentRow(NamedTuple):
    payment_id: str
    method: str
    amount_cents: int
    taken_at: datetime


@dataclass(frozen=True)
class EditorData(JobDetail, PaidBalance):
    """One job as the editor shows it: the desk's detail of it (``job_detail``) and what the
    editor adds beside it."""

    tax_rate_bp: int
    clocked: tuple[ClockedTime, ...]
    declined_earlier: tuple[DeclinedLine, ...]
    payments: tuple[PaymentRow, ...]
    #: The customer's vehicles (the vehicle picker).
    vehicles: tuple[Choice, ...]
    pickers: Pickers

    @property
    def editable(self) -> bool:
        """Closed and cancelled jobs are kept as they were (``app.ops.jobs``)."""
        return self.status not in rules.FINAL_STATUSES


def declined_on_earlier_visits(session: Session, vehicle_id: str, job_id: str | None = None,
                               *, limit: int = 50) -> tuple[DeclinedLine, ...]:
    """Lines declined on the vehicle's visits before job ``job_id`` (every visit when None),
    newest visit first: what the clerk offers again on the next visit. Cancelled jobs'
    lines are left out (the work was never offered for real)."""
    stmt = (select(JobLine.id, JobLine.job_id, Job.number, Job.created_at, JobLine.kind,
                   JobLine.description, JobLine.quantity, JobLine.unit_price_cents,
                   JobLine.part_number)
            .join(Job, Job.id == JobLine.job_id)
            .where(Job.vehicle_id == vehicle_id, Job.deleted_at.is_(None),
                   Job.status != "cancelled", JobLine.deleted_at.is_(None),
                   JobLine.approval == "declined")
            .order_by(Job.created_at.desc(), Job.number.desc(), JobLine.created_at, JobLine.id)
            .limit(limit))
    if job_id is not None:
        this = session.get(Job, job_id)
        if this is not None:
            stmt = stmt.where(Job.id != job_id, Job.created_at <= this.created_at)
    money = replica_settings(session)
    return tuple(
        DeclinedLine(r.id, r.job_id, r.number, r.created_at, r.kind, r.description, r.quantity,
                     r.unit_price_cents, money.line_cents(r.quantity, r.unit_price_cents),
                     r.part_number or "")
        for r in session.execute(stmt))


def clocked_on_job(session: Session, job_id: str, now: datetime) -> tuple[ClockedTime, ...]:
    """Time clocked on ``job_id`` per technician, corrections applied; an open clock counts
    up to ``now``. Most time first."""
    seconds: dict[str, float] = defaultdict(float)
    running: set[str] = set()
    for tech, started, ended in session.execute(
            select(TimeEntry.technician_id, TimeEntry.started_at, TimeEntry.ended_at)
            .where(TimeEntry.job_id == job_id, TimeEntry.kind == "job",
                   TimeEntry.deleted_at.is_(None), is_effective(TimeEntry))):
        end = ended if ended is not None else now
        if ended is None:
            running.add(tech)
        seconds[tech] += max(0.0, (end - started).total_seconds())
    names = {tid: name for tid, name in session.execute(
        select(Technician.id, Technician.name).where(Technician.id.in_(list(seconds))))}
    out = [ClockedTime(t, names.get(t, "Unknown technician"), int(s), t in running)
           for t, s in seconds.items()]
    return tuple(sorted(out, key=lambda c: (-c.seconds, c.technician)))


def customer_vehicles(session: Session, customer_id: str | None) -> tuple[Choice, ...]:
    """The customer's vehicles as picker entries ("2019 Honda Civic · ABC 123")."""
    if not customer_id:
        return ()
    rows = session.execute(
        select(Vehicle.id, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate)
        .where(Vehicle.customer_id == customer_id, Vehicle.deleted_at.is_(None))
        .order_by(Vehicle.created_at, Vehicle.id))
    return tuple(Choice(v.id, vehicle_label(v.make, v.model, v.year)
                        + (f" · {v.plate}" if v.plate else "")) for v in rows)


def vehicle_owner(session: Session, vehicle_id: str) -> str | None:
    """The customer a vehicle belongs to (the picker sets both together)."""
    return session.scalar(select(Vehicle.customer_id).where(Vehicle.id == vehicle_id))


def job_editor(session: Session, job_id: str, now: datetime) -> EditorData | None:
    """Everything the job editor shows of ``job_id``; None when it does not exist."""
    detail: JobDetail | None = job_detail(session, job_id)
    if detail is None:
        return None
    money = replica_settings(session)
    payments = tuple(
        PaymentRow(p.id, p.method, p.amount_cents, p.taken_at)
        for p in session.execute(
            select(Payment.id, Payment.method, Payment.amount_cents, Payment.taken_at)
            .where(Payment.job_id == job_id, Payment.deleted_at.is_(None))
            .order_by(Payment.taken_at, Payment.id)))
    return EditorData(
        **{f.name: getattr(detail, f.name) for f in fields(JobDetail)},
        tax_rate_bp=money.tax_rate_bp,
        clocked=clocked_on_job(session, job_id, now),
        declined_earlier=(declined_on_earlier_visits(session, detail.vehicle_id, job_id)
                          if detail.vehicle_id else ()),
        payments=payments,
        vehicles=customer_vehicles(session, detail.customer_id),
        pickers=pickers(session, include_inactive=True),
    )


@dataclass(frozen=True)
class VehicleSide:
    """The side panel beside the job: the vehicle's history and its maintenance due."""

    history: VehicleHistory | None
    due: tuple[MaintenanceItem, ...]


def vehicle_side(session: Session, vehicle_id: str, now: datetime) -> VehicleSide:
    return VehicleSide(vehicle_history(session, vehicle_id),
                       maintenance_due(session, vehicle_id, now))


def paid_for_job(session: Session, job_id: str) -> int:
    """What has been taken for ``job_id`` so far (cents)."""
    return int(session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0))
                              .where(Payment.job_id == job_id,
                                     Payment.deleted_at.is_(None))) or 0)


__all__ = ["ClockedTime", "DeclinedLine", "EditorData", "EditorLine", "PaymentRow",
           "VehicleSide", "clocked_on_job", "customer_vehicles", "declined_on_earlier_visits",
           "job_editor", "paid_for_job", "vehicle_owner", "vehicle_side"]
