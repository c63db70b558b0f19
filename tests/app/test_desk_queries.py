"""The desk's reads: assignments of open jobs, pickers, one job's detail."""

from __future__ import annotations

from app.db import Store
from app.ops import customers, jobs, notes
from app.queries import desk
from tests.app.conftest import Clock, Shop


def _job(store: Store, shop: Shop, **kw: object) -> str:
    return str(store.run(jobs.create_job, customer_id=shop.customer_id,
                         vehicle_id=shop.vehicle_id, concern="brakes squeal", **kw).result)


def test_open_job_assignments_name_technician_and_bay(store: Store, shop: Shop) -> None:
    a = _job(store, shop)
    b = _job(store, shop)
    closed = _job(store, shop, status="estimate")
    store.run(jobs.assign, a, technician_id=shop.tech_ids[0], bay_id=shop.bay_ids[1])
    store.run(jobs.move_status, closed, "cancelled")
    with store.read() as s:
        got = desk.open_job_assignments(s)
    assert got == {a: desk.Assignment(shop.tech_ids[0], shop.bay_ids[1]),
                   b: desk.Assignment(None, None)}


def test_pickers_list_active_technicians_and_bays_by_name(store: Store, shop: Shop) -> None:
    store.run(customers.update_technician, shop.tech_ids[1], active=False)
    with store.read() as s:
        p = desk.pickers(s)
        everyone = desk.pickers(s, include_inactive=True)
    assert [c.name for c in p.technicians] == ["Grace Hopper", "Margaret Hamilton"]
    assert [c.name for c in everyone.technicians] == ["Grace Hopper", "Linus Torvalds",
                                                       "Margaret Hamilton"]
    assert not next(c for c in everyone.technicians if c.name == "Linus Torvalds").active
    assert [c.name for c in p.bays] == ["Bay 1", "Bay 2"]


def test_job_detail_has_lines_notes_and_history_with_ids(store: Store, shop: Shop,
                                                         clock: Clock) -> None:
    job_id = _job(store, shop, odometer_in=121_000)
    line = store.run(jobs.add_line, job_id, kind="labor", description="Replace pads",
                     quantity=1.5, unit_price_cents=12000).result
    clock.advance(minutes=1)  # lines are listed in the order they were written
    store.run(jobs.add_line, job_id, kind="part", description="Pads", quantity=1,
              unit_price_cents=5000, approval="declined")
    clock.advance(minutes=5)
    note = store.run(notes.add_note, job_id, "Pads at 2 mm").result
    store.run(jobs.assign, job_id, technician_id=shop.tech_ids[0], bay_id=shop.bay_ids[0])
    clock.advance(minutes=5)
    store.run(jobs.move_status, job_id, "in_progress")
    with store.read() as s:
        d = desk.job_detail(s, job_id)
        missing = desk.job_detail(s, "no-such-job")
    assert missing is None
    assert d is not None
    assert (d.status, d.customer, d.vehicle, d.plate) == (
        "in_progress", "Ada Lovelace", "2003 Honda Accord", "CAFE 123")
    assert (d.technician, d.bay, d.odometer_in) == ("Grace Hopper", "Bay 1", 121_000)
    assert [ln.line_id for ln in d.lines][0] == line
    assert d.lines[0].total_cents == 18000 and d.total_cents == 18000  # declined not counted
    assert [(n.note_id, n.body) for n in d.notes] == [(note, "Pads at 2 mm")]
    assert [(e.from_status, e.to_status) for e in d.history] == [(None, "queued"),
                                                                ("queued", "in_progress")]
    assert d.allowed_moves == ("on_hold", "ready", "queued")
