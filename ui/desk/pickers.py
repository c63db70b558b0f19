"""Picking another customer or vehicle for a job: one search field, results as you type
(``app.queries.search``), arrow keys and Enter to pick."""

from __future__ import annotations

from typing import Any

from app.queries.search import SearchHit, search
from ui.desk.context import DeskContext
from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

_HIT_ROLE = Qt.ItemDataRole.UserRole + 1


class CustomerPicker(QDialog):
    """Emits ``picked(kind, id)`` for a customer or a vehicle hit."""

    picked = Signal(str, str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Pick a customer or vehicle")
        self.setObjectName("customerPicker")
        self.resize(520, 420)
        self.search = QLineEdit(self)
        self.search.setObjectName("pickerSearch")
        self.search.setPlaceholderText("Name, phone, plate or VIN")
        self.search.textChanged.connect(self._search)
        self.search.installEventFilter(self)
        self.hits = QListWidget(self)
        self.hits.setObjectName("pickerHits")
        self.hits.itemActivated.connect(lambda _item: self.accept())
        self.hint = QLabel("Type to search; ↑ ↓ and Enter to pick.", self)
        self.hint.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(self.search)
        col.addWidget(self.hits, 1)
        col.addWidget(self.hint)
        col.addWidget(buttons)

    def _search(self, text: str) -> None:
        if not text.strip():
            self._show(())
            return
        self.ctx.worker.read(search, text, key="editor-picker", on_done=self._show)

    def _show(self, hits: tuple[SearchHit, ...]) -> None:
        self.hits.clear()
        for hit in hits:
            if hit.kind not in ("customer", "vehicle"):
                continue
            label = ("Customer: " if hit.kind == "customer" else "Vehicle: ") + hit.title
            item = QListWidgetItem(f"{label}\n    {hit.detail}" if hit.detail else label)
            item.setData(_HIT_ROLE, (hit.kind, hit.id))
            self.hits.addItem(item)
        if self.hits.count():
            self.hits.setCurrentRow(0)
        self.hint.setText("Nothing found." if self.search.text().strip() and not self.hits.count()
                          else "Type to search; ↑ ↓ and Enter to pick.")

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if obj is self.search and isinstance(event, QKeyEvent) \
                and event.type() == QKeyEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.hits.count() - 1, self.hits.currentRow() + step))
            self.hits.setCurrentRow(row)
            return True
        return super().eventFilter(obj, event)

    def accept(self) -> None:
        item = self.hits.currentItem()
        if item is None:
            return
        kind, row_id = item.data(_HIT_ROLE)
        super().accept()
        self.picked.emit(kind, row_id)
