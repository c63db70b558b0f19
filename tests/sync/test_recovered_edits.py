"""Edits typed on a rebuilt replica (``app.recovery``) before its first pull are kept and
sent: the pull that settles the salvaged outbox (``sync.replica.settle_recovered``) drops
only what the server has, never an edit made after the rebuild."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from app import identity
from app.db import Store
from app.ops import customers
from app.recovery import open_replica
from sync.outbox import pending_count
from sync.replica import Page, apply_page
from tests.sync.helpers import outbox


def rebuilt(path: Path, acked: int, *, garbage: bool) -> Store:
    """A replica bound to a server with ``acked`` mutations acknowledged, whose file then
    went bad and was rebuilt: turned to garbage (nothing can be salvaged), or with a broken
    schema (it cannot be opened, but its sync state can be read)."""
    store = Store(path)
    with store.write_session() as s:
        s.execute(text("UPDATE sync_state SET server_url = 'https://shop.test', "
                       "username = 'clerk', acked_mutation_id = :a WHERE id = 1"), {"a": acked})
    identity.remember(store)
    store.close()
    if garbage:
        path.write_bytes(b"garbage " * 1000)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_customer_board ON "
                     "customer((' WHERE name = 'ix_customer_board'")
        conn.close()
    opened = open_replica(path)
    assert opened.set_aside is not None and opened.store.state().recovered_from is not None
    return opened.store


def pending(store: Store) -> int:
    with store.read() as s:
        return pending_count(s)


def test_an_edit_after_the_rebuild_survives_the_first_pull(tmp_path: Path) -> None:
    store = rebuilt(tmp_path / "replica.sqlite", acked=500, garbage=False)
    try:
        assert store.state().acked_mutation_id == 500  # read from the damaged file
        store.run(customers.create_customer, name="Typed before the first pull")
        ids = [e.id for e in outbox(store)]
        assert len(ids) == 1 and ids[0] > 500  # above anything the server may have
        assert pending(store) == 1
        with store.write_session() as s:
            apply_page(s, Page([], 10, False, 500, False))
        assert [e.id for e in outbox(store)] == ids
        assert pending(store) == 1
        assert store.state().recovered_from is None
    finally:
        store.close()


def test_an_edit_the_server_lmid_passes_is_renumbered_not_dropped(tmp_path: Path) -> None:
    # Nothing could be read of the old file; the server has this client's ids up to 510.
    store = rebuilt(tmp_path / "replica.sqlite", acked=500, garbage=True)
    try:
        store.run(customers.create_customer, name="One")
        store.run(customers.create_customer, name="Two")
        with store.write_session() as s:
            apply_page(s, Page([], 10, False, 510, False))
        entries = outbox(store)
        assert [e.id for e in entries] == [511, 512]
        assert [e.operation_id for e in entries] == [511, 512]
        assert [e.fields["name"] for e in entries] == ["One", "Two"]
        assert store.state().acked_mutation_id == 510
        assert pending(store) == 2
        store.run(customers.create_customer, name="Three")
        assert [e.id for e in outbox(store)] == [511, 512, 513]
    finally:
        store.close()
