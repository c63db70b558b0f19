"""The maintenance reminder list as rows: what the clerk reads before calling a customer,
and what the CSV export holds — one shape for both, from ``app.queries.maintenance``'s
``fleet_due`` (``reminder_list`` reads it; ``reminder_rows`` shapes it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy.orm import Session

from app.csvexport import Cell
from app.queries.common import local_day
from app.queries.maintenance import DueVehicle, MaintenanceItem, fleet_due

STATUS_WORDS = {"overdue": "Overdue", "due_soon": "Due soon"}

#: The export's columns (the window shows the same, bar the last three).
CSV_HEADER = ("Customer", "Phone", "Vehicle", "Plate", "Status", "Services due",
              "Due date", "Distance left", "Unit")


def item_words(item: MaintenanceItem, now: datetime) -> str:
    """``Engine oil and filter: 1,240 km over, 20 days over``: a service and how far it is
    from due, by distance and by date (whichever the rule has)."""
    parts = []
    if item.remaining_distance is not None:
        left = item.remaining_distance
        parts.append(f"{-left:,} {item.unit} over" if left <= 0 else f"{left:,} {item.unit} left")
    if item.next_due_at is not None and item.remaining_days is not None:
        days = item.remaining_days
        if item.next_due_at <= now:
            over = max(1, -days)
            parts.append(f"{over:,} day{'s' if over != 1 else ''} over")
        else:
            parts.append("due today" if days == 0
                         else f"in {days:,} day{'s' if days != 1 else ''}")
    return item.label + (f": {', '.join(parts)}" if parts else "")


@dataclass(frozen=True)
class ReminderRow:
    """One vehicle to call about."""

    vehicle_id: str
    customer: str
    phone: str
    vehicle: str
    plate: str
    #: ``overdue`` when any service is, else ``due_soon``.
    status: str
    #: Each due service in words, most urgent first.
    services: tuple[str, ...]
    #: The names of those services alone (``Engine oil and filter``).
    labels: tuple[str, ...]
    #: The earliest due date of its services on the shop's calendar (None: by distance only).
    due_on: date | None
    #: The least distance left (negative: past due), in ``unit``.
    distance_left: int | None
    unit: str

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    def csv_cells(self) -> tuple[Cell, ...]:
        return (self.customer, self.phone, self.vehicle, self.plate, self.status_words,
                "; ".join(self.services), self.due_on, self.distance_left, self.unit)


def reminder_rows(due: Iterable[DueVehicle], now: datetime,
                  tz: tzinfo | None = None) -> tuple[ReminderRow, ...]:
    """``fleet_due``'s vehicles as rows, in its order (most overdue first)."""
    out = []
    for v in due:
        dates = [i.next_due_at for i in v.items if i.next_due_at is not None]
        distances = [i.remaining_distance for i in v.items if i.remaining_distance is not None]
        out.append(ReminderRow(
            vehicle_id=v.vehicle_id, customer=v.customer, phone=v.phone, vehicle=v.vehicle,
            plate=v.plate, status="overdue" if any(i.overdue for i in v.items) else "due_soon",
            services=tuple(item_words(i, now) for i in v.items),
            labels=tuple(i.label for i in v.items),
            due_on=local_day(min(dates), tz) if dates else None,
            distance_left=min(distances) if distances else None,
            unit=v.items[0].unit if v.items else ""))
    return tuple(out)


def reminder_list(session: Session, now: datetime, tz: tzinfo | None = None,
                  limit: int = 500) -> tuple[ReminderRow, ...]:
    """The vehicles to call about now (``fleet_due``'s defaults: due within 30 days or
    1,000 km), as rows."""
    return reminder_rows(fleet_due(session, now, limit=limit), now, tz)
