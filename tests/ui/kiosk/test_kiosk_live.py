"""The kiosk window against the real server on loopback (PostgreSQL), signed in as the
shop's kiosk device: a technician's PIN typed on the pad is checked by the server online
and by the kiosk's sealed verifier during an outage (wrong ones counted both ways); the
offline banner counts the clock-on waiting; a manager's password closes the kiosk, a
clerk's does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.db import Store
from app.ops import clock, customers, jobs, vehicles
from sync import account
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.settings import SyncSettings
from tests.live_server import LiveServer, ShopSeed, seed_shop
from tests.pg import database_fixture
from tests.sync.liveutil import Cable
from tests.ui.kiosk.helpers import StandInWork
from ui.desk.context import DeskContext
from ui.kiosk.window import KioskWindow
from ui.qt import QSettings, Qt

pytestmark = pytest.mark.postgres

FAST = SyncSettings().but(backoff_base=0.2, backoff_cap=1.0, network_retry_cap=1.0)

pg_database = database_fixture("bl_kiosk_ui", migrate=True)


@pytest.fixture(autouse=True)
def _plain_keyring(test_keyring: Any) -> None:
    """The kiosk's device secret (which seals the PIN verifiers) in a temporary keyring."""


@pytest.fixture
def seed(live_server: LiveServer, pg_database: str) -> ShopSeed:
    return seed_shop(pg_database, "Kiosk Garage", migrate=False)


@pytest.fixture
def kiosk(tmp_path: Path, live_server: LiveServer, seed: ShopSeed, qtbot: Any
          ) -> Iterator[tuple[KioskWindow, Cable]]:
    # the desk side made a job for the technician before the kiosk started
    manager = seed.users["manager"]
    desk = account.login(Store(tmp_path / "desk" / "replica.sqlite"), live_server.base_url,
                         manager.username, manager.password).store
    cust = desk.run(customers.create_customer, name="Ada Lovelace").result
    veh = desk.run(vehicles.create_vehicle, customer_id=cust, plate="CAFE 1", make="Honda",
                   model="Fit", year=2012).result
    desk.run(jobs.create_job, customer_id=cust, vehicle_id=veh, concern="brakes",
             status="queued")
    desk_engine = SyncEngine(desk, settings=FAST, token_store=TokenStore())
    desk_engine.sync_now()
    desk_engine.start()

    user = seed.users["kiosk"]
    store = account.login(Store(tmp_path / "kiosk" / "replica.sqlite"), live_server.base_url,
                          user.username, user.password).store
    cable = Cable()
    engine = SyncEngine(store, settings=FAST, transport=cable, token_store=TokenStore())
    ctx = DeskContext(store, engine,
                      settings=QSettings(str(tmp_path / "k.ini"), QSettings.Format.IniFormat))
    window = KioskWindow(ctx, kiosk_dir=tmp_path / "kiosk", work_factory=StandInWork)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    ctx.start()
    tech = seed.technician_id
    qtbot.waitUntil(lambda: any(t.technician_id == tech and t.has_pin for t in window.tiles),
                    timeout=30_000)
    qtbot.waitUntil(lambda: _a_job(store) is not None,
                    timeout=30_000)
    yield window, cable
    window.close_for_good()
    ctx.shutdown(wait=True)
    store.close()
    desk_engine.stop()
    desk.close()


def _a_job(store: Store) -> str | None:
    from sqlalchemy import select

    from app.models import Job

    with store.read() as s:
        return s.scalar(select(Job.id).where(Job.status == "queued").limit(1))


def _type(qtbot: Any, window: KioskWindow, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.pin_pad.keys["OK"], Qt.MouseButton.LeftButton)


def _tap_tile(qtbot: Any, window: KioskWindow, technician_id: str) -> None:
    qtbot.mouseClick(window.tiles_screen.buttons[technician_id], Qt.MouseButton.LeftButton)
    assert window.screen_name == "pin"


def test_pin_sign_in_online_then_offline_with_wrong_pins_counted_both_ways(
        kiosk: tuple[KioskWindow, Cable], seed: ShopSeed, qtbot: Any) -> None:
    window, cable = kiosk
    tech = seed.technician_id
    tech_user = seed.users["technician"]
    pin = tech_user.pin or ""
    wrong = "9" * len(pin) if pin != "9" * len(pin) else "1" * len(pin)

    _tap_tile(qtbot, window, tech)
    _type(qtbot, window, wrong)  # the server says no
    qtbot.waitUntil(lambda: "4 tries left" in window.pin_pad.message.text(), timeout=10_000)
    with qtbot.waitSignal(window.signed_in, timeout=10_000) as online:
        _type(qtbot, window, pin)
    assert online.args[0]["offline"] is False and online.args[0]["id"] == tech_user.user_id
    assert window.screen_name == "work"
    window.work.sign_out.emit()  # type: ignore[union-attr]
    assert window.screen_name == "tiles"

    cable.up = False  # the outage: the kiosk checks the PIN itself
    _tap_tile(qtbot, window, tech)
    _type(qtbot, window, wrong)
    qtbot.waitUntil(lambda: "4 tries left" in window.pin_pad.message.text(), timeout=10_000)
    assert window.pinlock.state(tech).failures == 1  # the right PIN online had cleared it
    with qtbot.waitSignal(window.signed_in, timeout=10_000) as offline:
        _type(qtbot, window, pin)
    user = offline.args[0]
    assert user["offline"] is True and user["id"] == tech_user.user_id

    # clocked on as the technician during the outage: the banner counts what waits
    job_id = _a_job(window.ctx.store)
    window.ctx.worker.write(clock.clock_on, tech, job_id, acting_user_id=user["id"])
    qtbot.waitUntil(lambda: window.banner.isVisible()
                    and "Offline" in window.banner.text()
                    and "waiting" in window.banner.text()
                    and not window.banner.text().startswith("Offline · 0 "), timeout=20_000)
    cable.up = True
    window.ctx.sync.sync_now()
    qtbot.waitUntil(window.banner.isHidden, timeout=20_000)
    qtbot.waitUntil(lambda: any(t.technician_id == tech and t.clocked_on
                                for t in window.tiles), timeout=10_000)


def test_a_managers_password_closes_the_kiosk_and_a_clerks_does_not(
        kiosk: tuple[KioskWindow, Cable], seed: ShopSeed, qtbot: Any) -> None:
    window, _ = kiosk
    assert window.close() is False and window.screen_name == "exit"
    panel = window.exit_panel
    clerk = seed.users["clerk"]
    qtbot.keyClicks(panel.username, clerk.username)
    qtbot.keyClicks(panel.password, clerk.password)
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Only a manager" in panel.message.text(), timeout=10_000)
    assert window.isVisible()
    manager = seed.users["manager"]
    panel.username.clear()
    qtbot.keyClicks(panel.username, manager.username)
    qtbot.keyClicks(panel.password, manager.password)
    with qtbot.waitSignal(window.exit_granted, timeout=10_000):
        qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
