"""The boards' rows read by id (a live repaint's re-query) say exactly what the full boards
say of those jobs, and the order keys are the full read's order."""

from __future__ import annotations

from datetime import timedelta

from app.db import Store
from app.ops import clock as timeclock
from app.ops import jobs
from app.queries import boards, desk
from app.queries.board_rows import JobLabel, assigned_order, board_rows_by_id, queue_order
from tests.app.conftest import T0, Clock, Shop


def _busy_shop(store: Store, shop: Shop, clock: Clock) -> dict[str, str]:
    """Jobs in every open status with every kind of card: priorities, customers waiting,
    promises past, future and none, ties broken by number, parts waiting, technicians."""
    def job(**kw: object) -> str:
        return str(store.run(jobs.create_job, customer_id=shop.customer_id,
                             vehicle_id=shop.vehicle_id, concern="c", **kw).result)

    grace, linus = shop.tech_ids[0], shop.tech_ids[1]
    made = {
        "late": job(promised_at=T0 - timedelta(hours=2)),
        "soon": job(promised_at=T0 + timedelta(hours=1)),
        "same1": job(promised_at=T0 + timedelta(hours=1)),
        "none": job(),
        "none2": job(),
        "urgent": job(priority=3, promised_at=T0 + timedelta(days=2)),
        "waiting": job(customer_waiting=True),
        "estimate": job(status="estimate", promised_at=T0 - timedelta(days=1)),
        "working": job(promised_at=T0 - timedelta(minutes=5)),
        "held": job(),
        "ready": job(promised_at=T0 - timedelta(hours=1)),
        "closed": job(),
        "no_vehicle": str(store.run(jobs.create_job, customer_id=None, vehicle_id=None,
                                    concern="walk-in").result),
    }
    for name in ("late", "none", "working", "held", "ready"):
        store.run(jobs.assign, made[name], technician_id=grace, bay_id=shop.bay_ids[0])
    store.run(jobs.assign, made["urgent"], technician_id=linus)
    store.run(jobs.move_status, made["working"], "in_progress")
    store.run(timeclock.start_shift, grace)
    store.run(timeclock.clock_on, grace, made["working"])
    store.run(jobs.move_status, made["held"], "on_hold", hold_reason="parts")
    for step in ("in_progress", "ready"):
        store.run(jobs.move_status, made["ready"], step)
    for step in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, made["closed"], step)
    store.run(jobs.add_line, made["held"], kind="part", description="Pads", part_status="ordered")
    store.run(jobs.add_line, made["held"], kind="part", description="Rotor",
              part_status="needed")
    store.run(jobs.add_line, made["soon"], kind="part", description="Filter",
              part_status="needed", approval="declined")
    clock.advance(minutes=30)
    return made


def test_rows_by_id_are_the_full_boards_rows(store: Store, shop: Shop, clock: Clock) -> None:
    made = _busy_shop(store, shop, clock)
    now = clock.now
    with store.read() as s:
        full = boards.queue_board(s, now)
        techs = boards.technician_board(s, now)
        where = desk.open_job_assignments(s)
        rows = board_rows_by_id(s, [*made.values(), "no-such-job"], now)
    open_cards = {c.job_id: c for col in full.columns for c in col.cards}
    assert len(open_cards) == len(made) - 1
    assert rows.cards == open_cards
    assert rows.assignments == {j: where[j] for j in open_cards}
    entries = {a.job_id: (t.technician_id, a) for t in techs.rows for a in t.assigned}
    assert len(entries) == 6
    assert rows.technician_entries == entries
    # the closed job left the boards but is still known by number (a clock on it says so)
    assert made["closed"] not in rows.cards
    assert rows.labels[made["closed"]].vehicle == "2003 Honda Accord"
    assert rows.labels[made["no_vehicle"]] == JobLabel(open_cards[made["no_vehicle"]].number, "")
    assert "no-such-job" in rows.job_ids and "no-such-job" not in rows.labels
    assert rows.cards[made["held"]].parts_waiting == 2
    assert rows.cards[made["soon"]].parts_waiting == 0  # declined parts wait for nothing
    assert rows.cards[made["late"]].overdue and not rows.cards[made["ready"]].overdue


def test_order_keys_are_the_full_reads_order(store: Store, shop: Shop, clock: Clock) -> None:
    _busy_shop(store, shop, clock)
    with store.read() as s:
        full = boards.queue_board(s, clock.now)
        techs = boards.technician_board(s, clock.now)
    queued = full.column("queued").cards
    assert len(queued) >= 7
    for col in full.columns:
        assert sorted(col.cards, key=queue_order) == list(col.cards)
        assert sorted(reversed(col.cards), key=queue_order) == list(col.cards)
    for row in techs.rows:
        assert sorted(reversed(row.assigned), key=assigned_order) == list(row.assigned)


def test_line_ids_name_their_job(store: Store, shop: Shop, clock: Clock) -> None:
    made = _busy_shop(store, shop, clock)
    line = store.run(jobs.add_line, made["none"], kind="part", description="Wiper",
                     part_status="needed").result
    with store.read() as s:
        rows = board_rows_by_id(s, (), clock.now, line_ids=[line])
        nothing = board_rows_by_id(s, (), clock.now)
    assert rows.job_ids == {made["none"]}
    assert rows.cards[made["none"]].parts_waiting == 1
    assert nothing.job_ids == frozenset() and nothing.cards == {}


def test_the_overdue_rule() -> None:
    from datetime import UTC, datetime, timedelta

    from app.queries.boards import is_overdue

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    before, after = now - timedelta(minutes=1), now + timedelta(minutes=1)
    assert is_overdue(before, "in_progress", now) and is_overdue(before, "on_hold", now)
    assert not is_overdue(before, "ready", now)  # ready: the shop kept its word
    assert not is_overdue(after, "queued", now) and not is_overdue(now, "queued", now)
    assert not is_overdue(None, "queued", now)
