"""The engine: offline and back (liveness), status for the UI, kiosk PIN sessions,
the threaded mode with APScheduler."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import httpx

from app.db import Store
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


def test_pin_session_pushes_the_previous_work_first(make_replica: Replica,
                                                    make_engine: Engine,
                                                    fake: FakeServer) -> None:
    store = make_replica("kiosk")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    job_id, changes = new_job(store)
    engine.nudge(changes)  # not pushed yet: inside the quiet window

    def pin(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/pin"):
            fake.requests.append(request)
            body = fake.issue_tokens()
            body["user"].update(role="technician", technician_id="t1")
            return httpx.Response(200, json=body)
        return fake.handle(request)

    engine._api._http._transport = httpx.MockTransport(pin)  # type: ignore[union-attr]
    device_session = TokenStore().load(SERVER, "clerk")
    future = engine.pin_login("t1", "2468")
    engine.run_pending()
    assert future.result(timeout=1)["technician_id"] == "t1"
    fake.expire_access_tokens()  # the technician's session is refreshed...
    engine.pull_now()
    engine.advance(0.5)
    assert fake.refresh_calls == 1
    assert TokenStore().load(SERVER, "clerk") == device_session  # ...but never kept
    pushes = [i for i, r in enumerate(fake.requests) if r.url.path.endswith("/sync/push")]
    pins = [i for i, r in enumerate(fake.requests) if r.url.path.endswith("/auth/pin")]
    assert pushes and pins and pushes[-1] < pins[0]
    assert outbox(store) == []
    done = engine.end_pin_session()
    engine.run_pending()
    done.result(timeout=1)


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
