"""Small dialogs of the desk: keyboard help (F1) and signing in again when the server
ended the session. Every one is a ``QDialog``, so Esc closes it."""

from __future__ import annotations

from typing import Any

from app.errors import BaylineError
from sync import account, deskuser
from ui.desk.context import DeskContext
from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: (keys, what they do): the F1 table. The window's actions use the same keys.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("F5", "Sync now"),
    ("Ctrl+F", "Search customers, phones, plates, VINs and job numbers; Enter opens"),
    ("Ctrl+N", "New check-in: a new customer and vehicle"),
    ("Ctrl+Shift+F", "Filter the queue board"),
    ("Ctrl+1", "Queue board"),
    ("Ctrl+2", "Technician board"),
    ("Ctrl+3", "Schedule: the day's appointments by bay or technician"),
    ("Schedule: drag across a lane", "Book an appointment there (or Insert)"),
    ("Schedule: Alt+arrows", "Move the selected appointment 15 min, or to the lane above/below"),
    ("Schedule: Alt+Shift+Left/Right", "Make it 15 min shorter / longer (or drag its end)"),
    ("Schedule: Alt+Page Up/Down", "The day before / after"),
    ("Ctrl+D", "Show or hide the job detail panel"),
    ("Enter / double-click", "Open the selected card in the detail panel"),
    ("Up / Down", "Previous / next card in a column"),
    ("Left / Right", "Previous / next column"),
    ("Alt+Right / Alt+Left", "Move the selected card to the next / previous column"),
    ("Shift+F10 or Ctrl+M", "Card menu: move to any status, assign a technician"),
    ("Drag a card", "Move it to another column, or onto a technician to assign it"),
    ("Tab / Shift+Tab", "Next / previous area of the window"),
    ("Ctrl+P", "Print the selected job's repair order, or save it as PDF"),
    ("Ctrl+Shift+P", "Print the selected job's invoice, or save it as PDF"),
    ("Esc", "Close a dialog"),
    ("F1", "This help"),
    ("Ctrl+L", "Lock the desk (a shared PC); File > Switch user signs someone else in"),
    ("Ctrl+Q", "Quit (waiting changes are kept)"),
)


class KeyboardHelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("keyboardHelp")
        table = QTableWidget(len(SHORTCUTS), 2, self)
        table.setHorizontalHeaderLabels(["Keys", "What it does"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for n, (keys, what) in enumerate(SHORTCUTS):
            table.setItem(n, 0, QTableWidgetItem(keys))
            table.setItem(n, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 480)


class SignInDialog(QDialog):
    """The server ended this computer's session (revoked or expired): sign in again here,
    without leaving the window; work typed meanwhile is kept and sent after."""

    signed_in = Signal()
    _result = Signal(object)

    def __init__(self, ctx: DeskContext, reason: str, server: str, username: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sign in again")
        self.setObjectName("signIn")
        self.server = server
        intro = QLabel(f"{reason}\n\nSign in to keep this computer in sync with "
                       f"{self.server}. Your changes are kept until then.", self)
        intro.setWordWrap(True)
        self.username = QLineEdit(username, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("", self)
        self.message.setStyleSheet("color: #c62828")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Later")
        self.buttons.accepted.connect(self._sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._result.connect(self._done, Qt.ConnectionType.QueuedConnection)
        (self.password if self.username.text() else self.username).setFocus()

    def _sign_in(self) -> None:
        engine = self.ctx.engine
        if engine is None:
            return
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self.message.setText("Type your user name and password.")
            return
        self.buttons.setEnabled(False)
        self.message.setText("Signing in…")
        store, server = self.ctx.store, self.server
        # On the sync engine's thread: the network never runs on the GUI thread.
        def sign_in() -> None:
            account.login(store, server, user, password, token_store=engine.token_store)
            # kept for the lock screen, so this person can unlock during an outage
            deskuser.remember_password(engine.token_store, server, user, password)

        future = engine.submit(sign_in)
        future.add_done_callback(lambda f: self._result.emit(f.exception()))

    def _done(self, exc: Any) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        if exc is None:
            self.ctx.sync.signed_in()
            self.signed_in.emit()
            self.accept()
        elif isinstance(exc, BaylineError):
            self.message.setText(exc.message)
        else:
            self.message.setText(f"Signing in failed: {exc}")
