"""The sync state in the status bar (words, coloured by severity, ticking "12 s ago"), the
banner when the live stream is down, and the sync details panel it opens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.db import Store
from sync import account
from sync.outcomes import refused_changes
from ui.desk.context import DeskContext
from ui.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.syncbridge import ago


class SyncStateButton(QPushButton):
    """The status bar's sync state in words; a click opens the details."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("syncState")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Sync details (click)")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        ctx.sync.status_changed.connect(self.render)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)  # "synced 12 s ago" ticks without asking anything
        self._timer.timeout.connect(self.render)
        self._timer.start()
        self.render()

    def render(self, *_: Any) -> None:
        text = self.ctx.sync.words(datetime.now(UTC))
        if text != self.text():
            self.setText(text)
            self.setAccessibleName(f"Sync state: {text}")
        sev = self.ctx.sync.severity()
        if self.property("severity") != sev:
            self.setProperty("severity", sev)
            self.style().unpolish(self)
            self.style().polish(self)


class LiveBanner(QFrame):
    """"Live updates paused — showing changes as of 14:02", while the stream is down."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("liveBanner")
        self.label = QLabel(self)
        self.retry = QPushButton("Sync now", self)
        self.retry.setToolTip("Try to reach the server now (F5)")
        self.retry.clicked.connect(ctx.sync.sync_now)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.retry)
        ctx.sync.status_changed.connect(self.render)
        self.hide()

    def render(self, *_: Any) -> None:
        paused = self.ctx.sync.live_paused()
        if paused:
            status = self.ctx.sync.status
            at = status.last_sync_at if status is not None else None
            since = (f" — showing changes as of {at.astimezone().strftime('%H:%M')}"
                     if at is not None else "")
            self.label.setText(f"Live updates paused{since}. Your work is kept and will be "
                               "sent when the server is back.")
        self.setVisible(paused)


def _load_details(store: Store) -> tuple[dict[str, Any], list[Any]]:
    return account.describe(store), refused_changes(store)


class SyncDetailsDialog(QDialog):
    """Server, user, changes waiting, last sync, last error, and each refused change with
    its reason (``sync.outcomes``). Non-modal; Esc closes it."""

    loaded = Signal()

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sync details")
        self.setObjectName("syncDetails")
        self.resize(640, 420)
        self.state = QLabel(self)
        self.state.setObjectName("sectionTitle")
        self.state.setWordWrap(True)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (("server", "Server"), ("user", "Signed in as"),
                           ("changes_waiting", "Changes waiting"),
                           ("last_sync_at", "Last synced"), ("last_error", "Last problem")):
            value = QLabel("…", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        self.refused_title = QLabel("Refused changes", self)
        self.refused_title.setObjectName("sectionTitle")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["When", "What", "Why the server refused it"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.none = QLabel("None: every change this computer sent was accepted.", self)
        self.none.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.sync_button = buttons.addButton("Sync now", QDialogButtonBox.ButtonRole.ActionRole)
        self.sync_button.clicked.connect(ctx.sync.sync_now)
        self.sync_button.setEnabled(ctx.sync.has_engine)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.refused_title)
        layout.addWidget(self.none, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        ctx.sync.status_changed.connect(self.reload)
        self.reload()

    def reload(self, *_: Any) -> None:
        self.state.setText(self.ctx.sync.words())
        store = self.ctx.store
        self.ctx.worker.call(lambda: _load_details(store), on_done=self._show,
                             on_error=lambda exc: self.fields["last_error"].setText(str(exc)),
                             key="sync-details")

    def _show(self, result: tuple[dict[str, Any], list[Any]]) -> None:
        info, refused = result
        status = self.ctx.sync.status
        self.fields["server"].setText(info.get("server") or "None — this computer works alone")
        user = info.get("user")
        self.fields["user"].setText(f"{user} ({info.get('role')})" if user else "Nobody")
        self.fields["changes_waiting"].setText(str(info.get("changes_waiting", 0)))
        last = status.last_sync_at if status is not None else None
        self.fields["last_sync_at"].setText(
            f"{last.astimezone().strftime('%Y-%m-%d %H:%M:%S')} "
            f"({ago((datetime.now(UTC) - last).total_seconds())})" if last else "Never")
        error = (status.last_error if status is not None else None) or info.get("last_error")
        clock = status.clock_warning if status is not None else None
        stuck = (f"{status.not_applied} change(s) from the server could not be applied: "
                 f"{status.not_applied_reason or 'see the log'}"
                 if status is not None and status.not_applied else None)
        self.fields["last_error"].setText("\n".join(t for t in (error, clock, stuck) if t)
                                          or "None")
        self.table.setRowCount(len(refused))
        for n, change in enumerate(refused):
            what = f"{change.entity.replace('_', ' ')}: " + ", ".join(
                f"{k} → {v}" for k, v in change.mine.items())
            for col, text in enumerate((change.at.astimezone().strftime("%d %b %H:%M"), what,
                                        change.reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(n, col, item)
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(refused))
        self.none.setVisible(not refused)
        self.loaded.emit()


def recovery_words(set_aside: Path | None, salvaged: int, server_url: str | None) -> str:
    """What a clerk is told when the replica was found damaged at start and rebuilt: what
    happened, what became of their work, and where the old file is."""
    where = str(set_aside) if set_aside is not None else "the data folder"
    if server_url:
        kept = (f" The {salvaged} change{'s' if salvaged != 1 else ''} not yet sent from "
                f"this computer were kept and will be sent." if salvaged else "")
        return ("Bayline found its data file on this computer damaged and started a fresh "
                f"one. Nothing was lost: the shop's jobs are being copied again from the "
                f"server.{kept} The damaged file is kept at {where}.")
    return ("Bayline found its data file on this computer damaged and started a fresh, "
            "empty one. Nothing was deleted: this computer never synced with a server, so "
            f"its jobs are in the damaged file, kept at {where}. Ask your Bayline support to "
            "recover them.")


class RecoveryBar(QFrame):
    """A non-modal notice above the boards that stays until dismissed: the replica was
    damaged and rebuilt at start (``app.recovery.open_replica``). The technical notice
    (what SQLite said) is its tooltip and goes to the clipboard by "Copy details"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryBar")
        self.setStyleSheet("QFrame#recoveryBar { background: #e8f1fe; border-bottom: 1px solid "
                           "#b6cff5; } QFrame#recoveryBar QLabel { color: #0d3c82; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy = QPushButton("Copy details", self)
        self.copy.setToolTip("Copy what happened, for your Bayline support")
        self.copy.clicked.connect(self._copy)
        self.dismiss = QPushButton("Dismiss", self)
        self.dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.copy, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.details = ""
        self.hide()

    def show_recovery(self, words: str, details: str) -> None:
        self.label.setText(words)
        self.label.setAccessibleName(words)
        self.details = details
        self.setToolTip(details)
        self.show()

    def _copy(self) -> None:
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(f"{self.label.text()}\n\n{self.details}")
