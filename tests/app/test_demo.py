"""The demo shop: big enough, plausible, consistent with the rules, and deterministic."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

import app.demo
from app import demo_catalog, rules
from app.db import Store
from app.models import (
    MODELS,
    Appointment,
    Bay,
    Job,
    JobLine,
    Outbox,
    StatusEvent,
    Technician,
    TimeEntry,
    Vehicle,
)
from app.queries import boards, efficiency, history, maintenance, schedule, search
from app.scheduling import INACTIVE_APPOINTMENT_STATUSES, find_clash

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # a Friday afternoon
SHOP = "5b0c1a7e-0000-4000-8000-000000000001"
SEED = 7


def _digest(store: Store) -> str:
    """A fingerprint of every synced row of the replica."""
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        for name in MODELS:
            for row in conn.execute(text(f"SELECT * FROM {name} ORDER BY id")):  # noqa: S608
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite", shop_id=SHOP)
    app.demo.generate(store, seed=SEED, now=NOW, tz=UTC)
    yield store
    store.close()


def test_the_demo_is_big_enough(demo: Store) -> None:
    with demo.read() as s:
        techs = s.scalars(select(Technician).where(Technician.active.is_(True))).all()
        assert len(techs) >= 8
        assert s.scalar(select(func.count()).select_from(Bay)) == 6
        by_status = {status: n for status, n in s.execute(
            select(Job.status, func.count()).group_by(Job.status))}
        assert by_status["closed"] >= 1500
        assert sum(by_status.get(st, 0) for st in rules.OPEN_STATUSES) == 40
        assert all(by_status.get(st, 0) >= 1 for st in rules.OPEN_STATUSES)
        first_closed = s.scalar(select(func.min(Job.closed_at)))
        assert first_closed is not None and (NOW - first_closed).days >= 700  # two years
        day_start = datetime(2026, 11, 27, tzinfo=UTC)
        today = s.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.starts_at >= day_start,
            Appointment.starts_at < day_start + timedelta(days=1)))
        assert today is not None and today >= 5
        assert s.scalar(select(func.count()).select_from(JobLine).where(
            JobLine.service_code.is_not(None))) > 1000
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0  # a snapshot


def test_every_vin_is_valid_and_every_car_real(demo: Store) -> None:
    wmis = {(m.make, m.model): m.wmis for m in demo_catalog.MODELS}
    with demo.read() as s:
        cars = s.scalars(select(Vehicle)).all()
    assert len(cars) > 1000
    for car in cars:
        check = rules.check_vin(car.vin)
        assert check.vin == car.vin and check.warning is None, car.vin
        assert car.vin[:3] in wmis[(car.make, car.model)]
        rules.check_vehicle_year(car.year, today=NOW.date())
        assert car.odometer is not None and 0 < car.odometer < 600_000
        assert car.odometer_unit in ("km", "mi")
    assert {c.odometer_unit for c in cars} == {"km", "mi"}


def test_jobs_lines_and_odometers_are_plausible(demo: Store) -> None:
    with demo.read() as s:
        jobs = s.execute(select(Job.id, Job.vehicle_id, Job.status, Job.created_at,
                                Job.completed_at, Job.closed_at, Job.odometer_in)
                         .order_by(Job.created_at)).all()
        lines = s.execute(select(JobLine.job_id, JobLine.kind, JobLine.quantity,
                                 JobLine.unit_price_cents, JobLine.approval)).all()
    per_job: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        per_job[line.job_id].append(line)
        if line.kind == "labor":
            assert 0.1 <= line.quantity <= 10
            assert line.unit_price_cents == demo_catalog.LABOR_RATE_CENTS
        elif line.kind == "part":
            assert 0 < line.unit_price_cents < 200_000
    readings: dict[str, int] = {}
    totals = []
    for job in jobs:
        assert per_job[job.id], "a job without lines"
        if job.status == "closed":
            assert job.completed_at is not None and job.closed_at is not None
            assert job.created_at <= job.completed_at <= job.closed_at <= NOW
            totals.append(sum(ln.quantity * ln.unit_price_cents for ln in per_job[job.id]
                              if ln.approval != "declined"))
        last = readings.get(job.vehicle_id)
        assert last is None or job.odometer_in >= last, "an odometer went back"
        readings[job.vehicle_id] = job.odometer_in
    average = sum(totals) / len(totals) / 100
    assert 250 < average < 1_200  # an average repair order, in dollars


def test_status_trails_follow_the_table(demo: Store) -> None:
    with demo.read() as s:
        status = {job_id: st for job_id, st in s.execute(select(Job.id, Job.status))}
        events = s.execute(select(StatusEvent.job_id, StatusEvent.from_status,
                                  StatusEvent.to_status, StatusEvent.at)
                           .order_by(StatusEvent.job_id, StatusEvent.at)).all()
    trail: dict[str, list[Any]] = defaultdict(list)
    for e in events:
        trail[e.job_id].append(e)
    assert set(trail) == set(status)
    for job_id, moves in trail.items():
        assert moves[0].from_status is None
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_status == before.to_status
            assert rules.can_move(before.to_status, after.to_status)
        assert moves[-1].to_status == status[job_id]


def test_time_entries_obey_the_clock_rules(demo: Store) -> None:
    with demo.read() as s:
        entries = s.execute(select(TimeEntry.technician_id, TimeEntry.kind, TimeEntry.job_id,
                                   TimeEntry.started_at, TimeEntry.ended_at)
                            .order_by(TimeEntry.started_at)).all()
        in_progress = set(s.scalars(select(Job.id).where(Job.status == "in_progress")))
    shifts: dict[str, list[Any]] = defaultdict(list)
    work: dict[str, list[Any]] = defaultdict(list)
    for e in entries:
        (shifts if e.kind == "shift" else work)[e.technician_id].append(e)
    for tech, mine in work.items():
        assert sum(1 for e in mine if e.ended_at is None) <= 1
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.ended_at is not None and a.ended_at <= b.started_at, "overlapping clocks"
        starts = [sh.started_at for sh in shifts[tech]]  # sorted, and never overlapping
        for e in mine:
            shift = shifts[tech][bisect_right(starts, e.started_at) - 1]
            assert shift.started_at <= e.started_at, "job time before the shift"
            assert (e.ended_at or NOW) <= (shift.ended_at or NOW), "job time after the shift"
            if e.ended_at is None:
                assert e.job_id in in_progress
    assert any(e.ended_at is None and e.kind == "job" for e in entries)  # clocks run now


def test_no_appointment_is_double_booked(demo: Store) -> None:
    with demo.read() as s:
        for appt in s.scalars(select(Appointment)):
            if appt.status in INACTIVE_APPOINTMENT_STATUSES:
                continue
            clash = find_clash(s, Appointment, shop_id=appt.shop_id, starts_at=appt.starts_at,
                               ends_at=appt.ends_at, technician_id=appt.technician_id,
                               bay_id=appt.bay_id, exclude_id=appt.id)
            assert clash is None


def test_the_same_seed_makes_the_same_rows(tmp_path: Path) -> None:
    """Same seed, now and zone: the same rows, ids included (on a shorter history, to keep
    the suite fast: the code path is the one of the full demo). The shop's zone has a DST
    change inside the window."""
    toronto = ZoneInfo("America/Toronto")
    digests = []
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        store = Store(tmp_path / f"{name}.sqlite", shop_id=SHOP)
        app.demo.generate(store, seed=seed, now=NOW, tz=toronto, history_days=60)
        digests.append(_digest(store))
        store.close()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_a_demo_only_goes_into_an_empty_replica(demo: Store) -> None:
    with pytest.raises(ValueError, match="empty replica"):
        app.demo.generate(demo, seed=SEED, now=NOW)


def test_the_queries_on_the_demo(demo: Store) -> None:
    with demo.read() as s:
        queue = boards.queue_board(s, NOW)
        assert queue.total == 40 and queue.overdue > 0
        techs = boards.technician_board(s, NOW, UTC)
        assert len(techs.rows) >= 8
        assert any(r.clocked for r in techs.rows)
        assert all(0 <= r.minutes_today <= 10 * 60 for r in techs.rows)
        report = efficiency.technician_efficiency(s, NOW.date() - timedelta(days=60),
                                                  NOW.date() - timedelta(days=1), NOW, UTC)
        for row in report.technicians:
            if row.active:
                assert row.efficiency is not None and 0.6 < row.efficiency < 1.6
                assert row.productivity is not None and 0.5 < row.productivity < 0.95
        day = schedule.day_schedule(s, NOW.date(), UTC)
        assert sum(len(lane.items) for lane in day.by_bay) >= 5
        assert maintenance.fleet_due(s, NOW)
        car = s.scalars(select(Vehicle).order_by(Vehicle.id).limit(1)).one()
        assert search.search(s, car.plate)[0].id == car.id
        assert search.search(s, car.vin[-6:])[0].id == car.id
        past = history.vehicle_history(s, car.id)
        assert past is not None and past.vin == car.vin


def test_bulk_times_are_written_as_sqlalchemy_writes_them(store: Store) -> None:
    """The demo formats times itself for speed: it must write the same text as the ORM."""
    when = datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC)
    with store.write_session() as s:
        s.add(Technician(id="t", shop_id="s", created_at=when, updated_at=when.replace(
            microsecond=0), name="x", skills=[], color="#000000", daily_capacity_minutes=1,
            active=True))
    with store.engine.connect() as conn:
        created, updated = conn.execute(text("SELECT created_at, updated_at FROM technician")
                                        ).one()
    assert app.demo._sql_time(when) == created
    assert app.demo._sql_time(when.replace(microsecond=0)) == updated
    assert app.demo._sql_time(when.replace(tzinfo=None)) == created


def test_open_demo_makes_the_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = app.demo.generate

    def small(store: Store, **kw: Any) -> Any:
        calls.append(kw)
        return real(store, history_days=15, **kw)

    monkeypatch.setattr(app.demo, "generate", small)
    path = tmp_path / "shop" / "replica.sqlite"
    first = app.demo.open_demo(path, now=NOW, tz=UTC)
    jobs = first.state().client_id, _digest(first)
    first.close()
    second = app.demo.open_demo(path, now=NOW, tz=UTC)
    assert (second.state().client_id, _digest(second)) == jobs
    second.close()
    assert len(calls) == 1
    assert sorted(p.name for p in path.parent.iterdir() if "partial" in p.name) == []
