"""The sync state in the status bar (words, coloured by severity, ticking "12 s ago"), the
banner when the live stream is down, and the sync details panel it opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.db import Store
from app.errors import BaylineError
from app.queries.labels import row_labels
from sync import account
from sync.outcomes import dismiss_refusal, refused_changes, resolve_refusal
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


@dataclass(frozen=True)
class Refusals:
    """The signed-in person's refused changes in words, and how many others made here."""

    words: list[RefusalWords]
    others: int = 0
    user_id: str | None = None


def load_refusals(store: Store, mutation_ids: set[int] | None = None) -> Refusals:
    """The refused changes of the person signed in now (``sync.outcomes``: the person who
    acted), in words; ``mutation_ids``: only those operations. Runs on the worker."""
    user_id = store.state().user_id
    refused = refused_changes(store, mutation_ids=mutation_ids)
    mine = [c for c in refused if c.is_for(user_id)]
    with store.read() as s:
        labels = row_labels(s, refs_of(mine))
    return Refusals([refusal_words(c, labels) for c in mine], len(refused) - len(mine), user_id)


def _load_details(store: Store) -> tuple[dict[str, Any], Refusals]:
    return account.describe(store), load_refusals(store)


class RefusalCard(QFrame):
    """One refused click: what (bold) and when, why (wrapped, always visible), both
    values, and its one-click choices (``RefusalWords.choices``): keep the shop's, use
    mine (for a status, only a move the table allows from the shop's status), or dismiss.
    A choice runs a domain operation on the worker (``sync.outcomes.resolve_refusal`` /
    ``dismiss_refusal``); ``on_chosen`` follows when it went through."""

    def __init__(self, words: RefusalWords, ctx: DeskContext, on_chosen: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refusal")
        self.ctx = ctx
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
        self.hint = QLabel(words.hint, self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(words.hint))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.why)
        layout.addWidget(self.values)
        layout.addWidget(self.hint)
        self.choices: list[QPushButton] = []
        self.dismiss: QPushButton | None = None
        row = QHBoxLayout()
        row.addStretch(1)
        for choice, text, tip in words.choices:
            button = QPushButton(text, self)
            button.setToolTip(tip)
            # A click does not pull the keyboard away from what the clerk is typing in.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c.keep))
            row.addWidget(button)
            if choice.keep == "dismiss":
                self.dismiss = button
            else:
                self.choices.append(button)
        layout.addLayout(row)
        self.setAccessibleName(f"Refused: {words.what}. {words.why}")

    @property
    def buttons(self) -> list[QPushButton]:
        return self.choices + ([self.dismiss] if self.dismiss is not None else [])

    def choose(self, keep: str) -> None:
        """Run the choice ``keep`` ("theirs", "mine" or "dismiss") on the worker."""
        for button in self.buttons:
            button.setEnabled(False)
        if keep == "dismiss":
            self.ctx.worker.write(dismiss_refusal, self.words.mutation_id,
                                  on_done=self._chosen, on_error=self._refused_choice)
        else:
            self.ctx.worker.write(resolve_refusal, self.words.mutation_id, keep=keep,
                                  on_done=self._chosen, on_error=self._refused_choice)

    def _chosen(self, _changes: Any = None) -> None:
        # The engine counts refusals when it syncs: a round now puts the status bar right
        # (and sends "mine" at once).
        self.ctx.sync.sync_now()
        if self.on_chosen is not None:
            self.on_chosen()

    def _refused_choice(self, exc: BaseException) -> None:
        """The choice could not be made: say why and offer it again."""
        why = exc.message if isinstance(exc, BaylineError) else str(exc)
        self.why.setText(f"{self.words.why}\n\nThat choice could not be made: {why}")
        for button in self.buttons:
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
        ctx.hub.subscribe(self._on_changes)  # a choice made on a card in the corner
        self.finished.connect(lambda _=0: ctx.hub.unsubscribe(self._on_changes))
        self.reload()

    def _on_changes(self, changes: Any) -> None:
        if changes.touches("mutation_outcome"):
            self.reload()

    def reload(self, *_: Any) -> None:
        self.state.setText(self.ctx.sync.words())
        store = self.ctx.store
        self.ctx.worker.call(lambda: _load_details(store), on_done=self._show,
                             on_error=lambda exc: self.fields["last_error"].setText(str(exc)),
                             key="sync-details")

    def _show(self, result: tuple[dict[str, Any], Refusals]) -> None:
        info, found = result
        refused = found.words
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
        self.refused_title.setText(f"Your refused changes ({len(refused)})" if refused
                                   else "Your refused changes")
        self.none.setText("None: every change you made here was accepted." if not found.others
                          else f"None of yours. {found.others} refused change"
                               f"{'s were' if found.others != 1 else ' was'} made by someone "
                               "else signed in on this computer; they see it when they sign "
                               "in.")
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
