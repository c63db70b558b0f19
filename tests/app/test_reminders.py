"""The reminder list: a vehicle whose oil change is a year old is to be called, in words,
and its row is what the CSV holds."""

from __future__ import annotations

from datetime import timedelta

from app.db import Store
from app.ops import jobs
from app.queries.reminders import CSV_HEADER, reminder_list
from tests.app.conftest import Clock, Shop


def _serviced(store: Store, shop: Shop, clock: Clock) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id, odometer_in=120_000).result
    store.run(jobs.add_line, job_id, kind="labor", description="Oil change", quantity=0.5,
              unit_price_cents=9_000, approval="approved", service_code="oil")
    for status in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, job_id, status)


def test_an_overdue_oil_change_is_a_call_to_make(store: Store, shop: Shop,
                                                 clock: Clock) -> None:
    _serviced(store, shop, clock)
    with store.read() as s:
        assert reminder_list(s, clock.now + timedelta(days=200)) == ()  # not due yet
        rows = reminder_list(s, clock.now + timedelta(days=400))
    assert len(rows) == 1
    row = rows[0]
    assert (row.customer, row.phone, row.plate, row.status) == (
        "Ada Lovelace", "(416) 555-0142", "CAFE 123", "overdue")
    assert row.distance_left == 15_000 and row.unit == "km"
    assert row.services[0].startswith("Engine oil and filter: 15,000 km left, ")
    assert row.services[0].endswith("days over")
    cells = row.csv_cells()
    assert len(cells) == len(CSV_HEADER)
    assert cells[4] == "Overdue" and cells[6] == row.due_on
