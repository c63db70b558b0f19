"""The engine: offline and back (liveness), status for the UI, kiosk PIN sessions,
the threaded mode with APScheduler."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from app.db import Store
from app.ops import notes
from sync.clock import FakeClock
from sync.credentials import TokenStore
from sync.engine import SyncEngine, _Work
from sync.settings import SyncSettings
from sync.status import Connection, SyncStatus
from tests.sync.conftest import SERVER
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import edit, new_job, outbox

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


class Switch(httpx.BaseTransport):
    """A network cable: when pulled, every request fails to connect."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.up = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("network is unreachable", request=request)
        return self.inner.handle_request(request)


def test_offline_then_back_pushes_within_20_seconds(make_replica: Replica,
                                                    fake: FakeServer,
                                                    clock: FakeClock) -> None:
    store = make_replica("a")
    cable = Switch(fake.transport())
    engine = SyncEngine(store, clock=clock, transport=cable, synchronous=True, live=False,
                        rng=random.Random(5), token_store=TokenStore())
    statuses: list[SyncStatus] = []
    engine.add_status_listener(statuses.append)
    engine.start()
    engine.advance(1.0)
    job_id, changes = new_job(store)
    cable.up = False
    engine.nudge(changes)
    for i in range(36):
        engine.nudge(edit(store, job_id, concern=f"offline {i}"))
        engine.advance(0.5)
    engine.advance(600, step=1.0)  # ten minutes without a network
    assert engine.status.connection is Connection.OFFLINE
    assert engine.status.summary() == "Offline — 39 changes waiting"
    cable.up = True
    back = clock.monotonic()
    while outbox(store):
        engine.advance(0.25)
        assert clock.monotonic() - back <= 20.0, "liveness: pushed within 20 s"
    assert engine.status.connection is Connection.ONLINE
    assert engine.status.pending == 0 and engine.status.last_sync_at is not None
    assert fake.live("job")[job_id]["concern"] == "offline 35"
    kinds = [s.connection for s in statuses]
    assert Connection.OFFLINE in kinds and kinds[-1] is Connection.ONLINE


def test_pull_fallback_timer_pulls_without_pokes(make_replica: Replica, make_engine: Engine,
                                                 fake: FakeServer) -> None:
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    pulls = fake.count("/sync/pull")
    engine.advance(59.0)
    assert fake.count("/sync/pull") == pulls
    engine.advance(1.5)
    assert fake.count("/sync/pull") == pulls + 1


def test_pokes_pull_only_when_the_head_moved(make_replica: Replica, make_engine: Engine,
                                             fake: FakeServer) -> None:
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    pulls = fake.count("/sync/pull")
    engine._put(_Work("poke", head=0))
    engine.run_pending()
    assert fake.count("/sync/pull") == pulls
    fake.put_row("customer", {"id": "00000000-0000-4000-8000-000000000009", "name": "New"})
    engine._put(_Work("poke", head=fake.head))
    engine.run_pending()
    assert fake.count("/sync/pull") == pulls + 1


TECH, TECH_USER = "00000000-0000-4000-8000-000000000071", "00000000-0000-4000-8000-000000000081"


def _kiosk_with_a_pin(make_replica: Replica, make_engine: Engine, fake: FakeServer,
                      pin: str = "2468") -> tuple[Store, SyncEngine, str]:
    """A kiosk replica that has pulled a technician and their PIN verifier."""
    from argon2 import PasswordHasher

    verifier = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(pin)
    fake.put_row("technician", {"id": TECH, "name": "Grace", "skills": [], "color": "#000000",
                                "daily_capacity_minutes": 480, "active": True})
    fake.put_row("technician_pin", {"id": TECH_USER, "user_id": TECH_USER,
                                    "technician_id": TECH, "verifier": verifier})
    store = make_replica("kiosk")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    return store, engine, verifier


def test_a_kiosk_stores_pin_verifiers_only_sealed_with_its_device_secret(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    from app.models import TechnicianPin

    store, engine, verifier = _kiosk_with_a_pin(make_replica, make_engine, fake)
    with store.read() as s:
        row = s.get(TechnicianPin, TECH_USER)
        assert row is not None and row.verifier is not None
        assert row.verifier.startswith("bls1:") and verifier not in row.verifier
    raw_hash = verifier.rsplit("$", 1)[1]
    store.close()
    for path in store.path.parent.glob("replica.sqlite*"):
        assert raw_hash.encode() not in path.read_bytes(), path
    assert TokenStore().device_secret(SERVER, store.state().client_id, create=False)


def test_a_pin_is_checked_online_without_leaving_the_device_session(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    store, engine, _ = _kiosk_with_a_pin(make_replica, make_engine, fake)
    revoked: list[str] = []

    def pin(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/pin"):
            body = fake.issue_tokens()
            body["user"].update(id=TECH_USER, role="technician", technician_id=TECH)
            return httpx.Response(200, json=body)
        if request.url.path.endswith("/auth/logout"):
            revoked.append(FakeServer._body(request)["refresh_token"])
            return httpx.Response(204)
        return fake.handle(request)

    assert engine.api is not None
    device_tokens = engine.api.tokens
    engine.api._http._transport = httpx.MockTransport(pin)
    user = engine.pin_login(TECH, "2468").result(timeout=1)
    assert (user["id"], user["technician_id"], user["offline"]) == (TECH_USER, TECH, False)
    assert engine.api.tokens == device_tokens  # the kiosk keeps pushing as itself
    assert len(revoked) == 1  # the PIN session lived only to check the PIN
    # Work done for the technician carries them to the server, as an acting user.
    job_id, changes = new_job(store)
    engine.nudge(store.run(notes.add_note, job_id, "worn pads", acting_user_id=TECH_USER))
    engine.nudge(changes)
    engine.sync_now()
    engine.advance(1.0)
    assert outbox(store) == []
    pushed = [m for m in fake.pushed if m["entity"] == "note"]
    assert pushed and pushed[0]["acting_user_id"] == TECH_USER
    assert all("acting_user_id" not in m for m in fake.pushed if m["entity"] != "note")


def test_a_pin_is_checked_on_the_kiosk_when_the_server_cannot_be_reached(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    from sync.errors import ErrorKind, SyncError

    store, engine, _ = _kiosk_with_a_pin(make_replica, make_engine, fake)
    assert engine.api is not None
    cable = Switch(fake.transport())
    engine.api._http._transport = cable
    cable.up = False
    user = engine.pin_login(TECH, "2468").result(timeout=5)
    assert (user["id"], user["technician_id"], user["offline"]) == (TECH_USER, TECH, True)
    try:
        engine.pin_login(TECH, "2469").result(timeout=5)
        raise AssertionError("a wrong PIN was accepted offline")
    except SyncError as exc:
        assert exc.kind is ErrorKind.AUTH and "PIN" in exc.message
    # A technician this kiosk has no verifier of cannot sign in offline; it is not a
    # wrong PIN (the kiosk's lockout must not count it).
    try:
        engine.pin_login("00000000-0000-4000-8000-000000000099", "2468").result(timeout=5)
        raise AssertionError("a technician without a verifier signed in offline")
    except SyncError as exc:
        assert exc.kind is ErrorKind.NETWORK and "no PIN" in exc.message
    # A server that answers decides, even when the PIN would pass offline.
    cable.up = True
    fake.fail("/auth/pin", status=401, body={"error": "invalid_credentials",
                                             "detail": "The technician or PIN is wrong."})
    try:
        engine.pin_login(TECH, "2468").result(timeout=5)
        raise AssertionError("the server's refusal was overridden offline")
    except SyncError as exc:
        assert exc.kind is ErrorKind.AUTH


def test_the_status_warns_when_the_clock_is_more_than_two_minutes_off() -> None:
    assert SyncStatus(clock_skew=119.0).clock_warning is None
    assert SyncStatus(connection=Connection.ONLINE, clock_skew=-90.0).summary() == "Up to date"
    ahead = SyncStatus(connection=Connection.ONLINE, clock_skew=7 * 60 + 5)
    assert "7 minutes ahead of the server's" in ahead.summary()
    behind = SyncStatus(connection=Connection.ONLINE, clock_skew=-3 * 3600)
    assert "3 hours behind" in (behind.clock_warning or "")


def test_the_engine_reports_the_skew_the_server_measured(make_replica: Replica,
                                                         make_engine: Engine,
                                                         fake: FakeServer) -> None:
    store = make_replica("a")
    engine = make_engine(store)

    def skewed(request: httpx.Request) -> httpx.Response:
        resp = fake.handle(request)
        if request.url.path.endswith("/sync/push"):
            body = FakeServer._body(request)
            assert body["device_time"]  # the device's clock goes with each push
            answer = resp.json()
            answer.update(server_time="2026-11-27T07:50:00Z", clock_skew_seconds=600.0)
            return httpx.Response(200, json=answer)
        return resp

    engine.start()
    assert engine.api is not None
    engine.api._http._transport = httpx.MockTransport(skewed)
    _, changes = new_job(store)
    engine.nudge(changes)
    engine.advance(6.0)
    assert engine.status.clock_skew == 600.0
    assert "10 minutes ahead" in engine.status.summary()


def test_threaded_engine_pushes_and_reports(make_replica: Replica, fake: FakeServer) -> None:
    """The real threads and APScheduler, on a fake server: a nudge reaches the server."""
    store = make_replica("a")
    settings = SyncSettings().but(quiet_window=0.05, max_wait=0.2)
    engine = SyncEngine(store, settings=settings, transport=fake.transport(), live=False,
                        token_store=TokenStore())
    seen = threading.Event()
    engine.add_status_listener(lambda s: seen.set() if s.pending == 0 and s.last_sync_at
                               else None)
    engine.start()
    try:
        job_id, changes = new_job(store)
        engine.nudge(changes)
        deadline = time.monotonic() + 5
        while outbox(store) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert outbox(store) == []
        assert seen.wait(5)
        assert job_id in fake.live("job")
        names = {t.name for t in threading.enumerate()}
        assert "bayline-sync" in names
    finally:
        engine.stop()
    assert "bayline-sync" not in {t.name for t in threading.enumerate()}


def test_a_replica_that_is_not_logged_in_works_alone_until_login(
        tmp_path: object, fake: FakeServer, clock: FakeClock) -> None:
    from pathlib import Path

    from sync import account

    store = Store(Path(str(tmp_path)) / "alone" / "replica.sqlite")
    try:
        engine = SyncEngine(store, clock=clock, transport=fake.transport(), synchronous=True,
                            live=False, token_store=TokenStore())
        engine.start()
        assert engine.status.connection is Connection.SIGNED_OUT
        assert "Not connected" in engine.status.summary()
        assert fake.requests == []
        account.login(store, "https://bayline.test", "clerk", "secret",
                      transport=fake.transport())
        job_id, changes = new_job(store)
        engine.relogin()
        engine.advance(1.0)
        assert engine.status.connection is Connection.ONLINE
        assert job_id in fake.live("job") and outbox(store) == []
        engine.stop()
    finally:
        store.close()


def test_pin_login_never_builds_the_api_client_and_needs_the_engines(
        make_replica: Replica, make_engine: Engine, fake: FakeServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the engine thread makes and closes the client (``relogin`` closes it): the PIN
    thread takes what the engine made, or says it is not connected yet."""
    from sync import account
    from sync.errors import ErrorKind, SyncError

    store = make_replica("kiosk")
    engine = make_engine(store)
    built: list[str] = []
    real = account.client_for

    def counting(*args: object, **kw: object) -> object:
        built.append(threading.current_thread().name)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(account, "client_for", counting)
    with pytest.raises(SyncError) as caught:
        engine.pin_login(TECH, "2468").result(timeout=5)  # before the engine made one
    assert caught.value.kind is ErrorKind.AUTH
    assert built == []
    engine.start()
    engine.advance(1.0)
    assert len(built) == 1 and engine.api is not None
    made = engine.api
    engine.relogin()  # queued for the engine thread: the PIN check still uses the old one
    engine.api._http._transport = httpx.MockTransport(  # type: ignore[union-attr]
        lambda r: httpx.Response(401, json={"error": "invalid_credentials", "detail": "no"}))
    with pytest.raises(SyncError):
        engine.pin_login(TECH, "0000").result(timeout=5)
    assert len(built) == 1 and engine.api is made
    engine.run_pending()
    assert len(built) == 2 and engine.api is not made


def test_a_pin_checked_with_a_client_relogin_just_closed_is_checked_offline(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    """The PIN thread took the client, then the engine thread closed it (``relogin``):
    httpx's "client has been closed" is a network failure, not a crash."""
    store, engine, _ = _kiosk_with_a_pin(make_replica, make_engine, fake)
    assert engine.api is not None
    engine.api.close()
    user = engine.pin_login(TECH, "2468").result(timeout=5)
    assert (user["id"], user["offline"]) == (TECH_USER, True)


def test_start_is_cheap_and_retries_the_quarantine_on_the_engine_thread(
        make_replica: Replica, fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk calls ``start`` from the UI: the quarantine retry (a write) runs as the
    engine thread's first work, and the rows it applied are announced so views repaint."""
    from app.changes import Changes
    from sync import engine as engine_module
    from sync.replica import Applied

    store = make_replica("a")
    ran_on: list[str] = []

    def retry_held(s: Store) -> Applied:
        assert s is store
        ran_on.append(threading.current_thread().name)
        applied = Applied()
        applied.rows["job"].add("held-job")
        return applied

    monkeypatch.setattr(engine_module, "retry_held", retry_held)
    engine = SyncEngine(store, transport=fake.transport(), live=False, token_store=TokenStore())
    announced = threading.Event()
    seen: list[Changes] = []

    def on_changes(changes: Changes) -> None:
        seen.append(changes)
        announced.set()

    engine.add_changes_listener(on_changes)
    engine.start()
    try:
        assert announced.wait(5)
        assert ran_on == ["bayline-sync"]
        assert seen[0].rows == {"job": frozenset({"held-job"})}
    finally:
        engine.stop()


def test_a_poke_during_a_server_error_backoff_retries_at_once(make_replica: Replica,
                                                               make_engine: Engine,
                                                               fake: FakeServer,
                                                               clock: FakeClock) -> None:
    """DESIGN.md, "Offline": the engine backs off and retries "on reconnect, on a poke and
    on a timer". A poke of the live stream (``pull_now``) proves the server is up again, so
    a device in a long backoff after a 503 pushes and pulls now, not when the backoff ends
    (the convergence machine's stored failure: a device left at head - 1 for 26 s)."""
    store = make_replica("a")
    engine = make_engine(store, backoff_base=30.0)  # the first failure waits 22.5-30 s
    engine.start()
    engine.advance(1.0)
    job_id, changes = new_job(store)
    fake.fail("/sync/push", 503)
    engine.nudge(changes)
    engine.advance(1.0)
    assert engine.status.error_kind is not None and engine.status.retry_at is not None
    assert outbox(store)  # the new job waits for the retry
    fake.put_row("customer", {"id": "00000000-0000-4000-8000-00000000000a", "name": "Theirs"})
    pushes, pulls = fake.count("/sync/push"), fake.count("/sync/pull")
    engine.pull_now()  # the poke: the server's head moved
    engine.run_pending()
    assert fake.count("/sync/push") == pushes + 1 and fake.count("/sync/pull") >= pulls + 1
    assert outbox(store) == [] and job_id in fake.live("job")
    assert store.state().cursor == fake.head
    assert engine.status.connection is Connection.ONLINE
    assert engine.status.retry_at is None and engine.status.last_error is None


def test_a_poke_keeps_the_wait_the_server_asked_for(make_replica: Replica, make_engine: Engine,
                                                   fake: FakeServer, clock: FakeClock) -> None:
    """A busy server's ``Retry-After`` is kept through pokes: only a wait of our own
    backoff is cut short by one."""
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    _job_id, changes = new_job(store)
    fake.fail("/sync/push", 429, headers={"Retry-After": "20"})
    engine.nudge(changes)
    engine.advance(1.0)
    assert engine.status.retry_at is not None
    pushes = fake.count("/sync/push")
    engine.pull_now()
    engine.run_pending()
    assert fake.count("/sync/push") == pushes and outbox(store)  # still waiting, as asked
    engine.advance(25.0)
    assert outbox(store) == [] and fake.count("/sync/push") == pushes + 1
