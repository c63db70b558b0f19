"""A shared front-desk PC: the lock after inactivity, and "Switch user".

After ``desk/lock_minutes`` of no keyboard or mouse input (the desk's ``QSettings``;
10 minutes unless set, 0 never) the window is covered by a lock screen that hides the
boards and takes every key and click. It asks for a password: the signed-in person's
unlocks (``SyncEngine.unlock``: checked with the server, or offline against the check
their last sign-in kept), another user name and password signs that person in
(``SyncEngine.switch_user``: the previous person's waiting changes are sent first, in
their name; see ``sync.deskuser`` for why). "Switch user" (File menu) is the same screen,
asked for at once. A desk with no server (the demo) has no users: nothing locks.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from app.db import Writer
from app.errors import BaylineError
from ui.desk.admin import EngineRelay
from ui.qt import (
    QApplication,
    QDialog,
    QDockWidget,
    QEvent,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from ui.desk.window import MainWindow

#: Minutes of no input before the desk locks, unless ``desk/lock_minutes`` says otherwise.
DEFAULT_LOCK_MINUTES = 10.0
SETTING = "desk/lock_minutes"

_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress})
_BLOCKED = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
                      QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                      QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel,
                      QEvent.Type.ContextMenu, QEvent.Type.TouchBegin, QEvent.Type.DragEnter,
                      QEvent.Type.Drop})


def lock_minutes(settings: Any) -> float:
    """The desk's inactivity timeout in minutes (0: never), from its settings."""
    raw = settings.value(SETTING, DEFAULT_LOCK_MINUTES)
    try:
        minutes = float(raw)
    except (TypeError, ValueError):
        return DEFAULT_LOCK_MINUTES
    return max(0.0, minutes)


def _nothing(_w: Writer) -> None:
    """A write that changes nothing: when it is done, every write queued before it is."""
    return None


class LockScreen(QFrame):
    """The cover over the window: who is signed in, a user name and a password."""

    def __init__(self, lock: SessionLock, parent: QWidget) -> None:
        super().__init__(parent)
        self.lock = lock
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("QFrame#lockScreen { background: #263238; } "
                           "QFrame#lockCard { background: palette(window); border-radius: 8px; }")
        card = QFrame(self)
        card.setObjectName("lockCard")
        card.setFixedWidth(440)
        self.title = QLabel("<b>Bayline is locked</b>", card)
        self.title.setStyleSheet("font-size: 16pt;")
        self.who = QLabel("", card)
        self.who.setWordWrap(True)
        self.username = QLineEdit(card)
        self.username.setObjectName("lockUsername")
        self.password = QLineEdit(card)
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("", card)
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b71c1c;")
        self.button = QPushButton("Unlock", card)
        self.button.setObjectName("unlockButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.username.textChanged.connect(lambda _t: self._label())
        for w in (self.username, self.password, self.button):
            w.setMinimumHeight(34)
        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        col = QVBoxLayout(card)
        col.setContentsMargins(28, 24, 28, 24)
        col.setSpacing(10)
        col.addWidget(self.title)
        col.addWidget(self.who)
        col.addLayout(form)
        col.addWidget(self.message)
        col.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.hide()

    def prepare(self, current: str | None, *, switching: bool) -> None:
        self.who.setText(
            (f"Signed in: <b>{current}</b>. " if current else "")
            + ("Sign in as yourself: the changes you make are then yours." if switching else
               "Type your password to carry on, or sign in as another user."))
        self.username.setText("" if switching else (current or ""))
        self.password.clear()
        self.message.clear()
        self._busy(False)
        self._label()
        (self.username if switching or not current else self.password).setFocus()

    def _label(self) -> None:
        name = self.username.text().strip()
        same = not name or name == self.lock.current_user()
        self.button.setText("Unlock" if same else f"Sign in as {name}")

    def submit(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not password:
            self.message.setText("Type the password.")
            return
        self._busy(True)
        self.message.setText("Checking…")
        self.lock.attempt(name or (self.lock.current_user() or ""), password)

    def failed(self, text: str) -> None:
        self._busy(False)
        self.password.clear()
        self.message.setText(text)
        self.password.setFocus()

    def _busy(self, busy: bool) -> None:
        for w in (self.username, self.password, self.button):
            w.setEnabled(not busy)


class SessionLock(QObject):
    """The idle timer, the lock screen and the switch of user of one desk window."""

    #: True when the window locks, False when it unlocks.
    locked_changed = Signal(bool)
    #: Someone signed in by the lock screen: (username, role).
    signed_in = Signal(str, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.locked = False
        self.screen = LockScreen(self, window)
        self.relay = EngineRelay(self)
        self._last_input = time.monotonic()
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._check_idle)
        self.set_minutes(lock_minutes(self.ctx.settings))
        # Input is seen where it arrives: on the native windows (the desk's, its dialogs'),
        # not by an application-wide filter that every paint and timer event would pass.
        # That filter is installed only while locked, to keep input from what it covers.
        window.installEventFilter(self)
        QApplication.instance().focusWindowChanged.connect(self._watch)  # type: ignore[union-attr]
        self._watch(window.windowHandle())

    # --- settings and state -------------------------------------------------------------
    def set_minutes(self, minutes: float) -> None:
        """Lock after ``minutes`` without input (0: never)."""
        self.timeout_ms = int(minutes * 60_000)
        self.timer.stop()
        if self.timeout_ms > 0:
            self.timer.start(self.timeout_ms)

    def current_user(self) -> str | None:
        return self.ctx.permissions.username

    def why_not(self) -> str | None:
        """Why this desk cannot lock or switch users (None: it can)."""
        if self.ctx.engine is None or not self.ctx.permissions.has_server:
            return ("This desk is not connected to a server, so it has no users to sign in "
                    "as (a demo).")
        if not self.current_user():
            return "Nobody is signed in to this desk."
        return None

    # --- locking ------------------------------------------------------------------------
    def lock(self, *, switching: bool = False) -> bool:
        """Cover the window (``switching``: asking for another user at once)."""
        if self.why_not() is not None:
            return False
        if not self.locked:
            self.locked = True
            self._hidden = [w for w in QApplication.topLevelWidgets()
                            if w is not self.window and w.isVisible()
                            and isinstance(w, QDialog)]
            self._hidden += [d for d in self.window.findChildren(QDockWidget)
                             if d.isFloating() and d.isVisible()]
            for w in self._hidden:
                w.hide()
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self.screen.setGeometry(self.window.rect())
            self.screen.show()
            self.screen.raise_()
            self.locked_changed.emit(True)
        self.screen.prepare(self.current_user(), switching=switching)
        return True

    def switch_user(self) -> bool:
        return self.lock(switching=True)

    def _unlock(self) -> None:
        self.locked = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.screen.hide()
        for w in self._hidden:
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                w.show()
        self._hidden = []
        self._last_input = time.monotonic()
        self.set_minutes(self.timeout_ms / 60_000)
        self.locked_changed.emit(False)

    def attempt(self, username: str, password: str) -> None:
        """Check on the engine's thread; the queued writes are finished first, so the
        previous person's last edits are among the changes sent in their name."""
        engine = self.ctx.engine
        if engine is None:
            self.screen.failed(self.why_not() or "")
            return
        same = username == self.current_user()

        def go(_changes: Any = None) -> None:
            future = engine.unlock(password) if same else engine.switch_user(username, password)
            self.relay.watch(future, self._done, self._failed)

        self.ctx.worker.write(_nothing, on_done=go, on_error=lambda exc: self._failed(exc))

    def _done(self, user: dict[str, Any]) -> None:
        self.ctx.permissions.reload()
        self.ctx.sync.sync_now()
        self._unlock()
        self.signed_in.emit(str(user.get("username") or ""), str(user.get("role") or ""))

    def _failed(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, BaylineError) else f"Signing in failed: {exc}"
        self.screen.failed(text)

    # --- idle and input -----------------------------------------------------------------
    def _watch(self, win: Any) -> None:
        if win is not None:
            win.installEventFilter(self)  # once per window: installing again moves it only

    def _check_idle(self) -> None:
        if self.locked or self.timeout_ms <= 0:
            return
        idle_ms = (time.monotonic() - self._last_input) * 1000
        if idle_ms + 5 >= self.timeout_ms:
            if not self.lock():
                self.timer.start(self.timeout_ms)
        else:
            self.timer.start(max(1, int(self.timeout_ms - idle_ms)))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if obj is self.window:
            if kind == QEvent.Type.Resize and self.locked:
                self.screen.setGeometry(self.window.rect())
            elif kind == QEvent.Type.Show:
                self._watch(self.window.windowHandle())
            return False
        if not self.locked:
            if kind in _INPUT:
                self._last_input = time.monotonic()
            return False
        if kind == QEvent.Type.Shortcut:
            return True  # no menu action, no board shortcut while locked
        return kind in _BLOCKED and isinstance(obj, QWidget) and not self._on_screen(obj)

    def _on_screen(self, widget: QWidget) -> bool:
        return widget is self.screen or self.screen.isAncestorOf(widget) \
            or widget.window() is not self.window
