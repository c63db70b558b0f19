"""A kiosk against the real server on PostgreSQL: two technicians sign in with their PINs
during one outage (checked on the kiosk), work, and their edits go up later, each
attributed to the right technician on the server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.models import TechnicianPin
from app.ops import clock, jobs, notes
from sync.credentials import TokenStore
from sync.errors import SyncError
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import job, new_job, outcomes
from tests.sync.liveutil import wait_until
from tests.sync.test_live import Device, _has_job, assert_converged

pytestmark = pytest.mark.postgres


def _second_technician(shop: ShopSeed) -> tuple[str, str, str]:
    """Another technician of the shop with PIN 1357: (user id, technician id, PIN)."""
    from server import admin
    from server.db import make_engine

    engine = make_engine(shop.database_url)
    try:
        made = admin.create_user(engine, shop_id=shop.shop_id, username=f"t2-{shop.shop_id[:8]}",
                                 password="pw-second-tech", role="technician", pin="1357",
                                 display_name="Second Tech")
    finally:
        engine.dispose()
    assert made.technician_id is not None
    return made.id, made.technician_id, "1357"


def _server_rows(pg: str, model: type, **where: str) -> list:  # type: ignore[type-arg]
    engine = create_engine(pg)
    try:
        with Session(engine) as s:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return list(s.scalars(query))
    finally:
        engine.dispose()


def test_two_technicians_edits_in_one_outage_are_theirs_on_the_server(
        tmp_path: Path, live_server: LiveServer, shop: ShopSeed, pg_database: str) -> None:
    from server.models import Note, StatusEvent, TimeEntry

    user_b, tech_b, pin_b = _second_technician(shop)
    tech_a, user_a = shop.technician_id, shop.users["technician"].user_id
    pin_a = shop.users["technician"].pin or ""
    desk = Device(tmp_path / "desk", live_server, shop, role="manager")
    kiosk = Device(tmp_path / "kiosk", live_server, shop, role="kiosk")
    try:
        job_a, changes = new_job(desk.store, "brakes")
        desk.engine.nudge(changes)
        job_b, changes = new_job(desk.store, "noise")
        desk.engine.nudge(changes)
        desk.engine.nudge(desk.store.run(jobs.assign, job_a, technician_id=tech_a))
        desk.engine.nudge(desk.store.run(jobs.assign, job_b, technician_id=tech_b))

        def ready() -> bool:
            with kiosk.store.read() as s:
                pins = s.scalars(select(TechnicianPin)).all()
            return (len(pins) == 2 and _has_job(kiosk.store, job_a) and _has_job(kiosk.store, job_b)
                    and job(kiosk.store, job_b).technician_id == tech_b)
        wait_until(ready, timeout=20, what="jobs and PIN verifiers on the kiosk")
        with kiosk.store.read() as s:
            sealed = {p.user_id: p.verifier for p in s.scalars(select(TechnicianPin))}
        assert all(v and v.startswith("bls1:") for v in sealed.values())

        kiosk.cable.up = False  # the outage
        first = kiosk.engine.pin_login(tech_a, pin_a).result(10)
        assert first["offline"] is True and first["id"] == user_a
        for op, args in ((clock.clock_on, (tech_a, job_a)),
                         (jobs.move_status, (job_a, "in_progress")),
                         (notes.add_note, (job_a, "pads at 2 mm"))):
            kiosk.engine.nudge(kiosk.store.run(op, *args, acting_user_id=first["id"]))
        kiosk.engine.end_pin_session()
        with pytest.raises(SyncError):
            kiosk.engine.pin_login(tech_b, pin_a).result(10)  # A's PIN is not B's
        second = kiosk.engine.pin_login(tech_b, pin_b).result(10)
        assert second["offline"] is True and second["id"] == user_b
        for op, args in ((clock.clock_on, (tech_b, job_b)),
                         (jobs.move_status, (job_b, "in_progress")),
                         (notes.add_note, (job_b, "belt squeals"))):
            kiosk.engine.nudge(kiosk.store.run(op, *args, acting_user_id=second["id"]))
        time.sleep(1.0)
        assert kiosk.engine.status.pending >= 8  # nothing went up during the outage

        kiosk.cable.up = True  # hours later, as far as the server knows
        kiosk.engine.sync_now()
        assert_converged([desk, kiosk], pg_database, shop.shop_id, timeout=30)
        assert outcomes(kiosk.store) == []  # every edit was allowed to its technician
        for tech, job_id, body in ((tech_a, job_a, "pads at 2 mm"), (tech_b, job_b, "belt squeals")):
            events = _server_rows(pg_database, StatusEvent, job_id=job_id)
            moved = [e for e in events if e.to_status == "in_progress"]
            assert [e.by_id for e in moved] == [tech], job_id
            found = _server_rows(pg_database, Note, job_id=job_id)
            assert [(n.body, n.author_id) for n in found] == [(body, tech)]
            entries = _server_rows(pg_database, TimeEntry, job_id=job_id)
            assert [e.technician_id for e in entries] == [tech]
        assert job(desk.store, job_a).status == job(desk.store, job_b).status == "in_progress"
        # The device secret that seals the verifiers lives in the keyring, not the replica.
        state = kiosk.store.state()
        assert TokenStore().device_secret(state.server_url or "", state.client_id, create=False)
    finally:
        desk.close()
        kiosk.close()
