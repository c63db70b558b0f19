"""Hand-back: the payment taken for a job, recorded with the job's close in one operation.

The payment and the status move are one transaction on the replica and one operation on
the wire (``Writer.operation_id``), so the server applies both or neither: a job is never
closed without its payment, and a payment never lands on a job that stayed open.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app import rules, validators
from app.db import Writer
from app.errors import ValidationError
from app.models import Job, Payment
from app.ops import jobs


def paid_cents(w: Writer, job_id: str) -> int:
    """What has been recorded as taken for ``job_id`` so far."""
    total = w.session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0))
                             .where(Payment.job_id == job_id, Payment.deleted_at.is_(None)))
    return int(total or 0)


def record_payment(w: Writer, job_id: str, *, method: str, amount_cents: int,
                   by_id: str | None = None) -> str:
    """Record ``amount_cents`` taken by ``method`` for the job; the payment's id."""
    job = w.get(Job, job_id, what="job")
    if job.status == "cancelled":
        raise ValidationError(f"Job {job.number} is cancelled; nothing is taken for it.",
                              field="amount_cents")
    payment = w.create(Payment, urgent=True, job_id=job.id, method=method,
                       amount_cents=amount_cents, taken_at=w.now,
                       by_id=by_id if by_id is not None else _signed_in_user(w))
    return payment.id


def close_with_payment(w: Writer, job_id: str, *, method: str, amount_cents: int,
                       by_id: str | None = None) -> str:
    """Hand the car back: record the payment and move the job to ``closed`` (one
    transaction). The move follows the table of moves (only a ready job closes); the
    payment's fields their rules (``app.validators``), checked before anything is written."""
    job = w.get(Job, job_id, what="job")
    validators.validate_fields("payment", {"method": method, "amount_cents": amount_cents})
    if not rules.can_move(job.status, "closed"):
        raise ValidationError(rules.describe_refused_move(job.status, "closed"),
                              field="status")
    who = by_id if by_id is not None else _signed_in_user(w)
    payment_id = record_payment(w, job_id, method=method, amount_cents=amount_cents, by_id=who)
    jobs.move_status(w, job_id, "closed", by_id=who)
    return payment_id


def _signed_in_user(w: Writer) -> str | None:
    return w.acting_user_id or w.state.user_id
