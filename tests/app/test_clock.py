"""Clock on/off rules: one open job entry per technician, corrections are new rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import Store
from app.errors import ValidationError
from app.models import Outbox, TimeEntry
from app.ops import clock as clockops
from app.ops import jobs
from tests.app.conftest import Clock, Shop


def _job(store: Store, shop: Shop) -> str:
    job_id: str = store.run(jobs.create_job, customer_id=shop.customer_id,
                            vehicle_id=shop.vehicle_id, concern="Noise").result
    return job_id


def _entries(store: Store, technician_id: str, kind: str = "job") -> list[TimeEntry]:
    with store.read() as s:
        return list(s.scalars(select(TimeEntry).where(TimeEntry.technician_id == technician_id,
                                                      TimeEntry.kind == kind)
                              .order_by(TimeEntry.created_at, TimeEntry.started_at)))


def _open_job_entry(store: Store, technician_id: str) -> TimeEntry | None:
    with store.write() as w:
        return clockops.open_entry(w, technician_id, "job")


def test_clock_on_opens_a_shift_and_one_job_entry(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    job = _job(store, shop)
    changes = store.run(clockops.clock_on, tech, job)
    assert changes.urgent
    shifts = _entries(store, tech, "shift")
    entries = _entries(store, tech)
    assert len(shifts) == 1 and shifts[0].ended_at is None
    assert len(entries) == 1 and entries[0].job_id == job and entries[0].ended_at is None
    assert entries[0].started_at == clock.now


def test_clock_on_another_job_ends_the_previous(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    first, second = _job(store, shop), _job(store, shop)
    store.run(clockops.clock_on, tech, first)
    switch_at = clock.advance(minutes=45)
    store.run(clockops.clock_on, tech, second)
    entries = _entries(store, tech)
    assert [(e.job_id, e.ended_at) for e in entries] == [(first, switch_at), (second, None)]
    assert len(_entries(store, tech, "shift")) == 1  # the shift goes on


def test_clock_on_the_same_job_twice_is_refused(store: Store, shop: Shop) -> None:
    tech = shop.tech_ids[0]
    job = _job(store, shop)
    store.run(clockops.clock_on, tech, job)
    with pytest.raises(ValidationError, match="already clocked on"):
        store.run(clockops.clock_on, tech, job)


def test_clock_off_and_end_shift(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    store.run(clockops.clock_on, tech, _job(store, shop))
    off_at = clock.advance(hours=1)
    assert store.run(clockops.clock_off, tech).result is not None
    assert store.run(clockops.clock_off, tech).result is None  # nothing open any more
    assert _entries(store, tech)[0].ended_at == off_at
    store.run(clockops.clock_on, tech, _job(store, shop))
    end_at = clock.advance(hours=2)
    store.run(clockops.end_shift, tech)
    assert all(e.ended_at is not None for e in _entries(store, tech))
    assert _entries(store, tech, "shift")[0].ended_at == end_at


def test_no_clock_on_a_ready_or_closed_job(store: Store, shop: Shop) -> None:
    job = _job(store, shop)
    for status in ("in_progress", "ready"):
        store.run(jobs.move_status, job, status)
    with pytest.raises(ValidationError, match="ready"):
        store.run(clockops.clock_on, shop.tech_ids[0], job)


def test_no_clock_on_a_job_on_hold(store: Store, shop: Shop) -> None:
    """Moving a job on hold stops its clocks; clocking back on to it must not be possible
    either, or a job waiting for parts would collect hours."""
    job = _job(store, shop)
    store.run(jobs.move_status, job, "on_hold", hold_reason="parts")
    with pytest.raises(ValidationError, match="on hold"):
        store.run(clockops.clock_on, shop.tech_ids[0], job)


def test_moving_a_job_out_of_work_stops_its_clocks(store: Store, shop: Shop) -> None:
    job = _job(store, shop)
    store.run(jobs.move_status, job, "in_progress")
    store.run(clockops.clock_on, shop.tech_ids[0], job)
    store.run(clockops.clock_on, shop.tech_ids[1], job)
    store.run(jobs.move_status, job, "on_hold", hold_reason="parts")
    assert _open_job_entry(store, shop.tech_ids[0]) is None
    assert _open_job_entry(store, shop.tech_ids[1]) is None


def test_correction_is_a_new_row_with_a_reason(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    start = clock.now
    entry = store.run(clockops.clock_on, tech, _job(store, shop)).result
    clock.advance(hours=2)
    store.run(clockops.clock_off, tech)
    with pytest.raises(ValidationError, match="why"):
        store.run(clockops.correct, entry, started_at=start, ended_at=start + timedelta(hours=1),
                  reason="  ")
    changes = store.run(clockops.correct, entry, started_at=start - timedelta(minutes=30),
                        ended_at=start + timedelta(hours=1), reason="Forgot to clock on")
    rows = _entries(store, tech)
    assert len(rows) == 2
    original, fix = rows
    assert original.id == entry and original.ended_at == start + timedelta(hours=2)  # kept
    assert fix.id == changes.result and fix.corrects_id == entry
    assert fix.reason == "Forgot to clock on"
    with store.read() as s:
        out = s.scalars(select(Outbox).where(Outbox.row_id == fix.id)).one()
    assert out.op == "upsert" and out.base == {} and out.fields["corrects_id"] == entry


def test_correcting_a_correction_points_at_the_original(store: Store, shop: Shop,
                                                          clock: Clock) -> None:
    tech = shop.tech_ids[0]
    start = clock.now
    entry = store.run(clockops.clock_on, tech, _job(store, shop)).result
    clock.advance(hours=3)
    store.run(clockops.clock_off, tech)
    fix1 = store.run(clockops.correct, entry, started_at=start, ended_at=start + timedelta(hours=1),
                     reason="first").result
    clock.advance(minutes=5)
    fix2 = store.run(clockops.correct, fix1, started_at=start,
                     ended_at=start + timedelta(hours=2), reason="second").result
    rows = {e.id: e for e in _entries(store, tech)}
    assert rows[fix2].corrects_id == entry


def test_correcting_the_open_entry_closed_ends_the_clock(store: Store, shop: Shop,
                                                         clock: Clock) -> None:
    """A forgotten clock-off fixed by a correction: the technician is no longer clocked on."""
    tech = shop.tech_ids[0]
    start = clock.now
    entry = store.run(clockops.clock_on, tech, _job(store, shop)).result
    clock.advance(hours=20)
    store.run(clockops.correct, entry, started_at=start, ended_at=start + timedelta(hours=8),
              reason="Forgot to clock off")
    assert _open_job_entry(store, tech) is None
    assert store.run(clockops.clock_off, tech).result is None
    # and clocking on again does not touch the superseded original
    store.run(clockops.clock_on, tech, _job(store, shop))
    original = next(e for e in _entries(store, tech) if e.id == entry)
    assert original.ended_at is None


def test_correcting_the_open_entry_open_moves_its_start(store: Store, shop: Shop,
                                                        clock: Clock) -> None:
    tech = shop.tech_ids[0]
    start = clock.now
    entry = store.run(clockops.clock_on, tech, _job(store, shop)).result
    fix = store.run(clockops.correct, entry, started_at=start - timedelta(minutes=40),
                    ended_at=None, reason="Started before the kiosk was free").result
    current = _open_job_entry(store, tech)
    assert current is not None and current.id == fix
    clock.advance(hours=1)
    assert store.run(clockops.clock_off, tech).result == fix
    assert _open_job_entry(store, tech) is None


def test_a_correction_cannot_open_a_second_entry(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    start = clock.now
    old = store.run(clockops.clock_on, tech, _job(store, shop)).result
    clock.advance(hours=1)
    store.run(clockops.clock_on, tech, _job(store, shop))  # ends ``old``, opens another
    with pytest.raises(ValidationError, match="open"):
        store.run(clockops.correct, old, started_at=start, ended_at=None, reason="oops")


def test_a_correction_cannot_be_in_the_future(store: Store, shop: Shop, clock: Clock) -> None:
    tech = shop.tech_ids[0]
    entry = store.run(clockops.clock_on, tech, _job(store, shop)).result
    with pytest.raises(ValidationError, match="future"):
        store.run(clockops.correct, entry, started_at=clock.now,
                  ended_at=clock.now + timedelta(hours=1), reason="typo")


def test_the_shift_cannot_be_corrected_closed_under_a_running_job(store: Store, shop: Shop,
                                                                  clock: Clock) -> None:
    tech = shop.tech_ids[0]
    store.run(clockops.clock_on, tech, _job(store, shop))
    clock.advance(hours=2)
    shift = _entries(store, tech, "shift")[0]
    with pytest.raises(ValidationError, match="Clock off the job"):
        store.run(clockops.correct, shift.id, started_at=shift.started_at,
                  ended_at=clock.now, reason="left early")
