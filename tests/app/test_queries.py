"""The read queries on small hand-made shops, with the time fixed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.db import Store
from app.ops import appointments, customers, jobs, notes, vehicles
from app.ops import clock as clockops
from app.queries import boards, efficiency, history, maintenance, schedule, search
from app.textboards import render_boards, render_queue, render_technicians
from tests.app.conftest import T0, Clock, Shop
from tests.app.helpers import job_in

MONDAY = T0.date()


def at(day_offset: int, hour: float) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day_offset), datetime.min.time(),
                            tzinfo=UTC) + timedelta(hours=hour)


# --- queue board ---------------------------------------------------------------------------

def test_queue_board(store: Store, shop: Shop, clock: Clock) -> None:
    c, v = shop.customer_id, shop.vehicle_id
    est = job_in(store, c, v, "estimate")
    q_plain = job_in(store, c, v, "queued", promised_at=T0 + timedelta(hours=2))
    q_urgent = job_in(store, c, v, "queued", priority=2)
    q_late = job_in(store, c, v, "queued", promised_at=T0 - timedelta(hours=1),
                    customer_waiting=True)
    in_work = job_in(store, c, v, "in_progress")
    store.run(jobs.assign, in_work, technician_id=shop.tech_ids[0])
    for part_status, approval in (("needed", "approved"), ("ordered", "approved"),
                                  ("received", "approved"), ("installed", "approved"),
                                  ("needed", "declined")):
        line = store.run(jobs.add_line, in_work, kind="part", description="Part",
                         part_status=part_status).result
        store.run(jobs.set_approval, line, approval)
    gone = store.run(jobs.add_line, in_work, kind="part", description="Removed").result
    store.run(jobs.delete_line, gone)
    held = job_in(store, c, v, "on_hold")
    ready_late = job_in(store, c, v, "ready", promised_at=T0 - timedelta(hours=3))
    job_in(store, c, v, "closed")
    job_in(store, c, v, "cancelled")

    with store.read() as s:
        board = boards.queue_board(s, T0)
    assert [col.status for col in board.columns] == ["estimate", "queued", "in_progress",
                                                     "on_hold", "ready"]
    assert board.total == 7
    assert [card.job_id for card in board.column("estimate").cards] == [est]
    # priority first, then the customer waiting (who is also overdue), then by promise
    assert [card.job_id for card in board.column("queued").cards] == [q_urgent, q_late,
                                                                       q_plain]
    late = board.column("queued").cards[1]
    assert late.overdue and late.customer_waiting
    assert not board.column("queued").cards[2].overdue
    assert board.column("queued").cards[2].promised_at == T0 + timedelta(hours=2)
    (work,) = board.column("in_progress").cards
    assert work.job_id == in_work and work.technician == "Grace Hopper"
    assert work.parts_waiting == 2  # needed + ordered; not received, installed, declined
    assert work.vehicle == "2003 Honda Accord" and work.plate == "CAFE 123"
    assert work.customer == "Ada Lovelace"
    (hold,) = board.column("on_hold").cards
    assert hold.job_id == held and hold.hold_reason == "other"
    (ready,) = board.column("ready").cards
    assert ready.job_id == ready_late and not ready.overdue  # ready is not late any more
    assert board.overdue == 1
    text = render_queue(board, UTC)
    assert "QUEUE — 7 open jobs, 1 overdue" in text and "P2" in text and "↑2" in text


# --- technician board ----------------------------------------------------------------------

def test_technician_board(store: Store, shop: Shop, clock: Clock) -> None:
    grace, linus, margaret = shop.tech_ids
    c, v = shop.customer_id, shop.vehicle_id
    clock.now = at(-1, 21)
    night = job_in(store, c, v, "in_progress")
    day_job = job_in(store, c, v, "in_progress")
    store.run(jobs.assign, day_job, technician_id=grace)
    closed = job_in(store, c, v, "closed")
    store.run(customers.update_technician, margaret, active=False)

    clock.now = at(-1, 22)  # Sunday night: 22:00 to 01:00, one hour of it today
    store.run(clockops.clock_on, grace, night)
    clock.now = at(0, 1)
    store.run(clockops.end_shift, grace)
    clock.now = at(0, 6)  # Linus: 06:00–07:00, corrected to 06:00–06:30
    entry = store.run(clockops.clock_on, linus, night).result
    clock.now = at(0, 7)
    store.run(clockops.clock_off, linus)
    store.run(clockops.correct, entry, started_at=at(0, 6), ended_at=at(0, 6.5),
              reason="break not clocked")
    clock.now = at(0, 8)
    store.run(clockops.clock_on, grace, day_job)
    now = at(0, 10.5)

    with store.read() as s:
        board = boards.technician_board(s, now, UTC)
    rows = {r.name: r for r in board.rows}
    assert set(rows) == {"Grace Hopper", "Linus Torvalds"}  # Margaret is not active
    g, lin = rows["Grace Hopper"], rows["Linus Torvalds"]
    assert g.clocked is not None and g.clocked.job_id == day_job and g.clocked.since == at(0, 8)
    assert g.shift_since == at(0, 8)
    assert g.minutes_today == 60 + 150  # 00:00–01:00, and 08:00 to now
    assert [a.job_id for a in g.assigned] == [day_job]  # the closed one is not listed
    assert closed not in [a.job_id for a in g.assigned]
    assert g.load == pytest.approx(210 / 480)
    assert lin.clocked is None and lin.minutes_today == 30  # the correction counts
    assert lin.shift_since == at(0, 6)
    text = render_technicians(board, UTC)
    assert "clocked on job" in text and "3:30 of 8:00 h" in text
    assert "QUEUE" in render_boards(store, now=now, tz=UTC)


# --- schedule -------------------------------------------------------------------------------

def test_day_schedule(store: Store, shop: Shop, clock: Clock) -> None:
    grace, linus, margaret = shop.tech_ids
    bay1, bay2 = shop.bay_ids
    c, v = shop.customer_id, shop.vehicle_id
    linked = job_in(store, c, v, "queued")
    store.run(jobs.assign, linked, technician_id=grace, bay_id=bay1)
    waiting = job_in(store, c, v, "queued")
    store.run(jobs.assign, waiting, technician_id=margaret, bay_id=bay2)

    def book(start: datetime, hours: float, **kw: object) -> str:
        appt: str = store.run(appointments.book, starts_at=start,
                              ends_at=start + timedelta(hours=hours), customer_id=c,
                              vehicle_id=v, **kw).result
        return appt

    a_nine = book(at(0, 9), 1, technician_id=grace, bay_id=bay1, job_id=linked)
    a_late = book(at(-1, 23), 2, bay_id=bay2, technician_id=linus)  # over midnight
    a_free = book(at(0, 10), 1, technician_id=linus)  # no bay
    a_off = book(at(0, 13), 1, bay_id=bay1)
    store.run(appointments.cancel, a_off)
    book(at(1, 9), 1, technician_id=grace, bay_id=bay1)  # tomorrow

    with store.read() as s:
        day = schedule.day_schedule(s, MONDAY, UTC)
        with_cancelled = schedule.day_schedule(s, MONDAY, UTC, include_cancelled=True)
    bays = {lane.name: lane for lane in day.by_bay}
    assert [item.id for item in bays["Bay 1"].items] == [a_nine]  # the job rides with it
    assert bays["Bay 1"].items[0].job_number is not None
    assert [item.id for item in bays["Bay 2"].items] == [a_late, waiting]
    assert bays["Bay 2"].items[1].kind == "job" and bays["Bay 2"].items[1].starts_at is None
    assert [item.id for item in bays["No bay"].items] == [a_free]
    assert bays["Bay 1"].booked_minutes == 60
    techs = {lane.name: lane for lane in day.by_technician}
    assert [i.id for i in techs["Linus Torvalds"].items] == [a_late, a_free]
    assert [i.id for i in techs["Margaret Hamilton"].items] == [waiting]
    assert [i.id for i in techs["Grace Hopper"].items] == [a_nine]
    assert a_off in [i.id for lane in with_cancelled.by_bay for i in lane.items]


# --- vehicle history -------------------------------------------------------------------------

def test_vehicle_history(store: Store, shop: Shop, clock: Clock) -> None:
    c, v = shop.customer_id, shop.vehicle_id
    clock.now = at(-400, 9)
    first = job_in(store, c, v, "queued", odometer_in=121_000)
    store.run(jobs.assign, first, technician_id=shop.tech_ids[0])
    store.run(jobs.add_line, first, kind="labor", description="Oil change", quantity=0.5,
              unit_price_cents=15_500, approval="approved", service_code="oil")
    clock.advance(seconds=1)
    store.run(jobs.add_line, first, kind="part", description="Oil filter", quantity=1,
              unit_price_cents=1_699, approval="approved")
    clock.advance(seconds=1)
    store.run(jobs.add_line, first, kind="labor", description="Brakes", quantity=2,
              unit_price_cents=15_500, approval="declined")
    store.run(notes.add_note, first, "Pads at 4 mm", kind="finding",
              author_id=shop.tech_ids[0])
    for step in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, first, step)
    clock.now = at(-10, 9)
    second = job_in(store, c, v, "queued", odometer_in=139_500)

    with store.read() as s:
        h = history.vehicle_history(s, v)
        assert history.vehicle_history(s, "no-such-vehicle") is None
    assert h is not None
    assert h.vehicle == "2003 Honda Accord" and h.customer == "Ada Lovelace"
    assert [j.job_id for j in h.jobs] == [second, first]  # newest first
    old = h.jobs[1]
    assert old.technician == "Grace Hopper" and old.status == "closed"
    assert [ln.description for ln in old.lines] == ["Oil change", "Oil filter", "Brakes"]
    assert old.total_cents == 7_750 + 1_699  # the declined line is not charged
    assert [(n.kind, n.author, n.body) for n in old.notes] == [
        ("finding", "Grace Hopper", "Pads at 4 mm")]
    assert [(r.value, r.job_number is not None) for r in h.readings] == [
        (121_000, True), (139_500, True)]
    assert h.odometer == 139_500


# --- search ------------------------------------------------------------------------------------

@pytest.fixture
def people(store: Store, shop: Shop) -> dict[str, str]:
    ids = {"ada": shop.customer_id}
    for key, name, phone in (("adam", "Adam Smith", "+1 905-555-0199"),
                             ("jo", "Johanna Adams", "(647) 555 0100"),
                             ("pct", "100% Auto Ltd.", "")):
        ids[key] = store.run(customers.create_customer, name=name, phone=phone).result
    ids["golf"] = store.run(vehicles.create_vehicle, customer_id=ids["adam"],
                            vin="WVWZZZ1JZ3W386752", plate="AB-123-CD", make="Volkswagen",
                            model="Golf", year=2003).result
    return ids


def test_search_by_name_ranks_exact_and_prefix_first(store: Store, people: dict[str, str]
                                                      ) -> None:
    with store.read() as s:
        hits = search.search(s, "ada")
        assert [h.id for h in hits[:2]] == [people["ada"], people["adam"]]  # prefixes
        assert people["jo"] in [h.id for h in hits]  # "Adams" contains it: after them
        assert [h.id for h in search.search(s, "ada lovelace")][:1] == [people["ada"]]
        assert [h.id for h in search.search(s, "smith adam")][:1] == [people["adam"]]
        assert search.search(s, "ada", limit=1)[0].id == people["ada"]
        assert search.search(s, "") == ()


def test_search_by_phone_digits(store: Store, people: dict[str, str]) -> None:
    with store.read() as s:
        assert [h.id for h in search.search(s, "416 555 0142")] == [people["ada"]]
        assert [h.id for h in search.search(s, "4165550142")] == [people["ada"]]
        hit = search.search(s, "905.555.0199")[0]
        assert hit.id == people["adam"] and hit.matched == "phone"
        assert {h.id for h in search.search(s, "555-01")} >= {people["ada"], people["adam"],
                                                              people["jo"]}


def test_search_by_plate_and_vin(store: Store, shop: Shop, people: dict[str, str]) -> None:
    with store.read() as s:
        hit = search.search(s, "ab123cd")[0]
        assert (hit.id, hit.matched, hit.kind) == (people["golf"], "plate", "vehicle")
        assert "Adam Smith" in hit.detail
        assert search.search(s, "cafe 123")[0].id == shop.vehicle_id
        assert search.search(s, "386752")[0].id == people["golf"]  # the last digits of a VIN
        assert search.search(s, "1hgcm82633a004352")[0].id == shop.vehicle_id


def test_search_by_job_number(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    number = store.state().device_code
    with store.read() as s:
        hit = search.search(s, f"p-{number}-1")[0]
        assert (hit.id, hit.matched, hit.score) == (job_id, "number", 1000)


def test_search_treats_wildcards_as_text(store: Store, people: dict[str, str]) -> None:
    with store.read() as s:
        assert [h.id for h in search.search(s, "100%")] == [people["pct"]]
        assert [h.id for h in search.search(s, "%")] == [people["pct"]]  # not everyone
        assert search.search(s, "_") == ()


# --- maintenance due --------------------------------------------------------------------------

def _closed_with(store: Store, shop: Shop, clock: Clock, when: datetime, odometer: int,
                 *codes: str, approval: str = "approved", vehicle: str | None = None) -> str:
    clock.now = when
    job_id = job_in(store, shop.customer_id, vehicle or shop.vehicle_id, "queued",
                    odometer_in=odometer, confirm_odometer=True)
    for code in codes:
        store.run(jobs.add_line, job_id, kind="labor", description=code, quantity=1,
                  unit_price_cents=10_000, approval=approval, service_code=code)
    for step in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, job_id, step)
    return job_id


def test_maintenance_due(store: Store, shop: Shop, clock: Clock) -> None:
    now = at(0, 12)
    _closed_with(store, shop, clock, now - timedelta(days=700), 100_000, "brake_fluid")
    _closed_with(store, shop, clock, now - timedelta(days=396), 101_000, "oil", "air_filter")
    _closed_with(store, shop, clock, now - timedelta(days=100), 110_000, "oil",
                 approval="declined")  # declined: not done
    clock.now = now - timedelta(days=1)
    open_job = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress",
                      odometer_in=117_000, confirm_odometer=True)
    store.run(jobs.add_line, open_job, kind="labor", description="oil", approval="approved",
              service_code="oil")  # not closed: not done yet
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=117_000, confirm=True)

    with store.read() as s:
        items = {i.service_code: i for i in maintenance.maintenance_due(s, shop.vehicle_id, now)}
        fleet = maintenance.fleet_due(s, now)
    oil = items["oil"]
    assert oil.last_odometer == 101_000 and oil.next_due_odometer == 116_000
    assert oil.last_done_at is not None and oil.next_due_at is not None
    assert oil.next_due_at.date() == (oil.last_done_at.date().replace(
        year=oil.last_done_at.year + 1))
    assert oil.current_odometer == 117_000 and oil.remaining_distance == -1_000
    assert oil.overdue and oil.status == "overdue"
    fluid = items["brake_fluid"]  # 24 months, no distance: due in about 30 days
    assert fluid.next_due_odometer is None and fluid.status == "due_soon"
    assert 0 < (fluid.remaining_days or 0) <= 30
    assert items["air_filter"].status == "ok"
    assert items["air_filter"].next_due_odometer == 149_000
    assert items["coolant"].status == "no_record"
    (due,) = fleet
    assert due.vehicle_id == shop.vehicle_id and due.customer == "Ada Lovelace"
    assert [i.service_code for i in due.items] == ["oil", "brake_fluid"]


def test_maintenance_in_miles(store: Store, shop: Shop, clock: Clock) -> None:
    truck = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, plate="TX 1",
                      make="Ford", model="F-150", year=2018, odometer=40_000,
                      odometer_unit="mi").result
    now = at(0, 12)
    _closed_with(store, shop, clock, now - timedelta(days=30), 41_000, "oil", vehicle=truck)
    with store.read() as s:
        oil = next(i for i in maintenance.maintenance_due(s, truck, now)
                   if i.service_code == "oil")
    assert oil.unit == "mi"
    assert oil.next_due_odometer == 41_000 + 9_321  # 15,000 km in miles
    assert oil.status == "ok"


def test_times_read_as_text_equal_the_column_type() -> None:
    from app.queries.common import stored_time

    assert stored_time("2026-11-23 16:00:00.000250") == datetime(2026, 11, 23, 16, 0, 0, 250,
                                                                 tzinfo=UTC)
    assert stored_time(None) is None


def test_add_months_keeps_the_end_of_the_month() -> None:
    assert maintenance.add_months(datetime(2025, 1, 31, tzinfo=UTC), 1) == datetime(
        2025, 2, 28, tzinfo=UTC)
    assert maintenance.add_months(datetime(2024, 11, 15, tzinfo=UTC), 14) == datetime(
        2026, 1, 15, tzinfo=UTC)


# --- efficiency ----------------------------------------------------------------------------

def test_technician_efficiency(store: Store, shop: Shop, clock: Clock) -> None:
    grace, linus, margaret = shop.tech_ids
    c, v = shop.customer_id, shop.vehicle_id
    clock.now = at(-1, 9)
    yesterday = job_in(store, c, v, "in_progress")
    store.run(jobs.assign, yesterday, technician_id=grace)
    store.run(jobs.add_line, yesterday, kind="labor", description="Old", quantity=5,
              approval="approved")
    for step in ("ready", "closed"):
        store.run(jobs.move_status, yesterday, step)

    clock.now = at(0, 7.5)
    job = job_in(store, c, v, "in_progress")
    store.run(jobs.assign, job, technician_id=grace)
    for quantity, approval, tech in ((2.0, "approved", None), (1.0, "approved", linus),
                                     (0.5, "declined", None), (0.7, "pending", None)):
        store.run(jobs.add_line, job, kind="labor", description="Work", quantity=quantity,
                  approval=approval, technician_id=tech)
    store.run(jobs.add_line, job, kind="part", description="Part", quantity=3,
              approval="approved")
    clock.now = at(0, 8)
    store.run(clockops.clock_on, grace, job)
    clock.now = at(0, 9)
    store.run(clockops.clock_on, linus, job)
    clock.now = at(0, 10)
    store.run(clockops.clock_off, linus)
    clock.now = at(0, 10.5)
    store.run(clockops.clock_off, grace)
    clock.now = at(0, 12)
    store.run(clockops.end_shift, linus)
    clock.now = at(0, 16)
    store.run(clockops.end_shift, grace)
    for step in ("ready", "closed"):
        store.run(jobs.move_status, job, step)

    with store.read() as s:
        report = efficiency.technician_efficiency(s, MONDAY, MONDAY, at(0, 18), UTC)
        with pytest.raises(ValueError, match="ends before"):
            efficiency.technician_efficiency(s, MONDAY, MONDAY - timedelta(days=1), T0, UTC)
        two_days = efficiency.technician_efficiency(s, MONDAY - timedelta(days=1), MONDAY,
                                                    at(0, 18), UTC)
    rows = {r.name: r for r in report.technicians}
    g, lin, m = rows["Grace Hopper"], rows["Linus Torvalds"], rows["Margaret Hamilton"]
    assert (g.billed_hours, g.clocked_hours, g.shift_hours) == (2.0, 2.5, 8.0)
    assert g.efficiency == pytest.approx(0.8) and g.productivity == pytest.approx(2.5 / 8)
    assert (lin.billed_hours, lin.clocked_hours, lin.shift_hours) == (1.0, 1.0, 3.0)
    assert lin.efficiency == pytest.approx(1.0)
    assert m.efficiency is None and m.productivity is None  # no hours: no ratio
    assert report.shop.billed_hours == 3.0 and report.shop.clocked_hours == 3.5
    two = {r.name: r for r in two_days.technicians}
    assert two["Grace Hopper"].billed_hours == 7.0  # yesterday's job counts in that range


def test_an_open_entry_counts_up_to_now(store: Store, shop: Shop, clock: Clock) -> None:
    job = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    clock.now = at(0, 9)
    store.run(clockops.clock_on, shop.tech_ids[0], job)
    with store.read() as s:
        report = efficiency.technician_efficiency(s, MONDAY, MONDAY, at(0, 9.75), UTC)
    grace = next(r for r in report.technicians if r.name == "Grace Hopper")
    assert grace.clocked_hours == 0.75 and grace.shift_hours == 0.75


def test_days_follow_the_shop_time_zone(store: Store, shop: Shop, clock: Clock) -> None:
    """In Toronto (UTC-5 in November) 02:00 UTC on Monday is still Sunday evening."""
    from zoneinfo import ZoneInfo

    toronto = ZoneInfo("America/Toronto")
    job = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    clock.now = at(0, 2)
    store.run(clockops.clock_on, shop.tech_ids[0], job)
    clock.now = at(0, 3)
    store.run(clockops.clock_off, shop.tech_ids[0])
    with store.read() as s:
        sunday = efficiency.technician_efficiency(s, MONDAY - timedelta(days=1),
                                                  MONDAY - timedelta(days=1), at(0, 20),
                                                  toronto)
        board = boards.technician_board(s, at(0, 4), toronto)  # 23:00 Sunday in Toronto
    assert next(r for r in sunday.technicians if r.name == "Grace Hopper").clocked_hours == 1.0
    assert next(r for r in board.rows if r.name == "Grace Hopper").minutes_today == 60
    assert date(2026, 11, 22) == MONDAY - timedelta(days=1)
