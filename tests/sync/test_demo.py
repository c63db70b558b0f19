"""The demo shop really syncs: a demo server of its own process, replicas that join it.

The demo server runs as Bayline runs it (``main.py demo-server``, started by
``sync.demo.ensure_demo_server``) on a small demo shop made beforehand in a temporary
folder, so each test takes seconds; the full-size shop is the same code with more days.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import Store
from app.demo import DEMO_ACCOUNTS, DEMO_SHOP_NAME, demo_technician_accounts
from app.models import Job, Technician
from app.ops.jobs import move_status, update_job
from server.demo import create_demo_database, database_url, read_state
from sync import demo
from sync.engine import SyncEngine
from sync.settings import SyncSettings
from sync.status import Connection
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot, wait_until

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
#: Retries come quickly here, so "restarted → converged" takes a second, not fifteen.
FAST = SyncSettings(backoff_base=0.1, backoff_cap=0.5, network_retry_cap=0.5,
                    quiet_window=0.05, max_wait=0.3)


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A demo server folder holding a small demo shop; the server is stopped at the end."""
    folder = tmp_path / "demo-server"
    folder.mkdir()
    create_demo_database(folder / "server.sqlite", now=NOW, tz=UTC, history_days=14,
                         open_jobs=12)
    monkeypatch.setenv("BAYLINE_DEMO_DIR", str(folder))
    yield folder
    demo.stop_demo_server(folder)


def _open_job(store: Store, status: str) -> str:
    with store.read() as s:
        job_id = s.scalar(select(Job.id).where(Job.status == status).order_by(Job.number)
                          .limit(1))
    assert job_id is not None, f"the demo has no {status} job"
    return job_id


def _status(store: Store, job_id: str) -> str:
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job.status


def _engine(session: demo.DemoSession) -> SyncEngine:
    engine = session.engine(settings=FAST)
    engine.start()
    return engine


def test_the_demo_server_holds_the_demo_shop_with_its_accounts(demo_dir: Path) -> None:
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.models import RowIndex, Shop, User

    engine = make_engine(database_url(demo_dir))
    try:
        with Session(engine) as s:
            shop = s.scalars(select(Shop)).one()
            assert shop.name == DEMO_SHOP_NAME
            indexed = s.scalar(select(func.count()).select_from(RowIndex)) or 0
            assert shop.head == indexed > 1000  # every row has its own seq
            assert s.scalar(select(func.max(RowIndex.seq))) == shop.head
            roles = {u.username: u.role for u in s.scalars(select(User))}
            technicians = {name: "technician" for name, _tech, _pin
                           in demo_technician_accounts()}
            assert roles == {**{a.username: a.role for a in DEMO_ACCOUNTS.values()},
                             **technicians}  # each demo technician has a kiosk PIN
            assert all(u.pin_hash for u in s.scalars(select(User).where(
                User.role == "technician")))
    finally:
        engine.dispose()


def test_two_replicas_join_one_demo_server_and_converge(demo_dir: Path,
                                                        tmp_path: Path) -> None:
    server = demo.ensure_demo_server()
    assert server.started and server.url.startswith("http://127.0.0.1:")
    # A second window finds the running server instead of starting another.
    again = demo.ensure_demo_server()
    assert again.url == server.url and not again.started

    a = demo.join_demo(Store(tmp_path / "a" / "replica.sqlite"), server)
    b = demo.join_demo(Store(tmp_path / "b" / "replica.sqlite"), server)
    assert a.user["username"] == DEMO_ACCOUNTS["clerk"].username
    engines = [_engine(a), _engine(b)]
    try:
        for s in (a, b):
            wait_until(lambda s=s: s.store.state().last_sync_at is not None, 60,
                       what="the first sync")
        job = _open_job(a.store, "queued")
        engines[0].nudge(a.store.run(move_status, job, "in_progress"))
        wait_until(lambda: _status(b.store, job) == "in_progress", 10,
                   what="the move on A to reach B")
        wait_until(lambda: a.store.pending_count() == 0, 10, what="A's outbox to drain")
        server_rows = server_snapshot(database_url(demo_dir), a.store.state().shop_id)
        assert diff(replica_snapshot(a.store), server_rows) == []
        assert diff(replica_snapshot(b.store), server_rows) == []
    finally:
        for e in engines:
            e.stop()
        a.store.close()
        b.store.close()


def test_stopped_demo_server_means_offline_and_edits_kept_then_converged(
        demo_dir: Path, tmp_path: Path) -> None:
    server = demo.ensure_demo_server()
    a = demo.join_demo(Store(tmp_path / "a" / "replica.sqlite"), server)
    b = demo.join_demo(Store(tmp_path / "b" / "replica.sqlite"), server)
    engines = [_engine(a), _engine(b)]
    try:
        for s in (a, b):
            wait_until(lambda s=s: s.store.state().last_sync_at is not None, 60,
                       what="the first sync")
        assert demo.stop_demo_server(demo_dir)
        assert demo.running_demo_server(demo_dir) is None

        moved = _open_job(a.store, "queued")
        engines[0].nudge(a.store.run(move_status, moved, "in_progress"))
        edited = _open_job(b.store, "on_hold")
        engines[1].nudge(b.store.run(update_job, edited, concern="Rattle from the left "
                                                                  "rear, worse cold"))
        for e in engines:
            wait_until(lambda e=e: e.status.connection is Connection.OFFLINE, 10,
                       what="the engines to say Offline")
        # Both keep working on their own replica: the edits are there, waiting.
        assert _status(a.store, moved) == "in_progress" and a.store.pending_count() > 0
        assert b.store.pending_count() > 0

        restarted = demo.ensure_demo_server()
        assert restarted.url == server.url  # the same port: running replicas find it
        for s in (a, b):
            wait_until(lambda s=s: s.store.pending_count() == 0, 20,
                       what="the waiting edits to be pushed")
        wait_until(lambda: _status(b.store, moved) == "in_progress", 10,
                   what="A's move to reach B")
        server_rows = server_snapshot(database_url(demo_dir), a.store.state().shop_id)
        wait_until(lambda: not diff(replica_snapshot(a.store), server_rows)
                   and not diff(replica_snapshot(b.store), server_rows), 10,
                   what="both replicas to equal the server")
        assert server_rows["job"][edited]["concern"] == "Rattle from the left rear, worse cold"
    finally:
        for e in engines:
            e.stop()
        a.store.close()
        b.store.close()


def test_a_local_demo_of_an_older_version_is_set_aside_and_the_replica_joins(
        demo_dir: Path, tmp_path: Path) -> None:
    from app.demo import generate

    path = tmp_path / "old" / "replica.sqlite"
    old = Store(path)
    generate(old, now=NOW, tz=UTC, history_days=3, open_jobs=5)
    assert demo.wants_demo(old)
    session = demo.join_demo(old, demo.ensure_demo_server())
    try:
        assert session.set_aside is not None and session.set_aside.exists()
        assert session.store.path == path
        state = session.store.state()
        assert demo.is_demo_replica(state) and demo.wants_demo(session.store)
        with session.store.read() as s:  # empty until its first sync: nothing local kept
            assert s.scalar(select(func.count()).select_from(Technician)) == 0
    finally:
        session.store.close()


def test_a_real_shops_replica_never_joins_the_demo(demo_dir: Path, tmp_path: Path) -> None:
    from sync.errors import SyncError
    from sync.outbox import sync_state

    store = Store(tmp_path / "real" / "replica.sqlite")
    with store.write_session() as s:
        st = sync_state(s)
        st.server_url, st.username = "https://shop.example:8765", "ann"
    try:
        assert not demo.wants_demo(store)
        with pytest.raises(SyncError, match="belongs to the shop"):
            demo.join_demo(store)
        assert demo.running_demo_server(demo_dir) is None  # not even started for it
    finally:
        store.close()


def test_the_server_command_is_bayline_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path("C:/Users/clerk/AppData/Local/Bayline/demo-server")
    cmd = demo.server_command(folder)
    assert cmd[1].endswith("main.py") and cmd[2] == "demo-server"
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert demo.server_command(folder) == [sys.executable, "demo-server", "--demo-dir",
                                           str(folder)]


def test_a_second_demo_server_leaves_the_first_alone(demo_dir: Path) -> None:
    from server.demo import serve

    server = demo.ensure_demo_server()
    assert serve(demo_dir, idle_exit=None) == 0  # the lock is taken: returns at once
    assert read_state(demo_dir)["port"] == int(server.url.rsplit(":", 1)[1])
    assert demo.running_demo_server(demo_dir) is not None
