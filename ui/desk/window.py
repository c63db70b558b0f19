"""The front-desk main window: menu bar, toolbar, shortcuts, the queue and technician
boards as tabs, the job detail panel, the sync state in the status bar, the live banner.

Every move — drag and drop, context menu, keyboard — goes through ``move_job`` and every
assignment through ``assign_job``: one domain operation on the database worker. The board
is repainted by the change hub after the write, never by the gesture itself, so a refused
move leaves nothing to undo; the refusal is explained in the notice bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from app import rules
from app.changes import Changes
from app.errors import BaylineError, NotAllowed, TransitionError
from app.ops import jobs
from app.queries.board_rows import BoardRows, board_rows_by_id
from app.recovery import Opened
from ui.application import icon
from ui.boards.queue import QueueBoard
from ui.boards.technicians import TechnicianBoardView
from ui.desk.checkin import CheckInDialog, guess_prefill
from ui.desk.context import DeskContext
from ui.desk.detail import JobDetailPanel
from ui.desk.dialogs import KeyboardHelpDialog, SignInDialog
from ui.desk.notices import install_notices
from ui.desk.schedule import ScheduleBoard
from ui.desk.search import NEW_KIND, GlobalSearch
from ui.desk.statusbar import (
    LiveBanner,
    RecoveryBar,
    SyncDetailsDialog,
    SyncStateButton,
    recovery_words,
)
from ui.models.queue import DeskData, load_desk, patch_desk
from ui.qt import (
    QAction,
    QApplication,
    QCloseEvent,
    QCursor,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    Qt,
    QTabWidget,
    QTimer,
    QToolBar,
    QVBoxLayout,
    QWidget,
    Signal,
    qt_object_alive,
)

log = logging.getLogger(__name__)

#: A change to any of these may change what the boards show.
BOARD_ENTITIES = ("job", "job_line", "technician", "bay", "time_entry", "customer", "vehicle")
#: A change to any of these may reshape the boards (a technician's column, the pickers,
#: today's clocked time, the labels of many cards): the whole boards are re-read.
RESHAPING_ENTITIES = ("technician", "bay", "time_entry", "customer", "vehicle")
#: A change naming more jobs and lines than this re-reads the whole boards (one read of
#: everything is cheaper than a by-id read of most of it).
BY_ID_LIMIT = 50
#: Overdue flags and today's minutes change with time alone: re-read this often (ms).
PERIODIC_REFRESH_MS = 60_000

QUEUE_TAB, TECH_TAB = 0, 1


class Notice(QFrame):
    """A non-modal message above the boards (a refused move, a failed write)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Dismiss", self)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.addWidget(self.label, 1)
        row.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "bad", *, seconds: float = 15) -> None:
        colours = {"bad": ("#fdecea", "#8e1c1c", "#f0b4b0"),
                   "info": ("#e8f1fe", "#0d3c82", "#b6cff5")}[kind]
        self.setStyleSheet(f"QFrame#notice {{ background: {colours[0]}; border-bottom: 1px "
                           f"solid {colours[2]}; }} QFrame#notice QLabel {{ color: "
                           f"{colours[1]}; font-weight: 600; }}")
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.show()
        self._timer.start(int(seconds * 1000))


class MainWindow(QMainWindow):
    """See the module docstring. ``queue_board`` and ``tech_board`` are the two boards."""

    #: A fresh read of the boards is shown (tests and benches wait on it).
    boards_refreshed = Signal(object)
    #: A move or assignment was refused: (job id, message).
    refused = Signal(str, str)

    def __init__(self, ctx: DeskContext, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.ctx = ctx
        self.now = now
        self.data: DeskData | None = None
        self._follow: str | None = None
        self._refresh_queued = False
        self._changed_jobs: set[str] = set()
        self._changed_lines: set[str] = set()
        self._dialogs: dict[str, Any] = {}
        self.setWindowTitle("Bayline — Front desk")
        self.setObjectName("deskWindow")
        self.setMinimumSize(960, 600)

        self.queue_board = QueueBoard(self)
        self.tech_board = TechnicianBoardView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.queue_board, icon("queue"), "&Queue board")
        self.tabs.addTab(self.tech_board, icon("technicians"), "&Technicians")
        self.tabs.setTabToolTip(QUEUE_TAB, "Jobs by status (Ctrl+1)")
        self.tabs.setTabToolTip(TECH_TAB, "Technicians and their jobs (Ctrl+2)")
        self.schedule = ScheduleBoard(ctx, self, now=now)
        self.tabs.addTab(self.schedule, icon("schedule"), "&Schedule")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.schedule),
                                "The day's appointments by bay and technician (Ctrl+3)")
        self.schedule.open_job_requested.connect(self.open_job)
        self.banner = LiveBanner(ctx, self)
        self.notice = Notice(self)
        self.recovery = RecoveryBar(self)
        central = QWidget(self)
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.banner)
        col.addWidget(self.recovery)
        col.addWidget(self.notice)
        col.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.detail = JobDetailPanel(ctx, self)
        self.detail_dock = QDockWidget("Job", self)
        self.detail_dock.setObjectName("jobDetailDock")
        self.detail_dock.setWidget(self.detail)
        self.detail_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                     | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.detail_dock.setMinimumWidth(320)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.detail_dock)
        self.detail_dock.hide()

        self.sync_state = SyncStateButton(ctx, self)
        self.sync_state.clicked.connect(self.show_sync_details)
        self.writes = QLabel("", self)
        self.writes.setObjectName("hint")
        self.statusBar().addWidget(self.sync_state, 1)
        self.statusBar().addPermanentWidget(self.writes)
        self.statusBar().setSizeGripEnabled(True)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_people()
        install_notices(self)  # refused changes and the shop's news, never taking focus

        for board in (self.queue_board, self.tech_board):
            board.open_requested.connect(self.open_job)
            board.assign_requested.connect(self._assign_many)
        self.queue_board.move_requested.connect(self._move_many)
        ctx.hub.subscribe(self._on_changes)
        ctx.worker.failed.connect(self._write_failed)
        ctx.worker.busy_changed.connect(self._busy)
        ctx.sync.session_ended.connect(self._session_ended)
        ctx.sync.status_changed.connect(self._maybe_sync_changed)
        self._periodic = QTimer(self)
        self._periodic.setInterval(PERIODIC_REFRESH_MS)
        self._periodic.timeout.connect(self.refresh)
        self._periodic.start()
        self.restore_settings()
        self.refresh()
        if ctx.recovered is not None:
            self.show_recovery(ctx.recovered)

    # --- actions, menus, toolbar ------------------------------------------------------
    def _action(self, name: str, text: str, slot: Callable[[], Any], keys: str | None = None,
                icon_name: str | None = None, tip: str | None = None) -> QAction:
        act = QAction(icon(icon_name) if icon_name else icon(""), text, self)
        act.setObjectName(name)
        if keys:
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(f"{tip or text.replace('&', '')}" + (f" ({keys})" if keys else ""))
        act.triggered.connect(lambda _=False: slot())
        self.addAction(act)
        return act

    def _make_actions(self) -> None:
        a = self._action
        self.act_sync = a("syncNow", "&Sync now", self.sync_now, "F5", "sync",
                          "Send waiting changes and fetch the others' now")
        self.act_find = a("find", "&Filter the board…", self.find, "Ctrl+Shift+F", "find",
                          "Filter the queue board")
        self.act_search = a("search", "&Search…", self.start_search, "Ctrl+F", "find",
                            "Find a customer, vehicle or job")
        self.act_checkin = a("checkIn", "&New check-in…", self.check_in, "Ctrl+N", "queue",
                             "Check in a new customer and vehicle")
        self.act_queue = a("showQueue", "&Queue board", lambda: self.show_board(QUEUE_TAB),
                           "Ctrl+1", "queue")
        self.act_tech = a("showTechnicians", "&Technician board",
                          lambda: self.show_board(TECH_TAB), "Ctrl+2", "technicians")
        self.act_schedule = a("showSchedule", "&Schedule", self.show_schedule, "Ctrl+3",
                              "schedule", "The day's appointments by bay and technician")
        self.act_detail = a("toggleDetail", "Job &detail panel", self.toggle_detail, "Ctrl+D",
                            "details")
        self.act_details = a("syncDetails", "Sync &details…", self.show_sync_details)
        self.act_help = a("keyboardHelp", "&Keyboard shortcuts", self.show_help, "F1", "help")
        self.act_quit = a("quit", "E&xit", self.close, "Ctrl+Q")
        self.act_refresh = a("refreshBoards", "&Refresh boards", self.refresh, "Ctrl+R")
        self.act_print = a("printOrder", "&Print repair order…",
                           lambda: self.print_current("order"), "Ctrl+P", "print",
                           "Print or save as PDF the repair order of the selected job")
        self.act_print_invoice = a("printInvoice", "Print &invoice…",
                                   lambda: self.print_current("invoice"), "Ctrl+Shift+P",
                                   None, "Print or save as PDF the invoice of the selected job")
        self.act_efficiency = a("reportEfficiency", "Technician &efficiency…",
                                lambda: self.show_reports(0), None, None,
                                "Efficiency and productivity of each technician over a range")
        self.act_maintenance = a("reportMaintenance", "&Maintenance due…",
                                 lambda: self.show_reports(1), None, None,
                                 "Vehicles with a service overdue or due soon, to call")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.act_checkin)
        file.addAction(self.act_sync)
        file.addAction(self.act_details)
        file.addSeparator()
        file.addAction(self.act_print)
        file.addAction(self.act_print_invoice)
        file.addSeparator()
        file.addAction(self.act_quit)
        view = bar.addMenu("&View")
        for act in (self.act_queue, self.act_tech, self.act_detail, self.act_search,
                    self.act_find, self.act_refresh):
            view.addAction(act)
        view.insertAction(self.act_detail, self.act_schedule)
        self.job_menu = bar.addMenu("&Job")
        self.job_menu.aboutToShow.connect(self._fill_job_menu)
        reports = bar.addMenu("&Reports")
        reports.addAction(self.act_efficiency)
        reports.addAction(self.act_maintenance)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_help)
        help_menu.addAction("&About Bayline", self._about)

    def _make_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.act_sync, self.act_find, self.act_detail, self.act_help):
            tb.addAction(act)
        tb.insertAction(self.act_help, self.act_schedule)
        tb.addSeparator()
        tb.addAction(self.act_checkin)
        self.search = GlobalSearch(self.ctx.worker, self, tb, hub=self.ctx.hub)
        self.search.opened.connect(self.open_hit)
        tb.addWidget(self.search)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    def _fill_job_menu(self) -> None:
        self.job_menu.clear()
        current = self.queue_board.current_job()
        if current is None:
            act = self.job_menu.addAction("Select a card on the queue board first")
            act.setEnabled(False)
            return
        previous = getattr(self, "_job_menu_source", None)
        if previous is not None:
            previous.deleteLater()  # the actions of the last opening go with their menu
        built = self._job_menu_source = self.queue_board.build_menu(*current)
        for act in built.actions():
            self.job_menu.addAction(act)

    # --- the boards ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read both boards on the worker (coalesced: one read per burst of changes)."""
        if self._refresh_queued or self.ctx.closing:
            return
        self._refresh_queued = True
        QTimer.singleShot(0, self._read_boards)

    def _read_boards(self) -> None:
        self._refresh_queued = False
        self.ctx.worker.read(load_desk, self.now(), key="boards", on_done=self._show_data)

    def _show_data(self, data: DeskData) -> None:
        self.data = data
        self.queue_board.set_data(data)
        self.tech_board.set_data(data)
        if self._follow is not None:
            job_id, self._follow = self._follow, None
            if self.tabs.currentIndex() == QUEUE_TAB:
                self.queue_board.select_job(job_id)
        self.boards_refreshed.emit(data)

    def requery_jobs(self, job_ids: Collection[str], line_ids: Collection[str] = ()) -> None:
        """Re-read only these jobs (and the jobs of these lines) on the worker and show them
        on both boards (coalesced: one read per burst of changes). The read is
        ``app.queries.board_rows.board_rows_by_id``; ``patch_desk`` puts it in place."""
        if self.ctx.closing:
            return
        if not self._changed_jobs and not self._changed_lines:
            QTimer.singleShot(0, self._read_changed)
        self._changed_jobs.update(job_ids)
        self._changed_lines.update(line_ids)

    def _read_changed(self) -> None:
        job_ids, self._changed_jobs = self._changed_jobs, set()
        line_ids, self._changed_lines = self._changed_lines, set()
        if self._refresh_queued:
            return  # a whole read is about to start: it sees these changes too
        if self.data is None or len(job_ids) + len(line_ids) > BY_ID_LIMIT:
            self.refresh()
            return
        # no key: a by-id read is never superseded by another (each names other jobs);
        # reads run in order on one thread, so each result lands on the newer data
        self.ctx.worker.read(board_rows_by_id, job_ids, self.now(), line_ids=line_ids,
                             on_done=self._show_changed)

    def _show_changed(self, rows: BoardRows) -> None:
        if self.data is None:
            self.refresh()
            return
        self._show_data(patch_desk(self.data, rows))

    def _on_changes(self, changes: Changes) -> None:
        """Re-read what changed: the changed jobs alone when the change names a few jobs
        or lines, the whole boards when it names many or reshapes them."""
        if not changes.touches(*BOARD_ENTITIES):
            return
        job_ids = changes.rows.get("job", frozenset())
        line_ids = changes.rows.get("job_line", frozenset())
        if (changes.touches(*RESHAPING_ENTITIES) or self.data is None
                or len(job_ids) + len(line_ids) > BY_ID_LIMIT):
            self.refresh()
        else:
            self.requery_jobs(job_ids, line_ids)

    def show_board(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        board = self.tabs.currentWidget()
        if index == QUEUE_TAB:
            for view in self.queue_board.views.values():
                if view.model().rowCount():
                    view.setFocus()
                    break
        elif board is self.schedule:
            self.schedule.focus_lanes()
        elif board is not None:
            self.tech_board.unassigned_view.setFocus()

    def show_schedule(self) -> None:
        """The day schedule (Ctrl+3), its lanes focused for the keyboard."""
        self.show_board(self.tabs.indexOf(self.schedule))

    def find(self) -> None:
        self.show_board(QUEUE_TAB)
        self.queue_board.search.setFocus()
        self.queue_board.search.selectAll()

    def card_facts(self, job_id: str) -> tuple[str, str | None]:
        """(number, status) of an open job as the boards last showed it."""
        if self.data is not None:
            for cards in self.data.columns.values():
                for c in cards:
                    if c.card.job_id == job_id:
                        return c.card.number, c.card.status
        return "?", None

    # --- moving and assigning: the one path of drag, menu and keyboard -------------------
    def move_job(self, job_id: str, to_status: str, *, hold_reason: str | None = None) -> None:
        """Move a job to ``to_status`` through the domain operation (on the worker)."""
        number, status = self.card_facts(job_id)
        if not self._role_allows(job_id, number, "job", {"status": to_status}):
            return
        # Ask which hold only for a move the table allows; a refused one is explained below.
        if to_status == "on_hold" and hold_reason is None and (
                status is None or rules.can_move(status, to_status)):
            hold_reason = self.ask_hold_reason()
            if hold_reason is None:
                return
        if self.queue_board.current_job() is not None:
            self._follow = job_id  # keyboard users keep the card they moved
        self.ctx.worker.write(
            jobs.move_status, job_id, to_status, hold_reason=hold_reason,
            on_error=lambda exc: self._refuse(job_id, number, exc))

    def assign_job(self, job_id: str, technician_id: str | None) -> None:
        number = self.card_facts(job_id)[0]
        if not self._role_allows(job_id, number, "job", {"technician_id": technician_id}):
            return
        self.ctx.worker.write(jobs.assign, job_id, technician_id=technician_id,
                              on_error=lambda exc: self._refuse(job_id, number, exc))

    def ask_hold_reason(self) -> str | None:
        """Which hold: a small menu at the pointer (tests replace this method)."""
        menu = QMenu(self)
        menu.addSection("Put on hold for")
        for reason in rules.HOLD_REASONS:
            menu.addAction(reason.capitalize()).setData(reason)
        chosen = menu.exec(QCursor.pos())
        return str(chosen.data()) if chosen is not None else None

    def _move_many(self, ids: list[str], to_status: str) -> None:
        for job_id in ids:
            self.move_job(job_id, to_status)

    def _assign_many(self, ids: list[str], technician_id: str | None) -> None:
        for job_id in ids:
            self.assign_job(job_id, technician_id)

    def _refuse(self, job_id: str, number: str, exc: BaseException) -> None:
        if isinstance(exc, TransitionError):
            text = f"Job {number} was not moved. {exc.message}"
        elif isinstance(exc, BaylineError):
            text = f"Job {number}: {exc.message}"
        else:
            text = f"Job {number} could not be changed: {exc}"
        self._follow = None
        self.notice.show_message(text)
        self.refused.emit(job_id, text)

    def _write_failed(self, exc: BaseException) -> None:
        msg = exc.message if isinstance(exc, BaylineError) else f"Something went wrong: {exc}"
        self.notice.show_message(msg)

    def _busy(self, writes: int) -> None:
        self.writes.setText(f"Saving {writes}…" if writes else "")

    # --- detail, sync, help -------------------------------------------------------------
    def open_job(self, job_id: str) -> None:
        if not job_id:  # an appointment with no job yet, say: nothing to edit
            return
        editor = self.open_editor(job_id)
        self.detail_dock.show()
        # The panel (behind the editor) reads once the editor has shown the job, so the two
        # never compete for the worker and the GIL while the clerk waits for the editor.
        if editor.data is not None and editor.data.job_id == job_id:
            self.detail.show_job(job_id)
        else:
            def after(_data: Any, e: Any = editor) -> None:
                e.loaded.disconnect(after)
                QTimer.singleShot(0, lambda: self.detail.show_job(job_id))

            editor.loaded.connect(after)

    def open_editor(self, job_id: str) -> Any:
        """The job editor of ``job_id`` (``ui.desk.editor``): raised when already open."""
        from ui.desk.editor import open_editor

        return open_editor(self, self.ctx, job_id)

    def toggle_detail(self) -> None:
        self.detail_dock.setVisible(not self.detail_dock.isVisible())

    def sync_now(self) -> None:
        if not self.ctx.sync.has_engine:
            self.notice.show_message("This computer is not connected to a server: "
                                     "its work stays here.", "info", seconds=6)
        self.ctx.sync.sync_now()

    def _maybe_sync_changed(self, *_: Any) -> None:
        pass  # synced rows arrive through the hub; the status widgets follow by themselves

    def _show_dialog(self, name: str, make: Callable[[], Any]) -> Any:
        dialog = self._dialogs.get(name)
        if dialog is None:
            dialog = self._dialogs[name] = make()
            dialog.finished.connect(lambda _=0: self._dialogs.pop(name, None))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_sync_details(self) -> SyncDetailsDialog:
        return self._show_dialog("sync", lambda: SyncDetailsDialog(self.ctx, self))

    def show_help(self) -> KeyboardHelpDialog:
        return self._show_dialog("help", lambda: KeyboardHelpDialog(self))

    def _session_ended(self, reason: str) -> None:
        store = self.ctx.store

        def open_dialog(state: Any) -> None:
            self._show_dialog("signin", lambda: SignInDialog(
                self.ctx, reason, state.server_url or "", state.username or "", self))

        self.ctx.worker.call(store.state, on_done=open_dialog)

    def show_recovery(self, recovered: Opened) -> None:
        """Tell the clerk the replica was damaged and rebuilt at start (``recovered`` is what
        ``app.recovery.open_replica`` returned); the words depend on whether the damaged
        replica was bound to a server that holds the shop's data (not on what the fresh one
        joined since: a never-synced file's jobs are in the set-aside file only)."""
        if recovered.notice is None:
            return
        words = recovery_words(recovered.set_aside, recovered.salvaged, recovered.server_url)
        self.recovery.show_recovery(words, recovered.notice)

    # --- search and check-in (ui.desk.search, ui.desk.checkin) ---------------------------
    def start_search(self) -> None:
        """Ctrl+F anywhere: the one search field (the board's own filter is Ctrl+Shift+F)."""
        self.search.start()

    def open_hit(self, hit: Any) -> None:
        """A search hit opened: a job in the detail panel, a customer or vehicle (or nobody
        found) in the check-in."""
        if hit.kind == "job":
            self.open_job(hit.id)
        elif hit.kind == "vehicle":
            self.check_in(vehicle_id=hit.id)
        elif hit.kind == "customer":
            self.check_in(customer_id=hit.id)
        elif hit.kind == NEW_KIND:
            self.check_in(prefill=guess_prefill(self.search.text()))

    def check_in(self, *, vehicle_id: str | None = None, customer_id: str | None = None,
                 prefill: dict[str, str] | None = None) -> CheckInDialog:
        """The check-in dialog (one at a time: a new one replaces the last)."""
        old = self._dialogs.pop("checkin", None)
        if old is not None:
            old.close()
        dialog = self._show_dialog("checkin", lambda: CheckInDialog(
            self.ctx, self, vehicle_id=vehicle_id, customer_id=customer_id, prefill=prefill,
            now=self.now))
        dialog.created.connect(self._checked_in)
        return dialog  # type: ignore[no-any-return]

    def _checked_in(self, job_id: str, changes: Changes) -> None:
        self.search.clear()
        self._follow = job_id
        self.open_job(job_id)
        text = "The job is queued."
        if changes.warnings:
            text += " " + " ".join(changes.warnings)
        self.notice.show_message(text, "info", seconds=10)

    def selected_job_id(self) -> str | None:
        """The job a command acts on: the card selected on the queue board, else the job
        open in the detail panel."""
        current = self.queue_board.current_job() if self.tabs.currentIndex() == QUEUE_TAB \
            else None
        if current is not None:
            return current[0]
        if self.detail_dock.isVisible() and self.detail.job_id is not None:
            return self.detail.job_id
        return None

    def print_current(self, kind: str = "order") -> Any:
        """Ctrl+P: the selected (or open) job's repair order (or invoice) to print or save
        as PDF (``ui.desk.printing``)."""
        from ui.desk.printing import print_job

        job_id = self.selected_job_id()
        if job_id is None:
            self.notice.show_message("Select a job on the queue board (or open one) to "
                                     "print it.", "info", seconds=6)
            return None
        return print_job(self, self.ctx, job_id, kind)

    def show_reports(self, tab: int = 0) -> Any:
        """The reports window (``ui.desk.reports``) at ``tab``: 0 efficiency, 1 maintenance."""
        from ui.desk.reports import ReportsWindow

        window = self._show_dialog("reports", lambda: ReportsWindow(self.ctx, self))
        window.show_tab(tab)
        return window

    def _about(self) -> None:
        from ui.qt import QMessageBox

        QMessageBox.about(self, "About Bayline",
                          "<b>Bayline</b><br>The shop system that keeps working through an "
                          "outage.")

    def bring_forward(self) -> None:
        """A second start asked for this window."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # --- who is at the desk: roles, administration, lock (ui.desk.permissions, admin, lock)
    def _make_people(self) -> None:
        """The role limits on the boards, the Administration menu (managers and admins),
        File > Switch user / Lock, the lock after inactivity, who is signed in."""
        from ui.desk.lock import SessionLock

        perms = self.ctx.permissions
        self.queue_board.permissions = perms
        self.session_lock = SessionLock(self)
        self.act_switch_user = self._action("switchUser", "S&witch user…",
                                            self.session_lock.switch_user, None, None,
                                            "Sign in as another person at this PC")
        self.act_lock = self._action("lockDesk", "&Lock", self.session_lock.lock, "Ctrl+L",
                                     None, "Lock the desk until a password is typed")
        bar = self.menuBar()
        for top in bar.actions():
            menu = top.menu()
            if menu is not None and self.act_quit in menu.actions():
                menu.insertAction(self.act_quit, self.act_switch_user)
                menu.insertAction(self.act_quit, self.act_lock)
                menu.insertSeparator(self.act_quit)
                break
        self.admin_menu = QMenu("&Administration", self)
        self.admin_menu.setObjectName("adminMenu")
        self.admin_menu.setToolTipsVisible(True)
        for name, text, tab, entity in (
                ("adminTechnicians", "&Technicians and PINs…", "technicians", "technician"),
                ("adminBays", "&Bays…", "bays", "bay"),
                ("adminUsers", "&Users and roles…", "users", None),
                ("adminTime", "Time &entry corrections…", "time", "time_entry"),
                ("adminSettings", "Shop &settings…", "settings", "shop_settings")):
            act = self._action(name, text, lambda t=tab: self.show_admin(t))
            if entity is not None:
                perms.bind(act, entity, "create" if entity == "time_entry" else "update")
            else:
                perms.bind_rule(act, perms.users)
            self.admin_menu.addAction(act)
        # A check-in writes up a job: offered only to a role that may (not a technician).
        perms.bind(self.act_checkin, "job", "create")
        last = bar.actions()[-1] if bar.actions() else None  # Help stays last
        bar.insertMenu(last, self.admin_menu) if last is not None else bar.addMenu(self.admin_menu)
        self.signed_in_label = QLabel("", self)
        self.signed_in_label.setObjectName("signedIn")
        self.statusBar().addPermanentWidget(self.signed_in_label)
        perms.changed.connect(self._people_changed)
        self.session_lock.locked_changed.connect(lambda _on: self._people_changed())
        self._people_changed()

    def _people_changed(self) -> None:
        perms = self.ctx.permissions
        self.admin_menu.menuAction().setVisible(perms.is_manager())
        why = self.session_lock.why_not()
        for act, tip in ((self.act_switch_user, "Sign in as another person at this PC"),
                         (self.act_lock, "Lock the desk until a password is typed (Ctrl+L)")):
            act.setEnabled(why is None)
            act.setToolTip(why or tip)
        who = perms.who
        self.signed_in_label.setText(f"{who.username} · {who.role}" if who.username else "")
        self.signed_in_label.setToolTip("Signed in to this desk: the changes made here are "
                                        "this person's" if who.username else "")

    def _role_allows(self, job_id: str, number: str, entity: str,
                     fields: dict[str, Any]) -> bool:
        """The role table's answer before a write (an offline clerk never makes an edit the
        server will refuse): False, with the reason in the notice bar, when refused."""
        ok, why = self.ctx.permissions.allowed(entity, "update", fields)
        if not ok:
            self._refuse(job_id, number, NotAllowed(why))
        return ok

    def show_admin(self, tab: str = "technicians") -> Any:
        """The administration window on ``tab`` (``ui.desk.admin.TABS``)."""
        from ui.desk.admin import AdminDialog

        dialog = self._show_dialog("admin", lambda: AdminDialog(self.ctx, self))
        dialog.show_tab(tab)
        return dialog

    # --- settings and closing -----------------------------------------------------------
    def restore_settings(self) -> None:
        s = self.ctx.settings
        geometry = s.value("desk/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = QApplication.primaryScreen()
            if screen is not None:
                avail = screen.availableGeometry()
                self.resize(min(1600, avail.width()), min(960, avail.height()))
        state = s.value("desk/state")
        if state is not None:
            self.restoreState(state)
        board = s.value("desk/board", QUEUE_TAB)
        if isinstance(board, (int, str)) and str(board).isdigit():
            self.tabs.setCurrentIndex(int(board))

    def save_settings(self) -> None:
        s = self.ctx.settings
        s.setValue("desk/geometry", self.saveGeometry())
        s.setValue("desk/state", self.saveState())
        s.setValue("desk/board", self.tabs.currentIndex())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Hide at once, finish queued writes and stop sync off the GUI thread, then
        close for real: the window never shows "Not responding"."""
        if getattr(self, "_closed", False):
            event.accept()
            return
        self.save_settings()
        # Open job editors first: closing one commits what is typed in it (its writes
        # queue before the shutdown below finishes the queued writes).
        for editor in list(self.__dict__.get("job_editors", {}).values()):
            if qt_object_alive(editor):
                editor.close()
        for dialog in list(self._dialogs.values()):
            dialog.close()
        event.ignore()
        self.hide()
        self.ctx.shutdown(self._finish_close)

    def _finish_close(self) -> None:
        self._closed = True
        self.ctx.hub.unsubscribe(self._on_changes)
        self.ctx.hub.unsubscribe(self.detail.on_changes)
        self.schedule.close_down()
        self.close()
        app = QApplication.instance()
        if app is not None and not app.closingDown():
            app.quit()
