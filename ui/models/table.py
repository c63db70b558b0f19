"""A table model over plain rows (the administration screens' lists).

``columns`` are (header, value of a row) pairs. ``set_rows`` takes a fresh read: the same
ids in the same order change only the rows that differ (``dataChanged``); anything else is
a reset. Rows are frozen dataclasses or dicts, never ORM objects; ``key(row)`` is the id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ui.models.rows import ID_ROLE, ROW_ROLE, Index
from ui.qt import QAbstractTableModel, QModelIndex, Qt

Column = tuple[str, Callable[[Any], Any]]


class RowTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], key: Callable[[Any], str],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[Any] = []
        self._ids: list[str] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self._columns):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            value = self._columns[index.column()][1](row)
            return "" if value is None else str(value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section][0]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- rows ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        ids = [self._key(r) for r in rows]
        if ids == self._ids:
            for n, row in enumerate(rows):
                if row != self._rows[n]:
                    self._rows[n] = row
                    self.dataChanged.emit(self.index(n, 0),
                                          self.index(n, len(self._columns) - 1))
            return
        self.beginResetModel()
        self._rows, self._ids = list(rows), ids
        self.endResetModel()

    def row(self, n: int) -> Any:
        return self._rows[n]

    def row_of(self, row_id: str) -> int:
        """The row number of ``row_id``; -1 when absent."""
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def ids(self) -> list[str]:
        return list(self._ids)
