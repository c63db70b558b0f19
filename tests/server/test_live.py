"""Live pokes over SSE, across two server processes on one PostgreSQL database, and
in-process on SQLite."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer
from tests.server.helpers import new_id


class EventReader:
    """Reads an SSE stream in a thread; lines land in ``lines``."""

    def __init__(self, url: str, token: str) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=30))
        self._url, self._token = url, token
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._client.stream("GET", self._url,
                                     headers={"Authorization": f"Bearer {self._token}"}) as r:
                self.lines.put(f"status {r.status_code}")
                for line in r.iter_lines():
                    if self._stop:
                        return
                    self.lines.put(line)
        except httpx.HTTPError:
            pass

    def wait_for(self, predicate: object, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(line):  # type: ignore[operator]
                return line
        raise AssertionError("the expected event did not arrive")

    def close(self) -> None:
        self._stop = True
        self._client.close()


def _heads(line: str) -> int | None:
    if line.startswith("data: "):
        return int(json.loads(line[6:])["head"])
    return None


def _push_customer(srv: LiveServer, token: str) -> int:
    client_id = new_id()
    r = httpx.post(f"{srv.api_url}/sync/push", headers={"Authorization": f"Bearer {token}"},
                   json={"client_id": client_id, "schema_version": 1, "mutations": [
                       {"id": 1, "entity": "customer", "row_id": new_id(), "op": "upsert",
                        "fields": {"name": "live"}, "base": {}}]}, timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["head"])


@pytest.fixture(scope="module")
def two_servers(pg_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    a = LiveServer(pg_url, keepalive=0.5)
    b = LiveServer(pg_url, seed=a.seed, keepalive=0.5)
    with a, b:
        yield a, b


def test_a_commit_through_one_process_pokes_clients_of_the_other(
        two_servers: tuple[LiveServer, LiveServer]) -> None:
    a, b = two_servers
    reader = EventReader(f"{b.api_url}/sync/events", b.login("clerk")["access_token"])
    try:
        assert reader.wait_for(lambda line: line.startswith("status")) == "status 200"
        reader.wait_for(lambda line: _heads(line) is not None)  # the poke on connect
        head = _push_customer(a, a.login("clerk")["access_token"])
        t0 = time.monotonic()
        reader.wait_for(lambda line: (_heads(line) or 0) >= head, timeout=5)
        assert time.monotonic() - t0 < 2.0
        reader.wait_for(lambda line: line == ": keepalive", timeout=3)
    finally:
        reader.close()


def test_events_need_a_token(two_servers: tuple[LiveServer, LiveServer]) -> None:
    r = httpx.get(f"{two_servers[0].api_url}/sync/events", timeout=5)
    assert r.status_code == 401 and r.json()["error"] == "not_authenticated"


def test_a_restarted_server_keeps_everything(two_servers: tuple[LiveServer, LiveServer]) -> None:
    a, _ = two_servers
    token = a.login("clerk")["access_token"]
    head = _push_customer(a, token)
    a.restart()
    r = httpx.get(f"{a.api_url}/sync/pull", headers={"Authorization": f"Bearer {token}"},
                  timeout=10)
    assert r.status_code == 200 and r.json()["head"] >= head


def test_sqlite_pokes_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    with LiveServer(url, keepalive=0.5) as srv:
        token = srv.login("clerk")["access_token"]
        reader = EventReader(f"{srv.api_url}/sync/events", token)
        try:
            reader.wait_for(lambda line: _heads(line) is not None)
            head = _push_customer(srv, token)
            reader.wait_for(lambda line: (_heads(line) or 0) >= head, timeout=5)
        finally:
            reader.close()


def test_no_secret_reaches_the_log(two_servers: tuple[LiveServer, LiveServer],
                                   pg_url: str) -> None:
    from server.db import Database, stored_secret

    a, _ = two_servers
    cred = a.users["clerk"]
    session = a.login("clerk")
    httpx.post(f"{a.api_url}/auth/login", json={"username": cred.username,
                                                "password": "wrong-password-123"}, timeout=10)
    httpx.post(f"{a.api_url}/auth/refresh", json={"refresh_token": session["refresh_token"]},
               timeout=10)
    httpx.get(f"{a.api_url}/sync/pull", timeout=10,
              headers={"Authorization": f"Bearer {session['access_token']}"})
    # A manager sets a PIN; a kiosk pulls its verifier; the PIN opens a session.
    manager = {"Authorization": f"Bearer {a.login('manager')['access_token']}"}
    r = httpx.put(f"{a.api_url}/technicians/{a.technician_id}/pin", json={"pin": "975318"},
                  headers=manager, timeout=10)
    assert r.status_code == 204, r.text
    kiosk = {"Authorization": f"Bearer {a.login('kiosk')['access_token']}"}
    pulled = httpx.get(f"{a.api_url}/sync/pull", headers=kiosk, timeout=10).json()
    verifiers = [c["row"]["verifier"] for c in pulled["changes"]
                 if c["entity"] == "technician_pin" and c["row"]]
    assert verifiers
    r = httpx.post(f"{a.api_url}/auth/pin", headers=kiosk, timeout=10,
                   json={"technician_id": a.technician_id, "pin": "975318"})
    assert r.status_code == 200
    db = Database.from_url(pg_url)
    secret = stored_secret(db)
    db.dispose()
    log = a.log_path.read_text(errors="replace")
    assert "POST /api/v1/auth/login" in log  # the access log is on, and it is this log
    for value in (cred.password, "wrong-password-123", session["access_token"],
                  session["refresh_token"], secret, "975318", *verifiers,
                  *(v.rsplit("$", 1)[1] for v in verifiers)):
        assert value and value not in log
