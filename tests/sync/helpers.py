"""Small helpers of the sync tests: making rows through the domain operations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.changes import Changes
from app.db import Store
from app.models import Job, MutationOutcome, Outbox
from app.ops import customers, jobs


def new_job(store: Store, concern: str = "brakes squeal") -> tuple[str, Changes]:
    c1 = store.run(customers.create_customer, name="Ada Lovelace")
    c2 = store.run(jobs.create_job, customer_id=c1.result, vehicle_id=None, concern=concern)
    return str(c2.result), c1.merged(c2)


def job(store: Store, job_id: str) -> Job:
    with store.read() as s:
        row = s.get(Job, job_id)
        assert row is not None
        return row


def outbox(store: Store) -> list[Outbox]:
    with store.read() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def outcomes(store: Store) -> list[MutationOutcome]:
    with store.read() as s:
        return list(s.scalars(select(MutationOutcome).order_by(MutationOutcome.mutation_id)))


def edit(store: Store, job_id: str, **fields: Any) -> Changes:
    return store.run(jobs.update_job, job_id, **fields)
