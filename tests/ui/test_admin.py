"""The manager's administration: technicians, bays, the shop settings and time-entry
corrections on the replica (messages beside the fields, from the domain's own rules);
users and PINs against the real server on loopback; the lock after inactivity and
"Switch user" (the previous person's waiting changes go up in their name first)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.db import Store
from app.models import Bay, ShopSettings, Technician, TimeEntry
from app.ops import clock, customers
from app.queries import admin as admin_q
from sync.status import Connection, SyncStatus
from tests.ui.helpers import FakeEngine, Shop
from tests.ui.test_roles_ui import sign_in_as
from ui.desk.admin import AdminDialog
from ui.models.table import RowTableModel
from ui.qt import QApplication, QKeySequence, Qt


def admin(window: Any, tab: str) -> AdminDialog:
    dialog = window.show_admin(tab)
    assert isinstance(dialog, AdminDialog)
    return dialog


def technician(store: Store, tech_id: str) -> Technician:
    with store.read() as s:
        row = s.get(Technician, tech_id)
        assert row is not None
        return row


# --- replica parts ----------------------------------------------------------------------

def test_a_manager_edits_a_technician_with_messages_beside_bad_fields(
        shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "manager")
    window = make_desk()
    tab = admin(window, "technicians").technicians
    grace = shop.techs["Grace Hopper"]
    assert tab.select_id(grace)
    assert tab.name.text() == "Grace Hopper"
    tab.capacity.setText("2000")
    tab.color.setText("red")
    tab.save_button.click()
    assert tab.form.message("daily_capacity_minutes") == ("Daily capacity is between 0 and "
                                                          "1,440 minutes.")
    assert tab.form.message("color") != ""
    assert technician(store, grace).daily_capacity_minutes == 480  # nothing written
    tab.capacity.setText("360")
    tab.color.setText("#3366cc")
    tab.skills.setText("brakes, diagnostics")
    tab.active.setChecked(False)
    tab.save_button.click()
    assert tab.form.message("daily_capacity_minutes") == ""
    row = technician(store, grace)
    assert (row.daily_capacity_minutes, row.color, row.skills, row.active) == (
        360, "#3366cc", ["brakes", "diagnostics"], False)
    assert "saved" in tab.status.text()
    # a new one, from the same form
    tab.new_button.click()
    tab.name.setText("   ")
    tab.save_button.click()
    assert tab.form.message("name") == "A technician needs a name."
    tab.name.setText("Margaret Hamilton")
    tab.save_button.click()
    assert any(r.name == "Margaret Hamilton" for r in tab.model._rows)


def test_a_manager_renames_a_bay(shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "manager")
    window = make_desk()
    tab = admin(window, "bays").bays
    bay = shop.bays["Bay 2"]
    assert tab.select_id(bay)
    tab.name.setText("")
    tab.save_button.click()
    assert tab.form.message("name") == "A bay needs a name."
    tab.name.setText("Alignment rack")
    tab.kind.setText("alignment")
    tab.save_button.click()
    with store.read() as s:
        row = s.get(Bay, bay)
        assert row is not None and (row.name, row.kind) == ("Alignment rack", "alignment")
    assert [r.name for r in tab.model._rows] == ["Alignment rack", "Bay 1"]


def test_shop_settings_say_what_is_wrong_beside_the_field(
        shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "manager")
    window = make_desk()
    tab = admin(window, "settings").settings
    assert tab.tax_rate.text() == "0"
    tab.tax_rate.setText("250")
    tab.kiosk_timeout.setText("5")
    tab.approval.setText("soon")
    tab.save_button.click()
    assert tab.form.message("tax_rate_bp") == "The tax rate is between 0 and 100 %."
    assert tab.form.message("kiosk_timeout_seconds") == ("The kiosk timeout (seconds) is "
                                                         "between 15 and 3,600.")
    assert tab.form.message("approval_notice_minutes") == "Type a whole number."
    with store.read() as s:
        assert s.get(ShopSettings, sync_shop(store)) is None  # nothing written
    tab.tax_rate.setText("8.25")
    tab.kiosk_timeout.setText("90")
    tab.approval.setText("30")
    tab.taxable["part"].setChecked(True)
    tab.header_name.setText("  Lovelace Motors ")
    tab.rounding.setCurrentIndex(tab.rounding.findData(5))
    tab.save_button.click()
    assert tab.form.message("tax_rate_bp") == ""
    with store.read() as s:
        row = s.get(ShopSettings, sync_shop(store))
        assert row is not None
        assert (row.tax_rate_bp, row.kiosk_timeout_seconds, row.approval_notice_minutes,
                row.taxable_kinds, row.header_name, row.rounding_cents) == (
            825, 90, 30, ["part"], "Lovelace Motors", 5)


def test_the_shop_time_zone_is_chosen_and_a_bad_one_is_named_beside_it(
        shop: Shop, store: Store, make_desk: Any, qtbot: Any) -> None:
    sign_in_as(store, "manager")
    window = make_desk()
    tab = admin(window, "settings").settings
    zone = tab.time_zone
    assert zone.currentText() == "" and zone.lineEdit().placeholderText() == (
        "This computer's zone")
    assert zone.findText("Europe/Berlin") > 0 and zone.findText("America/New_York") > 0
    # typed wrong: the message shows as the field is left, and again on Save; nothing written
    zone.setFocus()
    zone.lineEdit().selectAll()
    qtbot.keyClicks(zone.lineEdit(), "Europe/Berln")
    zone.lineEdit().editingFinished.emit()
    message = "Unknown time zone 'Europe/Berln': use a name like Europe/Berlin."
    assert tab.form.message("time_zone") == message
    assert tab.form.messages["time_zone"].isVisibleTo(tab)
    tab.save_button.click()
    assert tab.form.message("time_zone") == message
    with store.read() as s:
        assert s.get(ShopSettings, sync_shop(store)) is None
    # put right: the message goes and the zone is saved
    zone.setCurrentText("Europe/Berlin")
    zone.lineEdit().editingFinished.emit()
    assert tab.form.message("time_zone") == ""
    tab.save_button.click()
    assert tab.form.message("time_zone") == ""
    with store.read() as s:
        row = s.get(ShopSettings, sync_shop(store))
        assert row is not None and row.time_zone == "Europe/Berlin"
    tab.reload()
    qtbot.waitUntil(lambda: tab.loaded is not None and tab.loaded.time_zone == "Europe/Berlin")
    assert zone.currentText() == "Europe/Berlin"


def sync_shop(store: Store) -> str:
    return store.state().shop_id


def test_a_time_entry_is_corrected_with_a_reason(shop: Shop, store: Store,
                                                 make_desk: Any) -> None:
    grace = shop.techs["Grace Hopper"]
    entry = store.run(clock.clock_on, grace, shop.jobs["queued"]).result
    store.run(clock.clock_off, grace)
    sign_in_as(store, "manager")
    window = make_desk()
    tab = admin(window, "time").time
    assert tab.select_id(entry)
    started = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    tab.started.setDateTime(tab.started.dateTime().fromSecsSinceEpoch(int(started.timestamp())))
    tab.ended.setDateTime(tab.ended.dateTime().fromSecsSinceEpoch(
        int((started + timedelta(minutes=95)).timestamp())))
    tab.still_open.setChecked(False)
    tab.save_button.click()
    assert tab.form.message("reason") == "Say why the time is corrected."
    tab.reason.setText("Forgot to clock on at the start")
    tab.save_button.click()
    assert tab.form.message("reason") == ""
    with store.read() as s:
        fix = s.query(TimeEntry).filter(TimeEntry.corrects_id == entry).one()
        assert fix.reason == "Forgot to clock on at the start"
        assert (fix.ended_at - fix.started_at) == timedelta(minutes=95)
    shown = [r for r in tab.model._rows if r.technician_id == grace and r.kind == "job"]
    assert len(shown) == 1 and shown[0].corrected  # the correction counts, not the original
    # the domain's own refusals land beside their field
    assert tab.select_id(shown[0].id)
    tab.ended.setDateTime(tab.started.dateTime().addSecs(-60))
    tab.reason.setText("typo")
    tab.save_button.click()
    assert tab.form.message("ended_at") == "The end must be after the start."


def test_a_clerk_cannot_correct_time_and_is_told_why(shop: Shop, store: Store,
                                                     make_desk: Any) -> None:
    sign_in_as(store, "clerk")
    window = make_desk()
    dialog = admin(window, "time")
    assert not dialog.time.save_button.isEnabled()
    assert dialog.time.save_button.toolTip() == "A clerk cannot add time entries."
    assert not dialog.technicians.save_button.isEnabled()
    assert dialog.technicians.save_button.toolTip() == "A clerk cannot change technicians."


def test_the_table_model_passes_the_model_tester(shop: Shop, store: Store,
                                                 qtmodeltester: Any) -> None:
    model = RowTableModel([("Name", lambda r: r.name), ("Active", lambda r: r.active)],
                          key=lambda r: r.id)
    with store.read() as s:
        rows = admin_q.technicians(s)
    model.set_rows(rows)
    qtmodeltester.check(model)
    model.set_rows(rows[:1])
    model.set_rows(tuple(reversed(rows)))
    changed = rows[0].__class__(**{**rows[0].__dict__, "name": "Renamed"})
    model.set_rows((changed, *rows[1:]))
    assert model.index(0, 0).data() == "Renamed"
    qtmodeltester.check(model)


def test_offline_the_users_tab_says_the_server_is_needed(shop: Shop, store: Store,
                                                         make_desk: Any) -> None:
    sign_in_as(store, "admin", server="http://127.0.0.1:9")
    engine = FakeEngine(status=SyncStatus(connection=Connection.OFFLINE))
    window = make_desk(engine)
    window.ctx.sync.publish_status(engine.status)
    dialog = admin(window, "users")
    assert dialog.users.notice.isVisible()
    assert "server cannot be reached" in dialog.users.notice.text()
    assert not dialog.users.save_button.isEnabled()
    assert not dialog.technicians.set_pin_button.isEnabled()
    # the replica's parts still work
    assert dialog.technicians.new_button.isEnabled()


def test_a_manager_is_told_users_are_an_admins(shop: Shop, store: Store,
                                               make_desk: Any) -> None:
    sign_in_as(store, "manager", server="http://127.0.0.1:9")
    engine = FakeEngine(status=SyncStatus(connection=Connection.ONLINE))
    window = make_desk(engine)
    window.ctx.sync.publish_status(engine.status)
    dialog = admin(window, "users")
    assert dialog.users.notice.text() == "Only an admin manages users."
    assert not dialog.users.save_button.isEnabled()
    dialog.technicians.select_id(shop.techs["Grace Hopper"])
    assert dialog.technicians.set_pin_button.isEnabled()  # PINs are a manager's


# --- the lock and the switch, with a fake engine ------------------------------------------

@dataclass
class DeskEngine(FakeEngine):
    """``FakeEngine`` with the engine's unlock and switch (answered at once)."""

    passwords: dict[str, str] = field(default_factory=dict)
    store: Store | None = None
    asked: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, username: str, password: str) -> Future[dict[str, Any]]:
        fut: Future[dict[str, Any]] = Future()
        self.asked.append((username, password))
        if self.passwords.get(username) == password:
            if self.store is not None:
                sign_in_as(self.store, "clerk" if username != "max" else "manager", username)
            fut.set_result({"username": username, "offline": False})
        else:
            from sync.errors import ErrorKind, SyncError
            fut.set_exception(SyncError(ErrorKind.AUTH, "The user name or password is not "
                                                        "right."))
        return fut

    def unlock(self, password: str) -> Future[dict[str, Any]]:
        assert self.store is not None
        return self._answer(str(self.store.state().username), password)

    def switch_user(self, username: str, password: str) -> Future[dict[str, Any]]:
        return self._answer(username, password)


@pytest.fixture
def desk_engine(store: Store) -> DeskEngine:
    sign_in_as(store, "clerk", "ann", server="http://127.0.0.1:9")
    return DeskEngine(passwords={"ann": "ann-secret", "max": "max-secret"}, store=store)


def test_the_desk_locks_after_inactivity_and_unlocks_with_the_password(
        shop: Shop, store: Store, make_desk: Any, desk_engine: DeskEngine,
        qtbot: Any) -> None:
    window = make_desk(desk_engine)
    lock = window.session_lock
    assert lock.timeout_ms == 10 * 60_000  # the default
    lock.set_minutes(0.002)  # 120 ms
    qtbot.waitUntil(lambda: lock.locked, timeout=5_000)
    assert lock.screen.isVisible()
    assert lock.screen.geometry() == window.rect()
    assert lock.screen.username.text() == "ann"
    # nothing behind the cover answers: a board shortcut, a key to a board
    window.tabs.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    lock.screen.password.setText("wrong")
    qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock.screen.message.text() != "Checking…", timeout=5_000)
    assert lock.locked and "not right" in lock.screen.message.text()
    lock.screen.password.setText("ann-secret")
    qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lock.locked, timeout=5_000)
    assert not lock.screen.isVisible()
    assert desk_engine.asked[-1] == ("ann", "ann-secret")
    lock.set_minutes(10)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1  # shortcuts work again


def test_input_keeps_the_desk_unlocked(shop: Shop, store: Store, make_desk: Any,
                                       desk_engine: DeskEngine, qtbot: Any) -> None:
    window = make_desk(desk_engine)
    lock = window.session_lock
    lock.set_minutes(10)
    lock._last_input = 0.0  # as if the last input was long ago
    window.activateWindow()
    qtbot.waitUntil(lambda: window.windowHandle() is not None)
    # a key arriving at the desk's window, as the system delivers it
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_A)
    assert lock._last_input > 0
    lock._check_idle()  # the timer's check finds recent input: no lock
    assert not lock.locked
    lock._last_input = 0.0
    lock._check_idle()
    assert lock.locked


def test_switch_user_signs_the_next_person_in(shop: Shop, store: Store, make_desk: Any,
                                              desk_engine: DeskEngine, qtbot: Any) -> None:
    window = make_desk(desk_engine)
    assert window.signed_in_label.text() == "ann · clerk"
    assert not window.admin_menu.menuAction().isVisible()
    window.act_switch_user.trigger()
    lock = window.session_lock
    assert lock.locked and lock.screen.username.text() == ""
    qtbot.keyClicks(lock.screen.username, "max")
    assert lock.screen.button.text() == "Sign in as max"
    lock.screen.password.setText("max-secret")
    lock.screen.button.click()
    qtbot.waitUntil(lambda: not lock.locked, timeout=5_000)
    qtbot.waitUntil(lambda: window.signed_in_label.text() == "max · manager", timeout=5_000)
    assert window.admin_menu.menuAction().isVisible()
    assert "sync_now" in desk_engine.calls
    assert QApplication.focusWidget() is not lock.screen.password
    assert QKeySequence("Ctrl+L") == window.act_lock.shortcut()


# --- against the real server -----------------------------------------------------------

from tests.live_server import LiveServer, ShopSeed, seed_shop  # noqa: E402
from tests.pg import database_fixture  # noqa: E402

pg_database = database_fixture("bl_ui_admin", migrate=True)


@pytest.fixture
def seed(live_server: LiveServer, pg_database: str) -> ShopSeed:
    return seed_shop(pg_database, "Admin Garage", migrate=False)


@pytest.fixture
def signed_in(tmp_path: Path, live_server: LiveServer, seed: ShopSeed,
              test_keyring: Any) -> Iterator[Any]:
    """``signed_in(role)``: a replica logged in to the live server as that seeded user, and
    its engine (not started)."""
    from sync import account
    from sync.credentials import TokenStore
    from sync.engine import SyncEngine
    from sync.settings import SyncSettings

    made: list[tuple[Store, SyncEngine]] = []

    def make(role: str) -> tuple[Store, SyncEngine]:
        user = seed.users[role]
        store = Store(tmp_path / role / "replica.sqlite")
        store = account.login(store, live_server.base_url, user.username, user.password).store
        engine = SyncEngine(store, settings=SyncSettings().but(backoff_base=0.2,
                                                               backoff_cap=1.0,
                                                               network_retry_cap=1.0),
                            token_store=TokenStore())
        made.append((store, engine))
        return store, engine

    yield make
    for store, engine in made:
        engine.stop()
        store.close()


def _login(srv: LiveServer, username: str, password: str) -> dict[str, Any]:
    r = httpx.post(f"{srv.api_url}/auth/login", timeout=30,
                   json={"username": username, "password": password, "device_name": "tests"})
    r.raise_for_status()
    return dict(r.json())


def _pin_works(srv: LiveServer, seed: ShopSeed, technician_id: str, pin: str) -> bool:
    kiosk = _login(srv, seed.users["kiosk"].username, seed.users["kiosk"].password)
    resp = httpx.post(f"{srv.api_url}/auth/pin",
                      json={"technician_id": technician_id, "pin": pin},
                      headers={"Authorization": f"Bearer {kiosk['access_token']}"})
    return resp.status_code == 200


@pytest.mark.postgres
def test_an_admin_adds_a_user_changes_a_role_and_sets_and_removes_a_pin(
        signed_in: Any, live_server: LiveServer, seed: ShopSeed, make_desk: Any,
        qtbot: Any) -> None:
    store, engine = signed_in("admin")
    window = make_desk(engine, synchronous=False, on=store)
    engine.start()
    qtbot.waitUntil(lambda: window.sync_state.text().startswith("Online"), timeout=30_000)
    dialog = admin(window, "users")
    users = dialog.users
    qtbot.waitUntil(lambda: users.model.rowCount() == 5, timeout=10_000)  # one per role
    users.new_button.click()
    users.username.setText("ann.front")
    users.display_name.setText("Ann Front")
    users.password.setText("short")
    users.save_button.click()
    assert users.form.message("password") == "A password has at least 8 characters."
    users.password.setText("a-long-password")
    users.role.setCurrentIndex(users.role.findData("clerk"))
    users.save_button.click()
    qtbot.waitUntil(lambda: users.model.rowCount() == 6, timeout=10_000)
    made = next(u for u in users.model._rows if u["username"] == "ann.front")
    assert (made["role"], made["display_name"]) == ("clerk", "Ann Front")
    assert _login(live_server, "ann.front", "a-long-password")["user"]["role"] == "clerk"
    # a taken user name: the server's words, beside the field
    users.new_button.click()
    users.username.setText("ann.front")
    users.password.setText("another-password")
    users.save_button.click()
    qtbot.waitUntil(lambda: users.form.message("username") != "", timeout=10_000)
    # a new role
    users.select(made)
    users.role.setCurrentIndex(users.role.findData("manager"))
    users.save_button.click()
    qtbot.waitUntil(lambda: any(u["username"] == "ann.front" and u["role"] == "manager"
                                for u in users.model._rows), timeout=10_000)

    techs = dialog.technicians
    dialog.show_tab("technicians")
    tech = seed.technician_id
    qtbot.waitUntil(lambda: techs.select_id(tech), timeout=30_000)  # pulled from the server
    techs.pin.setText("12")
    techs.set_pin_button.click()
    assert techs.pin_message.text() == "A PIN is 4 to 8 digits."
    techs.pin.setText("9753")
    techs.set_pin_button.click()
    qtbot.waitUntil(lambda: "new PIN is set" in techs.pin_message.text(), timeout=10_000)
    assert _pin_works(live_server, seed, tech, "9753")
    assert not _pin_works(live_server, seed, tech, seed.users["technician"].pin or "")
    techs.reset_pin_button.click()
    qtbot.waitUntil(lambda: "has no PIN now" in techs.pin_message.text(), timeout=10_000)
    assert not _pin_works(live_server, seed, tech, "9753")


@pytest.mark.postgres
def test_switch_user_sends_the_previous_persons_changes_in_their_name_first(
        signed_in: Any, live_server: LiveServer, seed: ShopSeed, make_desk: Any,
        qtbot: Any) -> None:
    """A manager renames a technician (a clerk may not), then a clerk takes the desk. The
    rename is pushed with the manager's session before the clerk signs in: pushed as the
    clerk it would be refused. Then, with the server gone, switching is refused in words
    and the clerk unlocks offline against the check their sign-in kept."""
    store, engine = signed_in("manager")
    window = make_desk(engine, synchronous=False, on=store)
    engine.start()
    qtbot.waitUntil(lambda: window.sync_state.text().startswith("Online"), timeout=30_000)
    tech = seed.technician_id
    qtbot.waitUntil(lambda: _has_technician(store, tech), timeout=30_000)
    # written without a nudge: it waits in the outbox (only the 60 s timer would send it)
    store.run(customers.update_technician, tech, name="Renamed by the manager")
    assert store.pending_count() >= 1
    clerk = seed.users["clerk"]
    lock = window.session_lock
    assert lock.switch_user()
    lock.screen.username.setText(clerk.username)
    lock.screen.password.setText(clerk.password)
    lock.screen.button.click()
    qtbot.waitUntil(lambda: not lock.locked, timeout=30_000)
    qtbot.waitUntil(lambda: window.signed_in_label.text() == f"{clerk.username} · clerk",
                    timeout=10_000)
    assert not window.admin_menu.menuAction().isVisible()
    assert _server_technician_name(seed, tech) == "Renamed by the manager"
    assert store.state().username == clerk.username
    # the manager's session is over on this PC
    from sync.credentials import TokenStore
    assert TokenStore().load(live_server.base_url, seed.users["manager"].username) is None

    live_server.stop()
    try:
        manager = seed.users["manager"]
        assert lock.switch_user()
        lock.screen.username.setText(manager.username)
        lock.screen.password.setText(manager.password)
        lock.screen.button.click()
        qtbot.waitUntil(lambda: lock.screen.button.isEnabled(), timeout=30_000)
        assert lock.locked
        assert "cannot be reached" in lock.screen.message.text()
        assert store.state().username == clerk.username  # nothing switched
        # the clerk unlocks offline: a wrong password is refused, theirs is taken
        lock.screen.username.setText(clerk.username)
        lock.screen.password.setText("not-it-at-all")
        lock.screen.button.click()
        qtbot.waitUntil(lambda: lock.screen.button.isEnabled(), timeout=30_000)
        assert "not right" in lock.screen.message.text()
        lock.screen.password.setText(clerk.password)
        lock.screen.button.click()
        qtbot.waitUntil(lambda: not lock.locked, timeout=30_000)
    finally:
        live_server.restart()


def _has_technician(store: Store, tech_id: str) -> bool:
    with store.read() as s:
        return s.get(Technician, tech_id) is not None


def _server_technician_name(seed: ShopSeed, tech_id: str) -> str:
    from sqlalchemy import text

    from server.db import make_engine

    engine = make_engine(seed.database_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT name FROM technician WHERE id = :id"),
                                    {"id": tech_id}).scalar_one())
    finally:
        engine.dispose()
