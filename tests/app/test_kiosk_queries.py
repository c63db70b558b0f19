"""The kiosk's sign-in tiles (app.queries.kiosk.technician_tiles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.db import Store
from app.ops import clock, customers, jobs, vehicles
from app.queries.kiosk import initials, technician_tiles


def test_tiles_are_the_active_technicians_with_their_clock(store: Store) -> None:
    cust = store.run(customers.create_customer, name="Ada Lovelace").result
    veh = store.run(vehicles.create_vehicle, customer_id=cust, plate="CAFE 1", make="Honda",
                    model="Fit", year=2012).result
    zoe = store.run(customers.create_technician, name="Zoe Ng").result
    ann = store.run(customers.create_technician, name="Ann-Marie Bell").result
    gone = store.run(customers.create_technician, name="Old Timer").result
    store.run(customers.update_technician, gone, active=False)
    job = store.run(jobs.create_job, customer_id=cust, vehicle_id=veh, concern="brakes",
                    status="queued").result
    store.run(clock.clock_on, zoe, job)
    store.run(clock.start_shift, ann)
    now = datetime.now(UTC) + timedelta(seconds=1)
    with store.read() as s:
        tiles = technician_tiles(s, now)
    assert [t.name for t in tiles] == ["Ann-Marie Bell", "Zoe Ng"]
    ann_tile, zoe_tile = tiles
    assert (zoe_tile.clocked_on, zoe_tile.on_shift, zoe_tile.initials) == (True, True, "ZN")
    assert zoe_tile.job_number and zoe_tile.since is not None
    assert (ann_tile.clocked_on, ann_tile.on_shift, ann_tile.job_number) == (False, True, "")
    assert ann_tile.initials == "AB" and not ann_tile.has_pin
    store.run(clock.clock_off, zoe)
    with store.read() as s:
        assert not technician_tiles(s, now + timedelta(seconds=5))[1].clocked_on


def test_initials() -> None:
    assert initials("Marco Rossi") == "MR"
    assert initials("Cher") == "CH"
    assert initials("Jean-Luc Picard") == "JP"
    assert initials("  ") == "?"
