"""What is worth a notice on the desk (``app.notices``): each kind, others' changes only,
an echo of this desk's own change is never news, old moves are history, and a flood
becomes one summary."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from app import notices
from app.db import Store
from app.notices import Changed, EventRow, Notice, Waiting
from app.ops import appointments, jobs, settings
from tests.app.conftest import T0, Clock, Shop
from tests.app.helpers import job_in

OTHER = "another-desk"


def own_device(store: Store) -> str:
    return store.state().client_id


def news(store: Store, before: Waiting, changes: object, *, device_id: str,
         from_others: bool = True) -> tuple[list[Notice], Waiting]:
    with store.read() as s:
        return notices.notices_for_changes(s, changes.rows, before,  # type: ignore[attr-defined]
                                           device_id=device_id, now=T0 + timedelta(minutes=5),
                                           from_others=from_others)


def test_a_job_moved_to_ready_by_another_device_is_news(store: Store, shop: Shop,
                                                       clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    with store.read() as s:
        before = notices.waiting_rows(s)
    moved = store.run(jobs.move_status, job_id, "ready")
    # as if the move had come from another device: this desk's id is not the event's
    found, _ = news(store, before, moved, device_id=OTHER)
    assert [n.kind for n in found] == ["ready"]
    [n] = found
    assert n.job_id == job_id and n.title.startswith("Job ") and n.title.endswith(" is ready")
    assert "Ada Lovelace" in n.text and "Honda Accord" in n.text


def test_this_devices_own_move_is_never_news_even_when_the_server_sends_it_back(
        store: Store, shop: Shop, clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    with store.read() as s:
        before = notices.waiting_rows(s)
    moved = store.run(jobs.move_status, job_id, "ready")
    assert news(store, before, moved, device_id=own_device(store))[0] == []
    assert news(store, before, moved, device_id=OTHER, from_others=False)[0] == []


def test_a_received_part_is_news_once_and_its_echo_is_not(store: Store, shop: Shop,
                                                        clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "on_hold")
    line = store.run(jobs.add_line, job_id, kind="part", description="Timing belt kit",
                     part_status="ordered").result
    with store.read() as s:
        before = notices.waiting_rows(s)
    assert line in before.lines
    received = store.run(jobs.update_line, line, part_status="received")
    found, after = news(store, before, received, device_id=OTHER)
    assert [(n.kind, n.job_id) for n in found] == [("part_received", job_id)]
    assert found[0].text.startswith("Timing belt kit") and "Part received for Job" in found[0].title
    assert line not in after.lines
    # the same row again (the server re-sends it): it was no longer waiting, so no news
    assert news(store, after, received, device_id=OTHER)[0] == []


def test_a_part_received_by_this_desk_advances_what_waits_without_news(
        store: Store, shop: Shop, clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    line = store.run(jobs.add_line, job_id, kind="part", description="Pads").result
    with store.read() as s:
        before = notices.waiting_rows(s)
    received = store.run(jobs.update_line, line, part_status="received")
    found, after = news(store, before, received, device_id=OTHER, from_others=False)
    assert found == [] and line not in after.lines
    assert news(store, after, received, device_id=OTHER)[0] == []  # the echo


def test_an_appointments_customer_arriving_is_news(store: Store, shop: Shop,
                                                   clock: Clock) -> None:
    appt = store.run(appointments.book, starts_at=T0 + timedelta(hours=1),
                     ends_at=T0 + timedelta(hours=2), customer_id=shop.customer_id,
                     vehicle_id=shop.vehicle_id).result
    with store.read() as s:
        before = notices.waiting_rows(s)
    arrived = store.run(appointments.set_status, appt, "arrived")
    [n] = news(store, before, arrived, device_id=OTHER)[0]
    assert n.kind == "arrived" and n.title == "Ada Lovelace has arrived"
    assert "Honda Accord" in n.text
    # a no-show is not an arrival
    other = store.run(appointments.book, starts_at=T0 + timedelta(hours=3),
                      ends_at=T0 + timedelta(hours=4), customer_id=shop.customer_id).result
    with store.read() as s:
        before = notices.waiting_rows(s)
    assert news(store, before, store.run(appointments.set_status, other, "no_show"),
                device_id=OTHER)[0] == []


def test_a_job_waiting_on_approval_longer_than_the_shop_allows(store: Store, shop: Shop,
                                                               clock: Clock) -> None:
    store.run(settings.update_shop_settings, approval_notice_minutes=45)
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(jobs.move_status, job_id, "on_hold", hold_reason="approval")
    parts = job_in(store, shop.customer_id, shop.vehicle_id, "on_hold")  # for parts: not it
    with store.read() as s:
        assert notices.approval_waits(s, clock.now + timedelta(minutes=44)) == []
        [n] = notices.approval_waits(s, clock.now + timedelta(minutes=75))
    assert n.kind == "approval_wait" and n.job_id == job_id and n.job_id != parts
    assert n.text.startswith("Waiting 1 h 15 min (the shop allows 45 min)")
    # the same wait has the same key (shown once); a new wait has a new one
    with store.read() as s:
        again = notices.approval_waits(s, clock.now + timedelta(minutes=90))
    assert [a.key for a in again] == [n.key]
    clock.advance(minutes=100)
    store.run(jobs.move_status, job_id, "in_progress")
    with store.read() as s:
        assert notices.approval_waits(s, clock.now + timedelta(hours=5)) == []
    store.run(jobs.move_status, job_id, "on_hold", hold_reason="approval")
    with store.read() as s:
        [later] = notices.approval_waits(s, clock.now + timedelta(hours=1))
    assert later.key != n.key


def test_a_ready_move_older_than_a_shift_is_history() -> None:
    old = EventRow("e1", "j1", "ready", OTHER, T0 - notices.MAX_AGE - timedelta(minutes=1))
    fresh = EventRow("e2", "j2", "ready", OTHER, T0 - timedelta(minutes=1))
    queued = EventRow("e3", "j3", "queued", OTHER, T0)
    found = notices.decide(Waiting(), Changed(events=(old, fresh, queued)), device_id="me",
                           now=T0)
    assert [n.job_id for n in found] == ["j2"]


def test_a_flood_becomes_one_summary() -> None:
    events = tuple(EventRow(f"e{n}", f"j{n}", "ready", OTHER, T0) for n in range(9))
    found = notices.decide(Waiting(), Changed(events=events), device_id="me", now=T0)
    found += [Notice("part_received", f"p{n}", "Part", "x") for n in range(3)]
    [summary] = notices.summarize(found, offline=True)
    assert summary.kind == "summary"
    assert summary.title == "12 updates while you were offline"
    assert summary.text == "9 jobs ready, 3 parts received."
    assert notices.summarize(found[:3], offline=True) == found[:3]  # a few stay as they are
    assert notices.summarize(found, offline=False)[0].title == "12 updates from the shop"


def test_a_wait_is_said_in_minutes_hours_and_days() -> None:
    assert [notices._duration(m) for m in (45, 60, 75, 24 * 60, 2 * 24 * 60 + 190)] == [
        "45 min", "1 h", "1 h 15 min", "1 day", "2 days 3 h"]


def test_a_first_sync_naming_tens_of_thousands_of_rows_is_read_without_failing(
        store: Store, shop: Shop, clock: Clock) -> None:
    """More ids than SQLite takes in one statement: read in groups, by what waited."""
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "on_hold")
    line = store.run(jobs.add_line, job_id, kind="part", description="Belt",
                     part_status="ordered").result
    with store.read() as s:
        before = notices.waiting_rows(s)
    received = store.run(jobs.update_line, line, part_status="received")
    moved = store.run(jobs.move_status, job_in(store, shop.customer_id, shop.vehicle_id,
                                               "in_progress"), "ready")
    filler = {f"not-here-{n}" for n in range(40_000)}
    rows = {"job_line": frozenset(filler | received.rows["job_line"]),
            "status_event": frozenset(filler | moved.rows["status_event"]),
            "appointment": frozenset(filler)}
    with store.read() as s:
        # Windows' Python builds SQLite with its default limit (Debian's allows 250,000)
        raw = s.connection().connection.driver_connection
        assert raw is not None
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
        found, after = notices.notices_for_changes(s, rows, before, device_id=OTHER,
                                                   now=T0 + timedelta(minutes=5),
                                                   from_others=True)
    assert sorted(n.kind for n in found) == ["part_received", "ready"]
    assert line not in after.lines
