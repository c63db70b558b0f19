"""The sync state in the status bar (words, coloured by severity, ticking "12 s ago"), the
banner when the live stream is down, and the sync details panel it opens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.db import Store
from app.queries.labels import row_labels
from sync import account
from sync.outcomes import refused_changes, resolve_conflict
from ui.desk.context import DeskContext
from ui.desk.refusals import RefusalWords, refs_of, refusal_words
from ui.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
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


def _load_details(store: Store) -> tuple[dict[str, Any], list[RefusalWords]]:
    refused = refused_changes(store)
    with store.read() as s:
        labels = row_labels(s, refs_of(refused))
    return account.describe(store), [refusal_words(c, labels) for c in refused]


class RefusalCard(QFrame):
    """One refused click: what (bold) and when, why (wrapped, always visible), both
    values, and the one-click choice when the refusal is a conflict."""

    def __init__(self, words: RefusalWords, ctx: DeskContext, on_chosen: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refusal")
        self.on_chosen = on_chosen
        self.words = words
        self.what = QLabel(words.what, self)
        self.what.setObjectName("refusalWhat")
        self.what.setWordWrap(True)
        when = QLabel(words.at.astimezone().strftime("%d %b %H:%M"), self)
        when.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(self.what, 1)
        top.addWidget(when, 0, Qt.AlignmentFlag.AlignTop)
        self.why = QLabel(words.why, self)
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values = QLabel("  ·  ".join(t for t in (words.mine, words.theirs) if t), self)
        self.values.setWordWrap(True)
        self.values.setVisible(bool(words.mine or words.theirs))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.why)
        layout.addWidget(self.values)
        self.choices: list[QPushButton] = []
        if words.conflict_ids:
            row = QHBoxLayout()
            row.addStretch(1)
            for keep, text, tip in (
                    ("theirs", "Keep the shop's", "Accept what the shop has now"),
                    ("mine", "Use mine", "Make your value a new change (it may be refused "
                                         "again with the moves that are possible)")):
                button = QPushButton(text, self)
                button.setToolTip(tip)
                button.clicked.connect(lambda _=False, k=keep: self._choose(ctx, k))
                row.addWidget(button)
                self.choices.append(button)
            layout.addLayout(row)
        self.setAccessibleName(f"Refused: {words.what}. {words.why}")

    def _choose(self, ctx: DeskContext, keep: str) -> None:
        for button in self.choices:
            button.setEnabled(False)
        for conflict_id in self.words.conflict_ids:
            ctx.worker.write(resolve_conflict, conflict_id, keep=keep,
                             on_done=lambda _c: self.on_chosen and self.on_chosen(),
                             on_error=self._refused_choice)

    def _refused_choice(self, exc: BaseException) -> None:
        """The choice could not be made: say why and offer it again."""
        self.why.setText(f"{self.words.why}\n\nThat choice could not be made: {exc}")
        for button in self.choices:
            button.setEnabled(True)


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
        self.refusals = QWidget(self)
        self.refusal_list = QVBoxLayout(self.refusals)
        self.refusal_list.setContentsMargins(0, 0, 0, 0)
        self.refusal_list.setSpacing(6)
        self.refusal_list.addStretch(1)
        self.cards: list[RefusalCard] = []
        # A column of cards that wrap to the panel's width: the reason is always in view
        # (no sideways scrolling); only a long list scrolls, downwards.
        self.refusal_scroll = QScrollArea(self)
        self.refusal_scroll.setWidgetResizable(True)
        self.refusal_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.refusal_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.refusal_scroll.setWidget(self.refusals)
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
        layout.addWidget(self.refusal_scroll, 1)
        layout.addWidget(buttons)
        ctx.sync.status_changed.connect(self.reload)
        self.reload()

    def reload(self, *_: Any) -> None:
        self.state.setText(self.ctx.sync.words())
        store = self.ctx.store
        self.ctx.worker.call(lambda: _load_details(store), on_done=self._show,
                             on_error=lambda exc: self.fields["last_error"].setText(str(exc)),
                             key="sync-details")

    def _show(self, result: tuple[dict[str, Any], list[RefusalWords]]) -> None:
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
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = [RefusalCard(words, self.ctx, self.reload, self.refusals) for words in refused]
        for n, card in enumerate(self.cards):
            self.refusal_list.insertWidget(n, card)
        self.refused_title.setText(f"Refused changes ({len(refused)})" if refused
                                   else "Refused changes")
        self.refusal_scroll.setVisible(bool(refused))
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
