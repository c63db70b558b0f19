"""What the front desk's check-in reads: the customer and vehicles a search hit leads to,
each vehicle's last odometer reading, the customers a new one may duplicate, and the
promised time a new job starts with.

Plain dataclasses, never ORM rows; the time is a parameter (``now``), so tests fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import Session

from app import rules
from app.models import Customer, Job, Vehicle
from app.queries.common import shop_tz, vehicle_label
from app.queries.search import _digits_only

#: The hour the shop hands cars back (its wall clock): a job checked in early enough is
#: promised for then, today.
CLOSING_HOUR = 17
#: A promise needs at least this much time before closing; later ones are for tomorrow.
MIN_PROMISE = timedelta(hours=2)
#: The hour a job checked in too late for today is promised for, the next day.
NEXT_DAY_HOUR = 12
#: A phone number shorter than this (in digits) is not compared by its last digits.
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class CustomerFacts:
    id: str
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class VehicleFacts:
    id: str
    customer_id: str | None
    label: str  # "2003 Honda Accord"
    plate: str
    vin: str
    #: The highest reading known (its own or any job's odometer in), or None.
    odometer: int | None
    odometer_unit: str
    #: Numbers of its open jobs (not closed or cancelled), newest first.
    open_jobs: tuple[str, ...]

    @property
    def title(self) -> str:
        return " · ".join(p for p in (self.label, self.plate) if p) or self.vin or "Vehicle"


@dataclass(frozen=True)
class CheckinStart:
    """Where a check-in starts: the customer (None for a vehicle nobody owns), their
    vehicles (most recently changed first), and the one chosen (None: pick or add one)."""

    customer: CustomerFacts | None
    vehicles: tuple[VehicleFacts, ...]
    vehicle_id: str | None

    @property
    def vehicle(self) -> VehicleFacts | None:
        return next((v for v in self.vehicles if v.id == self.vehicle_id), None)


@dataclass(frozen=True)
class CustomerMatch:
    """A customer a new one may be the same as, and why (``"phone"`` or ``"name"``)."""

    id: str
    name: str
    phone: str
    email: str
    why: str
    vehicles: str  # their vehicles in a few words


def highest_reading(session: Session, vehicle_id: str, own: int | None) -> int | None:
    """The highest of a vehicle's own reading ``own`` and its jobs' odometers in: the last
    reading a new one is compared with (``app.ops.vehicles.check_odometer``)."""
    from_jobs = session.scalar(select(func.max(Job.odometer_in)).where(
        Job.vehicle_id == vehicle_id, Job.deleted_at.is_(None)))
    readings = [r for r in (own, from_jobs) if r is not None]
    return max(readings) if readings else None


def last_odometer(session: Session, vehicle_id: str) -> int | None:
    """The last reading known for a vehicle (see ``highest_reading``)."""
    own = session.scalar(select(Vehicle.odometer).where(Vehicle.id == vehicle_id))
    return highest_reading(session, vehicle_id, own)


def _vehicles(session: Session, where: ColumnElement[bool]) -> tuple[VehicleFacts, ...]:
    rows = session.execute(
        select(Vehicle.id, Vehicle.customer_id, Vehicle.make, Vehicle.model, Vehicle.year,
               Vehicle.plate, Vehicle.vin, Vehicle.odometer_unit)
        .where(Vehicle.deleted_at.is_(None), where)
        .order_by(Vehicle.updated_at.desc(), Vehicle.plate)).all()
    ids = [r.id for r in rows]
    if not ids:
        return ()
    open_jobs: dict[str, list[str]] = {}
    for vid, number in session.execute(
            select(Job.vehicle_id, Job.number)
            .where(Job.vehicle_id.in_(ids), Job.deleted_at.is_(None),
                   Job.status.not_in(rules.FINAL_STATUSES))
            .order_by(Job.created_at.desc())):
        open_jobs.setdefault(str(vid), []).append(number)
    return tuple(VehicleFacts(r.id, r.customer_id, vehicle_label(r.make, r.model, r.year),
                              r.plate, r.vin, last_odometer(session, r.id), r.odometer_unit,
                              tuple(open_jobs.get(r.id, ())))
                 for r in rows)


def _customer(session: Session, customer_id: str | None) -> CustomerFacts | None:
    if not customer_id:
        return None
    row = session.execute(select(Customer.id, Customer.name, Customer.phone, Customer.email)
                          .where(Customer.id == customer_id,
                                 Customer.deleted_at.is_(None))).first()
    return CustomerFacts(*row) if row is not None else None


def checkin_start(session: Session, *, vehicle_id: str | None = None,
                  customer_id: str | None = None) -> CheckinStart | None:
    """The check-in of a vehicle (with its owner and the owner's other vehicles) or of a
    customer (their only vehicle chosen; with several, none: the clerk picks). None when
    the row no longer exists."""
    if vehicle_id is not None:
        own = _vehicles(session, Vehicle.id == vehicle_id)
        if not own:
            return None
        customer = _customer(session, own[0].customer_id)
        if customer is None:
            return CheckinStart(None, own, vehicle_id)
        return CheckinStart(customer, _vehicles(session, Vehicle.customer_id == customer.id),
                            vehicle_id)
    customer = _customer(session, customer_id)
    if customer is None:
        return None
    cars = _vehicles(session, Vehicle.customer_id == customer.id)
    return CheckinStart(customer, cars, cars[0].id if len(cars) == 1 else None)


def likely_duplicates(session: Session, name: str, phone: str, *,
                      limit: int = 5) -> tuple[CustomerMatch, ...]:
    """Customers who may be the one about to be made: the same phone number (its digits;
    with 7 or more, one number ending with the other, so "+1 416 555 0142" matches
    "416-555-0142") or the same name (case and spacing aside). Phone matches first."""
    name = " ".join((name or "").split())
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    conditions = []
    stored = _digits_only(Customer.phone)
    by_phone = None
    if len(digits) >= 3:
        by_phone = stored == digits
        if len(digits) >= MIN_PHONE_DIGITS:
            by_phone = or_(by_phone,
                           (func.length(stored) >= MIN_PHONE_DIGITS)
                           & (stored.endswith(digits, autoescape=True)
                              | literal(digits).endswith(stored)))
        conditions.append(by_phone)
    by_name = None
    if name:
        by_name = func.lower(Customer.name) == func.lower(name)
        conditions.append(by_name)
    if not conditions:
        return ()
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.phone, Customer.email,
               (by_phone if by_phone is not None else literal(False)))
        .where(Customer.deleted_at.is_(None), or_(*conditions))
        .order_by(Customer.name).limit(limit * 2)).all()
    out = []
    for cid, cname, cphone, email, phone_hit in rows:
        cars = _vehicles(session, Vehicle.customer_id == cid)
        shown = ", ".join(v.title for v in cars[:2]) + (f" and {len(cars) - 2} more"
                                                        if len(cars) > 2 else "")
        out.append(CustomerMatch(cid, cname, cphone, email, "phone" if phone_hit else "name",
                                 shown))
    out.sort(key=lambda m: (m.why != "phone", m.name.lower()))
    return tuple(out[:limit])


def default_promised_at(now: datetime, tz: tzinfo | None = None) -> datetime:
    """When a job checked in at ``now`` is promised unless the clerk says otherwise: today
    at closing when at least two hours are left, else the next day at noon (UTC)."""
    zone = shop_tz(tz)
    local = now.astimezone(zone)
    closing = datetime.combine(local.date(), time(CLOSING_HOUR), tzinfo=zone)
    if local + MIN_PROMISE <= closing:
        return closing.astimezone(UTC)
    nxt = datetime.combine(local.date() + timedelta(days=1), time(NEXT_DAY_HOUR), tzinfo=zone)
    return nxt.astimezone(UTC)


def promise_choices(now: datetime, tz: tzinfo | None = None) -> tuple[tuple[str, datetime], ...]:
    """The promised times a clerk picks with one click: in two hours (to the next quarter
    hour), today at closing (while it is ahead), tomorrow at noon. Labels and UTC times."""
    zone = shop_tz(tz)
    local = now.astimezone(zone)
    soon = local + MIN_PROMISE
    soon = soon.replace(second=0, microsecond=0) + timedelta(minutes=(-soon.minute) % 15)
    out = [("In 2 hours", soon.astimezone(UTC))]
    closing = datetime.combine(local.date(), time(CLOSING_HOUR), tzinfo=zone)
    if closing > local + timedelta(minutes=30):
        out.append((f"Today {CLOSING_HOUR:02d}:00", closing.astimezone(UTC)))
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(NEXT_DAY_HOUR),
                                tzinfo=zone)
    out.append((f"Tomorrow {NEXT_DAY_HOUR:02d}:00", tomorrow.astimezone(UTC)))
    return tuple(out)
