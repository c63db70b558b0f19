"""Operation ids in the outbox: every entry names the operation that wrote it, and a push
batch is made of whole operations (an operation larger than a batch goes alone, in parts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import Store, Writer, make_engine, upgrade
from app.models import Customer, Outbox
from app.ops import customers, jobs
from sync.outbox import read_batch, renumber_pending, sync_state
from tests.sync.helpers import new_job, outbox

Replica = Callable[[str], Store]


def _batch(store: Store, max_count: int = 500, max_bytes: int = 900 * 1024) -> list[int]:
    with store.read() as s:
        return read_batch(s, max_count=max_count, max_bytes=max_bytes).ids


def _ack(store: Store, upto: int) -> None:
    with store.write_session() as s:
        sync_state(s).acked_mutation_id = upto


def _names(w: Writer, *names: str) -> None:
    for name in names:
        customers.create_customer(w, name=name)


def test_every_entry_carries_its_operations_id(make_replica: Replica) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    store.run(jobs.move_status, job_id, "in_progress")
    entries = outbox(store)
    assert [e.entity for e in entries] == ["customer", "job", "status_event", "job",
                                           "status_event"]
    ops = [e.operation_id for e in entries]
    # One id per operation: the id of its first entry.
    assert ops == [entries[0].id, entries[1].id, entries[1].id, entries[3].id, entries[3].id]
    with store.read() as s:
        wire = read_batch(s, max_count=10, max_bytes=10**6).mutations
    assert [m["operation_id"] for m in wire] == ops


def test_a_batch_never_splits_an_operation(make_replica: Replica) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)  # ops: [1], [2, 3]
    store.run(jobs.move_status, job_id, "in_progress")  # [4, 5]
    first = outbox(store)[0].id
    assert _batch(store, max_count=2) == [first]
    assert _batch(store, max_count=3) == [first, first + 1, first + 2]
    _ack(store, first)
    assert _batch(store, max_count=3) == [first + 1, first + 2]
    # The byte limit cuts between operations too: room for three entries, not four.
    with store.read() as s:
        wire = read_batch(s, max_count=10, max_bytes=10**6).mutations
    sizes = [len(json.dumps(m, separators=(",", ":")).encode()) + 1 for m in wire]
    assert _batch(store, max_bytes=200 + sum(sizes[:3])) == [first + 1, first + 2]


def test_an_operation_larger_than_a_batch_goes_alone_in_parts(make_replica: Replica) -> None:
    store = make_replica("a")
    store.run(_names, "before")
    store.run(_names, *(f"bulk {i}" for i in range(5)))
    store.run(_names, "after")
    ids = [e.id for e in outbox(store)]
    assert _batch(store, max_count=3) == ids[:1]  # the big one waits for a batch of its own
    _ack(store, ids[0])
    assert _batch(store, max_count=3) == ids[1:4]  # its first part fills a batch
    _ack(store, ids[3])
    assert _batch(store, max_count=3) == ids[4:6]  # its rest goes alone, without "after"
    _ack(store, ids[5])
    assert _batch(store, max_count=3) == ids[6:]


def test_entries_written_before_operation_ids_are_operations_of_their_own(
        tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = make_engine(path)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_state (id, client_id, device_code, shop_id, cursor, "
                          "acked_mutation_id, next_provisional) VALUES (1, 'c', 'AB12', 's', 0, "
                          "0, 1)"))
        for n in range(3):
            conn.execute(text(
                "INSERT INTO outbox (entity, row_id, op, fields, base, created_at, urgent) "
                "VALUES ('customer', :r, 'upsert', '{}', '{}', '2026-11-20 08:00:00', 0)"),
                {"r": f"r{n}"})
    engine.dispose()
    store = Store(path)
    try:
        assert [(e.id, e.operation_id) for e in outbox(store)] == [(1, 1), (2, 2), (3, 3)]
        assert _batch(store, max_count=2) == [1, 2]
        store.run(_names, "new", "op")
        assert [e.operation_id for e in outbox(store)][3:] == [4, 4]
    finally:
        store.close()


def test_renumbering_keeps_each_operation_together(make_replica: Replica) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    store.run(jobs.move_status, job_id, "in_progress")
    with store.write_session() as s:
        renumber_pending(s, 100)
    entries = outbox(store)
    assert [e.id for e in entries] == [100, 101, 102, 103, 104]
    assert [e.operation_id for e in entries] == [100, 101, 101, 103, 103]
    store.run(_names, "next")
    assert [(e.id, e.operation_id) for e in outbox(store)][-1] == (105, 105)


def test_a_failed_operation_writes_no_entry_and_takes_no_id(make_replica: Replica) -> None:
    store = make_replica("a")
    store.run(_names, "one")

    def broken(w: Writer) -> None:
        _names(w, "two", "three")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run(broken)
    store.run(_names, "four")
    entries = outbox(store)
    assert len(entries) == 2 and all(e.operation_id == e.id for e in entries)
    with store.read() as s:
        assert s.query(Customer).count() == 2 and s.query(Outbox).count() == 2
