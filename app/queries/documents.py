"""What a printed repair order or invoice shows of one job, as plain rows.

Read once on the database worker and handed to the renderer (``ui.desk.printing``), which
only lays it out: every amount here is already computed by the shop's money rule
(``app.shopsettings.line_amount_cents`` / ``order_totals``), so a printed total can never
differ from the one on the screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app import models
from app.queries.common import PaidBalance, vehicle_label
from app.queries.desk import job_lines, job_parties, technician_names
from app.queries.settings import ShopSettingsView, replica_settings
from app.shopsettings import Line, Totals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentLine:
    kind: str
    description: str
    quantity: float
    unit_price_cents: int
    #: The line's amount by the shop's rounding (declined lines have one too; they do not
    #: count in the totals).
    amount_cents: int
    approval: str
    part_status: str | None
    technician: str | None


@dataclass(frozen=True)
class DocumentPayment:
    """One payment taken for the job (method: cash, card, account, other)."""

    method: str
    amount_cents: int
    at: datetime | None


@dataclass(frozen=True)
class JobDocument(PaidBalance):
    """One job as its printed repair order or invoice shows it."""

    shop: ShopSettingsView
    job_id: str
    number: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    promised_at: datetime | None
    concern: str
    customer: str
    customer_phone: str
    customer_email: str
    customer_address: str
    vehicle: str
    plate: str
    vin: str
    odometer_in: int | None
    #: ``km`` or ``mi``.
    odometer_unit: str
    technician: str | None
    lines: tuple[DocumentLine, ...]
    #: By the shop's rule: declined lines do not count; tax once per order.
    totals: Totals
    #: Payments taken (empty until the hand-back records one).
    payments: tuple[DocumentPayment, ...] = ()


def job_document(session: Session, job_id: str) -> JobDocument | None:
    """The job ``job_id`` as a printed document shows it; None when it does not exist."""
    found = job_parties(session, job_id)
    if found is None:
        return None
    job, customer, vehicle = found
    names = technician_names(session)
    shop = replica_settings(session)
    lines = tuple(
        DocumentLine(ln.kind, ln.description, ln.quantity, ln.unit_price_cents, ln.total_cents,
                     ln.approval, ln.part_status, ln.technician)
        for ln in job_lines(session, [job_id], names, shop).get(job_id, ()))
    totals = shop.totals(Line(ln.kind, ln.quantity, ln.unit_price_cents, ln.approval)
                         for ln in lines)
    return JobDocument(
        shop=shop, job_id=job.id, number=job.number, status=job.status,
        opened_at=job.created_at, closed_at=job.closed_at, promised_at=job.promised_at,
        concern=job.concern or "",
        customer=customer.name if customer else "",
        customer_phone=(customer.phone or "") if customer else "",
        customer_email=(customer.email or "") if customer else "",
        customer_address=(customer.address or "") if customer else "",
        vehicle=vehicle_label(vehicle.make, vehicle.model, vehicle.year) if vehicle else "",
        plate=(vehicle.plate or "") if vehicle else "",
        vin=(vehicle.vin or "") if vehicle else "",
        odometer_in=job.odometer_in, odometer_unit=vehicle.odometer_unit if vehicle else "km",
        technician=names.get(job.technician_id) if job.technician_id else None,
        lines=lines, totals=totals, payments=job_payments(session, job_id))


def job_payments(session: Session, job_id: str) -> tuple[DocumentPayment, ...]:
    """The payments of a job, oldest first — when the replica has payments at all.

    The hook for the hand-back's ``payment`` entity (another change adds it): until a
    mapped ``app.models.Payment`` with a ``payment`` table exists, there are none. It is
    read by the columns the hand-back records (``job_id``, ``method``, ``amount_cents``,
    and ``paid_at`` or ``created_at``); a payment table without them is logged, not fatal.
    """
    payment: Any = getattr(models, "Payment", None)
    if payment is None or not inspect(session.connection()).has_table("payment"):
        return ()
    try:
        when = getattr(payment, "paid_at", None) or payment.created_at
        query = select(payment.method, payment.amount_cents, when).where(
            payment.job_id == job_id)
        if hasattr(payment, "deleted_at"):
            query = query.where(payment.deleted_at.is_(None))
        rows = session.execute(query.order_by(when)).all()
    except AttributeError:
        log.warning("the payment table has unexpected columns; the invoice shows none")
        return ()
    return tuple(DocumentPayment(str(m), int(a or 0), at) for m, a, at in rows)
