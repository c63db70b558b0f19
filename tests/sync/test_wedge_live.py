"""Against the real server: a conflict with a null side reaches every replica of the shop,
and a pulled row a replica cannot apply never stops it from syncing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Store
from app.models import Conflict
from app.ops import customers, jobs
from sync import account
from sync.credentials import TokenStore
from sync.syncer import Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import job, new_job
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

pytestmark = pytest.mark.postgres


class Desk:
    """A manager's replica driven synchronously through ``Syncer``."""

    def __init__(self, folder: Path, srv: LiveServer, shop: ShopSeed) -> None:
        user = shop.users["manager"]
        self.path = folder / "replica.sqlite"
        self.store = account.login(Store(self.path), srv.base_url, user.username,
                                   user.password, token_store=TokenStore()).store
        self.api = account.client_for(self.store, token_store=TokenStore())
        self.syncer = Syncer(self.store, self.api)

    def close(self) -> None:
        self.api.close()
        self.store.close()


@pytest.fixture
def desks(tmp_path: Path, live_server: LiveServer, shop: ShopSeed) -> Iterator[list[Desk]]:
    made = [Desk(tmp_path / name, live_server, shop) for name in ("x", "y")]
    yield made
    for d in made:
        d.close()


def _null_conflict(x: Desk, y: Desk, shop: ShopSeed) -> str:
    """Desk Y unassigns job J (T1 → none); desk X, offline, assigns it to T2 (base T1) and
    pushes: a conflict whose ``server_value`` is null. Returns J's id."""
    x.syncer.round()  # the shop's technicians
    t2 = x.store.run(customers.create_technician, name="Second Tech").result
    job_id, _ = new_job(x.store)
    x.store.run(jobs.assign, job_id, technician_id=shop.technician_id)
    x.syncer.round()
    y.syncer.round()
    assert job(y.store, job_id).technician_id == shop.technician_id
    y.store.run(jobs.assign, job_id, technician_id=None)
    y.syncer.round()
    x.store.run(jobs.assign, job_id, technician_id=t2)  # made offline, base T1
    x.syncer.push_all()
    return job_id


def test_a_conflict_with_a_null_server_value_reaches_every_replica(
        desks: list[Desk], shop: ShopSeed, pg_database: str) -> None:
    x, y = desks
    job_id = _null_conflict(x, y, shop)
    y.syncer.round()  # used to fail: NOT NULL constraint failed: conflict.server_value
    x.syncer.round()
    for d in desks:
        with d.store.read() as s:
            rows = s.scalars(select(Conflict).where(Conflict.row_id == job_id)).all()
        assert [(c.field, c.server_value) for c in rows] == [("technician_id", None)]
        assert job(d.store, job_id).technician_id is None
        assert not diff(replica_snapshot(d.store), server_snapshot(pg_database, shop.shop_id))


def test_cli_sync_pulls_a_conflict_with_a_null_side(
        desks: list[Desk], shop: ShopSeed, capsys: pytest.CaptureFixture[str],
        quiet_logging: None) -> None:
    import main

    x, y = desks
    _null_conflict(x, y, shop)
    y.close()
    code = main.main(["--data-dir", str(y.path.parent), "sync"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.startswith("Synced:")
