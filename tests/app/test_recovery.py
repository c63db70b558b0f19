"""A replica file that is not a database or is damaged is set aside (renamed, never
deleted) and a fresh one made under the same identity; the server side of it is in
tests/sync/test_recovery_live.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from app import identity
from app.db import Store
from app.errors import StorageError
from app.ops import customers
from app.recovery import open_replica
from app.storage import damage_mark


def bound(path: Path) -> Store:
    """A replica as a log in leaves it: bound to a server, its identity beside it."""
    store = Store(path)
    with store.write_session() as s:
        s.execute(text("UPDATE sync_state SET server_url = 'https://shop.test', "
                       "username = 'clerk' WHERE id = 1"))
    identity.remember(store)
    return store


def test_a_healthy_replica_opens_as_it_is(tmp_path: Path) -> None:
    store = bound(tmp_path / "replica.sqlite")
    client_id = store.state().client_id
    store.close()
    opened = open_replica(tmp_path / "replica.sqlite")
    try:
        assert opened.set_aside is None and opened.notice is None
        assert opened.store.state().client_id == client_id
    finally:
        opened.store.close()


def test_the_identity_file_holds_no_secret(tmp_path: Path) -> None:
    bound(tmp_path / "replica.sqlite").close()
    kept = identity.sidecar(tmp_path / "replica.sqlite").read_text(encoding="utf-8")
    assert set(__import__("json").loads(kept)) == {"client_id", "device_code", "shop_id",
                                                   "server_url", "username"}


def test_damage_seen_in_use_is_checked_at_the_next_open_and_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "replica.sqlite"
    store = bound(path)
    client_id = store.state().client_id
    for i in range(300):
        # (a name has at most 200 characters: the rest of the bulk goes into the notes)
        store.run(customers.create_customer, name=f"Customer {i} " + "x" * 180,
                  notes="x" * 120)
    store.close()  # the last close folds the WAL into the file
    size = path.stat().st_size
    with open(path, "r+b") as f:  # a bad stretch of disk in the middle of the file
        f.seek(size // 2)
        f.write(b"\xff" * (size // 5))
    store = Store(path)  # the first pages are fine: it opens
    with pytest.raises(StorageError) as caught, store.read() as s:
        s.execute(text("SELECT count(*), sum(length(name)) FROM customer")).one()
    store.close()
    assert caught.value.damaged
    assert damage_mark(path).exists()
    opened = open_replica(path)
    try:
        assert opened.set_aside is not None and opened.set_aside.exists()
        assert "damaged" in (opened.notice or "")
        assert opened.store.state().client_id == client_id
        assert opened.store.state().recovered_from == opened.set_aside.name
        assert not damage_mark(path).exists()
    finally:
        opened.store.close()


def test_a_file_that_is_not_a_database_and_was_never_bound_starts_afresh(
        tmp_path: Path) -> None:
    path = tmp_path / "replica.sqlite"
    path.write_bytes(b"not sqlite" * 500)
    opened = open_replica(path)
    try:
        assert opened.set_aside is not None
        assert opened.set_aside.read_bytes() == b"not sqlite" * 500
        assert "never connected to a server" in (opened.notice or "")
        assert opened.store.state().server_url is None
    finally:
        opened.store.close()


def test_a_busy_replica_is_not_mistaken_for_a_damaged_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from app import db

    path = tmp_path / "replica.sqlite"
    Store(path).close()
    monkeypatch.setattr(db, "PRAGMAS", tuple(
        "PRAGMA busy_timeout=50" if p.startswith("PRAGMA busy_timeout") else p
        for p in db.PRAGMAS))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as caught:
            open_replica(path)
        assert caught.value.reason == "busy"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not [p for p in tmp_path.iterdir() if "set-aside" in p.name]


def test_salvage_reads_a_file_whose_path_has_uri_characters(tmp_path: Path) -> None:
    import sqlite3

    from app.recovery import salvage

    folder = tmp_path / "Ünïcode 100% #1 ?x"
    folder.mkdir()
    path = folder / "replica.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, entity, row_id, op, fields, "
                 "base, created_at, urgent)")
    conn.execute("INSERT INTO outbox VALUES (7, 'job', 'j', 'upsert', '{}', '{}', 't', 0)")
    conn.commit()
    conn.close()
    assert [row["id"] for row in salvage(path).entries] == [7]
