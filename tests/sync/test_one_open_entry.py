"""At most one open job entry per technician across devices: a kiosk and the front desk,
both offline, clock the same technician on two different jobs; after both sync, the
server and both replicas agree on one open job entry (the later start), and the earlier
entry ends at the later start (``server.sync.apply._one_open_clock``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.db import Store
from app.models import TimeEntry
from app.ops import clock, jobs
from app.timeclock import is_effective
from sync import account
from sync.credentials import TokenStore
from sync.syncer import Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import new_job, outcomes
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

pytestmark = pytest.mark.postgres


class Replica:
    """A replica of the shop driven synchronously through ``Syncer`` (no engine thread, so
    it is offline exactly until the test syncs it)."""

    def __init__(self, folder: Path, srv: LiveServer, shop: ShopSeed, role: str) -> None:
        user = shop.users[role]
        self.store = account.login(Store(folder / "replica.sqlite"), srv.base_url,
                                   user.username, user.password,
                                   token_store=TokenStore()).store
        self.api = account.client_for(self.store, token_store=TokenStore())
        self.syncer = Syncer(self.store, self.api)

    def open_job_entries(self, technician_id: str) -> list[tuple[str | None, str]]:
        """(job id, entry id) of the technician's open job entries, by the same rule as
        ``app.ops.clock.open_entry`` (which returns only the latest of them)."""
        with self.store.read() as s:
            rows = s.scalars(select(TimeEntry).where(
                TimeEntry.technician_id == technician_id, TimeEntry.kind == "job",
                TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None),
                is_effective(TimeEntry))).all()
            return sorted((r.job_id, r.id) for r in rows)

    def open_entry_id(self, technician_id: str) -> str | None:
        """The app's own answer: ``clock.open_entry`` inside a writer (nothing written)."""
        with self.store.write() as w:
            found = clock.open_entry(w, technician_id, "job")
            return None if found is None else found.id

    def close(self) -> None:
        self.api.close()
        self.store.close()


def _server_open_job_entries(pg: str, shop_id: str, technician_id: str) -> list[tuple[str, str]]:
    from server.models import TimeEntry as ServerEntry

    engine = create_engine(pg)
    try:
        with Session(engine) as s:
            rows = s.scalars(select(ServerEntry).where(
                ServerEntry.shop_id == shop_id, ServerEntry.technician_id == technician_id,
                ServerEntry.kind == "job", ServerEntry.ended_at.is_(None),
                ServerEntry.deleted_at.is_(None), is_effective(ServerEntry))).all()
            return sorted((str(r.job_id), str(r.id)) for r in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("first_to_push", ["earlier", "later"])
def test_two_devices_clock_one_technician_on_two_jobs_offline_and_agree_on_one(
        tmp_path: Path, live_server: LiveServer, shop: ShopSeed, pg_database: str,
        first_to_push: str) -> None:
    tech = shop.technician_id
    acting = shop.users["technician"].user_id
    desk = Replica(tmp_path / "desk", live_server, shop, "manager")
    kiosk = Replica(tmp_path / "kiosk", live_server, shop, "kiosk")
    try:
        desk.syncer.round()
        job_a, _ = new_job(desk.store, "brakes")
        job_b, _ = new_job(desk.store, "noise")
        for job_id in (job_a, job_b):
            desk.store.run(jobs.assign, job_id, technician_id=tech)
        desk.syncer.round()
        kiosk.syncer.round()
        assert outcomes(desk.store) == outcomes(kiosk.store) == []

        # Both offline: the kiosk clocks the technician on A, then the desk on B.
        kiosk_entry = kiosk.store.run(clock.clock_on, tech, job_a, acting_user_id=acting).result
        time.sleep(0.01)  # two distinct starts, the desk's the later
        desk_entry = desk.store.run(clock.clock_on, tech, job_b).result
        assert kiosk.open_job_entries(tech) == [(job_a, kiosk_entry)]
        assert desk.open_job_entries(tech) == [(job_b, desk_entry)]

        order = [kiosk, desk] if first_to_push == "earlier" else [desk, kiosk]
        for replica in order:
            replica.syncer.round()
        for replica in order:  # a final pull: each sees what the other pushed
            replica.syncer.round()

        assert outcomes(desk.store) == outcomes(kiosk.store) == []  # nothing refused
        # The server: one open job entry, the later start's.
        assert _server_open_job_entries(pg_database, shop.shop_id, tech) == [(job_b, desk_entry)]
        # Both replicas: the same one, by the app's own query too.
        for replica in (desk, kiosk):
            assert replica.open_job_entries(tech) == [(job_b, desk_entry)], replica.store.path
            assert replica.open_entry_id(tech) == desk_entry
        # The earlier entry ends where the later one starts, on every side.
        with desk.store.read() as s:
            earlier, later = s.get(TimeEntry, kiosk_entry), s.get(TimeEntry, desk_entry)
            assert earlier is not None and later is not None
            assert earlier.ended_at == later.started_at
        server = server_snapshot(pg_database, shop.shop_id)
        for replica in (desk, kiosk):
            assert diff(replica_snapshot(replica.store), server) == [], replica.store.path
    finally:
        desk.close()
        kiosk.close()
