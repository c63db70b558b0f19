"""A vehicle's history: its jobs with their lines and notes, and its odometer over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Customer, Job, Vehicle
from app.queries.common import vehicle_label
from app.queries.desk import DetailLine, DetailNote, job_lines, job_notes, technician_names
from app.queries.settings import replica_settings
from app.shopsettings import Line, Totals

#: A line of an earlier job (``service_code`` for the maintenance it counts as).
HistoryLine = DetailLine
#: A note of an earlier job.
HistoryNote = DetailNote


@dataclass(frozen=True)
class HistoryJob:
    job_id: str
    number: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    odometer_in: int | None
    concern: str
    technician: str | None
    lines: tuple[HistoryLine, ...]
    notes: tuple[HistoryNote, ...]
    #: By the shop's rule (``app.shopsettings.order_totals``): declined lines do not count.
    totals: Totals

    @property
    def total_cents(self) -> int:
        """What the job comes to, tax included."""
        return self.totals.total_cents


@dataclass(frozen=True)
class OdometerReading:
    at: datetime
    value: int
    unit: str
    #: The job that recorded it; None for the vehicle's own (latest) reading.
    job_number: str | None


@dataclass(frozen=True)
class VehicleHistory:
    vehicle_id: str
    vehicle: str
    vin: str
    plate: str
    customer: str
    odometer: int | None
    odometer_unit: str
    #: Newest first.
    jobs: tuple[HistoryJob, ...]
    #: Oldest first.
    readings: tuple[OdometerReading, ...]


def vehicle_history(session: Session, vehicle_id: str) -> VehicleHistory | None:
    """Everything done to one vehicle; None when the vehicle does not exist."""
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.deleted_at is not None:
        return None
    customer = session.get(Customer, vehicle.customer_id) if vehicle.customer_id else None
    names = technician_names(session)
    money = replica_settings(session)
    jobs = session.execute(
        select(Job.id, Job.number, Job.status, Job.created_at, Job.closed_at, Job.odometer_in,
               Job.concern, Job.technician_id)
        .where(Job.vehicle_id == vehicle_id, Job.deleted_at.is_(None))
        .order_by(Job.created_at.desc(), Job.number.desc())).all()
    job_ids = [j.id for j in jobs]
    lines = job_lines(session, job_ids, names, money)
    notes = job_notes(session, job_ids, names)
    history = tuple(
        HistoryJob(j.id, j.number, j.status, j.created_at, j.closed_at, j.odometer_in,
                   j.concern, names.get(j.technician_id) if j.technician_id else None,
                   lines.get(j.id, ()), notes.get(j.id, ()),
                   money.totals(Line(ln.kind, ln.quantity, ln.unit_price_cents, ln.approval)
                                for ln in lines.get(j.id, ())))
        for j in jobs)
    unit = vehicle.odometer_unit
    readings = [OdometerReading(j.created_at, j.odometer_in, unit, j.number)
                for j in reversed(jobs) if j.odometer_in is not None]
    if vehicle.odometer is not None and (not readings or readings[-1].value != vehicle.odometer):
        readings.append(OdometerReading(vehicle.updated_at, vehicle.odometer, unit, None))
    readings.sort(key=lambda r: r.at)
    return VehicleHistory(
        vehicle.id, vehicle_label(vehicle.make, vehicle.model, vehicle.year), vehicle.vin,
        vehicle.plate, customer.name if customer else "", vehicle.odometer, unit, history,
        tuple(readings))
