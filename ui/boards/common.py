"""Pieces both boards use: the card list view and a titled column around it."""

from __future__ import annotations

from typing import Any

from ui.boards.cards import CardDelegate, card_of, card_text
from ui.models.rows import ID_ROLE, ROW_ROLE
from ui.qt import (
    QAbstractItemView,
    QEvent,
    QFrame,
    QHBoxLayout,
    QHelpEvent,
    QKeyEvent,
    QLabel,
    QListView,
    QModelIndex,
    QPainter,
    QPalette,
    QPoint,
    QSizePolicy,
    Qt,
    QToolTip,
    QVBoxLayout,
    QWidget,
    Signal,
)


class CardListView(QListView):
    """A column of cards: drag and drop through the model; Enter opens a card; Left and
    Right go to the neighbouring column (``neighbour`` set by the board)."""

    open_requested = Signal(str)
    neighbour_requested = Signal(int)  # -1 left, +1 right
    focused = Signal()

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False,
                 technician_line: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("cardList")
        self.setItemDelegate(CardDelegate(self, compact=compact,
                                          technician_line=technician_line))
        self.setUniformItemSizes(True)  # 2,000 cards: no per-row size queries
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.doubleClicked.connect(self._open)
        #: Said in an empty column, so "nothing here" never looks like "still loading".
        self.empty_text = "No jobs"

    def current_id(self) -> str | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        value = index.data(ID_ROLE)
        return str(value) if value is not None else None

    def select_id(self, row_id: str) -> bool:
        model = self.model()
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            if index.data(ID_ROLE) == row_id:
                self.setCurrentIndex(index)
                self.scrollTo(index)
                return True
        return False

    def scroll_anchor(self) -> tuple[str, int] | None:
        """The id of the top visible card and its distance from the top, so a refresh that
        adds or removes cards above it can keep it where the person sees it."""
        index = self.indexAt(QPoint(8, 8))
        if not index.isValid():
            return None
        return str(index.data(ID_ROLE)), self.visualRect(index).top()

    def restore_anchor(self, anchor: tuple[str, int] | None) -> None:
        if anchor is None:
            return
        row_id, top = anchor
        model = self.model()
        first = self.indexAt(QPoint(8, 8))
        # look near the old place first: the anchor rarely moves far
        start = first.row() if first.isValid() else 0
        for offset in range(model.rowCount()):
            for row in (start + offset, start - offset - 1):
                if 0 <= row < model.rowCount() and model.index(row, 0).data(ID_ROLE) == row_id:
                    delta = self.visualRect(model.index(row, 0)).top() - top
                    if delta:
                        bar = self.verticalScrollBar()
                        bar.setValue(bar.value() + delta)
                    return

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(str(index.data(ID_ROLE)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self._open(self.currentIndex())
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain:
            self.neighbour_requested.emit(-1 if key == Qt.Key.Key_Left else 1)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect().adjusted(8, 16, -8, -8),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.indexAt(event.pos())
            row = index.data(ROW_ROLE) if index.isValid() else None
            if row is not None:
                QToolTip.showText(event.globalPos(), card_text(card_of(row)), self)
                return True
        return super().viewportEvent(event)

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        self.focused.emit()
        if not self.currentIndex().isValid() and self.model() is not None \
                and self.model().rowCount() > 0:
            self.setCurrentIndex(self.model().index(0, 0))


class BoardColumn(QFrame):
    """A titled column (title, count) holding a card list or any widget."""

    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None,
                 *, header: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardColumn")
        self.title = QLabel(title)
        self.title.setObjectName("columnTitle")
        self.count = QLabel("")
        self.count.setObjectName("columnCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        if header is not None:
            layout.addWidget(header)
        layout.addWidget(body, 1)
        self.body = body

    def set_count(self, shown: int, total: int | None = None) -> None:
        text = str(shown) if total is None or total == shown else f"{shown} of {total}"
        self.count.setText(text)
        self.count.setAccessibleName(f"{text} jobs")
