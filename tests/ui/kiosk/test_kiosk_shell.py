"""The kiosk's shell offscreen, on a small shop and a fake engine: tiles, the PIN pad, wrong
PINs and the lockout, automatic sign-out, the manager's exit, the offline banner, and every
target of the sign-in screens at least 48x48 at 1280x800."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.db import Store
from app.ops import clock
from app.ops.settings import update_shop_settings
from app.pinlock import PinLock
from app.timeutil import utcnow
from sync.errors import ErrorKind, SyncError
from sync.status import Connection, SyncStatus
from tests.ui.helpers import Shop
from tests.ui.kiosk.helpers import PinEngine, StandInWork
from ui.desk.context import DeskContext
from ui.kiosk.touch import MIN_TEXT_PT, too_small
from ui.kiosk.window import EXIT_KEY, KioskWindow
from ui.qt import QApplication, QLabel, QPoint, QSettings, Qt

GRACE_PIN = "2468"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> Any:
        return self.now


@pytest.fixture
def engine(shop: Shop) -> PinEngine:
    return PinEngine(pins={shop.techs["Grace Hopper"]: GRACE_PIN})


@pytest.fixture
def make_kiosk(qtbot: Any, store: Store, tmp_path: Path, engine: PinEngine, qapp: QApplication
               ) -> Iterator[Callable[..., KioskWindow]]:
    made: list[DeskContext] = []

    def make(*, pinlock: PinLock | None = None, check_manager: Any = None) -> KioskWindow:
        qapp.setStyleSheet((Path(__file__).parents[3] / "resources" / "kiosk.qss")
                           .read_text(encoding="utf-8"))
        ctx = DeskContext(store, engine, synchronous=True,
                          settings=QSettings(str(tmp_path / "k.ini"), QSettings.Format.IniFormat))
        made.append(ctx)
        window = KioskWindow(ctx, kiosk_dir=tmp_path / "kiosk", pinlock=pinlock,
                             work_factory=StandInWork, check_manager=check_manager)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitUntil(lambda: len(window.tiles) >= 2)
        return window

    yield make
    for ctx in made:
        ctx.shutdown(wait=True)
    qapp.setStyleSheet("")


def tile(window: KioskWindow, name: str) -> Any:
    return next(b for b in window.tiles_screen.buttons.values() if b.tile.name == name)


def type_pin(qtbot: Any, window: KioskWindow, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.pin_pad.keys["OK"], Qt.MouseButton.LeftButton)


def test_tiles_show_the_active_technicians_and_who_is_clocked_on(
        make_kiosk: Any, store: Store, shop: Shop, qtbot: Any) -> None:
    store.run(clock.clock_on, shop.techs["Grace Hopper"], shop.jobs["in_progress"])
    window = make_kiosk()
    grace, linus = tile(window, "Grace Hopper"), tile(window, "Linus Torvalds")
    assert grace.badge.text() == "GH" and grace.state.text().startswith("On job ")
    assert linus.state.text() == "Not clocked on"
    assert grace.property("clockedOn") is True
    # a clock off made elsewhere repaints the tile
    with qtbot.waitSignal(window.tiles_refreshed):
        window.ctx.worker.write(clock.clock_off, shop.techs["Grace Hopper"])
    assert tile(window, "Grace Hopper").state.text().startswith("On shift since")


def test_right_pin_signs_in_to_the_work_screen_and_sign_out_returns_to_the_tiles(
        make_kiosk: Any, engine: PinEngine, shop: Shop, qtbot: Any) -> None:
    window = make_kiosk()
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    assert window.screen_name == "pin"
    assert window.pin_pad.title.text() == "Grace Hopper, type your PIN"
    with qtbot.waitSignal(window.signed_in) as signed:
        type_pin(qtbot, window, GRACE_PIN)
    assert signed.args[0]["technician_id"] == shop.techs["Grace Hopper"]
    assert window.screen_name == "work"
    work = window.work
    assert isinstance(work, StandInWork) and work.user == signed.args[0]
    with qtbot.waitSignal(window.signed_out) as out:
        work.sign_out.emit()
    assert out.args == ["done"] and window.screen_name == "tiles" and window.user is None
    assert "end_pin_session" in engine.calls


def test_a_physical_number_pad_types_the_pin_too(make_kiosk: Any, qtbot: Any) -> None:
    window = make_kiosk()
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.pin_pad, "24689")
    qtbot.keyClick(window.pin_pad, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(window.signed_in):
        qtbot.keyClick(window.pin_pad, Qt.Key.Key_Return)


def test_wrong_pins_count_down_then_lock_that_technician_out_for_five_minutes(
        make_kiosk: Any, engine: PinEngine, shop: Shop, qtbot: Any, tmp_path: Path) -> None:
    clock_now = Clock()
    lock = PinLock(tmp_path / "kiosk" / "pinlock.json", clock=clock_now)
    window = make_kiosk(pinlock=lock)
    grace = shop.techs["Grace Hopper"]
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    for left in (4, 3, 2, 1):
        type_pin(qtbot, window, "1111")
        qtbot.waitUntil(lambda left=left: f"{left} tr" in window.pin_pad.message.text())
        assert window.pin_pad.digits == ""
    type_pin(qtbot, window, "1111")
    qtbot.waitUntil(lambda: "Locked on this kiosk until" in window.pin_pad.message.text())
    assert "in 5 minutes" in window.pin_pad.message.text()
    checked = len(engine.checked)
    type_pin(qtbot, window, GRACE_PIN)  # even the right PIN waits out the lockout
    assert len(engine.checked) == checked and window.screen_name == "pin"
    # another technician is not locked out
    qtbot.mouseClick(window.pin_pad.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tile(window, "Linus Torvalds"), Qt.MouseButton.LeftButton)
    assert window.pin_pad.message.text() == ""
    # back on Grace's tile the lockout is said at once, and it survives a restart
    qtbot.mouseClick(window.pin_pad.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    assert "Locked" in window.pin_pad.message.text()
    assert PinLock(lock.path, clock=clock_now).state(grace).locked
    clock_now.now += timedelta(minutes=5)
    with qtbot.waitSignal(window.signed_in):
        type_pin(qtbot, window, GRACE_PIN)


def test_a_pin_that_could_not_be_checked_is_said_and_not_counted(
        make_kiosk: Any, engine: PinEngine, shop: Shop, qtbot: Any) -> None:
    window = make_kiosk()
    engine.unreachable = True
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, window, GRACE_PIN)
    qtbot.waitUntil(lambda: "cannot be reached" in window.pin_pad.message.text())
    assert window.pinlock.state(shop.techs["Grace Hopper"]).failures == 0
    assert all(key.isEnabled() for key in window.pin_pad.keys.values())


def test_too_short_a_pin_is_said_next_to_the_pad(make_kiosk: Any, engine: PinEngine,
                                                 qtbot: Any) -> None:
    window = make_kiosk()
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, window, "12")
    assert window.pin_pad.message.text() == "A PIN has 4 to 8 digits." and not engine.checked


def test_inactivity_signs_out_after_the_shops_timeout_and_a_touch_restarts_it(
        make_kiosk: Any, store: Store, qtbot: Any) -> None:
    window = make_kiosk()
    assert window.timeout_seconds == 120
    window.ctx.worker.write(update_shop_settings, kiosk_timeout_seconds=45)
    qtbot.waitUntil(lambda: window.timeout_seconds == 45)
    qtbot.mouseClick(tile(window, "Grace Hopper"), Qt.MouseButton.LeftButton)
    assert window.idle.isActive() and window.idle.interval() == 45_000
    with qtbot.waitSignal(window.signed_in):
        type_pin(qtbot, window, GRACE_PIN)
    assert window.idle.isActive()
    window.idle.stop()
    # any press anywhere in the application counts (the event filter on it)
    qtbot.mouseClick(window.work, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.idle.isActive()
    window.idle.stop()
    window.work.activity.emit()  # the work screen's own "someone is here"
    assert window.idle.isActive()
    with qtbot.waitSignal(window.signed_out) as out:
        window.idle.timeout.emit()  # the time-out itself, without waiting for it
    assert out.args == ["timeout"] and window.screen_name == "tiles"
    assert not window.idle.isActive()  # the tiles never time out


def test_closing_is_refused_without_a_manager_and_esc_does_nothing(
        make_kiosk: Any, qtbot: Any) -> None:
    calls: list[tuple[str, str]] = []

    def check(store: Store, username: str, password: str) -> dict[str, Any]:
        calls.append((username, password))
        if password != "right-password":
            raise SyncError(ErrorKind.AUTH, "The user name or password is not right.",
                            status=401, code="invalid_credentials")
        return {"id": "m1", "username": username, "role": "manager"}

    window = make_kiosk(check_manager=check)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible() and window.screen_name == "tiles"
    assert window.close() is False  # Alt+F4, the window manager's close
    assert window.isVisible() and window.screen_name == "exit"
    panel = window.exit_panel
    assert "a manager signs in here" in panel.message.text()
    qtbot.keyClicks(panel.username, "sam")
    qtbot.keyClicks(panel.password, "guess")
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "4 tries left" in panel.message.text())
    assert "not right" in panel.message.text() and window.isVisible()
    assert panel.password.text() == ""
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert window.screen_name == "tiles"
    qtbot.mouseClick(window.exit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.username, "sam")
    qtbot.keyClicks(panel.password, "right-password")
    with qtbot.waitSignal(window.exit_granted):
        qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert calls == [("sam", "guess"), ("sam", "right-password")]
    assert window.pinlock.state(EXIT_KEY).failures == 0


def test_offline_the_manager_is_told_what_else_to_do(make_kiosk: Any, qtbot: Any) -> None:
    def check(store: Store, username: str, password: str) -> dict[str, Any]:
        raise SyncError(ErrorKind.NETWORK, "no network", retryable=True)

    window = make_kiosk(check_manager=check)
    window.show_exit()
    qtbot.keyClicks(window.exit_panel.username, "sam")
    qtbot.keyClicks(window.exit_panel.password, "whatever")
    qtbot.mouseClick(window.exit_panel.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in window.exit_panel.message.text())
    assert "Ctrl+Alt+Delete" in window.exit_panel.message.text()
    assert window.pinlock.state(EXIT_KEY).failures == 0 and window.isVisible()


def test_offline_banner_says_how_many_changes_wait(make_kiosk: Any, engine: PinEngine) -> None:
    window = make_kiosk()
    assert window.banner.isHidden()
    window.ctx.sync.publish_status(SyncStatus(connection=Connection.OFFLINE, pending=3))
    assert window.banner.isVisible()
    assert window.banner.text().startswith("Offline · 3 changes waiting")
    window.ctx.sync.publish_status(SyncStatus(connection=Connection.ONLINE))
    assert window.banner.isHidden()


def test_without_a_server_the_pad_says_pins_cannot_be_checked(
        qtbot: Any, store: Store, shop: Shop, tmp_path: Path) -> None:
    ctx = DeskContext(store, None, synchronous=True,
                      settings=QSettings(str(tmp_path / "k.ini"), QSettings.Format.IniFormat))
    window = KioskWindow(ctx, work_factory=StandInWork)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(window.tiles) == 2)
    assert "Not connected to a server" in window.banner.text()
    window.show_pin(window.tiles[0])
    type_pin(qtbot, window, "1234")
    assert "cannot check PINs" in window.pin_pad.message.text()
    ctx.shutdown(wait=True)


def _small_text(root: Any) -> list[str]:
    return [f"{w.objectName() or type(w).__name__} {w.font().pointSizeF()} pt {w.text()!r}"
            for w in [root, *root.findChildren(QLabel)]
            if isinstance(w, QLabel) and w.isVisible() and w.text()
            and w.font().pointSizeF() < MIN_TEXT_PT]


def test_every_target_of_the_sign_in_screens_is_finger_sized_at_1280x800(
        make_kiosk: Any, store: Store, qtbot: Any) -> None:
    from app.ops import customers

    for n in range(20):  # a bigger shop: the tiles wrap and scroll
        store.run(customers.create_technician, name=f"Technician {n:02d}")
    window = make_kiosk()
    qtbot.waitUntil(lambda: len(window.tiles) == 22)
    window.resize(1280, 800)
    qtbot.wait(10)
    screens = {"tiles": lambda: None,
               "pin": lambda: window.show_pin(window.tiles[0]),
               "exit": lambda: window.show_exit()}
    window.ctx.sync.publish_status(SyncStatus(connection=Connection.OFFLINE, pending=2))
    for name, show in screens.items():
        show()
        QApplication.processEvents()
        assert window.screen_name == name
        assert too_small(window) == [], name
        assert _small_text(window) == [], name
        assert window.height() == 800, name  # nothing pushes the window past the panel
    window.show_tiles()
    QApplication.processEvents()
    assert window.tiles_screen.scroll.verticalScrollBar().isVisible()  # it was walked too
    # and the PIN pad's keys are far bigger than the minimum (gloves)
    key = window.pin_pad.keys["5"]
    assert key.width() >= 96 and key.height() >= 72
