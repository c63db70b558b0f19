"""Storage faults in the sync engine and the account: the replica locked by another process
is a local, retryable fault with backoff and words, and never loses or reorders an outbox
entry; a set-aside that Windows refuses revokes the session just opened."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app import db
from app.db import Store
from app.errors import StorageError
from sync import account
from sync.clock import FakeClock
from sync.engine import SyncEngine
from sync.status import Connection
from tests.sync.conftest import SERVER
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import edit, new_job, outbox

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


@pytest.fixture(autouse=True)
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 50 ms instead of 10 s, so a held lock shows at once."""
    monkeypatch.setattr(db, "PRAGMAS", tuple(
        "PRAGMA busy_timeout=50" if p.startswith("PRAGMA busy_timeout") else p
        for p in db.PRAGMAS))


def test_a_locked_replica_is_a_retryable_fault_and_nothing_is_lost_or_reordered(
        make_replica: Replica, make_engine: Engine, fake: FakeServer, clock: FakeClock) -> None:
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    job_id, changes = new_job(store)
    for i in range(3):
        edit(store, job_id, concern=f"edit {i}")
    before = [(e.id, e.entity, e.row_id, e.fields) for e in outbox(store)]
    other = sqlite3.connect(store.path, isolation_level=None)  # the desk, say, mid-write
    other.execute("BEGIN IMMEDIATE")
    try:
        engine.nudge(changes)
        engine.advance(5)
        status = engine.status
        # It used to stay "Syncing" with no error: SQLAlchemy's OperationalError from the
        # BEGIN IMMEDIATE escaped the storage handler.
        assert status.connection is Connection.ERROR, status
        assert status.last_error is not None and "busy" in status.last_error
        assert engine.next_deadline() is not None  # a retry is scheduled (backoff)
        assert [(e.id, e.entity, e.row_id, e.fields) for e in outbox(store)] == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    engine.advance(120, step=1.0)
    assert outbox(store) == []
    assert engine.status.connection is Connection.ONLINE
    mine = [mid for cid, mid in fake.applied if cid == store.state().client_id]
    assert mine == [b[0] for b in before]  # each once, in order
    assert fake.live("job")[job_id]["concern"] == "edit 2"


def test_an_unexpected_error_in_a_round_is_reported_not_left_syncing(
        make_replica: Replica, make_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.syncer import Syncer

    store = make_replica("a")
    engine = make_engine(store)
    engine.start()

    def boom(self: Syncer) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Syncer, "pull_to_head", boom)
    engine.sync_now()
    engine.advance(1)
    assert engine.status.connection is Connection.ERROR
    assert "unexpected error" in (engine.status.last_error or "")
    assert engine.next_deadline() is not None


def test_a_fresh_login_whose_set_aside_windows_refuses_revokes_the_session(
        tmp_path: Path, fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ops import customers

    path = tmp_path / "desk" / "replica.sqlite"
    demo = Store(path)
    demo.run(customers.create_customer, name="Demo customer")  # a never-bound replica

    def held(src: str, dst: str) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being "
                                  "used by another process", str(src))

    monkeypatch.setattr(os, "replace", held)
    monkeypatch.setattr("app.fsutil.DELAY", 0.0)
    with pytest.raises(StorageError) as caught:
        account.login(demo, SERVER, "clerk", "secret", fresh=True,
                      transport=fake.transport())
    assert "another program has it open" in caught.value.message
    assert fake.count("/auth/logout") == 1  # the session just opened is not left behind
    assert not fake.access  # revoked on the server
    monkeypatch.undo()
    again = Store(path)  # untouched, still the demo
    try:
        assert again.state().server_url is None
    finally:
        again.close()
    demo.close()


def test_the_engine_fills_a_rebuilt_replica_and_sends_each_change_once(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    """A damaged replica rebuilt on open (``app.recovery``): the running engine's first
    pull drops what the server already has, then it sends the rest, each once, in order."""
    from app.recovery import open_replica

    store = make_replica("a")
    path, client_id = store.path, store.state().client_id
    engine = make_engine(store)
    engine.start()
    job_id, changes = new_job(store)
    engine.nudge(changes)
    engine.advance(5)
    assert outbox(store) == []
    edit(store, job_id, concern="sent, answer lost")
    fake.fail("/sync/push", status=502, after_commit=True)  # applied; the answer is lost
    engine.sync_now()
    engine.advance(0.5)
    lost = [e.id for e in outbox(store)]
    assert lost and fake.lmid[client_id] == lost[-1]
    edit(store, job_id, priority=3)  # never sent
    engine.stop()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)  # the schema goes bad
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX x ON job((' "
                 "WHERE name = 'ix_job_open'")
    conn.close()
    before = list(fake.applied)
    opened = open_replica(path)
    store = opened.store
    try:
        assert opened.set_aside is not None and opened.salvaged == 2
        assert store.state().client_id == client_id
        engine = make_engine(store)
        engine.start()
        engine.advance(30, step=0.5)
        assert outbox(store) == [] and engine.status.connection is Connection.ONLINE
        sent_after = [mid for cid, mid in fake.applied[len(before):] if cid == client_id]
        assert sent_after == [lost[-1] + 1]  # only the unsent change, once
        assert fake.live("job")[job_id]["priority"] == 3
        assert fake.live("job")[job_id]["concern"] == "sent, answer lost"
    finally:
        store.close()
