"""The queue board: a column per open status with its count, cards painted by the card
delegate, filters by technician and bay, and a search within the board.

The board does no I/O: it shows ``DeskData`` and asks for moves through ``move_requested``
(drag and drop, the context menu and the keyboard all end there), opens through
``open_requested``.
"""

from __future__ import annotations

from typing import Any

from app import rules
from ui.boards.common import BoardColumn, CardListView
from ui.models.queue import UNASSIGNED, CardFilter, DeskData, column_model
from ui.models.rows import ID_ROLE, ROW_ROLE, RowListModel
from ui.qt import (
    QAction,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPoint,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: Where "move right/left" (Alt+Right / Alt+Left) takes a card: the board's column order.
COLUMN_ORDER = rules.OPEN_STATUSES
#: Narrower than this, a card cuts vehicles and customers to a few letters.
COLUMN_MIN_WIDTH = 232


class QueueBoard(QWidget):
    """See the module docstring."""

    #: (job ids, target status)
    move_requested = Signal(list, str)
    #: (job ids, technician id or None)
    assign_requested = Signal(list, object)
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueBoard")
        self.models: dict[str, RowListModel] = {}
        self.filters: dict[str, CardFilter] = {}
        self.views: dict[str, CardListView] = {}
        self.columns: dict[str, BoardColumn] = {}
        self._data: DeskData | None = None
        self._technicians: list[tuple[str, str]] = []
        self._last_view: CardListView | None = None

        bar = QFrame(self)
        bar.setObjectName("filterBar")
        self.search = QLineEdit(bar)
        self.search.setPlaceholderText("Search: job, plate, vehicle, customer")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the queue board")
        self.search.setMinimumWidth(280)
        self.technician = QComboBox(bar)
        self.technician.setAccessibleName("Filter by technician")
        self.technician.setMinimumContentsLength(14)
        self.bay = QComboBox(bar)
        self.bay.setAccessibleName("Filter by bay")
        self.bay.setMinimumContentsLength(10)
        self.summary = QLabel(bar)
        self.summary.setObjectName("hint")
        tech_label = QLabel("&Technician:", bar)
        tech_label.setBuddy(self.technician)
        bay_label = QLabel("&Bay:", bar)
        bay_label.setBuddy(self.bay)
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.search, 2)
        row.addSpacing(12)
        row.addWidget(tech_label)
        row.addWidget(self.technician)
        row.addSpacing(8)
        row.addWidget(bay_label)
        row.addWidget(self.bay)
        row.addStretch(1)
        row.addWidget(self.summary)

        # the columns share the width; below COLUMN_MIN_WIDTH each (a narrow window, the
        # job panel open) the strip scrolls sideways rather than cut names to a few letters
        self.strip = QWidget()
        self.strip.setObjectName("queueStrip")
        strip = QHBoxLayout(self.strip)
        strip.setContentsMargins(8, 8, 8, 8)
        strip.setSpacing(8)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.strip)  # before the tab order: one window
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        previous: QWidget = self.bay
        for status in COLUMN_ORDER:
            model = column_model(lambda ids, s=status: self.move_requested.emit(ids, s), self)
            proxy = CardFilter(self)
            proxy.setSourceModel(model)
            view = CardListView(self)
            view.setModel(proxy)
            view.setAccessibleName(f"{rules.STATUS_LABELS[status]} column")
            view.open_requested.connect(self.open_requested)
            view.focused.connect(lambda v=view: setattr(self, "_last_view", v))
            view.focused.connect(lambda s=status: self.scroll.ensureWidgetVisible(
                self.columns[s], 0, 0))
            view.neighbour_requested.connect(lambda d, s=status: self._focus_neighbour(s, d))
            view.customContextMenuRequested.connect(
                lambda pos, v=view: self._context_menu(v, pos))
            column = BoardColumn(rules.STATUS_LABELS[status], view, self.strip)
            column.setMinimumWidth(COLUMN_MIN_WIDTH)
            strip.addWidget(column, 1)
            self.setTabOrder(previous, view)
            previous = view
            self.models[status], self.filters[status] = model, proxy
            self.views[status], self.columns[status] = view, column

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.scroll, 1)
        self.setTabOrder(self.search, self.technician)
        self.setTabOrder(self.technician, self.bay)

        self.search.textChanged.connect(self._apply_filter)
        self.technician.currentIndexChanged.connect(self._apply_filter)
        self.bay.currentIndexChanged.connect(self._apply_filter)
        self._fill_pickers([], [])

        move_right = QAction("Move card to the next column", self)
        move_right.setShortcut("Alt+Right")
        move_right.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        move_right.triggered.connect(lambda: self.move_current(+1))
        move_left = QAction("Move card to the previous column", self)
        move_left.setShortcut("Alt+Left")
        move_left.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        move_left.triggered.connect(lambda: self.move_current(-1))
        menu_key = QAction("Card menu", self)
        menu_key.setShortcuts(["Shift+F10", "Ctrl+M"])
        menu_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        menu_key.triggered.connect(self._menu_for_current)
        self.addActions([move_right, move_left, menu_key])

    # --- data -------------------------------------------------------------------------
    def set_data(self, data: DeskData) -> None:
        """Show a fresh read; only the cards that changed repaint."""
        self._data = data
        pickers = data.pickers
        techs = [(c.id, c.name) for c in pickers.technicians]
        bays = [(c.id, c.name) for c in pickers.bays]
        if techs != self._technicians or bays != getattr(self, "_bays", None):
            self._fill_pickers(techs, bays)
        for status in COLUMN_ORDER:
            view = self.views[status]
            anchor = view.scroll_anchor()
            self.models[status].set_rows(data.columns.get(status, ()))
            view.restore_anchor(anchor)
        self._update_counts()

    def _fill_pickers(self, techs: list[tuple[str, str]], bays: list[tuple[str, str]]) -> None:
        self._technicians, self._bays = techs, bays
        for combo, items, extra in ((self.technician, techs, [("Unassigned", UNASSIGNED)]),
                                    (self.bay, bays, [])):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", None)
            for name, value in extra:
                combo.addItem(name, value)
            for item_id, name in items:
                combo.addItem(name, item_id)
            found = combo.findData(keep)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)

    def _apply_filter(self) -> None:
        tech = self.technician.currentData()
        bay = self.bay.currentData()
        for proxy in self.filters.values():
            proxy.set_filter(technician=tech, bay=bay, text=self.search.text())
        self._update_counts()

    def _update_counts(self) -> None:
        shown = 0
        for status in COLUMN_ORDER:
            proxy, model = self.filters[status], self.models[status]
            self.columns[status].set_count(proxy.rowCount(),
                                           model.rowCount() if proxy.active else None)
            self.views[status].empty_text = "No matching jobs" if proxy.active else "No jobs"
            shown += proxy.rowCount()
        if self._data is not None:
            total = self._data.total
            text = f"{total} open jobs" if shown == total else f"{shown} of {total} open jobs"
            if self._data.overdue:
                text += f" · {self._data.overdue} overdue"
            self.summary.setText(text)

    # --- selection and keyboard -------------------------------------------------------
    def current_view(self) -> CardListView | None:
        """The column with the keyboard, or the one that had it last (a menu bar menu or a
        dialog may hold the focus for a moment)."""
        for view in self.views.values():
            if view.hasFocus():
                return view
        return self._last_view

    def current_job(self) -> tuple[str, str] | None:
        """(job id, status) of the card with keyboard focus."""
        view = self.current_view()
        if view is None:
            return None
        index = view.currentIndex()
        row = index.data(ROW_ROLE) if index.isValid() else None
        return (row.card.job_id, row.card.status) if row is not None else None

    def select_job(self, job_id: str) -> bool:
        for view in self.views.values():
            if view.select_id(job_id):
                view.setFocus()
                return True
        return False

    def move_current(self, step: int) -> None:
        """Move the focused card to the column ``step`` away (Alt+Right / Alt+Left)."""
        current = self.current_job()
        if current is None:
            return
        job_id, status = current
        i = COLUMN_ORDER.index(status) + step
        if 0 <= i < len(COLUMN_ORDER):
            self.move_requested.emit([job_id], COLUMN_ORDER[i])

    def _focus_neighbour(self, status: str, step: int) -> None:
        i = COLUMN_ORDER.index(status) + step
        while 0 <= i < len(COLUMN_ORDER):
            view = self.views[COLUMN_ORDER[i]]
            if view.model().rowCount() > 0:
                row = min(self.views[status].currentIndex().row(), view.model().rowCount() - 1)
                view.setCurrentIndex(view.model().index(max(row, 0), 0))
                view.setFocus()
                return
            i += step

    def _menu_for_current(self) -> None:
        view = self.current_view()
        if view is not None and view.currentIndex().isValid():
            self._context_menu(view, view.visualRect(view.currentIndex()).center())

    #: The desk's ``ui.desk.permissions.Permissions`` (set by the window); None: every right.
    permissions: Any = None

    def _role_allows(self, fields: dict[str, Any]) -> tuple[bool, str]:
        if self.permissions is None:
            return True, ""
        ok, why = self.permissions.allowed("job", "update", fields)
        return bool(ok), str(why)

    def build_menu(self, job_id: str, status: str) -> QMenu:
        """The card's menu: open, move to each status (a move the table refuses is shown
        disabled with the reason), assign to a technician."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addAction("Open job", lambda: self.open_requested.emit(job_id))
        menu.addSeparator()
        moves = menu.addMenu("Move to")
        moves.setToolTipsVisible(True)
        for target in (*rules.OPEN_STATUSES, "closed", "cancelled"):
            if target == status:
                continue
            act = moves.addAction(rules.STATUS_LABELS[target])
            act.setData(target)
            ok, why = self._role_allows({"status": target})
            if not ok:  # the role table first: a clerk is not offered what is refused
                act.setEnabled(False)
                act.setToolTip(why)
            elif rules.can_move(status, target):
                act.triggered.connect(lambda _=False, t=target: self.move_requested.emit(
                    [job_id], t))
            else:
                act.setEnabled(False)
                act.setToolTip(rules.describe_refused_move(status, target))
        assign = menu.addMenu("Assign to")
        assign.setToolTipsVisible(True)
        ok, why = self._role_allows({"technician_id": None})
        if not ok:
            assign.setEnabled(False)
            assign.menuAction().setToolTip(why)
        assign.addAction("Nobody", lambda: self.assign_requested.emit([job_id], None))
        for tech_id, name in self._technicians:
            assign.addAction(name, lambda t=tech_id: self.assign_requested.emit([job_id], t))
        return menu

    def _context_menu(self, view: CardListView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if not index.isValid():
            return
        view.setCurrentIndex(index)
        row = index.data(ROW_ROLE)
        menu = self.build_menu(str(index.data(ID_ROLE)), row.card.status)
        menu.exec(view.viewport().mapToGlobal(pos))
