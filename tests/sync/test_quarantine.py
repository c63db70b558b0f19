"""A pulled change the replica cannot apply is quarantined, never a wedge: kept raw with
its reason, the cursor moves on, what depends on it is held with it, and every hold is
retried at each start."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text

from app.db import Store
from app.models import Job, JobLine, Quarantine
from sync import quarantine
from sync.engine import SyncEngine
from sync.replica import Page, apply_page
from sync.syncer import Syncer, retry_held
from tests.sync.fakeserver import FakeServer

SHOP = "5b0c3f57-8a4e-4d43-9d1f-2f0c2c1e9a01"
T = "2026-11-27T08:00:00Z"

#: A stand-in for "a constraint this version's schema gets wrong": SQLite refuses a job whose
#: concern is 'poison' (RAISE(ABORT) is a constraint failure, like NOT NULL).
POISON = ("CREATE TRIGGER poison BEFORE INSERT ON job WHEN NEW.concern = 'poison' "
          "BEGIN SELECT RAISE(ABORT, 'poisoned job'); END")


def job_row(job_id: str, concern: str, number: str = "1") -> dict[str, Any]:
    return {"id": job_id, "shop_id": SHOP, "created_at": T, "updated_at": T, "deleted_at": None,
            "number": number, "customer_id": None, "vehicle_id": None, "status": "queued",
            "concern": concern, "priority": 0, "customer_waiting": False}


def line_row(line_id: str, job_id: str) -> dict[str, Any]:
    return {"id": line_id, "shop_id": SHOP, "created_at": T, "updated_at": T,
            "deleted_at": None, "job_id": job_id, "kind": "labor", "description": "brakes",
            "quantity": 1.0, "unit_price_cents": 100, "approval": "approved",
            "part_status": None}


def change(entity: str, row: dict[str, Any], seq: int = 1) -> dict[str, Any]:
    return {"seq": seq, "entity": entity, "row_id": row["id"], "op": "upsert", "row": row}


def page(*changes: dict[str, Any], cursor: int = 10) -> Page:
    return Page(list(changes), cursor, False, 0, False)


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def poison(store: Store, on: bool = True) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(POISON if on else "DROP TRIGGER poison"))


def apply(store: Store, p: Page) -> None:
    """What ``Syncer`` does: the fast path, then change by change if it fails."""
    from sync.replica import PageFault

    try:
        with store.write_session() as s:
            apply_page(s, p)
            return
    except PageFault:
        pass
    with store.write_session() as s:
        apply_page(s, p, careful=True)


def live_jobs(store: Store) -> dict[str, str]:
    with store.read() as s:
        return {j.id: j.concern for j in s.scalars(select(Job))}


def test_one_bad_row_is_kept_aside_with_its_reason_and_the_rest_applies(store: Store) -> None:
    poison(store)
    good, bad, other = ids(3)
    apply(store, page(change("job", job_row(good, "fine")), change("job", job_row(bad, "poison")),
                      change("job", job_row(other, "also fine"))))
    assert live_jobs(store) == {good: "fine", other: "also fine"}
    assert store.state().cursor == 10  # the cursor moved on
    with store.read() as s:
        (q,) = s.scalars(select(Quarantine)).all()
    assert (q.entity, q.row_id, q.held_by) == ("job", bad, None)
    assert "poisoned job" in q.reason
    assert q.change == change("job", job_row(bad, "poison"))  # kept raw, as it came


def test_changes_that_depend_on_a_held_row_are_held_with_it(store: Store) -> None:
    poison(store)
    bad, line, other_line, other_job = ids(4)
    apply(store, page(change("job", job_row(bad, "poison"))))
    # A later page: a line of the held job, a newer version of the held job, and the rest.
    apply(store, page(change("job_line", line_row(line, bad)),
                      change("job", job_row(bad, "now fine")),
                      change("job", job_row(other_job, "independent")),
                      change("job_line", line_row(other_line, other_job)), cursor=20))
    assert live_jobs(store) == {other_job: "independent"}
    with store.read() as s:
        held = s.execute(select(Quarantine.row_id, Quarantine.held_by)
                         .order_by(Quarantine.id)).all()
        assert s.get(JobLine, line) is None and s.get(JobLine, other_line) is not None
    first = held[0]
    assert first == (bad, None)
    assert held[1:] == [(line, 1), (bad, 1)]
    assert quarantine.quarantined_count(store) == 3
    assert store.state().cursor == 20


def test_held_changes_are_retried_in_order_and_converge_after_a_fix(store: Store) -> None:
    poison(store)
    bad, line = ids(2)
    apply(store, page(change("job", job_row(bad, "poison")),
                      change("job_line", line_row(line, bad)),
                      change("job", job_row(bad, "poison, then fixed"), seq=3)))
    assert retry_held(store).rows == {}  # still poisoned: kept, attempts counted
    with store.read() as s:
        assert [q.attempts for q in s.scalars(select(Quarantine))] == [2, 2, 2]
    poison(store, on=False)  # the fix (a new version, a migration)
    retry_held(store)
    assert quarantine.quarantined_count(store) == 0
    assert live_jobs(store) == {bad: "poison, then fixed"}  # the later version won
    with store.read() as s:
        assert s.get(JobLine, line) is not None


def test_the_fast_path_takes_no_savepoints(store: Store) -> None:
    statements: list[str] = []
    raw = store.engine.raw_connection()
    raw.close()
    from sqlalchemy import event

    def trace(conn: Any, _rec: Any) -> None:
        conn.set_trace_callback(statements.append)

    store.engine.dispose()
    event.listen(store.engine, "connect", trace)
    a, b = ids(2)
    apply(store, page(change("job", job_row(a, "fine")), change("job", job_row(b, "fine too"))))
    assert statements and not [s for s in statements if "SAVEPOINT" in s]
    poison(store)
    statements.clear()
    apply(store, page(change("job", job_row(b, "poison")), cursor=11))
    assert [s for s in statements if "SAVEPOINT" in s]


@pytest.fixture
def poisoned_server(fake: FakeServer) -> tuple[FakeServer, str]:
    bad = str(uuid.uuid4())
    fake.put_row("job", job_row(bad, "poison"))
    fake.put_row("job", job_row(str(uuid.uuid4()), "fine", number="2"))
    return fake, bad


def test_sync_goes_on_and_the_status_says_so(
        make_replica: Callable[[str], Store], make_engine: Callable[..., SyncEngine],
        poisoned_server: tuple[FakeServer, str]) -> None:
    fake, bad = poisoned_server
    store = make_replica("a")
    poison(store)
    engine = make_engine(store)
    engine.start()
    status = engine.status
    assert status.connection.value == "online", status
    assert status.not_applied == 1
    assert "1 change from the server could not be applied" in status.summary()
    assert status.not_applied_reason is not None and "poisoned job" in status.not_applied_reason
    assert any("poisoned job" in line for line in status.details())
    assert store.state().cursor == fake.head
    poison(store, on=False)
    engine.stop()
    again = make_engine(store)  # the next start retries the hold
    again.start()
    assert again.status.not_applied == 0
    assert bad in live_jobs(store)


def test_syncer_round_quarantines_instead_of_raising(
        make_replica: Callable[[str], Store], poisoned_server: tuple[FakeServer, str]) -> None:
    from sync import account
    from sync.credentials import TokenStore

    fake, bad = poisoned_server
    store = make_replica("a")
    poison(store)
    api = account.client_for(store, token_store=TokenStore(), transport=fake.transport())
    try:
        Syncer(store, api).round()
    finally:
        api.close()
    assert quarantine.quarantined_count(store) == 1
    assert len(live_jobs(store)) == 1
