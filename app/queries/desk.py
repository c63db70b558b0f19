"""Reads the front desk needs beside the boards: who and where each open job is assigned
(the board's filters), the pickers of technicians and bays, and one job's detail.

The one way a job's lines and notes are read (``job_lines``, ``job_notes``, with
``technician_names`` and ``job_parties``) lives here too: the editor, the vehicle history
and the printed documents build their own rows from it.

Plain rows only (named tuples and frozen dataclasses), never ORM objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import rules
from app.models import Bay, Customer, Job, JobLine, Note, StatusEvent, Technician, Vehicle
from app.queries.common import vehicle_label
from app.queries.settings import ShopSettingsView, replica_settings
from app.shopsettings import Line, Totals


class Assignment(NamedTuple):
    technician_id: str | None
    bay_id: str | None


def open_job_assignments(session: Session) -> dict[str, Assignment]:
    """Open job id → its technician and bay (the desk's board filters)."""
    rows = session.execute(
        select(Job.id, Job.technician_id, Job.bay_id)
        .where(Job.status.in_(rules.OPEN_STATUSES), Job.deleted_at.is_(None)))
    return {job_id: Assignment(tech, bay) for job_id, tech, bay in rows}


class Choice(NamedTuple):
    """One entry of a picker: an id and the name a person reads."""

    id: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class Pickers:
    technicians: tuple[Choice, ...]
    bays: tuple[Choice, ...]


def pickers(session: Session, *, include_inactive: bool = False) -> Pickers:
    """Technicians (active ones unless asked) and bays, by name."""
    tq = select(Technician.id, Technician.name, Technician.active).where(
        Technician.deleted_at.is_(None)).order_by(Technician.name)
    if not include_inactive:
        tq = tq.where(Technician.active.is_(True))
    techs = tuple(Choice(i, n, bool(a)) for i, n, a in session.execute(tq))
    bays = tuple(Choice(i, n) for i, n in session.execute(
        select(Bay.id, Bay.name).where(Bay.deleted_at.is_(None)).order_by(Bay.name)))
    return Pickers(techs, bays)


class DetailLine(NamedTuple):
    line_id: str
    kind: str
    description: str
    #: Hours on a labor line.
    quantity: float
    #: The rate on a labor line.
    unit_price_cents: int
    #: By the shop's rounding (``line_amount_cents``).
    total_cents: int
    approval: str
    part_status: str | None
    technician: str | None
    part_number: str = ""
    job_id: str = ""
    service_code: str | None = None


class DetailNote(NamedTuple):
    note_id: str
    at: datetime
    kind: str
    author: str | None
    body: str
    job_id: str = ""


class DetailEvent(NamedTuple):
    at: datetime
    from_status: str | None
    to_status: str
    by: str | None


@dataclass(frozen=True)
class JobDetail:
    """One job as the read-only detail panel shows it, with the ids of its lines and notes
    (so an editor can address them)."""

    job_id: str
    number: str
    status: str
    hold_reason: str | None
    priority: int
    customer_waiting: bool
    concern: str
    promised_at: datetime | None
    opened_at: datetime
    customer_id: str | None
    customer: str
    customer_phone: str
    vehicle_id: str | None
    vehicle: str
    plate: str
    vin: str
    odometer_in: int | None
    technician_id: str | None
    technician: str | None
    bay_id: str | None
    bay: str | None
    lines: tuple[DetailLine, ...]
    notes: tuple[DetailNote, ...]
    #: Oldest first.
    history: tuple[DetailEvent, ...]
    #: By the shop's rule (``app.shopsettings.order_totals``): declined lines do not count.
    totals: Totals

    @property
    def total_cents(self) -> int:
        """What the job comes to, tax included."""
        return self.totals.total_cents

    @property
    def allowed_moves(self) -> tuple[str, ...]:
        return rules.allowed_moves(self.status)


def technician_names(session: Session) -> dict[str, str]:
    """Technician id → name, every technician (a job keeps the name of one who left)."""
    return {tid: name for tid, name in session.execute(select(Technician.id, Technician.name))}


def job_parties(session: Session, job_id: str
                ) -> tuple[Job, Customer | None, Vehicle | None] | None:
    """The live job ``job_id`` with its customer and vehicle; None when it does not exist."""
    job = session.get(Job, job_id)
    if job is None or job.deleted_at is not None:
        return None
    customer = session.get(Customer, job.customer_id) if job.customer_id else None
    vehicle = session.get(Vehicle, job.vehicle_id) if job.vehicle_id else None
    return job, customer, vehicle


def job_lines(session: Session, job_ids: Sequence[str], names: Mapping[str, str],
              money: ShopSettingsView) -> dict[str, tuple[DetailLine, ...]]:
    """The live lines of each job in ``job_ids`` (job id → lines, oldest first); amounts by
    ``money`` (the shop's rule), technicians by ``names``."""
    out: dict[str, list[DetailLine]] = {}
    for ln in session.execute(
            select(JobLine.id, JobLine.job_id, JobLine.kind, JobLine.description,
                   JobLine.quantity, JobLine.unit_price_cents, JobLine.approval,
                   JobLine.part_status, JobLine.technician_id, JobLine.part_number,
                   JobLine.service_code)
            .where(JobLine.job_id.in_(list(job_ids)), JobLine.deleted_at.is_(None))
            .order_by(JobLine.created_at, JobLine.id)):
        out.setdefault(ln.job_id, []).append(DetailLine(
            ln.id, ln.kind, ln.description, ln.quantity, ln.unit_price_cents,
            money.line_cents(ln.quantity, ln.unit_price_cents), ln.approval, ln.part_status,
            names.get(ln.technician_id) if ln.technician_id else None, ln.part_number or "",
            ln.job_id, ln.service_code))
    return {job_id: tuple(rows) for job_id, rows in out.items()}


def job_notes(session: Session, job_ids: Sequence[str],
              names: Mapping[str, str]) -> dict[str, tuple[DetailNote, ...]]:
    """The live notes of each job in ``job_ids`` (job id → notes, oldest first)."""
    out: dict[str, list[DetailNote]] = {}
    for n in session.execute(
            select(Note.id, Note.job_id, Note.created_at, Note.kind, Note.author_id, Note.body)
            .where(Note.job_id.in_(list(job_ids)), Note.deleted_at.is_(None))
            .order_by(Note.created_at, Note.id)):
        out.setdefault(n.job_id, []).append(DetailNote(
            n.id, n.created_at, n.kind, names.get(n.author_id) if n.author_id else None,
            n.body, n.job_id))
    return {job_id: tuple(rows) for job_id, rows in out.items()}


def job_detail(session: Session, job_id: str) -> JobDetail | None:
    """The job ``job_id`` with its lines, notes and status history; None when missing."""
    found = job_parties(session, job_id)
    if found is None:
        return None
    job, customer, vehicle = found
    bay = session.get(Bay, job.bay_id) if job.bay_id else None
    names = technician_names(session)
    money = replica_settings(session)
    lines = job_lines(session, [job_id], names, money).get(job_id, ())
    notes = job_notes(session, [job_id], names).get(job_id, ())
    history = tuple(
        DetailEvent(e.at, e.from_status, e.to_status, names.get(e.by_id) if e.by_id else None)
        for e in session.execute(
            select(StatusEvent.at, StatusEvent.from_status, StatusEvent.to_status,
                   StatusEvent.by_id)
            .where(StatusEvent.job_id == job_id, StatusEvent.deleted_at.is_(None))
            .order_by(StatusEvent.at, StatusEvent.id)))
    return JobDetail(
        job_id=job.id, number=job.number, status=job.status, hold_reason=job.hold_reason,
        priority=job.priority or 0, customer_waiting=bool(job.customer_waiting),
        concern=job.concern or "", promised_at=job.promised_at, opened_at=job.created_at,
        customer_id=job.customer_id, customer=customer.name if customer else "",
        customer_phone=(customer.phone or "") if customer else "",
        vehicle_id=job.vehicle_id,
        vehicle=vehicle_label(vehicle.make, vehicle.model, vehicle.year) if vehicle else "",
        plate=(vehicle.plate or "") if vehicle else "", vin=(vehicle.vin or "") if vehicle else "",
        odometer_in=job.odometer_in, technician_id=job.technician_id,
        technician=names.get(job.technician_id) if job.technician_id else None,
        bay_id=job.bay_id, bay=bay.name if bay else None,
        lines=lines, notes=notes, history=history,
        totals=money.totals(Line(ln.kind, ln.quantity, ln.unit_price_cents, ln.approval)
                            for ln in lines))
