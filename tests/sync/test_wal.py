"""WAL checkpoints run off the write path and keep the WAL bounded (``app.wal``).

The replica's connections turn off SQLite's checkpoint inside the commit; these tests hold
that the checkpoints replacing it happen: between the pages of a large first sync, and on
a desk that has no sync engine at all once its writes pause.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.db import Store
from app.ops import customers
from sync import syncer
from sync.engine import SyncEngine
from tests.sync.fakeserver import FakeServer

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]
MB = 1024 * 1024


def test_the_wal_stays_bounded_through_a_large_first_sync(make_replica: Replica,
                                                          make_engine: Engine,
                                                          fake: FakeServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(12_000):
        fake.put_row("customer", {"id": str(uuid.uuid4()), "name": f"Customer {n}",
                                  "kind": "person", "phone": f"555-{n:05d}", "email": "",
                                  "address": f"{n} Main Street", "notes": "x" * 900})
    store = make_replica("a")
    store.wal.close()  # only the sync engine's own checkpoints count here, not idle ones
    sizes: list[int] = []
    apply_page = syncer.apply_page

    def watched(*args: Any, **kwargs: Any) -> Any:  # the WAL's size before each page
        sizes.append(store.wal.wal_bytes())
        return apply_page(*args, **kwargs)

    monkeypatch.setattr(syncer, "apply_page", watched)
    engine = make_engine(store, pull_limit=1000)
    engine.start()
    engine.advance(1.0)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 12_000
    assert len(sizes) >= 12
    written = 12_000 * 900  # at least this much went through the WAL
    assert written > 10 * MB
    # Bounded: about one checkpoint's threshold plus a page, whatever the sync's size.
    assert max(sizes) < 8 * MB + 2 * MB, [s // MB for s in sizes]


def test_no_connection_checkpoints_inside_a_commit(tmp_path: Path) -> None:
    store = Store(tmp_path / "replica.sqlite")
    try:
        with store.read() as s:
            assert s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    finally:
        store.close()


def test_a_desk_without_sync_checkpoints_once_its_writes_pause(tmp_path: Path) -> None:
    store = Store(tmp_path / "replica.sqlite")
    store.wal.idle_seconds = 0.2
    store.wal.min_interval = 0.05
    try:
        for n in range(100):
            store.run(customers.create_customer, name=f"Walk-in {n}", notes="y" * 1000)
        assert 0 < store.wal.wal_bytes() < store.wal.checkpoint_bytes
        deadline = time.monotonic() + 30
        while store.wal.idle_checkpoints == 0:  # on the keeper's thread
            assert time.monotonic() < deadline, "no checkpoint after the writes paused"
            time.sleep(0.05)
        # Everything is back in the database file, so the WAL starts over from its
        # beginning: more writes overwrite it instead of growing the file.
        size = store.wal.wal_bytes()
        for n in range(5):
            store.run(customers.create_customer, name=f"Again {n}", notes="y" * 1000)
        assert store.wal.wal_bytes() <= size
    finally:
        store.close()


def test_each_pull_round_checkpoints(make_replica: Replica, make_engine: Engine,
                                     fake: FakeServer) -> None:
    fake.put_row("customer", {"id": str(uuid.uuid4()), "name": "Ann", "kind": "person",
                              "phone": "", "email": "", "address": "", "notes": ""})
    store = make_replica("a")
    store.wal.close()  # count only the engine's checkpoints
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)  # the first pull round
    assert store.wal.checkpoints >= 1  # a small WAL: not one of the size-triggered ones
