"""Double-booking checks, shared by the replica and the central API.

The functions take the mapped appointment class so the server can run them on its own tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

#: Appointments in these states no longer hold their technician or bay.
INACTIVE_APPOINTMENT_STATUSES = ("cancelled", "no_show")


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [start, end) overlap; back-to-back bookings do not clash."""
    return a_start < b_end and b_start < a_end


def find_clash(session: Session, model: Any, *, shop_id: str, starts_at: datetime,
               ends_at: datetime, technician_id: str | None, bay_id: str | None,
               exclude_id: str | None = None) -> tuple[str, Any] | None:
    """The first live appointment that the given booking would double-book, with the field
    (``technician_id`` or ``bay_id``) it clashes on; None when it is free."""
    for field, value in (("technician_id", technician_id), ("bay_id", bay_id)):
        if not value:
            continue
        stmt = (
            select(model)
            .where(model.shop_id == shop_id, getattr(model, field) == value,
                   model.deleted_at.is_(None),
                   model.status.not_in(INACTIVE_APPOINTMENT_STATUSES),
                   model.starts_at < ends_at, model.ends_at > starts_at)
            .order_by(model.starts_at)
            .limit(1)
        )
        if exclude_id is not None:
            stmt = stmt.where(model.id != exclude_id)
        clash = session.scalars(stmt).first()
        if clash is not None:
            return field, clash
    return None
