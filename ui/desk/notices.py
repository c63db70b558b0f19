"""Notices on the desk that never take the keyboard: refused changes for the person who made
them, and the shop's news (a job ready, a part received, a job waiting on approval too
long, a customer arrived).

- ``NoticeStack`` — a column of small cards in the window's bottom-right corner, over the
  boards. A child widget shown without activation: the field the clerk types in keeps
  the focus, and its buttons take the keyboard only by Tab.
- ``RefusalNotifier`` — a refused change (``sync.outcomes``) of the person signed in now
  becomes a card with both values and its one-click choices (the status bar's details
  list the same); refused changes of someone else who used this computer are not theirs.
- ``NotificationCenter`` — what ``app.notices`` decides is news, for the ``Changes`` sync
  applied (never this desk's own), gathered for ``GATHER_SECONDS`` and summarised beyond
  ``SUMMARY_LIMIT``; each kind switchable (``Settings → Notifications``, kept in
  ``QSettings``), and also the system tray's message where there is a tray.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app import notices
from app.changes import Changes
from app.notices import KINDS, Notice, Waiting
from sync.status import Connection, SyncStatus
from ui.desk.context import DeskContext
from ui.desk.refusals import RefusalWords
from ui.desk.statusbar import RefusalCard, Refusals, load_refusals
from ui.qt import (
    QAction,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QObject,
    QPushButton,
    QSystemTrayIcon,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    qt_object_alive,
)

if TYPE_CHECKING:
    from ui.desk.window import MainWindow

#: How long a piece of news stays before it goes by itself (a refusal stays until chosen).
NEWS_SECONDS = 12
#: Cards shown at once; an older one goes when a newer one comes.
MAX_CARDS = 4
STACK_WIDTH = 400
REFUSED_TITLE = "Your change was not saved"
SETTINGS_PREFIX = "notifications/"
TRAY_KEY = "notifications/tray"

_STYLE = """
QFrame#toast { background: #ffffff; border: 1px solid #8a96a6; border-radius: 3px; }
QFrame#toast[kind="refusal"] { border-left: 5px solid #c62828; }
QFrame#toast[kind="news"] { border-left: 5px solid #1f6feb; }
QFrame#toast[kind="summary"] { border-left: 5px solid #2e7d32; }
QLabel#toastTitle { font-weight: 700; }
QFrame#refusal { background: transparent; border: none; }
QLabel#refusalWhat { font-weight: 700; }
"""


class Toast(QFrame):
    """One card of the stack: a title, words, buttons; it goes after ``seconds`` (None:
    it stays until a button is pressed)."""

    closed = Signal()

    def __init__(self, title: str, text: str = "", *, kind: str = "news",
                 seconds: float | None = NEWS_SECONDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setProperty("kind", kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.title = QLabel(title, self)
        self.title.setObjectName("toastTitle")
        self.title.setWordWrap(True)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.text.setVisible(bool(text))
        self.close_button = QPushButton("×", self)
        self.close_button.setObjectName("toastClose")
        self.close_button.setFlat(True)
        self.close_button.setFixedSize(28, 28)
        self.close_button.setToolTip("Close this notice")
        self.close_button.setAccessibleName("Close this notice")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.close_button.clicked.connect(self.dismiss)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(12, 8, 6, 8)
        self.body.setSpacing(4)
        self.body.addLayout(top)
        self.body.addWidget(self.text)
        self.actions_row = QHBoxLayout()
        self.actions_row.addStretch(1)
        self.body.addLayout(self.actions_row)
        self.buttons: list[QPushButton] = []
        self.setAccessibleName(f"{title}. {text}")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        if seconds is not None:
            self._timer.start(int(seconds * 1000))

    def add_button(self, text: str, slot: Callable[[], Any], tip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keyboard be
        if tip:
            button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        self.actions_row.addWidget(button)
        self.buttons.append(button)
        return button

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
        self.closed.emit()


class RefusalToast(Toast):
    """A refused change of the person signed in, with its one-click choices (the card of
    the status bar's details, ``RefusalCard``); it stays until a choice is made."""

    def __init__(self, words: RefusalWords, ctx: DeskContext,
                 parent: QWidget | None = None) -> None:
        super().__init__(REFUSED_TITLE, kind="refusal", seconds=None, parent=parent)
        self.ctx = ctx
        self.close_button.setToolTip("Close this notice (the change stays listed in Sync "
                                     "details)")
        self.card: RefusalCard | None = None
        self.set_words(words)

    @property
    def mutation_id(self) -> int:
        assert self.card is not None
        return self.card.words.mutation_id

    def set_words(self, words: RefusalWords) -> None:
        """Show ``words`` (the same refusal read again: its conflict has arrived)."""
        if self.card is not None:
            if self.card.words == words:
                return
            self.body.removeWidget(self.card)
            self.card.setParent(None)
            self.card.deleteLater()
        self.card = RefusalCard(words, self.ctx, self.dismiss, self)
        inner = self.card.layout()
        if inner is not None:
            inner.setContentsMargins(0, 0, 0, 0)  # the toast has its own
        self.body.insertWidget(1, self.card)
        self.setAccessibleName(f"{self.title.text()}. {words.what}. {words.why}")


class NoticeStack(QWidget):
    """The cards in the bottom-right corner of ``host`` (see the module docstring)."""

    changed = Signal()

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.host = host
        self.setObjectName("noticeStack")
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(8)
        self.toasts: list[Toast] = []
        self._placing = False
        host.installEventFilter(self)
        self.hide()

    def add(self, toast: Toast) -> Toast:
        toast.setParent(self)
        toast.closed.connect(lambda t=toast: self.remove(t))
        self.toasts.append(toast)
        self.column.addWidget(toast)
        while len(self.toasts) > MAX_CARDS:
            self.remove(self.toasts[0])
        toast.show()
        self.place()
        self.changed.emit()
        return toast

    def remove(self, toast: Toast) -> None:
        if toast not in self.toasts:
            return
        self.toasts.remove(toast)
        self.column.removeWidget(toast)
        toast.hide()
        toast.deleteLater()
        self.place()
        self.changed.emit()

    def visible_toasts(self) -> list[Toast]:
        return [t for t in self.toasts if not t.isHidden()]

    def place(self) -> None:
        """Size the column for its cards' words and put it in the host's corner."""
        if not self.toasts:
            self.hide()
            return
        self._placing = True
        try:
            self._place()
        finally:
            self._placing = False

    def _place(self) -> None:
        width = min(STACK_WIDTH, max(200, self.host.width() - 24))
        self.setFixedWidth(width)
        self.column.activate()
        # word-wrapped labels: the height for this width, not the unwrapped size hint
        wanted = (self.column.totalHeightForWidth(width) if self.column.hasHeightForWidth()
                  else self.sizeHint().height())
        height = min(wanted, max(100, self.host.height() - 24))
        self.resize(width, height)
        self.move(self.host.width() - width - 12, self.host.height() - height - 12)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Resize and self.toasts:
            self.place()
        return False

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # A card's words changed, or the style (fonts) came after it was placed: its
        # height for this width is asked again, so nothing is cut off.
        if event.type() == QEvent.Type.LayoutRequest and self.toasts and not self._placing:
            self.place()
        return handled


class RefusalNotifier(QObject):
    """Refused changes to the person who made them (see the module docstring)."""

    def __init__(self, ctx: DeskContext, stack: NoticeStack) -> None:
        super().__init__(stack)
        self.ctx = ctx
        self.stack = stack
        self.shown: dict[int, RefusalToast] = {}
        #: Refusals already put in front of the person this session (a closed card does not
        #: come back; the status bar's details keep listing it).
        self.seen: set[int] = set()
        ctx.hub.subscribe(self.on_changes)
        self.permissions = getattr(ctx, "permissions", None)
        self.person: Any = None
        if self.permissions is not None:  # "Switch user": the cards are the new person's
            self.permissions.changed.connect(self.person_changed)
        self.person_changed(force=True)

    def person_changed(self, force: bool = False) -> None:
        """Show the refusals of the person signed in now (and none of the last one's)."""
        who = getattr(getattr(self.permissions, "who", None), "user_id", None)
        if not force and who == self.person:
            return
        self.person = who
        for toast in list(self.shown.values()):
            toast.dismiss()
        self.seen.clear()
        store = self.ctx.store
        self.ctx.worker.call(lambda: load_refusals(store), on_done=self._show)

    def on_changes(self, changes: Changes) -> None:
        named = {int(i) for i in changes.rows.get("mutation_outcome", ()) if str(i).isdigit()}
        if changes.source == "local":
            # a choice made here (on a card or in the details): its cards go
            if named:
                self._reload(named & set(self.shown), new=False)
            return
        if not named and not (self.shown and changes.touches("conflict", "job",
                                                             "appointment")):
            return
        # The refusal comes before the pull that brings the conflict and the shop's values:
        # the cards on show are read again with every change that may complete them.
        self._reload(named | set(self.shown), new=True)

    def _reload(self, ids: set[int], *, new: bool) -> None:
        if not ids:
            return
        store = self.ctx.store

        def done(found: Refusals) -> None:
            if qt_object_alive(self):  # the window may have closed meanwhile
                self._show(found, asked=ids, new=new)

        self.ctx.worker.call(lambda: load_refusals(store, ids), on_done=done)

    def _show(self, found: Refusals, *, asked: set[int] | None = None,
              new: bool = True) -> None:
        listed = {w.mutation_id for w in found.words}
        for mutation_id, old in list(self.shown.items()):
            # settled (here or on another of this person's desks) or no longer theirs
            if asked is not None and mutation_id in asked and mutation_id not in listed:
                old.dismiss()
        if not new:
            return
        for words in reversed(found.words):  # oldest first: the newest ends at the bottom
            shown = self.shown.get(words.mutation_id)
            if shown is not None:
                shown.set_words(words)
                self.stack.place()  # the card's words changed: so may its height
            elif words.mutation_id not in self.seen:
                self.seen.add(words.mutation_id)
                toast = RefusalToast(words, self.ctx)
                toast.closed.connect(lambda m=words.mutation_id: self.shown.pop(m, None))
                self.shown[words.mutation_id] = toast
                self.stack.add(toast)

    def close(self) -> None:
        self.ctx.hub.unsubscribe(self.on_changes)


class _Before:
    """What waits (``app.notices.Waiting``), read and advanced on the worker's read thread
    only (its reads run one after another), so two quick changes never race."""

    def __init__(self) -> None:
        self.waiting = Waiting()


class NotificationCenter(QObject):
    """The shop's news on the desk (see the module docstring)."""

    #: A notice was shown (the notice; a summary is one).
    shown = Signal(object)

    def __init__(self, ctx: DeskContext, stack: NoticeStack, *,
                 open_job: Callable[[str], Any] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(stack)
        self.ctx = ctx
        self.stack = stack
        self.open_job = open_job
        self.now = now
        self.before = _Before()
        self.pending: list[Notice] = []
        self.keys: set[str] = set()
        #: Until the first sync after start (or after an outage) is shown, news is what
        #: happened "while you were offline".
        self.away = ctx.sync.has_engine
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(stack.window().windowIcon(), self)
            self.tray.setToolTip("Bayline — Front desk")
            self.tray.show()
        self.gather = QTimer(self)
        self.gather.setSingleShot(True)
        self.gather.setInterval(int(notices.GATHER_SECONDS * 1000))
        self.gather.timeout.connect(self.flush)
        self.approvals = QTimer(self)
        self.approvals.setInterval(60_000)  # a wait grows with time alone
        self.approvals.timeout.connect(self.check_approvals)
        self.approvals.start()
        ctx.hub.subscribe(self.on_changes)
        ctx.sync.status_changed.connect(self._status)
        before, store = self.before, ctx.store

        def start() -> None:
            with store.read() as session:
                before.waiting = notices.waiting_rows(session)

        ctx.worker.call(start)
        self.check_approvals()

    # --- settings -------------------------------------------------------------------------
    def enabled(self, kind: str) -> bool:
        value = self.ctx.settings.value(SETTINGS_PREFIX + kind, True)
        return value not in (False, "false", "0", 0)

    def set_enabled(self, kind: str, on: bool) -> None:
        self.ctx.settings.setValue(SETTINGS_PREFIX + kind, bool(on))

    def tray_enabled(self) -> bool:
        return self.ctx.settings.value(TRAY_KEY, True) not in (False, "false", "0", 0)

    # --- news in ----------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if not changes.touches("job_line", "appointment", "status_event"):
            return
        rows = {e: frozenset(changes.rows.get(e, ())) for e in
                ("job_line", "appointment", "status_event")}
        from_others = changes.source != "local"  # this desk's own: only what waits moves
        before, now, store = self.before, self.now(), self.ctx.store

        def read() -> list[Notice]:
            with store.read() as session:
                found, before.waiting = notices.notices_for_changes(
                    session, rows, before.waiting, now=now, from_others=from_others)
            return found

        # ``call``, not ``read``: the boards' own reads stay the only ``read``s a change makes
        self.ctx.worker.call(read, on_done=self.add)

    def check_approvals(self) -> None:
        now, store = self.now(), self.ctx.store

        def read() -> list[Notice]:
            with store.read() as session:
                return notices.approval_waits(session, now)

        self.ctx.worker.call(read, on_done=self.add)

    def add(self, found: list[Notice]) -> None:
        fresh = [n for n in found if n.key not in self.keys]
        if not fresh:
            return
        self.keys.update(n.key for n in fresh)
        self.pending.extend(fresh)
        if not self.gather.isActive():
            self.gather.start()

    def _status(self, status: SyncStatus) -> None:
        if status.connection in (Connection.OFFLINE, Connection.ERROR):
            self.away = True

    # --- news out ---------------------------------------------------------------------------
    def flush(self) -> list[Notice]:
        """Show what was gathered (switched-off kinds dropped; many become one summary)."""
        gathered, self.pending = self.pending, []
        wanted = [n for n in gathered if self.enabled(n.kind)]
        out = notices.summarize(wanted, offline=self.away)
        status = self.ctx.sync.status
        if status is not None and status.connection is Connection.ONLINE:
            self.away = False
        for n in out:
            self.show_notice(n)
        return out

    def show_notice(self, n: Notice) -> Toast:
        toast = Toast(n.title, n.text, kind="summary" if n.kind == "summary" else "news")
        if n.job_id is not None and self.open_job is not None:
            job_id, open_job = n.job_id, self.open_job

            def open_it() -> None:
                open_job(job_id)
                toast.dismiss()

            toast.add_button("Open job", open_it, "Show this job in the detail panel")
        self.stack.add(toast)
        if self.tray is not None and self.tray_enabled():
            self.tray.showMessage(n.title, n.text, QSystemTrayIcon.MessageIcon.Information,
                                  NEWS_SECONDS * 1000)
        self.shown.emit(n)
        return toast

    def close(self) -> None:
        self.gather.stop()
        self.approvals.stop()
        self.ctx.hub.unsubscribe(self.on_changes)
        if self.tray is not None:
            self.tray.hide()


def notification_menu(center: NotificationCenter, parent: QWidget) -> QMenu:
    """``Notifications`` with a checkable action per kind (and the tray's messages)."""
    menu = QMenu("&Notifications", parent)
    menu.setObjectName("notificationsMenu")
    menu.setToolTipsVisible(True)
    center.actions = {}  # type: ignore[attr-defined]
    for kind, words in KINDS.items():
        act = QAction(words, menu)
        act.setObjectName(f"notify_{kind}")
        act.setCheckable(True)
        act.setChecked(center.enabled(kind))
        act.toggled.connect(lambda on, k=kind: center.set_enabled(k, on))
        menu.addAction(act)
        center.actions[kind] = act  # type: ignore[attr-defined]
    menu.addSeparator()
    tray = QAction("Also in the system &tray", menu)
    tray.setObjectName("notify_tray")
    tray.setCheckable(True)
    tray.setChecked(center.tray_enabled())
    tray.setEnabled(center.tray is not None)
    tray.setToolTip("Windows' notification area shows each notice too" if center.tray
                    else "This computer has no system tray")
    tray.toggled.connect(lambda on: center.ctx.settings.setValue(TRAY_KEY, bool(on)))
    menu.addAction(tray)
    return menu


def install_notices(window: MainWindow) -> None:
    """The notice stack, the refusal notifier, the notification centre and the
    ``Settings → Notifications`` menu of a desk window (called once by the window)."""
    host = window.centralWidget()
    assert host is not None
    stack = NoticeStack(host)
    window.notice_stack = stack  # type: ignore[attr-defined]
    window.refusal_notifier = RefusalNotifier(window.ctx, stack)  # type: ignore[attr-defined]
    center = NotificationCenter(window.ctx, stack, open_job=window.open_job)
    window.notifications = center  # type: ignore[attr-defined]
    bar = window.menuBar()
    settings: QMenu | None = next(
        (m for a in bar.actions() if isinstance(m := a.menu(), QMenu)
         and a.text().replace("&", "") == "Settings"), None)
    if settings is None:
        # before Help, where a Settings menu goes
        help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"),
                           None)
        settings = QMenu("&Settings", window)
        settings.setObjectName("settingsMenu")
        if help_action is not None:
            bar.insertMenu(help_action, settings)
        else:
            bar.addMenu(settings)
    settings.addMenu(notification_menu(center, window))
    window.ctx.shut_down.connect(center.close)
    window.ctx.shut_down.connect(window.refusal_notifier.close)  # type: ignore[attr-defined]
