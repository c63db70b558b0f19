"""Every SQLite failure of the disk or the file leaves ``app/`` as ``StorageError`` with
words a person can act on; a bug stays a bug. Renames retry while Windows holds the file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db, fsutil
from app.db import Store
from app.errors import StorageError
from app.ops import customers


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 50 ms instead of 10 s, so a held lock shows at once."""
    monkeypatch.setattr(db, "PRAGMAS", tuple(
        "PRAGMA busy_timeout=50" if p.startswith("PRAGMA busy_timeout") else p
        for p in db.PRAGMAS))


def test_a_write_while_another_process_holds_the_lock_is_a_storage_error(
        impatient: None, tmp_path: Path) -> None:
    store = Store(tmp_path / "replica.sqlite")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # The BEGIN IMMEDIATE itself is where the lock shows: it used to escape the wrapper
        # as SQLAlchemy's OperationalError.
        with pytest.raises(StorageError) as caught:
            store.run(customers.create_customer, name="Ada")
        assert caught.value.reason == "busy"
        assert "busy" in caught.value.message and str(store.path) in caught.value.message
        assert not caught.value.damaged
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.run(customers.create_customer, name="Ada")  # and it works once the lock is gone
    store.close()


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "replica.sqlite"
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    with pytest.raises(StorageError) as caught:
        Store(path)
    assert caught.value.reason == "not_a_database" and caught.value.damaged
    assert "not a Bayline database" in caught.value.message


def test_a_full_disk_is_a_storage_error(store: Store) -> None:
    with store.engine.connect() as conn:  # SQLite's own "disk full": a page limit
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    with pytest.raises(StorageError) as caught, store.write_session() as s:
        s.execute(text(f"PRAGMA max_page_count = {pages}"))
        for i in range(2000):
            s.execute(text("INSERT INTO outbox (entity, row_id, op, fields, base, created_at, "
                           "urgent) VALUES ('customer', :i, 'upsert', :f, '{}', "
                           "'2026-12-01 00:00:00.000000', 0)"), {"i": str(i), "f": "x" * 2000})
    assert caught.value.reason == "full" and "full" in caught.value.message
    assert store.pending_count() == 0  # nothing of the failed transaction was kept


def test_a_bug_is_not_mistaken_for_a_storage_fault(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    with pytest.raises(IntegrityError), store.write_session() as s:
        s.execute(text("INSERT INTO sync_state (id) VALUES (1)"))
    with pytest.raises(OperationalError), store.read() as s:
        s.execute(text("SELECT * FROM no_such_table"))


def test_a_read_only_replica_is_a_storage_error(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root may write a read-only file")
    store = Store(tmp_path / "replica.sqlite")
    store.close()
    os.chmod(store.path, 0o444)
    try:
        with pytest.raises(StorageError) as caught:
            Store(store.path).run(customers.create_customer, name="Ada")
        assert caught.value.reason == "permission"
    finally:
        os.chmod(store.path, 0o644)


# --- renaming on Windows --------------------------------------------------------------------

def held_open(monkeypatch: pytest.MonkeyPatch, times: int) -> list[tuple[str, str]]:
    """``os.replace`` fails ``times`` times as Windows does while another process holds the
    file open (``PermissionError``, WinError 32), then works."""
    calls: list[tuple[str, str]] = []
    real = os.replace

    def replace(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) <= times:
            raise PermissionError(13, "The process cannot access the file because it is "
                                      "being used by another process", str(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_a_rename_is_retried_while_the_file_is_held_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_text("x")
    calls = held_open(monkeypatch, times=3)
    slept: list[float] = []
    fsutil.replace_with_retry(src, dst, sleep=slept.append)
    assert dst.read_text() == "x" and not src.exists()
    assert len(calls) == 4 and len(slept) == 3


def test_a_rename_that_never_succeeds_says_so_plainly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "replica.sqlite"
    src.write_text("x")
    held_open(monkeypatch, times=10**6)
    slept: list[float] = []
    with pytest.raises(StorageError) as caught:
        fsutil.replace_with_retry(src, tmp_path / "b", sleep=slept.append, attempts=5)
    assert caught.value.reason == "busy"
    assert "another program has it open" in caught.value.message
    assert str(src) in caught.value.message
    assert len(slept) == 4 and src.exists()
