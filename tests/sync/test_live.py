"""Against the real server on loopback with PostgreSQL: replicas editing the same jobs
online and offline, converging; pokes; the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import Store
from app.ops import jobs
from sync import account
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.settings import SyncSettings
from sync.syncer import Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import edit, job, new_job, outbox, outcomes
from tests.sync.liveutil import Cable, diff, replica_snapshot, server_snapshot, wait_until

pytestmark = pytest.mark.postgres

FAST = SyncSettings().but(backoff_base=0.2, backoff_cap=2.0, network_retry_cap=1.0)


class Device:
    """A replica with its threaded engine (live pokes on) behind a pullable cable."""

    def __init__(self, folder: Path, srv: LiveServer, shop: ShopSeed, role: str = "manager",
                 settings: SyncSettings = FAST) -> None:
        user = shop.users[role]
        self.cable = Cable()
        store = Store(folder / "replica.sqlite")
        self.store = account.login(store, srv.base_url, user.username, user.password).store
        self.engine = SyncEngine(self.store, settings=settings, transport=self.cable,
                                 token_store=TokenStore())
        self.engine.start()

    def idle(self) -> bool:
        s = self.engine.status
        return s.pending == 0 and not outbox(self.store) and s.connection.value == "online"

    def close(self) -> None:
        self.engine.stop()
        self.store.close()


@pytest.fixture
def devices(tmp_path: Path, live_server: LiveServer, shop: ShopSeed) -> Iterator[list[Device]]:
    made = [Device(tmp_path / name, live_server, shop) for name in ("a", "b", "c")]
    yield made
    for d in made:
        d.close()


def head_of(pg: str, shop_id: str) -> int:
    from sqlalchemy import create_engine, select

    from server.models import Shop

    engine = create_engine(pg)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(Shop.head).where(Shop.id == shop_id)).scalar_one())
    finally:
        engine.dispose()


def converged(devs: list[Device], pg: str, shop_id: str) -> bool:
    head = head_of(pg, shop_id)
    if not all(d.idle() and d.store.state().cursor >= head for d in devs):
        return False
    server = server_snapshot(pg, shop_id)
    return all(not diff(replica_snapshot(d.store), server) for d in devs)


def assert_converged(devs: list[Device], pg: str, shop_id: str, timeout: float = 30) -> None:
    try:
        wait_until(lambda: converged(devs, pg, shop_id), timeout=timeout, interval=0.2,
                   what="convergence")
    except AssertionError:
        server = server_snapshot(pg, shop_id)
        for d in devs:
            print(d.store.path, d.engine.status, diff(replica_snapshot(d.store), server)[:5])
        raise


def test_two_replicas_online_see_each_others_edits_through_pokes(
        devices: list[Device], pg_database: str, shop: ShopSeed) -> None:
    a, b = devices[:2]
    job_id, changes = new_job(a.store)
    a.engine.nudge(changes)
    wait_until(lambda: _has_job(b.store, job_id), timeout=10, what="the job on B")
    assert job(b.store, job_id).number == "1"
    wait_until(lambda: job(a.store, job_id).number == "1", timeout=5, what="A's final number")
    # A status move (urgent) on B shows on A well within a second or two.
    b.engine.nudge(b.store.run(jobs.move_status, job_id, "in_progress"))
    took = wait_until(lambda: job(a.store, job_id).status == "in_progress", timeout=10,
                      what="the move on A")
    assert took < 2.0
    a.engine.nudge(edit(a.store, job_id, concern="rattle at 50 km/h"))
    wait_until(lambda: job(b.store, job_id).concern == "rattle at 50 km/h", timeout=10)
    assert_converged(devices, pg_database, shop.shop_id)


def _has_job(store: Store, job_id: str) -> bool:
    from app.models import Job

    with store.read() as s:
        return s.get(Job, job_id) is not None


def test_three_replicas_edit_the_same_jobs_offline_and_converge(
        devices: list[Device], pg_database: str, shop: ShopSeed) -> None:
    a, b, c = devices
    ids = []
    for i in range(3):
        job_id, changes = new_job(a.store, concern=f"job {i}")
        a.engine.nudge(changes)
        ids.append(job_id)
    assert_converged(devices, pg_database, shop.shop_id)
    for d in devices:
        d.cable.up = False
    # Offline: everyone edits the same jobs; two move the same job differently.
    for n, d in enumerate(devices):
        for i, job_id in enumerate(ids):
            d.engine.nudge(edit(d.store, job_id, concern=f"{d.store.path.parent.name} {i}",
                                priority=n))
    a.engine.nudge(a.store.run(jobs.move_status, ids[0], "in_progress"))
    b.engine.nudge(b.store.run(jobs.move_status, ids[0], "on_hold", hold_reason="parts"))
    c.engine.nudge(c.store.run(jobs.move_status, ids[1], "cancelled"))
    wait_until(lambda: all(d.engine.status.connection.value == "offline" for d in devices),
               timeout=10, what="all offline")
    assert all(d.engine.status.pending > 0 for d in devices)
    for d in (c, b, a):  # back online, in some order
        d.cable.up = True
    assert_converged(devices, pg_database, shop.shop_id, timeout=40)
    # Each guarded move that lost shows as a conflict to the one who made it.
    moved = [job(d.store, ids[0]).status for d in devices]
    assert len(set(moved)) == 1
    losers = [d for d in (a, b) if any(o.status == "conflict" for o in outcomes(d.store))]
    assert len(losers) == 1
    assert losers[0].engine.status.open_conflicts == 1


def test_a_replica_restarted_in_the_middle_of_a_push_converges(
        tmp_path: Path, live_server: LiveServer, shop: ShopSeed, pg_database: str) -> None:
    a = Device(tmp_path / "a", live_server, shop)
    path = a.store.path
    job_id, changes = new_job(a.store)
    for i in range(200):
        edit(a.store, job_id, concern=f"edit {i}")
    a.engine.nudge(changes)
    a.close()  # stop at once: a push may be in flight or its answer lost
    again = Store(path)
    try:
        api = account.client_for(again, token_store=TokenStore())
        Syncer(again, api).round()
        api.close()
        assert outbox(again) == []
        assert not diff(replica_snapshot(again), server_snapshot(pg_database, shop.shop_id))
    finally:
        again.close()


# --- the command line -------------------------------------------------------------------

def run_cli(data_dir: Path, env: dict[str, str], *args: str,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args],
                          cwd=Path(__file__).resolve().parents[2], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "xdg")}


def test_cli_login_sync_status_logout(tmp_path: Path, live_server: LiveServer,
                                      shop: ShopSeed, cli_env: dict[str, str],
                                      pg_database: str) -> None:
    user = shop.users["clerk"]
    data = tmp_path / "desk"
    r = run_cli(data, cli_env, "status", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["server"] is None
    r = run_cli(data, cli_env, "login", "--server", live_server.base_url, "--username",
                user.username, "--password-stdin", stdin="wrong\n")
    assert r.returncode == 3 and "not right" in r.stderr
    r = run_cli(data, cli_env, "login", "--server", live_server.base_url, "--username",
                user.username, "--password-stdin", stdin=user.password + "\n")
    assert r.returncode == 0, r.stderr
    store = Store(data / "replica.sqlite")
    new_job(store)  # work typed at the desk
    store.close()
    r = run_cli(data, cli_env, "sync")
    assert r.returncode == 0, r.stderr
    assert "3 change(s) sent" in r.stdout
    r = run_cli(data, cli_env, "status", "--json")
    facts = json.loads(r.stdout)
    assert facts["server"] == live_server.base_url and facts["user"] == user.username
    assert facts["changes_waiting"] == 0 and facts["cursor"] > 0 and facts["last_sync_at"]
    assert facts["open_conflicts"] == 0 and facts["client_id"]
    r = run_cli(data, cli_env, "status")
    assert "Changes waiting" in r.stdout and live_server.base_url in r.stdout
    # No token anywhere in the data folder.
    kr_file = next((tmp_path / "xdg").rglob("*.cfg"))
    assert "Bayline" in kr_file.read_text()
    r = run_cli(data, cli_env, "logout")
    assert r.returncode == 0 and "Logged out" in r.stdout
    r = run_cli(data, cli_env, "sync")
    assert r.returncode == 3 and "log in" in r.stderr.lower()


def test_cli_refuses_to_merge_a_demo_replica(tmp_path: Path, live_server: LiveServer,
                                             shop: ShopSeed, cli_env: dict[str, str]) -> None:
    user = shop.users["clerk"]
    data = tmp_path / "demo"
    store = Store(data / "replica.sqlite")
    new_job(store)  # a replica with rows that never saw a server
    store.close()
    login = ("login", "--server", live_server.base_url, "--username", user.username,
             "--password-stdin")
    r = run_cli(data, cli_env, *login, stdin=user.password + "\n")
    assert r.returncode == 7 and "--fresh" in r.stderr
    r = run_cli(data, cli_env, *login, "--fresh", stdin=user.password + "\n")
    assert r.returncode == 0, r.stderr
    assert "set aside" in r.stdout
    assert len(list(data.glob("replica-set-aside-*.sqlite"))) == 1
    r = run_cli(data, cli_env, "sync", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["pushed"] == 0  # nothing of the demo went to the server


def test_kiosk_pin_session_moves_the_technicians_job(tmp_path: Path, live_server: LiveServer,
                                                     shop: ShopSeed, pg_database: str) -> None:
    from app.ops import clock
    from sync.errors import ErrorKind, SyncError

    desk = Device(tmp_path / "desk", live_server, shop, role="manager")
    kiosk = Device(tmp_path / "kiosk", live_server, shop, role="kiosk")
    try:
        tech = shop.technician_id
        job_id, changes = new_job(desk.store)
        desk.engine.nudge(changes)
        desk.engine.nudge(desk.store.run(jobs.assign, job_id, technician_id=tech))
        wait_until(lambda: _has_job(kiosk.store, job_id)
                   and job(kiosk.store, job_id).technician_id == tech, timeout=15,
                   what="the assigned job on the kiosk")
        wrong = kiosk.engine.pin_login(tech, "0000")
        try:
            wrong.result(timeout=10)
            raise AssertionError("a wrong PIN opened a session")
        except SyncError as exc:
            assert exc.kind is ErrorKind.AUTH and "PIN" in exc.message
        user = kiosk.engine.pin_login(tech, shop.users["technician"].pin or "").result(10)
        assert user["role"] == "technician" and user["technician_id"] == tech
        assert user["offline"] is False
        acting = user["id"]
        kiosk.engine.nudge(kiosk.store.run(clock.clock_on, tech, job_id, acting_user_id=acting))
        kiosk.engine.nudge(kiosk.store.run(jobs.move_status, job_id, "in_progress",
                                           acting_user_id=acting))
        wait_until(lambda: job(desk.store, job_id).status == "in_progress", timeout=15,
                   what="the move on the desk")
        kiosk.engine.end_pin_session().result(10)
        assert outcomes(kiosk.store) == []  # everything was allowed to the technician
        assert_converged([desk, kiosk], pg_database, shop.shop_id)
    finally:
        desk.close()
        kiosk.close()
