"""Small helpers shared by the domain tests (no fixtures here: see conftest.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import Store
from app.models import Base, Outbox
from app.ops import jobs

#: The moves that bring a freshly queued job to each status (estimate is made directly).
PATH_TO: dict[str, tuple[str, ...]] = {
    "estimate": (),
    "queued": (),
    "in_progress": ("in_progress",),
    "on_hold": ("on_hold",),
    "ready": ("in_progress", "ready"),
    "closed": ("in_progress", "ready", "closed"),
    "cancelled": ("cancelled",),
}


def job_in(store: Store, customer_id: str, vehicle_id: str, status: str, **fields: Any) -> str:
    """A new job brought to ``status`` through allowed moves."""
    first = "estimate" if status == "estimate" else "queued"
    job_id: str = store.run(jobs.create_job, customer_id=customer_id, vehicle_id=vehicle_id,
                            concern="Check engine light", status=first, **fields).result
    for step in PATH_TO[status]:
        store.run(jobs.move_status, job_id, step)
    return job_id


def last_outbox_id(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.coalesce(func.max(Outbox.id), 0))) or 0)


def outbox_after(store: Store, after: int) -> list[Outbox]:
    with store.read() as s:
        return list(s.scalars(select(Outbox).where(Outbox.id > after).order_by(Outbox.id)))


def count(store: Store, model: type[Base]) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
