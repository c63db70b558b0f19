"""A demo shop: two years of a busy independent workshop, deterministic from a seed.

``generate`` simulates the shop day by day: technicians work their shifts, each filling
the day with jobs whose clocked time follows the billed labour and the technician's
efficiency; vehicles come back when their maintenance is due (so maintenance-due has real
data), wear their odometers up, and sometimes decline work. Today has open jobs in every
status, running clocks and appointments.

The rows are the replica's starting state, like a snapshot pulled from a server: they are
bulk-inserted in ONE transaction and append NO outbox entries. Same seed, same ``now``,
same ``tz`` → the same rows, ids included.
"""

from __future__ import annotations

import json
import os
import random
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, func, insert, select

from app import demo_catalog as cat
from app.db import Store
from app.entities import UTCDateTime
from app.models import (
    Appointment,
    Base,
    Bay,
    Customer,
    Job,
    JobLine,
    Note,
    StatusEvent,
    Technician,
    TimeEntry,
    Vehicle,
)
from app.queries.common import shop_tz
from app.queries.maintenance import DEFAULT_RULES, KM_PER_MILE, add_months
from app.rules import vin_check_digit
from app.shopsettings import line_amount_cents
from app.timeutil import utcnow

DEFAULT_SEED = 2026
DEMO_SHOP_NAME = "Harbour Street Auto (demo)"


@dataclass(frozen=True)
class DemoAccount:
    """A sign-in of the demo shop's server. Public on purpose, like any product's demo login:
    the demo server listens on 127.0.0.1 only and holds made-up data, so these passwords
    protect nothing and are never put in the keyring (``sync.demo``)."""

    role: str
    username: str
    password: str
    display_name: str


#: The demo server's accounts: the clerk the desk signs in as, a manager, and the shared
#: kiosk's device account. One place, used by ``server.demo`` and ``sync.demo``.
DEMO_ACCOUNTS: dict[str, DemoAccount] = {
    "clerk": DemoAccount("clerk", "demo-clerk", "demo-clerk-password", "Dana Whitfield"),
    "manager": DemoAccount("manager", "demo-manager", "demo-manager-password", "Sam Okafor"),
    "kiosk": DemoAccount("kiosk", "demo-kiosk", "demo-kiosk-password", "Workshop kiosk"),
}
#: The demo technicians' accounts (made by ``server.demo`` for each technician of
#: ``demo_catalog.TECHNICIANS``, who all still work there): the n-th (from 1) signs in as
#: ``demo-tech-n`` and at the kiosk with the PIN of n four times ("1111" for Marco Rossi,
#: "2222" for Priya Sharma, ...). Public like the accounts above.
DEMO_TECHNICIAN_PASSWORD = "demo-technician-password"


def demo_technician_pin(number: int) -> str:
    """The kiosk PIN of the ``number``-th demo technician (1-based): ``"1111"``, ..."""
    return str(number % 10) * 4


def demo_technician_accounts() -> list[tuple[str, str, str]]:
    """``(username, technician name, PIN)`` of each demo technician with a kiosk PIN."""
    return [(f"demo-tech-{n}", name, demo_technician_pin(n))
            for n, (name, _skills, _color) in enumerate(cat.TECHNICIANS, start=1)]


_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # VIN position 10, a 30-year cycle from 1980
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_HOLIDAYS = {(1, 1), (7, 1), (12, 25), (12, 26)}


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each entity the demo wrote."""

    counts: dict[str, int]
    closed_jobs: int
    open_jobs: int


@dataclass
class _Tech:
    id: str
    name: str
    skills: tuple[str, ...]
    color: str
    factor: float  # billed hours per clocked hour (flat-rate efficiency)
    works_from: date
    works_until: date | None
    home_bay: str
    kiosk: int
    absent: set[date] = field(default_factory=set)


@dataclass
class _Car:
    id: str
    customer_id: str
    model: cat.Model
    year: int
    vin: str
    plate: str
    unit: str
    delivered: date
    per_day: float  # distance per day, in the vehicle's unit
    last_done: dict[str, tuple[date, int]] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_reading: int | None = None

    def odometer(self, day: date) -> int:
        return max(5, int(self.per_day * (day - self.delivered).days))


class _Gen:
    def __init__(self, shop_id: str, seed: int, now: datetime, tz: tzinfo,
                 history_days: int, open_jobs: int) -> None:
        self.rng = random.Random(seed)
        # Internally every time is naive UTC: the bulk insert writes them as they are.
        self.now = now.astimezone(UTC).replace(tzinfo=None)
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.start = self.today - timedelta(days=history_days)
        self.open_target = open_jobs
        self.shop_id = shop_id
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (
            "technician", "bay", "customer", "vehicle", "job", "job_line", "time_entry",
            "note", "status_event", "appointment")}
        self.number = 10_000
        self.devices = (self.uid(), self.uid(), self.uid())  # desk, kiosk 1, kiosk 2
        self.maint = [s for s in cat.SERVICES if s.service_code]
        self.repairs = [s for s in cat.SERVICES if not s.maintenance]
        self.repair_cw = list(accumulate(s.weight for s in self.repairs))

    # --- small helpers ---------------------------------------------------------------

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def at(self, day: date, hour: float) -> datetime:
        """``hour`` o'clock (fractional) on ``day`` on the shop's wall clock, in UTC."""
        h = int(hour)
        m = int(round((hour - h) * 60))
        local = datetime.combine(day, time(min(h, 23), min(m, 59)), tzinfo=self.tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    def row(self, entity: str, created: datetime, updated: datetime | None = None, /,
            **fields: Any) -> dict[str, Any]:
        rid = fields.pop("id", None) or self.uid()
        data = {"id": rid, "shop_id": self.shop_id, "created_at": created,
                "updated_at": updated or created, "deleted_at": None, **fields}
        if entity == "job_line":
            data.setdefault("part_number", "")
        self.rows[entity].append(data)
        return data

    def next_number(self) -> str:
        self.number += 1
        return str(self.number)

    # --- people, places, vehicles ----------------------------------------------------

    def staff(self) -> None:
        bays = []
        for name, kind in cat.BAYS:
            bays.append(self.row("bay", datetime.combine(self.start, time()),
                                 name=name, kind=kind)["id"])
        self.bays = bays
        rng = self.rng
        self.techs: list[_Tech] = []
        specs = [*cat.TECHNICIANS, cat.FORMER_TECHNICIAN]
        all_days = self.days()
        for i, (name, skills, color) in enumerate(specs):
            works_from = self.start - timedelta(days=rng.randrange(200, 3000))
            works_until = None
            if i == 7:  # the newest hire, an apprentice
                works_from = self.today - timedelta(days=int(len(all_days) * 0.3))
            if i == len(specs) - 1:  # left the shop during the first year
                works_until = self.start + timedelta(days=rng.randrange(200, 330))
            factor = 0.78 if i == 7 else round(rng.uniform(0.92, 1.3), 2)
            tech = _Tech(self.uid(), name, skills, color, factor, works_from, works_until,
                         bays[i % len(bays)], 1 + i % 2)
            self.techs.append(tech)
            created = datetime.combine(max(works_from, self.start - timedelta(days=30)),
                                       time(12))
            self.row("technician", created, id=tech.id, name=name, skills=sorted(skills),
                     color=color,
                     daily_capacity_minutes=420 if i == 7 else 480,
                     active=works_until is None)
            # three weeks of holidays a year, and a sick day now and then
            for _ in range(max(1, len(all_days) * 2 // 365)):
                first = rng.choice(all_days)
                tech.absent.update(first + timedelta(days=d) for d in range(rng.choice((7, 10, 14))))
            tech.absent.update(d for d in all_days if rng.random() < 0.015)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.today - self.start).days)]

    def car_park(self) -> None:
        rng = self.rng
        expected_jobs = len(self.days()) * 8 * 2.6
        n_people = max(60, int(expected_jobs / 4.2))
        self.cars: list[_Car] = []
        self.customers: list[dict[str, Any]] = []
        model_cw = list(accumulate(m.weight for m in cat.MODELS))
        for i in range(n_people + len(cat.BUSINESSES)):
            business = i >= n_people
            if business:
                name = cat.BUSINESSES[i - n_people]
            else:
                name = f"{rng.choice(cat.FIRST_NAMES)} {rng.choice(cat.LAST_NAMES)}"
            phone = f"({rng.choice(cat.AREA_CODES)}) 555-{rng.randrange(100, 10_000):04d}"
            email = ""
            if rng.random() < 0.7:
                local = name.lower().replace(" ", ".").replace("'", "")
                local = "".join(ch for ch in local if ch.isalnum() or ch == ".").strip(".")
                email = f"{local}@example.com"
            address = (f"{rng.randrange(1, 3000)} {rng.choice(cat.STREETS)}, "
                       f"{rng.choice(cat.CITIES)}, ON")
            customer = {"id": self.uid(), "name": name,
                        "kind": "business" if business else "person", "phone": phone,
                        "email": email, "address": address,
                        "notes": "Fleet account, net 30." if business else ""}
            self.customers.append(customer)
            n_cars = rng.randrange(4, 12) if business else (1 if rng.random() < 0.8 else 2)
            for _ in range(n_cars):
                model = rng.choices(cat.MODELS, cum_weights=model_cw)[0]
                self.cars.append(self.make_car(customer["id"], model))
        # some cars come every few months, most once or twice a year
        self.car_cw = list(accumulate(rng.lognormvariate(0, 0.7) for _ in self.cars))

    def make_car(self, customer_id: str, model: cat.Model) -> _Car:
        rng = self.rng
        year = rng.randint(model.first_year, min(model.last_year, self.today.year))
        unit = "mi" if rng.random() < 0.04 else "km"
        per_day = rng.uniform(25, 60) / (KM_PER_MILE if unit == "mi" else 1)
        delivered = date(year - 1, 9, 1) + timedelta(days=rng.randrange(0, 365))
        wmi = rng.choice(model.wmis)
        vds = "".join(rng.choice(_VIN_CHARS) for _ in range(5))
        tail = (_YEAR_CODES[(year - 1980) % 30] + rng.choice(_VIN_CHARS)
                + f"{rng.randrange(1_000_000):06d}")
        draft = wmi + vds + "0" + tail
        vin = draft[:8] + vin_check_digit(draft) + draft[9:]
        letters = "ABCDEFGHJKLMNPRSTVWXYZ"
        plate = ("".join(rng.choice(letters) for _ in range(4)) + f" {rng.randrange(1000):03d}"
                 if year >= 2010 or rng.random() < 0.5 else
                 "".join(rng.choice(letters) for _ in range(3)) + f" {rng.randrange(1000):03d}")
        return _Car(self.uid(), customer_id, model, year, vin, plate, unit, delivered, per_day)

    # --- a visit ----------------------------------------------------------------------

    def pick_repair(self) -> cat.Service:
        return self.rng.choices(self.repairs, cum_weights=self.repair_cw)[0]

    def pick_car(self, day: date) -> _Car:
        while True:
            car = self.rng.choices(self.cars, cum_weights=self.car_cw)[0]
            if car.delivered < day:
                return car

    def services_for(self, car: _Car, day: date, odo: int) -> tuple[list[cat.Service],
                                                                        list[cat.Service]]:
        """What the car gets (approved) and what is recommended but declined."""
        rng = self.rng
        ev = car.model.electric
        done: list[cat.Service] = []
        declined: list[cat.Service] = []
        for service in self.maint:
            if (service.ice_only and ev) or (service.belt_only and not car.model.timing_belt):
                continue
            assert service.service_code is not None
            rule = DEFAULT_RULES[service.service_code]
            last = car.last_done.get(service.service_code)
            since_day, since_odo = last if last else (car.delivered, 0)
            dist = rule.distance_km / (KM_PER_MILE if car.unit == "mi" else 1) \
                if rule.distance_km else None
            due_by_km = dist is not None and odo - since_odo >= dist * 0.9
            due_by_time = rule.months is not None and add_months(
                datetime.combine(since_day, time()), rule.months).date() <= day + timedelta(days=20)
            if not (due_by_km or due_by_time):
                continue
            if last is None and service.service_code != "oil" and rng.random() < 0.6:
                continue  # probably done elsewhere before: the shop does not know
            if service.service_code in ("oil", "tire_rotation") or rng.random() < 0.75:
                done.append(service)
            else:
                declined.append(service)
        return done, declined

    def visit(self, car: _Car, day: date) -> tuple[list[cat.Service], list[cat.Service], int]:
        rng = self.rng
        odo = car.odometer(day)
        maintenance, declined = self.services_for(car, day, odo)
        repairs: list[cat.Service] = []
        if not maintenance or rng.random() < 0.6:
            for _ in range(8):  # one or two repairs that fit the car and the season
                s = self.pick_repair()
                if (s.ice_only and car.model.electric) or s in repairs or (
                        s.code == "seasonal" and day.month not in (4, 5, 10, 11)):
                    continue
                repairs.append(s)
                if len(repairs) == 2 or rng.random() < 0.65:
                    break
            if repairs and maintenance and rng.random() < 0.5:
                maintenance = maintenance[:1]  # in for a repair: only the most pressing item
        services = maintenance + repairs
        if rng.random() < 0.1:
            extra = self.pick_repair()
            if extra not in services and not (extra.ice_only and car.model.electric):
                declined.append(extra)
        return services, declined, odo

    def write_lines(self, job_id: str, services: list[cat.Service],
                    declined: list[cat.Service], created: datetime, updated: datetime,
                    state: str) -> float:
        """The job's lines; ``state`` is how far the job got (``estimate`` … ``closed``).
        Returns the billed labour hours."""
        rng = self.rng
        approval = "pending" if state == "estimate" else "approved"
        labor_total = 0
        hours = 0.0
        for group, approved in ((services, approval), (declined, "declined")):
            for s in group:
                h = round(s.labor_hours * rng.choice((1, 1, 1, 1.1, 0.9)), 1)
                done = approved == "approved" and state in ("ready", "closed")
                self.row("job_line", created, updated, job_id=job_id, kind="labor",
                         description=s.description, quantity=h,
                         unit_price_cents=cat.LABOR_RATE_CENTS, approval=approved,
                         technician_id=None, part_status=None, done=done,
                         service_code=s.service_code)
                if approved != "declined":
                    hours += h
                    labor_total += line_amount_cents(h, cat.LABOR_RATE_CENTS)
                for part in s.parts:
                    self.row("job_line", created, updated, job_id=job_id, kind="part",
                             description=part.description, quantity=float(part.quantity),
                             unit_price_cents=part.unit_price_cents, approval=approved,
                             technician_id=None, part_status=self.part_status(state, approved),
                             done=done, service_code=None,
                             part_number=demo_part_number(part.description))
                if s.fee and approved != "declined":
                    self.row("job_line", created, updated, job_id=job_id, kind="fee",
                             description=s.fee[0], quantity=1.0, unit_price_cents=s.fee[1],
                             approval=approved, technician_id=None, part_status=None,
                             done=done, service_code=None)
        label, share, cap = cat.SHOP_SUPPLIES
        if labor_total:
            self.row("job_line", created, updated, job_id=job_id, kind="fee",
                     description=label, quantity=1.0,
                     unit_price_cents=min(cap, int(labor_total * share)), approval=approval,
                     technician_id=None, part_status=None, done=state in ("ready", "closed"),
                     service_code=None)
        return hours

    def part_status(self, state: str, approval: str) -> str:
        if approval == "declined":
            return "needed"
        r = self.rng.random()
        if state in ("ready", "closed"):
            return "installed"
        if state == "in_progress":
            return "installed" if r < 0.5 else "received"
        if state == "on_hold":
            return "ordered" if r < 0.7 else "needed"
        if state == "queued":
            return "received" if r < 0.5 else "ordered" if r < 0.8 else "needed"
        return "needed"

    def job(self, car: _Car, tech: _Tech | None, created: datetime, state: str, *,
            services: list[cat.Service], declined: list[cat.Service], odo: int,
            promised: datetime | None, updated: datetime, completed: datetime | None = None,
            closed: datetime | None = None, hold: str | None = None,
            waiting: bool = False) -> dict[str, Any]:
        rng = self.rng
        concern = next((s.concern for s in services if s.concern), services[0].description)
        job = self.row(
            "job", created, updated, number=self.next_number(), customer_id=car.customer_id,
            vehicle_id=car.id, status=state, hold_reason=hold,
            priority=2 if waiting and rng.random() < 0.3 else (1 if rng.random() < 0.05 else 0),
            concern=concern, promised_at=promised, customer_waiting=waiting,
            technician_id=tech.id if tech else None, bay_id=tech.home_bay if tech else None,
            odometer_in=odo, estimated_minutes=int(sum(s.labor_hours for s in services) * 60),
            completed_at=completed, closed_at=closed)
        if car.first_seen is None or created < car.first_seen:
            car.first_seen = created
        car.last_reading = max(car.last_reading or 0, odo)
        return job

    def event(self, job_id: str, frm: str | None, to: str, at: datetime,
              by: str | None, device: int) -> None:
        self.row("status_event", at, job_id=job_id, from_status=frm, to_status=to, by_id=by,
                 at=at, device_id=self.devices[device])

    def entry(self, tech: _Tech, kind: str, start: datetime, end: datetime | None,
              job_id: str | None = None) -> None:
        self.row("time_entry", start, end or start, technician_id=tech.id, job_id=job_id,
                 kind=kind, started_at=start, ended_at=end,
                 device_id=self.devices[tech.kiosk],
                 corrects_id=None, reason="")

    def note(self, job_id: str, at: datetime, kind: str, body: str, author: str | None) -> None:
        self.row("note", at, job_id=job_id, author_id=author, kind=kind, body=body)

    # --- the past: day by day ---------------------------------------------------------

    def working(self, tech: _Tech, day: date) -> bool:
        if (day.month, day.day) in _HOLIDAYS or day.weekday() == 6 or day in tech.absent:
            return False
        if day < tech.works_from or (tech.works_until and day > tech.works_until):
            return False
        if day.weekday() == 5:  # Saturday mornings, on a rota of two
            return (day.toordinal() // 7 + self.techs.index(tech)) % 4 == 0
        return True

    def shift_hours(self, tech: _Tech, day: date) -> tuple[float, float]:
        rng = self.rng
        if day.weekday() == 5:
            return 8.0 + rng.gauss(0, 0.05), 13.0 + rng.gauss(0, 0.1)
        return 7.5 + rng.gauss(0, 0.08), 16.5 + rng.gauss(0, 0.2)

    def history(self) -> None:
        for day in self.days():
            for tech in self.techs:
                if self.working(tech, day):
                    self.work_day(tech, day, until=None)

    def work_day(self, tech: _Tech, day: date, until: datetime | None) -> list[dict[str, Any]]:
        """One technician's day: the shift and the jobs that fill it. With ``until`` (today),
        work stops there: finished jobs wait as ready, the one in hand stays in progress.
        Returns the jobs left open."""
        rng = self.rng
        s_from, s_to = self.shift_hours(tech, day)
        shift_start, shift_end = self.at(day, s_from), self.at(day, s_to)
        if until is not None and until <= shift_start:
            return []
        cursor = shift_start + timedelta(minutes=rng.uniform(5, 20))
        left_open: list[dict[str, Any]] = []
        while True:
            car = self.pick_car(day)
            services, declined, odo = self.visit(car, day)
            billed = sum(s.labor_hours for s in services)
            clocked = timedelta(hours=billed / tech.factor * rng.lognormvariate(0, 0.15))
            if rng.random() < 0.12:
                cursor += timedelta(minutes=rng.uniform(15, 50))  # waiting for the next car
            start, end = cursor, cursor + clocked
            if end > shift_end + timedelta(minutes=20):
                break
            if until is not None and start >= until:
                break
            running = until is not None and end > until
            left_open.extend(self.past_job(tech, car, day, services, declined, odo, start,
                                           None if running else end, until))
            if not running:  # the last job may run late: the shift ends after it
                shift_end = max(shift_end, end + timedelta(minutes=rng.uniform(3, 10)))
            cursor = end + timedelta(minutes=rng.uniform(5, 25))
            if running:
                break
        if until is None or until >= shift_end:
            self.entry(tech, "shift", shift_start, shift_end)
        else:
            self.entry(tech, "shift", shift_start, None)
        return left_open

    def past_job(self, tech: _Tech, car: _Car, day: date, services: list[cat.Service],
                 declined: list[cat.Service], odo: int, start: datetime, end: datetime | None,
                 until: datetime | None) -> list[dict[str, Any]]:
        rng = self.rng
        day_open = self.at(day, 7.0)
        dropped_before = rng.random() < 0.06
        if dropped_before:  # dropped off the working day before: read the odometer then
            prev = day - timedelta(days=1 if day.weekday() else 3)
            created = self.at(prev, rng.uniform(14, 17))
            odo = car.odometer(prev)
        else:
            created = max(day_open, start - timedelta(minutes=rng.uniform(10, 150)))
            created = min(created, start - timedelta(minutes=3))
        quick = sum(s.labor_hours for s in services) <= 1.0
        waiting = quick and rng.random() < 0.3
        promised = self.at(day, 17.0 if not waiting else 12.0)
        now = until
        if end is None:
            state, completed, closed = "in_progress", None, None
        else:
            completed = end
            pickup = end + timedelta(minutes=rng.uniform(15, 240))
            if pickup > self.at(day, 18.5):
                nxt = day + timedelta(days=1 if day.weekday() < 5 else 2)
                pickup = self.at(nxt, rng.uniform(8, 12))
            if now is not None and pickup > now:
                state, closed = "ready", None
            else:
                state, closed = "closed", pickup
        updated = closed or completed or start
        job = self.job(car, tech, created, state, services=services, declined=declined,
                       odo=odo, promised=promised, updated=updated, completed=completed,
                       closed=closed, waiting=waiting)
        jid = job["id"]
        self.write_lines(jid, services, declined, created, updated, state)
        if state == "closed":
            for s in services:
                if s.service_code:
                    car.last_done[s.service_code] = (day, odo)
        # the status trail
        via_estimate = rng.random() < 0.3
        if via_estimate:
            self.event(jid, None, "estimate", created, None, 0)
            self.event(jid, "estimate", "queued", created + (start - created) / 3, None, 0)
        else:
            self.event(jid, None, "queued", created, None, 0)
        if dropped_before or rng.random() < 0.05:
            reason = "parts" if dropped_before else "approval"
            hold_at = created + (start - created) / 2
            self.event(jid, "queued", "on_hold", hold_at, None, 0)
            self.note(jid, hold_at, "note", cat.HOLD_NOTES[reason], None)
            self.event(jid, "on_hold", "in_progress", start, tech.id, 1)
        else:
            self.event(jid, "queued", "in_progress", start, tech.id, 1)
        self.entry(tech, "job", start, end, jid)
        if end is not None:
            self.event(jid, "in_progress", "ready", end, tech.id, 1)
            if closed is not None:
                self.event(jid, "ready", "closed", closed, None, 0)
        # notes and findings
        stop = end or start + timedelta(minutes=5)
        if rng.random() < 0.45:
            finding = next((s.finding for s in services if s.finding), "")
            body = finding or rng.choice(cat.FINDINGS_GENERAL)
            self.note(jid, start + (stop - start) / 3, "finding", body, tech.id)
        if rng.random() < 0.25:
            self.note(jid, created + timedelta(minutes=2), "note", rng.choice(cat.CLERK_NOTES),
                      None)
        return [job] if state != "closed" else []

    # --- today ------------------------------------------------------------------------

    def today_work(self) -> list[dict[str, Any]]:
        """Today's shifts and clocks up to now; returns the jobs they leave open."""
        day = self.today
        left: list[dict[str, Any]] = []
        for tech in self.techs:
            if tech.works_until is None and self.working(tech, day):
                left.extend(self.work_day(tech, day, until=self.now))
        return left

    def open_jobs(self, from_today: list[dict[str, Any]]) -> None:
        """Top today's open jobs up to the target, in every open status."""
        rng = self.rng
        shares = {"estimate": 0.1, "queued": 0.25, "in_progress": 0.2, "on_hold": 0.175,
                  "ready": 0.275}
        have = {s: sum(1 for j in from_today if j["status"] == s) for s in shares}
        target = {s: max(1, round(self.open_target * share)) for s, share in shares.items()}
        # today's own open jobs count first; then the rest fills each status
        total = sum(have.values())
        quota = {s: max(0, target[s] - have[s]) for s in shares}
        while total + sum(quota.values()) > self.open_target:
            s = max(quota, key=lambda k: (quota[k], k))
            if quota[s] == 0:
                break
            quota[s] -= 1
        while total + sum(quota.values()) < self.open_target:
            quota["queued"] += 1
        active = [t for t in self.techs if t.works_until is None]
        for state in ("estimate", "queued", "in_progress", "on_hold", "ready"):
            for _ in range(quota[state]):
                self.open_job(state, rng.choice(active))

    def open_job(self, state: str, tech: _Tech) -> None:
        rng = self.rng
        day = self.today
        age_days = {"estimate": rng.randrange(0, 3), "queued": rng.randrange(0, 2),
                    "in_progress": rng.randrange(0, 2), "on_hold": rng.randrange(1, 6),
                    "ready": rng.randrange(0, 2)}[state]
        created = min(self.now - timedelta(minutes=20),
                      self.at(day - timedelta(days=age_days), rng.uniform(7.2, 11)))
        car = self.pick_car(day)
        # the odometer as read at check-in, so readings rise in the order jobs were written
        checked_in = created.replace(tzinfo=UTC).astimezone(self.tz).date()
        services, declined, odo = self.visit(car, checked_in)
        hold = None
        if state == "on_hold":
            hold = rng.choices(("parts", "approval", "sublet", "other"), (5, 3, 1, 1))[0]
        promised_day = created.replace(tzinfo=UTC).astimezone(self.tz).date() + timedelta(
            days=rng.choice((0, 0, 1, 2)))
        promised = None if state == "estimate" else self.at(promised_day, rng.choice((12, 16, 17)))
        waiting = state in ("queued", "in_progress") and rng.random() < 0.2
        assigned = tech if state != "estimate" and (state != "queued" or rng.random() < 0.5) else None
        completed = created + (self.now - created) * 0.8 if state == "ready" else None
        job = self.job(car, assigned, created, state, services=services, declined=declined,
                       odo=odo, promised=promised, updated=completed or created,
                       completed=completed, hold=hold, waiting=waiting)
        jid = job["id"]
        self.write_lines(jid, services, declined, created, completed or created, state)
        path = {"estimate": ["estimate"], "queued": ["queued"],
                "in_progress": ["queued", "in_progress"], "on_hold": ["queued", "on_hold"],
                "ready": ["queued", "in_progress", "ready"]}[state]
        frm: str | None = None
        span = self.now - created
        for i, to in enumerate(path):
            at = created + span * (i / (len(path) + 1))
            self.event(jid, frm, to, at, assigned.id if assigned and to != "queued" else None,
                       0 if to in ("queued", "estimate", "on_hold") else 1)
            frm = to
        if hold:
            self.note(jid, created + span / 2, "note", cat.HOLD_NOTES[hold], None)

    def appointments(self, days_ahead: int = 5) -> None:
        """Today's appointments and the next few working days', one lane per bay."""
        rng = self.rng
        active = [t for t in self.techs if t.works_until is None]
        day, made = self.today, 0
        while made <= days_ahead:
            if day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS:
                for b, bay in enumerate(self.bays):
                    tech = active[b % len(active)] if rng.random() < 0.8 else None
                    hour = 8.0 + rng.choice((0, 0.5, 1))
                    while hour < 15.5:
                        length = rng.choice((0.5, 1, 1, 1.5, 2, 3))
                        if rng.random() < 0.55:
                            self.appointment(day, hour, hour + length, bay, tech)
                        hour += length + rng.choice((0, 0, 0.5))
                made += 1
            day += timedelta(days=1)

    def appointment(self, day: date, start_h: float, end_h: float, bay: str,
                    tech: _Tech | None) -> None:
        rng = self.rng
        car = self.pick_car(day)
        starts, ends = self.at(day, start_h), self.at(day, min(end_h, 17.5))
        if ends <= starts:
            return
        if starts < self.now:
            status = "no_show" if rng.random() < 0.08 else "arrived"
        else:
            status = "confirmed" if rng.random() < 0.6 else "scheduled"
        concern = rng.choice([s.concern for s in cat.SERVICES if s.concern])
        booked = min(self.now, starts) - timedelta(days=rng.randrange(1, 15))
        self.row("appointment", booked, booked, customer_id=car.customer_id, vehicle_id=car.id,
                 job_id=None, technician_id=tech.id if tech else None, bay_id=bay,
                 starts_at=starts, ends_at=ends, status=status, notes=concern)

    # --- the people and cars that took part ---------------------------------------------

    def finish(self) -> None:
        rng = self.rng
        used = {c.customer_id for c in self.cars if c.first_seen is not None}
        used |= {a["customer_id"] for a in self.rows["appointment"]}
        first: dict[str, datetime] = {}
        for car in self.cars:
            if car.first_seen is not None:
                first[car.customer_id] = min(first.get(car.customer_id, car.first_seen),
                                             car.first_seen)
        fallback = datetime.combine(self.start, time(12))
        for c in self.customers:
            if c["id"] not in used:
                continue
            created = first.get(c["id"], fallback) - timedelta(minutes=30)
            if rng.random() < 0.4:  # known from before the new system
                created = fallback - timedelta(days=rng.randrange(1, 900))
            data = dict(c)
            rid = data.pop("id")
            self.row("customer", created, id=rid, **data)
        appointment_cars = {a["vehicle_id"] for a in self.rows["appointment"]}
        for car in self.cars:
            if car.customer_id not in used:
                continue
            if car.first_seen is None and car.id not in appointment_cars:
                continue
            created = (car.first_seen or fallback) - timedelta(minutes=20)
            reading = car.last_reading if car.last_reading is not None else car.odometer(
                self.today)
            self.row("vehicle", created, id=car.id, customer_id=car.customer_id, vin=car.vin,
                     plate=car.plate, make=car.model.make, model=car.model.model,
                     year=car.year, odometer=reading, odometer_unit=car.unit, notes="")


#: Parents before children (the replica has no foreign keys between entities, but a reader
#: of a half-copied file would rather meet a job's customer first).
INSERT_ORDER: tuple[type[Base], ...] = (Technician, Bay, Customer, Vehicle, Job, JobLine,
                                         Appointment, TimeEntry, Note, StatusEvent)


def generate(store: Store, *, seed: int = DEFAULT_SEED, now: datetime | None = None,
             tz: tzinfo | None = None, history_days: int = 730,
             open_jobs: int = 40) -> DemoSummary:
    """Fill an empty replica with the demo shop, in one transaction, without outbox entries.

    ``now`` is the demo's present (default: the real now); ``tz`` the shop's time zone
    (default: the computer's) for shifts and days.
    """
    with store.read() as session:
        if session.scalar(select(func.count()).select_from(Job)) or session.scalar(
                select(func.count()).select_from(Technician)):
            raise ValueError("The demo shop can only be written into an empty replica.")
    rows = generate_rows(store.state().shop_id, seed=seed, now=now, tz=tz,
                         history_days=history_days, open_jobs=open_jobs)
    bulk_insert(store, {model: rows[model.__tablename__] for model in INSERT_ORDER})
    return summarize(rows)


def demo_part_number(description: str) -> str:
    """A made-up but steady part number for a catalogue part ("BL-40217")."""
    return f"BL-{zlib.crc32(description.encode('utf-8')) % 100_000:05d}"


def generate_rows(shop_id: str, *, seed: int = DEFAULT_SEED, now: datetime | None = None,
                  tz: tzinfo | None = None, history_days: int = 730,
                  open_jobs: int = 40) -> dict[str, list[dict[str, Any]]]:
    """The demo shop's rows per entity (every column, times as naive UTC), for any store
    that keeps the synced entities: the replica here, the demo server (``server.demo``)."""
    when = (now or utcnow()).astimezone(UTC)
    gen = _Gen(shop_id, seed, when, shop_tz(tz), history_days, open_jobs)
    gen.staff()
    gen.car_park()
    gen.history()
    from_today = gen.today_work()
    gen.open_jobs(from_today)
    gen.appointments()
    gen.finish()
    return gen.rows


def summarize(rows: dict[str, list[dict[str, Any]]]) -> DemoSummary:
    counts = {name: len(table_rows) for name, table_rows in rows.items()}
    jobs = rows["job"]
    return DemoSummary(counts, sum(1 for j in jobs if j["status"] == "closed"),
                       sum(1 for j in jobs if j["status"] not in ("closed", "cancelled")))


def bulk_insert(store: Store, rows: dict[type[Base], list[dict[str, Any]]]) -> None:
    """Write ``rows`` (every column of each row given, times as UTC) in ONE transaction,
    table by table in the order given, with no outbox entries: a starting state, like a
    snapshot. For the demo and the benchmarks; never for a person's edits."""
    with store.write_session() as session:
        conn = session.connection()
        for model, table_rows in rows.items():
            sql = str(insert(model).compile(dialect=conn.dialect))
            for chunk in _chunks(driver_rows(model.__table__, table_rows), 20_000):
                conn.exec_driver_sql(sql, chunk)


def _chunks(rows: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _sql_time(value: datetime | None) -> str | None:
    """A time as SQLAlchemy's SQLite dialect stores ``UTCDateTime``: naive UTC text with
    microseconds. Formatting here instead of through the type's processors makes the bulk
    insert about five times faster; a test checks both write the same text."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def driver_rows(table: Any, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """``rows`` as tuples of driver values in the order of ``table``'s columns, sorted by
    primary key (random UUIDs inserted in order keep the B-tree pages warm)."""
    columns = list(table.columns)
    getter = itemgetter(*(c.name for c in columns))
    times = [i for i, c in enumerate(columns) if isinstance(c.type, UTCDateTime)]
    other: list[tuple[int, Any]] = [
        (i, json.dumps if isinstance(c.type, JSON) else _sql_bool)
        for i, c in enumerate(columns) if isinstance(c.type, JSON | Boolean)]
    out = []
    for row in sorted(rows, key=itemgetter("id")):
        values = list(getter(row))
        for i in times:
            if values[i] is not None:
                values[i] = _sql_time(values[i])
        for i, convert in other:
            values[i] = convert(values[i])
        out.append(tuple(values))
    return out


def _sql_bool(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def open_demo(path: Path | str, *, seed: int = DEFAULT_SEED, now: datetime | None = None,
              tz: tzinfo | None = None) -> Store:
    """The demo replica at ``path``, made first if the file does not exist yet.

    It is built under a temporary name and moved into place when complete, so a start that
    is interrupted half-way never leaves a half-made demo behind.
    """
    target = Path(path)
    if not target.exists():
        partial = target.with_name(target.name + ".partial")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        store = Store(partial)
        try:
            generate(store, seed=seed, now=now, tz=tz)
            with store.engine.connect() as conn:  # everything into the main file
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.close()
        if Path(f"{partial}-wal").exists():  # not folded in (another reader?): keep it along
            os.replace(f"{partial}-wal", f"{target}-wal")
        Path(f"{partial}-shm").unlink(missing_ok=True)
        os.replace(partial, target)
    return Store(target)


__all__ = ["DEFAULT_SEED", "DEMO_ACCOUNTS", "DEMO_SHOP_NAME", "DemoAccount", "INSERT_ORDER", "DemoSummary", "bulk_insert", "driver_rows",
           "generate", "generate_rows", "open_demo", "summarize"]

