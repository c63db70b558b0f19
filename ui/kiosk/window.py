"""The kiosk's shell: one full-screen window that shows the sign-in tiles, the PIN pad, the
signed-in technician's work screen (``ui.kiosk.work.WorkScreen``) or the manager's exit.

- **Sign-in.** A tile (``app.queries.kiosk.technician_tiles``) opens the PIN pad; OK sends
  the PIN to ``SyncEngine.pin_login`` (the server when it answers, else this kiosk's
  sealed verifier), which runs on its own thread; the answer comes back to the GUI thread
  by a queued signal. Wrong PINs count in ``app.pinlock`` (five lock that technician out
  on this kiosk for five minutes); a PIN that could not be checked at all does not count.
- **Back to the tiles** after ``kiosk_timeout_seconds`` (shop settings) without a touch,
  a key or a click anywhere in the application (an event filter on it), or when the work
  screen says ``sign_out``.
- **No way out but a manager's.** Close events (Alt+F4, the window manager) are refused
  and bring up the manager's exit; Esc does nothing; the exit checks a manager's password
  with the server (``sync.manager``), and five wrong ones lock the exit for five minutes.
- **Offline banner** with the number of changes waiting, from the sync bridge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.pinlock import PinLock, lockout_words
from app.queries.kiosk import TechnicianTile, technician_tiles
from app.queries.settings import replica_settings
from app.shopsettings import DEFAULTS
from app.timeutil import utcnow
from sync.errors import ErrorKind, SyncError
from sync.status import Connection, SyncStatus
from ui.desk.context import DeskContext
from ui.kiosk.exitpanel import ManagerExit
from ui.kiosk.signin import PinPad, TilesScreen
from ui.kiosk.touch import MIN_TARGET_PX
from ui.qt import (
    QApplication,
    QCloseEvent,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QObject,
    QPushButton,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

log = logging.getLogger(__name__)

#: The lockout key of the manager's exit (beside the technicians' ids in ``PinLock``).
EXIT_KEY = "manager-exit"
#: Wrong-PIN answers: the server's (``invalid_credentials``) and the offline check's.
WRONG_PIN_CODES = ("invalid_credentials", "invalid_pin")
#: The kiosk's settings key: sign out after each clock action (default: no).
SIGN_OUT_AFTER_CLOCK = "kiosk/sign_out_after_clock"
#: Events that count as someone using the kiosk.
ACTIVITY_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                   QEvent.Type.TouchUpdate, QEvent.Type.KeyPress, QEvent.Type.TabletPress,
                   QEvent.Type.Wheel)

WorkFactory = Callable[[DeskContext, QWidget], QWidget]


def default_work_screen(ctx: DeskContext, parent: QWidget) -> QWidget:
    """The technician's work screen (``ui.kiosk.work``), imported when first needed."""
    from ui.kiosk.work import WorkScreen  # type: ignore[import-not-found,unused-ignore]

    screen: QWidget = WorkScreen(ctx, parent)
    return screen


def banner_words(status: SyncStatus | None, *, has_engine: bool = True) -> str:
    """The offline banner's words; "" when the kiosk is online (no banner)."""
    if not has_engine:
        return ("Not connected to a server: PINs cannot be checked and nothing is sent. "
                "Ask the manager.")
    if status is None or status.connection in (Connection.ONLINE, Connection.SYNCING):
        return ""
    if status.connection is Connection.SIGNED_OUT and status.last_error is None:
        return ""  # the engine's state before its first word: starting, not signed out
    waiting = status.pending
    changes = f"{waiting} change{'s' if waiting != 1 else ''} waiting"
    if status.connection is Connection.OFFLINE:
        return f"Offline · {changes} · keep working: all is kept and sent later"
    if status.connection is Connection.SIGNED_OUT:
        return f"This kiosk is signed out of the server · {changes} · ask the manager"
    return f"Sync needs the manager's attention · {changes}"


class _ActivityFilter(QObject):
    """Sees every press and key of the application (installed on it) and tells the
    window; never eats an event."""

    def __init__(self, on_activity: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in ACTIVITY_EVENTS:
            self._on_activity()
        return False


class KioskWindow(QWidget):
    """See the module docstring. ``kiosk_dir`` keeps the PIN lockouts across restarts;
    ``work_factory(ctx, parent)`` makes the work screen (tests pass a stand-in);
    ``check_manager(store, username, password)`` checks the exit (``sync.manager``)."""

    #: The screen shown now: "tiles", "pin", "work" or "exit".
    screen_changed = Signal(str)
    #: A technician signed in: the ``pin_login`` result (id, technician_id, display_name,
    #: offline, ...).
    signed_in = Signal(dict)
    #: Back to the tiles: "done" (the work screen), "timeout", "back".
    signed_out = Signal(str)
    #: The tiles were read again (the list of ``TechnicianTile``).
    tiles_refreshed = Signal(list)
    #: A manager closed the kiosk.
    exit_granted = Signal()
    _pin_answer = Signal(int, object, object)
    _exit_answer = Signal(int, object, object)

    def __init__(self, ctx: DeskContext, *, kiosk_dir: Path | None = None,
                 work_factory: WorkFactory | None = None,
                 check_manager: Callable[..., dict[str, Any]] | None = None,
                 pinlock: PinLock | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("kioskWindow")
        self.setWindowTitle("Bayline kiosk")
        self.pinlock = pinlock or PinLock(kiosk_dir / "pinlock.json" if kiosk_dir else None)
        self._work_factory = work_factory or default_work_screen
        if check_manager is None:
            from sync.manager import check_manager as checker
            check_manager = checker
        self._check_manager = check_manager
        self.timeout_seconds = int(DEFAULTS["kiosk_timeout_seconds"])
        self.user: dict[str, Any] | None = None
        self.tiles: list[TechnicianTile] = []
        self._attempt = 0
        self._may_close = False
        self._closed = False

        # --- the parts -----------------------------------------------------------------
        self.banner = QLabel(self)
        self.banner.setObjectName("kioskBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        header = QWidget(self)
        header.setObjectName("kioskHeader")
        self.heading = QLabel("Bayline kiosk", header)
        self.heading.setObjectName("kioskHeading")
        self.exit_button = QPushButton("Close kiosk", header)
        self.exit_button.setObjectName("kioskExitButton")
        self.exit_button.setMinimumSize(180, MIN_TARGET_PX)
        self.exit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.exit_button.clicked.connect(lambda: self.show_exit())
        self.clock = QLabel(header)
        self.clock.setObjectName("kioskClock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head = QHBoxLayout(header)
        head.setContentsMargins(24, 6, 24, 6)  # 60 px: the work screens need the height
        head.addWidget(self.heading, 1)
        head.addWidget(self.clock, 1)
        head.addStretch(1)
        head.addWidget(self.exit_button)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._show_time)
        self._tick.start(5_000)
        self._show_time()
        self.tiles_screen = TilesScreen(self)
        self.pin_pad = PinPad(self)
        self.exit_panel = ManagerExit(self)
        self.work: QWidget | None = None
        self.stack = QStackedWidget(self)
        for widget in (self.tiles_screen, self.pin_pad, self.exit_panel):
            self.stack.addWidget(widget)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.banner)
        col.addWidget(header)
        col.addWidget(self.stack, 1)

        # --- wiring --------------------------------------------------------------------
        self.tiles_screen.chosen.connect(self.show_pin)
        self.pin_pad.submitted.connect(self.check_pin)
        self.pin_pad.back.connect(lambda: self.show_tiles("back"))
        self.exit_panel.submitted.connect(self.check_exit)
        self.exit_panel.cancelled.connect(self._leave_exit)
        self._pin_answer.connect(self._on_pin_answer, Qt.ConnectionType.QueuedConnection)
        self._exit_answer.connect(self._on_exit_answer, Qt.ConnectionType.QueuedConnection)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_timeout)
        self._activity = _ActivityFilter(self.touched, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        ctx.hub.subscribe(self._on_changes)
        ctx.sync.status_changed.connect(self._on_status)
        self._on_status(ctx.sync.status)
        self.refresh()
        self._read_settings()

    # --- screens -----------------------------------------------------------------------
    @property
    def screen_name(self) -> str:
        current = self.stack.currentWidget()
        if current is self.pin_pad:
            return "pin"
        if current is self.exit_panel:
            return "exit"
        if self.work is not None and current is self.work:
            return "work"
        return "tiles"

    def _show(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(widget)
        name = self.screen_name
        if name == "tiles":
            self.idle.stop()
        else:
            self.idle.start(self.timeout_seconds * 1000)
        self.screen_changed.emit(name)

    def show_tiles(self, reason: str = "back") -> None:
        """Back to the tiles; whoever was signed in is signed out."""
        self._attempt += 1  # a PIN answer still on its way is dropped
        was = self.user
        self.user = None
        self.pin_pad.clear()
        self._show(self.tiles_screen)
        if was is not None:
            engine = self.ctx.engine
            if engine is not None:
                engine.end_pin_session()  # push what they did now, not in a minute
            self.signed_out.emit(reason)
        self.refresh()

    def show_pin(self, tile: TechnicianTile) -> None:
        """The PIN pad for ``tile``'s technician (already saying so when locked out)."""
        state = self.pinlock.state(tile.technician_id)
        self.pin_pad.start(tile, lockout_words(state) if state.locked else "")
        self._show(self.pin_pad)

    def show_work(self, user: dict[str, Any]) -> None:
        if self.work is None:
            self.work = self._work_factory(self.ctx, self.stack)
            self.stack.addWidget(self.work)
            activity = getattr(self.work, "activity", None)
            if activity is not None:
                activity.connect(self.touched)
            sign_out = getattr(self.work, "sign_out", None)
            if sign_out is not None:
                sign_out.connect(lambda: self.show_tiles("done"))
        if hasattr(self.work, "sign_out_after_clock"):
            # this kiosk's choice (its settings file): back to the tiles after each clock
            # on or off, for a kiosk by the door where people only clock
            self.work.sign_out_after_clock = bool(self.ctx.settings.value(
                SIGN_OUT_AFTER_CLOCK, False, type=bool))
        self.user = user
        self.work.show_technician(user)  # type: ignore[attr-defined]
        self._show(self.work)
        self.signed_in.emit(user)

    def show_exit(self, message: str = "") -> None:
        self._attempt += 1
        self.exit_panel.start(message)
        state = self.pinlock.state(EXIT_KEY)
        if state.locked:
            self.exit_panel.say(lockout_words(state))
        self._show(self.exit_panel)

    def _leave_exit(self) -> None:
        if self.user is not None and self.work is not None:
            self._show(self.work)
        else:
            self.show_tiles("back")

    # --- the PIN ---------------------------------------------------------------------
    def check_pin(self, technician_id: str, pin: str) -> None:
        """Check ``pin`` off the GUI thread; the answer arrives in ``_on_pin_answer``."""
        state = self.pinlock.state(technician_id)
        if state.locked:
            self.pin_pad.clear()
            self.pin_pad.say(lockout_words(state))
            return
        engine = self.ctx.engine
        if engine is None:
            self.pin_pad.clear()
            self.pin_pad.say("This kiosk is not connected to a server, so it cannot check "
                             "PINs. Ask the manager.")
            return
        self._attempt += 1
        attempt = self._attempt
        self.pin_pad.set_busy(True)
        future: Future[dict[str, Any]] = engine.pin_login(technician_id, pin)

        def done(fut: Future[dict[str, Any]]) -> None:
            exc = fut.exception()
            self._pin_answer.emit(attempt, None if exc else fut.result(), exc)

        future.add_done_callback(done)

    def _on_pin_answer(self, attempt: int, user: dict[str, Any] | None,
                       exc: BaseException | None) -> None:
        if attempt != self._attempt or self.screen_name != "pin" or self.pin_pad.tile is None:
            return  # the technician went back, or the kiosk timed out meanwhile
        technician_id = self.pin_pad.tile.technician_id
        self.pin_pad.set_busy(False)
        self.pin_pad.clear()
        if exc is None and user is not None:
            self.pinlock.succeeded(technician_id)
            self.show_work(user)
            return
        if isinstance(exc, SyncError) and exc.kind is ErrorKind.AUTH and (
                exc.code in WRONG_PIN_CODES):
            self.pin_pad.say(lockout_words(self.pinlock.failed(technician_id)))
        elif isinstance(exc, SyncError) and exc.code == "rate_limited":
            self.pin_pad.say("The server refuses more tries for now; wait a few minutes.")
        elif isinstance(exc, SyncError):
            self.pin_pad.say(exc.message)  # not checked at all: not counted
        else:
            log.error("checking a PIN failed", exc_info=exc)
            self.pin_pad.say("The PIN could not be checked. Try again.")

    # --- the manager's exit ----------------------------------------------------------
    def check_exit(self, username: str, password: str) -> None:
        state = self.pinlock.state(EXIT_KEY)
        if state.locked:
            self.exit_panel.say(lockout_words(state))
            return
        self._attempt += 1
        attempt = self._attempt
        self.exit_panel.set_busy(True)
        store, check = self.ctx.store, self._check_manager

        def work() -> None:
            try:
                user = check(store, username, password)
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                self._exit_answer.emit(attempt, None, exc)
                return
            self._exit_answer.emit(attempt, user, None)

        threading.Thread(target=work, name="bayline-kiosk-exit", daemon=True).start()

    def _on_exit_answer(self, attempt: int, user: dict[str, Any] | None,
                        exc: BaseException | None) -> None:
        if attempt != self._attempt or self.screen_name != "exit":
            return
        self.exit_panel.set_busy(False)
        if exc is None:
            self.pinlock.succeeded(EXIT_KEY)
            log.info("the kiosk was closed by manager %s", (user or {}).get("username"))
            self.exit_granted.emit()
            self.close_for_good()
            return
        self.exit_panel.password.clear()
        if isinstance(exc, SyncError) and exc.kind is ErrorKind.AUTH:
            words = lockout_words(self.pinlock.failed(EXIT_KEY)).replace(
                "That PIN is not right.", exc.message)
            self.exit_panel.say(words)
        elif isinstance(exc, SyncError) and exc.kind is ErrorKind.NETWORK:
            self.exit_panel.say(
                "The server cannot be reached, so a manager's password cannot be checked "
                "now. Try again when the network is back, or sign out of the computer "
                "(Ctrl+Alt+Delete on Windows): everything done at the kiosk is kept.")
        elif isinstance(exc, SyncError):
            self.exit_panel.say(exc.message)
        else:
            log.error("checking a manager's password failed", exc_info=exc)
            self.exit_panel.say("The password could not be checked. Try again.")

    def close_for_good(self) -> None:
        """Close the window (a manager said so, or the program ends)."""
        self._may_close = True
        self.close()

    def _show_time(self) -> None:
        self.clock.setText(datetime.now().astimezone().strftime("%H:%M"))

    # --- activity and time-out ---------------------------------------------------------
    def touched(self) -> None:
        """Someone used the kiosk: the time-out starts again."""
        if self.screen_name != "tiles" and not self._closed:
            self.idle.start(self.timeout_seconds * 1000)

    def _idle_timeout(self) -> None:
        if self.screen_name != "tiles":
            self.show_tiles("timeout")

    def _read_settings(self) -> None:
        self.ctx.worker.read(replica_settings, on_done=self._got_settings, key="kiosk-settings")

    def _got_settings(self, settings: Any) -> None:
        self.timeout_seconds = int(settings.kiosk_timeout_seconds)
        self.heading.setText(settings.header_name or "Bayline kiosk")
        if self.idle.isActive():
            self.idle.start(self.timeout_seconds * 1000)

    # --- data ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the tiles again (a technician clocked on elsewhere, a new technician)."""
        self.ctx.worker.read(technician_tiles, utcnow(), on_done=self._got_tiles,
                             key="kiosk-tiles")

    def _got_tiles(self, tiles: list[TechnicianTile]) -> None:
        self.tiles = list(tiles)
        self.tiles_screen.set_tiles(self.tiles)
        self.tiles_refreshed.emit(self.tiles)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("technician", "time_entry", "technician_pin", "job"):
            self.refresh()
        if changes.touches("shop_settings"):
            self._read_settings()

    def _on_status(self, status: SyncStatus | None) -> None:
        words = banner_words(status, has_engine=self.ctx.sync.has_engine)
        self.banner.setText(words)
        self.banner.setVisible(bool(words))

    # --- no way out ------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # a passer-by's Esc does nothing
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self._may_close:
            event.ignore()
            if self.screen_name != "exit":
                self.show_exit("To close the kiosk, a manager signs in here.")
            return
        self._closed = True
        self.idle.stop()
        self.ctx.hub.unsubscribe(self._on_changes)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity)
        event.accept()


__all__ = ["KioskWindow", "banner_words", "default_work_screen"]
