"""Pull and apply: pending fields over pulled rows, tombstones, final numbers, reset."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.db import Store
from app.models import Customer, Job
from sync.engine import SyncEngine
from tests.sync.fakeserver import NOW, FakeServer
from tests.sync.helpers import edit, job, new_job, outbox

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


def synced(make_engine: Engine, store: Store) -> SyncEngine:
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    return engine


def test_a_pending_local_edit_is_not_flickered_away(make_replica: Replica,
                                                    make_engine: Engine,
                                                    fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = synced(make_engine, store)
    assert job(store, job_id).number == "1"
    # The server refuses our pushes for a while (a bad gateway) but pulls still work;
    # meanwhile someone else changes the job on the server.
    for _ in range(3):
        fake.fail("/sync/push", 502)
    engine.nudge(edit(store, job_id, concern="mine, not pushed yet"))
    fake.put_row("job", {**fake.rows[("job", job_id)], "concern": "theirs, older",
                         "priority": 2})
    seen: list[object] = []
    engine.add_changes_listener(seen.append)
    engine.pull_now()  # as a poke would
    engine.advance(0.4)  # the push fails, the pull after it still runs
    assert len(outbox(store)) == 1
    row = job(store, job_id)
    assert row.priority == 2  # the server's other field arrived
    assert row.concern == "mine, not pushed yet"  # ...and the local edit stayed on top
    assert any(getattr(c, "source", None) == "sync" and c.touches("job") for c in seen)
    engine.advance(10.0)  # the retries: the third one goes through
    assert outbox(store) == []
    assert fake.live("job")[job_id]["concern"] == "mine, not pushed yet"
    assert job(store, job_id).concern == "mine, not pushed yet"


def test_reapply_happens_in_the_same_transaction_as_the_page(make_replica: Replica,
                                                             fake: FakeServer) -> None:
    """Apply a page by hand: the row never holds the server's older value after commit."""
    from sync.replica import Page, apply_page

    store = make_replica("a")
    job_id, _ = new_job(store)  # three entries, none pushed
    row = {"id": job_id, "shop_id": fake.shop_id, "created_at": NOW, "updated_at": NOW,
           "deleted_at": None, "number": "77", "customer_id": None, "vehicle_id": None,
           "status": "queued", "hold_reason": None, "priority": 3, "concern": "server's",
           "promised_at": None, "customer_waiting": False, "technician_id": None,
           "bay_id": None, "odometer_in": None, "estimated_minutes": None,
           "completed_at": None, "closed_at": None}
    page = Page.parse({"changes": [{"seq": 5, "entity": "job", "row_id": job_id,
                                    "op": "upsert", "row": row}],
                       "cursor": 5, "has_more": False, "last_mutation_id": 0, "reset": False})
    with store.write_session() as s:
        applied = apply_page(s, page)
    assert applied.reapplied == 1
    got = job(store, job_id)
    assert got.concern == "brakes squeal"  # the pending create's value
    assert got.number == "77"  # the final number is not replaced by the provisional one
    assert store.state().cursor == 5


def test_the_final_job_number_replaces_the_provisional_one(make_replica: Replica,
                                                           make_engine: Engine) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    assert job(store, job_id).number.startswith("P-")
    synced(make_engine, store)
    assert job(store, job_id).number == "1"


def test_a_delete_tombstones_the_row(make_replica: Replica, make_engine: Engine,
                                     fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = synced(make_engine, store)
    fake.delete_row("job", job_id)
    engine.pull_now()
    engine.run_pending()
    assert job(store, job_id).deleted_at is not None


def test_rows_arrive_from_other_replicas(make_replica: Replica, make_engine: Engine) -> None:
    a, b = make_replica("a"), make_replica("b")
    job_id, changes = new_job(a)
    ea, eb = synced(make_engine, a), synced(make_engine, b)
    ea.nudge(changes)
    ea.advance(0.5)
    eb.pull_now()
    eb.run_pending()
    assert job(b, job_id).concern == "brakes squeal"
    assert job(b, job_id).number == "1"


def test_reset_pushes_first_then_starts_over(make_replica: Replica, make_engine: Engine,
                                             fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = synced(make_engine, store)
    with store.write_session() as s:  # a row the server no longer has (purged long ago)
        s.add(Customer(id="00000000-0000-4000-8000-000000000001", shop_id=fake.shop_id,
                       created_at=job(store, job_id).created_at,
                       updated_at=job(store, job_id).created_at, name="Gone"))
    fake.fail("/sync/push", 503)
    engine.nudge(edit(store, job_id, concern="pending during the reset"))
    engine.advance(0.4)
    for i in range(5):
        fake.put_row("customer", {"id": f"00000000-0000-4000-8000-00000000010{i}",
                                  "name": f"C{i}", "kind": "person", "phone": "",
                                  "email": "", "address": "", "notes": ""})
    fake.purged_seq = fake.head  # our cursor is now older than what the server keeps
    engine.advance(2.0)
    with store.read() as s:
        names = set(s.scalars(select(Customer.name)))
        jobs_ = s.scalars(select(Job)).all()
    assert "Gone" not in names and {"C0", "C4"} <= names
    assert [j.concern for j in jobs_] == ["pending during the reset"]
    assert fake.live("job")[job_id]["concern"] == "pending during the reset"
    assert outbox(store) == []
    assert store.state().cursor == fake.head


def test_the_cursor_never_goes_back(make_replica: Replica, make_engine: Engine,
                                   fake: FakeServer) -> None:
    store = make_replica("a")
    new_job(store)
    engine = synced(make_engine, store)
    seen = [store.state().cursor]
    for i in range(3):
        fake.put_row("customer", {"id": f"00000000-0000-4000-8000-00000000020{i}",
                                  "name": f"X{i}"})
        engine.pull_now()
        engine.run_pending()
        seen.append(store.state().cursor)
    assert seen == sorted(seen) and seen[-1] == fake.head
