"""The kiosk work screen's reads (``app.queries.kiosk``) and its one operation
(``app.ops.kiosk.start_work``): my jobs, the clocked job, today's minutes, the shift's end,
the jobs I may claim, a job's notes."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from app.db import Store
from app.errors import ValidationError
from app.models import StatusEvent, SyncState, TimeEntry
from app.ops import clock as clockops
from app.ops import customers, jobs, notes
from app.ops.kiosk import start_work
from app.queries import kiosk
from tests.app.conftest import Clock, Shop
from tests.app.helpers import job_in


def _read(store: Store, fn, *args):  # type: ignore[no-untyped-def]
    with store.read() as s:
        return fn(s, *args)


def _open_job_entries(store: Store, tech: str) -> list[TimeEntry]:
    with store.read() as s:
        return list(s.scalars(select(TimeEntry).where(
            TimeEntry.technician_id == tech, TimeEntry.kind == "job",
            TimeEntry.ended_at.is_(None))))


def test_technician_moves_follow_the_table_less_the_desks() -> None:
    assert kiosk.technician_moves("queued") == ("in_progress", "on_hold")
    assert kiosk.technician_moves("in_progress") == ("on_hold", "ready", "queued")
    assert kiosk.technician_moves("on_hold") == ("in_progress", "queued")
    assert kiosk.technician_moves("ready") == ("in_progress",)  # closing is the desk's
    assert kiosk.technician_moves("closed") == ()


def test_shift_end_is_the_start_plus_the_days_capacity(clock: Clock) -> None:
    assert kiosk.shift_end(None, 480) is None
    assert kiosk.shift_end(clock.now, 480) == clock.now + timedelta(hours=8)


def test_my_work_lists_my_open_jobs_with_the_moves_and_clock_refusals(
        store: Store, shop: Shop, clock: Clock) -> None:
    me, other = shop.tech_ids[:2]
    made = {status: job_in(store, shop.customer_id, shop.vehicle_id, status)
            for status in ("queued", "in_progress", "on_hold", "ready", "closed")}
    for job_id in made.values():
        store.run(jobs.assign, job_id, technician_id=me) if job_id != made["closed"] else None
    theirs = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(jobs.assign, theirs, technician_id=other)
    work = _read(store, kiosk.my_work, me, clock.now, UTC)
    assert work is not None and work.name == "Grace Hopper" and work.clocked is None
    by_status = {j.status: j for j in work.jobs}
    assert [j.status for j in work.jobs] == ["queued", "in_progress", "on_hold", "ready"]
    assert theirs not in {j.job_id for j in work.jobs}
    assert by_status["queued"].moves == ("in_progress", "on_hold")
    assert by_status["queued"].clock_refusal is None  # clocking on starts it
    assert by_status["on_hold"].clock_refusal is None  # and resumes a held one
    assert "ready" in (by_status["ready"].clock_refusal or "")
    assert by_status["queued"].vehicle == "2003 Honda Accord"
    assert by_status["queued"].plate == "CAFE 123" and by_status["queued"].customer == "Ada Lovelace"
    assert _read(store, kiosk.my_work, "nobody", clock.now, UTC) is None


def test_my_work_counts_todays_minutes_and_the_clocked_job_since(
        store: Store, shop: Shop, clock: Clock) -> None:
    me = shop.tech_ids[0]
    first = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    second = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    shift_start = clock.now
    store.run(clockops.clock_on, me, first)
    clock.advance(minutes=30)
    started = clock.now
    store.run(clockops.clock_on, me, second)
    work = _read(store, kiosk.my_work, me, clock.advance(minutes=15), UTC)
    assert work.clocked is not None and work.clocked.job_id == second
    assert work.clocked.since == started and work.clocked.vehicle == "2003 Honda Accord"
    assert work.minutes_today == 45
    assert work.capacity_minutes == 480
    assert work.shift_since == shift_start
    assert work.shift_ends_at == shift_start + timedelta(minutes=480)
    assert not work.reminder_due(clock.now)
    assert work.reminder_due(shift_start + timedelta(minutes=480))
    store.run(clockops.clock_off, me)
    work = _read(store, kiosk.my_work, me, clock.now, UTC)
    assert work.clocked is None and not work.reminder_due(clock.now + timedelta(days=1))


def test_start_work_starts_a_queued_job_and_ends_the_previous_clock(
        store: Store, shop: Shop, clock: Clock) -> None:
    me = shop.tech_ids[0]
    first = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    second = job_in(store, shop.customer_id, shop.vehicle_id, "on_hold")
    store.run(start_work, me, first)
    assert _read(store, kiosk.my_work, me, clock.now, UTC) is not None
    clock.advance(minutes=5)
    changes = store.run(start_work, me, second)
    assert changes.urgent
    open_entries = _open_job_entries(store, me)
    assert [e.job_id for e in open_entries] == [second]  # one open job entry, the new one
    with store.read() as s:
        events = list(s.scalars(select(StatusEvent).where(StatusEvent.to_status == "in_progress")
                                .order_by(StatusEvent.at)))
    assert [(e.job_id, e.by_id) for e in events] == [(first, me), (second, me)]
    ready = job_in(store, shop.customer_id, shop.vehicle_id, "ready")
    with pytest.raises(ValidationError, match="ready; nobody can clock on"):
        store.run(start_work, me, ready)
    assert [e.job_id for e in _open_job_entries(store, me)] == [second]


def test_claimable_jobs_are_queued_and_unassigned_and_a_technician_may_claim_them(
        store: Store, shop: Shop, clock: Clock) -> None:
    me = shop.tech_ids[0]
    free = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    urgent = job_in(store, shop.customer_id, shop.vehicle_id, "queued", priority=2)
    taken = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(jobs.assign, taken, technician_id=shop.tech_ids[1])
    job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    found = _read(store, kiosk.claimable_jobs, me, clock.now)
    assert [j.job_id for j in found.jobs] == [urgent, free]
    assert found.refusal is None
    # a kiosk's replica writes as its technician: claiming is allowed
    with store.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = "kiosk"
    assert _read(store, kiosk.claimable_jobs, me, clock.now).refusal is None
    store.run(jobs.assign, free, technician_id=me)
    assert [j.job_id for j in _read(store, kiosk.claimable_jobs, me, clock.now).jobs] == [urgent]


def test_claimable_jobs_say_why_when_the_replicas_role_may_not_claim(
        store: Store, shop: Shop, clock: Clock) -> None:
    job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    with store.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = "clerk"  # a clerk's replica assigns, but see the roles table
    found = _read(store, kiosk.claimable_jobs, shop.tech_ids[0], clock.now)
    assert len(found.jobs) == 1
    # a clerk may change a job's technician: the kiosk may claim through it
    assert found.refusal is None
    with store.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = "nobody-knows"
    refused = _read(store, kiosk.claimable_jobs, shop.tech_ids[0], clock.now).refusal
    assert refused is not None and "cannot" in refused


def test_job_notes_newest_first_with_the_authors_name(
        store: Store, shop: Shop, clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(notes.add_note, job_id, "pads at 2 mm", kind="finding", author_id=shop.tech_ids[0])
    clock.advance(minutes=1)
    store.run(notes.add_note, job_id, "customer called", author_id=None)
    rows = _read(store, kiosk.job_notes, job_id)
    assert [(r.kind, r.body, r.author) for r in rows] == [
        ("note", "customer called", ""), ("finding", "pads at 2 mm", "Grace Hopper")]


def test_work_screen_reads_both_in_one(store: Store, shop: Shop, clock: Clock) -> None:
    me = shop.tech_ids[0]
    job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(customers.create_technician, name="New Tech")
    view = _read(store, kiosk.work_screen, me, clock.now, UTC)
    assert view.mine is not None and view.mine.technician_id == me
    assert len(view.claimable.jobs) == 1
