"""Every operation appends the right outbox entries (fields and base) in its one transaction,
and an operation that fails half-way leaves neither its rows nor its outbox entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.db import Store, Writer
from app.models import Customer, Job, Outbox, StatusEvent, SyncState
from app.ops import appointments, customers, jobs, notes, vehicles
from app.ops import clock as clockops
from tests.app.conftest import T0, Clock, Shop
from tests.app.helpers import count, job_in, last_outbox_id, outbox_after


def _entries(store: Store, op: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[Outbox]]:
    before = last_outbox_id(store)
    result = store.run(op, *args, **kwargs).result
    return result, outbox_after(store, before)


def _shape(entries: list[Outbox]) -> list[tuple[str, str]]:
    return [(e.entity, e.op) for e in entries]


def test_create_sends_every_field_and_an_empty_base(store: Store, clock: Clock) -> None:
    cid, entries = _entries(store, customers.create_customer, name="  Ada  ", phone="555 0142")
    (entry,) = entries
    assert (entry.entity, entry.op, entry.row_id, entry.base) == ("customer", "upsert", cid, {})
    assert entry.fields == {"name": "Ada", "kind": "person", "phone": "555 0142", "email": "",
                            "address": "", "notes": ""}
    assert entry.created_at == clock.now and not entry.urgent


def test_update_sends_only_what_changed_with_its_base(store: Store, clock: Clock) -> None:
    cid = store.run(customers.create_customer, name="Ada", phone="555 0142").result
    _, entries = _entries(store, customers.update_customer, cid, name="Ada L.",
                          phone="555 0142", email="ada@example.com")
    (entry,) = entries
    assert entry.fields == {"name": "Ada L.", "email": "ada@example.com"}
    assert entry.base == {"name": "Ada", "email": ""}


def test_an_update_that_changes_nothing_sends_nothing(store: Store, clock: Clock) -> None:
    cid = store.run(customers.create_customer, name="Ada").result
    _, entries = _entries(store, customers.update_customer, cid, name="Ada")
    assert entries == []


def test_delete_sends_a_tombstone(store: Store, clock: Clock) -> None:
    cid = store.run(customers.create_customer, name="Ada").result
    _, entries = _entries(store, customers.delete_customer, cid)
    assert _shape(entries) == [("customer", "delete")]
    assert entries[0].fields == {} and entries[0].base == {}
    with store.read() as s:
        row = s.get(Customer, cid)
        assert row is not None and row.deleted_at == clock.now


def test_technicians_and_bays(store: Store, clock: Clock) -> None:
    tid, entries = _entries(store, customers.create_technician, name="Grace",
                            skills=["brakes", " brakes", "ac"])
    assert _shape(entries) == [("technician", "upsert")]
    assert entries[0].fields["skills"] == ["ac", "brakes"]
    _, entries = _entries(store, customers.update_technician, tid, daily_capacity_minutes=420)
    assert entries[0].fields == {"daily_capacity_minutes": 420}
    assert entries[0].base == {"daily_capacity_minutes": 480}
    _, entries = _entries(store, customers.create_bay, name="Bay 9", kind="lift")
    assert _shape(entries) == [("bay", "upsert")]
    assert entries[0].fields == {"name": "Bay 9", "kind": "lift"}


def test_vehicle_create_and_update(store: Store, shop: Shop) -> None:
    _, entries = _entries(store, vehicles.update_vehicle, shop.vehicle_id, plate="new 1",
                          odometer=121_000)
    (entry,) = entries
    assert entry.fields == {"plate": "NEW 1", "odometer": 121_000}
    assert entry.base == {"plate": "CAFE 123", "odometer": 120_000}


def test_create_job_sends_the_job_its_first_status_event_and_the_reading(
        store: Store, shop: Shop, clock: Clock) -> None:
    job_id, entries = _entries(store, jobs.create_job, customer_id=shop.customer_id,
                               vehicle_id=shop.vehicle_id, odometer_in=121_500,
                               promised_at=T0 + timedelta(hours=8))
    assert _shape(entries) == [("vehicle", "upsert"), ("job", "upsert"),
                               ("status_event", "upsert")]
    vehicle, job, event = entries
    assert vehicle.fields == {"odometer": 121_500} and vehicle.base == {"odometer": 120_000}
    assert job.row_id == job_id and job.base == {}
    assert job.fields["status"] == "queued" and job.fields["number"].startswith("P-")
    assert job.fields["promised_at"] == "2026-11-23T16:00:00Z"  # RFC 3339 on the wire
    assert event.fields["job_id"] == job_id and event.fields["from_status"] is None


def test_provisional_numbers_are_unique_on_the_device(store: Store, shop: Shop) -> None:
    numbers = set()
    for _ in range(3):
        job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                           vehicle_id=shop.vehicle_id).result
        with store.read() as s:
            job = s.get(Job, job_id)
            assert job is not None
            numbers.add(job.number)
    code = store.state().device_code
    assert numbers == {f"P-{code}-1", f"P-{code}-2", f"P-{code}-3"}


def test_assign_is_urgent_with_its_base(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    changes_before = last_outbox_id(store)
    changes = store.run(jobs.assign, job_id, technician_id=shop.tech_ids[0],
                        bay_id=shop.bay_ids[1])
    (entry,) = outbox_after(store, changes_before)
    assert changes.urgent and entry.urgent
    assert entry.fields == {"technician_id": shop.tech_ids[0], "bay_id": shop.bay_ids[1]}
    assert entry.base == {"technician_id": None, "bay_id": None}


def test_lines_approvals_and_their_deletion(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    line, entries = _entries(store, jobs.add_line, job_id, kind="part",
                             description="Brake pads", quantity=1, unit_price_cents=8_999,
                             service_code=None)
    assert _shape(entries) == [("job_line", "upsert")]
    assert entries[0].fields["part_status"] == "needed"  # a new part is still needed
    _, entries = _entries(store, jobs.set_approval, line, "approved")
    assert entries[0].fields == {"approval": "approved"}
    assert entries[0].base == {"approval": "pending"}
    _, entries = _entries(store, jobs.update_line, line, part_status="ordered", quantity=2)
    assert entries[0].fields == {"part_status": "ordered", "quantity": 2.0}
    assert entries[0].base == {"part_status": "needed", "quantity": 1.0}
    _, entries = _entries(store, jobs.delete_line, line)
    assert _shape(entries) == [("job_line", "delete")]


def test_appointments(store: Store, shop: Shop) -> None:
    appt, entries = _entries(store, appointments.book, starts_at=T0, ends_at=T0 +
                             timedelta(hours=1), technician_id=shop.tech_ids[0])
    assert _shape(entries) == [("appointment", "upsert")]
    assert entries[0].fields["starts_at"] == "2026-11-23T08:00:00Z"
    _, entries = _entries(store, appointments.cancel, appt)
    assert entries[0].fields == {"status": "cancelled"}
    assert entries[0].base == {"status": "scheduled"}


def test_clock_on_and_off(store: Store, shop: Shop, clock: Clock) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    entry, entries = _entries(store, clockops.clock_on, shop.tech_ids[0], job_id)
    assert _shape(entries) == [("time_entry", "upsert"), ("time_entry", "upsert")]
    shift, job_entry = entries
    assert shift.fields["kind"] == "shift" and job_entry.fields["kind"] == "job"
    assert job_entry.row_id == entry and all(e.urgent for e in entries)
    off_at = clock.advance(minutes=30)
    _, entries = _entries(store, clockops.clock_off, shop.tech_ids[0])
    (off,) = entries
    assert off.row_id == entry and off.urgent
    assert off.fields == {"ended_at": off_at.isoformat().replace("+00:00", "Z")}
    assert off.base == {"ended_at": None}


def test_notes(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    _, entries = _entries(store, notes.add_note, job_id, " Pads at 2 mm ", kind="finding",
                          author_id=shop.tech_ids[0])
    assert _shape(entries) == [("note", "upsert")]
    assert entries[0].fields["body"] == "Pads at 2 mm"
    assert entries[0].fields["kind"] == "finding"


def test_outbox_ids_are_contiguous(store: Store, shop: Shop) -> None:
    job_in(store, shop.customer_id, shop.vehicle_id, "closed")
    with store.read() as s:
        ids = [o.id for o in s.query(Outbox).order_by(Outbox.id)]
    assert ids == list(range(1, len(ids) + 1))


# --- all or nothing ------------------------------------------------------------------------

class Boom(RuntimeError):
    pass


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, method: str, n: int) -> None:
    """Make the n-th call of ``Writer.<method>`` raise, after the earlier ones wrote."""
    original = getattr(Writer, method)
    calls = {"n": 0}

    def wrapper(self: Writer, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == n:
            raise Boom("the disk went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Writer, method, wrapper)


def _snapshot(store: Store) -> tuple[int, int, int, int, int]:
    with store.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        provisional = state.next_provisional
    return (last_outbox_id(store), count(store, Job), count(store, StatusEvent),
            count(store, Customer), provisional)


def test_create_job_failing_after_the_job_row_keeps_nothing(
        store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(store)
    _fail_on_call(monkeypatch, "create", 2)  # the job is written, its status_event fails
    with pytest.raises(Boom):
        store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id)
    assert _snapshot(store) == before


def test_a_move_failing_after_the_update_keeps_nothing(
        store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    before = _snapshot(store)
    _fail_on_call(monkeypatch, "create", 1)  # the job row is updated, the event fails
    with pytest.raises(Boom):
        store.run(jobs.move_status, job_id, "in_progress")
    assert _snapshot(store) == before
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.status == "queued"


def test_any_operation_that_raises_keeps_nothing(store: Store, clock: Clock) -> None:
    def two_customers_then_fail(w: Writer) -> None:
        customers.create_customer(w, name="First")
        customers.create_customer(w, name="Second")
        raise Boom("half-way")

    before = _snapshot(store)
    with pytest.raises(Boom):
        store.run(two_customers_then_fail)
    assert _snapshot(store) == before


def test_a_failed_operation_does_not_stop_the_next(store: Store, clock: Clock,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_on_call(monkeypatch, "create", 1)  # only the first call fails
    with pytest.raises(Boom):
        store.run(customers.create_customer, name="Lost")
    store.run(customers.create_customer, name="Kept")
    assert count(store, Customer) == 1
    assert [e.fields["name"] for e in outbox_after(store, 0)] == ["Kept"]
