"""Against the real server: a replica file that is damaged is set aside (renamed, never
deleted) and a fresh replica syncs from the server under the same client id; what can be
read of the old outbox is re-sent, and what the server already has is not applied twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from app import identity
from app.db import Store
from app.recovery import open_replica
from sync import account
from sync.credentials import TokenStore
from sync.errors import SyncError
from sync.quarantine import quarantined_count
from sync.syncer import Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import edit, new_job, outbox
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

pytestmark = pytest.mark.postgres


class Wire(httpx.BaseTransport):
    """The real transport; records pushed mutation ids; can lose a push's answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose_push_answer = False
        self.pushed: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path.endswith("/sync/push"):
            body = request.content
            if request.headers.get("content-encoding") == "gzip":
                import gzip

                body = gzip.decompress(body)
            self.pushed.extend(int(m["id"]) for m in json.loads(body)["mutations"])
        response = self.inner.handle_request(request)
        if self.lose_push_answer and request.url.path.endswith("/sync/push"):
            response.read()
            response.close()
            raise httpx.ReadError("the answer was lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def syncer(store: Store, wire: Wire) -> Syncer:
    return Syncer(store, account.client_for(store, token_store=TokenStore(), transport=wire))


def damage(path: Path) -> None:
    """Break the file's schema (as a bad sector in its first pages would): SQLite refuses to
    open it ("malformed database schema"), while the outbox's own pages are intact."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_customer_board ON customer(('"
                 " WHERE name = 'ix_customer_board'")
    conn.close()


def server_lmid(pg: str, client_id: str) -> int:
    from server.models import Client

    engine = create_engine(pg)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(Client.last_mutation_id)
                                    .where(Client.id == client_id)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("unsent", [False, True], ids=["all-sent", "with-unsent"])
def test_a_damaged_replica_is_rebuilt_under_the_same_client_id(
        tmp_path: Path, live_server: LiveServer, shop: ShopSeed, pg_database: str,
        unsent: bool) -> None:
    user = shop.users["manager"]
    path = tmp_path / "a" / "replica.sqlite"
    a = account.login(Store(path), live_server.base_url, user.username, user.password,
                      token_store=TokenStore()).store
    b = account.login(Store(tmp_path / "b" / "replica.sqlite"), live_server.base_url,
                      user.username, user.password, token_store=TokenStore()).store
    wire_a, wire_b = Wire(), Wire()
    sa, sb = syncer(a, wire_a), syncer(b, wire_b)
    job_id, _ = new_job(a)
    sa.round()
    sb.round()
    client_id = a.state().client_id
    assert identity.read(path) is not None and identity.read(path).client_id == client_id  # type: ignore[union-attr]
    # A's next two edits reach the server, but their answer is lost: still in A's outbox.
    edit(a, job_id, concern="mine")
    edit(a, job_id, priority=2)
    wire_a.lose_push_answer = True
    with pytest.raises(SyncError):
        sa.push_all()
    wire_a.lose_push_answer = False
    first_lost, last_lost = (e.id for e in outbox(a))
    lmid = server_lmid(pg_database, client_id)
    assert lmid == last_lost
    # Meanwhile B changes the same field; the server keeps B's value.
    edit(b, job_id, concern="theirs")
    sb.round()
    if unsent:
        edit(a, job_id, customer_waiting=True)  # made offline, never sent
    sa.api.close()
    a.close()
    # The disk goes bad: the last pushed entry cannot be read, nor the file be opened.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM outbox WHERE id = ?", (last_lost,))
    conn.close()
    damage(path)

    opened = open_replica(path)
    a = opened.store
    try:
        assert opened.set_aside is not None and opened.set_aside.exists()  # never deleted
        assert opened.notice is not None and "set aside" in opened.notice
        assert a.state().client_id == client_id  # the same client id, from the id file
        assert opened.salvaged == (2 if unsent else 1)
        wire_a.pushed.clear()
        sa = syncer(a, wire_a)
        sa.round()
        sa.api.close()
        # Nothing at or below the server's LMID went out again, and nothing was applied
        # twice: B's later concern stands (re-sending "mine" would have overwritten it).
        assert all(mid > lmid for mid in wire_a.pushed), wire_a.pushed
        server = server_snapshot(pg_database, shop.shop_id)
        assert server["job"][job_id]["concern"] == "theirs"
        assert server["job"][job_id]["priority"] == 2
        assert server["job"][job_id]["customer_waiting"] is unsent
        assert server_lmid(pg_database, client_id) == (lmid + 1 if unsent else lmid)
        assert outbox(a) == [] and quarantined_count(a) == 0
        assert a.state().recovered_from is None
        assert not diff(replica_snapshot(a), server)
    finally:
        a.close()
        b.close()
        sb.api.close()
