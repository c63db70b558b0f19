"""Against the real server on loopback (PostgreSQL): a change made on another replica
appears on both boards of a running desk, keeping its selection, scroll and focus; the
status bar goes offline when the server stops and comes back with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.db import Store
from app.ops import customers, jobs, vehicles
from sync import account
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.settings import SyncSettings
from tests.live_server import LiveServer, ShopSeed, seed_shop
from tests.pg import database_fixture
from ui.models.rows import ID_ROLE

pytestmark = pytest.mark.postgres

FAST = SyncSettings().but(backoff_base=0.2, backoff_cap=1.0, network_retry_cap=1.0)

pg_database = database_fixture("bl_ui", migrate=True)


@pytest.fixture(autouse=True)
def _plain_keyring(test_keyring: Any) -> None:
    """Every test here runs on ``test_keyring`` (tests/conftest.py)."""


@pytest.fixture
def seed(live_server: LiveServer, pg_database: str) -> ShopSeed:
    return seed_shop(pg_database, "UI Garage", migrate=False)


class Replica:
    def __init__(self, folder: Path, srv: LiveServer, seed: ShopSeed) -> None:
        user = seed.users["manager"]
        store = Store(folder / "replica.sqlite")
        self.store = account.login(store, srv.base_url, user.username, user.password).store
        self.engine = SyncEngine(self.store, settings=FAST, token_store=TokenStore())

    def run(self, op: Any, *args: Any, **kwargs: Any) -> Any:
        changes = self.store.run(op, *args, **kwargs)
        self.engine.nudge(changes)
        return changes.result


@pytest.fixture
def replicas(tmp_path: Path, live_server: LiveServer, seed: ShopSeed) -> Iterator[list[Replica]]:
    made = [Replica(tmp_path / name, live_server, seed) for name in ("other", "desk")]
    yield made
    for r in made:
        r.engine.stop()
        r.store.close()


def column_ids(view: Any) -> list[str]:
    m = view.model()
    return [m.index(r, 0).data(ID_ROLE) for r in range(m.rowCount())]


def test_a_change_from_another_replica_repaints_both_boards_keeping_selection_and_scroll(
        replicas: list[Replica], seed: ShopSeed, make_desk: Any, qtbot: Any) -> None:
    other, mine = replicas
    cust = other.run(customers.create_customer, name="Ada Lovelace")
    veh = other.run(vehicles.create_vehicle, customer_id=cust, plate="CAFE 123", make="Honda",
                    model="Accord", year=2003)
    promised = datetime.now(UTC) + timedelta(days=1)
    made = [other.run(jobs.create_job, customer_id=cust, vehicle_id=veh, concern=f"job {n}",
                      promised_at=promised + timedelta(minutes=n)) for n in range(40)]
    other.engine.start()
    window = make_desk(mine.engine, synchronous=False, on=mine.store)
    mine.engine.start()
    queued = window.queue_board.views["queued"]
    qtbot.waitUntil(lambda: len(column_ids(queued)) == 40, timeout=30_000)
    qtbot.waitUntil(lambda: window.sync_state.text().startswith("Online"), timeout=30_000)
    assert window.ctx.sync.status is not None and window.ctx.sync.status.live

    # the clerk is far down the queued column, on job 30, with the keyboard there
    chosen = made[30]
    assert queued.select_id(chosen)
    queued.setFocus()
    qtbot.waitUntil(queued.hasFocus)
    bar = queued.verticalScrollBar()
    assert bar.value() > 0
    top_before = queued.scroll_anchor()
    assert top_before is not None
    # meanwhile another device starts job 2 (above the clerk's view) for the technician
    moved = made[2]
    other.run(jobs.assign, moved, technician_id=seed.technician_id)
    other.run(jobs.move_status, moved, "in_progress")
    qtbot.waitUntil(lambda: moved in column_ids(window.queue_board.views["in_progress"]),
                    timeout=10_000)
    tech_col = window.tech_board.column(seed.technician_id)
    qtbot.waitUntil(lambda: moved in column_ids(tech_col.view), timeout=10_000)
    assert moved not in column_ids(queued)
    # the clerk's place is kept: same card selected, same card at the top, focus there
    assert queued.current_id() == chosen
    assert queued.selectionModel().isSelected(queued.currentIndex())
    assert queued.hasFocus()
    assert queued.scroll_anchor() == top_before
    assert window.queue_board.columns["queued"].count.text() == "39"


def test_status_bar_goes_offline_with_the_server_and_back(
        replicas: list[Replica], live_server: LiveServer, make_desk: Any, qtbot: Any) -> None:
    _, mine = replicas
    window = make_desk(mine.engine, synchronous=False, on=mine.store)
    mine.engine.start()
    words = window.sync_state
    qtbot.waitUntil(lambda: words.text().startswith("Online"), timeout=30_000)
    live_server.stop()
    try:
        # the window keeps working: a write goes through its worker and waits
        window.ctx.worker.write(customers.create_customer, name="Offline Customer")
        qtbot.waitUntil(lambda: words.text().startswith("Offline · 1 change waiting"),
                        timeout=30_000)
        assert words.property("severity") == "warn"
        qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
        assert "Live updates paused" in window.banner.label.text()
    finally:
        live_server.restart()
    qtbot.waitUntil(lambda: words.text().startswith("Online")
                    and "waiting" not in words.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=30_000)


def test_when_the_session_ends_the_clerk_signs_in_again_inside_the_window(
        replicas: list[Replica], live_server: LiveServer, seed: ShopSeed, make_desk: Any,
        qtbot: Any) -> None:
    from ui.desk.dialogs import SignInDialog
    from ui.qt import QDialogButtonBox

    _, mine = replicas
    window = make_desk(mine.engine, synchronous=False, on=mine.store)
    mine.engine.start()
    words = window.sync_state
    qtbot.waitUntil(lambda: words.text().startswith("Online"), timeout=30_000)
    user = seed.users["manager"]
    # the session is gone (revoked elsewhere, expired): the engine finds no tokens
    TokenStore().delete(live_server.base_url, user.username)
    mine.engine.relogin()
    qtbot.waitUntil(lambda: "signin" in window._dialogs, timeout=30_000)
    dialog = window._dialogs["signin"]
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert words.text().startswith("Session ended · sign in again")
    assert dialog.username.text() == user.username
    dialog.password.setText("wrong password")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled() and dialog.message.text() not in
                    ("", "Signing in…"), timeout=30_000)
    assert dialog.isVisible()  # a wrong password is said in the dialog; it stays open
    dialog.password.setText(user.password)
    with qtbot.waitSignal(dialog.signed_in, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: words.text().startswith("Online"), timeout=30_000)
    assert TokenStore().load(live_server.base_url, user.username) is not None
