"""Check-in at the front desk: a customer's vehicle becomes a queued job, with a new
customer and a new vehicle made on the way when they are new — one transaction, so one
operation (one outbox operation id): the server never sees a customer without the job
that brought them in, and a refused part leaves nothing behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app import rules
from app.db import Writer
from app.errors import ValidationError
from app.models import Job
from app.ops import customers, jobs, vehicles

#: The fields of a new customer and of a new vehicle a check-in may give.
CUSTOMER_FIELDS = frozenset({"name", "kind", "phone", "email", "address", "notes"})
VEHICLE_FIELDS = frozenset({"vin", "plate", "make", "model", "year", "odometer_unit", "notes"})


def check_in(w: Writer, *, customer_id: str | None = None,
             new_customer: dict[str, Any] | None = None, vehicle_id: str | None = None,
             new_vehicle: dict[str, Any] | None = None, concern: str,
             odometer_in: int | None = None, promised_at: datetime | None = None,
             customer_waiting: bool = False, confirm_odometer: bool = False,
             by_id: str | None = None) -> str:
    """A queued job for a vehicle; the new customer and vehicle are made first when given
    (``new_customer`` instead of ``customer_id``, ``new_vehicle`` instead of
    ``vehicle_id``). Returns the job's id.

    A reading below the vehicle's last refuses with ``ConfirmationRequired`` (field
    ``odometer_in``) unless ``confirm_odometer``. ``ValidationError.field`` names the field
    as the customer, vehicle or job calls it.
    """
    if not (concern or "").strip():
        raise ValidationError("Write what the customer says is wrong (the concern).",
                              field="concern")
    if new_customer is not None:
        unknown = set(new_customer) - CUSTOMER_FIELDS
        if unknown:
            raise ValidationError(f"A customer has no field '{sorted(unknown)[0]}'.",
                                  field=sorted(unknown)[0])
        customer_id = customers.create_customer(w, **new_customer)
    if new_vehicle is not None:
        unknown = set(new_vehicle) - VEHICLE_FIELDS
        if unknown:
            raise ValidationError(f"A vehicle has no field '{sorted(unknown)[0]}'.",
                                  field=sorted(unknown)[0])
        vehicle_id = vehicles.create_vehicle(w, customer_id=customer_id, **new_vehicle)
    if not vehicle_id:
        raise ValidationError("Choose the vehicle, or add a new one.", field="vehicle_id")
    already = w.session.scalars(
        select(Job.number).where(Job.vehicle_id == vehicle_id, Job.deleted_at.is_(None),
                                 Job.status.not_in(rules.FINAL_STATUSES))
        .order_by(Job.created_at)).all()
    job_id = jobs.create_job(w, customer_id=customer_id, vehicle_id=vehicle_id,
                             concern=concern, status="queued", promised_at=promised_at,
                             customer_waiting=customer_waiting, odometer_in=odometer_in,
                             confirm_odometer=confirm_odometer, by_id=by_id)
    if already:
        w.warn(f"This vehicle already has open job{'s' if len(already) > 1 else ''} "
               f"{', '.join(already)}.")
    return job_id
