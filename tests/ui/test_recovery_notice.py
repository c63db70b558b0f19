"""A replica found damaged at start is rebuilt (``app.recovery``); the window says so in
words a clerk understands: what happened, what became of their work, where the old file is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

import main
from app import identity
from app.db import Store
from ui.desk.statusbar import recovery_words
from ui.qt import QApplication


def _damage(path: Path) -> None:
    path.write_bytes(b"this is not a database " * 400)


def test_a_rebuilt_replica_is_explained_in_the_window(tmp_path: Path, make_desk: Any) -> None:
    tmp_path = tmp_path / "desk"  # the fixtures' own replica is in tmp_path
    tmp_path.mkdir()
    Store(tmp_path / "replica.sqlite").close()
    _damage(tmp_path / "replica.sqlite")
    opened = main.open_recovered(tmp_path)  # as ``python main.py`` opens it
    store = opened.store
    try:
        window = make_desk(on=store, recovered=opened)  # as run_desk hands it down
        bar = window.recovery
        assert bar.isVisibleTo(window)
        words = bar.label.text()
        aside = opened.set_aside
        assert aside is not None and aside.exists() and aside.parent == tmp_path
        assert "damaged" in words and str(aside) in words
        assert "Nothing was deleted" in words and "never synced" in words
        jargon = words.replace(str(aside), "")
        assert "SQLite" not in jargon and "replica" not in jargon  # no jargon for a clerk
        assert bar.details == opened.notice
        bar.copy.click()
        assert str(aside) in QApplication.clipboard().text()
        bar.dismiss.click()
        assert not bar.isVisibleTo(window)
    finally:
        store.close()


def test_a_rebuilt_replica_of_a_server_says_nothing_was_lost(tmp_path: Path,
                                                             make_desk: Any) -> None:
    tmp_path = tmp_path / "desk"
    tmp_path.mkdir()
    path = tmp_path / "replica.sqlite"
    first = Store(path)
    with first.write_session() as s:
        s.execute(text("UPDATE sync_state SET server_url = 'https://shop.test', "
                       "username = 'clerk' WHERE id = 1"))
    identity.remember(first)
    first.close()
    _damage(path)
    opened = main.open_recovered(tmp_path)
    store = opened.store
    try:
        window = make_desk(on=store, recovered=opened)
        words = window.recovery.label.text()
        assert window.recovery.isVisibleTo(window)
        assert "Nothing was lost" in words and "copied again from the server" in words
        assert "damaged file is kept at" in words
    finally:
        store.close()


def test_a_healthy_replica_shows_no_notice(make_desk: Any) -> None:
    window = make_desk()
    assert not window.recovery.isVisibleTo(window)


def test_recovery_words_count_the_changes_kept() -> None:
    aside = Path("C:/Bayline/replica.sqlite.damaged-20261201T080000Z")
    assert "The 3 changes not yet sent from this computer were kept" in recovery_words(
        aside, 3, "https://shop.test")
    assert "The 1 change not yet sent" in recovery_words(aside, 1, "https://shop.test")
    assert "not yet sent" not in recovery_words(aside, 0, "https://shop.test")
