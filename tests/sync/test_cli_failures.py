"""Every failure of a command ends with its documented exit code and words, never a raw
traceback; ``status`` reports what was set aside and what could not be applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import main
from app import db
from app.db import Store
from sync.syncer import Syncer
from tests.sync.fakeserver import FakeServer

Replica = Callable[[str], Store]


@pytest.fixture(autouse=True)
def _logging(quiet_logging: None) -> None:
    pass


def test_a_bug_during_sync_ends_with_code_1_and_words(
        make_replica: Replica, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_replica("desk")
    folder = store.path.parent
    store.close()

    def boom(self: Syncer) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(Syncer, "round", boom)
    code = main.main(["--data-dir", str(folder), "sync"])
    err = capsys.readouterr().err
    assert code == 1
    assert "unexpected error" in err and "RuntimeError" in err and "Traceback" not in err
    assert "Traceback" in (folder / "logs" / "cli.log").read_text(encoding="utf-8")


def test_a_locked_replica_ends_with_code_8_and_words(
        make_replica: Replica, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PRAGMAS", tuple(
        "PRAGMA busy_timeout=50" if p.startswith("PRAGMA busy_timeout") else p
        for p in db.PRAGMAS))
    store = make_replica("desk")
    folder = store.path.parent
    store.close()
    other = sqlite3.connect(folder / "replica.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        code = main.main(["--data-dir", str(folder), "sync"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert code == 8, err
    assert "busy" in err and "Traceback" not in err


def test_status_of_a_file_that_is_not_a_database_sets_it_aside_and_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "replica.sqlite").write_bytes(b"PK\x03\x04 a zip file, not a database" * 100)
    code = main.main(["--data-dir", str(folder), "status"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "not a Bayline database" in out.err and "set aside as" in out.err
    aside = [p for p in folder.iterdir() if "set-aside" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"PK")  # kept, not deleted
    assert "Client id" in out.out


def test_status_lists_what_could_not_be_applied(
        make_replica: Replica, fake: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.sync.test_quarantine import apply, change, job_row, page, poison

    store = make_replica("desk")
    poison(store)
    apply(store, page(change("job", job_row("7d7d7d7d-0000-4000-8000-000000000001",
                                            "poison"))))
    folder = store.path.parent
    store.close()
    code = main.main(["--data-dir", str(folder), "status"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 change from the server could not be applied" in out
    assert "Not applied: job 7d7d7d7d-0000-4000-8000-000000000001" in out
    assert "poisoned job" in out
