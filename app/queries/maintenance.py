"""Maintenance due, by distance and by months, from interval rules.

The last time a service was done is the latest closed job of the vehicle with a line (not
declined) of that ``service_code``: its ``odometer_in`` and ``closed_at``. The next service
is due at that reading plus the rule's distance, or that date plus the rule's months,
whichever comes first. Distances are kept in kilometres and shown in the vehicle's unit.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Customer, Job, JobLine, Vehicle
from app.queries.common import vehicle_label

KM_PER_MILE = 1.609344


@dataclass(frozen=True)
class IntervalRule:
    """Service ``service_code`` is due every ``distance_km`` or every ``months``."""

    service_code: str
    label: str
    distance_km: int | None
    months: int | None


#: Conservative defaults for today's cars; a shop may pass its own table.
DEFAULT_RULES: dict[str, IntervalRule] = {r.service_code: r for r in (
    IntervalRule("oil", "Engine oil and filter", 15_000, 12),
    IntervalRule("tire_rotation", "Tire rotation", 10_000, 12),
    IntervalRule("cabin_filter", "Cabin air filter", 24_000, 12),
    IntervalRule("air_filter", "Engine air filter", 48_000, 36),
    IntervalRule("brake_fluid", "Brake fluid", None, 24),
    IntervalRule("coolant", "Coolant", 160_000, 60),
    IntervalRule("spark_plugs", "Spark plugs", 160_000, 120),
    IntervalRule("transmission_fluid", "Automatic transmission fluid", 100_000, 60),
    IntervalRule("timing_belt", "Timing belt and water pump", 160_000, 84),
)}


def add_months(at: datetime, months: int) -> datetime:
    """``at`` moved by whole calendar months; the 31st becomes the month's last day."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month,
                      day=min(at.day, calendar.monthrange(year, month)[1]))


def in_unit(km: int, unit: str) -> int:
    """``km`` kilometres in ``unit`` (km or mi), rounded to whole units."""
    return km if unit == "km" else round(km / KM_PER_MILE)


def rule_distance(rule: IntervalRule, unit: str) -> int | None:
    """The rule's distance in ``unit`` (km or mi)."""
    return None if rule.distance_km is None else in_unit(rule.distance_km, unit)


@dataclass(frozen=True)
class MaintenanceItem:
    vehicle_id: str
    service_code: str
    label: str
    unit: str
    #: Latest known reading of the vehicle (its own or a job's odometer in).
    current_odometer: int | None
    #: None when this shop never did the service on the vehicle.
    last_done_at: datetime | None
    last_odometer: int | None
    last_job_number: str | None
    next_due_odometer: int | None
    next_due_at: datetime | None
    #: Distance left before due (negative: past due), by the latest reading.
    remaining_distance: int | None
    remaining_days: int | None
    overdue: bool
    due_soon: bool

    @property
    def status(self) -> str:
        """``overdue``, ``due_soon``, ``ok`` or ``no_record``."""
        if self.last_done_at is None:
            return "no_record"
        return "overdue" if self.overdue else "due_soon" if self.due_soon else "ok"


@dataclass(frozen=True)
class _Last:
    closed_at: datetime
    odometer: int | None
    number: str


def _item(vehicle_id: str, unit: str, current: int | None, rule: IntervalRule,
          last: _Last | None, now: datetime, soon_days: int, soon_distance_km: int
          ) -> MaintenanceItem:
    distance = rule_distance(rule, unit)
    next_odo = next_at = remaining = days = None
    if last is not None:
        if distance is not None and last.odometer is not None:
            next_odo = last.odometer + distance
            if current is not None:
                remaining = next_odo - current
        if rule.months is not None:
            next_at = add_months(last.closed_at, rule.months)
            days = (next_at - now).days  # whole days, rounded down (so -1 once past due)
    overdue = (remaining is not None and remaining <= 0) or (next_at is not None and next_at <= now)
    soon = in_unit(soon_distance_km, unit)
    due_soon = not overdue and ((remaining is not None and remaining <= soon)
                                or (days is not None and days <= soon_days))
    return MaintenanceItem(
        vehicle_id=vehicle_id, service_code=rule.service_code, label=rule.label, unit=unit,
        current_odometer=current, last_done_at=last.closed_at if last else None,
        last_odometer=last.odometer if last else None,
        last_job_number=last.number if last else None, next_due_odometer=next_odo,
        next_due_at=next_at, remaining_distance=remaining, remaining_days=days,
        overdue=overdue, due_soon=due_soon)


def _latest_services(session: Session, codes: Iterable[str],
                     vehicle_id: str | None = None) -> dict[tuple[str, str], _Last]:
    """(vehicle id, service code) → the latest closed job with a line of that code."""
    ranked = (
        select(Job.vehicle_id.label("vehicle_id"), JobLine.service_code.label("code"),
               Job.closed_at.label("closed_at"), Job.odometer_in.label("odometer"),
               Job.number.label("number"),
               func.row_number().over(
                   partition_by=(Job.vehicle_id, JobLine.service_code),
                   order_by=(Job.closed_at.desc(), Job.id.desc())).label("rank"))
        .join(Job, Job.id == JobLine.job_id)
        .where(JobLine.service_code.in_(list(codes)), JobLine.approval != "declined",
               JobLine.deleted_at.is_(None), Job.status == "closed",
               Job.closed_at.is_not(None), Job.deleted_at.is_(None),
               Job.vehicle_id.is_not(None))
    )
    if vehicle_id is not None:
        ranked = ranked.where(Job.vehicle_id == vehicle_id)
    sub = ranked.subquery()
    rows = session.execute(select(sub.c.vehicle_id, sub.c.code, sub.c.closed_at,
                                  sub.c.odometer, sub.c.number).where(sub.c.rank == 1))
    return {(v, c): _Last(at, odo, number) for v, c, at, odo, number in rows}


def _readings(session: Session, vehicle_id: str | None = None) -> dict[str, int]:
    """vehicle id → the highest reading known (its own odometer or a job's odometer in)."""
    stmt = (select(Job.vehicle_id, func.max(Job.odometer_in))
            .where(Job.deleted_at.is_(None), Job.odometer_in.is_not(None),
                   Job.vehicle_id.is_not(None))
            .group_by(Job.vehicle_id))
    if vehicle_id is not None:
        stmt = stmt.where(Job.vehicle_id == vehicle_id)
    return {v: int(m) for v, m in session.execute(stmt) if v is not None and m is not None}


def maintenance_due(session: Session, vehicle_id: str, now: datetime, *,
                    rules: Mapping[str, IntervalRule] = DEFAULT_RULES, soon_days: int = 30,
                    soon_distance_km: int = 1_000) -> tuple[MaintenanceItem, ...]:
    """Every rule for one vehicle: overdue first, then due soon, then by next due date;
    services never done at this shop come last (``status == "no_record"``)."""
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.deleted_at is not None:
        return ()
    last = _latest_services(session, rules, vehicle_id)
    from_jobs = _readings(session, vehicle_id).get(vehicle_id)
    known = [r for r in (vehicle.odometer, from_jobs) if r is not None]
    current = max(known) if known else None
    items = [_item(vehicle_id, vehicle.odometer_unit, current, rule,
                   last.get((vehicle_id, code)), now, soon_days, soon_distance_km)
             for code, rule in rules.items()]
    return tuple(sorted(items, key=_urgency))


def _urgency(item: MaintenanceItem) -> tuple[int, float, str]:
    order = {"overdue": 0, "due_soon": 1, "ok": 2, "no_record": 3}[item.status]
    when = item.next_due_at.timestamp() if item.next_due_at else float("inf")
    return order, when, item.label


@dataclass(frozen=True)
class DueVehicle:
    """A vehicle with at least one service overdue or due soon, for the reminder list."""

    vehicle_id: str
    vehicle: str
    plate: str
    customer: str
    phone: str
    items: tuple[MaintenanceItem, ...]


def fleet_due(session: Session, now: datetime, *,
              rules: Mapping[str, IntervalRule] = DEFAULT_RULES, soon_days: int = 30,
              soon_distance_km: int = 1_000, limit: int = 200) -> tuple[DueVehicle, ...]:
    """Vehicles with something overdue or due soon (among services done here before),
    most overdue first: the shop's reminder list."""
    last = _latest_services(session, rules)
    readings = _readings(session)
    by_vehicle: dict[str, list[tuple[str, _Last]]] = defaultdict(list)
    for (vehicle_id, code), value in last.items():
        by_vehicle[vehicle_id].append((code, value))
    if not by_vehicle:
        return ()
    vehicles = session.execute(
        select(Vehicle.id, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate,
               Vehicle.odometer, Vehicle.odometer_unit, Customer.name, Customer.phone)
        .outerjoin(Customer, Customer.id == Vehicle.customer_id)
        .where(Vehicle.deleted_at.is_(None), Vehicle.id.in_(list(by_vehicle)))).all()
    out = []
    for v in vehicles:
        known = [r for r in (v.odometer, readings.get(v.id)) if r is not None]
        current = max(known) if known else None
        items = [_item(v.id, v.odometer_unit, current, rules[code], done, now, soon_days,
                       soon_distance_km) for code, done in by_vehicle[v.id]]
        due = sorted((i for i in items if i.overdue or i.due_soon), key=_urgency)
        if due:
            out.append(DueVehicle(v.id, vehicle_label(v.make, v.model, v.year), v.plate or "",
                                  v.name or "", v.phone or "", tuple(due)))
    out.sort(key=lambda d: (-sum(i.overdue for i in d.items), _urgency(d.items[0])[1],
                            d.vehicle_id))
    return tuple(out[:limit])
